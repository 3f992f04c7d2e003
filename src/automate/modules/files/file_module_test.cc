// The file module. Expected results mirror ansible-core 2.14 on this
// machine: `ansible localhost -c local -o -m file -a '...'` (and --diff in
// a playbook for the diff shapes).
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "automate/modules/files/file_common.h"
#include "automate/modules/files/file_test_util.h"
#include "gmock/gmock.h"

namespace tend::automate::filemod {
namespace {

using ::testing::HasSubstr;

class FileTest : public FileModuleTest {
 protected:
  std::unique_ptr<Module> m_ = NewFileModule();
  Value A(std::string_view json) {
    Value v = J(json);
    if (v.contains("path")) v["path"] = P(v["path"].get<std::string>());
    return v;
  }
};

TEST_F(FileTest, DirectoryWithModeConverges) {
  ModuleResult r = ExpectConverges(
      *m_, A(R"j({"path":"t/d/e","state":"directory","mode":"0750"})j"));
  EXPECT_EQ(Mode("t/d/e"), 0750u);
  EXPECT_EQ(Mode("t/d"), 0750u);  // intermediate directories get it too
  EXPECT_EQ(r.data["path"], P("t/d/e"));
  EXPECT_EQ(r.data["state"], "directory");
  EXPECT_EQ(r.data["mode"], "0750");
  EXPECT_EQ(r.data["uid"], ::geteuid());
  EXPECT_EQ(r.data["owner"], ::getpwuid(::geteuid())->pw_name);
  ASSERT_EQ(r.diffs.size(), 1u);
  EXPECT_THAT(r.diffs[0].before, HasSubstr("\"state\": \"absent\""));
  EXPECT_THAT(r.diffs[0].after, HasSubstr("\"state\": \"directory\""));
}

TEST_F(FileTest, TouchThenModeChangeShowsStateDiff) {
  ModuleResult r =
      Run(*m_, A(R"j({"path":"t/f","state":"touch","mode":"u=rw,g=r"})j"));
  ASSERT_FALSE(r.failed) << r.msg;
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.data["dest"], P("t/f"));
  EXPECT_EQ(r.data["mode"], "0644");  // o=r kept from the umask default
  EXPECT_EQ(r.data["size"], 0);
  // touch changes times on every run, as in Ansible.
  EXPECT_TRUE(Run(*m_, A(R"j({"path":"t/f","state":"touch"})j")).changed);
  // Preserving the times makes it idempotent.
  EXPECT_FALSE(Run(*m_, A(R"j({"path":"t/f","state":"touch",
      "modification_time":"preserve","access_time":"preserve"})j"))
                   .changed);

  Value args = A(R"j({"path":"t/f","state":"file","mode":"0600"})j");
  ModuleResult check = Run(*m_, args, true);
  EXPECT_TRUE(check.changed);
  EXPECT_EQ(Mode("t/f"), 0644u);
  r = Run(*m_, args);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(Mode("t/f"), 0600u);
  ASSERT_EQ(r.diffs.size(), 1u);
  EXPECT_EQ(r.diffs[0].before, "{\n    \"mode\": \"0644\",\n    \"path\": \"" +
                                   P("t/f") + "\"\n}\n");
  EXPECT_EQ(r.diffs[0].after, "{\n    \"mode\": \"0600\",\n    \"path\": \"" +
                                  P("t/f") + "\"\n}\n");
  EXPECT_FALSE(Run(*m_, args).changed);
  // A YAML integer mode (0644 -> 420) is the mode's value.
  Value int_mode = A(R"j({"path":"t/f","mode":420})j");
  EXPECT_TRUE(Run(*m_, int_mode).changed);
  EXPECT_EQ(Mode("t/f"), 0644u);
}

TEST_F(FileTest, TouchConvergesOnCreation) {
  Value args = A(R"j({"path":"t/new","state":"touch","mode":"0640",
      "modification_time":"202001021304.05","access_time":"preserve"})j");
  ExpectConverges(*m_, args);
  EXPECT_EQ(Mode("t/new"), 0640u);
  struct stat s;
  ASSERT_EQ(::stat(P("t/new").c_str(), &s), 0);
  struct tm tm = {};
  tm.tm_year = 120;
  tm.tm_mon = 0;
  tm.tm_mday = 2;
  tm.tm_hour = 13;
  tm.tm_min = 4;
  tm.tm_sec = 5;
  tm.tm_isdst = -1;
  EXPECT_EQ(s.st_mtime, std::mktime(&tm));
}

TEST_F(FileTest, LinkHardAndAbsent) {
  Put("t/f", "x");
  ModuleResult r =
      ExpectConverges(*m_, A(R"j({"path":"t/l","state":"link","src":"f"})j"));
  EXPECT_EQ(std::filesystem::read_symlink(P("t/l")), "f");
  EXPECT_EQ(r.data["dest"], P("t/l"));
  EXPECT_EQ(r.data["src"], "f");
  EXPECT_EQ(r.data["state"], "link");
  EXPECT_EQ(r.data["mode"], "0777");

  // Repointing a link is a change with src in the diff.
  Put("t/g", "y");
  r = Run(*m_, A(R"j({"path":"t/l","state":"link","src":"g"})j"));
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(std::filesystem::read_symlink(P("t/l")), "g");

  Value hard = A(R"j({"path":"t/h","state":"hard"})j");
  hard["src"] = P("t/f");
  r = ExpectConverges(*m_, hard);
  EXPECT_EQ(r.data["state"], "hard");
  EXPECT_EQ(std::filesystem::hard_link_count(P("t/f")), 2u);

  r = ExpectConverges(*m_, A(R"j({"path":"t/h","state":"absent"})j"));
  EXPECT_EQ(r.data["state"], "absent");
  EXPECT_FALSE(Exists("t/h"));

  std::filesystem::create_directories(P("t/tree/a/b"));
  Put("t/tree/a/b/c", "c");
  ExpectConverges(*m_, A(R"j({"path":"t/tree","state":"absent"})j"));
  EXPECT_FALSE(Exists("t/tree"));
}

TEST_F(FileTest, RecurseSetsModesBelow) {
  std::filesystem::create_directories(P("t/r/sub"));
  Put("t/r/a", "a", 0600);
  Put("t/r/sub/b", "b", 0600);
  ExpectConverges(*m_, A(R"j({"path":"t/r","state":"directory","recurse":true,
                             "mode":"u=rwX,g=rX,o=rX"})j"));
  EXPECT_EQ(Mode("t/r/a"), 0644u);
  EXPECT_EQ(Mode("t/r/sub/b"), 0644u);
  EXPECT_EQ(Mode("t/r/sub"), 0755u);
}

// Messages as ansible-core 2.14 prints them.
TEST_F(FileTest, ErrorsAreClear) {
  ModuleResult r = Run(*m_, A(R"j({"path":"t/nope","state":"file"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "file (" + P("t/nope") + ") is absent, cannot continue");

  Put("t/f", "x");
  r = Run(*m_, A(R"j({"path":"t/f","state":"directory"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, P("t/f") + " already exists as a file");

  r = Run(*m_, A(R"j({"path":"t/l","state":"link","src":"missing"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("src file does not exist"));

  r = Run(*m_, A(R"j({"path":"t/f","state":"link","src":"t/f"})j"));
  EXPECT_TRUE(r.failed);

  r = Run(*m_, A(R"j({"path":"t/f","mode":"u=banana"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("mode must be in octal or symbolic form"));

  r = Run(*m_, A(R"j({"path":"t/f","owner":"no-such-user-tend"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "chown failed: failed to look up user no-such-user-tend");

  r = Run(*m_, A(R"j({"path":"t/f","state":"file","recurse":true})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "recurse option requires state to be 'directory'");

  r = Run(*m_, J(R"j({"state":"touch"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("missing required parameter 'path'"));

  r = Run(*m_, A(R"j({"path":"t/f","modification_time":"yesterday"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("Error while obtaining timestamp"));
}

TEST_F(FileTest, OwnerChangeAsRoot) {
  if (::geteuid() != 0 || ::getpwnam("nobody") == nullptr) {
    GTEST_SKIP() << "needs root and the user nobody";
  }
  Put("t/f", "x");
  Value args = A(R"j({"path":"t/f","owner":"nobody"})j");
  ModuleResult r = Run(*m_, args);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.data["owner"], "nobody");
  ASSERT_EQ(r.diffs.size(), 1u);
  EXPECT_THAT(
      r.diffs[0].after,
      HasSubstr("\"owner\": " + std::to_string(::getpwnam("nobody")->pw_uid)));
  EXPECT_FALSE(Run(*m_, args).changed);
}

}  // namespace
}  // namespace tend::automate::filemod
