#include "metrics/collectors_system_util.h"

#include <gtest/gtest.h>

#include <string>

#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

TEST(LineErrorsTest, OkUntilSomethingIsAdded) {
  LineErrors errors("/proc/x");
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(errors.ToStatus().ok());
}

TEST(LineErrorsTest, FirstProblemAndCount) {
  LineErrors errors("/proc/x");
  errors.AddLine(4, "ctxt \"x\"\tq", "bad number");
  errors.AddFile("no \"btime\" line");
  errors.AddLine(9, "y", "bad");
  Status s = errors.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/x:4: bad number: \"ctxt \\\"x\\\" q\" (and 2 more problems "
            "in this file)");
}

TEST(LineErrorsTest, QuotesShortAndPrintable) {
  LineErrors errors("/p");
  std::string line(100, 'a');
  line[1] = '\x01';
  line[2] = '\xff';
  errors.AddLine(1, line, "why");
  EXPECT_EQ(errors.ToStatus().message(),
            "/p:1: why: \"a??" + std::string(61, 'a') + "...\"");
}

TEST(LineReaderTest, NumbersLinesAndReportsCutLastLine) {
  LineReader r("a\n\nbc\nd");
  std::string_view line;
  ASSERT_TRUE(r.Next(&line));
  EXPECT_EQ(line, "a");
  EXPECT_EQ(r.line_number(), 1u);
  ASSERT_TRUE(r.Next(&line));
  EXPECT_EQ(line, "");
  ASSERT_TRUE(r.Next(&line));
  EXPECT_EQ(line, "bc");
  EXPECT_EQ(r.line_number(), 3u);
  EXPECT_FALSE(r.Next(&line));
  EXPECT_FALSE(r.Next(&line));
  LineErrors errors("/f");
  r.Finish(&errors);
  EXPECT_EQ(errors.ToStatus().message(),
            "/f:4: incomplete last line (no newline; file cut short?): \"d\"");
}

TEST(LineReaderTest, CompleteAndEmptyTexts) {
  std::string_view line;
  LineReader complete("x\n");
  while (complete.Next(&line)) {
  }
  LineErrors ok("/f");
  complete.Finish(&ok);
  EXPECT_TRUE(ok.empty());

  LineReader empty("");
  EXPECT_FALSE(empty.Next(&line));
  LineErrors reported("/f");
  empty.Finish(&reported);
  EXPECT_EQ(reported.ToStatus().message(), "/f: file is empty");
  LineErrors tolerated("/f");
  empty.Finish(&tolerated, /*empty_is_error=*/false);
  EXPECT_TRUE(tolerated.empty());
}

TEST(FirstFieldTest, SplitsOnBlanks) {
  std::string_view rest;
  EXPECT_EQ(FirstField("cpu0  1\t2 ", &rest), "cpu0");
  EXPECT_EQ(rest, "1\t2 ");
  EXPECT_EQ(FirstField(rest, &rest), "1");
  EXPECT_EQ(FirstField(rest, &rest), "2");
  EXPECT_EQ(rest, "");
  EXPECT_EQ(FirstField("", &rest), "");
  EXPECT_EQ(FirstField("  x", &rest), "");
  EXPECT_EQ(rest, "x");
}

TEST(ReadValueFileTest, ValueEmptyCutAndMissing) {
  RootedEnv env(system_testing::EdgeTree("truncated"));
  std::string buf;
  std::string_view value;
  ASSERT_TRUE(
      ReadValueFile(&env, "/proc/sys/kernel/ostype", &buf, &value).ok());
  EXPECT_EQ(value, "Linux");
  Status cut = ReadValueFile(&env, "/proc/sys/kernel/hostname", &buf, &value);
  EXPECT_EQ(cut.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cut.message(),
            "/proc/sys/kernel/hostname: incomplete value (no newline; file "
            "cut short?)");
  RootedEnv empty(system_testing::EdgeTree("empty"));
  EXPECT_EQ(
      ReadValueFile(&empty, "/proc/sys/kernel/ostype", &buf, &value).message(),
      "/proc/sys/kernel/ostype: file is empty");
  EXPECT_EQ(ReadValueFile(&env, "/nope", &buf, &value).code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace tend
