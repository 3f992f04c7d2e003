#include "agent/store_metrics.h"

namespace tend {

void AddStoreMetrics(const DbStats& st, const StoreWriteHealth& w,
                     MetricSet* out) {
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  const HeadStats& h = st.head;
  out->Gauge("tend_tsdb_head_series", "Series held in the in-memory head.",
             d(h.num_series));
  out->Gauge("tend_tsdb_head_chunks", "Chunks held in the in-memory head.",
             d(h.num_chunks));
  out->Gauge("tend_tsdb_head_bytes",
             "Estimated heap memory of the head (series, open chunks, "
             "index); closed chunks are in files, see "
             "tend_tsdb_head_chunk_file_bytes.",
             d(h.bytes));
  out->Gauge("tend_tsdb_head_chunk_files",
             "Files holding the head's closed chunks (tsdb/chunks_head).",
             d(h.chunk_files));
  out->Gauge("tend_tsdb_head_chunk_file_bytes",
             "Bytes of the head's closed chunks in files, read through the "
             "page cache.",
             d(h.chunk_disk_bytes));
  out->Counter("tend_tsdb_head_chunk_write_errors_total",
               "Closed chunks that could not be written to a file (e.g. a "
               "full disk) and were kept in memory instead.",
               d(h.chunk_write_errors));
  out->Counter("tend_tsdb_head_samples_appended_total",
               "Samples committed to the store since the agent started.",
               d(h.samples_appended));
  out->Counter("tend_tsdb_series_limit_rejections_total",
               "Samples refused because their series would exceed "
               "storage.max_series.",
               d(h.series_limit_rejections));
  out->Counter("tend_tsdb_out_of_order_samples_total",
               "Samples refused because they were older than the series' "
               "newest sample or than the persisted blocks.",
               d(h.out_of_order_rejections + h.duplicate_rejections));
  out->Counter("tend_tsdb_wal_write_failures_total",
               "Collection cycles whose samples could not be written to the "
               "write-ahead log (e.g. a full disk) and were dropped.",
               d(w.commit_failures));
  out->Gauge("tend_tsdb_last_commit_successful",
             "Whether the last collection cycle was stored (1) or lost to a "
             "write error (0).",
             w.last_commit_ok ? 1 : 0);
  out->Counter("tend_tsdb_stale_markers_total",
               "Staleness markers written for series that disappeared.",
               d(w.stale_markers));
  out->Gauge("tend_tsdb_blocks_loaded", "Persisted blocks open.",
             d(st.num_blocks));
  out->Gauge("tend_tsdb_storage_blocks_bytes",
             "Bytes on disk of the persisted blocks.", d(st.block_bytes));
  out->Gauge("tend_tsdb_wal_bytes", "Bytes on disk of the write-ahead log.",
             d(st.wal_bytes));
  out->Counter("tend_tsdb_blocks_cut_total",
               "Blocks persisted from the head since the agent started.",
               d(st.blocks_cut));
  out->Counter("tend_tsdb_compactions_total",
               "Compactions of blocks since the agent started.",
               d(st.compactions));
  out->Counter("tend_tsdb_retention_deleted_blocks_total",
               "Blocks deleted by retention since the agent started.",
               d(st.blocks_deleted));
  out->Counter("tend_tsdb_maintenance_failures_total",
               "Failed housekeeping runs (block cut, compaction, retention).",
               d(st.maintenance_errors));
  if (st.max_time >= st.min_time && (st.num_blocks > 0 || h.num_samples > 0)) {
    out->Gauge("tend_tsdb_lowest_timestamp_seconds",
               "The oldest sample in the store.", st.min_time / 1000.0);
  }
}

nlohmann::json StoreStatsJson(const DbStats& st) {
  const uint64_t samples = st.block_samples + st.head.num_samples;
  nlohmann::json j = {
      {"head_series", st.head.num_series},
      {"head_samples", st.head.num_samples},
      {"head_bytes", st.head.bytes},
      {"blocks", st.num_blocks},
      {"block_samples", st.block_samples},
      {"block_bytes", st.block_bytes},
      {"wal_bytes", st.wal_bytes},
      {"samples", samples},
      {"bytes_on_disk", st.block_bytes + st.wal_bytes},
      {"min_time", st.min_time},
      {"max_time", st.max_time},
  };
  if (st.block_samples > 0) {
    j["block_bytes_per_sample"] =
        static_cast<double>(st.block_bytes) / st.block_samples;
  }
  return j;
}

}  // namespace tend
