// Every line of the loghub samples through its own parser and through
// `auto`, checked against values computed independently here (std::regex
// and timegm), not by the parsers' own helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "logs/parse/error_log.h"
#include "logs/parse/line_parser.h"
#include "logs/parse/syslog.h"

namespace tend::logs {
namespace {

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

constexpr int64_t kJitterNs = 60'000'000'000;

int MonthIndex(const std::string& m) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i;
  }
  return -1;
}

int64_t Timegm(int year, int mon0, int day, int h, int m, int s) {
  struct tm tm = {};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon0;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000;
}

ParseOptions Utc(int64_t reference_ns) {
  ParseOptions o;
  o.receive_time_ns = reference_ns;
  o.zone = TimeZone::Utc();
  return o;
}

struct Expected {
  int64_t time_ns;
  std::string host, app, message;
  int64_t pid;
};

// Independent reading of "Mmm dd hh:mm:ss host tag[pid]: message".
Expected ExpectSyslog(const std::string& line, int year) {
  static const std::regex kRe(
      R"(^([A-Z][a-z]{2}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) +(.*?)\r?$)");
  static const std::regex kTag(R"(^([^\s\[:]+)(?:\[(\d+)\])?: ?(.*)$)");
  static const std::regex kWord(R"(^([A-Za-z]\S*) (.*)$)");
  std::smatch m;
  EXPECT_TRUE(std::regex_match(line, m, kRe)) << line;
  Expected e;
  e.time_ns = Timegm(year, MonthIndex(m[1]), std::stoi(m[2]), std::stoi(m[3]),
                     std::stoi(m[4]), std::stoi(m[5]));
  e.host = m[6];
  const std::string rest = m[7];
  e.pid = -1;
  std::smatch t;
  if (std::regex_match(rest, t, kTag)) {
    e.app = t[1];
    if (t[2].matched) e.pid = std::stoll(t[2]);
    e.message = t[3];
  } else if (std::regex_match(rest, t, kWord)) {
    e.app = t[1];
    e.message = t[2];
  } else {
    e.message = rest;
  }
  return e;
}

void CheckSyslogFile(const std::string& path, int year, int64_t reference_ns,
                     std::map<std::string, int>* apps) {
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 2000u) << path;
  auto parser = LineParser::Create(ParserConfig{});
  ASSERT_TRUE(parser.ok());
  const ParseOptions o = Utc(reference_ns);
  LogRecord direct, viaauto;
  int64_t last = 0;
  for (const std::string& line : lines) {
    const Expected e = ExpectSyslog(line, year);
    ASSERT_TRUE(ParseSyslog(line, o, &direct)) << line;
    ASSERT_TRUE((*parser)->Parse(line, o, &viaauto)) << line;
    for (const LogRecord* r : {&direct, &viaauto}) {
      EXPECT_FALSE(r->parse_error) << line;
      EXPECT_TRUE(r->time_from_line) << line;
      EXPECT_EQ(r->time_ns, e.time_ns) << line;
      EXPECT_EQ(r->host, e.host) << line;
      EXPECT_EQ(r->app, e.app) << line;
      EXPECT_EQ(r->pid, e.pid) << line;
      EXPECT_EQ(r->message, e.message.empty() ? line : e.message) << line;
    }
    // The files are in order up to a few seconds of jitter between
    // writers; a wrong year, month or day would jump far more.
    EXPECT_GE(direct.time_ns, last - kJitterNs) << "time went back: " << line;
    last = std::max(last, direct.time_ns);
    ++(*apps)[direct.app];
  }
}

TEST(LoghubTest, OpenSshEveryLine) {
  std::map<std::string, int> apps;
  // Read in early January 2018: the December lines belong to 2017.
  CheckSyslogFile("../shared/data/loghub/OpenSSH_2k.log", 2017,
                  Timegm(2018, 0, 5, 0, 0, 0), &apps);
  EXPECT_EQ(apps["sshd"], 2000);
}

TEST(LoghubTest, LinuxSyslogEveryLine) {
  std::map<std::string, int> apps;
  CheckSyslogFile("../shared/data/loghub/Linux_2k.log", 2005,
                  Timegm(2005, 11, 1, 0, 0, 0), &apps);
  // Counted with awk over the 5th column.
  EXPECT_EQ(apps["ftpd"], 916);
  EXPECT_EQ(apps["sshd(pam_unix)"], 677);
  EXPECT_EQ(apps["su(pam_unix)"], 172);
  EXPECT_EQ(apps["kernel"], 76);
  EXPECT_EQ(apps["logrotate"], 43);
  EXPECT_EQ(apps["syslogd"], 7);  // All "syslogd 1.4.1: restart.".
  EXPECT_EQ(apps["syslog"], 2);
}

TEST(LoghubTest, ApacheErrorEveryLine) {
  const auto lines = ReadLines("../shared/data/loghub/Apache_2k.log");
  ASSERT_EQ(lines.size(), 2000u);
  static const std::regex kRe(
      R"(^\[\w{3} (\w{3}) (\d\d) (\d\d):(\d\d):(\d\d) (\d{4})\] \[(\w+)\] (.*?)\r?$)");
  static const std::regex kClient(R"(^\[client ([^\]]+)\] (.*)$)");
  auto parser = LineParser::Create(ParserConfig{});
  ASSERT_TRUE(parser.ok());
  const ParseOptions o = Utc(Timegm(2020, 0, 1, 0, 0, 0));
  LogRecord direct, viaauto;
  std::map<std::string, int> levels;
  int64_t last = 0;
  int clients = 0;
  for (const std::string& line : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, kRe)) << line;
    const int64_t t = Timegm(std::stoi(m[6]), MonthIndex(m[1]), std::stoi(m[2]),
                             std::stoi(m[3]), std::stoi(m[4]), std::stoi(m[5]));
    std::string message = m[8];
    std::string client;
    std::smatch c;
    if (std::regex_match(message, c, kClient)) {
      client = c[1];
      message = c[2];
    }
    ASSERT_TRUE(ParseApacheErrorLog(line, o, &direct)) << line;
    ASSERT_TRUE((*parser)->Parse(line, o, &viaauto)) << line;
    for (const LogRecord* r : {&direct, &viaauto}) {
      EXPECT_EQ(r->time_ns, t) << line;
      EXPECT_EQ(LevelName(r->level), m[7] == "warn" ? "warn" : m[7].str())
          << line;
      EXPECT_EQ(r->message, message) << line;
      const std::string* f = r->fields.Find("client");
      EXPECT_EQ(f ? *f : "", client) << line;
    }
    if (!client.empty()) ++clients;
    EXPECT_GE(direct.time_ns, last - kJitterNs) << line;
    last = std::max(last, direct.time_ns);
    ++levels[std::string(LevelName(direct.level))];
  }
  // Counted with awk over the 6th column.
  EXPECT_EQ(levels["error"], 595);
  EXPECT_EQ(levels["notice"], 1405);
  EXPECT_GT(clients, 0);
}

}  // namespace
}  // namespace tend::logs
