#include "logs/pipeline/log_pipeline.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "logs/pipeline/checkpoints.h"
#include "logs/store/log_store_test_util.h"

namespace tend::logs {
namespace {

// A source of numbered lines "line N". Its checkpoint is the next N. The
// test makes lines available with Produce(); Poll hands them out in order,
// at most `max_bytes` per call.
class CountingSource : public LogSource {
 public:
  explicit CountingSource(std::string name) : name_(std::move(name)) {
    fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  }
  ~CountingSource() override { close(fd_); }
  const std::string& name() const override { return name_; }
  Status Restore(std::string_view cp) override {
    restored_ = std::string(cp);
    next_ = cp.empty() ? 0 : std::stoull(std::string(cp));
    return Status::Ok();
  }
  void Produce(uint64_t up_to) {
    available_.store(up_to);
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(fd_, &one, sizeof(one));
  }
  Result<size_t> Poll(EntrySink& sink, size_t max_bytes) override {
    uint64_t v;
    [[maybe_unused]] ssize_t n = read(fd_, &v, sizeof(v));
    size_t handed = 0, bytes = 0;
    uint64_t limit = available_.load();
    while (next_ < limit && bytes < max_bytes) {
      std::string line = "line " + std::to_string(next_);
      SourceEntry e;
      e.line = line;
      e.receive_time_ns = 1000 + static_cast<int64_t>(next_);
      sink.Add(e);
      ++next_;
      ++handed;
      bytes += line.size();
      stats_.entries++;
    }
    return handed;
  }
  std::string Checkpoint() const override { return std::to_string(next_); }
  int wait_fd() const override { return fd_; }
  SourceStats stats() const override { return stats_; }

  std::string restored_;

 private:
  std::string name_;
  int fd_;
  std::atomic<uint64_t> available_{0};
  uint64_t next_ = 0;
  SourceStats stats_;
};

struct Fixture {
  explicit Fixture(const std::string& dir) {
    LogStoreOptions o;
    o.fsync = LogFsync::kNever;
    store = std::move(*LogStore::Open(dir, o));
  }
  // Builds a pipeline over two counting sources; returns raw pointers.
  std::unique_ptr<LogPipeline> Build(CountingSource** a, CountingSource** b,
                                     LogPipelineOptions o = {}) {
    std::vector<PipelineSource> sources;
    for (const char* name : {"a", "b"}) {
      auto src = std::make_unique<CountingSource>(name);
      (name[0] == 'a' ? *a : *b) = src.get();
      IngestConfig c;
      c.source = name;
      c.hostname = "h";
      c.parser.kind = ParserKind::kRaw;
      sources.push_back(
          {std::move(src),
           std::move(*SourceIngest::Create(c, store.get(), nullptr, nullptr))});
    }
    auto p = LogPipeline::Create(store.get(), std::move(sources), o);
    EXPECT_TRUE(p.ok());
    return std::move(*p);
  }
  std::unique_ptr<LogStore> store;
};

size_t CountLines(const LogStore& store, const std::string& source) {
  Matchers m = {LabelMatcher::Equal("source", source)};
  auto it = store.Select(m, 0, INT64_MAX, Direction::kForward, 0, {});
  size_t n = 0;
  int64_t prev = -1;
  while ((*it)->Next()) {
    EXPECT_EQ((*it)->line(), "line " + std::to_string(n));
    EXPECT_GT((*it)->t(), prev);
    prev = (*it)->t();
    ++n;
  }
  return n;
}

TEST(LogPipelineTest, StoresEveryLineAndCheckpointsEverySource) {
  TempDir dir;
  Fixture f(dir.path());
  CountingSource *a, *b;
  auto p = f.Build(&a, &b);
  ASSERT_TRUE(p->Start().ok());
  EXPECT_EQ(a->restored_, "");
  a->Produce(5000);
  b->Produce(3);
  // Wait until the commit shows everything (bounded: 10 s).
  for (int i = 0; i < 1000; ++i) {
    PipelineStats st = p->stats();
    if (st.sources.size() == 2 && st.sources[0].ingest.records == 5000 &&
        st.sources[1].ingest.records == 3 && st.commits > 0 &&
        f.store->last_checkpoint().find("4:5000") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(CountLines(*f.store, "a"), 5000u);
  EXPECT_EQ(CountLines(*f.store, "b"), 3u);
  ASSERT_TRUE(p->Stop().ok());
  Result<SourceCheckpoints> cps = DecodeCheckpoints(f.store->last_checkpoint());
  ASSERT_TRUE(cps.ok());
  EXPECT_EQ(cps->at("a"), "5000");
  EXPECT_EQ(cps->at("b"), "3");
  MetricSet m;
  p->Collect(&m);
  ASSERT_NE(m.Find("tend_logs_records_stored_total"), nullptr);
  EXPECT_EQ(m.Find("tend_logs_records_stored_total")->samples.size(), 2u);
  EXPECT_EQ(m.Find("tend_logs_last_commit_successful")->samples[0].value, 1);
}

TEST(LogPipelineTest, RestartResumesFromTheCommittedCheckpoint) {
  TempDir dir;
  {
    Fixture f(dir.path());
    CountingSource *a, *b;
    auto p = f.Build(&a, &b);
    ASSERT_TRUE(p->Start().ok());
    a->Produce(100);
    ASSERT_TRUE(p->Stop().ok());  // The last round and commit run on stop.
    EXPECT_EQ(CountLines(*f.store, "a"), 100u);
  }
  Fixture f(dir.path());
  CountingSource *a, *b;
  auto p = f.Build(&a, &b);
  ASSERT_TRUE(p->Start().ok());
  EXPECT_EQ(a->restored_, "100");
  EXPECT_EQ(b->restored_, "0");
  a->Produce(150);
  ASSERT_TRUE(p->Stop().ok());
  // Lines 0..149 exactly once each, in order (CountLines checks both).
  EXPECT_EQ(CountLines(*f.store, "a"), 150u);
}

TEST(LogPipelineTest, DuplicateSourceNamesAreRefused) {
  TempDir dir;
  Fixture f(dir.path());
  std::vector<PipelineSource> sources;
  for (int i = 0; i < 2; ++i) {
    IngestConfig c;
    c.source = "same";
    sources.push_back(
        {std::make_unique<CountingSource>("same"),
         std::move(*SourceIngest::Create(c, f.store.get(), nullptr, nullptr))});
  }
  auto p = LogPipeline::Create(f.store.get(), std::move(sources), {});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("\"same\" is used twice"),
            std::string::npos);
}

}  // namespace
}  // namespace tend::logs
