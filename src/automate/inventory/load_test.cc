#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "automate/inventory/inventory.h"

namespace tend::automate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class LoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "inv_load_XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& rel, const std::string& text) {
    std::filesystem::path p = std::filesystem::path(dir_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string dir_;
};

TEST_F(LoadTest, FormatIsDetectedByContent) {
  for (const char* name : {"hosts", "hosts.yml", "hosts.ini", "hosts.cfg"}) {
    auto ini = LoadInventory(Write(name, "[web]\nw1 a=1\n"));
    ASSERT_TRUE(ini.ok()) << name << ": " << ini.status().ToString();
    EXPECT_THAT((*ini)->FindGroup("web")->hosts, ElementsAre("w1")) << name;
    std::filesystem::remove(std::filesystem::path(dir_) / name);
  }
  for (const char* name : {"inv", "inv.yaml", "inv.json"}) {
    auto yaml =
        LoadInventory(Write(name, "{\"web\": {\"hosts\": {\"w1\": null}}}\n"));
    ASSERT_TRUE(yaml.ok()) << name << ": " << yaml.status().ToString();
    EXPECT_THAT((*yaml)->FindGroup("web")->hosts, ElementsAre("w1")) << name;
  }
  // A file named .ini is never YAML (Ansible's yaml plugin skips it), so
  // this mapping-looking text is a (bad) INI host line.
  auto ini = LoadInventory(Write("x.ini", "web:\n  hosts:\n"));
  ASSERT_FALSE(ini.ok());
  EXPECT_THAT(ini.status().message(),
              HasSubstr("x.ini:1: invalid host pattern 'web:'"));
}

TEST_F(LoadTest, YamlErrorsWinForYamlLookingFiles) {
  auto r = LoadInventory(Write("inv.yml", "all:\n  hosts:\n    - a\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("inv.yml:3:5: 'hosts' of group 'all'"));
  auto syntax = LoadInventory(Write("bad.yml", "all: [\n"));
  ASSERT_FALSE(syntax.ok());
  EXPECT_THAT(syntax.status().message(), HasSubstr("bad.yml:"));
}

TEST_F(LoadTest, DirectoryLoadsFilesInNameOrderSkippingIgnoredOnes) {
  Write("d/10-web", "[web]\nw1\n");
  Write("d/20-db.yml", "db:\n  hosts:\n    d1:\n  children:\n    web:\n");
  Write("d/sub/30-more", "extra\n");
  Write("d/skip.ini", "not an inventory [");
  Write("d/README.md", "not an inventory [");
  Write("d/.hidden", "not an inventory [");
  Write("d/x.retry", "not an inventory [");
  Write("d/group_vars/web.yml", "role: web\n");
  auto inv = LoadInventory(dir_ + "/d");
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  std::vector<std::string> names;
  for (const InventoryHost& h : (*inv)->hosts()) names.push_back(h.name);
  EXPECT_THAT(names, ElementsAre("w1", "d1", "extra"));
  EXPECT_EQ((*inv)->VarsForHost("w1")["role"], "web");
  EXPECT_THAT((*inv)->FindGroup("all")->children,
              ElementsAre("ungrouped", "db"));
  EXPECT_EQ((*inv)->FindHost("extra")->source, dir_ + "/d/sub/30-more");
}

TEST_F(LoadTest, HostList) {
  auto inv = LoadInventory("web1, web2:2222,[::1]:2200,,web[1:2],");
  ASSERT_TRUE(inv.ok());
  std::vector<std::string> names;
  for (const InventoryHost& h : (*inv)->hosts()) names.push_back(h.name);
  EXPECT_THAT(names, ElementsAre("web1", "web2", "::1", "web[1:2]"));
  EXPECT_EQ((*inv)->FindHost("web2")->vars["ansible_port"], 2222);
  EXPECT_EQ((*inv)->FindHost("::1")->vars["ansible_port"], 2200);
  EXPECT_THAT((*inv)->FindGroup("ungrouped")->hosts,
              ElementsAre("web1", "web2", "::1", "web[1:2]"));
  auto local = LoadInventory("localhost,");
  ASSERT_TRUE(local.ok());
  // Listed explicitly, localhost is an ordinary host (no implicit
  // ansible_connection=local), as in Ansible.
  EXPECT_TRUE((*local)->VarsForHost("localhost").empty());
}

TEST_F(LoadTest, MissingSource) {
  auto r = LoadInventory(dir_ + "/nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("does not exist"));
}

TEST_F(LoadTest, ErrorsNameTheFile) {
  std::string path = Write("hosts", "[web]\nw[1:\n");
  auto r = LoadInventory(path);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), StartsWith(path + ":2: bad host range"));
}

}  // namespace
}  // namespace tend::automate
