// tend tsdb: the metric store's maintenance commands (import, stats,
// verify).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/data_dir.h"
#include "agent/store_metrics.h"
#include "base/duration.h"
#include "cli/commands.h"
#include "http/client.h"
#include "tsdb/block_verify.h"
#include "tsdb/compact.h"
#include "tsdb/db.h"
#include "tsdb/head_checkpoint.h"
#include "tsdb/head_records.h"
#include "tsdb/importer.h"
#include "tsdb/wal.h"

namespace tend {

const std::string_view kTsdbHelp = R"(NAME
    tend tsdb - backfill and inspect the metric store

SYNOPSIS
    tend tsdb import FILE [--data-dir DIR] [--block-duration D]
    tend tsdb stats [--data-dir DIR] [-o table|json]
    tend tsdb verify [--data-dir DIR] [-o table|json]

DESCRIPTION
    import: reads Prometheus/OpenMetrics text where every sample has a
    timestamp (seconds, as `promtool tsdb create-blocks-from openmetrics`
    takes it) and writes one block per --block-duration window (default
    2h) into DIR/tsdb. All or nothing: on an error (reported with file and
    line) no block of this import is left behind. A running agent that owns
    DIR picks the blocks up within a minute; otherwise the import takes the
    data dir's lock while it writes.

    stats: series, samples, bytes on disk and bytes per sample of the store,
    from the agent that owns DIR or, when none runs, by opening the store
    read-only under the data dir's lock.

    verify: checks the store in DIR/tsdb without changing it. Every block
    is opened and read completely: meta.json, the index (checksums, every
    series entry, every postings list against the series' labels), every
    chunk group (checksum and decoding, samples inside the block's range),
    the chunk files' layout and the counts in meta.json. Prints one line
    per block, "ok" or "DAMAGED" with the file, byte offset and what is
    wrong. Unfinished blocks (*.tmp) and blocks a compaction has replaced
    are leftovers of a crash, which the agent deletes when it opens the
    store: listed as notes, not damage. The write-ahead log (the newest
    checkpoint and the segments after it) is read record by record too: a
    torn last record is what a crash leaves and is a note (the agent drops
    it at its next start); any other damage (a checksum mismatch, a record
    that does not decode, damage before the last segment) loses
    acknowledged samples and counts as damage. With no agent running,
    verify holds the data dir's lock while it reads. With an agent running
    it checks the blocks anyway (they are immutable; one the agent deletes
    meanwhile is reported as gone) and skips the WAL, which is being
    written.

OPTIONS
    --block-duration D  Span of each imported block (default 2h).
    -o, --output FMT    table (default) or json.

EXIT STATUS
    0 on success (verify: nothing damaged); 1 on failure (verify: a block
    or the WAL is damaged, or the store cannot be read); 2 on bad usage.

EXAMPLES
    tend tsdb verify --data-dir /var/lib/tend
    tend tsdb verify --data-dir /var/lib/tend -o json | jq '.blocks[] |
        select(.ok | not)'
)";

namespace {

// The whole file, mapped read-only (a backfill file may be gigabytes).
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open " + path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      return ErrnoError("stat " + path, e);
    }
    MappedFile f;
    f.size_ = static_cast<size_t>(st.st_size);
    if (f.size_ > 0) {
      void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        int e = errno;
        ::close(fd);
        return ErrnoError("mmap " + path, e);
      }
      f.data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return f;
  }
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view view() const {
    return {data_ == nullptr ? "" : data_, size_};
  }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

int RunImport(const ParsedFlags& flags) {
  if (flags.positional.size() != 2) {
    std::fprintf(stderr, "tend tsdb import: want exactly one FILE\n");
    return kExitUsage;
  }
  const std::string file = flags.positional[1];
  ImportOptions opts;
  if (flags.Has("block-duration")) {
    auto d = ParseDuration(flags.Get("block-duration"));
    if (!d.ok() || *d < 60000) {
      std::fprintf(stderr,
                   "tend tsdb import: --block-duration: want a duration of "
                   "at least 1m, got \"%s\"\n",
                   flags.Get("block-duration").c_str());
      return kExitUsage;
    }
    opts.block_duration_ms = *d;
  }
  const std::string dir = DataDirFlag(flags);
  // Hold the lock when no agent does, so that no agent starts mid-import.
  Result<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir);
  if (!lock.ok() && lock.status().code() != StatusCode::kFailedPrecondition) {
    std::fprintf(stderr, "tend tsdb import: %s\n",
                 lock.status().message().c_str());
    return kExitFailure;
  }
  auto mapped = MappedFile::Open(file);
  if (!mapped.ok()) {
    std::fprintf(stderr, "tend tsdb import: %s\n",
                 mapped.status().message().c_str());
    return kExitFailure;
  }
  auto r = ImportExposition(mapped->view(), file, dir + "/tsdb", opts);
  if (!r.ok()) {
    std::fprintf(stderr, "tend tsdb import: %s\n",
                 r.status().message().c_str());
    return kExitFailure;
  }
  uint64_t bytes = 0;
  for (const BlockMeta& m : r->blocks) bytes += m.size_bytes;
  std::printf("imported %llu samples of %llu series into %zu blocks (%s)\n",
              static_cast<unsigned long long>(r->samples),
              static_cast<unsigned long long>(r->series), r->blocks.size(),
              HumanBytes(static_cast<double>(bytes)).c_str());
  if (!lock.ok()) {
    std::printf("the agent owning %s loads them within a minute\n",
                dir.c_str());
  }
  return kExitOk;
}

int RunStats(const ParsedFlags& flags) {
  const std::string dir = DataDirFlag(flags);
  const std::string output = flags.Get("output", "table");
  if (output != "table" && output != "json") {
    std::fprintf(stderr, "tend tsdb stats: -o: want table or json\n");
    return kExitUsage;
  }
  nlohmann::json j;
  Result<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir);
  if (lock.ok()) {
    DbOptions o;
    o.read_only = true;
    auto db = Db::Open(dir + "/tsdb", o);
    if (!db.ok()) {
      std::fprintf(stderr, "tend tsdb stats: %s\n",
                   db.status().message().c_str());
      return kExitFailure;
    }
    j = StoreStatsJson((*db)->stats());
  } else if (lock.status().code() == StatusCode::kFailedPrecondition) {
    HttpClientRequest req;
    req.address = AgentAddress(flags);
    req.path = "/api/v1/status";
    auto res = HttpFetch(req);
    if (!res.ok()) {
      std::fprintf(stderr, "tend tsdb stats: the agent did not answer: %s\n",
                   res.status().message().c_str());
      return kExitFailure;
    }
    auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (body.is_discarded() || !body["data"].contains("tsdb")) {
      std::fprintf(stderr, "tend tsdb stats: the agent has no store\n");
      return kExitFailure;
    }
    j = body["data"]["tsdb"];
  } else {
    std::fprintf(stderr, "tend tsdb stats: %s\n",
                 lock.status().message().c_str());
    return kExitFailure;
  }
  if (output == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  auto u = [&](const char* k) { return j.value(k, uint64_t{0}); };
  std::printf("series (head)      %llu\n",
              static_cast<unsigned long long>(u("head_series")));
  std::printf("samples            %llu (%llu in blocks, %llu in the head)\n",
              static_cast<unsigned long long>(u("samples")),
              static_cast<unsigned long long>(u("block_samples")),
              static_cast<unsigned long long>(u("head_samples")));
  std::printf("blocks             %llu\n",
              static_cast<unsigned long long>(u("blocks")));
  std::printf("bytes on disk      %s (blocks %s, WAL %s)\n",
              HumanBytes(static_cast<double>(u("bytes_on_disk"))).c_str(),
              HumanBytes(static_cast<double>(u("block_bytes"))).c_str(),
              HumanBytes(static_cast<double>(u("wal_bytes"))).c_str());
  if (j.contains("block_bytes_per_sample")) {
    std::printf("bytes per sample   %.3f (blocks)\n",
                j["block_bytes_per_sample"].get<double>());
  } else {
    std::printf("bytes per sample   - (no blocks yet)\n");
  }
  std::printf("head memory        %s\n",
              HumanBytes(static_cast<double>(u("head_bytes"))).c_str());
  return kExitOk;
}

// What verify found in the WAL.
struct WalCheck {
  bool checked = false;
  std::string why_not;  // When not checked.
  int checkpoint = -1;
  int first_segment = -1;  // -1: no segments.
  int last_segment = -1;
  uint64_t records = 0;
  uint64_t bad_records = 0;
  std::string first_bad;   // Where and why the first bad record failed.
  std::string damage;      // "" when the frames read cleanly to the end.
  bool torn_tail = false;  // The damage is what a crash leaves.
  bool ok() const { return damage.empty() ? bad_records == 0 : torn_tail; }
};

// Decodes one head record (docs/formats/wal-records.md) completely enough
// that replay would accept it.
Status CheckHeadRecord(std::span<const uint8_t> record,
                       std::vector<RefSeries>* series,
                       std::vector<RefSample>* samples) {
  ASSIGN_OR_RETURN(HeadRecordType type, DecodeRecordType(record));
  switch (type) {
    case HeadRecordType::kSeries:
      return DecodeSeriesRecord(record, series);
    case HeadRecordType::kSamples:
      return DecodeSamplesRecord(record, samples);
    case HeadRecordType::kChunk: {
      RefChunk chunk;
      return DecodeChunkRecord(record, &chunk);
    }
  }
  return DataLossError("unknown record type");
}

// Reads the records of `dir` from segment `first` on into *c. `live_last`
// is the newest segment of the live WAL (-1 when reading a checkpoint,
// which is complete by construction: any damage in it is real).
Status ReadWalRecords(const std::string& dir, int first, int live_last,
                      WalCheck* c) {
  ASSIGN_OR_RETURN(auto reader, WalReader::Open(dir, first));
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  while (reader->Next()) {
    ++c->records;
    Status st = CheckHeadRecord(reader->record(), &series, &samples);
    if (!st.ok() && c->bad_records++ == 0) {
      c->first_bad = dir + " segment " + std::to_string(reader->segment()) +
                     ": record " + std::to_string(c->records) + ": " +
                     st.message();
    }
  }
  RETURN_IF_ERROR(reader->status());
  if (const WalCorruption* d = reader->corruption()) {
    c->damage = dir + " segment " + std::to_string(d->segment) + " at offset " +
                std::to_string(d->offset) + ": " + d->reason;
    const std::string_view r = d->reason;
    c->torn_tail = live_last >= 0 && d->segment == live_last &&
                   (r.starts_with("torn") || r.starts_with("zero-filled"));
  }
  return Status::Ok();
}

// The newest checkpoint and the segments after it, as replay reads them.
Status CheckWal(const std::string& wal_dir, WalCheck* c) {
  c->checked = true;
  std::error_code ec;
  if (!std::filesystem::exists(wal_dir, ec)) return Status::Ok();
  ASSIGN_OR_RETURN(CheckpointList cps, ListCheckpoints(wal_dir));
  ASSIGN_OR_RETURN(std::vector<int> segments, ListWalSegments(wal_dir));
  int first = 0;
  if (!cps.numbers.empty()) {
    c->checkpoint = cps.numbers.back();
    first = c->checkpoint + 1;
    RETURN_IF_ERROR(
        ReadWalRecords(CheckpointPath(wal_dir, c->checkpoint), 0, -1, c));
    if (!c->damage.empty()) return Status::Ok();  // Replay stops there too.
  }
  segments.erase(std::remove_if(segments.begin(), segments.end(),
                                [&](int s) { return s < first; }),
                 segments.end());
  if (segments.empty()) return Status::Ok();
  c->first_segment = segments.front();
  c->last_segment = segments.back();
  return ReadWalRecords(wal_dir, first, c->last_segment, c);
}

std::string FormatMs(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatSpan(int64_t ms) {
  if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  return std::to_string(ms) + "ms";
}

int RunVerify(const ParsedFlags& flags) {
  const std::string output = flags.Get("output", "table");
  if (output != "table" && output != "json") {
    std::fprintf(stderr, "tend tsdb verify: -o: want table or json\n");
    return kExitUsage;
  }
  if (flags.positional.size() != 1) {
    std::fprintf(stderr, "tend tsdb verify: takes no arguments\n");
    return kExitUsage;
  }
  const std::string dir = DataDirFlag(flags);
  const std::string db_dir = dir + "/tsdb";
  std::error_code ec;
  if (!std::filesystem::is_directory(db_dir, ec)) {
    std::fprintf(stderr, "tend tsdb verify: no metric store in %s\n",
                 db_dir.c_str());
    return kExitFailure;
  }
  // Held until the end: no agent starts (and repairs or compacts) while the
  // store is read.
  Result<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir);
  const bool agent_running =
      !lock.ok() && lock.status().code() == StatusCode::kFailedPrecondition;
  if (!lock.ok() && !agent_running) {
    std::fprintf(stderr, "tend tsdb verify: %s\n",
                 lock.status().message().c_str());
    return kExitFailure;
  }
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(db_dir, ec), end;
       !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) {
    std::fprintf(stderr, "tend tsdb verify: listing %s: %s\n", db_dir.c_str(),
                 ec.message().c_str());
    return kExitFailure;
  }
  std::sort(names.begin(), names.end());

  nlohmann::json blocks = nlohmann::json::array();
  std::vector<std::string> notes;
  std::vector<BlockMeta> good;
  size_t damaged = 0;
  for (const std::string& name : names) {
    const std::string path = db_dir + "/" + name;
    if (!std::filesystem::is_directory(path, ec)) continue;
    if (name.size() == 30 && name.ends_with(".tmp") &&
        IsValidUlid(std::string_view(name).substr(0, 26))) {
      notes.push_back(path +
                      ": unfinished block (a crash while writing it); "
                      "deleted when the store is opened");
      continue;
    }
    if (!IsValidUlid(name)) continue;  // wal/, chunks_head/, strays.
    nlohmann::json b = {{"ulid", name}, {"dir", path}};
    Result<BlockVerifyStats> st = VerifyBlock(path);
    if (!st.ok() && agent_running && !std::filesystem::exists(path, ec)) {
      b["ok"] = true;
      b["gone"] = true;
      blocks.push_back(b);
      continue;
    }
    if (!st.ok()) {
      ++damaged;
      b["ok"] = false;
      b["error"] = st.status().message();
      blocks.push_back(b);
      continue;
    }
    good.push_back(st->meta);
    b["ok"] = true;
    b["min_time"] = st->meta.min_time;
    b["max_time"] = st->meta.max_time;
    b["level"] = st->meta.level;
    b["series"] = st->series;
    b["chunks"] = st->chunks;
    b["samples"] = st->samples;
    b["postings_lists"] = st->postings_lists;
    b["chunk_segments"] = st->chunk_segments;
    b["bytes"] = st->meta.size_bytes;
    blocks.push_back(b);
  }
  for (const std::string& covered : FindCoveredBlocks(good)) {
    notes.push_back(covered +
                    ": replaced by a compacted block (a crash before it was "
                    "deleted); deleted when the store is opened");
  }

  WalCheck wal;
  Status wal_status;
  if (agent_running) {
    wal.why_not = "an agent owns " + dir + " and is writing it";
  } else {
    wal_status = CheckWal(db_dir + "/wal", &wal);
  }
  if (wal.torn_tail) {
    notes.push_back(wal.damage +
                    " (what a crash leaves; the agent drops it at its next "
                    "start)");
  }
  const bool wal_ok = wal_status.ok() && wal.ok();
  const bool all_ok = damaged == 0 && wal_ok;

  if (output == "json") {
    nlohmann::json w = {{"checked", wal.checked}, {"ok", wal_ok}};
    if (!wal.checked) w["skipped"] = wal.why_not;
    if (wal.checked) {
      w["checkpoint"] = wal.checkpoint;
      w["first_segment"] = wal.first_segment;
      w["last_segment"] = wal.last_segment;
      w["records"] = wal.records;
      w["bad_records"] = wal.bad_records;
      if (!wal.first_bad.empty()) w["first_bad_record"] = wal.first_bad;
      if (!wal.damage.empty()) w["damage"] = wal.damage;
      w["torn_tail"] = wal.torn_tail;
      if (!wal_status.ok()) w["error"] = wal_status.message();
    }
    nlohmann::json j = {{"dir", db_dir},
                        {"ok", all_ok},
                        {"blocks", blocks},
                        {"notes", notes},
                        {"wal", w}};
    std::printf("%s\n", j.dump(2).c_str());
    return all_ok ? kExitOk : kExitFailure;
  }
  for (const nlohmann::json& b : blocks) {
    const std::string ulid = b["ulid"].get<std::string>();
    if (b.contains("gone")) {
      std::printf("block %s  gone (deleted by the agent during the check)\n",
                  ulid.c_str());
    } else if (!b["ok"].get<bool>()) {
      std::printf("block %s  DAMAGED: %s\n", ulid.c_str(),
                  b["error"].get<std::string>().c_str());
    } else {
      const int64_t mint = b["min_time"].get<int64_t>();
      const int64_t maxt = b["max_time"].get<int64_t>();
      std::printf(
          "block %s  %s +%s  level %d  %llu series  %llu chunks  %llu "
          "samples  ok\n",
          ulid.c_str(), FormatMs(mint).c_str(), FormatSpan(maxt - mint).c_str(),
          b["level"].get<int>(),
          static_cast<unsigned long long>(b["series"].get<uint64_t>()),
          static_cast<unsigned long long>(b["chunks"].get<uint64_t>()),
          static_cast<unsigned long long>(b["samples"].get<uint64_t>()));
    }
  }
  for (const std::string& n : notes) std::printf("note: %s\n", n.c_str());
  if (!wal.checked) {
    std::printf("wal: skipped: %s\n", wal.why_not.c_str());
  } else if (!wal_status.ok()) {
    std::printf("wal: cannot be read: %s\n", wal_status.message().c_str());
  } else {
    std::string where;
    if (wal.checkpoint >= 0) {
      where = BaseName(CheckpointPath("", wal.checkpoint)) + ", ";
    }
    if (wal.first_segment < 0) {
      where += "no segments";
    } else if (wal.first_segment == wal.last_segment) {
      where += "segment " + std::to_string(wal.first_segment);
    } else {
      where += "segments " + std::to_string(wal.first_segment) + "-" +
               std::to_string(wal.last_segment);
    }
    std::printf("wal: %s, %llu records", where.c_str(),
                static_cast<unsigned long long>(wal.records));
    if (wal.bad_records > 0) {
      std::printf(", DAMAGED: %llu records do not decode; the first: %s",
                  static_cast<unsigned long long>(wal.bad_records),
                  wal.first_bad.c_str());
    }
    if (!wal.damage.empty() && !wal.torn_tail) {
      std::printf(
          ", DAMAGED: %s (the agent drops everything from there at "
          "its next start)",
          wal.damage.c_str());
    }
    std::printf("%s\n", wal.ok() ? "  ok" : "");
  }
  std::printf("blocks: %zu ok, %zu damaged; wal: %s\n", blocks.size() - damaged,
              damaged,
              !wal.checked ? "not checked" : (wal_ok ? "ok" : "DAMAGED"));
  return all_ok ? kExitOk : kExitFailure;
}

}  // namespace

int RunTsdb(const ParsedFlags& flags) {
  const std::string sub = flags.positional.empty() ? "" : flags.positional[0];
  if (sub == "import") return RunImport(flags);
  if (sub == "stats") return RunStats(flags);
  if (sub == "verify") return RunVerify(flags);
  std::fprintf(stderr,
               "tend tsdb: want a subcommand: import, stats or verify (see "
               "tend tsdb --help)\n");
  return kExitUsage;
}

}  // namespace tend
