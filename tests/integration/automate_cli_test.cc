// `tend apply` as a user runs it: exit codes, the text and JSON reports,
// errors with file:line:column for bad input, the run recorded in the
// state database, check mode and --diff on real files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/subprocess.h"
#include "harness.h"

namespace tend::testing {
namespace {

using ::testing::HasSubstr;

class ApplyCliTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  SubprocessResult Apply(std::vector<std::string> args) {
    SubprocessOptions o;
    o.argv = {TendBinary(), "apply"};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.working_dir = dir_.path();
    o.timeout_ms = 120000;
    auto r = RunSubprocess(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SubprocessResult{};
  }
  TempDir dir_;
};

TEST_F(ApplyCliTest, RunsChecksAndDiffsRealFiles) {
  const std::string root = dir_.path() + "/root";
  mkdir(root.c_str(), 0755);
  std::string pb = Write("site.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: {content: "port=80\n", dest: "{{ root }}/app.conf"}
    - lineinfile: {path: "{{ root }}/workers.conf", line: "workers=4", create: true}
)");
  // Check mode on a fresh tree: predicts two changes, writes nothing.
  SubprocessResult check =
      Apply({pb, "-e", "root=" + root, "--check", "--diff"});
  EXPECT_EQ(check.exit_code, 0) << check.stdout_data << check.stderr_data;
  EXPECT_THAT(check.stdout_data, HasSubstr("changed=2"));
  EXPECT_THAT(check.stdout_data, HasSubstr("+port=80"));
  struct stat st;
  EXPECT_NE(stat((root + "/app.conf").c_str(), &st), 0);
  // The real run changes what check mode said.
  SubprocessResult run = Apply({pb, "-e", "root=" + root});
  EXPECT_EQ(run.exit_code, 0) << run.stdout_data << run.stderr_data;
  EXPECT_THAT(run.stdout_data, HasSubstr("changed=2"));
  EXPECT_EQ(Read(root + "/app.conf"), "port=80\n");
  EXPECT_EQ(Read(root + "/workers.conf"), "workers=4\n");
  // Second run: nothing to do, and check mode agrees.
  SubprocessResult again = Apply({pb, "-e", "root=" + root, "--check"});
  EXPECT_THAT(again.stdout_data, HasSubstr("ok=2    changed=0"));
}

TEST_F(ApplyCliTest, JsonReportAndRecordedRun) {
  const std::string data = dir_.path() + "/data";
  mkdir(data.c_str(), 0755);
  std::string pb = Write("p.yml", R"(
- hosts: localhost
  gather_facts: false
  tasks:
    - debug: msg="hello {{ who }}"
    - fail: msg=stop
      when: who == 'nobody'
)");
  SubprocessResult r =
      Apply({pb, "-e", "who=world", "-o", "json", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  auto doc = nlohmann::json::parse(r.stdout_data, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.stdout_data;
  EXPECT_EQ(doc["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"],
            "hello world");
  EXPECT_EQ(doc["plays"][0]["tasks"][1]["hosts"]["localhost"]["outcome"],
            "skipped");
  EXPECT_EQ(doc["stats"]["localhost"]["ok"], 1);
  EXPECT_EQ(doc["stats"]["localhost"]["skipped"], 1);
  // A failing run exits 1 and is recorded as failed.
  SubprocessResult f = Apply({pb, "-e", "who=nobody", "--data-dir", data});
  EXPECT_EQ(f.exit_code, 1);
  EXPECT_THAT(f.stdout_data, HasSubstr("fatal: [localhost]: FAILED! => "
                                       "{\"changed\": false, \"msg\": "
                                       "\"stop\"}"));
  SubprocessOptions o;
  o.argv = {TendBinary(), "events", "--kind", "apply",
            "--data-dir", data,     "-o",     "json"};
  auto ev = RunSubprocess(o);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->exit_code, 0) << ev->stderr_data;
  EXPECT_THAT(ev->stdout_data, HasSubstr("\"outcome\": \"ok\""));
  EXPECT_THAT(ev->stdout_data, HasSubstr("\"outcome\": \"failed\""));
  EXPECT_THAT(ev->stdout_data, HasSubstr(pb));
}

struct BadInput {
  const char* name;
  const char* playbook;
  int exit_code;
  const char* want;  // with FILE standing for the playbook's path
};

TEST_F(ApplyCliTest, BadInputSaysFileLineColumn) {
  const BadInput cases[] = {
      {"yaml", "- hosts: all\n  tasks:\n    - debug: {msg: [1, 2}\n", 2,
       "FILE:3:"},
      {"module", "- hosts: localhost\n  tasks:\n    - copyy: {dest: /tmp/x}\n",
       2,
       "FILE:3:7: 'copyy' is neither a task keyword nor a supported module "
       "(did you mean 'copy'?)"},
      {"parameter",
       "- hosts: localhost\n  tasks:\n    - file: {path: /tmp/x, stat: "
       "touch}\n",
       2,
       "FILE:3:28: unsupported parameter 'stat' for module 'file' (did you "
       "mean 'state'?)"},
      {"undefined",
       "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug:\n"
       "        msg: \"value {{ missing_var }}\"\n",
       1, "FILE:5:24: 'missing_var' is undefined"},
      {"template",
       "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug:\n"
       "        msg: \"{{ 1 + }}\"\n",
       1, "FILE:5:"},
      {"filter",
       "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug:\n"
       "        msg: \"{{ 'a' | uper }}\"\n",
       1, "FILE:5:24: no filter named 'uper'; did you mean 'upper'?"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.name);
    std::string pb = Write(std::string(c.name) + ".yml", c.playbook);
    SubprocessResult r = Apply({pb});
    EXPECT_EQ(r.exit_code, c.exit_code) << r.stdout_data << r.stderr_data;
    std::string want = c.want;
    if (size_t f = want.find("FILE"); f != std::string::npos) {
      want.replace(f, 4, pb);
    }
    EXPECT_THAT(r.stdout_data + r.stderr_data, HasSubstr(want));
  }
}

TEST_F(ApplyCliTest, UsageErrors) {
  EXPECT_EQ(Apply({}).exit_code, 2);
  EXPECT_EQ(Apply({Write("x.yml", "- hosts: localhost\n  tasks: []\n"),
                   "--forks", "zero"})
                .exit_code,
            2);
  SubprocessResult missing = Apply({dir_.path() + "/none.yml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.stderr_data, HasSubstr("none.yml"));
}

}  // namespace
}  // namespace tend::testing
