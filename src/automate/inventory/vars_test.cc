// group_vars/ and host_vars/ layers (LoadVarsDirs) and their precedence.
// The full precedence table against real Ansible output is in
// ansible_recorded_test.cc; these cover what it cannot: a second layer (the
// playbook's directory), errors, and the implicit localhost.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "automate/inventory/inventory.h"

namespace tend::automate {
namespace {

using ::testing::HasSubstr;

class VarsDirsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "inv_vars_XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = std::filesystem::path(dir_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string dir_;
};

TEST_F(VarsDirsTest, PlaybookLayerComesAfterInventoryLayer) {
  Write("inv/hosts", "[web]\nw1\n[db]\nd1\n");
  Write("inv/group_vars/all.yml", "a: inv_all\nb: inv_all\n");
  Write("inv/group_vars/web.yml", "a: inv_web\nc: inv_web\n");
  Write("play/group_vars/all.yml", "b: play_all\nc: play_all\n");
  Write("play/group_vars/web.yml", "d: play_web\n");
  Write("play/host_vars/w1.yml", "e: play_w1\n");
  Write("inv/host_vars/w1.yml", "e: inv_w1\nf: inv_w1\n");
  auto inv = LoadInventory(dir_ + "/inv/hosts");
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  ASSERT_TRUE(LoadVarsDirs(dir_ + "/play", inv->get()).ok());
  Value v = (*inv)->VarsForHost("w1");
  // all (inventory) < all (play) < web (inventory) < web (play) < host ...
  EXPECT_EQ(v["a"], "inv_web");
  EXPECT_EQ(v["b"], "play_all");
  EXPECT_EQ(v["c"], "inv_web");
  EXPECT_EQ(v["d"], "play_web");
  EXPECT_EQ(v["e"], "play_w1");
  EXPECT_EQ(v["f"], "inv_w1");
  Value d = (*inv)->VarsForHost("d1");
  EXPECT_EQ(d["a"], "inv_all");
  EXPECT_EQ(d["c"], "play_all");
  EXPECT_FALSE(d.contains("e"));
}

TEST_F(VarsDirsTest, ImplicitLocalhostGetsAllAndItsHostVars) {
  Write("group_vars/all.yml", "x: 1\n");
  Write("host_vars/localhost.yml", "y: 2\nansible_connection: ssh\n");
  Inventory inv;
  inv.Finish();
  ASSERT_TRUE(LoadVarsDirs(dir_, &inv).ok());
  Value v = inv.VarsForHost("localhost");
  EXPECT_EQ(v["x"], 1);
  EXPECT_EQ(v["y"], 2);
  EXPECT_EQ(v["ansible_connection"], "ssh");
}

TEST_F(VarsDirsTest, NonMappingFileIsAnErrorWithPosition) {
  Write("group_vars/all.yml", "- a\n- b\n");
  Inventory inv;
  inv.Finish();
  Status s = LoadVarsDirs(dir_, &inv);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("group_vars/all.yml:1:1: a variables file "
                                     "must hold a mapping"));
}

TEST_F(VarsDirsTest, YamlErrorsCarryFileLineColumn) {
  Write("host_vars/h.yml", "a: 1\nb: [\n");
  Inventory inv;
  inv.AddHost("h");
  inv.Finish();
  Status s = LoadVarsDirs(dir_, &inv);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("host_vars/h.yml:"));
}

TEST_F(VarsDirsTest, GroupVarsThatIsAFileIsAnError) {
  Write("group_vars", "x: 1\n");
  Inventory inv;
  Status s = LoadVarsDirs(dir_, &inv);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("is not a directory"));
}

TEST_F(VarsDirsTest, MissingDirsAreFine) {
  Inventory inv;
  inv.AddHost("h");
  EXPECT_TRUE(LoadVarsDirs(dir_ + "/nothing-here", &inv).ok());
  EXPECT_TRUE(inv.VarsForHost("h").empty());
}

}  // namespace
}  // namespace tend::automate
