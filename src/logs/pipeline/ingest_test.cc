#include "logs/pipeline/ingest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logs/store/log_store_test_util.h"

namespace tend::logs {
namespace {

struct Stored {
  Labels labels;
  int64_t t;
  std::string line;
};

std::vector<Stored> ReadAll(const LogStore& store) {
  std::vector<Stored> out;
  auto it = store.Select({}, 0, INT64_MAX, Direction::kForward, 0, {});
  EXPECT_TRUE(it.ok());
  if (!it.ok()) return out;
  while ((*it)->Next()) {
    out.push_back({(*it)->labels(), (*it)->t(), std::string((*it)->line())});
  }
  EXPECT_TRUE((*it)->status().ok());
  return out;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogStoreOptions o;
    o.fsync = LogFsync::kNever;
    auto s = LogStore::Open(dir_.path(), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  TempDir dir_;
  std::unique_ptr<LogStore> store_;
};

TEST_F(IngestTest, ParsesAndLabelsSyslogLines) {
  IngestConfig c;
  c.source = "auth";
  c.hostname = "thishost";
  c.origin_label = "filename";
  c.zone = TimeZone::Utc();
  c.reference_time_ns = 1'700'000'000'000'000'000;  // 2023-11-14.
  auto ingest = SourceIngest::Create(c, store_.get(), nullptr, nullptr);
  ASSERT_TRUE(ingest.ok());
  SourceEntry e;
  e.receive_time_ns = 1'700'000'000'000'000'000;
  e.origin = "/var/log/auth.log";
  e.line = "Nov 14 10:00:01 web1 sshd[42]: Accepted publickey for root";
  (*ingest)->Add(e);
  e.line = "a line no parser knows";
  (*ingest)->Add(e);
  ASSERT_TRUE((*ingest)->TakeError().ok());
  ASSERT_TRUE(store_->Commit().ok());
  std::vector<Stored> all = ReadAll(*store_);
  ASSERT_EQ(all.size(), 2u);
  // Sorted by time: the unparsed line has the receive time (later).
  EXPECT_EQ(LabelsToString(all[0].labels),
            "{app=\"sshd\", filename=\"/var/log/auth.log\", host=\"web1\", "
            "source=\"auth\"}");
  EXPECT_EQ(all[0].line,
            "Nov 14 10:00:01 web1 sshd[42]: Accepted publickey for root");
  EXPECT_EQ(all[0].t, 1'699'956'001'000'000'000);
  EXPECT_EQ(LabelsToString(all[1].labels),
            "{filename=\"/var/log/auth.log\", host=\"thishost\", "
            "source=\"auth\"}");
  EXPECT_EQ(all[1].t, e.receive_time_ns);
  EXPECT_EQ((*ingest)->stats().records, 2u);
  EXPECT_EQ((*ingest)->stats().parse_errors, 1u);
}

TEST_F(IngestTest, PromotesFieldsToLabelsAndUsesSourceRecords) {
  IngestConfig c;
  c.source = "api";
  c.hostname = "h";
  c.parser.kind = ParserKind::kLogfmt;
  c.label_fields = {"level", "service.name", "app", "missing"};
  auto ingest = SourceIngest::Create(c, store_.get(), nullptr, nullptr);
  ASSERT_TRUE(ingest.ok());
  SourceEntry e;
  e.receive_time_ns = 5;
  e.line = "level=warn service.name=billing app=payments msg=hi";
  (*ingest)->Add(e);
  LogRecord rec;
  rec.time_ns = 7;
  rec.app = "cron";
  rec.host = "other";
  rec.message = "job done";
  e.line = "job done";
  e.record = &rec;
  (*ingest)->Add(e);
  ASSERT_TRUE(store_->Commit().ok());
  std::vector<Stored> all = ReadAll(*store_);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(LabelsToString(all[0].labels),
            "{app=\"payments\", host=\"h\", level=\"warn\", "
            "service_name=\"billing\", "
            "source=\"api\"}");
  EXPECT_EQ(all[0].t, 5);
  EXPECT_EQ(LabelsToString(all[1].labels),
            "{app=\"cron\", host=\"other\", source=\"api\"}");
  EXPECT_EQ(all[1].t, 7);
}

TEST_F(IngestTest, CutsOverlongLinesAtUtf8Boundaries) {
  IngestConfig c;
  c.source = "s";
  c.hostname = "h";
  c.max_line_bytes = 10;
  auto ingest = SourceIngest::Create(c, store_.get(), nullptr, nullptr);
  ASSERT_TRUE(ingest.ok());
  SourceEntry e;
  e.receive_time_ns = 1;
  e.line = "abcdefghi\xC3\xA9xyz";  // 'é' spans bytes 9..10.
  (*ingest)->Add(e);
  ASSERT_TRUE(store_->Commit().ok());
  std::vector<Stored> all = ReadAll(*store_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].line, "abcdefghi");
  EXPECT_EQ((*ingest)->stats().cut, 1u);
  EXPECT_EQ(CutAtUtf8Boundary("ab\xE2\x82\xAC", 4), "ab");
  EXPECT_EQ(CutAtUtf8Boundary("abc", 3), "abc");
  EXPECT_EQ(SanitizeLabelName("9a-b.c"), "_9a_b_c");
}

}  // namespace
}  // namespace tend::logs
