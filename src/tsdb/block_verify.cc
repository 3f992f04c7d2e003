#include "tsdb/block_verify.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "model/matcher.h"
#include "tsdb/block.h"
#include "tsdb/block_chunks.h"
#include "tsdb/block_index.h"
#include "tsdb/block_io.h"

namespace tend {
namespace {

struct GroupUse {
  ChunkGroupRef ref;
  uint32_t series;  // Index id, for messages.
};

// Every postings list against the series' labels. `labels[id]` are the
// labels of series id as its index entry holds them.
Status CheckPostings(const IndexReader& index, const std::string& path,
                     const std::vector<Labels>& labels,
                     BlockVerifyStats* stats) {
  uint64_t label_pairs = 0;
  for (const Labels& ls : labels) label_pairs += ls.size();
  std::vector<uint32_t> ids;
  for (const std::string& name : index.LabelNames()) {
    for (const std::string& value : index.LabelValues(name)) {
      Status st = index.Select({LabelMatcher::Equal(name, value)}, &ids);
      if (!st.ok()) {
        return DataLossError(st.message() + " (postings of " + name + "=\"" +
                             value + "\")");
      }
      if (ids.empty()) {
        return DataLossError(path + ": the label table lists " + name + "=\"" +
                             value + "\" but its postings are empty");
      }
      for (uint32_t id : ids) {
        const std::string_view got = GetLabel(labels[id], name);
        if (got != value) {
          return DataLossError(path + ": postings of " + name + "=\"" + value +
                               "\" list series " + std::to_string(id) + " " +
                               LabelsToString(labels[id]) +
                               ", which does not have that label value");
        }
      }
      ++stats->postings_lists;
      stats->postings_entries += ids.size();
    }
  }
  // Each entry above is a distinct (series, label) pair: ids are unique in a
  // list and a series has one value per name. Equal totals therefore mean
  // every label of every series is findable.
  if (stats->postings_entries != label_pairs) {
    return DataLossError(
        path + ": postings hold " + std::to_string(stats->postings_entries) +
        " series entries but the series carry " + std::to_string(label_pairs) +
        " labels: some series cannot be found by one of their labels");
  }
  return Status::Ok();
}

// The groups must tile each segment from its header to its end, in order.
Status CheckChunkLayout(const std::string& chunks_dir,
                        std::vector<GroupUse>& groups,
                        BlockVerifyStats* stats) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirSorted(chunks_dir));
  std::vector<uint64_t> sizes;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(uint64_t n, DiskUsage(JoinPath(chunks_dir, name)));
    sizes.push_back(n);
    stats->chunk_bytes += n;
  }
  stats->chunk_segments = names.size();
  std::sort(
      groups.begin(), groups.end(), [](const GroupUse& a, const GroupUse& b) {
        return a.ref.segment < b.ref.segment ||
               (a.ref.segment == b.ref.segment && a.ref.offset < b.ref.offset);
      });
  auto file = [&](uint64_t segment) {
    return JoinPath(chunks_dir, ChunkSegmentName(segment));
  };
  size_t g = 0;
  for (uint64_t seg = 1; seg <= sizes.size(); ++seg) {
    uint64_t pos = kChunkSegmentHeaderSize;
    bool used = false;
    for (; g < groups.size() && groups[g].ref.segment == seg; ++g) {
      const GroupUse& u = groups[g];
      if (u.ref.offset != pos) {
        return DataLossError(
            file(seg) + " at offset " + std::to_string(u.ref.offset) +
            ": the chunk group of series " + std::to_string(u.series) +
            (u.ref.offset < pos ? " overlaps the previous group (which ends "
                                  "at offset "
                                : " leaves a gap after the previous group "
                                  "(which ends at offset ") +
            std::to_string(pos) + ")");
      }
      pos += u.ref.length;
      used = true;
    }
    if (!used) {
      return DataLossError(file(seg) +
                           ": no series refers to this chunk segment");
    }
    if (pos != sizes[seg - 1]) {
      return DataLossError(file(seg) + " at offset " + std::to_string(pos) +
                           ": " + std::to_string(sizes[seg - 1] - pos) +
                           " bytes after the last chunk group");
    }
  }
  // Block::Verify already read every group, so none lies beyond the files;
  // this only guards the loop above.
  if (g != groups.size()) {
    return DataLossError(file(groups[g].ref.segment) +
                         ": referenced but missing");
  }
  return Status::Ok();
}

}  // namespace

Result<BlockVerifyStats> VerifyBlock(const std::string& dir) {
  BlockVerifyStats stats;
  ASSIGN_OR_RETURN(std::unique_ptr<Block> block, Block::Open(dir));
  RETURN_IF_ERROR(block->Verify());
  stats.meta = block->meta();
  stats.samples = stats.meta.num_samples;  // Verify checked it.

  // The index again, for what Block does not expose: postings and the
  // chunk references of all series at once.
  const std::string index_path = JoinPath(dir, "index");
  ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file,
                   MappedFile::Open(index_path));
  ASSIGN_OR_RETURN(std::unique_ptr<IndexReader> index,
                   IndexReader::Open(file->data(), index_path));
  std::vector<Labels> labels(index->num_series());
  std::vector<GroupUse> groups(index->num_series());
  std::vector<ChunkMeta> chunks;
  for (uint32_t id = 0; id < index->num_series(); ++id) {
    RETURN_IF_ERROR(index->ReadSeries(id, stats.meta.min_time, &labels[id],
                                      &groups[id].ref, &chunks));
    groups[id].series = id;
    stats.chunks += chunks.size();
  }
  stats.series = labels.size();
  RETURN_IF_ERROR(CheckPostings(*index, index_path, labels, &stats));
  RETURN_IF_ERROR(CheckChunkLayout(JoinPath(dir, "chunks"), groups, &stats));
  return stats;
}

}  // namespace tend
