#include "tsdb/block.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "tsdb/block_chunk_codec.h"
#include "tsdb/block_chunks.h"
#include "tsdb/block_index.h"
#include "tsdb/block_io.h"

namespace tend {

struct Block::State {
  BlockMeta meta;
  std::unique_ptr<MappedFile> index_file;
  std::unique_ptr<IndexReader> index;
  std::unique_ptr<ChunkSegmentReader> chunks;
};

namespace {

using State = Block::State;

// Decodes the chunks of one series that overlap [mint, maxt] into *out.
// `only` restricts decoding to one chunk (or -1 for all).
Status DecodeSeries(const State& s, const Labels& labels,
                    const ChunkGroupRef& ref,
                    const std::vector<ChunkMeta>& chunks,
                    std::span<const uint8_t> group, int64_t mint, int64_t maxt,
                    std::vector<Point>* out, int only = -1) {
  ChunkGroupIterator it(group);
  uint8_t enc;
  std::span<const uint8_t> payload;
  bool error = false;
  auto where = [&](size_t i) {
    return s.chunks->Where(ref) + ": series " + LabelsToString(labels) +
           ": chunk " + std::to_string(i) + ": ";
  };
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (!it.Next(&enc, &payload, &error)) {
      return DataLossError(where(i) + (error ? "bad chunk frame"
                                             : "group ends before the chunks "
                                               "the index lists"));
    }
    const ChunkMeta& c = chunks[i];
    if (c.mint > maxt) return Status::Ok();
    if (c.maxt < mint || (only >= 0 && static_cast<int>(i) != only)) continue;
    Status st = DecodeChunk(enc, payload, s.index->time_tables(), c.mint,
                            c.maxt, mint, maxt, out);
    if (!st.ok()) return DataLossError(where(i) + st.message());
  }
  if (it.Next(&enc, &payload, &error) || error) {
    return DataLossError(s.chunks->Where(ref) + ": series " +
                         LabelsToString(labels) +
                         ": group holds more chunks than the index lists");
  }
  return Status::Ok();
}

class BlockSeriesSet : public SeriesSet {
 public:
  BlockSeriesSet(std::shared_ptr<const State> state, std::vector<uint32_t> ids,
                 int64_t mint, int64_t maxt, Status status)
      : state_(std::move(state)),
        ids_(std::move(ids)),
        mint_(mint),
        maxt_(maxt),
        status_(std::move(status)) {}

  bool Next() override {
    if (!status_.ok()) return false;
    while (pos_ < ids_.size()) {
      const uint32_t id = ids_[pos_++];
      group_ok_ = false;
      Status st = state_->index->ReadSeries(id, state_->meta.min_time, &labels_,
                                            &ref_, &chunks_);
      if (!st.ok()) {
        status_ = st;
        return false;
      }
      Result<bool> has = HasSampleInRange();
      if (!has.ok()) {
        status_ = has.status();
        return false;
      }
      if (*has) return true;
    }
    return false;
  }

  const Labels& labels() const override { return labels_; }

  Status ReadPoints(int64_t mint, int64_t maxt,
                    std::vector<Point>* out) override {
    mint = std::max(mint, mint_);
    maxt = std::min(maxt, maxt_);
    if (mint > maxt) return Status::Ok();
    RETURN_IF_ERROR(LoadGroup());
    return DecodeSeries(*state_, labels_, ref_, chunks_, group_, mint, maxt,
                        out);
  }

  Status status() const override { return status_; }

 private:
  Status LoadGroup() {
    if (group_ok_) return Status::Ok();
    Result<std::span<const uint8_t>> g = state_->chunks->ReadGroup(ref_);
    if (!g.ok()) {
      return DataLossError(g.status().message() + " (series " +
                           LabelsToString(labels_) + ")");
    }
    group_ = *g;
    group_ok_ = true;
    return Status::Ok();
  }

  // Chunk times are actual sample times, so only a chunk that straddles the
  // whole range needs decoding to tell.
  Result<bool> HasSampleInRange() {
    for (size_t i = 0; i < chunks_.size(); ++i) {
      const ChunkMeta& c = chunks_[i];
      if (c.maxt < mint_) continue;
      if (c.mint > maxt_) return false;
      if (c.mint >= mint_ || c.maxt <= maxt_) return true;
      RETURN_IF_ERROR(LoadGroup());
      scratch_.clear();
      RETURN_IF_ERROR(DecodeSeries(*state_, labels_, ref_, chunks_, group_,
                                   mint_, maxt_, &scratch_,
                                   static_cast<int>(i)));
      return !scratch_.empty();
    }
    return false;
  }

  std::shared_ptr<const State> state_;
  std::vector<uint32_t> ids_;
  int64_t mint_, maxt_;
  Status status_;
  size_t pos_ = 0;
  Labels labels_;
  ChunkGroupRef ref_;
  std::vector<ChunkMeta> chunks_;
  std::span<const uint8_t> group_;
  bool group_ok_ = false;
  std::vector<Point> scratch_;
};

class BlockQuerier : public Querier {
 public:
  BlockQuerier(std::shared_ptr<const State> state, int64_t mint, int64_t maxt)
      : state_(std::move(state)), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(int64_t mint, int64_t maxt,
                                    const Matchers& matchers) override {
    mint = std::max(mint, mint_);
    maxt = std::min(maxt, maxt_);
    std::vector<uint32_t> ids;
    Status st;
    if (mint <= maxt) st = state_->index->Select(matchers, &ids);
    if (!st.ok()) ids.clear();
    return std::make_unique<BlockSeriesSet>(state_, std::move(ids), mint, maxt,
                                            std::move(st));
  }

  Result<std::vector<std::string>> LabelNames(
      const Matchers& matchers) override {
    if (matchers.empty() && CoversBlock()) return state_->index->LabelNames();
    std::vector<std::string> names;
    auto set = Select(mint_, maxt_, matchers);
    while (set->Next()) {
      for (const Label& l : set->labels()) names.push_back(l.name);
    }
    RETURN_IF_ERROR(set->status());
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }

  Result<std::vector<std::string>> LabelValues(
      std::string_view name, const Matchers& matchers) override {
    if (matchers.empty() && CoversBlock()) {
      return state_->index->LabelValues(name);
    }
    std::vector<std::string> values;
    auto set = Select(mint_, maxt_, matchers);
    while (set->Next()) {
      std::string_view v = GetLabel(set->labels(), name);
      if (!v.empty()) values.emplace_back(v);
    }
    RETURN_IF_ERROR(set->status());
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
  }

 private:
  // Every series of the block then has a sample in the querier's range.
  bool CoversBlock() const {
    return mint_ <= state_->meta.min_time && maxt_ >= state_->meta.max_time - 1;
  }

  std::shared_ptr<const State> state_;
  int64_t mint_, maxt_;
};

}  // namespace

Result<std::unique_ptr<Block>> Block::Open(const std::string& dir) {
  auto state = std::make_shared<State>();
  ASSIGN_OR_RETURN(state->meta, ReadBlockMeta(dir));
  const std::string index_path = JoinPath(dir, "index");
  ASSIGN_OR_RETURN(state->index_file, MappedFile::Open(index_path));
  ASSIGN_OR_RETURN(state->index,
                   IndexReader::Open(state->index_file->data(), index_path));
  if (state->index->num_series() != state->meta.num_series) {
    return DataLossError(
        index_path + ": holds " + std::to_string(state->index->num_series()) +
        " series but meta.json says " + std::to_string(state->meta.num_series));
  }
  ASSIGN_OR_RETURN(state->chunks,
                   ChunkSegmentReader::Open(JoinPath(dir, "chunks")));
  return std::unique_ptr<Block>(new Block(std::move(state)));
}

Block::~Block() = default;

const BlockMeta& Block::meta() const { return state_->meta; }

uint64_t Block::size_bytes() const { return state_->meta.size_bytes; }

Status Block::Verify() const {
  const State& s = *state_;
  Labels labels, prev;
  ChunkGroupRef ref;
  std::vector<ChunkMeta> chunks;
  std::vector<Point> points;
  uint64_t samples = 0, nchunks = 0;
  for (uint32_t id = 0; id < s.index->num_series(); ++id) {
    RETURN_IF_ERROR(
        s.index->ReadSeries(id, s.meta.min_time, &labels, &ref, &chunks));
    if (id > 0 && CompareLabels(prev, labels) >= 0) {
      return DataLossError(s.index_file->path() + ": series " +
                           LabelsToString(labels) + " is out of order");
    }
    ASSIGN_OR_RETURN(std::span<const uint8_t> group, s.chunks->ReadGroup(ref));
    points.clear();
    RETURN_IF_ERROR(DecodeSeries(s, labels, ref, chunks, group, INT64_MIN,
                                 INT64_MAX, &points));
    if (points.empty() || points.front().t < s.meta.min_time ||
        points.back().t >= s.meta.max_time) {
      return DataLossError(s.chunks->Where(ref) + ": series " +
                           LabelsToString(labels) +
                           " has samples outside the block range");
    }
    samples += points.size();
    nchunks += chunks.size();
    prev.swap(labels);
  }
  if (samples != s.meta.num_samples || nchunks != s.meta.num_chunks) {
    return DataLossError(JoinPath(s.meta.dir, "meta.json") + ": says " +
                         std::to_string(s.meta.num_samples) + " samples in " +
                         std::to_string(s.meta.num_chunks) +
                         " chunks, the block holds " + std::to_string(samples) +
                         " in " + std::to_string(nchunks));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Querier>> Block::NewQuerier(int64_t mint, int64_t maxt) {
  return std::unique_ptr<Querier>(
      std::make_unique<BlockQuerier>(state_, mint, maxt));
}

}  // namespace tend
