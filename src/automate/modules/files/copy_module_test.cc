// copy and template. Expected values mirror ansible-core 2.14 on this
// machine (`ansible localhost -c local -o -m copy -a '...'`): checksums
// and md5sums of "hello", the result keys of a changed and an unchanged
// copy, the trailing-slash rules and the error messages.
#include <filesystem>
#include <fstream>

#include "automate/modules/files/file_common.h"
#include "automate/modules/files/file_test_util.h"
#include "gmock/gmock.h"

namespace tend::automate::filemod {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class CopyTest : public FileModuleTest {
 protected:
  std::unique_ptr<Module> copy_ = NewCopyModule();
  std::unique_ptr<Module> template_ = NewTemplateModule();
  Value A(std::string_view json) {
    Value v = J(json);
    if (v.contains("dest")) v["dest"] = P(v["dest"].get<std::string>());
    return v;
  }
};

TEST_F(CopyTest, ContentConvergesWithAnsiblesResults) {
  ModuleResult r =
      ExpectConverges(*copy_, A(R"j({"content":"hello","dest":"t/c"})j"));
  EXPECT_EQ(Get("t/c"), "hello");
  EXPECT_EQ(Mode("t/c"), 0644u);
  EXPECT_EQ(r.data["checksum"], "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
  EXPECT_EQ(r.data["md5sum"], "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(r.data["dest"], P("t/c"));
  EXPECT_EQ(r.data["size"], 5);
  EXPECT_EQ(r.data["state"], "file");
  EXPECT_EQ(r.data["mode"], "0644");
  ASSERT_EQ(r.diffs.size(), 1u);
  EXPECT_EQ(r.diffs[0].before, "");
  EXPECT_EQ(r.diffs[0].after, "hello");

  // Unchanged: "path" instead of "src"/"md5sum".
  ModuleResult again = Run(*copy_, A(R"j({"content":"hello","dest":"t/c"})j"));
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.data["path"], P("t/c"));
  EXPECT_FALSE(again.data.contains("md5sum"));
  EXPECT_EQ(again.data["checksum"], "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");

  // A mode-only change; then new content keeps the mode.
  Value mode = A(R"j({"content":"hello","dest":"t/c","mode":"0600"})j");
  ModuleResult check = Run(*copy_, mode, true);
  EXPECT_TRUE(check.changed);
  EXPECT_EQ(Mode("t/c"), 0644u);
  EXPECT_TRUE(Run(*copy_, mode).changed);
  EXPECT_EQ(Mode("t/c"), 0600u);
  ModuleResult changed =
      Run(*copy_, A(R"j({"content":"bye\n","dest":"t/c"})j"));
  EXPECT_TRUE(changed.changed);
  EXPECT_EQ(Mode("t/c"), 0600u);
  ASSERT_EQ(changed.diffs.size(), 1u);
  EXPECT_EQ(changed.diffs[0].before, "hello");
  EXPECT_EQ(changed.diffs[0].after, "bye\n");
}

TEST_F(CopyTest, ForceNoBackupAndValidate) {
  Put("t/c", "old\n");
  ModuleResult r =
      Run(*copy_, A(R"j({"content":"new\n","dest":"t/c","force":false})j"));
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(Get("t/c"), "old\n");

  r = Run(*copy_, A(R"j({"content":"new\n","dest":"t/c","backup":true})j"));
  EXPECT_TRUE(r.changed);
  ASSERT_TRUE(r.data.contains("backup_file"));
  const std::string backup = r.data["backup_file"];
  // PATH.PID.YYYY-MM-DD@HH:MM:SS~
  EXPECT_THAT(backup, MatchesRegex(".*/t/c\\.[0-9]+\\.[0-9]{4}-[0-9]{2}-"
                                   "[0-9]{2}@[0-9]{2}:[0-9]{2}:[0-9]{2}~"));
  EXPECT_EQ(Get(backup.substr(root_.size() + 1)), "old\n");

  // A failing validator leaves the old file and no temporary.
  r = Run(
      *copy_,
      A(R"j({"content":"bad\n","dest":"t/c","validate":"grep -q good %s"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("failed to validate: rc:1"));
  EXPECT_EQ(Get("t/c"), "new\n");
  for (const auto& e : fs::directory_iterator(P("t"))) {
    EXPECT_EQ(e.path().filename().string().find(".tend-"), std::string::npos)
        << e.path();
  }
  r = Run(
      *copy_,
      A(R"j({"content":"good\n","dest":"t/c","validate":"grep -q good %s"})j"));
  EXPECT_TRUE(r.changed) << r.msg;
  EXPECT_EQ(Get("t/c"), "good\n");
  r = Run(*copy_, A(R"j({"content":"x","dest":"t/c","validate":"true"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "validate must contain %s: true");
}

TEST_F(CopyTest, DirectorySourcesWithAndWithoutTrailingSlash) {
  fs::create_directories(files_dir_ + "/s/sub");
  std::ofstream(files_dir_ + "/s/a") << "one\n";
  std::ofstream(files_dir_ + "/s/sub/b") << "two\n";
  // "s" copies the directory itself into dest.
  Value whole = A(R"j({"src":"s","dest":"t/"})j");
  whole["dest"] = P("t") + "/";
  ModuleResult r = ExpectConverges(*copy_, whole);
  EXPECT_EQ(Get("t/s/a"), "one\n");
  EXPECT_EQ(Get("t/s/sub/b"), "two\n");
  // "s/" copies its contents.
  ExpectConverges(*copy_, A(R"j({"src":"s/","dest":"t/d2"})j"));
  EXPECT_EQ(Get("t/d2/a"), "one\n");
  EXPECT_EQ(Get("t/d2/sub/b"), "two\n");
  EXPECT_FALSE(Exists("t/d2/s"));
  // A file into an existing directory takes its basename.
  r = Run(*copy_, A(R"j({"src":"s/a","dest":"t/d2"})j"));
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.data["dest"], P("t/d2/a"));
}

TEST_F(CopyTest, Errors) {
  ModuleResult r = Run(*copy_, A(R"j({"src":"nope","dest":"t/x"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("Could not find or access 'nope'"));
  r = Run(*copy_, A(R"j({"content":"x","dest":"t/newdir/f"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg,
            "Destination directory " + P("t/newdir") + " does not exist");
  r = Run(*copy_, A(R"j({"content":"x","dest":"t"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_EQ(r.msg, "can not use content with a dir as dest");
  r = Run(*copy_, A(R"j({"content":"x","dest":"t/c","checksum":"abc"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("does not match the expected checksum"));
  r = Run(*copy_, A(R"j({"content":"x","src":"a","dest":"t/c"})j"));
  EXPECT_TRUE(r.failed);
  r = Run(*copy_, A(R"j({"content":"x","dest":"t/c","mode":"0999"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_FALSE(Exists("t/c"));
  r = Run(*copy_, A(R"j({"dest":"t/c"})j"));
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, HasSubstr("src"));
}

TEST_F(CopyTest, RemoteSrcAndPreserve) {
  Put("t/orig", "data", 0751);
  Value args = A(R"j({"remote_src":true,"dest":"t/copy","mode":"preserve"})j");
  args["src"] = P("t/orig");
  ExpectConverges(*copy_, args);
  EXPECT_EQ(Get("t/copy"), "data");
  EXPECT_EQ(Mode("t/copy"), 0751u);
}

TEST_F(CopyTest, TemplateRendersAndConverges) {
  std::ofstream(files_dir_ + "/hello.j2") << "hello {{ name }}\n";
  ModuleResult r = ExpectConverges(
      *template_, A(R"j({"src":"hello.j2","dest":"t/out","mode":"0640"})j"));
  EXPECT_EQ(Get("t/out"), "hello world\n");
  EXPECT_EQ(Mode("t/out"), 0640u);
  EXPECT_EQ(r.data["checksum"], Sha1Hex("hello world\n"));
  ModuleResult crlf = Run(*template_, A(R"j({"src":"hello.j2","dest":"t/out",
      "newline_sequence":"\r\n"})j"));
  EXPECT_TRUE(crlf.changed);
  EXPECT_EQ(Get("t/out"), "hello world\r\n");
  ModuleResult missing =
      Run(*template_, A(R"j({"src":"nope.j2","dest":"t/out"})j"));
  EXPECT_TRUE(missing.failed);
  EXPECT_THAT(missing.msg, HasSubstr("nope.j2"));
}

}  // namespace
}  // namespace tend::automate::filemod
