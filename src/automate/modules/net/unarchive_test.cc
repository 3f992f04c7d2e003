#include <gtest/gtest.h>

#include "automate/modules/net/net_test_util.h"

namespace tend::automate::testing {
namespace {

class UnarchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Sh("cd " + dir_.path() +
       " && mkdir -p tree/sub && printf 'one\\n' > tree/a.txt"
       " && printf 'two\\n' > tree/sub/b.txt && chmod 0600 tree/sub/b.txt"
       " && mkdir out");
  }
  // Makes dir/NAME from tree/ with the given tar option, or zip.
  std::string Make(const std::string& name, const std::string& how) {
    std::string path = dir_ / name;
    if (how == "zip") {
      Sh("cd " + (dir_ / "tree") + " && zip -qr " + path + " .");
    } else {
      Sh("tar -C " + (dir_ / "tree") + " " + how + " -cf " + path + " .");
    }
    return path;
  }
  std::string Tree() {
    return Sh("cd " + (dir_ / "out") +
              " && find . -printf '%p %m %s\\n' | sort && cat a.txt sub/b.txt "
              "2>/dev/null");
  }

  const Module& m_ = NetModule("unarchive");
  ModuleHarness h_;
  TempDir dir_;
};

class UnarchiveFormatTest : public UnarchiveTest,
                            public ::testing::WithParamInterface<
                                std::pair<const char*, const char*>> {};

TEST_P(UnarchiveFormatTest, ExtractsOnceThenConverges) {
  auto [name, how] = GetParam();
  std::string archive = Make(name, how);
  Value args{{"src", archive}, {"dest", dir_ / "out"}, {"list_files", true}};
  ExpectConverges(h_, m_, args, [&] { return Tree(); });
  EXPECT_EQ(ReadText(dir_ / "out/sub/b.txt"), "two\n");
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->data["files"].empty());
  // A file edited in dest (new mtime) makes the next run unpack again.
  Sh("sleep 1; touch " + (dir_ / "out/a.txt"));
  r = h_.Run(m_, args, /*check=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, UnarchiveFormatTest,
    ::testing::Values(
        std::make_pair("t.tar", ""), std::make_pair("t.tgz", "-z"),
        std::make_pair("t.tar.bz2", "-j"), std::make_pair("t.tar.xz", "-J"),
        std::make_pair("t.tar.zst", "--zstd"),
        // Named .zip but a tar: recognised by content.
        std::make_pair("misnamed.zip", "-z"), std::make_pair("t.zip", "zip")));

TEST_F(UnarchiveTest, ModeIsAppliedToEveryMember) {
  std::string archive = Make("m.tar.gz", "-z");
  Value args{{"src", archive}, {"dest", dir_ / "out"}, {"mode", "u=rwX,go="}};
  auto r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_EQ(Sh("stat -c %a " + (dir_ / "out/a.txt")), "600\n");
  EXPECT_EQ(Sh("stat -c %a " + (dir_ / "out/sub")), "700\n");
  r = h_.Run(m_, args);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
}

TEST_F(UnarchiveTest, RemoteSrcAndRemoteConnection) {
  std::string archive = Make("r.tar.xz", "-J");
  auto r = RunRemote(m_, Value{{"src", archive}, {"dest", dir_ / "out"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->failed) << r->msg;
  EXPECT_TRUE(r->changed);
  EXPECT_NE(r->data["src"].get<std::string>(), archive)
      << "uploaded to a temporary directory on the target";
  EXPECT_EQ(ReadText(dir_ / "out/a.txt"), "one\n");
  r = h_.Run(
      m_,
      Value{{"src", archive}, {"dest", dir_ / "out"}, {"remote_src", true}});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
}

TEST_F(UnarchiveTest, CreatesSkips) {
  std::string archive = Make("c.tar", "");
  Sh("touch " + (dir_ / "marker"));
  auto r = h_.Run(m_, Value{{"src", archive},
                            {"dest", dir_ / "out"},
                            {"creates", dir_ / "marker"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->skipped);
  EXPECT_EQ(ReadText(dir_ / "out/a.txt"), "");
}

TEST_F(UnarchiveTest, BadInput) {
  std::string archive = Make("b.tar", "");
  auto r = h_.Run(m_, Value{{"src", archive}, {"dest", dir_ / "nodir"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_EQ(r->msg, "dest '" + (dir_ / "nodir") + "' must be an existing dir");
  WriteText(dir_ / "empty.tar", "");
  r = h_.Run(m_, Value{{"src", dir_ / "empty.tar"}, {"dest", dir_ / "out"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("0 bytes"), std::string::npos) << r->msg;
  WriteText(dir_ / "junk.tar", std::string(2000, 'x'));
  r = h_.Run(m_, Value{{"src", dir_ / "junk.tar"}, {"dest", dir_ / "out"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  EXPECT_NE(r->msg.find("Unable to list files"), std::string::npos) << r->msg;
  r = h_.Run(m_, Value{{"src", dir_ / "missing.tar"}, {"dest", dir_ / "out"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->failed);
  auto v = h_.Run(m_, Value{{"src", archive}});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("dest"), std::string::npos);
}

}  // namespace
}  // namespace tend::automate::testing
