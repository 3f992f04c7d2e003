#include "metrics/line_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metrics/collectors_system_testing.h"

namespace tend {
namespace {

TEST(ParseErrorsTest, OkUntilSomethingIsAdded) {
  ParseErrors errors("/proc/x");
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(errors.ToStatus().ok());
  errors.Add(Status::Ok());
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(errors.ToStatus().ok());
}

TEST(ParseErrorsTest, FirstProblemAndCount) {
  ParseErrors errors("/proc/x");
  errors.AddLine(4, "ctxt \"x\"\tq", "bad number");
  errors.AddFile("no \"btime\" line");
  errors.AddLine(9, "y", "bad");
  Status s = errors.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/x:4: bad number: \"ctxt \\\"x\\\" q\" (and 2 more "
            "problems)");
}

TEST(ParseErrorsTest, SeveralFilesAndForeignStatus) {
  ParseErrors e;
  e.AddLine("/proc/x", 3, "bad\x01line", "too short");
  e.Add(NotFoundError("/proc/y: gone"));
  e.AddFile("/proc/z", "file is empty");
  e.AddLine("/proc/x", 9, "worse", "worse");
  Status s = e.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "/proc/x:3: too short: \"bad?line\" (and 3 more problems)");
}

TEST(ParseErrorsTest, ForeignStatusFirstKeepsItsCode) {
  ParseErrors e;
  e.Add(NotFoundError("/proc/y: gone"));
  e.AddFile("/proc/z", "file is empty");
  Status s = e.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "/proc/y: gone (and 1 more problems)");
}

TEST(ParseErrorsTest, QuotesShortAndPrintable) {
  ParseErrors errors("/p");
  std::string line(100, 'a');
  line[1] = '\x01';
  line[2] = '\xff';
  errors.AddLine(1, line, "why");
  EXPECT_EQ(errors.ToStatus().message(),
            "/p:1: why: \"a??" + std::string(77, 'a') + "...\"");
}

TEST(ParseErrorsTest, LongLinesAreShortened) {
  ParseErrors e;
  e.AddLine("f", 1, std::string(500, 'x'), "why");
  EXPECT_EQ(e.ToStatus().message(),
            "f:1: why: \"" + std::string(80, 'x') + "...\"");
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
  ParseErrors errors("/f");
  r.Finish(&errors);
  EXPECT_EQ(errors.ToStatus().message(),
            "/f:4: incomplete last line (no newline; file cut short?): \"d\"");
}

TEST(LineReaderTest, CompleteAndEmptyTexts) {
  std::string_view line;
  LineReader complete("x\n");
  while (complete.Next(&line)) {
  }
  ParseErrors ok("/f");
  complete.Finish(&ok);
  EXPECT_TRUE(ok.empty());

  LineReader empty("");
  EXPECT_FALSE(empty.Next(&line));
  ParseErrors reported("/f");
  empty.Finish(&reported);
  EXPECT_EQ(reported.ToStatus().message(), "/f: file is empty");
  ParseErrors tolerated("/f");
  empty.Finish(&tolerated, /*empty_is_error=*/false);
  EXPECT_TRUE(tolerated.empty());
}

TEST(LineReaderTest, FinishWithExplicitPath) {
  LineReader lines("a\n\nb\nc");
  std::string_view line;
  std::vector<std::string> got;
  while (lines.Next(&line)) got.emplace_back(line);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(lines.line_number(), 3u);
  ParseErrors cut;
  lines.Finish("/proc/y", &cut, /*empty_is_error=*/false);
  EXPECT_EQ(cut.ToStatus().message(),
            "/proc/y:4: incomplete last line (no newline; file cut short?): "
            "\"c\"");

  LineReader whole("a\nb\n");
  while (whole.Next(&line)) {
  }
  EXPECT_EQ(whole.line_number(), 2u);
  ParseErrors none;
  whole.Finish("/proc/y", &none);
  EXPECT_TRUE(none.empty());
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
