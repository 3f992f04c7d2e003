#include <gtest/gtest.h>
#include <stdlib.h>

#include "automate/modules/system/module_test_util.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

using testing::ModuleHarness;
using testing::Sh;

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-cmd-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { Sh("rm -rf '" + dir_ + "'"); }

  std::unique_ptr<Module> command_ = NewCommandModule();
  std::unique_ptr<Module> shell_ = NewShellModule();
  ModuleHarness h_;
  std::string dir_;
};

TEST_F(CommandTest, FreeFormRunsWithoutShellAndReportsAnsibleFields) {
  auto r = h_.Run(*command_, Value("printf 'a b\\n\\n' $HOME"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->changed);
  EXPECT_FALSE(r->failed);
  // No shell: $HOME is passed literally and printf ignores the extra arg.
  EXPECT_EQ(r->data["stdout"], "a b");  // trailing newlines stripped
  EXPECT_EQ(r->data["stdout_lines"], Value::array({"a b"}));
  EXPECT_EQ(r->data["cmd"], Value::array({"printf", "a b\\n\\n", "$HOME"}));
  EXPECT_EQ(r->data["rc"], 0);
  std::string delta = r->data["delta"];
  EXPECT_EQ(delta.substr(0, 5), "0:00:");
  std::string start = r->data["start"];
  EXPECT_EQ(start.size(), 26u) << start;  // 2024-01-02 03:04:05.123456
}

TEST_F(CommandTest, NonZeroExitFails) {
  auto r = h_.Run(*shell_, Value("echo out; echo err >&2; exit 3"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->msg, "non-zero return code");
  EXPECT_EQ(r->data["rc"], 3);
  EXPECT_EQ(r->data["stdout"], "out");
  EXPECT_EQ(r->data["stderr"], "err");
  EXPECT_EQ(r->data["cmd"], "echo out; echo err >&2; exit 3");
}

TEST_F(CommandTest, ArgvChdirAndStdin) {
  Value args = {
      {"argv", {"sh", "-c", "pwd; cat"}}, {"chdir", dir_}, {"stdin", "hello"}};
  auto r = h_.Run(*command_, args);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data["stdout"], dir_ + "\nhello");
  Value no_nl = {{"argv", {"od", "-c"}},
                 {"stdin", "x"},
                 {"stdin_add_newline", false},
                 {"strip_empty_ends", false}};
  r = h_.Run(*command_, no_nl);
  ASSERT_TRUE(r.ok());
  std::string out = r->data["stdout"];
  EXPECT_EQ(out.find("\\n"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');  // not stripped
}

TEST_F(CommandTest, CreatesAndRemovesMakeItIdempotent) {
  std::string marker = dir_ + "/made";
  Value args = {{"_raw_params", "touch " + marker}, {"creates", marker}};
  auto check = h_.Run(*command_, args, /*check=*/true);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->changed);
  EXPECT_FALSE(check->skipped);
  EXPECT_EQ(check->msg, "Command would have run if not in check mode");
  EXPECT_TRUE(Sh("test -e " + marker + " || echo missing") == "missing\n");
  auto first = h_.Run(*command_, args);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->changed);
  auto second = h_.Run(*command_, args);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->changed);
  EXPECT_EQ(second->msg, "Did not run command since '" + marker + "' exists");
  EXPECT_EQ(second->data["stdout"], "skipped, since " + marker + " exists");
  // Globs, relative to chdir.
  Value glob = {{"_raw_params", "false"}, {"creates", "ma*"}, {"chdir", dir_}};
  auto g = h_.Run(*command_, glob);
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->changed);
  EXPECT_FALSE(g->failed);
  Value removes = {{"_raw_params", "false"}, {"removes", dir_ + "/nope*"}};
  auto rm = h_.Run(*command_, removes, /*check=*/true);
  ASSERT_TRUE(rm.ok());
  EXPECT_FALSE(rm->changed);
  EXPECT_EQ(rm->msg,
            "Would not run command since '" + dir_ + "/nope*' does not exist");
}

TEST_F(CommandTest, CheckModeWithoutCreatesSkipsAndRunsNothing) {
  std::string marker = dir_ + "/x";
  auto r = h_.Run(*shell_, Value("touch " + marker), /*check=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->skipped);
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(Sh("ls " + dir_), "");
}

TEST_F(CommandTest, ShellExecutableIsUsed) {
  Value args = {{"_raw_params", "echo $0"}, {"executable", "/bin/bash"}};
  auto r = h_.Run(*shell_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data["stdout"], "/bin/bash");
}

TEST_F(CommandTest, BadInputIsAClearFailure) {
  auto none = h_.Run(*command_, Value::object());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->failed);
  EXPECT_EQ(none->msg, "no command given");
  auto both = h_.Run(*command_, Value{{"_raw_params", "ls"}, {"argv", {"ls"}}});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->msg, "only command or argv can be given, not both");
  // As a string the argument layer already rejects it; as a mapping it
  // reaches the command module's own splitting.
  EXPECT_FALSE(h_.Run(*command_, Value("echo 'unterminated")).ok());
  auto quote = h_.Run(*command_, Value{{"_raw_params", "echo 'unterminated"}});
  ASSERT_TRUE(quote.ok());
  EXPECT_TRUE(quote->failed);
  EXPECT_NE(quote->msg.find("No closing quotation"), std::string::npos);
  auto missing = h_.Run(*command_, Value("/nonexistent/prog"));
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->failed);
  auto bad_dir = h_.Run(
      *command_, Value{{"_raw_params", "ls"}, {"chdir", dir_ + "/none"}});
  ASSERT_TRUE(bad_dir.ok());
  EXPECT_TRUE(bad_dir->failed);
  EXPECT_NE(bad_dir->msg.find("Unable to change directory"), std::string::npos);
  auto unknown =
      h_.Run(*command_, Value{{"_raw_params", "ls"}, {"chdri", "/"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("did you mean 'chdir'"),
            std::string::npos)
      << unknown.status().message();
}

TEST(PyFormatTest, TimeDeltaLikePython) {
  EXPECT_EQ(PyTimeDelta(3'655'000), "0:00:00.003655");
  EXPECT_EQ(PyTimeDelta(61'000'000'000), "0:01:01");
  EXPECT_EQ(PyTimeDelta(90'061'000'001'000), "1 day, 1:01:01.000001");
}

}  // namespace
}  // namespace tend::automate::sysmod
