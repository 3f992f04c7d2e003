#include "automate/transport/host_keys.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tend::automate {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(KnownHostsName, BracketsOnlyForOtherPorts) {
  EXPECT_EQ(KnownHostsName("10.0.0.1", 22), "10.0.0.1");
  EXPECT_EQ(KnownHostsName("127.0.0.1", 2201), "[127.0.0.1]:2201");
}

TEST(KnownHostsLines, PlainEntriesAndLists) {
  const std::string text =
      "# comment\n"
      "[127.0.0.1]:2201 ssh-ed25519 AAAA1\n"
      "web1,[127.0.0.1]:2202 ssh-ed25519 AAAA2\n"
      "\n"
      "[127.0.0.1]:22010 ssh-ed25519 AAAA3\n"
      "@revoked [127.0.0.1]:2201 ssh-ed25519 AAAA4\n"
      "  [127.0.0.1]:2201 ecdsa-sha2-nistp256 AAAA5\n";
  EXPECT_THAT(KnownHostsLines(text, "[127.0.0.1]:2201"), ElementsAre(2, 7));
  EXPECT_THAT(KnownHostsLines(text, "[127.0.0.1]:2202"), ElementsAre(3));
  EXPECT_THAT(KnownHostsLines(text, "web1"), ElementsAre(3));
  EXPECT_THAT(KnownHostsLines(text, "[127.0.0.1]:2203"), IsEmpty());
}

TEST(KnownHostsLines, HashedEntriesAsSshKeygenWritesThem) {
  char tmpl[] = "/tmp/tend-kh-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string file = std::string(tmpl) + "/known_hosts";
  {
    std::ofstream out(file);
    out << "[127.0.0.1]:2201 ssh-ed25519 "
           "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJ"
           "l\n"
        << "example.org ssh-ed25519 "
           "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJ"
           "l\n";
  }
  const std::string cmd = "ssh-keygen -q -H -f " + file + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "ssh-keygen (openssh-client)";
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  ASSERT_EQ(ss.str().rfind("|1|", 0), 0u) << ss.str();
  EXPECT_THAT(KnownHostsFileLines(file, "[127.0.0.1]:2201"), ElementsAre(1));
  EXPECT_THAT(KnownHostsFileLines(file, "example.org"), ElementsAre(2));
  EXPECT_THAT(KnownHostsFileLines(file, "[127.0.0.1]:2202"), IsEmpty());
  EXPECT_THAT(KnownHostsFileLines(file + ".missing", "example.org"), IsEmpty());
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace tend::automate
