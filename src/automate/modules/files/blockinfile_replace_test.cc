// blockinfile and replace. Table rows were run through the real
// ansible-core 2.14 on this machine (`ansible localhost -c local -o -m
// MODULE -a 'path=F ...'`); want/changed/msg are what it produced,
// including blockinfile's quirk of adding a final newline when removing an
// absent block.
#include "automate/modules/files/file_common.h"
#include "automate/modules/files/file_test_util.h"
#include "gmock/gmock.h"

namespace tend::automate::filemod {
namespace {

using ::testing::HasSubstr;

struct Case {
  const char* module;
  const char* content;
  const char* args;
  const char* want;
  bool changed;
  const char* msg;
};

const Case kCases[] = {
    {"blockinfile", "a\nb\n", R"j({"block":"x\ny"})j",
     "a\nb\n# BEGIN ANSIBLE MANAGED BLOCK\nx\ny\n# END ANSIBLE MANAGED "
     "BLOCK\n",
     true, "Block inserted"},
    {"blockinfile",
     "a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\nb\n",
     R"j({"block":"new"})j",
     "a\n# BEGIN ANSIBLE MANAGED BLOCK\nnew\n# END ANSIBLE MANAGED BLOCK\nb\n",
     true, "Block inserted"},
    {"blockinfile",
     "a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\nb\n",
     R"j({"state":"absent"})j", "a\nb\n", true, "Block removed"},
    {"blockinfile", "a\nb\na\n", R"j({"block":"X","insertafter":"^a"})j",
     "a\nb\na\n# BEGIN ANSIBLE MANAGED BLOCK\nX\n# END ANSIBLE MANAGED "
     "BLOCK\n",
     true, "Block inserted"},
    {"blockinfile", "a\nb\na\n", R"j({"block":"X","insertbefore":"^b"})j",
     "a\n# BEGIN ANSIBLE MANAGED BLOCK\nX\n# END ANSIBLE MANAGED BLOCK\nb\n"
     "a\n",
     true, "Block inserted"},
    {"blockinfile", "a\nb",
     R"j({"block":"X","insertbefore":"BOF","marker":"<!-- {mark} -->"})j",
     "<!-- BEGIN -->\nX\n<!-- END -->\na\nb", true, "Block inserted"},
    {"blockinfile", "a\nb", R"j({"state":"absent"})j", "a\nb\n", true,
     "Block removed"},
    {"replace", "a=1\nb=2\na=3\n",
     R"j({"regexp":"^a=(\\d)","replace":"a=<\\1>"})j", "a=<1>\nb=2\na=<3>\n",
     true, "2 replacements made"},
    {"replace", "x\nstart\nfoo\nend\nfoo\n",
     R"j({"regexp":"foo","replace":"bar","after":"start","before":"end"})j",
     "x\nstart\nbar\nend\nfoo\n", true, "1 replacements made"},
    {"replace", "foo\n", R"j({"regexp":"zzz","replace":"y"})j", "foo\n", false,
     ""},
};

class BlockReplaceTest : public FileModuleTest {
 protected:
  std::unique_ptr<Module> block_ = NewBlockinfileModule();
  std::unique_ptr<Module> replace_ = NewReplaceModule();
  Module& M(std::string_view name) {
    return name == "replace" ? *replace_ : *block_;
  }
  Value A(std::string_view json) {
    Value v = J(json);
    v["path"] = P("t/f");
    return v;
  }
};

TEST_F(BlockReplaceTest, MatchesAnsibleOnEveryCase) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string(c.module) + " " + c.args);
    Put("t/f", c.content);
    ModuleResult check = Run(M(c.module), A(c.args), true);
    EXPECT_FALSE(check.failed) << check.msg;
    EXPECT_EQ(check.changed, c.changed);
    EXPECT_EQ(Get("t/f"), c.content);
    ModuleResult r = Run(M(c.module), A(c.args));
    EXPECT_FALSE(r.failed) << r.msg;
    EXPECT_EQ(r.changed, c.changed);
    EXPECT_EQ(r.msg, c.msg);
    EXPECT_EQ(Get("t/f"), c.want);
    if (c.changed) {
      ASSERT_FALSE(r.diffs.empty());
      EXPECT_EQ(r.diffs[0].before, c.content);
      EXPECT_EQ(r.diffs[0].after, c.want);
    }
  }
}

TEST_F(BlockReplaceTest, BlockinfileConverges) {
  Put("t/f", "a\n");
  ExpectConverges(*block_,
                  A(R"j({"block":"x\ny\n","marker":"# {mark} tend"})j"));
  EXPECT_EQ(Get("t/f"), "a\n# BEGIN tend\nx\ny\n# END tend\n");
  ExpectConverges(*block_,
                  A(R"j({"state":"absent","marker":"# {mark} tend"})j"));
  EXPECT_EQ(Get("t/f"), "a\n");
  Value create = A(R"j({"block":"z","create":true})j");
  create["path"] = P("t/new");
  ModuleResult r = ExpectConverges(*block_, create);
  EXPECT_EQ(r.msg, "File created");
}

TEST_F(BlockReplaceTest, ReplaceConvergesAndBacksUp) {
  Put("t/f", "listen 80\nlisten 8080\n");
  Value args = A(R"j({"regexp":"^listen 80$","replace":"listen 81",
                     "backup":true})j");
  ModuleResult r = ExpectConverges(*replace_, args);
  EXPECT_EQ(Get("t/f"), "listen 81\nlisten 8080\n");
  ASSERT_TRUE(r.data.contains("backup_file"));
  EXPECT_EQ(
      Get(r.data["backup_file"].get<std::string>().substr(root_.size() + 1)),
      "listen 80\nlisten 8080\n");
}

TEST_F(BlockReplaceTest, Errors) {
  ModuleResult r = Run(*replace_, A(R"j({"regexp":"a"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "Path " + P("t/f") + " does not exist !");
  Put("t/f", "a\n");
  r = Run(*replace_, A(R"j({"regexp":"(a)\\1"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("backreferences"));
  r = Run(*replace_, A(R"j({"regexp":"a","replace":"\\9"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("invalid group reference"));
  r = Run(*replace_, A(R"j({"replace":"x"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("missing required parameter 'regexp'"));
  r = Run(*replace_, A(R"j({"regexp":"a","after":"zzz"})j"));
  EXPECT_FALSE(r.failed);
  EXPECT_FALSE(r.changed);
  EXPECT_THAT(r.msg, HasSubstr("Pattern for before/after params did not "
                               "match"));
  r = Run(*block_, A(R"j({"block":"x","insertafter":"(?!x)"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("insertafter: invalid regular expression"));
  Value missing = A(R"j({"block":"x"})j");
  missing["path"] = P("t/none");
  r = Run(*block_, missing);
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "Path " + P("t/none") + " does not exist !");
  EXPECT_EQ(Get("t/f"), "a\n");
}

}  // namespace
}  // namespace tend::automate::filemod
