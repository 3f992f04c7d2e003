#include "config/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

namespace tend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Inner {
  int64_t timeout_ms = 1000;
  std::vector<std::string> tags;
};

struct Base {
  bool enabled = true;
};

struct Options {
  int level = 3;
};

struct Widget : Base {
  int count = 5;
  uint16_t port = 80;
  double ratio = 0.5;
  std::string name = "w";
  std::string mode = "fast";
  int64_t period_ms = 2000;
  std::vector<std::string> hosts = {"a", "b"};
  std::string pattern = "a+";
  Inner inner;
  Options options;
};

Status NoSpaces(std::string_view s) {
  if (s.find(' ') != std::string_view::npos) {
    return InvalidArgumentError("want no spaces");
  }
  return Status::Ok();
}

const Schema<Widget>& WidgetSchema() {
  static const Schema<Widget>* const schema = [] {
    Schema<Base> base;
    base.Bool("enabled", &Base::enabled, "Turn it on.");
    Schema<Options> options;
    options.Int("level", &Options::level, "Level.", 1, 9);
    Schema<Inner> inner;
    inner.Duration("timeout", &Inner::timeout_ms, "Timeout.", 10, 60000)
        .StringList("tags", &Inner::tags, "Tags.", NoSpaces);
    auto* s = new Schema<Widget>;
    s->InlineBase(base)
        .Int("count", &Widget::count, "How many.", 0, 100)
        .Int("port", &Widget::port, "Port.", 1)
        .Double("ratio", &Widget::ratio, "A ratio.", 0, 1)
        .String("name", &Widget::name, "Name.", NoSpaces)
        .Enum("mode", &Widget::mode, "Mode.", {"fast", "slow", "off"})
        .Duration("period", &Widget::period_ms, "Period.", 100, 3600000)
        .StringList("hosts", &Widget::hosts, "Hosts.")
        .Regex("pattern", &Widget::pattern, "Pattern.")
        .Section("inner", &Widget::inner, inner, "The inner part.")
        .Inline(&Widget::options, options)
        .Validate([](const Widget& w) {
          if (w.mode == "off" && w.count != 0) {
            return InvalidArgumentError("mode off wants count 0");
          }
          return Status::Ok();
        });
    return s;
  }();
  return *schema;
}

// Loads `yaml` into a default Widget; returns the errors as strings.
std::vector<std::string> Errors(std::string_view yaml, Widget* w = nullptr) {
  Widget local;
  if (w == nullptr) w = &local;
  ConfigErrors errors("w.yml");
  WidgetSchema().Load(yaml, w, &errors);
  std::vector<std::string> out;
  for (const ConfigError& e : errors.errors()) out.push_back(e.ToString());
  return out;
}

TEST(SchemaTest, EmptyDocumentsKeepEveryDefault) {
  for (const char* yaml :
       {"", "\n\n", "# just a comment\n", "~\n", "---\n", "null"}) {
    Widget w;
    EXPECT_THAT(Errors(yaml, &w), ElementsAre()) << yaml;
    EXPECT_TRUE(WidgetSchema().Equal(w, Widget{})) << yaml;
  }
}

TEST(SchemaTest, AppliesEveryKindOfField) {
  Widget w;
  EXPECT_THAT(Errors(R"(
enabled: false
count: 7
port: "8080"
ratio: 0.25
name: widget-1
mode: slow
period: 1m30s
hosts: [x, 'y z', "w"]
pattern: '^(ab|cd)+$'
level: 9
inner:
  timeout: 250ms
  tags:
    - blue
    - green
)",
                     &w),
              ElementsAre());
  EXPECT_FALSE(w.enabled);
  EXPECT_EQ(w.count, 7);
  EXPECT_EQ(w.port, 8080);
  EXPECT_EQ(w.ratio, 0.25);
  EXPECT_EQ(w.name, "widget-1");
  EXPECT_EQ(w.mode, "slow");
  EXPECT_EQ(w.period_ms, 90000);
  EXPECT_THAT(w.hosts, ElementsAre("x", "y z", "w"));
  EXPECT_EQ(w.pattern, "^(ab|cd)+$");
  EXPECT_EQ(w.options.level, 9);
  EXPECT_EQ(w.inner.timeout_ms, 250);
  EXPECT_THAT(w.inner.tags, ElementsAre("blue", "green"));
  EXPECT_FALSE(WidgetSchema().Equal(w, Widget{}));
}

TEST(SchemaTest, AbsentAndNullKeysKeepDefaults) {
  Widget w;
  EXPECT_THAT(Errors("count:\ninner:\nhosts: ~\nmode: fast\n", &w),
              ElementsAre());
  EXPECT_TRUE(WidgetSchema().Equal(w, Widget{}));
  // An explicit empty list and empty string do override.
  EXPECT_THAT(Errors("hosts: []\nname: ''\n", &w), ElementsAre());
  EXPECT_TRUE(w.hosts.empty());
  EXPECT_EQ(w.name, "");
}

TEST(SchemaTest, BoolAcceptsOnlyTrueAndFalse) {
  Widget w;
  EXPECT_THAT(Errors("enabled: FALSE\n", &w), ElementsAre());
  EXPECT_FALSE(w.enabled);
  EXPECT_THAT(Errors("enabled: True\n", &w), ElementsAre());
  EXPECT_TRUE(w.enabled);
  EXPECT_THAT(Errors("enabled: yes please\n"),
              ElementsAre("w.yml:1:10: enabled: want true or false, got "
                          "\"yes please\""));
  EXPECT_THAT(Errors("enabled: 1\n"),
              ElementsAre("w.yml:1:10: enabled: want true or false, got "
                          "\"1\""));
}

TEST(SchemaTest, IntegerErrors) {
  EXPECT_THAT(Errors("count: many\n"),
              ElementsAre("w.yml:1:8: count: want an integer, got \"many\""));
  EXPECT_THAT(Errors("count: 1.5\n"),
              ElementsAre("w.yml:1:8: count: want an integer, got \"1.5\""));
  EXPECT_THAT(Errors("count: -1\n"),
              ElementsAre("w.yml:1:8: count: -1 is below the minimum 0"));
  EXPECT_THAT(Errors("count: 101\n"),
              ElementsAre("w.yml:1:8: count: 101 is above the maximum 100"));
  EXPECT_THAT(
      Errors("count: 99999999999999999999\n"),
      ElementsAre(
          "w.yml:1:8: count: 99999999999999999999 is above the maximum 100"));
  EXPECT_THAT(Errors("count: -99999999999999999999\n"),
              ElementsAre("w.yml:1:8: count: -99999999999999999999 is below "
                          "the minimum 0"));
  // The bound is narrowed to what uint16_t holds.
  EXPECT_THAT(Errors("port: 70000\n"),
              ElementsAre("w.yml:1:7: port: 70000 is above the maximum "
                          "65535"));
  EXPECT_THAT(Errors("port: 0\n"),
              ElementsAre("w.yml:1:7: port: 0 is below the minimum 1"));
  Widget w;
  EXPECT_THAT(Errors("count: +42\n", &w), ElementsAre());
  EXPECT_EQ(w.count, 42);
}

TEST(SchemaTest, DoubleErrors) {
  EXPECT_THAT(Errors("ratio: half\n"),
              ElementsAre("w.yml:1:8: ratio: want a number, got \"half\""));
  EXPECT_THAT(Errors("ratio: nan\n"),
              ElementsAre("w.yml:1:8: ratio: want a number, got \"nan\""));
  EXPECT_THAT(Errors("ratio: 1.5\n"),
              ElementsAre("w.yml:1:8: ratio: 1.5 is above the maximum 1"));
  EXPECT_THAT(Errors("ratio: -0.5\n"),
              ElementsAre("w.yml:1:8: ratio: -0.5 is below the minimum 0"));
  Widget w;
  EXPECT_THAT(Errors("ratio: 1\n", &w), ElementsAre());
  EXPECT_EQ(w.ratio, 1.0);
}

TEST(SchemaTest, EnumListsAllowedValuesAndSuggests) {
  EXPECT_THAT(Errors("mode: slwo\n"),
              ElementsAre("w.yml:1:7: mode: want one of fast, slow or off, "
                          "got \"slwo\"; did you mean \"slow\"?"));
  EXPECT_THAT(Errors("mode: turbo\n"),
              ElementsAre("w.yml:1:7: mode: want one of fast, slow or off, "
                          "got \"turbo\""));
}

TEST(SchemaTest, DurationErrors) {
  EXPECT_THAT(Errors("period: fast\n"),
              ElementsAre("w.yml:1:9: period: want a duration like 1s, 500ms "
                          "or 2m, got \"fast\""));
  EXPECT_THAT(Errors("period: 1.5s\n"),
              ElementsAre("w.yml:1:9: period: want a duration like 1s, 500ms "
                          "or 2m, got \"1.5s\""));
  EXPECT_THAT(Errors("period: 5\n"),
              ElementsAre("w.yml:1:9: period: want a duration like 1s, 500ms "
                          "or 2m, got \"5\"; missing unit after 5 (ms, s, m, "
                          "h, d, w or y)"));
  EXPECT_THAT(Errors("period: 30m1h\n"),
              ElementsAre("w.yml:1:9: period: want a duration like 1s, 500ms "
                          "or 2m, got \"30m1h\"; units must go from largest "
                          "to smallest, each once (1h30m, not 30m1h)"));
  EXPECT_THAT(Errors("period: 10ms\n"),
              ElementsAre("w.yml:1:9: period: 10ms is below the minimum "
                          "100ms"));
  EXPECT_THAT(Errors("period: 1h1s\n"),
              ElementsAre("w.yml:1:9: period: 1h1s is above the maximum 1h"));
}

TEST(SchemaTest, StringValidatorAndRegex) {
  EXPECT_THAT(Errors("name: two words\n"),
              ElementsAre("w.yml:1:7: name: want no spaces"));
  EXPECT_THAT(Errors("pattern: '(ab'\n"),
              ElementsAre("w.yml:1:10: pattern: invalid regular expression "
                          "\"(ab\": missing ): (ab"));
  // RE2 refuses what it cannot match in linear time.
  EXPECT_THAT(Errors("pattern: '(a)\\1'\n"),
              ElementsAre(HasSubstr("pattern: invalid regular expression")));
}

TEST(SchemaTest, ListErrorsNameTheElement) {
  EXPECT_THAT(Errors("hosts: a\n"),
              ElementsAre("w.yml:1:8: hosts: want a list of strings, got "
                          "\"a\""));
  EXPECT_THAT(Errors("hosts:\n  - a\n  - {b: 1}\n  - [c]\n  -\n"),
              ElementsAre("w.yml:3:5: hosts[1]: want a string, got a mapping",
                          "w.yml:4:5: hosts[2]: want a string, got a list",
                          // A null item has no position of its own (yaml-cpp
                          // marks it where the next token starts): the
                          // list's position is reported instead.
                          "w.yml:2:3: hosts[3]: want a string, got nothing"));
  EXPECT_THAT(Errors("inner:\n  tags: [ok, 'not ok']\n"),
              ElementsAre("w.yml:2:14: inner.tags[1]: want no spaces"));
  // A list with errors is not applied at all.
  Widget w;
  EXPECT_EQ(Errors("hosts: [c, [d]]\n", &w).size(), 1u);
  EXPECT_THAT(w.hosts, ElementsAre("a", "b"));
}

TEST(SchemaTest, ShapeMismatches) {
  EXPECT_THAT(Errors("inner: 5\n"),
              ElementsAre("w.yml:1:8: inner: want a mapping of keys, got "
                          "\"5\""));
  EXPECT_THAT(Errors("inner: [a]\n"),
              ElementsAre("w.yml:1:8: inner: want a mapping of keys, got a "
                          "list"));
  EXPECT_THAT(Errors("count:\n  a: 1\n"),
              ElementsAre("w.yml:2:3: count: want an integer, got a "
                          "mapping"));
  EXPECT_THAT(Errors("period: [1s]\n"),
              ElementsAre("w.yml:1:9: period: want a duration like 1s, 500ms "
                          "or 2m, got a list"));
  EXPECT_THAT(Errors("- a\n- b\n"),
              ElementsAre("w.yml:1:1: want a mapping of sections at the top "
                          "level, got a list"));
  EXPECT_THAT(Errors("just text\n"),
              ElementsAre("w.yml:1:1: want a mapping of sections at the top "
                          "level, got \"just text\""));
}

TEST(SchemaTest, UnknownKeysSuggestAndListValidKeys) {
  EXPECT_THAT(
      Errors("inner:\n  timout: 1s\n"),
      ElementsAre("w.yml:2:3: unknown key \"timout\" in inner; did you mean "
                  "\"timeout\"? (valid keys: tags, timeout)"));
  EXPECT_THAT(Errors("colour: red\n"),
              ElementsAre("w.yml:1:1: unknown key \"colour\" at the top "
                          "level (valid keys: count, enabled, hosts, inner, "
                          "level, mode, name, pattern, period, port, ratio)"));
  EXPECT_THAT(Errors("Count: 3\n"),
              ElementsAre(HasSubstr("unknown key \"Count\" at the top level; "
                                    "did you mean \"count\"?")));
  EXPECT_THAT(Errors("<<: {count: 1}\n"),
              ElementsAre(HasSubstr("unknown key \"<<\" at the top level; "
                                    "merge keys are not supported, write the "
                                    "keys out")));
  EXPECT_THAT(Errors("? [a]\n: 1\n"),
              ElementsAre("w.yml:1:3: keys must be plain strings, got a list "
                          "at the top level"));
}

TEST(SchemaTest, DuplicateKeysAreErrors) {
  Widget w;
  EXPECT_THAT(Errors("count: 1\nratio: 0.1\ncount: 2\n", &w),
              ElementsAre("w.yml:3:1: duplicate key \"count\" at the top "
                          "level (first at line 1, column 1)"));
  EXPECT_EQ(w.count, 1);  // The first one was decoded.
  EXPECT_THAT(Errors("inner: {timeout: 1s, timeout: 2s}\n"),
              ElementsAre("w.yml:1:22: duplicate key \"timeout\" in inner "
                          "(first at line 1, column 9)"));
}

TEST(SchemaTest, ReportsEveryErrorInDocumentOrder) {
  Widget w;
  std::vector<std::string> errors = Errors(R"(count: lots
enabled: maybe
inner:
  timeout: 1ms
  tagz: []
period: 3s
mode: fsat
)",
                                           &w);
  EXPECT_THAT(
      errors,
      ElementsAre(
          "w.yml:1:8: count: want an integer, got \"lots\"",
          "w.yml:2:10: enabled: want true or false, got \"maybe\"",
          "w.yml:4:12: inner.timeout: 1ms is below the minimum 10ms",
          "w.yml:5:3: unknown key \"tagz\" in inner; did you mean \"tags\"? "
          "(valid keys: tags, timeout)",
          "w.yml:7:7: mode: want one of fast, slow or off, got \"fsat\"; "
          "did you mean \"fast\"?"));
  // Good fields are still applied; bad ones keep their defaults.
  EXPECT_EQ(w.period_ms, 3000);
  EXPECT_EQ(w.count, 5);
  EXPECT_EQ(w.inner.timeout_ms, 1000);
}

TEST(SchemaTest, SectionChecksRunOnlyOnCleanSections) {
  EXPECT_THAT(Errors("mode: 'off'\ncount: 3\n"),
              ElementsAre("w.yml:1:1: mode off wants count 0"));
  EXPECT_THAT(Errors("mode: 'off'\ncount: 0\n"), ElementsAre());
  // With a field error the check is skipped: one error, not two.
  EXPECT_THAT(Errors("mode: 'off'\ncount: 3\nratio: x\n"),
              ElementsAre("w.yml:3:8: ratio: want a number, got \"x\""));
}

TEST(SchemaTest, SyntaxErrorsCarryThePosition) {
  EXPECT_THAT(Errors("count: [1, 2\n"),
              ElementsAre("w.yml:2:1: invalid YAML: end of sequence flow not "
                          "found"));
  EXPECT_THAT(Errors("count: 1\n ratio: 2\n"),
              ElementsAre("w.yml:2:7: invalid YAML: illegal map value"));
  EXPECT_THAT(Errors("count: [1, 2]]\n"),
              ElementsAre("w.yml:1:14: invalid YAML: illegal flow end"));
  EXPECT_THAT(Errors("count: *nope\n"),
              ElementsAre("w.yml:1:8: invalid YAML: the referenced anchor is "
                          "not defined"));
}

// yaml-cpp's LoadAll never returns on these (it stops advancing and makes
// empty documents until memory runs out); found by config_fuzz.
TEST(SchemaTest, StrayFlowIndicatorIsAnErrorNotAHang) {
  EXPECT_THAT(Errors(",\n"),
              ElementsAre("w.yml:1:1: invalid YAML: unexpected \",\" outside "
                          "[ ] or { }"));
  EXPECT_THAT(Errors("[a],\n"),
              ElementsAre("w.yml:1:4: invalid YAML: unexpected \",\" outside "
                          "[ ] or { }"));
  EXPECT_THAT(Errors("{count: 1}, {count: 2}\n"),
              ElementsAre("w.yml:1:11: invalid YAML: unexpected \",\" "
                          "outside [ ] or { }"));
}

TEST(SchemaTest, OneDocumentPerFile) {
  Widget w;
  EXPECT_THAT(Errors("count: 1\n---\ncount: 2\n", &w),
              ElementsAre("w.yml:2:1: a configuration file holds one YAML "
                          "document; found 2"));
  EXPECT_EQ(w.count, 1);  // The first document is still checked and applied.
  EXPECT_THAT(Errors("---\ncount: x\n---\n---\n"),
              ElementsAre("w.yml:3:1: a configuration file holds one YAML "
                          "document; found 3",
                          "w.yml:2:8: count: want an integer, got \"x\""));
  EXPECT_THAT(Errors("count: 1\n...\n"), ElementsAre());
}

TEST(SchemaTest, HostileInputIsRefusedNotFatal) {
  std::string big =
      "name: '" + std::string(SchemaBase::kMaxDocumentBytes, 'x') + "'\n";
  EXPECT_THAT(Errors(big),
              ElementsAre("w.yml: the file is 1048585 bytes; the limit is "
                          "1048576 bytes"));
  std::string deep =
      "count: " + std::string(5000, '[') + std::string(5000, ']');
  EXPECT_THAT(Errors(deep),
              ElementsAre(HasSubstr("invalid YAML: nested too deeply")));
  std::string dashes;
  for (int i = 0; i < 5000; ++i) dashes += "- ";
  EXPECT_THAT(Errors(dashes),
              ElementsAre(HasSubstr("invalid YAML: nested too deeply")));
  // Aliases are shared, not copied: this stays small.
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 0; i < 20; ++i) {
    laughs += "b" + std::to_string(i) + ": &a" + std::to_string(i) + " [" +
              (i == 0 ? std::string("*a") : "*a" + std::to_string(i - 1)) +
              ", *a]\n";
  }
  EXPECT_EQ(Errors(laughs).size(), 21u);  // Each top-level key is unknown.
  std::string nul("count: 1\0\n", 10);
  EXPECT_FALSE(Errors(nul).empty());
}

TEST(SchemaTest, ToYamlReadsBackEqual) {
  Widget w;
  w.enabled = false;
  w.count = 0;
  w.port = 65535;
  w.ratio = 0.1;
  w.name = "it's \"quoted\"\n\ttabbed \\ and \xc3\xa9";
  w.mode = "off";
  w.period_ms = 3599999;
  w.hosts = {"",     "#not a comment", "a: b",   "- c",  "'",   "null",
             "True", "a/b:c",          "-x",     "ok:",  "~",   "1e3",
             "[x]",  "*alias",         "&a",     "!tag", "%d",  "@x",
             "`x`",  " lead",          "trail ", "a #b", "x\ty"};
  w.pattern = "(ram|loop)\\d+";
  w.inner.timeout_ms = 60000;
  w.inner.tags = {};
  w.options.level = 1;
  std::string yaml = WidgetSchema().ToYaml(w, "Header line.");
  Widget back;
  EXPECT_THAT(yaml, HasSubstr("# Header line.\n"));
  EXPECT_THAT(yaml, HasSubstr("# How many.\n# Range: 0 to 100.\ncount: 0\n"));
  EXPECT_THAT(yaml, HasSubstr("# Mode.\n# One of: fast, slow, off.\nmode: "
                              "'off'\n"));  // Plain off would read as a bool.
  EXPECT_THAT(yaml, HasSubstr("period: 59m59s999ms\n"));
  EXPECT_THAT(yaml, HasSubstr("  tags: []\n"));
  EXPECT_THAT(yaml, HasSubstr("\n  - a/b:c\n  - '-x'\n  - 'ok:'\n"));
  EXPECT_THAT(yaml, HasSubstr("pattern: '(ram|loop)\\d+'\n"));
  ConfigErrors errors("round.yml");
  WidgetSchema().Load(yaml, &back, &errors);
  // The only error is the validator refusing the name with spaces; every
  // other field must have read back exactly.
  ASSERT_EQ(errors.errors().size(), 1u) << errors.ToStatus().message();
  EXPECT_EQ(errors.errors()[0].path, "name");
  back.name = w.name;
  EXPECT_TRUE(WidgetSchema().Equal(back, w)) << yaml;
}

TEST(SchemaTest, DefaultsYamlReadsBackEqual) {
  std::string yaml = WidgetSchema().ToYaml(Widget{}, "");
  Widget back;
  back.count = 99;  // Must be overwritten from the document.
  EXPECT_THAT(Errors(yaml, &back), ElementsAre()) << yaml;
  EXPECT_TRUE(WidgetSchema().Equal(back, Widget{})) << yaml;
}

TEST(SchemaTest, EqualComparesEveryField) {
  Widget a, b;
  EXPECT_TRUE(WidgetSchema().Equal(a, b));
  b.options.level = 4;  // Spliced from a member.
  EXPECT_FALSE(WidgetSchema().Equal(a, b));
  b = Widget{};
  b.enabled = false;  // Spliced from a base.
  EXPECT_FALSE(WidgetSchema().Equal(a, b));
  b = Widget{};
  b.inner.tags = {"x"};  // In a nested section.
  EXPECT_FALSE(WidgetSchema().Equal(a, b));
}

TEST(SchemaTest, MarkdownDocumentsEveryField) {
  std::string md;
  Widget defaults;
  WidgetSchema().AppendMarkdown(&defaults, "widget", "A widget.", &md);
  EXPECT_THAT(md, HasSubstr("## `widget`\n\nA widget.\n\n| Key | Type | "
                            "Default | Allowed | Description |\n"));
  EXPECT_THAT(md, HasSubstr("| `count` | integer | `5` | 0 to 100 | How "
                            "many. |\n"));
  EXPECT_THAT(md, HasSubstr("| `port` | integer | `80` | 1 to 65535 | Port. "
                            "|\n"));
  EXPECT_THAT(md, HasSubstr("| `mode` | enum | `fast` | `fast`, `slow`, "
                            "`off` | Mode. |\n"));
  EXPECT_THAT(md, HasSubstr("| `period` | duration | `2s` | 100ms to 1h | "
                            "Period. |\n"));
  EXPECT_THAT(md, HasSubstr("| `hosts` | list of strings | `a`, `b` |  | "
                            "Hosts. |\n"));
  EXPECT_THAT(md, HasSubstr("| `enabled` | bool | `true` |  | Turn it on. "
                            "|\n"));
  EXPECT_THAT(md, HasSubstr("| `level` | integer | `3` | 1 to 9 | Level. "
                            "|\n"));
  EXPECT_THAT(md, HasSubstr("## `widget.inner`\n\nThe inner part.\n\n"));
  EXPECT_THAT(md, HasSubstr("| `tags` | list of strings | (empty) |  | "
                            "Tags. |\n"));
}

}  // namespace
}  // namespace tend

namespace tend {
namespace {

struct Item {
  std::string name;
  int64_t weight = 1;
  std::vector<std::string> tags;
};

struct Shelf {
  std::string label = "s";
  std::vector<Item> items;
};

const Schema<Shelf>& ShelfSchema() {
  static const Schema<Shelf>* const schema = [] {
    Schema<Item> item;
    item.String("name", &Item::name, "Name.")
        .Int("weight", &Item::weight, "Weight.", 1, 10)
        .StringList("tags", &Item::tags, "Tags.")
        .Validate([](const Item& i) {
          return i.name.empty() ? InvalidArgumentError("an item needs a name")
                                : Status::Ok();
        });
    auto* s = new Schema<Shelf>;
    s->String("label", &Shelf::label, "Label.")
        .SectionList("items", &Shelf::items, item, "The items.");
    return s;
  }();
  return *schema;
}

TEST(SchemaSectionListTest, DecodesEachElementOverDefaults) {
  Result<Shelf> shelf = ShelfSchema().LoadString(
      "items:\n  - name: a\n    weight: 3\n  - name: b\n    tags: [x, y]\n",
      "f.yml");
  ASSERT_TRUE(shelf.ok()) << shelf.status().ToString();
  ASSERT_EQ(shelf->items.size(), 2u);
  EXPECT_EQ(shelf->items[0].name, "a");
  EXPECT_EQ(shelf->items[0].weight, 3);
  EXPECT_EQ(shelf->items[1].weight, 1);  // The element's default.
  EXPECT_THAT(shelf->items[1].tags, ElementsAre("x", "y"));
}

TEST(SchemaSectionListTest, ErrorsNameTheElementAndPosition) {
  Result<Shelf> shelf = ShelfSchema().LoadString(
      "items:\n  - name: a\n    weight: 30\n  - weight: 2\n  - 5\n", "f.yml");
  ASSERT_FALSE(shelf.ok());
  std::string m(shelf.status().message());
  EXPECT_THAT(m, HasSubstr("f.yml:3:13: items[0].weight"));
  EXPECT_THAT(m, HasSubstr("items[1]: an item needs a name"));
  EXPECT_THAT(m, HasSubstr("f.yml:5:5: items[2]: want a mapping of keys"));
  Result<Shelf> scalar = ShelfSchema().LoadString("items: 3\n", "f.yml");
  ASSERT_FALSE(scalar.ok());
  EXPECT_THAT(std::string(scalar.status().message()),
              HasSubstr("want a list of mappings"));
}

TEST(SchemaSectionListTest, YamlReadsBackEqualAndEqualComparesElements) {
  Shelf shelf;
  shelf.items = {{"a", 2, {"t1"}}, {"b c", 1, {}}};
  std::string yaml = ShelfSchema().ToYaml(shelf, "header");
  Result<Shelf> back = ShelfSchema().LoadString(yaml, "out.yml");
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << yaml;
  EXPECT_TRUE(ShelfSchema().Equal(shelf, *back)) << yaml;
  Shelf other = shelf;
  other.items[1].weight = 5;
  EXPECT_FALSE(ShelfSchema().Equal(shelf, other));
  other.items.pop_back();
  EXPECT_FALSE(ShelfSchema().Equal(shelf, other));
  EXPECT_THAT(ShelfSchema().ToYaml(Shelf{}, ""), HasSubstr("items: []"));
}

TEST(SchemaSectionListTest, MarkdownDocumentsTheElementTable) {
  std::string md;
  Shelf defaults;
  ShelfSchema().AppendMarkdown(&defaults, "", "", &md);
  EXPECT_THAT(md, HasSubstr("## `items[]`"));
  EXPECT_THAT(md, HasSubstr("| `weight` | integer | `1` |"));
}

}  // namespace
}  // namespace tend
