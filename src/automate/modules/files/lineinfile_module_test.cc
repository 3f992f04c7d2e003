// lineinfile. The table holds cases run through the real ansible-core 2.14
// on this machine (`ansible localhost -c local -o -m lineinfile -a
// 'path=F ...'` on a file with the given content); the expected content,
// changed flag and msg are what it produced.
#include <filesystem>

#include "automate/modules/files/file_common.h"
#include "automate/modules/files/file_test_util.h"
#include "gmock/gmock.h"

namespace tend::automate::filemod {
namespace {

using ::testing::HasSubstr;

struct Case {
  const char* content;
  const char* args;  // JSON, without path
  const char* want;
  bool changed;
  const char* msg;
};

const Case kCases[] = {
    {"a\nb\nc\n", R"j({"line":"d"})j", "a\nb\nc\nd\n", true, "line added"},
    {"a\nb\nc\n", R"j({"line":"b"})j", "a\nb\nc\n", false, ""},
    {"a\nb\nc", R"j({"line":"c"})j", "a\nb\nc\n", true, "line replaced"},
    {"a=1\nb=2\na=3\n", R"j({"regexp":"^a=","line":"a=9"})j", "a=1\nb=2\na=9\n",
     true, "line replaced"},
    {"a=1\nb=2\na=3\n", R"j({"regexp":"^a=","line":"a=9","firstmatch":true})j",
     "a=9\nb=2\na=3\n", true, "line replaced"},
    {"a\nb\na\n", R"j({"insertafter":"^a","line":"X"})j", "a\nb\na\nX\n", true,
     "line added"},
    {"a\nb\na\n", R"j({"insertafter":"^a","line":"X","firstmatch":true})j",
     "a\nX\nb\na\n", true, "line added"},
    {"a\nb\na\n", R"j({"insertbefore":"^a","line":"X"})j", "a\nb\nX\na\n", true,
     "line added"},
    {"a\nb\na\n", R"j({"insertbefore":"^a","line":"X","firstmatch":true})j",
     "X\na\nb\na\n", true, "line added"},
    {"a\nb\n", R"j({"insertbefore":"BOF","line":"X"})j", "X\na\nb\n", true,
     "line added"},
    {"a\nb\n", R"j({"insertafter":"^zzz","line":"X"})j", "a\nb\nX\n", true,
     "line added"},
    {"a\nX\n", R"j({"insertafter":"^a","line":"X"})j", "a\nX\n", false, ""},
    {"k=v1\n", R"j({"regexp":"^k=(.*)$","line":"k=\\1-new","backrefs":true})j",
     "k=v1-new\n", true, "line replaced"},
    {"k=v1\n", R"j({"regexp":"^z=(.*)$","line":"z=\\1","backrefs":true})j",
     "k=v1\n", false, ""},
    {"a\nb\na\n", R"j({"state":"absent","line":"a"})j", "b\n", true,
     "2 line(s) removed"},
    {"port 22\nport 23\n", R"j({"search_string":"port","line":"port 2222"})j",
     "port 22\nport 2222\n", true, "line replaced"},
    {"a\r\nb\r\n", R"j({"line":"b"})j", "a\r\nb\n", true, "line replaced"},
};

class LineinfileTest : public FileModuleTest {
 protected:
  std::unique_ptr<Module> m_ = NewLineinfileModule();
  Value A(std::string_view json) {
    Value v = J(json);
    v["path"] = P("t/f");
    return v;
  }
};

TEST_F(LineinfileTest, MatchesAnsibleOnEveryCase) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.content) + " " + c.args);
    Put("t/f", c.content);
    // Check mode first: the same prediction, nothing written.
    ModuleResult check = Run(*m_, A(c.args), true);
    EXPECT_FALSE(check.failed) << check.msg;
    EXPECT_EQ(check.changed, c.changed);
    EXPECT_EQ(check.msg, c.msg);
    EXPECT_EQ(Get("t/f"), c.content);
    ModuleResult r = Run(*m_, A(c.args));
    EXPECT_FALSE(r.failed) << r.msg;
    EXPECT_EQ(r.changed, c.changed);
    EXPECT_EQ(r.msg, c.msg);
    EXPECT_EQ(Get("t/f"), c.want);
    if (c.changed) {
      ASSERT_FALSE(r.diffs.empty());
      EXPECT_EQ(r.diffs[0].before, c.content);
      EXPECT_EQ(r.diffs[0].after, c.want);
      EXPECT_EQ(r.diffs[0].before_header, P("t/f") + " (content)");
    }
  }
}

TEST_F(LineinfileTest, CreateConvergesAndAttributesJoinTheMessage) {
  Value args = A(R"j({"line":"x=1","create":true,"mode":"0600"})j");
  args["path"] = P("t/new/dir/f");
  ModuleResult r = ExpectConverges(*m_, args);
  EXPECT_EQ(r.msg,
            "line added and ownership, perms or SE linux context "
            "changed");
  EXPECT_EQ(Get("t/new/dir/f"), "x=1\n");
  EXPECT_EQ(Mode("t/new/dir/f"), 0600u);
  Put("t/f", "x\n");
  r = Run(*m_, A(R"j({"line":"x","mode":"0640"})j"));
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.msg, "ownership, perms or SE linux context changed");
}

TEST_F(LineinfileTest, BackupKeepsTheOldText) {
  Put("t/f", "a\n");
  ModuleResult r = Run(*m_, A(R"j({"line":"b","backup":true})j"));
  ASSERT_TRUE(r.changed);
  std::string backup = r.data["backup"];
  ASSERT_FALSE(backup.empty());
  EXPECT_EQ(Get(backup.substr(root_.size() + 1)), "a\n");
}

TEST_F(LineinfileTest, Errors) {
  ModuleResult r = Run(*m_, A(R"j({"line":"x"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "Destination " + P("t/f") + " does not exist !");
  Put("t/f", "a\n");
  r = Run(*m_, A(R"j({"regexp":"(?<=a)b","line":"x"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("regexp: invalid regular expression"));
  r = Run(*m_, A(R"j({"regexp":"a"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "line is required with state=present");
  r = Run(*m_, A(R"j({"line":"x","backrefs":true})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "regexp is required with backrefs=true");
  r = Run(*m_, A(R"j({"state":"absent"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("one of line, search_string, or regexp"));
  r = Run(*m_, A(R"j({"line":"x","insertafter":"a","insertbefore":"b"})j"));
  EXPECT_TRUE(r.failed);
  Value dir = A(R"j({"line":"x"})j");
  dir["path"] = P("t");
  r = Run(*m_, dir);
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "Path " + P("t") + " is a directory !");
  EXPECT_EQ(Get("t/f"), "a\n");
}

TEST_F(LineinfileTest, WritesThroughASymlink) {
  Put("t/real", "a\n");
  std::filesystem::create_symlink("real", P("t/f"));
  ExpectConverges(*m_, A(R"j({"line":"b"})j"));
  EXPECT_EQ(Get("t/real"), "a\nb\n");
  EXPECT_TRUE(std::filesystem::is_symlink(P("t/f")));
}

}  // namespace
}  // namespace tend::automate::filemod
