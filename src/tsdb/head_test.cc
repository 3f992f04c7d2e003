#include "tsdb/head.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "tsdb/head_series.h"
#include "tsdb/head_test_util.h"
#include "tsdb/xor_chunk.h"

namespace tend {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Head> OpenMem(HeadOptions o = {}) {
  auto h = Head::Open(std::move(o));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return std::move(h).value();
}

TEST(Head, SamplesBecomeVisibleAtCommit) {
  auto head = OpenMem();
  auto app = head->NewAppender();
  auto ref = app->Append(0, L({{"__name__", "up"}, {"job", "a"}}), 1000, 1);
  ASSERT_TRUE(ref.ok());
  EXPECT_NE(*ref, 0u);
  EXPECT_TRUE(Query(head.get(), {}).empty());
  EXPECT_EQ(head->stats().num_series, 0u);
  ASSERT_TRUE(app->Commit().ok());
  auto got = Query(head.get(), {});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels, L({{"__name__", "up"}, {"job", "a"}}));
  EXPECT_THAT(got[0].points, ::testing::ElementsAre(Point{1000, 1}));
  HeadStats st = head->stats();
  EXPECT_EQ(st.num_series, 1u);
  EXPECT_EQ(st.num_samples, 1u);
  EXPECT_EQ(st.samples_appended, 1u);
  EXPECT_EQ(st.min_time, 1000);
  EXPECT_EQ(st.max_time, 1000);
}

TEST(Head, RollbackDropsTheBatch) {
  auto head = OpenMem();
  auto app = head->NewAppender();
  ASSERT_TRUE(app->Append(0, L({{"a", "1"}}), 1, 1).ok());
  app->Rollback();
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(Query(head.get(), {}).empty());
  EXPECT_EQ(head->stats().num_series, 0u);
  // Destroying an appender with a pending batch rolls back too.
  {
    auto a2 = head->NewAppender();
    ASSERT_TRUE(a2->Append(0, L({{"a", "1"}}), 1, 1).ok());
  }
  EXPECT_TRUE(head->Truncate(0).ok());  // No batch open any more.
  EXPECT_TRUE(Query(head.get(), {}).empty());
}

TEST(Head, RefHintAndLabelLookupAgree) {
  auto head = OpenMem();
  auto app = head->NewAppender();
  const Labels l = L({{"__name__", "m"}, {"k", "v"}});
  SeriesRef r1 = *app->Append(0, l, 1, 1);
  // Within the batch, the pending ref (not yet committed) resolves by labels.
  EXPECT_EQ(*app->Append(r1, l, 2, 2), r1);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(*app->Append(r1, l, 3, 3), r1);
  EXPECT_EQ(*app->Append(0, l, 4, 4), r1);
  // A stale ref falls back to the labels.
  EXPECT_EQ(*app->Append(987654, l, 5, 5), r1);
  ASSERT_TRUE(app->Commit().ok());
  auto got = Query(head.get(), {});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].points.size(), 5u);
}

TEST(Head, LabelsAreCanonicalizedAndValidated) {
  auto head = OpenMem();
  auto app = head->NewAppender();
  SeriesRef a =
      *app->Append(0, L({{"z", "1"}, {"__name__", "m"}, {"e", ""}}), 1, 1);
  SeriesRef b = *app->Append(0, L({{"__name__", "m"}, {"z", "1"}}), 2, 1);
  EXPECT_EQ(a, b);
  auto bad = app->Append(0, L({{"__name__", "bad-name"}}), 1, 1);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("bad-name"));
  EXPECT_EQ(app->Append(0, L({{"1abc", "x"}}), 1, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(app->Append(0, L({{"a", ""}}), 1, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(app->Append(0, {}, 1, 1).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(app->Commit().ok());
  auto got = Query(head.get(), {});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].labels, L({{"__name__", "m"}, {"z", "1"}}));
}

TEST(Head, OutOfOrderAndDuplicateRules) {
  auto head = OpenMem();
  auto app = head->NewAppender();
  const Labels l = L({{"__name__", "m"}});
  SeriesRef r = *app->Append(0, l, 100, 1.0);
  // Within the batch.
  EXPECT_EQ(app->Append(r, l, 50, 1.0).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_TRUE(app->Append(r, l, 100, 1.0).ok());  // Silent duplicate.
  EXPECT_EQ(app->Append(r, l, 100, 2.0).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(app->Commit().ok());
  // Across batches, against the committed last sample.
  EXPECT_EQ(app->Append(r, l, 99, 1.0).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_TRUE(app->Append(r, l, 100, 1.0).ok());
  EXPECT_EQ(app->Append(r, l, 100, 3.0).status().code(),
            StatusCode::kAlreadyExists);
  // NaN duplicates compare by bits: the same NaN twice is a duplicate, a
  // stale marker after a plain NaN is a different value.
  EXPECT_TRUE(app->Append(r, l, 200, std::nan("")).ok());
  EXPECT_TRUE(app->Append(r, l, 200, std::nan("")).ok());
  EXPECT_EQ(app->Append(r, l, 200, StaleNaN()).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(app->Commit().ok());
  auto got = Query(head.get(), {});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].points.size(), 2u);
  EXPECT_EQ(got[0].points[0], (Point{100, 1.0}));
  EXPECT_EQ(got[0].points[1].t, 200);
  EXPECT_TRUE(std::isnan(got[0].points[1].v));
  HeadStats st = head->stats();
  EXPECT_EQ(st.out_of_order_rejections, 2u);
  EXPECT_EQ(st.duplicate_rejections, 3u);
}

TEST(Head, StaleMarkersAreStoredBitExactly) {
  auto head = OpenMem();
  auto app = head->NewAppender();
  const Labels l = L({{"__name__", "m"}});
  const double payload = std::bit_cast<double>(uint64_t{0x7ff800000000abcd});
  ASSERT_TRUE(app->Append(0, l, 1, 5).ok());
  ASSERT_TRUE(app->Append(0, l, 2, StaleNaN()).ok());
  ASSERT_TRUE(app->Append(0, l, 3, payload).ok());
  ASSERT_TRUE(app->Append(0, l, 4, -0.0).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto got = Query(head.get(), {});
  ASSERT_EQ(got[0].points.size(), 4u);
  EXPECT_TRUE(IsStaleNaN(got[0].points[1].v));
  EXPECT_EQ(std::bit_cast<uint64_t>(got[0].points[2].v),
            std::bit_cast<uint64_t>(payload));
  EXPECT_TRUE(std::signbit(got[0].points[3].v));
}

TEST(Head, CardinalityLimit) {
  FakeClock clock;
  HeadOptions o;
  o.max_series = 3;
  o.clock = &clock;
  auto head = OpenMem(o);
  std::vector<std::string> warnings;
  std::mutex mu;
  SetLogSinkForTesting([&](std::string_view line) {
    std::lock_guard lock(mu);
    if (line.find("series limit") != std::string_view::npos) {
      warnings.emplace_back(line);
    }
  });
  auto app = head->NewAppender();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(app->Append(0, L({{"i", std::to_string(i)}}), 1, 1).ok());
  }
  // Pending new series count against the limit before Commit.
  auto r = app->Append(0, L({{"i", "3"}}), 1, 1);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(app->Commit().ok());
  const size_t bytes_at_limit = head->stats().bytes;
  for (int i = 4; i < 1000; ++i) {
    EXPECT_EQ(
        app->Append(0, L({{"i", std::to_string(i)}}), 2, 1).status().code(),
        StatusCode::kResourceExhausted);
  }
  // Existing series still take samples.
  EXPECT_TRUE(app->Append(0, L({{"i", "0"}}), 2, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  HeadStats st = head->stats();
  EXPECT_EQ(st.num_series, 3u);
  EXPECT_EQ(st.series_limit_rejections, 997u);
  // Rejected series leave nothing behind (the one extra sample may grow a
  // chunk by a few bytes).
  EXPECT_LE(st.bytes, bytes_at_limit + 64);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(warnings.size(), 1u);
  }
  clock.Advance(61 * kNanosPerSecond);
  EXPECT_FALSE(app->Append(0, L({{"i", "x"}}), 3, 1).ok());
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(warnings.size(), 2u);
  }
  SetLogSinkForTesting(nullptr);
}

TEST(Head, ChunksAreCutBySizeAndAtRangeBoundaries) {
  HeadOptions o;
  o.samples_per_chunk = 100;
  o.chunk_range_ms = 1000 * 1000;
  auto head = OpenMem(o);
  auto app = head->NewAppender();
  const Labels l = L({{"a", "b"}});
  // 250 samples at 1 s within one range window: 100 + 100 + 50.
  for (int i = 0; i < 250; ++i)
    ASSERT_TRUE(app->Append(0, l, i * 1000, i).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head->stats().num_chunks, 3u);
  // The next sample crosses the 1000 s boundary: a new chunk although the
  // open one has room.
  ASSERT_TRUE(app->Append(0, l, 1000 * 1000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head->stats().num_chunks, 4u);
  auto got = Query(head.get(), {});
  EXPECT_EQ(got[0].points.size(), 251u);

  // Negative timestamps floor to their window too.
  auto h2 = OpenMem(o);
  auto a2 = h2->NewAppender();
  ASSERT_TRUE(a2->Append(0, l, -1500, 1).ok());
  ASSERT_TRUE(a2->Append(0, l, -1, 1).ok());
  ASSERT_TRUE(a2->Append(0, l, 0, 1).ok());
  ASSERT_TRUE(a2->Commit().ok());
  EXPECT_EQ(h2->stats().num_chunks, 2u);
  EXPECT_EQ(ChunkWindowEnd(-1, 1000), 0);
  EXPECT_EQ(ChunkWindowEnd(-1000, 1000), 0);
  EXPECT_EQ(ChunkWindowEnd(0, 1000), 1000);
  EXPECT_EQ(ChunkWindowEnd(INT64_MAX, 1000), INT64_MAX);
}

TEST(Head, OptionsAreValidated) {
  HeadOptions o;
  o.samples_per_chunk = 0;
  EXPECT_EQ(Head::Open(o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.chunk_range_ms = 0;
  EXPECT_EQ(Head::Open(o).status().code(), StatusCode::kInvalidArgument);
  o = {};
  o.max_series = 0;
  EXPECT_EQ(Head::Open(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(Head, TruncateDropsOldChunksAndEmptySeries) {
  HeadOptions o;
  o.samples_per_chunk = 10;
  auto head = OpenMem(o);
  auto app = head->NewAppender();
  // "old" has samples 0..99 s; "new" 0..199 s; "late" only 150..199 s.
  for (int i = 0; i < 200; ++i) {
    if (i < 100) {
      ASSERT_TRUE(app->Append(0, L({{"s", "old"}}), i * 1000, i).ok());
    }
    ASSERT_TRUE(app->Append(0, L({{"s", "new"}}), i * 1000, i).ok());
    if (i >= 150) {
      ASSERT_TRUE(app->Append(0, L({{"s", "late"}}), i * 1000, i).ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head->stats().num_series, 3u);
  // A querier opened before the truncation keeps its series alive.
  auto q = head->NewQuerier(INT64_MIN, INT64_MAX);
  ASSERT_TRUE(q.ok());
  auto before = (*q)->Select(INT64_MIN, INT64_MAX, {});

  ASSERT_TRUE(head->Truncate(125 * 1000).ok());
  HeadStats st = head->stats();
  EXPECT_EQ(st.num_series, 2u);
  // Chunks entirely before 125 s go; the chunk holding 120..129 s stays.
  EXPECT_EQ(st.min_time, 120 * 1000);
  auto got = Query(head.get(), {});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].labels, L({{"s", "late"}}));
  EXPECT_EQ(got[1].labels, L({{"s", "new"}}));
  EXPECT_EQ(got[1].points.front().t, 120 * 1000);
  EXPECT_EQ(got[1].points.size(), 80u);
  auto q2 = head->NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_THAT(*(*q2)->LabelValues("s", {}),
              ::testing::ElementsAre("late", "new"));

  // The old querier still iterates; the removed series reads empty.
  int n = 0;
  while (before->Next()) {
    std::vector<Point> pts;
    EXPECT_TRUE(before->ReadPoints(INT64_MIN, INT64_MAX, &pts).ok());
    if (before->labels() == L({{"s", "old"}})) {
      EXPECT_TRUE(pts.empty());
    }
    ++n;
  }
  EXPECT_EQ(n, 3);

  // Samples before the truncation point are now rejected; the removed
  // series can come back with newer samples.
  EXPECT_EQ(app->Append(0, L({{"s", "old"}}), 124 * 1000, 1).status().code(),
            StatusCode::kOutOfRange);
  ASSERT_TRUE(app->Append(0, L({{"s", "old"}}), 300 * 1000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(Query(head.get(), {}).size(), 3u);

  // Truncate refuses while a batch is open.
  ASSERT_TRUE(app->Append(0, L({{"s", "old"}}), 301 * 1000, 1).ok());
  EXPECT_EQ(head->Truncate(0).code(), StatusCode::kFailedPrecondition);
  app->Rollback();
  // Truncating everything empties the head and frees its symbols.
  ASSERT_TRUE(head->Truncate(1'000'000).ok());
  st = head->stats();
  EXPECT_EQ(st.num_series, 0u);
  EXPECT_EQ(st.num_samples, 0u);
  auto q3 = head->NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_TRUE((*q3)->LabelNames({})->empty());
}

// Removing many series (every third, then the rest in two steps) keeps
// lookups by ref and by labels, postings and counts consistent.
TEST(Head, TruncateManySeriesKeepsLookupsConsistent) {
  auto head = OpenMem();
  constexpr int kSeries = 3000;
  auto app = head->NewAppender();
  std::vector<SeriesRef> refs(kSeries);
  auto labels = [](int i) {
    return L({{"__name__", "m"}, {"i", std::to_string(i)}});
  };
  for (int i = 0; i < kSeries; ++i) {
    auto r = app->Append(0, labels(i), 1000, i);
    ASSERT_TRUE(r.ok());
    refs[i] = *r;
  }
  ASSERT_TRUE(app->Commit().ok());
  // Series i % 3 != 0 get a later sample; the others are truncated away.
  for (int i = 0; i < kSeries; ++i) {
    if (i % 3 != 0) {
      ASSERT_TRUE(app->Append(refs[i], {}, 5000, i).ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(head->Truncate(2000).ok());
  EXPECT_EQ(head->stats().num_series, static_cast<size_t>(kSeries * 2 / 3));
  for (int i = 0; i < kSeries; ++i) {
    // By labels: live series resolve to their ref, removed ones get a new
    // ref.
    auto r = app->Append(0, labels(i), 6000, i);
    ASSERT_TRUE(r.ok());
    if (i % 3 != 0) {
      EXPECT_EQ(*r, refs[i]) << i;
    } else {
      EXPECT_GT(*r, refs[kSeries - 1]) << i;
    }
  }
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head->stats().num_series, static_cast<size_t>(kSeries));
  auto got =
      Query(head.get(),
            {*LabelMatcher::Create(LabelMatcher::Type::kEqual, "i", "42")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_THAT(got[0].points, ::testing::ElementsAre(Point{6000, 42}));
  ASSERT_TRUE(head->Truncate(5500).ok());
  EXPECT_EQ(head->stats().num_series, static_cast<size_t>(kSeries));
  ASSERT_TRUE(head->Truncate(7000).ok());
  HeadStats st = head->stats();
  EXPECT_EQ(st.num_series, 0u);
  EXPECT_TRUE(Query(head.get(), {}).empty());
}

// Appends kSamples cycles of 10k series (10 s apart, from a 2 h boundary)
// with the labels of a node_exporter target and values from value(i).
template <typename ValueFn>
void FillNodeLike(Head* head, int num_series, int num_samples, ValueFn value,
                  std::vector<Labels>* labels, std::vector<double>* last) {
  std::vector<SeriesRef> refs(num_series, 0);
  for (int i = 0; i < num_series; ++i) {
    labels->push_back(L({{"__name__", "node_metric_" + std::to_string(i % 200)},
                         {"cpu", std::to_string(i % 50)},
                         {"instance", "host-1:9100"},
                         {"job", "node"},
                         {"mode", "m" + std::to_string(i / 200)}}));
  }
  last->assign(num_series, 0);
  auto app = head->NewAppender();
  const int64_t t0 = 1'764'086'400'000;  // A 2 h boundary.
  for (int s = 0; s < num_samples; ++s) {
    for (int i = 0; i < num_series; ++i) {
      (*last)[i] = value(i);
      auto r = app->Append(refs[i], (*labels)[i], t0 + s * 10'000, (*last)[i]);
      ASSERT_TRUE(r.ok());
      refs[i] = *r;
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

// 10k series x 1020 samples (2 h 50 min at 10 s; the head holds up to 3 h
// before a block is cut) of node_exporter-like data (NodeLikeValues, ~1.4
// bytes per sample in XOR chunks), with closed chunks in files as the Db
// configures the head: the heap holds the series objects, 8 bytes per
// closed chunk, the open chunk (half full here) and the index, within the
// 1 KiB per series target. The data must read back exactly.
TEST(Head, MemoryPerSeries) {
  TempDir dir;
  HeadOptions o;
  o.chunks_dir = dir.path() + "/chunks_head";
  auto head = OpenMem(o);
  constexpr int kSeries = 10000;
  constexpr int kSamples = 1020;
  NodeLikeValues values(kSeries);
  std::vector<Labels> labels;
  std::vector<double> last;
  FillNodeLike(
      head.get(), kSeries, kSamples, [&](int i) { return values.Next(i); },
      &labels, &last);
  if (HasFatalFailure()) return;
  HeadStats st = head->stats();
  EXPECT_EQ(st.num_series, static_cast<size_t>(kSeries));
  EXPECT_EQ(st.num_samples, static_cast<size_t>(kSeries) * kSamples);
  EXPECT_EQ(st.num_chunks, static_cast<size_t>(kSeries) * 9);
  const double per_series = static_cast<double>(st.bytes) / kSeries;
  const double disk_per_sample =
      static_cast<double>(st.chunk_disk_bytes) / (kSeries * 960.0);
  std::printf(
      "head heap bytes per series: %.0f (open chunks %.0f); closed chunks in "
      "%zu files, %.2f B per sample\n",
      per_series, static_cast<double>(st.chunk_bytes) / kSeries, st.chunk_files,
      disk_per_sample);
  EXPECT_LE(per_series, 1024);
  // The closed chunks (960 samples per series) really are in the files.
  EXPECT_GT(disk_per_sample, 1.0);
  EXPECT_GE(st.chunk_files, 1u);
  EXPECT_EQ(st.chunk_write_errors, 0u);

  // Every series reads back whole with its last value (spot check a
  // stride).
  const int64_t t_last = 1'764'086'400'000 + (kSamples - 1) * 10'000;
  for (int i = 0; i < kSeries; i += 97) {
    auto got = Query(head.get(),
                     {*LabelMatcher::Create(LabelMatcher::Type::kEqual,
                                            "__name__", labels[i][0].value),
                      *LabelMatcher::Create(LabelMatcher::Type::kEqual, "mode",
                                            labels[i][4].value)});
    ASSERT_EQ(got.size(), 1u) << i;
    ASSERT_EQ(got[0].points.size(), static_cast<size_t>(kSamples));
    EXPECT_EQ(got[0].points.back().t, t_last);
    EXPECT_EQ(std::bit_cast<uint64_t>(got[0].points.back().v),
              std::bit_cast<uint64_t>(last[i]));
  }

  // Truncation drops the older chunks (a file goes once all its chunks
  // have: HeadChunksTest covers that).
  ASSERT_TRUE(head->Truncate(1'764'086'400'000 + 7'200'000).ok());
  HeadStats after = head->stats();
  EXPECT_EQ(after.num_samples, static_cast<size_t>(kSeries) * 300);
  EXPECT_LT(after.bytes, st.bytes);
}

// Without a chunk directory (read-only opens, tools) closed chunks stay on
// the heap, and the estimate counts them: more than the ~1.4 bytes per
// sample they encode to, plus at most 400 bytes of bookkeeping per series
// (~255 for the series, and per closed chunk its 8-byte reference and the
// malloc overhead of its own allocation).
TEST(Head, MemoryPerSeriesChunksOnHeap) {
  auto head = OpenMem();
  constexpr int kSeries = 2000;
  constexpr int kSamples = 720;
  NodeLikeValues values(kSeries);
  std::vector<Labels> labels;
  std::vector<double> last;
  FillNodeLike(
      head.get(), kSeries, kSamples, [&](int i) { return values.Next(i); },
      &labels, &last);
  if (HasFatalFailure()) return;
  HeadStats st = head->stats();
  EXPECT_EQ(st.num_samples, static_cast<size_t>(kSeries) * kSamples);
  EXPECT_EQ(st.chunk_files, 0u);
  const double per_series = static_cast<double>(st.bytes) / kSeries;
  const double chunk_per_series = static_cast<double>(st.chunk_bytes) / kSeries;
  std::printf("chunks on heap: bytes per series %.0f, of which chunks %.0f\n",
              per_series, chunk_per_series);
  EXPECT_GT(chunk_per_series, 1.0 * kSamples);
  EXPECT_LE(per_series - chunk_per_series, 400);
}

// A lighter mix whose chunks take ~1 B per sample: half constants, a
// quarter integer counters with steps below 64, a quarter page-granular
// gauges that move every fourth scrape; with closed chunks in files.
TEST(Head, MemoryPerSeriesLightMix) {
  TempDir dir;
  HeadOptions o;
  o.chunks_dir = dir.path() + "/chunks_head";
  auto head = OpenMem(o);
  constexpr int kSeries = 10000;
  constexpr int kSamples = 780;
  std::mt19937_64 rng(7);
  std::vector<double> value(kSeries, 0);
  auto next = [&](int i) {
    switch (i % 4) {
      case 0:
      case 1:
        value[i] = 1.6e10;
        break;
      case 2:
        value[i] += static_cast<double>(rng() % 64);
        break;
      default:
        if (rng() % 4 == 0) value[i] = static_cast<double>(rng() % 4096) * 4096;
    }
    return value[i];
  };
  std::vector<Labels> labels;
  std::vector<double> last;
  FillNodeLike(head.get(), kSeries, kSamples, next, &labels, &last);
  if (HasFatalFailure()) return;
  HeadStats st = head->stats();
  EXPECT_EQ(st.num_samples, static_cast<size_t>(kSeries) * kSamples);
  const double per_series = static_cast<double>(st.bytes) / kSeries;
  std::printf("light mix: head heap bytes per series: %.0f\n", per_series);
  EXPECT_LE(per_series, 1024);
  EXPECT_GT(st.chunk_disk_bytes, static_cast<uint64_t>(kSeries) * 720 / 2);
}

// MemSeries encodes its open chunk itself; the bytes must be exactly what
// XorChunk produces for the same samples (the format blocks and the WAL's
// chunk records use), for every shape of timestamp and value.
TEST(Head, SeriesChunksMatchXorChunk) {
  std::mt19937_64 rng(11);
  const double specials[] = {0.0,
                             -0.0,
                             1.5,
                             StaleNaN(),
                             std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(),
                             -1e300,
                             1e-300};
  TempDir dir;
  auto opened = HeadChunkStore::Open(dir.path() + "/chunks", 1 << 16);
  ASSERT_TRUE(opened.ok());
  std::unique_ptr<HeadChunkStore> store = std::move(*opened);
  for (int round = 0; round < 20; ++round) {
    // Odd rounds close chunks into files, even ones onto the heap.
    ChunkPolicy policy{static_cast<size_t>(1 + rng() % 130),
                       round % 2 == 0 ? int64_t{7'200'000} : int64_t{50'000},
                       round % 2 == 1 ? store.get() : nullptr};
    MemSeries* s = MemSeries::Create(1, 0, {});
    std::vector<XorChunk> want(1);
    int64_t t = round % 3 == 0 ? -5'000'000 : 1'764'086'400'000;
    int64_t window_end = 0;
    double v = 100;
    for (int i = 0; i < 1000; ++i) {
      switch (rng() % 5) {
        case 0:
          t += 10'000;
          break;
        case 1:
          t += 1 + static_cast<int64_t>(rng() % 20'000);
          break;
        case 2:
          t += static_cast<int64_t>(rng() % (int64_t{1} << 40)) + 1;
          break;
        default:
          t += 10'000 + static_cast<int64_t>(rng() % 3);
      }
      switch (rng() % 4) {
        case 0:
          break;
        case 1:
          v += static_cast<double>(rng() % 100);
          break;
        case 2:
          v = specials[rng() % 8];
          break;
        default:
          v = std::bit_cast<double>(rng());
      }
      if (want.back().num_samples() > 0 &&
          (want.back().num_samples() >= policy.samples_per_chunk ||
           t >= window_end)) {
        want.emplace_back();
      }
      if (want.back().num_samples() == 0) {
        window_end = ChunkWindowEnd(t, policy.range_ms);
      }
      ASSERT_TRUE(want.back().Append(t, v).ok());
      s->Append(t, v, policy);
    }
    ChunkCopy got;
    s->CopyChunks(policy.store, INT64_MIN, INT64_MAX, &got);
    ASSERT_EQ(got.spans.size(), want.size()) << round;
    EXPECT_EQ(s->num_chunks(), want.size());
    EXPECT_EQ(s->num_samples(), 1000u);
    for (size_t c = 0; c < want.size(); ++c) {
      const auto [offset, size] = got.spans[c];
      std::vector<uint8_t> bytes(got.bytes.begin() + offset,
                                 got.bytes.begin() + offset + size);
      ASSERT_EQ(bytes, want[c].bytes()) << "round " << round << " chunk " << c;
    }
    EXPECT_EQ(s->max_time(), t);
    s->Unref();
  }
}

// One writer commits a batch per "cycle" (every series gets t = cycle * 1000,
// v = cycle) while readers query. Readers must see, per series, exactly the
// samples of cycles 0..k for some k (no gaps, no torn values), a series
// count that never shrinks, and k never going backwards between queries.
TEST(Head, ConcurrentWriterAndReaders) {
  HeadOptions o;
  o.samples_per_chunk = 16;  // Many chunk cuts while readers copy.
  auto head = OpenMem(o);
  constexpr int kSeries = 200;
  constexpr int kCycles = 400;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    auto app = head->NewAppender();
    std::vector<SeriesRef> refs(kSeries, 0);
    for (int c = 0; c < kCycles; ++c) {
      for (int i = 0; i < kSeries; ++i) {
        auto r = app->Append(refs[i],
                             L({{"__name__", "m"}, {"i", std::to_string(i)}}),
                             c * 1000, c);
        if (!r.ok()) ++failures;
        refs[i] = r.value_or(0);
      }
      if (!app->Commit().ok()) ++failures;
    }
    done = true;
  });
  auto reader = [&](int id) {
    size_t last_series = 0;
    std::vector<int> last_k(kSeries, -1);
    int rounds = 0;
    while (!done || rounds < 3) {
      ++rounds;
      Matchers m;
      if (id % 2 == 1) {
        m.push_back(
            *LabelMatcher::Create(LabelMatcher::Type::kRegexMatch, "i", "1.*"));
      }
      auto q = head->NewQuerier(INT64_MIN, INT64_MAX);
      auto set = (*q)->Select(INT64_MIN, INT64_MAX, m);
      size_t n = 0;
      std::vector<Point> pts;
      while (set->Next()) {
        ++n;
        pts.clear();
        if (!set->ReadPoints(INT64_MIN, INT64_MAX, &pts).ok()) ++failures;
        for (size_t j = 0; j < pts.size(); ++j) {
          if (pts[j].t != static_cast<int64_t>(j) * 1000 ||
              pts[j].v != static_cast<double>(j)) {
            ++failures;
            break;
          }
        }
        const int i = std::stoi(std::string(GetLabel(set->labels(), "i")));
        const int k = static_cast<int>(pts.size()) - 1;
        if (k < last_k[i]) ++failures;
        last_k[i] = k;
      }
      if (id % 2 == 0 && n < last_series) ++failures;
      last_series = std::max(last_series, n);
    }
    if (id % 2 == 0 && last_series != kSeries) ++failures;
  };
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) readers.emplace_back(reader, r);
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = Query(head.get(), {});
  ASSERT_EQ(all.size(), static_cast<size_t>(kSeries));
  for (const auto& s : all) EXPECT_EQ(s.points.size(), size_t{kCycles});
}

}  // namespace
}  // namespace tend
