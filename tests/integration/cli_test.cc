// The CLI as a user runs it: exit codes, messages, help.
#include <gtest/gtest.h>

#include <fstream>

#include "base/subprocess.h"
#include "harness.h"

namespace tend::testing {
namespace {

SubprocessResult Tend(std::vector<std::string> args) {
  SubprocessOptions o;
  o.argv = {TendBinary()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.timeout_ms = 20000;
  Result<SubprocessResult> r = RunSubprocess(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : SubprocessResult();
}

TEST(CliTest, HelpAndVersion) {
  SubprocessResult r = Tend({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"agent", "status", "config", "version"}) {
    EXPECT_NE(r.stdout_data.find(std::string("  ") + cmd), std::string::npos)
        << cmd;
  }
  r = Tend({"agent", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.stdout_data.find("SYNOPSIS"), std::string::npos);
  EXPECT_NE(r.stdout_data.find("/-/reload"), std::string::npos);
  r = Tend({"help", "status"});
  EXPECT_NE(r.stdout_data.find("EXIT STATUS"), std::string::npos);
  r = Tend({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_data.rfind("tend 0.", 0), 0u) << r.stdout_data;
}

TEST(CliTest, UsageErrorsSuggest) {
  SubprocessResult r = Tend({"stauts"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_data.find("did you mean \"status\""), std::string::npos)
      << r.stderr_data;
  r = Tend({"status", "--lisen", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_data.find("did you mean --listen?"), std::string::npos);
  r = Tend({"agent", "--listen", "10.1.2.3:9955", "--data-dir", "/tmp/x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stderr_data.find("loopback"), std::string::npos) << r.stderr_data;
}

TEST(CliTest, StatusWithoutAgentFails) {
  TempDir dir;
  SubprocessResult r =
      Tend({"status", "--listen", "127.0.0.1:" + std::to_string(FreePort())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stderr_data.find("no agent answering at 127.0.0.1:"),
            std::string::npos)
      << r.stderr_data;
}

TEST(CliTest, ConfigCheckReportsPositions) {
  TempDir dir;
  std::string bad = dir.path() + "/bad.yml";
  std::ofstream(bad) << "agent:\n  intervall: 2s\n  listen: 127.0.0.1:9955\n"
                        "collectors:\n  cpu:\n    enabled: maybe\n";
  SubprocessResult r = Tend({"config", "check", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.stderr_data.find(bad + ":2:3: unknown key \"intervall\""),
            std::string::npos)
      << r.stderr_data;
  EXPECT_NE(r.stderr_data.find("did you mean \"interval\""), std::string::npos);
  EXPECT_NE(r.stderr_data.find(bad + ":6:14:"), std::string::npos)
      << r.stderr_data;
}

TEST(CliTest, DefaultConfigChecksClean) {
  TempDir dir;
  SubprocessResult r = Tend({"config", "default"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.stdout_data.find("listen: "), std::string::npos);
  std::string path = dir.path() + "/default.yml";
  std::ofstream(path) << r.stdout_data;
  r = Tend({"config", "check", path});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, path + ": ok\n");
}

TEST(CliTest, ReferenceDocIsCurrent) {
  // docs/configuration.md is generated; it must match the binary.
  SubprocessResult r = Tend({"config", "reference"});
  ASSERT_EQ(r.exit_code, 0);
  std::ifstream in(std::string(std::getenv("TEND_SOURCE_DIR")) +
                   "/docs/configuration.md");
  std::string doc((std::istreambuf_iterator<char>(in)),
                  std::istreambuf_iterator<char>());
  EXPECT_EQ(doc, r.stdout_data)
      << "docs/configuration.md is stale: run `make docs`";
}

}  // namespace
}  // namespace tend::testing
