// Fault tests of the metric store on the live agent:
//
// 1. kill -9 at random moments while the agent ingests, cuts blocks and
//    compacts: no acknowledged sample is lost and `tend tsdb verify` finds
//    no damaged block (nor WAL damage other than a torn last record).
// 2. A WAL segment with flipped bytes, or a torn tail: the agent repairs
//    it as docs/formats/wal.md describes (truncates at the damage, logs a
//    warning), serves every sample logged before the damage, none after,
//    and keeps ingesting.
// 3. A full disk (a private tmpfs): the agent keeps running, reports the
//    failure in /metrics and its log, and stores again once space returns.
//
// What "acknowledged" means: with storage.wal_fsync: 0s the agent opens the
// store with WalFsync::kAlways, and Head::Appender::Commit writes the
// batch with WalWriter::LogBatch, which fdatasyncs it, before it makes the
// batch visible. So a sample that a query returns has been fsynced, and is
// recorded here as acknowledged. (kill -9 keeps the page cache, so these
// tests check the write order and the recovery code, not the fsyncs; a
// power cut would be needed for that.)
//
// Randomness (kill times) comes from TEND_FAULTS_SEED when set, else from
// std::random_device; the seed is printed, and every assertion must hold
// for every timing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "base/env.h"
#include "harness.h"
#include "store_faults_util.h"
#include "tsdb/db.h"
#include "tsdb/wal.h"

namespace tend::testing {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int kKills = 20;
// Generous: a loaded 2-core machine running sanitizer builds.
constexpr int kStartTimeoutMs = 30'000;
constexpr int kStateTimeoutMs = 30'000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SleepMs(int64_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

std::string ReadText(const std::string& path) {
  std::string out;
  if (!Env::Default()->ReadFile(path, &out).ok()) return "";
  return out;
}

// A data dir that agents are started on, stopped, killed and restarted.
class StoreFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/data";
    config_ = dir_.path() + "/tend.yml";
    ASSERT_EQ(::mkdir(data_.c_str(), 0750), 0);
  }

  void TearDown() override {
    if (HasFailure()) {
      std::fprintf(stderr, "--- log of the last agent ---\n%s\n",
                   LastLog().c_str());
    }
  }

  // The shortest collection interval the schema accepts, and the
  // strictest WAL setting (0s: fsync every commit); the process collector
  // is off only to keep sanitizer builds fast.
  void WriteConfig(const std::string& storage_extra) {
    ASSERT_TRUE(WriteWholeFile(config_,
                               "agent:\n"
                               "  interval: 100ms\n"
                               "storage:\n"
                               "  wal_fsync: 0s\n" +
                                   storage_extra +
                                   "collectors:\n"
                                   "  processes:\n"
                                   "    enabled: false\n"));
  }

  // Starts an agent on a fresh port, its output in agent-N.log. `prefix`
  // runs it through another command (nsenter).
  void Start(const std::vector<std::string>& prefix = {}) {
    addr_ = "127.0.0.1:" + std::to_string(FreePort());
    logs_.push_back(dir_.path() + "/agent-" + std::to_string(logs_.size()) +
                    ".log");
    std::vector<std::string> argv = prefix;
    for (const std::string& a :
         {Tend(), std::string("agent"), std::string("--config"), config_,
          std::string("--data-dir"), data_, std::string("--listen"), addr_}) {
      argv.push_back(a);
    }
    agent_ = std::make_unique<ChildProcess>();
    start_ms_ = NowMs();
    ASSERT_TRUE(agent_->Start(argv, logs_.back()).ok());
  }

  void WaitReady() {
    ASSERT_TRUE(WaitForHttp200(addr_, "/-/ready", kStartTimeoutMs))
        << "the agent did not become ready";
  }

  // Waits until the agent of the last Start() has stored `n` cycles.
  void WaitStoredCycles(int n) {
    ASSERT_TRUE(PollUntil(kStateTimeoutMs,
                          [&] {
                            Result<SampleSet> s = QueryMatrix(
                                addr_, "tend_collection_cycles_total[1h]");
                            if (!s.ok() || s->size() != 1) return false;
                            int fresh = 0;
                            for (const auto& [t, v] : s->begin()->second)
                              fresh += t >= start_ms_;
                            return fresh >= n;
                          }))
        << "the agent did not store " << n << " cycles";
  }

  Result<double> Metric(const std::string& name) {
    ASSIGN_OR_RETURN(std::string text, Get(addr_, "/metrics"));
    return MetricValue(text, name);
  }

  void Kill9() {
    ASSERT_TRUE(agent_->Running()) << "the agent died on its own";
    const int st = agent_->SignalAndWait(SIGKILL, 10'000);
    ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
        << "wait status " << st;
  }

  void Stop() {
    ASSERT_TRUE(agent_->Running()) << "the agent died on its own";
    const int st = agent_->SignalAndWait(SIGTERM, kStartTimeoutMs);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
        << "SIGTERM: wait status " << st;
  }

  // `tend tsdb verify` on the stopped store: exit 0, or the report.
  void VerifyStore(const std::vector<std::string>& prefix = {}) {
    std::vector<std::string> argv = prefix;
    for (const std::string& a :
         {Tend(), std::string("tsdb"), std::string("verify"),
          std::string("--data-dir"), data_}) {
      argv.push_back(a);
    }
    SubprocessResult r = Exec(argv);
    ASSERT_EQ(r.exit_code, 0) << r.stdout_data << r.stderr_data;
    verify_output_ = r.stdout_data;
  }

  // Every sample of `want` is served by the running agent for `selector`.
  void ExpectServed(const SampleSet& want, const std::string& selector) {
    Result<SampleSet> have = QueryMatrix(addr_, selector);
    ASSERT_TRUE(have.ok()) << have.status().ToString();
    size_t missing = 0;
    std::vector<std::string> lines = Missing(want, *have, 10, &missing);
    std::string shown;
    for (const std::string& l : lines) shown += "\n  " + l;
    ASSERT_EQ(missing, 0u) << missing << " of " << CountSamples(want)
                           << " acknowledged samples are not served:" << shown;
  }

  std::string LastLog() const {
    return logs_.empty() ? "" : ReadText(logs_.back());
  }
  std::string AllLogs() const {
    std::string all;
    for (const std::string& l : logs_) all += ReadText(l);
    return all;
  }

  TempDir dir_;
  std::string data_;
  std::string config_;
  std::string addr_;
  std::unique_ptr<ChildProcess> agent_;
  std::vector<std::string> logs_;
  std::string verify_output_;
  int64_t start_ms_ = 0;  // When the last Start() began.
};

// ---------------------------------------------------------------------------
// 1. kill -9

// The series the kill test follows: its seeds and a few of the agent's own.
const char kKillSelector[] =
    "{__name__=~\"faults_.+|node_load1|node_memory_MemFree_bytes|"
    "tend_collection_cycles_total|tend_start_time_seconds\"}[1d]";

uint64_t FaultsSeed() {
  const char* s = std::getenv("TEND_FAULTS_SEED");
  if (s != nullptr && *s != '\0') return std::strtoull(s, nullptr, 10);
  return (static_cast<uint64_t>(std::random_device()()) << 32) |
         std::random_device()();
}

class KillNineTest : public StoreFaultsTest {
 protected:
  // Ten minutes of history for the head (100 series at 2 s), written
  // through the store's own API with a commit that fsyncs: the first
  // agents find nine blocks' worth to cut (each cut also truncates the
  // head and checkpoints the WAL), and the first kills land among them.
  void SeedHead(int64_t now_ms, SampleSet* expected) {
    DbOptions o;
    o.block_duration_ms = kMinuteMs;
    o.wal_fsync = WalFsync::kAlways;
    Result<std::unique_ptr<Db>> db = Db::Open(data_ + "/tsdb", o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto app = (*db)->head()->NewAppender();
    const int64_t start = (now_ms - 10 * kMinuteMs) / 1000 * 1000;
    for (int n = 0; n < 100; ++n) {
      Labels ls = {{"__name__", "faults_head"}, {"n", std::to_string(n)}};
      SeriesRef ref = 0;
      for (int k = 0; k < 295; ++k) {
        const int64_t t = start + k * 2000;
        const double v = n * 1000 + k;
        Result<SeriesRef> r = app->Append(ref, ls, t, v);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        ref = *r;
        (*expected)[SeriesKey(ls)][t] = v;
      }
    }
    Status st = app->Commit();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // `tend tsdb import` of two 1-minute blocks of old data: one always in
  // the window `base` (it overlaps every earlier import: vertical
  // compaction) and one in the window after the previous import's (the
  // leveled planner merges it with the others: their 6 h window is over).
  void ImportSeed(int i, int64_t base, SampleSet* expected) {
    std::string text = "# TYPE faults_seed gauge\n";
    for (const char* part : {"a", "b"}) {
      const int64_t window = base + (part[0] == 'a' ? 0 : (i + 1) * kMinuteMs);
      for (int n = 0; n < 20; ++n) {
        Labels ls = {{"__name__", "faults_seed"},
                     {"iter", std::to_string(i)},
                     {"n", std::to_string(n)},
                     {"part", part}};
        for (int k = 0; k < 60; ++k) {
          const int64_t t = window + k * 1000;
          const double v = i * 10000 + n * 100 + k;
          char line[160];
          std::snprintf(line, sizeof line,
                        "faults_seed{iter=\"%d\",n=\"%d\",part=\"%s\"} %d "
                        "%lld.000\n",
                        i, n, part, static_cast<int>(v),
                        static_cast<long long>(t / 1000));
          text += line;
          (*expected)[SeriesKey(ls)][t] = v;
        }
      }
    }
    text += "# EOF\n";
    const std::string file = dir_.path() + "/seed.om";
    ASSERT_TRUE(WriteWholeFile(file, text));
    SubprocessResult r = Exec({Tend(), "tsdb", "import", file, "--data-dir",
                               data_, "--block-duration", "1m"});
    ASSERT_EQ(r.exit_code, 0) << r.stdout_data << r.stderr_data;
  }
};

TEST_F(KillNineTest, TwentyKillsLoseNoFsyncedSampleAndDamageNoBlock) {
  const uint64_t seed = FaultsSeed();
  std::printf("TEND_FAULTS_SEED=%llu\n", static_cast<unsigned long long>(seed));
  SCOPED_TRACE("TEND_FAULTS_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t hi) {
    return static_cast<int64_t>(rng() % static_cast<uint64_t>(hi + 1));
  };
  // The smallest block duration the schema accepts, so the head is cut
  // into blocks (and the WAL checkpointed) while the test runs.
  ASSERT_NO_FATAL_FAILURE(WriteConfig("  block_duration: 1m\n"));

  const int64_t now = NowMs();
  SampleSet expected;
  ASSERT_NO_FATAL_FAILURE(SeedHead(now, &expected));
  // Old data, one hour into the 6 h window before the previous one: a
  // window that is over (so the leveled planner compacts in it), far from
  // the head's blocks, well inside the default retention of 15 days.
  const int64_t six_h = 6 * kHourMs;
  const int64_t seed_base = now / six_h * six_h - 2 * six_h + kHourMs;

  int early_kills = 0;
  size_t max_blocks = 0;
  for (int i = 0; i < kKills; ++i) {
    SCOPED_TRACE("kill " + std::to_string(i + 1) + " of " +
                 std::to_string(kKills));
    ASSERT_NO_FATAL_FAILURE(ImportSeed(i, seed_base, &expected));
    ASSERT_NO_FATAL_FAILURE(Start());
    // Two kinds of kill: early ones land in startup (WAL replay and
    // repair, the first housekeeping run: cutting blocks, checkpointing,
    // compacting the new imports); late ones in steady ingestion, after
    // recording what the agent has acknowledged. The first three are
    // early, among the cuts of the seeded history.
    const bool early = i < 3 || (i < kKills - 1 && uniform(4) < 2);
    if (early) {
      ++early_kills;
      SleepMs(uniform(i < 3 ? 1200 : 700));
    } else {
      ASSERT_NO_FATAL_FAILURE(WaitReady());
      ASSERT_NO_FATAL_FAILURE(ExpectServed(expected, kKillSelector));
      SleepMs(uniform(1000));
      Result<SampleSet> acked = QueryMatrix(addr_, kKillSelector);
      ASSERT_TRUE(acked.ok()) << acked.status().ToString();
      Merge(*acked, &expected);
      SleepMs(uniform(150));
    }
    ASSERT_NO_FATAL_FAILURE(Kill9());
    ASSERT_NO_FATAL_FAILURE(VerifyStore());
    max_blocks = std::max(max_blocks, CountLines(verify_output_, "block "));
  }

  // A last clean start: everything is still there, and a clean stop leaves
  // a clean store.
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(WaitReady());
  ASSERT_NO_FATAL_FAILURE(ExpectServed(expected, kKillSelector));
  // verify next to a running agent: blocks checked, the WAL left alone.
  ASSERT_NO_FATAL_FAILURE(VerifyStore());
  EXPECT_NE(verify_output_.find("wal: skipped: an agent owns"),
            std::string::npos)
      << verify_output_;
  ASSERT_NO_FATAL_FAILURE(Stop());
  ASSERT_NO_FATAL_FAILURE(VerifyStore());

  const std::string logs = AllLogs();
  std::printf(
      "%d kills (%d early), %zu acknowledged samples checked, up to %zu "
      "blocks; %zu blocks cut, %zu compactions, %zu WAL repairs logged\n",
      kKills, early_kills, CountSamples(expected), max_blocks,
      CountLines(logs, "persisted a block"),
      CountLines(logs, "compacted blocks"), CountLines(logs, "wal repaired"));
  // The test did exercise what it claims to.
  EXPECT_GE(CountLines(logs, "persisted a block"), 3u);
  EXPECT_GE(CountLines(logs, "compacted blocks"), 2u);
  EXPECT_EQ(CountLines(logs, "skipping a damaged block"), 0u);
  EXPECT_EQ(CountLines(logs, "ERROR"), 0u) << logs;
}

// `tend tsdb verify` itself: a damaged block is named with its file and
// what is wrong; crash leftovers are notes, not damage.
TEST_F(StoreFaultsTest, VerifyNamesTheDamagedBlockAndItsFile) {
  std::string text = "# TYPE faults_v gauge\n";
  for (int k = 0; k < 120; ++k) {
    text += "faults_v{n=\"1\"} " + std::to_string(k * 3) + " " +
            std::to_string(1'699'999'980 + k) + ".000\n";
  }
  text += "# EOF\n";
  const std::string file = dir_.path() + "/v.om";
  ASSERT_TRUE(WriteWholeFile(file, text));
  SubprocessResult imp = Exec({Tend(), "tsdb", "import", file, "--data-dir",
                               data_, "--block-duration", "1m"});
  ASSERT_EQ(imp.exit_code, 0) << imp.stdout_data << imp.stderr_data;
  ASSERT_NO_FATAL_FAILURE(VerifyStore());
  EXPECT_EQ(CountLines(verify_output_, "samples  ok"), 2u) << verify_output_;
  EXPECT_NE(verify_output_.find("blocks: 2 ok, 0 damaged; wal: ok"),
            std::string::npos)
      << verify_output_;

  // A leftover of a crash while writing a block is a note.
  const std::string db = data_ + "/tsdb";
  ASSERT_EQ(::mkdir((db + "/01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp").c_str(), 0750), 0);
  ASSERT_NO_FATAL_FAILURE(VerifyStore());
  EXPECT_NE(verify_output_.find("note: " + db +
                                "/01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp: unfinished "
                                "block"),
            std::string::npos)
      << verify_output_;

  // One flipped byte in the first block's chunks.
  SubprocessResult js =
      Exec({Tend(), "tsdb", "verify", "--data-dir", data_, "-o", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.stdout_data << js.stderr_data;
  auto j = nlohmann::json::parse(js.stdout_data, nullptr, false);
  ASSERT_TRUE(j.is_object()) << js.stdout_data;
  ASSERT_EQ(j["blocks"].size(), 2u) << js.stdout_data;
  const std::string ulid = j["blocks"][0]["ulid"].get<std::string>();
  EXPECT_EQ(j["blocks"][0]["samples"], 60) << js.stdout_data;
  const std::string seg = db + "/" + ulid + "/chunks/000001";
  std::string bytes = ReadText(seg);
  ASSERT_GT(bytes.size(), 12u);
  bytes[10] ^= 0x20;
  ASSERT_TRUE(WriteWholeFile(seg, bytes));
  SubprocessResult bad = Exec({Tend(), "tsdb", "verify", "--data-dir", data_});
  EXPECT_EQ(bad.exit_code, 1) << bad.stdout_data << bad.stderr_data;
  EXPECT_NE(bad.stdout_data.find("block " + ulid + "  DAMAGED: " + seg +
                                 " at offset 8: chunk group checksum "
                                 "mismatch"),
            std::string::npos)
      << bad.stdout_data;
  EXPECT_NE(bad.stdout_data.find("blocks: 1 ok, 1 damaged"), std::string::npos)
      << bad.stdout_data;
  js = Exec({Tend(), "tsdb", "verify", "--data-dir", data_, "-o", "json"});
  EXPECT_EQ(js.exit_code, 1);
  j = nlohmann::json::parse(js.stdout_data, nullptr, false);
  ASSERT_TRUE(j.is_object()) << js.stdout_data;
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["blocks"][0]["ok"], false);
  EXPECT_NE(j["blocks"][0]["error"].get<std::string>().find(seg),
            std::string::npos);

  // Bad usage and a missing store.
  EXPECT_EQ(Exec({Tend(), "tsdb", "verify", "--data-dir", data_, "-o", "yaml"})
                .exit_code,
            2);
  SubprocessResult none =
      Exec({Tend(), "tsdb", "verify", "--data-dir", dir_.path() + "/nothing"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.stderr_data.find("no metric store in " + dir_.path() +
                                  "/nothing/tsdb"),
            std::string::npos)
      << none.stderr_data;
}

// ---------------------------------------------------------------------------
// 2. WAL damage

class WalDamageTest : public StoreFaultsTest {
 protected:
  // Two runs (stopped, then killed), so the WAL has an intact segment
  // before the last one; then the last segment is damaged: three bytes
  // flipped two thirds in, or (torn_tail) its last 5 bytes cut off. Checks
  // the repair, what is served, and that ingestion goes on.
  void Run(bool torn_tail) {
    ASSERT_NO_FATAL_FAILURE(WriteConfig(""));
    ASSERT_NO_FATAL_FAILURE(Start());
    ASSERT_NO_FATAL_FAILURE(WaitReady());
    ASSERT_NO_FATAL_FAILURE(WaitStoredCycles(15));
    ASSERT_NO_FATAL_FAILURE(Stop());
    ASSERT_NO_FATAL_FAILURE(Start());
    ASSERT_NO_FATAL_FAILURE(WaitReady());
    ASSERT_NO_FATAL_FAILURE(WaitStoredCycles(15));
    ASSERT_NO_FATAL_FAILURE(Kill9());

    const std::string wal = data_ + "/tsdb/wal";
    Result<std::vector<int>> segs = ListWalSegments(wal);
    ASSERT_TRUE(segs.ok()) << segs.status().ToString();
    ASSERT_GE(segs->size(), 2u);
    const int last = segs->back();
    char name[16];
    std::snprintf(name, sizeof name, "/%08d", last);
    const std::string path = wal + name;
    int seg = 0;
    uint64_t off = 0;
    Result<SampleSet> all = SamplesInWal(wal, &seg, &off);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_EQ(seg, -1) << "the WAL is damaged before the test damaged it";

    std::string bytes = ReadText(path);
    ASSERT_GT(bytes.size(), 4096u) << path;
    uint64_t damaged_at;
    if (torn_tail) {
      // Cut into the last record, as a crash mid-write would.
      bytes.resize(bytes.size() - 5);
      damaged_at = bytes.size();
    } else {
      // Flip bytes two thirds in: records before and after the damage.
      damaged_at = bytes.size() * 2 / 3;
      for (size_t k = 0; k < 3; ++k) bytes[damaged_at + k] ^= 0x5a;
    }
    ASSERT_TRUE(WriteWholeFile(path, bytes));

    // What a correct repair keeps: everything the reader accepts before
    // the damage.
    Result<SampleSet> kept = SamplesInWal(wal, &seg, &off);
    ASSERT_TRUE(kept.ok()) << kept.status().ToString();
    ASSERT_EQ(seg, last);
    ASSERT_LE(off, damaged_at);
    ASSERT_GT(off, 8u) << "no record before the damage";
    const size_t lost_samples = CountSamples(*all) - CountSamples(*kept);
    ASSERT_GT(lost_samples, 0u);
    std::printf(
        "segment %d of %zu bytes damaged at %llu: %zu samples before the "
        "damage, %zu after\n",
        last, bytes.size(), static_cast<unsigned long long>(off),
        CountSamples(*kept), lost_samples);

    // verify tells the two apart: a torn tail is what a crash leaves.
    SubprocessResult v = Exec({Tend(), "tsdb", "verify", "--data-dir", data_});
    if (torn_tail) {
      EXPECT_EQ(v.exit_code, 0) << v.stdout_data << v.stderr_data;
      EXPECT_NE(v.stdout_data.find("torn record"), std::string::npos)
          << v.stdout_data;
    } else {
      EXPECT_EQ(v.exit_code, 1) << v.stdout_data << v.stderr_data;
      EXPECT_NE(v.stdout_data.find("segment " + std::to_string(last)),
                std::string::npos)
          << v.stdout_data;
      EXPECT_NE(v.stdout_data.find("DAMAGED"), std::string::npos)
          << v.stdout_data;
    }

    ASSERT_NO_FATAL_FAILURE(Start());
    ASSERT_NO_FATAL_FAILURE(WaitReady());
    const std::string log = LastLog();
    EXPECT_EQ(CountLines(log, "wal repaired: damaged tail dropped"), 1u) << log;
    EXPECT_NE(log.find("segment=" + std::to_string(last) +
                       " offset=" + std::to_string(off)),
              std::string::npos)
        << log;
    EXPECT_EQ(FileSize(path), static_cast<int64_t>(off));

    // Nothing before the damage is lost...
    ASSERT_NO_FATAL_FAILURE(ExpectServed(*kept, "{__name__=~\".+\"}[1h]"));
    // ...and nothing from after it was replayed.
    SampleSet lost;
    for (const auto& [series, points] : *all) {
      auto k = kept->find(series);
      for (const auto& [t, v] : points) {
        if (k == kept->end() || k->second.count(t) == 0) lost[series][t] = v;
      }
    }
    Result<SampleSet> served = QueryMatrix(addr_, "{__name__=~\".+\"}[1h]");
    ASSERT_TRUE(served.ok()) << served.status().ToString();
    size_t not_served = 0;
    Missing(lost, *served, 0, &not_served);
    EXPECT_EQ(not_served, CountSamples(lost))
        << "samples from after the damage were replayed";

    // And it goes on storing.
    ASSERT_NO_FATAL_FAILURE(WaitStoredCycles(10));
    Result<double> ok = Metric("tend_tsdb_last_commit_successful");
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    EXPECT_EQ(*ok, 1);
    ASSERT_NO_FATAL_FAILURE(Stop());
    ASSERT_NO_FATAL_FAILURE(VerifyStore());
  }
};

TEST_F(WalDamageTest, FlippedBytesInTheLastSegmentAreCutOff) { Run(false); }

TEST_F(WalDamageTest, TornTailIsCutOff) { Run(true); }

// ---------------------------------------------------------------------------
// 3. Full disk

class FullDiskTest : public StoreFaultsTest {
 protected:
  void TearDown() override {
    StoreFaultsTest::TearDown();
    agent_.reset();  // Before the holder: the agent lives on its mount.
    if (holder_ != nullptr) holder_->SignalAndWait(SIGKILL, 10'000);
  }

  // A process in a new mount namespace holding a 6 MiB tmpfs on data_:
  // invisible to the host, gone when the holder (the namespace's last
  // process) exits. Agents join the namespace with nsenter.
  void MountPrivateTmpfs() {
    const std::string ready = dir_.path() + "/mounted";
    const std::string unshare = Which("unshare");
    const std::string nsenter = Which("nsenter");
    ASSERT_FALSE(unshare.empty() || nsenter.empty())
        << "the full-disk test needs unshare and nsenter (util-linux)";
    holder_ = std::make_unique<ChildProcess>();
    Status started = holder_->Start(
        {unshare, "-m", "--propagation", "private", "sh", "-c",
         "mount -t tmpfs -o size=6m,mode=0750 tend-faults '" + data_ +
             "' && : > '" + ready + "' && exec sleep 600"},
        dir_.path() + "/holder.log");
    ASSERT_TRUE(started.ok()) << started.ToString();
    PollUntil(kStartTimeoutMs,
              [&] { return FileSize(ready) >= 0 || !holder_->Running(); });
    ASSERT_TRUE(FileSize(ready) >= 0 && holder_->Running())
        << "could not mount a private tmpfs with `unshare -m` (needs root "
           "or CAP_SYS_ADMIN and util-linux): "
        << holder_->Log();
    const std::string pid = std::to_string(holder_->pid());
    const std::string inside = ReadText("/proc/" + pid + "/mountinfo");
    ASSERT_NE(inside.find(" " + data_ + " "), std::string::npos) << inside;
    const std::string host = ReadText("/proc/self/mountinfo");
    ASSERT_EQ(host.find(" " + data_ + " "), std::string::npos)
        << "the tmpfs leaked into the host's mount namespace";
    nsenter_ = {nsenter, "-t", pid, "-m", "--"};
    inside_ = "/proc/" + pid + "/root" + data_;
  }

  // Writes a file into the tmpfs until it is full.
  void FillDisk() {
    const std::string path = inside_ + "/filler";
    int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
    std::string block(64 << 10, 'f');
    int err = 0;
    for (size_t chunk : {block.size(), size_t{4096}, size_t{1}}) {
      for (;;) {
        ssize_t w = ::write(fd, block.data(), chunk);
        if (w < 0) {
          err = errno;
          break;
        }
      }
    }
    ::close(fd);
    ASSERT_EQ(err, ENOSPC) << std::strerror(err);
  }

  std::unique_ptr<ChildProcess> holder_;
  std::vector<std::string> nsenter_;
  std::string inside_;  // data_ as the test reaches it.
};

TEST_F(FullDiskTest, AgentSurvivesReportsAndResumes) {
  ASSERT_NO_FATAL_FAILURE(MountPrivateTmpfs());
  ASSERT_NO_FATAL_FAILURE(WriteConfig(""));
  ASSERT_NO_FATAL_FAILURE(Start(nsenter_));
  ASSERT_NO_FATAL_FAILURE(WaitReady());
  ASSERT_NO_FATAL_FAILURE(WaitStoredCycles(10));
  const char kSelector[] =
      "{__name__=~\"node_load1|tend_collection_cycles_total\"}[1h]";
  Result<SampleSet> before = QueryMatrix(addr_, kSelector);
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  ASSERT_NO_FATAL_FAILURE(FillDisk());
  // The failure shows in /metrics and the log, and the agent stays up
  // through several failing cycles.
  ASSERT_TRUE(PollUntil(
      kStateTimeoutMs,
      [&] {
        Result<double> ok = Metric("tend_tsdb_last_commit_successful");
        Result<double> failed = Metric("tend_tsdb_wal_write_failures_total");
        return ok.ok() && *ok == 0 && failed.ok() && *failed >= 5;
      }))
      << "want tend_tsdb_last_commit_successful 0 after at least 5 failed "
         "commits";
  ASSERT_TRUE(agent_->Running()) << "the agent died on a full disk";
  std::string log = LastLog();
  // One line per failure episode, not per cycle. (A batch small enough for
  // the room left in the WAL's last page may still be stored once, which
  // ends the episode and starts another: hence up to 2.)
  const size_t episodes = CountLines(log, "storing the collection failed");
  EXPECT_GE(episodes, 1u) << log;
  EXPECT_LE(episodes, 2u) << log;
  EXPECT_NE(log.find("No space left on device"), std::string::npos) << log;
  // Queries still work, and see everything stored before.
  ASSERT_NO_FATAL_FAILURE(ExpectServed(*before, kSelector));

  // Space returns: commits succeed again and new samples are queryable.
  ASSERT_EQ(::unlink((inside_ + "/filler").c_str()), 0) << std::strerror(errno);
  const int64_t freed_ms = NowMs();
  ASSERT_TRUE(PollUntil(kStateTimeoutMs, [&] {
    Result<double> v = Metric("tend_tsdb_last_commit_successful");
    return v.ok() && *v == 1;
  })) << "commits did not resume";
  ASSERT_TRUE(PollUntil(kStateTimeoutMs, [&] {
    Result<SampleSet> s =
        QueryMatrix(addr_, "tend_collection_cycles_total[1m]");
    if (!s.ok() || s->size() != 1) return false;
    size_t fresh = 0;
    for (const auto& [t, v] : s->begin()->second) fresh += t > freed_ms;
    return fresh >= 5;
  })) << "no new samples after space returned";
  log = LastLog();
  EXPECT_EQ(CountLines(log, "storing the collection works again"),
            CountLines(log, "storing the collection failed"))
      << log;
  Result<SampleSet> after = QueryMatrix(addr_, kSelector);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_NO_FATAL_FAILURE(ExpectServed(*before, kSelector));

  // The WAL the full disk left behind replays cleanly, with everything.
  ASSERT_NO_FATAL_FAILURE(Stop());
  ASSERT_NO_FATAL_FAILURE(VerifyStore(nsenter_));
  ASSERT_NO_FATAL_FAILURE(Start(nsenter_));
  ASSERT_NO_FATAL_FAILURE(WaitReady());
  log = LastLog();
  EXPECT_EQ(log.find("damaged WAL"), std::string::npos) << log;
  EXPECT_EQ(log.find("wal repaired"), std::string::npos) << log;
  ASSERT_NO_FATAL_FAILURE(ExpectServed(*after, kSelector));
  ASSERT_NO_FATAL_FAILURE(Stop());
}

}  // namespace
}  // namespace tend::testing
