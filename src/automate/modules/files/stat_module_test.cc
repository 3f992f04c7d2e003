// stat: the keys and values ansible-core 2.14 returns for the same files
// (checked with `ansible localhost -c local -m stat -a path=...`).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "automate/modules/files/file_common.h"
#include "automate/modules/files/file_test_util.h"
#include "gmock/gmock.h"

namespace tend::automate::filemod {
namespace {

class StatTest : public FileModuleTest {
 protected:
  std::unique_ptr<Module> m_ = NewStatModule();
};

TEST_F(StatTest, RegularFileLinkAndMissing) {
  Put("t/f", "a\nb\nc\n", 04750);
  Value args = {{"path", P("t/f")}};
  ModuleResult r = Run(*m_, args);
  ASSERT_FALSE(r.failed) << r.msg;
  EXPECT_FALSE(r.changed);
  const Value& s = r.data["stat"];
  EXPECT_EQ(s["exists"], true);
  EXPECT_EQ(s["path"], P("t/f"));
  EXPECT_EQ(s["mode"], "04750");
  EXPECT_EQ(s["isreg"], true);
  EXPECT_EQ(s["isdir"], false);
  EXPECT_EQ(s["islnk"], false);
  EXPECT_EQ(s["size"], 6);
  EXPECT_EQ(s["isuid"], true);
  EXPECT_EQ(s["xgrp"], true);
  EXPECT_EQ(s["roth"], false);
  EXPECT_EQ(s["uid"], ::geteuid());
  // sha1 of "a\nb\nc\n" as ansible's stat reported it in the playbook above.
  EXPECT_EQ(s["checksum"], "3ca69e8d6c234a469d16ac28a4a658c92267c423");

  std::filesystem::create_symlink("f", P("t/l"));
  r = Run(*m_, {{"path", P("t/l")}});
  EXPECT_EQ(r.data["stat"]["islnk"], true);
  EXPECT_EQ(r.data["stat"]["lnk_target"], "f");
  EXPECT_EQ(r.data["stat"]["lnk_source"], P("t/f"));
  EXPECT_FALSE(r.data["stat"].contains("checksum"));
  r = Run(*m_, {{"path", P("t/l")}, {"follow", true}});
  EXPECT_EQ(r.data["stat"]["isreg"], true);
  r = Run(
      *m_,
      {{"path", P("t/l")}, {"follow", true}, {"checksum_algorithm", "sha256"}});
  EXPECT_EQ(r.data["stat"]["checksum"].get<std::string>().size(), 64u);

  r = Run(*m_, {{"path", P("t/missing")}});
  EXPECT_FALSE(r.failed);
  EXPECT_EQ(r.data["stat"], Value({{"exists", false}}));

  r = Run(*m_, {{"path", P("t/f")}, {"checksum_algorithm", "crc"}});
  EXPECT_TRUE(r.failed);
  EXPECT_THAT(r.msg, ::testing::HasSubstr("checksum_algorithm"));
}

}  // namespace
}  // namespace tend::automate::filemod
