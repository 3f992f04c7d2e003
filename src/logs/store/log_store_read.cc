// LogStore's read path: Select (a lazy k-way merge over the candidate
// blocks), LabelNames, LabelValues and Streams.
#include <algorithm>
#include <map>
#include <queue>
#include <set>

#include "logs/store/log_store.h"
#include "logs/store/log_store_state.h"

namespace tend::logs {
namespace {

bool Overlaps(const StreamState& st, int64_t mint, int64_t maxt) {
  return st.has_data && st.mint <= maxt && st.maxt >= mint;
}

// A block to read, or (file == nullptr) a copy of a stream's open lines.
struct Candidate {
  std::shared_ptr<SegmentFile> file;
  BlockRef ref;  // Without bloom.
  std::shared_ptr<const Labels> labels;
  LineBuffer open;
  uint64_t order = 0;  // Tie-break among equal times.
};

// A decoded block being merged.
struct Cursor {
  std::shared_ptr<const Labels> labels;
  std::string raw;  // Owns the bytes `lines` point into.
  LineBuffer open;
  std::vector<LineRef> lines;  // Sorted by time (stable), in range.
  size_t pos = 0;
  uint64_t order = 0;
};

class MergeIterator final : public LogIterator {
 public:
  MergeIterator(std::vector<Candidate> cands, int64_t mint, int64_t maxt,
                bool forward, size_t limit, SelectStats stats)
      : cands_(std::move(cands)),
        mint_(mint),
        maxt_(maxt),
        forward_(forward),
        limit_(limit),
        stats_(stats),
        heap_(HeapLess{forward}) {
    // Forward: open blocks by ascending mint; backward: descending maxt.
    std::sort(cands_.begin(), cands_.end(),
              [forward](const Candidate& a, const Candidate& b) {
                if (forward) {
                  return a.ref.mint != b.ref.mint ? a.ref.mint < b.ref.mint
                                                  : a.order < b.order;
                }
                return a.ref.maxt != b.ref.maxt ? a.ref.maxt > b.ref.maxt
                                                : a.order > b.order;
              });
  }

  bool Next() override {
    if (!status_.ok() || (limit_ > 0 && emitted_ >= limit_)) return false;
    if (current_ != nullptr) {
      ++current_->pos;
      if (current_->pos < current_->lines.size()) heap_.push(current_);
      current_ = nullptr;
    }
    // Open every block that may hold a line before the heap's best one.
    while (next_ < cands_.size()) {
      const Candidate& c = cands_[next_];
      if (!heap_.empty()) {
        const int64_t best = Time(heap_.top());
        if (forward_ ? c.ref.mint > best : c.ref.maxt < best) break;
      }
      if (!Load(cands_[next_++])) return false;
    }
    if (heap_.empty()) return false;
    current_ = heap_.top();
    heap_.pop();
    ++emitted_;
    return true;
  }

  const Labels& labels() const override { return *current_->labels; }
  int64_t t() const override { return Time(current_); }
  std::string_view line() const override { return Line(current_); }
  const Status& status() const override { return status_; }
  const SelectStats& stats() const override { return stats_; }

 private:
  static int64_t Time(const Cursor* c) { return c->lines[Index(c)].t; }
  static std::string_view Line(const Cursor* c) {
    return c->lines[Index(c)].line;
  }
  // Backward cursors walk their sorted lines from the end.
  static size_t Index(const Cursor* c) { return c->lines.size() - 1 - c->pos; }

  bool Load(Candidate& c) {
    auto cur = std::make_unique<Cursor>();
    cur->labels = c.labels;
    cur->order = c.order;
    std::vector<LineRef> all;
    if (c.file == nullptr) {
      cur->open = std::move(c.open);
      for (size_t i = 0; i < cur->open.size(); ++i) {
        all.push_back({cur->open.ts[i], cur->open.line(i)});
      }
    } else {
      ++stats_.blocks_read;
      BlockMeta m;
      m.stream_id = c.ref.stream_id;
      m.lines = c.ref.lines;
      m.mint = c.ref.mint;
      m.maxt = c.ref.maxt;
      m.raw_bytes = c.ref.raw_bytes;
      m.codec = c.ref.codec;
      std::string data;
      Status st = ReadRecordData(*c.file, c.ref.header, c.ref.offset, &data);
      if (st.ok()) st = Decompress(m, data, &cur->raw);
      if (st.ok()) st = DecodeLines(m, cur->raw, &all);
      c.file.reset();
      if (!st.ok()) {
        status_ = st;
        return false;
      }
    }
    for (const LineRef& l : all) {
      if (l.t >= mint_ && l.t <= maxt_) cur->lines.push_back(l);
    }
    std::stable_sort(
        cur->lines.begin(), cur->lines.end(),
        [](const LineRef& a, const LineRef& b) { return a.t < b.t; });
    if (!forward_) {
      // Index() reverses; keep equal times in reverse arrival order.
    } else {
      std::reverse(cur->lines.begin(), cur->lines.end());
    }
    // Both directions now read lines[size-1-pos]: forward from the
    // smallest time.
    if (cur->lines.empty()) return true;
    heap_.push(cur.get());
    owned_.push_back(std::move(cur));
    return true;
  }

  // priority_queue keeps the *largest* on top, so "less" means "later".
  struct HeapLess {
    bool forward;
    bool operator()(const Cursor* a, const Cursor* b) const {
      const int64_t ta = Time(a), tb = Time(b);
      if (ta != tb) return forward ? ta > tb : ta < tb;
      return forward ? a->order > b->order : a->order < b->order;
    }
  };

  std::vector<Candidate> cands_;
  size_t next_ = 0;
  int64_t mint_, maxt_;
  bool forward_;
  size_t limit_;
  size_t emitted_ = 0;
  SelectStats stats_;
  Status status_;
  std::priority_queue<Cursor*, std::vector<Cursor*>, HeapLess> heap_;
  std::vector<std::unique_ptr<Cursor>> owned_;
  Cursor* current_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<LogIterator>> LogStore::Select(
    const Matchers& matchers, int64_t mint_ns, int64_t maxt_ns,
    Direction direction, size_t limit,
    std::span<const std::string> required_substrings) const {
  std::vector<std::vector<uint32_t>> required;
  for (const std::string& f : required_substrings) {
    std::vector<uint32_t> keys = RequiredKeys(f);
    if (!keys.empty()) required.push_back(std::move(keys));
  }
  std::vector<Candidate> cands;
  SelectStats stats;
  std::shared_lock lock(s_->mu);
  // Selected streams: id -> labels (copied: an iterator outlives the lock).
  std::map<uint32_t, std::shared_ptr<const Labels>> selected;
  for (const auto& [id, st] : s_->streams) {
    if (Overlaps(*st, mint_ns, maxt_ns) && MatchesAll(matchers, st->labels)) {
      selected.emplace(id, std::make_shared<const Labels>(st->labels));
    }
  }
  // Tie-break order: by stream labels, then block position (arrival).
  std::map<uint32_t, uint64_t> rank;
  {
    std::vector<std::pair<const Labels*, uint32_t>> v;
    for (const auto& [id, l] : selected) v.push_back({l.get(), id});
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return CompareLabels(*a.first, *b.first) < 0;
    });
    for (size_t i = 0; i < v.size(); ++i) rank[v[i].second] = i;
  }
  uint64_t pos = 0;
  auto order = [&](uint32_t id) { return (rank[id] << 40) | pos++; };
  if (!selected.empty()) {
    for (const Segment& seg : s_->segments) {
      if (!seg.has_data || seg.mint > maxt_ns || seg.maxt < mint_ns) {
        for (const BlockRef& b : seg.blocks) {
          if (selected.count(b.stream_id)) {
            ++stats.blocks_considered;
            ++stats.skipped_by_time;
          }
        }
        continue;
      }
      for (const BlockRef& b : seg.blocks) {
        auto it = selected.find(b.stream_id);
        if (it == selected.end()) continue;
        ++stats.blocks_considered;
        if (b.mint > maxt_ns || b.maxt < mint_ns) {
          ++stats.skipped_by_time;
          continue;
        }
        bool may = true;
        for (const auto& keys : required) {
          may = may && BloomMayContainAll(b.bloom, keys);
        }
        if (!may) {
          ++stats.skipped_by_bloom;
          continue;
        }
        Candidate c;
        c.file = seg.file;
        c.ref = b;
        c.ref.bloom.clear();
        c.labels = it->second;
        c.order = order(b.stream_id);
        cands.push_back(std::move(c));
      }
    }
    // Open (committed, not yet blocked) lines, newest of each stream.
    for (const auto& [id, labels] : selected) {
      const StreamState& st = *s_->streams.at(id);
      Candidate c;
      c.labels = labels;
      for (size_t i = 0; i < st.open.size(); ++i) {
        const int64_t t = st.open.ts[i];
        if (t < mint_ns || t > maxt_ns) continue;
        if (c.open.size() == 0) c.ref.mint = c.ref.maxt = t;
        c.ref.mint = std::min(c.ref.mint, t);
        c.ref.maxt = std::max(c.ref.maxt, t);
        c.open.Add(t, st.open.line(i));
      }
      if (c.open.size() == 0) continue;
      c.order = order(id) + (uint64_t{1} << 39);  // After the blocks.
      cands.push_back(std::move(c));
    }
  }
  lock.unlock();
  return std::unique_ptr<LogIterator>(
      new MergeIterator(std::move(cands), mint_ns, maxt_ns,
                        direction == Direction::kForward, limit, stats));
}

std::vector<std::string> LogStore::LabelNames(int64_t mint_ns,
                                              int64_t maxt_ns) const {
  std::set<std::string> names;
  std::shared_lock lock(s_->mu);
  for (const auto& [id, st] : s_->streams) {
    if (!Overlaps(*st, mint_ns, maxt_ns)) continue;
    for (const Label& l : st->labels) names.insert(l.name);
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> LogStore::LabelValues(std::string_view name,
                                               const Matchers& matchers,
                                               int64_t mint_ns,
                                               int64_t maxt_ns) const {
  std::set<std::string> values;
  std::shared_lock lock(s_->mu);
  for (const auto& [id, st] : s_->streams) {
    if (!Overlaps(*st, mint_ns, maxt_ns) || !MatchesAll(matchers, st->labels)) {
      continue;
    }
    const std::string_view v = GetLabel(st->labels, name);
    if (!v.empty()) values.emplace(v);
  }
  return {values.begin(), values.end()};
}

std::vector<Labels> LogStore::Streams(const Matchers& matchers, int64_t mint_ns,
                                      int64_t maxt_ns) const {
  std::vector<Labels> out;
  {
    std::shared_lock lock(s_->mu);
    for (const auto& [id, st] : s_->streams) {
      if (Overlaps(*st, mint_ns, maxt_ns) && MatchesAll(matchers, st->labels)) {
        out.push_back(st->labels);
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Labels& a, const Labels& b) {
    return CompareLabels(a, b) < 0;
  });
  return out;
}

}  // namespace tend::logs
