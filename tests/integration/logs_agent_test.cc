// Logs on the live agent: a real `tend agent` with file and syslog
// sources, processors and log metrics, read back through the Loki API,
// the Prometheus API and `tend logs`, as Grafana's Loki data source and
// logcli would. The inputs are the real loghub samples; every expectation
// (lines, times, apps, counts, metric values) is computed here from the
// input, independently of tend's parsers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "logs_test_util.h"

namespace tend::testing {
namespace {

constexpr int64_t kNs = 1'000'000'000;
constexpr int kWaitMs = 30'000;
const char kLoghub[] = "../shared/data/loghub/";

// The lines of a loghub sample as tend must store them: the files end
// their lines with "\r\n", and one '\r' before the '\n' is not part of
// the line.
std::vector<std::string> Loghub(const std::string& name) {
  std::vector<std::string> lines = SplitLines(ReadText(kLoghub + name));
  EXPECT_EQ(lines.size(), 2000u) << name << ": run from the repository root";
  for (std::string& l : lines) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
  }
  return lines;
}

// Lines as the loghub files write them, "\r\n" each.
std::string Crlf(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\r\n";
  return out;
}

// "Mmm dd hh:mm:ss host tag[pid]: message", read independently of tend:
// the time in local time in `year`, and the app as syslog(3) writes it.
struct SyslogLine {
  int64_t t_ns = 0;
  std::string host, app;
  int64_t pid = -1;
};

SyslogLine ReadSyslogLine(const std::string& line, int year) {
  static const std::regex kRe(
      R"(^([A-Z][a-z]{2}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) +(.*)$)");
  static const std::regex kTag(R"(^([^\s\[:]+)(?:\[(\d+)\])?: ?(.*)$)");
  static const std::regex kWord(R"(^([A-Za-z]\S*) (.*)$)");
  static const std::string kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  SyslogLine out;
  std::smatch m;
  if (!std::regex_match(line, m, kRe)) {
    ADD_FAILURE() << "not a syslog line: " << line;
    return out;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(kMonths.find(m[1].str()) / 3);
  tm.tm_mday = std::stoi(m[2]);
  tm.tm_hour = std::stoi(m[3]);
  tm.tm_min = std::stoi(m[4]);
  tm.tm_sec = std::stoi(m[5]);
  tm.tm_isdst = -1;
  out.t_ns = static_cast<int64_t>(std::mktime(&tm)) * kNs;
  out.host = m[6];
  const std::string rest = m[7];
  std::smatch t;
  if (std::regex_match(rest, t, kTag)) {
    out.app = t[1];
    if (t[2].matched) out.pid = std::stoll(t[2]);
  } else if (std::regex_match(rest, t, kWord)) {
    out.app = t[1];
  }
  return out;
}

int LocalYear(int64_t t_ns) {
  time_t s = static_cast<time_t>(t_ns / kNs);
  std::tm tm{};
  localtime_r(&s, &tm);
  return tm.tm_year + 1900;
}

std::string Hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// The synthetic logfmt lines of the `app` source: levels in a fixed
// cycle, a duration, and secrets on some lines.
struct AppLine {
  std::string level;
  int duration_ms;
  std::string raw;       // As written.
  std::string redacted;  // As it must be stored.
};

std::vector<AppLine> MakeAppLines(int n, const std::string& tag) {
  static const char* kLevels[] = {"info", "warn", "info", "error", "debug"};
  static const int kMs[] = {3, 42, 250, 1700, 7, 64, 480};
  std::vector<AppLine> out;
  for (int i = 0; i < n; ++i) {
    AppLine a;
    a.level = kLevels[i % 5];
    a.duration_ms = kMs[i % 7];
    std::string head = "level=" + a.level + " msg=\"" + tag + " request " +
                       std::to_string(i) +
                       "\" duration_ms=" + std::to_string(a.duration_ms);
    a.raw = head;
    a.redacted = head;
    if (i % 6 == 1) {
      a.raw += " password=hunter" + std::to_string(i);
      a.redacted += " password=<redacted>";
    }
    if (i % 4 == 2) {
      a.raw += " contact=bob" + std::to_string(i) + "@example.com";
      a.redacted += " contact=<redacted>";
    }
    out.push_back(std::move(a));
  }
  return out;
}

// Each stream's entries (consecutive in a streams result) are sorted by
// time, ties in file order: `index[i]` is the input position of entry i.
void ExpectTimeThenFileOrder(const std::vector<StoredLine>& got,
                             const std::vector<size_t>& index) {
  for (size_t i = 1; i < got.size(); ++i) {
    if (got[i - 1].labels != got[i].labels) continue;  // Next stream.
    ASSERT_TRUE(got[i - 1].t_ns < got[i].t_ns ||
                (got[i - 1].t_ns == got[i].t_ns && index[i - 1] < index[i]))
        << "entry " << i << " out of order: " << got[i - 1].line << " then "
        << got[i].line;
  }
}

// Maps each stored line to its input position; fails on a line that is not
// in the input or is stored more than once.
std::vector<size_t> MatchOnce(const std::vector<StoredLine>& got,
                              const std::vector<std::string>& input) {
  std::multimap<std::string, size_t> where;
  for (size_t i = 0; i < input.size(); ++i) where.emplace(input[i], i);
  std::vector<size_t> index;
  for (const StoredLine& l : got) {
    auto it = where.find(l.line);
    if (it == where.end()) {
      ADD_FAILURE() << "stored but not in the input (or stored twice): "
                    << l.line;
      index.push_back(0);
      continue;
    }
    index.push_back(it->second);
    where.erase(it);
  }
  EXPECT_TRUE(where.empty()) << where.size() << " input lines not stored, e.g. "
                             << (where.empty() ? "" : where.begin()->first);
  return index;
}

// One agent for the suite: file sources over loghub copies, a syslog
// server, a logfmt source with processors, and log metrics.
class LogsAgentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    logs_ = dir_->path() + "/logs";
    ASSERT_EQ(::mkdir(logs_.c_str(), 0755), 0);
    udp_port_ = FreePort();
    tcp_port_ = FreePort();
    const std::string config = dir_->path() + "/tend.yml";
    ASSERT_TRUE(WriteText(config, R"(agent:
  interval: 200ms
collectors:
  processes:
    enabled: false
logs:
  commit_interval: 50ms
  sources:
    - name: ssh
      paths: [")" + logs_ + R"(/ssh*.log"]
      start_at: beginning
    - name: linux
      paths: [")" + logs_ + R"(/linux.log"]
      start_at: beginning
    - name: app
      paths: [")" + logs_ + R"(/app.log"]
      parser: logfmt
      start_at: beginning
      labels: [level]
      processors:
        - drop: 'level="debug"'
        - redact: [password, email]
    - name: net
      type: syslog
      udp: ["127.0.0.1:)" + std::to_string(udp_port_) +
                                      R"("]
      tcp: ["127.0.0.1:)" + std::to_string(tcp_port_) +
                                      R"("]
  metrics:
    - name: itest_app_records_total
      source: app
      labels: [level]
    - name: itest_app_duration_seconds
      type: histogram
      source: app
      value: duration_ms
      value_scale: 0.001
      buckets: ["0.01", "0.1", "1"]
)"));
    agent_ = new LogsAgent(dir_->path(), config, dir_->path() + "/data");
    ASSERT_TRUE(agent_->Start()) << agent_->LastLog();
    addr_ = agent_->addr();
    // The inputs appear after the agent started (a file source finds
    // them by inotify), in two pieces each.
    ssh_ = Loghub("OpenSSH_2k.log");
    linux_ = Loghub("Linux_2k.log");
    for (const AppLine& a : MakeAppLines(200, "first")) app_.push_back(a);
    std::vector<std::string> ssh_head(ssh_.begin(), ssh_.begin() + 700);
    std::vector<std::string> ssh_tail(ssh_.begin() + 700, ssh_.end());
    ASSERT_TRUE(WriteText(logs_ + "/ssh.log", Crlf(ssh_head)));
    ASSERT_TRUE(WriteText(logs_ + "/linux.log", Crlf(linux_)));
    std::string app_text;
    for (const AppLine& a : app_) app_text += a.raw + "\n";
    ASSERT_TRUE(WriteText(logs_ + "/app.log", app_text));
    SleepMs(200);
    ASSERT_TRUE(WriteText(logs_ + "/ssh.log", Crlf(ssh_tail), true));
  }
  static void TearDownTestSuite() {
    if (agent_ != nullptr && failed_) {
      std::fprintf(stderr, "--- agent log ---\n%s\n",
                   agent_->LastLog().c_str());
    }
    delete agent_;
    delete dir_;
  }

  // Every entry of `query` since the epoch, once at least `n` are stored
  // (fails after kWaitMs).
  static std::vector<StoredLine> WaitLines(const std::string& query, size_t n) {
    std::vector<StoredLine> got;
    bool ok = PollUntil(kWaitMs, [&] {
      Result<std::vector<StoredLine>> r =
          QueryLines(addr_, query, 0, NowNs() + 3600 * kNs);
      if (!r.ok()) return false;
      got = std::move(*r);
      return got.size() >= n;
    });
    EXPECT_TRUE(ok) << query << ": " << got.size() << " of " << n
                    << " lines stored";
    return got;
  }

  static std::vector<std::string> Lines(const std::vector<StoredLine>& got) {
    std::vector<std::string> out;
    for (const StoredLine& l : got) out.push_back(l.line);
    return out;
  }

  void TearDown() override { failed_ = failed_ || HasFailure(); }

  static bool failed_;
  static TempDir* dir_;
  static LogsAgent* agent_;
  static std::string logs_, addr_;
  static int udp_port_, tcp_port_;
  static std::vector<std::string> ssh_, linux_;
  static std::vector<AppLine> app_;
};
bool LogsAgentTest::failed_ = false;
TempDir* LogsAgentTest::dir_ = nullptr;
LogsAgent* LogsAgentTest::agent_ = nullptr;
std::string LogsAgentTest::logs_;
std::string LogsAgentTest::addr_;
int LogsAgentTest::udp_port_ = 0;
int LogsAgentTest::tcp_port_ = 0;
std::vector<std::string> LogsAgentTest::ssh_;
std::vector<std::string> LogsAgentTest::linux_;
std::vector<AppLine> LogsAgentTest::app_;

TEST_F(LogsAgentTest, FileLinesStoredOnceInOrderWithLabelsAndTimes) {
  std::vector<StoredLine> got = WaitLines("{source=\"ssh\"}", ssh_.size());
  ASSERT_EQ(got.size(), ssh_.size());
  EXPECT_EQ(Lines(got), ssh_);  // Forward: the file's order (times ascend).
  const int year = LocalYear(got.front().t_ns);
  EXPECT_TRUE(year == LocalYear(NowNs()) || year == LocalYear(NowNs()) - 1)
      << year;
  for (size_t i = 0; i < got.size(); ++i) {
    const SyslogLine want = ReadSyslogLine(ssh_[i], year);
    ASSERT_EQ(got[i].t_ns, want.t_ns) << ssh_[i];
    const std::map<std::string, std::string> labels = {
        {"source", "ssh"},
        {"filename", logs_ + "/ssh.log"},
        {"app", want.app},
        {"host", want.host}};
    ASSERT_EQ(got[i].labels, labels) << ssh_[i];
  }
  EXPECT_LE(got.back().t_ns, NowNs());

  // Linux_2k has apps with odd tags ("sshd(pam_unix)", "syslogd 1.4.1:")
  // and a few lines out of time order: stored by time, ties in file order.
  got = WaitLines("{source=\"linux\"}", linux_.size());
  ASSERT_EQ(got.size(), linux_.size());
  std::vector<size_t> index = MatchOnce(got, linux_);
  ExpectTimeThenFileOrder(got, index);
  const int lyear = LocalYear(got.front().t_ns);
  for (size_t i = 0; i < got.size(); ++i) {
    const SyslogLine want = ReadSyslogLine(got[i].line, lyear);
    EXPECT_EQ(got[i].t_ns, want.t_ns) << got[i].line;
    EXPECT_EQ(got[i].labels["app"], want.app) << got[i].line;
    EXPECT_EQ(got[i].labels["host"], want.host) << got[i].line;
  }
}

TEST_F(LogsAgentTest, FileCreatedLaterIsPickedUp) {
  WaitLines("{source=\"ssh\"}", ssh_.size());
  const std::string late = logs_ + "/ssh-late.log";
  std::vector<std::string> lines(ssh_.begin() + 100, ssh_.begin() + 150);
  ASSERT_TRUE(WriteText(late, Crlf(lines)));
  std::vector<StoredLine> got =
      WaitLines("{source=\"ssh\", filename=\"" + late + "\"}", lines.size());
  EXPECT_EQ(Lines(got), lines);
  // The first file's lines are not read again.
  EXPECT_EQ(WaitLines("{source=\"ssh\"}", ssh_.size() + lines.size()).size(),
            ssh_.size() + lines.size());
}

TEST_F(LogsAgentTest, SyslogOverUdpAndTcpArrivesWithAppAndHost) {
  struct Send {
    std::vector<std::string> flags;
    std::string tag, text;
  };
  const std::string id = std::to_string(NowNs());
  const std::vector<Send> sends = {
      {{"--udp"}, "itest-udp", "udp message " + id},
      {{"--udp", "--rfc3164"}, "itest-udp3164", "udp 3164 message " + id},
      {{"--tcp"}, "itest-tcp", "tcp newline message " + id},
      {{"--tcp", "--octet-count"}, "itest-octet", "tcp octet message " + id},
  };
  for (const Send& s : sends) {
    std::vector<std::string> argv = {
        "logger", "--server", "127.0.0.1", "--port",
        std::to_string(s.flags[0] == "--udp" ? udp_port_ : tcp_port_)};
    argv.insert(argv.end(), s.flags.begin(), s.flags.end());
    argv.insert(argv.end(), {"-t", s.tag, s.text});
    SubprocessResult r = Exec(argv);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  }
  std::vector<StoredLine> got =
      WaitLines("{source=\"net\"} |= \"" + id + "\"", sends.size());
  ASSERT_EQ(got.size(), sends.size());
  for (const Send& s : sends) {
    int found = 0;
    for (const StoredLine& l : got) {
      if (l.line.find(s.text) == std::string::npos) continue;
      ++found;
      EXPECT_EQ(l.labels.at("app"), s.tag) << l.line;
      EXPECT_EQ(l.labels.at("host"), Hostname()) << l.line;
      EXPECT_EQ(l.labels.count("filename"), 0u) << l.line;
      // logger stamps the current time.
      EXPECT_LT(std::llabs(l.t_ns - NowNs()), 120 * kNs) << l.line;
    }
    EXPECT_EQ(found, 1) << s.text;
  }
}

TEST_F(LogsAgentTest, LokiMetricQueriesCountWhatTheInputHolds) {
  std::vector<StoredLine> got = WaitLines("{source=\"linux\"}", linux_.size());
  ASSERT_EQ(got.size(), linux_.size());
  int64_t first = got.front().t_ns, last = first;
  for (const StoredLine& l : got) {
    first = std::min(first, l.t_ns);
    last = std::max(last, l.t_ns);
  }
  const int year = LocalYear(first);
  // Per app and minute, from the input: count_over_time(...[1m]) at t
  // counts (t - 1m, t]. Eight hours stepped by one minute, from line 1750
  // on (a stretch with several apps).
  const int64_t start = ReadSyslogLine(linux_[1750], year).t_ns;
  const int64_t end = start + 8 * 3600 * kNs;
  std::map<std::string, std::map<int64_t, double>> want;
  std::map<std::string, double> total;
  for (const std::string& line : linux_) {
    SyslogLine s = ReadSyslogLine(line, year);
    total[s.app] += 1;
    if (s.t_ns <= start - 60 * kNs || s.t_ns > end) continue;
    int64_t k = (s.t_ns - start + 60 * kNs - 1) / (60 * kNs);
    want[s.app][(start + k * 60 * kNs) / 1'000'000] += 1;
  }
  ASSERT_GE(want.size(), 4u) << "the window should hold several apps";
  Result<nlohmann::json> m = ApiData(
      addr_, "/loki/api/v1/query_range",
      {{"query", "sum by (app) (count_over_time({source=\"linux\"}[1m]))"},
       {"start", std::to_string(start)},
       {"end", std::to_string(end)},
       {"step", "60"}});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ((*m)["resultType"], "matrix");
  std::map<std::string, std::map<int64_t, double>> have;
  for (const auto& s : (*m)["result"]) {
    ASSERT_LE(s["metric"].size(), 1u) << s["metric"].dump();
    const std::string app = s["metric"].value("app", "");
    for (const auto& p : s["values"]) {
      int64_t ms = std::llround(p[0].get<double>() * 1000);
      have[app][ms] = std::stod(p[1].get<std::string>());
    }
  }
  EXPECT_EQ(have, want);

  // Instant: over the whole file, per app.
  Result<nlohmann::json> v = ApiData(
      addr_, "/loki/api/v1/query",
      {{"query", "sum by (app) (count_over_time({source=\"linux\"}[2000h]))"},
       {"time", std::to_string(last + kNs)}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ((*v)["resultType"], "vector");
  std::map<std::string, double> have_total;
  for (const auto& s : (*v)["result"]) {
    have_total[s["metric"].value("app", "")] =
        std::stod(s["value"][1].get<std::string>());
    EXPECT_NEAR(s["value"][0].get<double>(),
                static_cast<double>(last + kNs) / 1e9, 1e-3);
  }
  EXPECT_EQ(have_total, total);
}

TEST_F(LogsAgentTest, LokiLabelsSeriesErrorsDirectionAndLimit) {
  WaitLines("{source=\"ssh\"}", ssh_.size());
  WaitLines("{source=\"linux\"}", linux_.size());
  const Params since_epoch = {{"start", "0"},
                              {"end", std::to_string(NowNs() + kNs)}};
  Result<nlohmann::json> names =
      ApiData(addr_, "/loki/api/v1/labels", since_epoch);
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  for (const char* n : {"app", "filename", "host", "level", "source"}) {
    EXPECT_NE(std::find(names->begin(), names->end(), n), names->end())
        << n << " missing from " << names->dump();
  }
  Result<nlohmann::json> sources =
      ApiData(addr_, "/loki/api/v1/label/source/values", since_epoch);
  ASSERT_TRUE(sources.ok()) << sources.status().ToString();
  for (const char* s : {"app", "linux", "ssh"}) {
    EXPECT_NE(std::find(sources->begin(), sources->end(), s), sources->end())
        << s << " missing from " << sources->dump();
  }
  // With `query`: only the values of matching streams.
  Params q = since_epoch;
  q.push_back({"query", "{source=\"ssh\"}"});
  Result<nlohmann::json> apps =
      ApiData(addr_, "/loki/api/v1/label/app/values", q);
  ASSERT_TRUE(apps.ok()) << apps.status().ToString();
  EXPECT_EQ(*apps, nlohmann::json::array({"sshd"}));
  q.back().second = "{source=\"linux\"}";
  apps = ApiData(addr_, "/loki/api/v1/label/app/values", q);
  ASSERT_TRUE(apps.ok());
  std::set<std::string> linux_apps;
  for (const std::string& l : linux_) {
    linux_apps.insert(ReadSyslogLine(l, 2000).app);
  }
  linux_apps.erase("");
  EXPECT_EQ(apps->get<std::set<std::string>>(), linux_apps);

  Params sp = since_epoch;
  sp.push_back({"match[]", "{source=\"ssh\", filename=~\".*/ssh.log\"}"});
  Result<nlohmann::json> series = ApiData(addr_, "/loki/api/v1/series", sp);
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  EXPECT_EQ(*series, nlohmann::json::parse(
                         R"([{"app":"sshd","filename":")" + logs_ +
                         R"(/ssh.log","host":"LabSZ","source":"ssh"}])"));

  // A bad query: 400 with the parser's message.
  Result<HttpAnswer> bad =
      Fetch(addr_, "/loki/api/v1/query_range", {{"query", "{source=\"ssh\""}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("parse error at line 1, col 14"), std::string::npos)
      << bad->body;
  // A log query at an instant: 400, as Loki answers.
  bad = Fetch(addr_, "/loki/api/v1/query", {{"query", "{source=\"ssh\"}"}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("log queries are not supported as an instant"),
            std::string::npos)
      << bad->body;

  // direction and limit: the oldest 5 forward, the newest 5 backward.
  const std::string sel = "{source=\"ssh\", filename=~\".*/ssh.log\"}";
  Result<std::vector<StoredLine>> fw =
      QueryLines(addr_, sel, 0, NowNs(), 5, true);
  ASSERT_TRUE(fw.ok()) << fw.status().ToString();
  EXPECT_EQ(Lines(*fw),
            std::vector<std::string>(ssh_.begin(), ssh_.begin() + 5));
  Result<std::vector<StoredLine>> bw =
      QueryLines(addr_, sel, 0, NowNs(), 5, false);
  ASSERT_TRUE(bw.ok()) << bw.status().ToString();
  std::vector<std::string> newest(ssh_.rbegin(), ssh_.rbegin() + 5);
  EXPECT_EQ(Lines(*bw), newest);
  // Over the limit Loki allows: refused, not cut silently.
  Result<HttpAnswer> big =
      Fetch(addr_, "/loki/api/v1/query_range",
            {{"query", sel}, {"start", "0"}, {"limit", "1000000"}});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 400) << big->body.substr(0, 300);
}

TEST_F(LogsAgentTest, TailRouteStreamsALineWrittenMeanwhile) {
  WaitLines("{source=\"app\"}", 1);
  const std::string marker = "tail-probe-" + std::to_string(NowNs());
  std::thread writer([&] {
    SleepMs(300);
    EXPECT_TRUE(WriteText(logs_ + "/app.log",
                          "level=info msg=\"" + marker + "\" duration_ms=1\n",
                          true));
  });
  Result<HttpAnswer> a =
      Fetch(addr_, "/loki/api/v1/tail",
            {{"query", "{source=\"app\"} |= \"" + marker + "\""},
             {"follow_seconds", "1"}});
  writer.join();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->status, 200) << a->body;
  int hits = 0;
  for (const std::string& frame : SplitLines(a->body)) {
    if (frame.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(frame, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << frame;
    ASSERT_TRUE(j.contains("streams")) << frame;
    std::vector<StoredLine> lines;
    std::string why;
    for (const auto& s : j["streams"]) {
      ASSERT_TRUE(AppendStream(s, &lines, &why)) << why;
    }
    for (const StoredLine& l : lines) {
      EXPECT_NE(l.line.find(marker), std::string::npos) << l.line;
      ++hits;
    }
  }
  EXPECT_EQ(hits, 1) << a->body;
  // app.log got a line the app metric tests must count too.
  app_.push_back({"info", 1, "", ""});
}

// A minimal RFC 6455 client over a raw socket, as Grafana's live tailing
// connects: upgrade, then read server text frames.
class WebSocketClient {
 public:
  ~WebSocketClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Connects to 127.0.0.1:port and upgrades `path`; returns the response
  // head ("" on failure).
  std::string Upgrade(int port, const std::string& path) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      return "";
    }
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    const std::string req = "GET " + path +
                            " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\n\r\n";
    if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(req.size())) {
      return "";
    }
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return "";
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    return head;
  }
  // The payload of the next frame, or nullopt on timeout or close.
  std::optional<std::string> NextFrame() {
    while (buf_.size() < 2) {
      if (!Fill()) return std::nullopt;
    }
    uint64_t n = static_cast<unsigned char>(buf_[1]) & 0x7F;
    size_t off = 2;
    if (n == 126 || n == 127) {
      const size_t len_bytes = n == 126 ? 2 : 8;
      while (buf_.size() < 2 + len_bytes) {
        if (!Fill()) return std::nullopt;
      }
      n = 0;
      for (size_t i = 0; i < len_bytes; ++i) {
        n = n << 8 | static_cast<unsigned char>(buf_[2 + i]);
      }
      off += len_bytes;
    }
    while (buf_.size() < off + n) {
      if (!Fill()) return std::nullopt;
    }
    std::string payload = buf_.substr(off, n);
    buf_.erase(0, off + n);
    return payload;
  }

 private:
  bool Fill() {
    char tmp[65536];
    ssize_t r = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (r <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(r));
    return true;
  }
  int fd_ = -1;
  std::string buf_;
};

TEST_F(LogsAgentTest, TailOverAWebSocketAsGrafanaLiveDoes) {
  WaitLines("{source=\"app\"}", 1);
  const std::string marker = "ws-probe-" + std::to_string(NowNs());
  const int port = std::stoi(addr_.substr(addr_.rfind(':') + 1));
  WebSocketClient ws;
  std::string head = ws.Upgrade(
      port, PathWithParams("/loki/api/v1/tail",
                           {{"query", "{source=\"app\"} |= \"" + marker + "\""},
                            {"limit", "10"}}));
  ASSERT_NE(head.find("101"), std::string::npos) << head;
  // RFC 6455's example key gives this accept value.
  EXPECT_NE(head.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos)
      << head;
  ASSERT_TRUE(WriteText(logs_ + "/app.log",
                        "level=info msg=\"" + marker + "\" duration_ms=2\n",
                        true));
  app_.push_back({"info", 2, "", ""});
  int hits = 0;
  for (int frames = 0; frames < 10 && hits == 0; ++frames) {
    std::optional<std::string> f = ws.NextFrame();
    ASSERT_TRUE(f.has_value()) << "no frame within 10 s";
    nlohmann::json j = nlohmann::json::parse(*f, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << *f;
    ASSERT_TRUE(j.contains("streams")) << *f;
    for (const auto& s : j["streams"]) {
      for (const auto& v : s["values"]) {
        EXPECT_NE(v[1].get<std::string>().find(marker), std::string::npos);
        ++hits;
      }
    }
  }
  EXPECT_EQ(hits, 1);
}

TEST_F(LogsAgentTest, ProcessorsDropAndRedactStoredLines) {
  std::vector<std::string> want;
  for (const AppLine& a : app_) {
    if (a.raw.empty()) continue;  // The tail probe.
    if (a.level != "debug") want.push_back(a.redacted);
  }
  std::vector<StoredLine> got =
      WaitLines("{source=\"app\"} |= \"first request\"", want.size());
  EXPECT_EQ(Lines(got).size(), want.size());
  std::vector<std::string> have = Lines(got);
  std::sort(have.begin(), have.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(have, want);
  for (const StoredLine& l : got) {
    EXPECT_EQ(l.line.find("hunter"), std::string::npos) << l.line;
    EXPECT_EQ(l.line.find("@example.com"), std::string::npos) << l.line;
    EXPECT_NE(l.labels.at("level"), "debug") << l.line;
  }
}

TEST_F(LogsAgentTest, LogMetricsMatchTheInput) {
  std::map<std::string, double> by_level;
  double count = 0, sum = 0;
  std::map<std::string, double> buckets;  // le -> cumulative count
  for (const AppLine& a : app_) {
    if (a.level == "debug") continue;  // Dropped before the metrics.
    by_level[a.level] += 1;
    const double v = a.duration_ms * 0.001;
    count += 1;
    sum += v;
    for (const char* le : {"0.01", "0.1", "1"}) {
      if (v <= std::stod(le)) buckets[le] += 1;
    }
    buckets["+Inf"] += 1;
  }
  auto vector_of = [&](const std::string& expr, const std::string& label) {
    std::map<std::string, double> out;
    Result<nlohmann::json> d =
        ApiData(addr_, "/api/v1/query", {{"query", expr}});
    if (!d.ok() || (*d)["resultType"] != "vector") return out;
    for (const auto& s : (*d)["result"]) {
      out[s["metric"].value(label, "")] =
          std::stod(s["value"][1].get<std::string>());
    }
    return out;
  };
  std::map<std::string, double> have;
  EXPECT_TRUE(PollUntil(
      kWaitMs,
      [&] {
        have = vector_of("sum by (level) (itest_app_records_total)", "level");
        return have == by_level;
      }))
      << "levels differ: first "
      << (have.empty() ? "none" : have.begin()->first);
  std::map<std::string, double> have_buckets;
  EXPECT_TRUE(PollUntil(kWaitMs, [&] {
    have_buckets =
        vector_of("sum by (le) (itest_app_duration_seconds_bucket)", "le");
    return have_buckets == buckets;
  }));
  for (const auto& [le, n] : buckets) {
    EXPECT_EQ(have_buckets[le], n) << "le=" << le;
  }
  std::map<std::string, double> c =
      vector_of("itest_app_duration_seconds_count", "");
  EXPECT_EQ(c[""], count);
  std::map<std::string, double> s =
      vector_of("itest_app_duration_seconds_sum", "");
  EXPECT_NEAR(s[""], sum, 1e-9);
}

// `tend logs` through the running agent (it finds it by the data dir).
TEST_F(LogsAgentTest, CliSearchTailStatsThroughTheAgent) {
  WaitLines("{source=\"ssh\"}", ssh_.size());
  const std::string tend = LogsTend();
  const std::string& data = agent_->data_dir();
  std::vector<std::string> failed;
  for (const std::string& l : ssh_) {
    if (l.find("Failed password") != std::string::npos) failed.push_back(l);
  }
  ASSERT_GT(failed.size(), 100u);
  SubprocessResult r = Exec(
      {tend, "logs", "search",
       "{source=\"ssh\", filename=~\".*/ssh.log\"} |= \"Failed password\"",
       "--data-dir", data, "--start", "0", "--limit", "5000", "--forward"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  std::vector<std::string> out = SplitLines(r.stdout_data);
  ASSERT_EQ(out.size(), failed.size()) << r.stdout_data.substr(0, 500);
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_GE(out[i].size(), failed[i].size());
    EXPECT_EQ(out[i].substr(out[i].size() - failed[i].size()), failed[i]);
    EXPECT_NE(out[i].find("source=\"ssh\""), std::string::npos) << out[i];
  }

  r = Exec({tend, "logs", "search",
            "{source=\"ssh\", filename=~\".*/ssh.log\"}", "--data-dir", data,
            "--start", "0", "--limit", "3", "--forward", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  out = SplitLines(r.stdout_data);
  ASSERT_EQ(out.size(), 3u) << r.stdout_data;
  Result<std::vector<StoredLine>> api = QueryLines(
      addr_, "{source=\"ssh\", filename=~\".*/ssh.log\"}", 0, NowNs(), 3);
  ASSERT_TRUE(api.ok());
  for (size_t i = 0; i < out.size(); ++i) {
    nlohmann::json j = nlohmann::json::parse(out[i], nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << out[i];
    EXPECT_EQ(j["line"], ssh_[i]);
    SyslogLine want = ReadSyslogLine(ssh_[i], LocalYear((*api)[i].t_ns));
    time_t secs = static_cast<time_t>(want.t_ns / kNs);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
    EXPECT_EQ(j["time"], buf);
    EXPECT_EQ(j["labels"]["source"], "ssh");
    EXPECT_EQ(j["labels"]["app"], "sshd");
    EXPECT_EQ(j["labels"]["filename"], logs_ + "/ssh.log");
    EXPECT_EQ(j["fields"]["app"], "sshd");
    EXPECT_EQ(j["fields"]["host"], "LabSZ");
    EXPECT_EQ(j["fields"]["pid"], want.pid);
  }

  // tail: the newest lines of the app source (receive times: recent).
  // Both lines are read in one poll and share their receive time; tail
  // must still print them in file order, as `search --forward` does.
  ASSERT_TRUE(WriteText(logs_ + "/app.log",
                        "level=warn msg=\"cli tail one\" duration_ms=5\n"
                        "level=warn msg=\"cli tail two\" duration_ms=5\n",
                        true));
  app_.push_back({"warn", 5, "", ""});
  app_.push_back({"warn", 5, "", ""});
  WaitLines("{source=\"app\"} |= \"cli tail\"", 2);
  r = Exec({tend, "logs", "tail", "{source=\"app\"}", "--limit", "2",
            "--data-dir", data});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  out = SplitLines(r.stdout_data);
  ASSERT_EQ(out.size(), 2u) << r.stdout_data;
  EXPECT_NE(out[0].find("cli tail one"), std::string::npos) << out[0];
  EXPECT_NE(out[1].find("cli tail two"), std::string::npos) << out[1];

  r = Exec({tend, "logs", "stats", "--data-dir", data, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  nlohmann::json st = nlohmann::json::parse(r.stdout_data, nullptr, false);
  ASSERT_FALSE(st.is_discarded()) << r.stdout_data;
  // As many streams as the series API lists (ssh-late.log adds one when
  // FileCreatedLaterIsPickedUp ran in this process).
  Result<nlohmann::json> ssh_series =
      ApiData(addr_, "/loki/api/v1/series",
              {{"match[]", "{source=\"ssh\"}"},
               {"start", "0"},
               {"end", std::to_string(NowNs() + kNs)}});
  ASSERT_TRUE(ssh_series.ok()) << ssh_series.status().ToString();
  ASSERT_GE(ssh_series->size(), 1u);
  EXPECT_EQ(st["streams_per_source"]["ssh"], ssh_series->size());
  ASSERT_TRUE(st.contains("agent")) << r.stdout_data;
  bool saw_linux = false;
  for (const auto& s : st["agent"]["sources"]) {
    if (s["name"] == "linux") {
      saw_linux = true;
      EXPECT_EQ(s["stored"], 2000) << s.dump();
    }
  }
  EXPECT_TRUE(saw_linux) << r.stdout_data;
  r = Exec({tend, "logs", "stats", "--data-dir", data});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("source linux"), std::string::npos)
      << r.stdout_data;
}

// Restarts, local reads and import, each on an agent of its own.
class LogsRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logs_ = dir_.path() + "/logs";
    data_ = dir_.path() + "/data";
    ASSERT_EQ(::mkdir(logs_.c_str(), 0755), 0);
    config_ = dir_.path() + "/tend.yml";
    ASSERT_TRUE(WriteText(config_, R"(agent:
  interval: 1s
collectors:
  processes:
    enabled: false
logs:
  commit_interval: 50ms
  sources:
    - name: r
      paths: [")" + logs_ + R"(/r.log"]
      start_at: beginning
    - name: recent
      paths: [")" + logs_ + R"(/recent.log"]
      parser: raw
      start_at: beginning
)"));
    agent_ = std::make_unique<LogsAgent>(dir_.path(), config_, data_);
  }
  void TearDown() override {
    if (HasFailure()) {
      std::fprintf(stderr, "--- agent log ---\n%s\n",
                   agent_->LastLog().c_str());
    }
  }

  std::vector<StoredLine> WaitCount(const std::string& query, size_t n) {
    std::vector<StoredLine> got;
    EXPECT_TRUE(PollUntil(kWaitMs,
                          [&] {
                            Result<std::vector<StoredLine>> r = QueryLines(
                                agent_->addr(), query, 0, NowNs() + 3600 * kNs);
                            if (!r.ok()) return false;
                            got = std::move(*r);
                            return got.size() >= n;
                          }))
        << got.size() << " of " << n;
    return got;
  }

  TempDir dir_;
  std::string logs_, data_, config_;
  std::unique_ptr<LogsAgent> agent_;
};

std::vector<std::string> StoredText(const std::vector<StoredLine>& v) {
  std::vector<std::string> out;
  for (const StoredLine& l : v) out.push_back(l.line);
  return out;
}

TEST_F(LogsRestartTest, RestartsLoseAndRepeatNothingThenCliReadsLocally) {
  const std::vector<std::string> ssh = Loghub("OpenSSH_2k.log");
  const std::string r_log = logs_ + "/r.log";
  ASSERT_TRUE(WriteText(r_log, Crlf({ssh.begin(), ssh.begin() + 1000})));
  ASSERT_TRUE(agent_->Start()) << agent_->LastLog();
  EXPECT_EQ(WaitCount("{source=\"r\"}", 1000).size(), 1000u);
  int st = agent_->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;

  // Written while the agent is down: read once after the restart.
  ASSERT_TRUE(
      WriteText(r_log, Crlf({ssh.begin() + 1000, ssh.begin() + 1500}), true));
  ASSERT_TRUE(agent_->Start()) << agent_->LastLog();
  std::vector<StoredLine> got = WaitCount("{source=\"r\"}", 1500);
  SleepMs(300);  // Time for a wrong re-read to show.
  got = WaitCount("{source=\"r\"}", 1500);
  EXPECT_EQ(StoredText(got),
            std::vector<std::string>(ssh.begin(), ssh.begin() + 1500));

  // kill -9 while lines arrive, then a restart: still each once.
  for (int i = 1500; i < 2000; i += 100) {
    ASSERT_TRUE(
        WriteText(r_log, Crlf({ssh.begin() + i, ssh.begin() + i + 100}), true));
    SleepMs(20);
  }
  st = agent_->Stop(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(st)) << st;
  ASSERT_TRUE(agent_->Start()) << agent_->LastLog();
  got = WaitCount("{source=\"r\"}", 2000);
  SleepMs(300);
  got = WaitCount("{source=\"r\"}", 2000);
  EXPECT_EQ(StoredText(got), ssh);

  ASSERT_TRUE(
      WriteText(logs_ + "/recent.log", "recent line one\nrecent line two\n"));
  WaitCount("{source=\"recent\"}", 2);

  // Import refuses a data dir an agent owns, saying why.
  const std::string tend = LogsTend();
  SubprocessResult r =
      Exec({tend, "logs", "import", std::string(kLoghub) + "Linux_2k.log",
            "--source", "imp", "--data-dir", data_});
  EXPECT_EQ(r.exit_code, 1) << r.stdout_data << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("stop the agent"), std::string::npos)
      << r.stderr_data;

  st = agent_->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;

  // No agent: the CLI reads the data dir itself.
  r = Exec({tend, "logs", "search", "{source=\"r\"}", "--data-dir", data_,
            "--start", "0", "--limit", "5000", "--forward"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  std::vector<std::string> out = SplitLines(r.stdout_data);
  ASSERT_EQ(out.size(), ssh.size());
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_GE(out[i].size(), ssh[i].size());
    ASSERT_EQ(out[i].substr(out[i].size() - ssh[i].size()), ssh[i]);
  }
  r = Exec({tend, "logs", "search", "{source=\"r\"} |= \"Failed password\"",
            "--data-dir", data_, "--start", "0", "--limit", "5000", "-o",
            "json"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  size_t failed = 0;
  for (const std::string& l : ssh) {
    failed += l.find("Failed password") != std::string::npos;
  }
  out = SplitLines(r.stdout_data);
  EXPECT_EQ(out.size(), failed);
  for (const std::string& o : out) {
    nlohmann::json j = nlohmann::json::parse(o, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << o;
    EXPECT_EQ(j["labels"]["source"], "r");
    EXPECT_EQ(j["fields"]["app"], "sshd");
  }
  // Same receive time for both lines: file order expected.
  r = Exec({tend, "logs", "tail", "{source=\"recent\"}", "--limit", "2",
            "--data-dir", data_});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  out = SplitLines(r.stdout_data);
  ASSERT_EQ(out.size(), 2u) << r.stdout_data;
  EXPECT_NE(out[0].find("recent line one"), std::string::npos) << out[0];
  EXPECT_NE(out[1].find("recent line two"), std::string::npos) << out[1];
  r = Exec({tend, "logs", "stats", "--data-dir", data_, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  nlohmann::json st_json = nlohmann::json::parse(r.stdout_data, nullptr, false);
  ASSERT_FALSE(st_json.is_discarded()) << r.stdout_data;
  EXPECT_EQ(st_json["streams_per_source"]["r"], 1) << r.stdout_data;
  EXPECT_EQ(st_json["streams_per_source"]["recent"], 1) << r.stdout_data;

  // Import into a fresh data dir, then search it.
  const std::string fresh = dir_.path() + "/fresh";
  const std::vector<std::string> linux = Loghub("Linux_2k.log");
  r = Exec({tend, "logs", "import", std::string(kLoghub) + "Linux_2k.log",
            "--source", "imp", "--data-dir", fresh});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_NE(r.stdout_data.find("imported 2000 lines (2000 stored"),
            std::string::npos)
      << r.stdout_data;
  r = Exec({tend, "logs", "search", "{source=\"imp\"}", "--data-dir", fresh,
            "--start", "0", "--limit", "5000", "--forward"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  out = SplitLines(r.stdout_data);
  ASSERT_EQ(out.size(), linux.size());
  std::multiset<std::string> want(linux.begin(), linux.end());
  for (const std::string& o : out) {
    // "TIME {labels} line": the line follows the labels' closing brace.
    const size_t brace = o.find("} ");
    ASSERT_NE(brace, std::string::npos) << o;
    auto it = want.find(o.substr(brace + 2));
    ASSERT_NE(it, want.end()) << "not in the file, or twice: " << o;
    want.erase(it);
    EXPECT_NE(o.find("source=\"imp\""), std::string::npos) << o;
  }
  EXPECT_TRUE(want.empty());
}

}  // namespace
}  // namespace tend::testing
