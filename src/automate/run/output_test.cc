#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "automate/jinja/py_json.h"
#include "automate/run/text_output.h"
#include "automate/run/unified_diff.h"

namespace tend::automate {
namespace {

// Banners and recap lines are compared with what ansible-playbook 2.14
// printed on Debian 12 (not a terminal: 80 columns).
TEST(OutputTest, BannerAndRecapAsAnsible) {
  EXPECT_EQ(Banner("PLAY [localhost]"),
            "PLAY [localhost] "
            "***************************************************************");
  EXPECT_EQ(Banner("TASK [debug]").size(), 80u);
  EXPECT_EQ(Banner(std::string(100, 'x')), std::string(100, 'x') + " ***");
  HostStats s;
  s.ok = 5;
  s.changed = 3;
  s.ignored = 1;
  EXPECT_EQ(RecapLine("localhost", s),
            "localhost                  : ok=5    changed=3    unreachable=0  "
            "  failed=0    skipped=0    rescued=0    ignored=1   ");
}

TEST(OutputTest, PythonJson) {
  Value v = Value::parse(R"({"msg": "hi", "changed": false, "rc": 1,
                            "l": [1, 2.5, null], "e": {}})");
  EXPECT_EQ(
      jinja::PyJsonDumps(v, -1, true),
      R"({"changed": false, "e": {}, "l": [1, 2.5, null], "msg": "hi", "rc": 1})");
  EXPECT_EQ(jinja::PyJsonDumps(Value::parse(R"({"msg": "hi"})"), 4, true),
            "{\n    \"msg\": \"hi\"\n}");
  EXPECT_EQ(jinja::PyJsonDumps(Value(1.0)), "1.0");
  EXPECT_EQ(jinja::PyJsonDumps(Value("a\"b\n\x01")), "\"a\\\"b\\n\\u0001\"");
}

// Expected hunks are what Ansible's --diff (Python difflib) printed for
// the same texts.
TEST(OutputTest, UnifiedDiff) {
  EXPECT_EQ(UnifiedDiffHunks("a\nb\n", "a\nc\nb\n"),
            "@@ -1,2 +1,3 @@\n a\n+c\n b\n");
  EXPECT_EQ(UnifiedDiffHunks("same\n", "same\n"), "");
  EXPECT_EQ(UnifiedDiffHunks("", "new\n"), "@@ -0,0 +1 @@\n+new\n");
  EXPECT_EQ(UnifiedDiffHunks("old\n", ""), "@@ -1 +0,0 @@\n-old\n");
  EXPECT_EQ(UnifiedDiffHunks("x", "y"),
            "@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n"
            "\\ No newline at end of file\n");
  std::string before, after;
  for (int i = 1; i <= 20; ++i) {
    before += std::to_string(i) + "\n";
    after += (i == 3 || i == 17 ? "X" : std::to_string(i)) + "\n";
  }
  // Two changes far apart make two hunks with 3 lines of context.
  EXPECT_EQ(UnifiedDiffHunks(before, after),
            "@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+X\n 4\n 5\n 6\n"
            "@@ -14,7 +14,7 @@\n 14\n 15\n 16\n-17\n+X\n 18\n 19\n 20\n");
}

TEST(OutputTest, TextOutputLines) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  {
    TextOutput out(f);
    out.OnPlayStart("localhost");
    out.OnTaskStart("copy", false);
    TaskResult r;
    r.host = "localhost";
    r.action = "copy";
    r.outcome = Outcome::kChanged;
    r.diffs.push_back(
        FileDiff{"/tmp/o2.txt", "/tmp/o2.txt", "a\nb\n", "a\nc\nb\n"});
    out.OnHostResult(r);
    TaskResult loop;
    loop.host = "localhost";
    loop.action = "file";
    loop.looped = true;
    loop.items.push_back(
        ItemResult{Outcome::kChanged, "a", Value::object(), {}});
    loop.items.push_back(
        ItemResult{Outcome::kSkipped, "b", Value::object(), {}});
    out.OnHostResult(loop);
    TaskResult fail;
    fail.host = "localhost";
    fail.action = "fail";
    fail.outcome = Outcome::kFailed;
    fail.ignored = true;
    fail.result = Value::parse(R"({"msg": "boom x", "changed": false})");
    out.OnHostResult(fail);
    TaskResult dbg;
    dbg.host = "localhost";
    dbg.action = "debug";
    dbg.verbose = true;
    dbg.result = Value::parse(R"({"msg": "hi", "changed": false})");
    out.OnHostResult(dbg);
  }
  std::fclose(f);
  std::string text(buf, len);
  free(buf);
  EXPECT_EQ(
      text,
      "\nPLAY [localhost] "
      "***************************************************************\n"
      "\nTASK [copy] "
      "********************************************************************\n"
      "--- before: /tmp/o2.txt\n+++ after: /tmp/o2.txt\n"
      "@@ -1,2 +1,3 @@\n a\n+c\n b\n\n"
      "changed: [localhost]\n"
      "changed: [localhost] => (item=a)\n"
      "skipping: [localhost] => (item=b) \n"
      "fatal: [localhost]: FAILED! => {\"changed\": false, \"msg\": \"boom "
      "x\"}\n"
      "...ignoring\n"
      "ok: [localhost] => {\n    \"msg\": \"hi\"\n}\n");
}

}  // namespace
}  // namespace tend::automate
