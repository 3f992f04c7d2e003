#include "automate/modules/args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tend::automate {
namespace {

using ::testing::HasSubstr;

ModuleSpec FileLike() {
  ModuleSpec s;
  s.name = "file";
  s.params = {
      {.name = "path",
       .type = ParamType::kPath,
       .required = true,
       .aliases = {"dest", "name"}},
      {.name = "state",
       .default_value = "file",
       .choices = {"absent", "directory", "file", "touch"}},
      {.name = "recurse", .type = ParamType::kBool, .default_value = false},
      {.name = "mode", .type = ParamType::kRaw},
      {.name = "retries", .type = ParamType::kInt},
      {.name = "groups", .type = ParamType::kList},
      {.name = "src", .type = ParamType::kPath},
      {.name = "content"},
  };
  s.mutually_exclusive = {{"src", "content"}};
  return s;
}

TEST(ArgsTest, ConvertsAliasesAndDefaults) {
  auto v = ValidateArgs(
      FileLike(),
      Value::parse(
          R"({"dest": "/x", "recurse": "yes", "retries": "3", "groups": "a, b,c",
          "mode": 420})"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)["path"], "/x");
  EXPECT_EQ((*v)["state"], "file");
  EXPECT_EQ((*v)["recurse"], true);
  EXPECT_EQ((*v)["retries"], 3);
  EXPECT_EQ((*v)["groups"], Value::parse(R"(["a","b","c"])"));
  EXPECT_EQ((*v)["mode"], 420);
}

TEST(ArgsTest, ErrorsNameModuleAndParameter) {
  auto unknown = ValidateArgs(FileLike(), Value::parse(R"({"pth": "/x"})"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("unsupported parameter 'pth' for module 'file' (did "
                        "you mean 'path'?); supported: content, groups, mode"));
  auto choice = ValidateArgs(FileLike(),
                             Value::parse(R"({"path": "/x", "state": "dir"})"));
  ASSERT_FALSE(choice.ok());
  EXPECT_THAT(choice.status().message(),
              HasSubstr("'state' of module 'file' must be one of absent, "
                        "directory, file, touch; got 'dir'"));
  auto missing = ValidateArgs(FileLike(), Value::parse(R"({"state": "file"})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(),
              HasSubstr("missing required parameter 'path'"));
  auto type = ValidateArgs(
      FileLike(), Value::parse(R"({"path": "/x", "recurse": "maybe"})"));
  ASSERT_FALSE(type.ok());
  EXPECT_THAT(type.status().message(),
              HasSubstr("'recurse' of module 'file' must be a boolean; got "
                        "'maybe'"));
  auto both = ValidateArgs(
      FileLike(),
      Value::parse(R"({"path": "/x", "src": "a", "content": "b"})"));
  ASSERT_FALSE(both.ok());
  EXPECT_THAT(both.status().message(), HasSubstr("mutually exclusive"));
  auto twice =
      ValidateArgs(FileLike(), Value::parse(R"({"path": "/x", "dest": "/y"})"));
  EXPECT_FALSE(twice.ok());
}

TEST(ArgsTest, KeyValueStrings) {
  auto v = ValidateArgs(FileLike(),
                        Value("path=/tmp/ab state=touch content='two words'"
                              " retries=3"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)["content"], "two words");
  EXPECT_EQ((*v)["state"], "touch");
  // Values decode Python escapes as Ansible's parse_kv does.
  auto esc =
      ValidateArgs(FileLike(), Value("path=/x content=\"a\\nb\\t\\x41\""));
  ASSERT_TRUE(esc.ok()) << esc.status().ToString();
  EXPECT_EQ((*esc)["content"], "a\nb\tA");
  auto bad = ValidateArgs(FileLike(), Value("path=/x stray"));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("key=value"));
  EXPECT_FALSE(ValidateArgs(FileLike(), Value("path='/x")).ok());
}

TEST(ArgsTest, FreeForm) {
  ModuleSpec cmd;
  cmd.name = "command";
  cmd.free_form = true;
  cmd.params = {{.name = "chdir", .type = ParamType::kPath},
                {.name = "creates", .type = ParamType::kPath}};
  auto v = ParseKeyValueArgs("chdir=/tmp echo a=b \"{{ x | default('a b') }}\"",
                             true, &cmd);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["chdir"], "/tmp");
  EXPECT_EQ((*v)["_raw_params"], "echo a=b \"{{ x | default('a b') }}\"");
}

TEST(ArgsTest, AnsibleBoolean) {
  for (const char* t : {"yes", "On", "TRUE", "1", "y", "t"}) {
    EXPECT_EQ(AnsibleBool(Value(t)), true) << t;
  }
  for (const char* f : {"no", "off", "False", "0", "n", "f"}) {
    EXPECT_EQ(AnsibleBool(Value(f)), false) << f;
  }
  EXPECT_EQ(AnsibleBool(Value(1)), true);
  EXPECT_EQ(AnsibleBool(Value(2)), std::nullopt);
  EXPECT_EQ(AnsibleBool(Value("maybe")), std::nullopt);
}

}  // namespace
}  // namespace tend::automate
