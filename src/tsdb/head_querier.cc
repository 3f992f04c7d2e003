// The head's read side: Querier and SeriesSet over the in-memory series.
//
// Select resolves matchers to postings and copies the matching series'
// labels (and a reference to the series) under the index lock shared,
// then sorts them; ReadPoints copies the overlapping chunk bytes under the
// series' stripe lock and decodes them after releasing it, so readers hold
// a lock for a memcpy only and never see a chunk mid-append.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tsdb/head.h"

namespace tend {

Postings::List Head::PostingsForMatchers(const Matchers& matchers) const {
  Postings::List result;
  bool have = false;
  std::vector<Postings::List> subtract;
  std::vector<const Postings::List*> lists;
  for (const LabelMatcher& m : matchers) {
    const std::optional<uint32_t> name = symbols_.Find(m.name());
    const auto* values = name ? postings_.Values(*name) : nullptr;
    lists.clear();
    if (!m.MatchesEmpty()) {
      // Only series carrying the label with a matching value qualify.
      if (values != nullptr) {
        if (m.type() == LabelMatcher::Type::kEqual) {
          const std::optional<uint32_t> value = symbols_.Find(m.value());
          const Postings::List* l =
              value ? postings_.Get(*name, *value) : nullptr;
          if (l != nullptr) lists.push_back(l);
        } else {
          for (const auto& [value, list] : *values) {
            if (m.Matches(symbols_.Get(value))) lists.push_back(&list);
          }
        }
      }
      Postings::List matched = Union(lists);
      result = have ? Intersect(result, matched) : std::move(matched);
      have = true;
      if (result.empty()) return result;
    } else {
      // Series without the label match; remove those whose value fails.
      if (values == nullptr) continue;
      for (const auto& [value, list] : *values) {
        if (!m.Matches(symbols_.Get(value))) lists.push_back(&list);
      }
      if (!lists.empty()) subtract.push_back(Union(lists));
    }
  }
  if (!have) result = postings_.all();
  for (const Postings::List& s : subtract) result = Subtract(result, s);
  return result;
}

namespace {

struct Entry {
  Labels labels;
  SeriesPtr series;
};

}  // namespace

class HeadSeriesSet : public SeriesSet {
 public:
  HeadSeriesSet(const Head* head, std::vector<Entry> entries, int64_t mint,
                int64_t maxt)
      : head_(head), entries_(std::move(entries)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (pos_ >= entries_.size()) return false;
    if (started_) ++pos_;
    started_ = true;
    return pos_ < entries_.size();
  }
  const Labels& labels() const override { return entries_[pos_].labels; }

  Status ReadPoints(int64_t mint, int64_t maxt,
                    std::vector<Point>* out) override {
    if (!started_ || pos_ >= entries_.size()) {
      return FailedPreconditionError("ReadPoints called without a series");
    }
    mint = std::max(mint, mint_);
    maxt = std::min(maxt, maxt_);
    if (mint > maxt) return Status::Ok();
    const MemSeries& s = *entries_[pos_].series;
    copy_.clear();
    {
      std::lock_guard lock(head_->Stripe(s.ref()));
      s.CopyChunks(head_->chunks_.get(), mint, maxt, &copy_);
    }
    for (const auto& [offset, size] : copy_.spans) {
      XorIterator it(std::span(copy_.bytes).subspan(offset, size));
      while (it.Next()) {
        if (it.t() < mint) continue;
        if (it.t() > maxt) break;
        out->push_back(Point{it.t(), it.v()});
      }
      if (!it.status().ok()) {
        return it.status().WithContext("head series " +
                                       LabelsToString(labels()));
      }
    }
    return Status::Ok();
  }

  Status status() const override { return Status::Ok(); }

 private:
  const Head* head_;
  std::vector<Entry> entries_;
  const int64_t mint_;
  const int64_t maxt_;
  size_t pos_ = 0;
  bool started_ = false;
  ChunkCopy copy_;
};

class HeadQuerier : public Querier {
 public:
  HeadQuerier(Head* head, int64_t mint, int64_t maxt)
      : head_(head), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(int64_t mint, int64_t maxt,
                                    const Matchers& matchers) override {
    mint = std::max(mint, mint_);
    maxt = std::min(maxt, maxt_);
    std::vector<Entry> entries;
    if (mint <= maxt) {
      std::shared_lock lock(head_->index_mu_);
      for (Postings::Ref ref : head_->PostingsForMatchers(matchers)) {
        MemSeries* s = head_->by_ref_.FindRef(ref);
        if (s == nullptr) continue;
        bool in_range;
        {
          std::lock_guard stripe(head_->Stripe(ref));
          in_range = s->HasSampleIn(head_->chunks_.get(), mint, maxt);
        }
        if (in_range) {
          entries.push_back(Entry{head_->SeriesLabels(*s), SeriesPtr(s)});
        }
      }
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) {
                return CompareLabels(a.labels, b.labels) < 0;
              });
    return std::make_unique<HeadSeriesSet>(head_, std::move(entries), mint,
                                           maxt);
  }

  Result<std::vector<std::string>> LabelNames(
      const Matchers& matchers) override {
    std::set<std::string> names;
    ForEachSeries(matchers, [&](const Head& h, const MemSeries& s) {
      std::span<const uint32_t> syms = s.label_syms();
      for (size_t i = 0; i < syms.size(); i += 2) {
        names.insert(h.symbols_.Get(syms[i]));
      }
    });
    return std::vector<std::string>(names.begin(), names.end());
  }

  Result<std::vector<std::string>> LabelValues(
      std::string_view name, const Matchers& matchers) override {
    std::set<std::string> values;
    ForEachSeries(matchers, [&](const Head& h, const MemSeries& s) {
      std::span<const uint32_t> syms = s.label_syms();
      for (size_t i = 0; i < syms.size(); i += 2) {
        if (h.symbols_.Get(syms[i]) == name) {
          values.insert(h.symbols_.Get(syms[i + 1]));
          break;
        }
      }
    });
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  // Calls fn(head, series) under the index lock for every series matching
  // `matchers` with a sample in the querier's range.
  template <typename Fn>
  void ForEachSeries(const Matchers& matchers, Fn fn) {
    if (mint_ > maxt_) return;
    std::shared_lock lock(head_->index_mu_);
    for (Postings::Ref ref : head_->PostingsForMatchers(matchers)) {
      const MemSeries* s = head_->by_ref_.FindRef(ref);
      if (s == nullptr) continue;
      bool in_range;
      {
        std::lock_guard stripe(head_->Stripe(ref));
        in_range = s->HasSampleIn(head_->chunks_.get(), mint_, maxt_);
      }
      if (in_range) fn(*head_, *s);
    }
  }

  Head* head_;
  const int64_t mint_;
  const int64_t maxt_;
};

Result<std::unique_ptr<Querier>> Head::NewQuerier(int64_t mint, int64_t maxt) {
  return std::unique_ptr<Querier>(new HeadQuerier(this, mint, maxt));
}

}  // namespace tend
