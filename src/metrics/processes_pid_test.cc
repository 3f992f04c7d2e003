#include "metrics/processes_pid.h"

#include <gtest/gtest.h>

#include <string>

#include "base/env.h"

namespace tend {
namespace {

std::string Read(const std::string& path) {
  std::string text;
  Status s = Env::Default()->ReadFile(path, &text);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return text;
}

constexpr char kTree[] = "tests/data/hosts/linux-6.18-x86_64/proc/";

TEST(ProcessesPidTest, StatOfCapturedBash) {
  PidStat st;
  std::string text = Read(std::string(kTree) + "1100/stat");
  ASSERT_TRUE(ParsePidStat(text, &st));
  EXPECT_EQ(st.comm, "bash");
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.minflt, 8880u);
  EXPECT_EQ(st.majflt, 0u);
  EXPECT_EQ(st.utime, 5u);
  EXPECT_EQ(st.stime, 2u);
  EXPECT_EQ(st.num_threads, 1u);
  EXPECT_EQ(st.starttime, 3297u);
  EXPECT_EQ(st.vsize, 5378048u);
  EXPECT_EQ(st.rss_pages, 1056u);
}

TEST(ProcessesPidTest, StatOfCapturedSleep) {
  PidStat st;
  std::string text = Read(std::string(kTree) + "3473/stat");
  ASSERT_TRUE(ParsePidStat(text, &st));
  EXPECT_EQ(st.comm, "sleep");
  EXPECT_EQ(st.minflt, 140u);
  EXPECT_EQ(st.majflt, 1u);
  EXPECT_EQ(st.starttime, 59080u);
  EXPECT_EQ(st.vsize, 2990080u);
  EXPECT_EQ(st.rss_pages, 406u);
}

TEST(ProcessesPidTest, CommWithSpacesAndParentheses) {
  PidStat st;
  std::string text =
      "42 (a) b (c) d) R 1 42 42 0 -1 0 11 0 12 0 13 14 0 0 20 0 5 0 77 "
      "4096 -1 18446744073709551615\n";
  ASSERT_TRUE(ParsePidStat(text, &st));
  EXPECT_EQ(st.comm, "a) b (c) d");
  EXPECT_EQ(st.state, 'R');
  EXPECT_EQ(st.minflt, 11u);
  EXPECT_EQ(st.majflt, 12u);
  EXPECT_EQ(st.utime, 13u);
  EXPECT_EQ(st.stime, 14u);
  EXPECT_EQ(st.num_threads, 5u);
  EXPECT_EQ(st.starttime, 77u);
  EXPECT_EQ(st.rss_pages, 0u);  // Negative rss reads as 0.

  ASSERT_TRUE(ParsePidStat(
      "7 () S 1 7 7 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10 11\n", &st));
  EXPECT_EQ(st.comm, "");
  ASSERT_TRUE(ParsePidStat(
      "7 ())) S 1 7 7 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10 11\n", &st));
  EXPECT_EQ(st.comm, "))");
}

TEST(ProcessesPidTest, RejectsMalformedStat) {
  PidStat st;
  EXPECT_FALSE(ParsePidStat("", &st));
  EXPECT_FALSE(ParsePidStat("garbage", &st));
  EXPECT_FALSE(ParsePidStat("1 (x S 1", &st));
  EXPECT_FALSE(ParsePidStat("1 x) S 1", &st));
  EXPECT_FALSE(ParsePidStat(")1 (x S", &st));
  EXPECT_FALSE(ParsePidStat("abc (x) S 1 2 3", &st));
  // Truncated before rss (field 24).
  EXPECT_FALSE(ParsePidStat(
      "7 (x) S 1 7 7 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10\n", &st));
  // A non-number where utime goes.
  EXPECT_FALSE(ParsePidStat(
      "7 (x) S 1 7 7 0 -1 0 1 0 2 0 x 4 0 0 20 0 1 0 9 10 11\n", &st));
  // A state of more than one character.
  EXPECT_FALSE(ParsePidStat(
      "7 (x) SS 1 7 7 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10 11\n", &st));
}

TEST(ProcessesPidTest, StatusOfCapturedBash) {
  PidStatus st;
  ASSERT_TRUE(ParsePidStatus(Read(std::string(kTree) + "1100/status"), &st));
  EXPECT_EQ(st.swap_bytes, 0u);
  EXPECT_EQ(st.voluntary_ctxt_switches, 199u);
  EXPECT_EQ(st.nonvoluntary_ctxt_switches, 35u);
}

TEST(ProcessesPidTest, StatusOfKernelThreadAndSwap) {
  PidStatus st;
  st.swap_bytes = 99;
  ASSERT_TRUE(ParsePidStatus(
      "Name:\tkthreadd\nThreads:\t1\nvoluntary_ctxt_switches:\t10\n"
      "nonvoluntary_ctxt_switches:\t2\n",
      &st));
  EXPECT_EQ(st.swap_bytes, 0u);  // No VmSwap line: no memory of its own.
  ASSERT_TRUE(
      ParsePidStatus("VmSwap:\t     12 kB\nvoluntary_ctxt_switches:\t1\n"
                     "nonvoluntary_ctxt_switches:\t0",
                     &st));
  EXPECT_EQ(st.swap_bytes, 12u * 1024);
  EXPECT_FALSE(ParsePidStatus("VmSwap:\t1 kB\n", &st));
  EXPECT_FALSE(
      ParsePidStatus("VmSwap:\tlots\nvoluntary_ctxt_switches:\t1\n"
                     "nonvoluntary_ctxt_switches:\t0\n",
                     &st));
  EXPECT_FALSE(ParsePidStatus("", &st));
}

TEST(ProcessesPidTest, IoOfCapturedProcesses) {
  PidIo io;
  ASSERT_TRUE(ParsePidIo(Read(std::string(kTree) + "1100/io"), &io));
  EXPECT_EQ(io.read_bytes, 367570944u);
  EXPECT_EQ(io.write_bytes, 236285952u);
  ASSERT_TRUE(ParsePidIo(Read(std::string(kTree) + "3473/io"), &io));
  EXPECT_EQ(io.read_bytes, 45056u);
  EXPECT_EQ(io.write_bytes, 0u);
  EXPECT_FALSE(ParsePidIo("rchar: 1\nread_bytes: 2\n", &io));
  EXPECT_FALSE(ParsePidIo("read_bytes: x\nwrite_bytes: 2\n", &io));
  EXPECT_FALSE(ParsePidIo("", &io));
}

TEST(ProcessesPidTest, BootTime) {
  int64_t btime = 0;
  ASSERT_TRUE(ParseBootTime(Read(std::string(kTree) + "stat"), &btime));
  EXPECT_EQ(btime, 1795628009);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n", &btime));
  EXPECT_FALSE(ParseBootTime("btime soon\n", &btime));
}

}  // namespace
}  // namespace tend
