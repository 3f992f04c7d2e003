#include "automate/yaml_value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tend::automate {
namespace {

using ::testing::HasSubstr;

Value Parse(std::string_view text) {
  auto doc = ParseYaml(text, "t.yml");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? (*doc)->value() : Value();
}

// Expected values are PyYAML's (python3 -c 'import yaml;
// print(repr(yaml.safe_load("k: TEXT")))' on Debian 12's python3-yaml).
TEST(YamlValueTest, PlainScalarsResolveAsPyYaml) {
  struct Case {
    const char* text;
    Value want;
  } cases[] = {
      {"~", nullptr},
      {"null", nullptr},
      {"", nullptr},
      {"yes", true},
      {"On", true},
      {"FALSE", false},
      {"off", false},
      {"y", "y"},
      {"n", "n"},
      {"0644", 420},
      {"644", 644},
      {"0x1f", 31},
      {"0b101", 5},
      {"1_000", 1000},
      {"-17", -17},
      {"+3", 3},
      {"1:30", 90},
      {"0o17", "0o17"},
      {"1.5", 1.5},
      {"1.", 1.0},
      {".5", 0.5},
      {"1e3", "1e3"},
      {"1.0e+3", 1000.0},
      {"1.0e3", "1.0e3"},
      {"2001-12-14", "2001-12-14"},
      {"True", true},
      {"0", 0},
      {"09", "09"},
      {"abc", "abc"},
  };
  for (const Case& c : cases) {
    Value v = Parse(std::string("k: ") + c.text);
    EXPECT_EQ(v["k"], c.want) << c.text;
  }
}

TEST(YamlValueTest, QuotedAndTaggedScalarsAreStrings) {
  Value v = Parse("a: 'yes'\nb: \"0644\"\nc: !!str 12\nd: !unsafe '{{ x }}'\n");
  EXPECT_EQ(v["a"], "yes");
  EXPECT_EQ(v["b"], "0644");
  EXPECT_EQ(v["c"], "12");
  EXPECT_EQ(v["d"], "{{ x }}");
  auto doc = ParseYaml("d: !unsafe '{{ x }}'\n", "t.yml");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE((*doc)->root().Find("d")->unsafe);
}

TEST(YamlValueTest, KeepsKeyOrderAndPositions) {
  auto doc = ParseYaml("- name: one\n  zeta: 1\n  alpha: [1, 2]\n", "p.yml");
  ASSERT_TRUE(doc.ok());
  const Value& v = (*doc)->value();
  ASSERT_TRUE(v.is_array());
  auto it = v[0].begin();
  EXPECT_EQ(it.key(), "name");
  EXPECT_EQ((++it).key(), "zeta");
  EXPECT_EQ((++it).key(), "alpha");
  const YamlDoc::Node& task = (*doc)->root().items[0];
  const YamlDoc::Node* alpha = task.Find("alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->pos.line, 3);
  EXPECT_EQ(alpha->pos.column, 10);
  EXPECT_EQ(alpha->items[1].pos.column, 14);
  EXPECT_EQ(task.KeyPos("zeta")->line, 2);
  EXPECT_EQ(task.KeyPos("zeta")->column, 3);
  EXPECT_EQ(*alpha->value, Value({1, 2}));
}

TEST(YamlValueTest, MergeKeysAndAliases) {
  Value v = Parse(
      "base: &b {a: 1, b: 2}\n"
      "x:\n  <<: *b\n  b: 3\n  c: 4\n"
      "y:\n  b: 5\n  <<: [*b]\n");
  EXPECT_EQ(v["x"], Value::parse(R"({"a":1,"b":3,"c":4})"));
  EXPECT_EQ(v["y"]["b"], 5);
  EXPECT_EQ(v["y"]["a"], 1);
}

TEST(YamlValueTest, ErrorsSayWhere) {
  auto dup = ParseYaml("a: 1\nb: 2\na: 3\n", "d.yml");
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(dup.status().message(),
              HasSubstr("d.yml:3:1: duplicate key 'a'"));
  auto bad = ParseYaml("a: [1, 2\nb: 3\n", "s.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("s.yml:"));
  auto two = ParseYaml("a: 1\n---\nb: 2\n", "m.yml");
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(two.status().message(), HasSubstr("m.yml:2:1"));
  auto vault = ParseYaml("a: !vault |\n  xyz\n", "v.yml");
  ASSERT_FALSE(vault.ok());
  EXPECT_THAT(vault.status().message(), HasSubstr("v.yml:1:4: vault"));
  std::string deep(300, '[');
  EXPECT_FALSE(ParseYaml(deep, "deep.yml").ok());
}

// Expected texts are what Ansible 2.14's to_nice_yaml / to_yaml /
// to_nice_yaml(indent=2) printed for the same value on Debian 12.
TEST(YamlValueTest, ToYamlMatchesPyYaml) {
  Value v = Value::parse(R"({"a":[1,{"b":"x y","c":"yes"}],
      "d":{"e":true,"f":"","g":null,"h":"1.5","i":"a: b","j":1.5,
           "l":"0644","m":"~","n":[],"o":{}}})");
  EXPECT_EQ(ToYaml(v, 4),
            "a:\n- 1\n-   b: x y\n    c: 'yes'\nd:\n    e: true\n    f: ''\n"
            "    g: null\n    h: '1.5'\n    i: 'a: b'\n    j: 1.5\n"
            "    l: '0644'\n    m: '~'\n    n: []\n    o: {}\n");
  EXPECT_EQ(ToYaml(v, 2, /*flow_leaves=*/true),
            "a:\n- 1\n- {b: x y, c: 'yes'}\nd:\n  e: true\n  f: ''\n"
            "  g: null\n  h: '1.5'\n  i: 'a: b'\n  j: 1.5\n  l: '0644'\n"
            "  m: '~'\n  n: []\n  o: {}\n");
  EXPECT_EQ(ToYaml(v, 2),
            "a:\n- 1\n- b: x y\n  c: 'yes'\nd:\n  e: true\n  f: ''\n"
            "  g: null\n  h: '1.5'\n  i: 'a: b'\n  j: 1.5\n  l: '0644'\n"
            "  m: '~'\n  n: []\n  o: {}\n");
  EXPECT_EQ(ToYaml(Value::parse(R"({"b": 2, "a": 1})"), 2, true),
            "{a: 1, b: 2}\n");
  EXPECT_EQ(ToYaml(Value::parse(R"({"b": 2, "a": 1})"), 2, false, false),
            "b: 2\na: 1\n");
  EXPECT_EQ(ToYaml(Value("abc")), "abc\n...\n");
  EXPECT_EQ(ToYaml(Value(1e16)), "1.0e+16\n...\n");
  EXPECT_EQ(ToYaml(Value(1e-05)), "1.0e-05\n...\n");
  EXPECT_EQ(ToYaml(Value(2.5e20)), "2.5e+20\n...\n");
  EXPECT_EQ(ToYaml(Value(0.1)), "0.1\n...\n");
}

}  // namespace
}  // namespace tend::automate
