#include "agent/store_writer.h"

#include <gtest/gtest.h>

#include "model/point.h"

namespace tend {
namespace {

// Every point of the series with these canonical labels.
std::vector<Point> PointsOf(Head* head, const Labels& labels) {
  auto q = head->NewQuerier(0, 1'000'000);
  EXPECT_TRUE(q.ok());
  Matchers m;
  for (const Label& l : labels)
    m.push_back(LabelMatcher::Equal(l.name, l.value));
  auto set = (*q)->Select(0, 1'000'000, m);
  std::vector<Point> out;
  while (set->Next()) {
    if (set->labels() == labels) {
      EXPECT_TRUE(set->ReadPoints(0, 1'000'000, &out).ok());
    }
  }
  return out;
}

TEST(StoreWriterTest, StoresCyclesAndMarksVanishedSeriesStaleOnce) {
  auto head = Head::Open(HeadOptions{});
  ASSERT_TRUE(head.ok());
  StoreWriter w(head->get());
  MetricSet a;
  a.Gauge("g", "G.", 1, {{"dev", "sda"}});
  a.Gauge("g", "G.", 2, {{"dev", "sdb"}});
  a.Counter("c_total", "C.", 5);
  StoreWriteResult r1 = w.Write(a, 1000);
  ASSERT_TRUE(r1.status.ok());
  EXPECT_EQ(r1.appended, 3u);

  MetricSet b;  // sdb disappeared.
  b.Gauge("g", "G.", 3, {{"dev", "sda"}});
  b.Counter("c_total", "C.", 6);
  StoreWriteResult r2 = w.Write(b, 2000);
  EXPECT_EQ(r2.stale_markers, 1u);
  StoreWriteResult r3 = w.Write(b, 3000);
  EXPECT_EQ(r3.stale_markers, 0u);  // Marked once only.

  auto sda = PointsOf(head->get(), {{"__name__", "g"}, {"dev", "sda"}});
  ASSERT_EQ(sda.size(), 3u);
  EXPECT_EQ(sda[1], (Point{2000, 3}));
  auto sdb = PointsOf(head->get(), {{"__name__", "g"}, {"dev", "sdb"}});
  ASSERT_EQ(sdb.size(), 2u);
  EXPECT_EQ(sdb[0], (Point{1000, 2}));
  EXPECT_EQ(sdb[1].t, 2000);
  EXPECT_TRUE(IsStaleNaN(sdb[1].v));
  EXPECT_EQ(w.tracked_series(), 2u);
}

TEST(StoreWriterTest, RefusedSamplesAreCountedNotFatal) {
  HeadOptions o;
  o.max_series = 2;
  auto head = Head::Open(o);
  ASSERT_TRUE(head.ok());
  StoreWriter w(head->get());
  MetricSet a;
  for (int i = 0; i < 5; ++i) a.Gauge("g", "G.", i, {{"i", std::to_string(i)}});
  StoreWriteResult r = w.Write(a, 1000);
  EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(r.appended, 2u);
  EXPECT_EQ(r.rejected, 3u);
  EXPECT_EQ((*head)->stats().num_series, 2u);
}

}  // namespace
}  // namespace tend
