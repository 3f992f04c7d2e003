// The engine: syntax, statements, whitespace control, Undefined,
// positioned errors, typed evaluation, conditions, limits, lookups.
#include "automate/jinja/jinja.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "automate/jinja/test_util.h"

namespace tend::automate::jinja {
namespace {

using ::testing::HasSubstr;

TEST(JinjaTest, IsTemplate) {
  EXPECT_TRUE(IsTemplate("a {{ b }}"));
  EXPECT_TRUE(IsTemplate("{% if x %}{% endif %}"));
  EXPECT_TRUE(IsTemplate("{# c #}"));
  EXPECT_FALSE(IsTemplate("plain { text } %}"));
}

TEST(JinjaTest, Statements) {
  EXPECT_EQ(R("{% for x in xs %}{{ loop.index0 }}{{ x }}"
              "{% if not loop.last %},{% endif %}{% endfor %}",
              R"({"xs": ["a", "b"]})"),
            "0a,1b");
  EXPECT_EQ(R("{% for x in xs %}{{ loop.revindex }}{{ loop.first }}"
              "{% endfor %}",
              R"({"xs": [1, 2]})"),
            "2True1False");
  EXPECT_EQ(
      R("{% for k in d %}{{ k }}{% endfor %}", R"({"d": {"b": 1, "a": 2}})"),
      "ba");
  EXPECT_EQ(R("{% for c in 'hé' %}[{{ c }}]{% endfor %}"), "[h][é]");
  EXPECT_EQ(R("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}"),
            "3 7 ");
  EXPECT_EQ(R("{% set a, b = 1, 2 %}{{ a }}{{ b }}"), "12");
  EXPECT_EQ(R("{% set x %}in {{ 1 + 1 }}{% endset %}[{{ x }}]"), "[in 2]");
  // A set inside a loop does not leak out, nor into the next iteration.
  EXPECT_EQ(R("{% set x = 0 %}{% for i in [1, 2] %}{{ x is defined }}"
              "{% set x = i %}{{ x }}{% endfor %}{{ x }}"),
            "True1True20");
  EXPECT_EQ(R("{% for i in [1, 2] %}{% for j in [3] %}{{ i * j }}{% endfor %}"
              "{% endfor %}"),
            "36");
  EXPECT_EQ(R("{% if x is defined %}a{% elif y %}b{% else %}c{% endif %}",
              R"({"y": 1})"),
            "b");
}

TEST(JinjaTest, WhitespaceControlAndTrimBlocks) {
  // trim_blocks: the newline after a block tag goes; lstrip_blocks is off.
  EXPECT_EQ(R("{% if true %}\n  a\n{% endif %}\nb"), "  a\nb");
  EXPECT_EQ(R("  {%- if true %}x{% endif -%}  \n y"), "xy");
  EXPECT_EQ(R("a {{- 1 -}} b"), "a1b");
  EXPECT_EQ(R("{# note #}\nline"), "line");
  EXPECT_EQ(R("{% if true +%}\nx{% endif %}"), "\nx");
  EXPECT_EQ(R("{{ 1 }}\n{{ 2 }}"), "1\n2");  // no trimming after {{ }}
  // Trailing newlines of the source survive, as Ansible pads them back.
  EXPECT_EQ(R("x\n\n"), "x\n\n");
  EXPECT_EQ(R("{% if true %}x{% endif %}\n"), "x\n");
  EXPECT_EQ(R("{% raw %}{{ x }}{% endraw %}"), "{{ x }}");
}

TEST(JinjaTest, ExpressionsAndPython) {
  EXPECT_EQ(R("{{ 'a' 'b' }}"), "ab");
  EXPECT_EQ(R("{{ 10 / 4 }} {{ 10 // 4 }} {{ 2 ** 3 ** 2 }} {{ 7.5 % 2 }}"),
            "2.5 2 64 1.5");
  EXPECT_EQ(R("{{ x.0 }} {{ x[-1] }} {{ x[::2] }}", R"({"x": [1, 2, 3]})"),
            "1 3 [1, 3]");
  EXPECT_EQ(R("{{ 'héllo'[1:3] }}"), "él");
  EXPECT_EQ(R("{{ {'a': 1}['a'] }} {{ {'a': 1}.a }}"), "1 1");
  EXPECT_EQ(R("{{ 1 if x else 2 }}", R"({"x": []})"), "2");
  EXPECT_EQ(R("{{ 'ab' in ['ab'] }} {{ 1 not in [1] }}"), "True False");
  EXPECT_EQ(R("{{ 0x10 + 0o10 + 0b10 + 1_000 }}"), "1026");
  EXPECT_EQ(R("{{ -x | abs }}", R"({"x": 3})"), "3");
  EXPECT_EQ(R("{{ none }}|{{ [none] }}"), "|[None]");
  EXPECT_EQ(R("{{ {'a': 1}.items() | list }}"), "[['a', 1]]");
  EXPECT_THAT(R("{{ 1 + 'a' }}"),
              HasSubstr("unsupported operand type(s) for +: 'int' and 'str'"));
  EXPECT_THAT(R("{{ 1 / 0 }}"), HasSubstr("division by zero"));
  EXPECT_THAT(R("{{ 9223372036854775807 + 1 }}"), HasSubstr("overflow"));
  EXPECT_THAT(R("{{ 'a'.nope() }}"), HasSubstr("'str object' has no method"));
  EXPECT_THAT(R("{{ 'a' % 1 }}"), HasSubstr("use the format filter"));
}

TEST(JinjaTest, UndefinedHandling) {
  EXPECT_EQ(R("{{ x }}"), "ERROR: t.yml:1:4: 'x' is undefined in \"{{ x }}\"");
  EXPECT_EQ(R("a\n  {{ d.missing }}", R"({"d": {"k": 1}})"),
            "ERROR: t.yml:2:8: 'dict object' has no attribute 'missing' in "
            "\"{{ d.missing }}\"");
  EXPECT_THAT(R("{{ d['k'].z.w }}", R"({"d": {"k": {}}})"),
              HasSubstr("'dict object' has no attribute 'z'"));
  EXPECT_THAT(R("{% if x %}{% endif %}"), HasSubstr("'x' is undefined"));
  EXPECT_THAT(R("{% for i in x %}{% endfor %}"), HasSubstr("'x' is undefined"));
  EXPECT_THAT(R("{{ x | lower }}"), HasSubstr("'x' is undefined"));
  EXPECT_THAT(R("{{ [x] }}"), HasSubstr("'x' is undefined"));
  EXPECT_THAT(R("{{ l[5] }}", R"({"l": [1]})"), HasSubstr("has no element 5"));
  EXPECT_EQ(R("{{ l[5] | default('d') }}", R"({"l": [1]})"), "d");
  EXPECT_THAT(R("{{ 'a' if false }}"), HasSubstr("inline if-expression"));
  EXPECT_EQ(R("{{ 'a' if false | default('z') }}"),
            "ERROR: t.yml:1:8: the "
            "inline if-expression evaluated to false and has no else in "
            "\"{{ 'a' if false | default('z') }}\"");
}

TEST(JinjaTest, SyntaxErrorsHavePositions) {
  auto err = [](std::string_view text, SourcePos pos) {
    auto t = Compile(text, pos);
    return t.ok() ? std::string("OK") : t.status().message();
  };
  EXPECT_EQ(err("x {{ 1 + }}", {"p.yml", 4, 10}),
            "p.yml:4:19: unexpected '}}', expected an expression in "
            "\"{{ 1 + }}\"");
  EXPECT_EQ(err("line\n{% if x %}", {"p.yml", 3, 7}),
            "p.yml:4:4: missing {% endif %} for this {% if %}");
  EXPECT_THAT(err("{{ 'abc }}", {"p.yml", 1, 1}),
              HasSubstr("p.yml:1:4: unterminated string"));
  EXPECT_THAT(err("{% endfor %}", {}), HasSubstr("unexpected {% endfor %}"));
  EXPECT_THAT(err("{% include 'x' %}", {}),
              HasSubstr("the {% include %} tag is not supported"));
  EXPECT_THAT(err("{% frob %}", {}), HasSubstr("unknown tag 'frob'"));
  EXPECT_THAT(err("{{ x", {}), HasSubstr("expected '}}'"));
  EXPECT_THAT(err("{# open", {}), HasSubstr("unterminated comment"));
  EXPECT_THAT(err("{{ a.b( }}", {}), HasSubstr("1:10: unexpected '}'"));
  EXPECT_THAT(err("{{ f(a=1, 2) }}", {}),
              HasSubstr("positional argument follows keyword argument"));
  EXPECT_THAT(err("{{ ] }}", {}), HasSubstr("unexpected ']'"));
}

TEST(JinjaTest, EvaluateKeepsTypes) {
  const Value vars = Value::parse(
      R"({"n": 3, "l": [1, 2], "s": "yes", "js": "[1, 2]", "b": true})");
  ValueScope scope(&vars);
  auto eval = [&](std::string_view text) {
    auto t = Compile(text, {});
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    auto v = Evaluate(**t, scope);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Value("ERROR");
  };
  // Numbers come back as their text, as in Ansible 2.14 (no native types).
  EXPECT_EQ(eval("{{ n }}"), Value("3"));
  EXPECT_EQ(eval("{{n}}"), Value("3"));
  EXPECT_EQ(eval("{{ l }}"), Value::parse("[1, 2]"));
  EXPECT_EQ(eval("{{ s }}"), Value("yes"));
  EXPECT_EQ(eval(" {{ l }}"), Value(" [1, 2]"));
  // Ansible turns list-, dict- and boolean-looking output back into them.
  EXPECT_EQ(eval("{{ js }}"), Value::parse("[1, 2]"));
  // ...unless the expression ends in a string-type filter (Ansible's
  // _no_type_regex): to_json output stays text.
  EXPECT_EQ(eval("{{ l | to_json }}"), Value("[1, 2]"));
  EXPECT_EQ(eval("{{ l | to_nice_json(indent=2) }}\n"),
            Value("[\n  1,\n  2\n]\n"));
  EXPECT_EQ(eval("{{ l | string }}"), Value("[1, 2]"));
  EXPECT_EQ(eval("[{% for x in l %}'{{ x }}',{% endfor %}]"),
            Value::parse(R"(["1", "2"])"));
  EXPECT_EQ(eval("{{ b }}"), Value(true));
  EXPECT_EQ(eval("{{ 'True' }}"), Value(true));
  EXPECT_EQ(eval("{{ none }}"), Value(""));
  EXPECT_EQ(eval("{{ '{not json' }}"), Value("{not json"));
  EXPECT_EQ(eval("plain"), Value("plain"));

  auto e = CompileExpression("l | length > 1", {});
  ASSERT_TRUE(e.ok());
  auto v = Evaluate(**e, scope);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, Value(true));
}

TEST(JinjaTest, ConditionsAreStrict) {
  const Value vars =
      Value::parse(R"({"t": true, "s": "Yes", "str": "abc", "n": 1, "l": []})");
  ValueScope scope(&vars);
  auto cond = [&](std::string_view expr) -> std::string {
    auto t = CompileExpression(expr, SourcePos{"play.yml", 9, 13});
    if (!t.ok()) return "COMPILE: " + t.status().message();
    auto r = EvaluateCondition(**t, scope);
    if (!r.ok()) return r.status().message();
    return *r ? "true" : "false";
  };
  EXPECT_EQ(cond("t"), "true");
  EXPECT_EQ(cond("not t"), "false");
  EXPECT_EQ(cond("s"), "true");
  EXPECT_EQ(cond("{{ t }}"), "true");
  EXPECT_EQ(cond("n == 1 and l | length == 0"), "true");
  EXPECT_EQ(cond("str"),
            "play.yml:9:13: the condition must be a boolean, got str 'abc' "
            "(compare it explicitly, e.g. 'x | bool' or 'x | length > 0') in "
            "\"str\"");
  EXPECT_THAT(cond("n"), HasSubstr("got int 1"));
  EXPECT_THAT(cond("l"), HasSubstr("got list []"));
  EXPECT_EQ(cond("missing"),
            "play.yml:9:13: 'missing' is undefined in \"missing\"");
  EXPECT_EQ(cond("t and missing"),
            "play.yml:9:19: 'missing' is undefined in \"t and missing\"");
  EXPECT_THAT(cond("t and"), HasSubstr("COMPILE: play.yml:9:18: unexpected"));
}

TEST(JinjaTest, VerbatimBackslashesOnlyInTaskStrings) {
  const Value vars = Value::object();
  ValueScope scope(&vars);
  auto task = Compile(R"({{ 'a\nb' }})", {});
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(*Render(**task, scope), "a\\nb");
  CompileOptions file;
  file.verbatim_strings_in_output_tags = false;
  auto tmpl = Compile(R"({{ 'a\nb' }})", {}, file);
  ASSERT_TRUE(tmpl.ok());
  EXPECT_EQ(*Render(**tmpl, scope), "a\nb");
  // {% %} tags always use Jinja's escapes.
  auto block = Compile(R"({% set x = 'a\tb' %}{{ x }})", {});
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(*Render(**block, scope), "a\tb");
}

// A Scope fake: counts lookups and answers lookup plugins.
class FakeScope : public Scope {
 public:
  Result<std::optional<Value>> Lookup(std::string_view name) override {
    ++lookups[std::string(name)];
    if (name == "broken") return InvalidArgumentError("vars.yml:3:4: nested");
    if (name == "x") return std::optional<Value>(Value(41));
    return std::optional<Value>();
  }
  Result<Value> CallLookup(std::string_view plugin,
                           const std::vector<Value>& args,
                           const Value& kwargs) override {
    last_kwargs = kwargs;
    if (plugin == "env") return Value::array({"/home/u"});
    if (plugin == "items") return Value(args);
    if (plugin == "fail") return UnavailableError("file not found");
    return NotFoundError("");
  }
  std::map<std::string, int> lookups;
  Value last_kwargs;
};

TEST(JinjaTest, ScopeLookupsAndPlugins) {
  FakeScope scope;
  auto render = [&](std::string_view text) -> std::string {
    auto t = Compile(text, SourcePos{"p.yml", 1, 1});
    if (!t.ok()) return t.status().message();
    auto r = Render(**t, scope);
    return r.ok() ? *r : r.status().message();
  };
  EXPECT_EQ(
      render("{{ x + 1 }}{{ x }}{% for i in [1, 2] %}{{ x }}{% endfor %}"),
      "42414141");
  EXPECT_EQ(scope.lookups["x"], 1);  // cached for the rendering
  EXPECT_EQ(render("{{ broken }}"), "vars.yml:3:4: nested");
  EXPECT_EQ(render("{{ lookup('env', 'HOME') }}"), "/home/u");
  EXPECT_EQ(render("{{ query('env', 'HOME') }}"), "['/home/u']");
  EXPECT_EQ(render("{{ lookup('items', 'a', 'b') }}"), "a,b");
  EXPECT_EQ(render("{{ lookup('items', 1, 2) }}"), "[1, 2]");
  EXPECT_EQ(render("{{ lookup('items', 'a', wantlist=true) }}"), "['a']");
  EXPECT_EQ(render("{{ q('items', 'a', errors='ignore') }}"), "['a']");
  EXPECT_EQ(scope.last_kwargs, Value::parse(R"({"errors": "ignore"})"));
  EXPECT_EQ(render("{{ lookup('nope') }}"),
            "p.yml:1:4: lookup plugin 'nope' is not supported in "
            "\"{{ lookup('nope') }}\"");
  EXPECT_EQ(render("{{ lookup('fail', 'x') }}"),
            "p.yml:1:4: lookup('fail'): file not found in "
            "\"{{ lookup('fail', 'x') }}\"");
  EXPECT_EQ(render("{{ range(2, 8, 3) | list }} {{ dict([['a', 1]], b=2) }}"),
            "[2, 5] {'a': 1, 'b': 2}");
  EXPECT_THAT(render("{{ nofunc(1) }}"), HasSubstr("'nofunc' is undefined"));
}

TEST(JinjaTest, LimitsAgainstHostileInput) {
  std::string deep(500, '(');
  deep = "{{ " + deep + "1" + std::string(500, ')') + " }}";
  EXPECT_THAT(R(deep), HasSubstr("nested more than 100 levels"));
  std::string blocks;
  for (int i = 0; i < 150; ++i) blocks += "{% if true %}";
  EXPECT_THAT(R(blocks), HasSubstr("blocks nested more than 100 levels"));
}

TEST(JinjaTest, IterationLimit) {
  EXPECT_THAT(R("{% for i in range(1000) %}{% for j in range(1000) %}"
                "{% for k in range(10) %}{% endfor %}{% endfor %}{% endfor %}"),
              HasSubstr("loop iterations"));
  EXPECT_THAT(R("{{ range(100000000) }}"), HasSubstr("range() of more than"));
}

TEST(JinjaTest, SizeLimits) {
  EXPECT_THAT(R("{{ 'x' * 100000000 }}"), HasSubstr("larger than 64 MiB"));
  EXPECT_THAT(R("{% set s = 'x' * 60000000 %}{{ s }}{{ s }}"),
              HasSubstr("output larger than 64 MiB"));
  EXPECT_THAT(R("{{ 2 ** 100 }}"), HasSubstr("integer overflow"));
}

TEST(JinjaTest, CompiledTemplateIsReusable) {
  auto t = Compile("{{ root }}/etc/{{ item.name }}.conf", {});
  ASSERT_TRUE(t.ok());
  for (const char* name : {"a", "b"}) {
    Value vars = Value::object();
    vars["root"] = "/srv";
    vars["item"] = Value::object();
    vars["item"]["name"] = name;
    ValueScope scope(&vars);
    EXPECT_EQ(*Render(**t, scope), std::string("/srv/etc/") + name + ".conf");
  }
  EXPECT_EQ(TextOf(**t), "{{ root }}/etc/{{ item.name }}.conf");
}

}  // namespace
}  // namespace tend::automate::jinja
