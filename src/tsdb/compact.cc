#include "tsdb/compact.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "base/log.h"
#include "tsdb/block.h"
#include "tsdb/block_io.h"
#include "tsdb/block_writer.h"

namespace tend {
namespace {

struct Input {
  std::unique_ptr<Block> block;
  std::unique_ptr<Querier> querier;
  std::unique_ptr<SeriesSet> set;
  bool has = false;
};

// Merges per-input sample lists (inputs ordered oldest to newest) into one
// time-ordered list, keeping the newest input's sample on equal times.
void MergePoints(std::vector<std::vector<Point>>& lists,
                 const std::vector<size_t>& which, std::vector<Point>* out) {
  out->clear();
  if (which.size() == 1) {
    out->swap(lists[which[0]]);
    return;
  }
  struct Tagged {
    Point p;
    size_t rank;
  };
  std::vector<Tagged> all;
  for (size_t w : which) {
    for (const Point& p : lists[w]) all.push_back(Tagged{p, w});
  }
  std::stable_sort(
      all.begin(), all.end(), [](const Tagged& a, const Tagged& b) {
        return a.p.t < b.p.t || (a.p.t == b.p.t && a.rank > b.rank);
      });
  for (const Tagged& t : all) {
    if (out->empty() || out->back().t != t.p.t) out->push_back(t.p);
  }
}

}  // namespace

Result<BlockMeta> CompactBlocks(const std::string& db_dir,
                                std::span<const std::string> block_dirs) {
  if (block_dirs.empty()) {
    return InvalidArgumentError("compaction needs at least one block");
  }
  std::vector<Input> inputs(block_dirs.size());
  for (size_t i = 0; i < block_dirs.size(); ++i) {
    ASSIGN_OR_RETURN(inputs[i].block, Block::Open(block_dirs[i]));
  }
  // Oldest id first, so a higher index means a newer block.
  std::sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) {
    return a.block->meta().ulid < b.block->meta().ulid;
  });
  BlockWriterOptions options;
  int64_t mint = INT64_MAX, maxt = INT64_MIN;
  for (Input& in : inputs) {
    const BlockMeta& m = in.block->meta();
    mint = std::min(mint, m.min_time);
    maxt = std::max(maxt, m.max_time);
    options.level = std::max(options.level, m.level + 1);
    options.sources.insert(options.sources.end(), m.sources.begin(),
                           m.sources.end());
  }
  for (Input& in : inputs) {
    ASSIGN_OR_RETURN(in.querier, in.block->NewQuerier(mint, maxt - 1));
    in.set = in.querier->Select(mint, maxt - 1, {});
    in.has = in.set->Next();
    RETURN_IF_ERROR(in.set->status());
  }
  ASSIGN_OR_RETURN(auto writer,
                   BlockWriter::Create(db_dir, mint, maxt, options));
  std::vector<std::vector<Point>> lists(inputs.size());
  std::vector<size_t> which;
  std::vector<Point> merged;
  Labels current;
  while (true) {
    // The smallest labels among the inputs' current series.
    const Labels* min = nullptr;
    for (const Input& in : inputs) {
      if (in.has &&
          (min == nullptr || CompareLabels(in.set->labels(), *min) < 0)) {
        min = &in.set->labels();
      }
    }
    if (min == nullptr) break;
    current = *min;
    which.clear();
    for (size_t i = 0; i < inputs.size(); ++i) {
      Input& in = inputs[i];
      if (!in.has || CompareLabels(in.set->labels(), current) != 0) continue;
      lists[i].clear();
      RETURN_IF_ERROR(in.set->ReadPoints(mint, maxt - 1, &lists[i]));
      which.push_back(i);
      in.has = in.set->Next();
      RETURN_IF_ERROR(in.set->status());
    }
    MergePoints(lists, which, &merged);
    RETURN_IF_ERROR(writer->AddSeries(current, merged));
  }
  return writer->Finish();
}

std::vector<std::string> FindCoveredBlocks(std::span<const BlockMeta> metas) {
  std::vector<std::string> covered;
  for (const BlockMeta& a : metas) {
    for (const BlockMeta& b : metas) {
      if (&a == &b || a.ulid == b.ulid) continue;
      const bool subset = std::includes(b.sources.begin(), b.sources.end(),
                                        a.sources.begin(), a.sources.end());
      if (subset &&
          (b.sources.size() > a.sources.size() || b.level > a.level)) {
        covered.push_back(a.dir);
        break;
      }
    }
  }
  std::sort(covered.begin(), covered.end());
  return covered;
}

Result<std::vector<BlockMeta>> ListBlocks(const std::string& db_dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirSorted(db_dir));
  std::vector<BlockMeta> metas;
  for (const std::string& name : names) {
    if (!IsValidUlid(name)) continue;
    Result<BlockMeta> m = ReadBlockMeta(JoinPath(db_dir, name));
    if (!m.ok()) {
      LogWarn("block: skipping unreadable block",
              {{"dir", JoinPath(db_dir, name)}, {"err", m.status()}});
      continue;
    }
    metas.push_back(std::move(*m));
  }
  std::sort(metas.begin(), metas.end(),
            [](const BlockMeta& a, const BlockMeta& b) {
              return a.min_time < b.min_time ||
                     (a.min_time == b.min_time && a.ulid < b.ulid);
            });
  return metas;
}

Result<std::vector<std::string>> RemoveCoveredBlocks(
    const std::string& db_dir) {
  ASSIGN_OR_RETURN(std::vector<BlockMeta> metas, ListBlocks(db_dir));
  std::vector<std::string> covered = FindCoveredBlocks(metas);
  for (const std::string& dir : covered) {
    LogInfo("block: deleting block covered by a compacted block",
            {{"dir", dir}});
    RETURN_IF_ERROR(RemoveAll(dir));
  }
  if (!covered.empty()) RETURN_IF_ERROR(SyncDir(db_dir));
  return covered;
}

std::vector<int64_t> CompactionRanges(int64_t retention_ms) {
  std::vector<int64_t> ranges = {kTwoHoursMs, 3 * kTwoHoursMs};
  while (ranges.back() <= INT64_MAX / 3 &&
         ranges.back() * 3 <= retention_ms / 10) {
    ranges.push_back(ranges.back() * 3);
  }
  return ranges;
}

std::vector<std::vector<std::string>> PlanCompaction(
    std::span<const BlockMeta> metas, std::span<const int64_t> ranges) {
  std::vector<const BlockMeta*> sorted;
  for (const BlockMeta& m : metas) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [](const BlockMeta* a, const BlockMeta* b) {
              return a->min_time < b->min_time ||
                     (a->min_time == b->min_time && a->ulid < b->ulid);
            });
  std::vector<std::vector<std::string>> plans;

  // 1. Overlapping groups.
  std::vector<std::string> group;
  int64_t group_max = INT64_MIN;
  bool overlapped = false;
  for (const BlockMeta* m : sorted) {
    if (!group.empty() && m->min_time < group_max) {
      group.push_back(m->dir);
      group_max = std::max(group_max, m->max_time);
      overlapped = true;
      continue;
    }
    if (overlapped) plans.push_back(group);
    group = {m->dir};
    group_max = m->max_time;
    overlapped = false;
  }
  if (overlapped) plans.push_back(group);
  if (!plans.empty() || sorted.size() < 2 || ranges.size() < 2) return plans;

  // 2. Leveled: leave out the newest block.
  const int64_t newest_min = sorted.back()->min_time;
  sorted.pop_back();
  for (size_t r = 1; r < ranges.size(); ++r) {
    const int64_t range = ranges[r];
    if (range <= 0) continue;
    // Aligned windows, in time order (sorted by minTime already).
    std::map<int64_t, std::vector<const BlockMeta*>> windows;
    for (const BlockMeta* m : sorted) {
      int64_t start = m->min_time / range * range;
      if (m->min_time < 0 && m->min_time % range != 0) start -= range;
      if (m->max_time - start > range) continue;  // Does not fit.
      windows[start].push_back(m);
    }
    for (const auto& [start, blocks] : windows) {
      if (blocks.size() < 2) continue;
      const int64_t mint = blocks.front()->min_time;
      int64_t maxt = INT64_MIN;
      for (const BlockMeta* b : blocks) maxt = std::max(maxt, b->max_time);
      if (maxt - mint == range || maxt <= newest_min) {
        std::vector<std::string> dirs;
        for (const BlockMeta* b : blocks) dirs.push_back(b->dir);
        plans.push_back(std::move(dirs));
      }
    }
    if (!plans.empty()) return plans;
  }
  return plans;
}

Result<std::vector<std::string>> BlocksBeyondRetention(
    std::span<const BlockMeta> metas, int64_t now_ms, int64_t retention_ms,
    int64_t max_bytes) {
  std::vector<const BlockMeta*> sorted;
  for (const BlockMeta& m : metas) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [](const BlockMeta* a, const BlockMeta* b) {
              return a->min_time < b->min_time ||
                     (a->min_time == b->min_time && a->ulid < b->ulid);
            });
  std::vector<bool> drop(sorted.size(), false);
  if (retention_ms > 0) {
    const int64_t limit = now_ms - retention_ms;
    for (size_t i = 0; i < sorted.size(); ++i) {
      drop[i] = sorted[i]->max_time < limit;
    }
  }
  if (max_bytes > 0) {
    uint64_t total = 0;
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (!drop[i]) total += sorted[i]->size_bytes;
    }
    for (size_t i = 0;
         i < sorted.size() && total > static_cast<uint64_t>(max_bytes); ++i) {
      if (drop[i]) continue;
      drop[i] = true;
      total -= sorted[i]->size_bytes;
    }
  }
  std::vector<std::string> doomed;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (drop[i]) doomed.push_back(sorted[i]->dir);
  }
  return doomed;
}

}  // namespace tend
