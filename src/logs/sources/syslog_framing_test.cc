#include "logs/sources/syslog_framing.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tend::logs {
namespace {

struct Got {
  std::string message;
  bool truncated;
  std::string error;
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  return os << "{\"" << g.message << "\", truncated=" << g.truncated
            << ", error=\"" << g.error << "\"}";
}

// Feeds `input` in pieces of `piece` bytes, collecting every frame, then
// Finish().
std::vector<Got> Decode(std::string_view input, size_t piece,
                        size_t max = 1024) {
  SyslogFrameDecoder d(max);
  std::vector<Got> out;
  SyslogFrame f;
  for (size_t i = 0; i < input.size(); i += piece) {
    d.Feed(input.substr(i, piece));
    while (d.Next(&f)) {
      out.push_back(
          {std::string(f.message), f.truncated, std::string(f.error)});
    }
  }
  if (d.Finish(&f)) {
    out.push_back({std::string(f.message), f.truncated, std::string(f.error)});
  }
  EXPECT_EQ(d.buffered(), 0u);
  return out;
}

// Every test input is also decoded byte by byte and in odd-sized pieces:
// the result must not depend on how TCP split the stream.
std::vector<Got> DecodeAllWays(std::string_view input, size_t max = 1024) {
  std::vector<Got> whole = Decode(input, input.size() + 1, max);
  EXPECT_EQ(Decode(input, 1, max), whole);
  EXPECT_EQ(Decode(input, 7, max), whole);
  return whole;
}

TEST(SyslogFramingTest, OctetCounting) {
  const std::string a = "<34>1 2003-10-11T22:14:15.003Z host su - ID47 - hi";
  const std::string b = "<13>Oct 11 22:14:15 host app: two\nlines";
  const std::string input =
      std::to_string(a.size()) + " " + a + std::to_string(b.size()) + " " + b;
  EXPECT_EQ(DecodeAllWays(input),
            (std::vector<Got>{{a, false, ""}, {b, false, ""}}));
}

TEST(SyslogFramingTest, NonTransparentLfNulCrlf) {
  const std::string input("<13>one\n<13>two\r\n<13>three\0<13>four\n\n\n", 38);
  EXPECT_EQ(DecodeAllWays(input), (std::vector<Got>{{"<13>one", false, ""},
                                                    {"<13>two", false, ""},
                                                    {"<13>three", false, ""},
                                                    {"<13>four", false, ""}}));
  const std::string with_nul("<13>a\0<13>b\n", 12);
  EXPECT_EQ(DecodeAllWays(with_nul),
            (std::vector<Got>{{"<13>a", false, ""}, {"<13>b", false, ""}}));
}

TEST(SyslogFramingTest, MixedFramingPerMessage) {
  EXPECT_EQ(DecodeAllWays("5 <13>a<13>lf\n6 <13>bc\n<13>end"),
            (std::vector<Got>{{"<13>a", false, ""},
                              {"<13>lf", false, ""},
                              {"<13>bc", false, ""},
                              {"<13>end", false, ""}}));
}

TEST(SyslogFramingTest, DigitsThatAreNotACountAreAMessage) {
  EXPECT_EQ(DecodeAllWays("2024-01-01T00:00:00Z host app: x\n"
                          "0 zero is no count\n"
                          "12345678901 eleven digits\n"
                          "42\n"),
            (std::vector<Got>{{"2024-01-01T00:00:00Z host app: x", false, ""},
                              {"0 zero is no count", false, ""},
                              {"12345678901 eleven digits", false, ""},
                              {"42", false, ""}}));
}

TEST(SyslogFramingTest, OversizedOctetCountedFrameIsCutAndRestSkipped) {
  const std::string big(100, 'x');
  const std::string input = "100 " + big + "3 <1>";
  EXPECT_EQ(
      DecodeAllWays(input, 10),
      (std::vector<Got>{{std::string(10, 'x'), true, ""}, {"<1>", false, ""}}));
}

TEST(SyslogFramingTest, OversizedLineIsCutAndRestSkipped) {
  const std::string input =
      std::string(50, 'y') + "\n<13>next\n" + std::string(10, 'z') + "\r\n";
  EXPECT_EQ(DecodeAllWays(input, 10),
            (std::vector<Got>{{std::string(10, 'y'), true, ""},
                              {"<13>next", false, ""},
                              {std::string(10, 'z'), false, ""}}));
}

TEST(SyslogFramingTest, BufferStaysBoundedWhileSkipping) {
  SyslogFrameDecoder d(16);
  SyslogFrame f;
  d.Feed("1000000 ");
  d.Feed(std::string(16, 'a'));
  ASSERT_TRUE(d.Next(&f));
  EXPECT_TRUE(f.truncated);
  for (int i = 0; i < 1000; ++i) {
    d.Feed(std::string(999, 'b'));
    EXPECT_FALSE(d.Next(&f));
    EXPECT_EQ(d.buffered(), 0u);
  }
  d.Feed(std::string(1000000 - 16 - 999000, 'c') + "\n<5>ok\n");
  ASSERT_TRUE(d.Next(&f));
  EXPECT_EQ(f.message, "<5>ok");
  EXPECT_FALSE(f.truncated);
}

TEST(SyslogFramingTest, BadCountLeavesPartialFrameWithError) {
  // The count promises more than the connection delivers.
  EXPECT_EQ(
      DecodeAllWays("5 <13>a99 <13>short"),
      (std::vector<Got>{{"<13>a", false, ""},
                        {"99 <13>short", false,
                         "connection closed inside an octet-counted frame"}}));
  // A count shorter than the message: the remainder becomes its own
  // (non-transparent) message and the parser will flag it.
  EXPECT_EQ(DecodeAllWays("4 <13>hello\n"),
            (std::vector<Got>{{"<13>", false, ""}, {"hello", false, ""}}));
}

TEST(SyslogFramingTest, UnterminatedLastLineIsKept) {
  EXPECT_EQ(DecodeAllWays("<13>a\n<13>tail\r"),
            (std::vector<Got>{{"<13>a", false, ""}, {"<13>tail", false, ""}}));
  EXPECT_TRUE(DecodeAllWays("\n\r\n").empty());
}

TEST(SyslogFramingTest, LoghubLinesRoundTripInBothFramings) {
  std::ifstream in("../shared/data/loghub/Linux_2k.log", std::ios::binary);
  ASSERT_TRUE(in) << "missing ../shared/data/loghub/Linux_2k.log";
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  ASSERT_GT(lines.size(), 1900u);
  std::string counted, newline;
  for (const auto& l : lines) {
    counted += std::to_string(l.size()) + " " + l;
    newline += l + "\n";
  }
  for (const std::string* input : {&counted, &newline}) {
    const std::vector<Got> got = Decode(*input, 1500, 64 * 1024);
    ASSERT_EQ(got.size(), lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      ASSERT_EQ(got[i].message, lines[i]) << "line " << i;
      ASSERT_FALSE(got[i].truncated);
    }
  }
}

}  // namespace
}  // namespace tend::logs
