#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "automate/transport/connection.h"
#include "automate/transport/local_connection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::automate {
namespace {

namespace fs = std::filesystem;

// A local connection whose /etc lives in a temporary directory, so the
// resolver reads real files with known contents; counts reads to check the
// cache.
class RootedConnection : public LocalConnection {
 public:
  explicit RootedConnection(std::string root)
      : LocalConnection("testhost"), root_(std::move(root)) {}
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes,
                               const Privilege& priv) override {
    ++reads;
    return LocalConnection::ReadFile(root_ + path, max_bytes, priv);
  }
  int reads = 0;

 private:
  std::string root_;
};

class IdResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tend-ids-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    fs::create_directory(root_ + "/etc");
    std::ofstream(root_ + "/etc/passwd")
        << "root:x:0:0:root:/root:/bin/bash\n"
           "# a comment\n"
           "\n"
           "deploy:x:1001:1002:Deploy,,,:/home/deploy:/bin/sh\n"
           "broken line without fields\n"
           "bad:x:notanumber:1:x:/x:/bin/sh\n"
           "123:x:1500:1500::/home/numeric:/bin/sh\n";
    std::ofstream(root_ + "/etc/group") << "root:x:0:\n"
                                           "staff:x:50:deploy\n"
                                           "deploy:x:1002:\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string root_;
};

TEST_F(IdResolverTest, NamesAndIds) {
  RootedConnection conn(root_);
  IdResolver ids(&conn);
  Result<uint32_t> uid = ids.Uid("deploy");
  ASSERT_TRUE(uid.ok()) << uid.status().ToString();
  EXPECT_EQ(*uid, 1001u);
  EXPECT_EQ(*ids.Uid("root"), 0u);
  EXPECT_EQ(*ids.Uid("4242"), 4242u);  // a number is an id as it is
  // A user literally named "123" wins over the number.
  EXPECT_EQ(*ids.Uid("123"), 1500u);
  EXPECT_EQ(*ids.Gid("staff"), 50u);
  EXPECT_EQ(*ids.Gid("77"), 77u);
  EXPECT_EQ(ids.UserName(1001), "deploy");
  EXPECT_EQ(ids.UserName(9999), "9999");
  EXPECT_EQ(ids.GroupName(1002), "deploy");
  EXPECT_EQ(ids.GroupName(8888), "8888");
  EXPECT_EQ(*ids.PrimaryGid("deploy"), 1002u);
  EXPECT_EQ(*ids.PrimaryGid("1001"), 1002u);
  EXPECT_EQ(*ids.Home("deploy"), "/home/deploy");
  EXPECT_EQ(*ids.Home("0"), "/root");
  // Two files, read once for all the lookups above.
  EXPECT_EQ(conn.reads, 2);
}

TEST_F(IdResolverTest, UnknownNamesAreClearErrors) {
  RootedConnection conn(root_);
  IdResolver ids(&conn);
  Result<uint32_t> uid = ids.Uid("nosuchuser");
  ASSERT_FALSE(uid.ok());
  EXPECT_EQ(uid.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(uid.status().message(), "no user 'nosuchuser' on testhost");
  Result<uint32_t> gid = ids.Gid("nosuchgroup");
  ASSERT_FALSE(gid.ok());
  EXPECT_EQ(gid.status().message(), "no group 'nosuchgroup' on testhost");
  EXPECT_FALSE(ids.Uid("bad").ok());  // its line was malformed
  EXPECT_FALSE(ids.Home("nosuchuser").ok());
  EXPECT_FALSE(ids.PrimaryGid("nosuchuser").ok());
}

TEST_F(IdResolverTest, InvalidateRereads) {
  RootedConnection conn(root_);
  IdResolver ids(&conn);
  EXPECT_FALSE(ids.Uid("newuser").ok());
  std::ofstream(root_ + "/etc/passwd", std::ios::app)
      << "newuser:x:2000:2000::/home/newuser:/bin/sh\n";
  EXPECT_FALSE(ids.Uid("newuser").ok());  // cached
  ids.Invalidate();
  Result<uint32_t> uid = ids.Uid("newuser");
  ASSERT_TRUE(uid.ok());
  EXPECT_EQ(*uid, 2000u);
}

TEST_F(IdResolverTest, MissingDatabaseIsAnError) {
  RootedConnection conn(root_ + "/nonexistent");
  IdResolver ids(&conn);
  Result<uint32_t> uid = ids.Uid("root");
  ASSERT_FALSE(uid.ok());
  EXPECT_THAT(uid.status().message(),
              ::testing::HasSubstr("reading the users of testhost"));
  // Names fall back to numbers rather than failing.
  EXPECT_EQ(ids.UserName(0), "0");
}

TEST(IdResolverRealTest, AgreesWithTheSystem) {
  LocalConnection conn("localhost");
  IdResolver ids(&conn);
  struct passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);
  Result<uint32_t> uid = ids.Uid(pw->pw_name);
  ASSERT_TRUE(uid.ok()) << uid.status().ToString();
  EXPECT_EQ(*uid, pw->pw_uid);
  EXPECT_EQ(ids.UserName(pw->pw_uid), pw->pw_name);
  EXPECT_EQ(*ids.Home(pw->pw_name), pw->pw_dir);
  EXPECT_EQ(*ids.PrimaryGid(pw->pw_name), pw->pw_gid);
}

}  // namespace
}  // namespace tend::automate
