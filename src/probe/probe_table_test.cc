#include "probe/probe_table.h"

#include <gtest/gtest.h>

namespace tend {
namespace {

ProbeSpec Named(ProbeKind kind) {
  ProbeSpec s;
  s.name = "p";
  s.kind = kind;
  return s;
}

std::string Error(const ProbeSpec& spec) {
  Result<std::unique_ptr<Probe>> p = MakeProbe(spec, ProbeDeps());
  return p.ok() ? "" : p.status().message();
}

TEST(ProbeTableTest, KindNamesRoundTrip) {
  for (ProbeKind k :
       {ProbeKind::kHttp, ProbeKind::kTcp, ProbeKind::kExec,
        ProbeKind::kProcess, ProbeKind::kUnit, ProbeKind::kFile}) {
    Result<ProbeKind> parsed = ParseProbeKind(ProbeKindName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, k);
  }
  Result<ProbeKind> bad = ParseProbeKind("icmp");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("known: http, tcp"), std::string::npos);
}

TEST(ProbeTableTest, RejectsMissingRequiredFields) {
  ProbeSpec s = Named(ProbeKind::kHttp);
  EXPECT_EQ(Error(s), "probe \"p\": http.url is required");
  s.http.url = "ftp://x";
  EXPECT_NE(Error(s).find("must start with http://"), std::string::npos);
  EXPECT_EQ(Error(Named(ProbeKind::kTcp)),
            "probe \"p\": tcp.address is required");
  EXPECT_NE(Error(Named(ProbeKind::kExec)).find("exec.argv is required"),
            std::string::npos);
  EXPECT_NE(Error(Named(ProbeKind::kProcess)).find("exactly one of"),
            std::string::npos);
  EXPECT_EQ(Error(Named(ProbeKind::kUnit)),
            "probe \"p\": unit.unit is required");
  EXPECT_NE(Error(Named(ProbeKind::kFile)).find("absolute path"),
            std::string::npos);
  ProbeSpec unnamed;
  unnamed.http.url = "http://127.0.0.1/";
  EXPECT_EQ(Error(unnamed), "probe: name is required");
  ProbeSpec zero = Named(ProbeKind::kHttp);
  zero.http.url = "http://127.0.0.1/";
  zero.interval_ms = 0;
  EXPECT_NE(Error(zero).find("interval"), std::string::npos);
}

TEST(ProbeTableTest, BadValuesNameTheField) {
  ProbeSpec s = Named(ProbeKind::kHttp);
  s.http.url = "http://127.0.0.1/";
  s.http.fail_if_body_matches = {"ok", "(unclosed"};
  std::string e = Error(s);
  EXPECT_NE(e.find("http.fail_if_body_matches: invalid regular expression "
                   "\"(unclosed\""),
            std::string::npos)
      << e;
  s.http.fail_if_body_matches.clear();
  s.http.valid_status_codes = {200, 99};
  EXPECT_NE(Error(s).find("99 is not an HTTP status"), std::string::npos);

  ProbeSpec t = Named(ProbeKind::kTcp);
  for (const char* bad : {"localhost", "::1:80", "host:0", "host:99999",
                          "[::1]80", ":80", "h:8x"}) {
    t.tcp.address = bad;
    EXPECT_NE(Error(t).find("is not host:port"), std::string::npos) << bad;
  }
  for (const char* good : {"localhost:22", "[::1]:80", "127.0.0.1:65535"}) {
    t.tcp.address = good;
    EXPECT_EQ(Error(t), "") << good;
  }

  ProbeSpec p = Named(ProbeKind::kProcess);
  p.process.name = "nginx";
  p.process.pidfile = "/run/nginx.pid";
  EXPECT_NE(Error(p).find("exactly one of"), std::string::npos);
  p.process.pidfile.clear();
  p.process.min_count = 3;
  p.process.max_count = 2;
  EXPECT_NE(Error(p).find("max_count is below"), std::string::npos);

  ProbeSpec x = Named(ProbeKind::kExec);
  x.exec.argv = {"/bin/true"};
  x.exec.valid_exit_codes = {256};
  EXPECT_NE(Error(x).find("256 is not an exit code"), std::string::npos);

  ProbeSpec f = Named(ProbeKind::kFile);
  f.file.path = "/tmp/x";
  f.file.min_size_bytes = 10;
  f.file.max_size_bytes = 5;
  EXPECT_NE(Error(f).find("min_size is above"), std::string::npos);
}

TEST(ProbeTableTest, TargetsAndTimeouts) {
  ProbeSpec s = Named(ProbeKind::kExec);
  s.exec.argv = {"/bin/sh", "-c", "true"};
  EXPECT_EQ(ProbeTarget(s), "/bin/sh -c true");
  s.kind = ProbeKind::kProcess;
  s.process.pidfile = "/run/x.pid";
  EXPECT_EQ(ProbeTarget(s), "pidfile=/run/x.pid");
  s.interval_ms = 15000;
  EXPECT_EQ(EffectiveTimeoutMs(s), 10000);
  s.interval_ms = 2000;
  EXPECT_EQ(EffectiveTimeoutMs(s), 2000);
  s.timeout_ms = 500;
  EXPECT_EQ(EffectiveTimeoutMs(s), 500);
}

TEST(ProbeTableTest, EveryReportedMetricHasHelp) {
  for (const char* name :
       {"probe_success", "probe_http_status_code",
        "probe_ssl_earliest_cert_expiry", "probe_http_duration_seconds",
        "probe_exec_exit_code", "probe_process_count", "probe_unit_state",
        "probe_file_age_seconds"}) {
    EXPECT_FALSE(ProbeMetricHelp(name).empty()) << name;
  }
  EXPECT_TRUE(ProbeMetricHelp("nope").empty());
}

}  // namespace
}  // namespace tend
