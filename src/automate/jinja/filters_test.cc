// Filters and tests beyond the differential table: arguments, edge cases
// and errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "automate/jinja/test_util.h"

namespace tend::automate::jinja {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(FiltersTest, DefaultAndMandatory) {
  EXPECT_EQ(R("{{ x | d('a') }}"), "a");
  EXPECT_EQ(R("{{ x | default }}"), "");
  EXPECT_EQ(R("{{ x.y.z | default('deep') }}", R"({"x": {}})"), "deep");
  EXPECT_EQ(R("{{ 0 | default(5, true) }}"), "5");
  EXPECT_EQ(R("{{ 0 | default(5) }}"), "0");
  EXPECT_EQ(R("{{ x | default(omit) }}"), std::string(kOmitPlaceholder));
  EXPECT_EQ(R("{{ x | mandatory }}", R"({"x": 1})"), "1");
  EXPECT_THAT(R("{{ x | mandatory }}"), HasSubstr("'x' is undefined"));
  EXPECT_THAT(R("{{ x | mandatory('set x') }}"), HasSubstr("set x"));
}

TEST(FiltersTest, Conversions) {
  EXPECT_EQ(R("{{ '  12 ' | int + 1 }}"), "13");
  EXPECT_EQ(R("{{ '0b101' | int(base=2) }}"), "5");
  EXPECT_EQ(R("{{ 'x' | int(default=-1) }}"), "-1");
  EXPECT_EQ(R("{{ 3.99 | int }}"), "3");
  EXPECT_EQ(R("{{ 'abc' | float(1.5) }}"), "1.5");
  EXPECT_EQ(R("{{ 2 | float }}"), "2.0");
  EXPECT_EQ(R("{{ 'TRUE' | bool }} {{ 'y' | bool }} {{ none | bool }}"),
            "True False ");
  EXPECT_EQ(R("{{ [1] | string }}"), "[1]");
}

TEST(FiltersTest, Strings) {
  EXPECT_EQ(R("{{ 'a.b.c' | split('.', 1) }}"), "['a', 'b.c']");
  EXPECT_EQ(R("{{ 'xxhixx' | trim('x') }}"), "hi");
  EXPECT_EQ(R("{{ ['etc', 'app', 'x.conf'] | path_join }}"), "etc/app/x.conf");
  EXPECT_EQ(R("{{ ['/a', '/b', 'c'] | path_join }}"), "/b/c");
  EXPECT_EQ(R("{{ '~/x' | expanduser | regex_search('^/') }}"), "/");
  EXPECT_EQ(R("{{ 'a\nb\n' | indent(2) }}", "{}"), "a\n  b\n");
  EXPECT_EQ(R("{{ 'x' | comment }}"), "#\n# x\n#");
  EXPECT_EQ(R("{{ '%s is %.1f' | format('pi', 3.14159) }}"), "pi is 3.1");
  EXPECT_THAT(R("{{ '%d' | format('x') }}"), HasSubstr("a number is required"));
  EXPECT_EQ(R("{{ 'x' | type_debug }} {{ {} | type_debug }}"), "str dict");
}

TEST(FiltersTest, Lists) {
  const char* users = R"({"u": [{"n": "b", "age": 30, "g": "x"},
                               {"n": "a", "age": 20, "g": "x"},
                               {"n": "c", "age": 20, "g": "y"}]})";
  EXPECT_EQ(
      R("{{ u | sort(attribute='age,n') | map(attribute='n') | join }}", users),
      "acb");
  EXPECT_EQ(R("{{ u | min(attribute='age') | attr_n }}", users),
            "ERROR: t.yml:1:31: no filter named 'attr_n' in \"{{ u | "
            "min(attribute='age') | attr_n }}\"");
  EXPECT_EQ(R("{{ (u | max(attribute='age')).n }}", users), "b");
  EXPECT_EQ(R("{{ u | sum(attribute='age') }}", users), "70");
  EXPECT_EQ(R("{{ u | unique(attribute='g') | length }}", users), "2");
  EXPECT_EQ(R("{{ u | map(attribute='missing', default='-') | join }}", users),
            "---");
  EXPECT_EQ(R("{{ [1, [2, none, [3]]] | flatten(skip_nulls=false) }}"),
            "[1, 2, None, 3]");
  EXPECT_EQ(R("{{ [1, 2] | zip_longest(['a'], fillvalue='-') | list }}"),
            "[[1, 'a'], [2, '-']]");
  EXPECT_EQ(R("{{ ['a', 'b'] | map('extract', {'a': 1, 'b': 2}) | list }}"),
            "[1, 2]");
  EXPECT_EQ(R("{{ 'h1' | extract({'h1': {'ip': '10.0.0.1'}}, 'ip') }}"),
            "10.0.0.1");
  EXPECT_EQ(R("{{ [1, 5, 10] | select('gt', 3) | list }}"), "[5, 10]");
  EXPECT_EQ(R("{{ ['a1', 'b2'] | select('match', 'a') | list }}"), "['a1']");
  EXPECT_EQ(R("{{ [3, 1] | map('string') | map('int') | sum(start=10) }}"),
            "14");
  EXPECT_EQ(R("{{ {'a': [1]} | combine({'a': [2]}, list_merge='append') }}"),
            "{'a': [1, 2]}");
  EXPECT_EQ(R("{{ [{'a': 1}, {'b': 2}] | combine }}"), "{'a': 1, 'b': 2}");
  EXPECT_EQ(R("{{ [] | first is undefined }}"), "True");
  EXPECT_THAT(R("{{ 5 | length }}"), HasSubstr("has no len()"));
  EXPECT_THAT(R("{{ [1] | dict2items }}"), HasSubstr("expects a dictionary"));
  EXPECT_THAT(R("{{ [1, 'a'] | sort }}"), HasSubstr("not supported between"));
}

TEST(FiltersTest, Data) {
  EXPECT_EQ(R("{{ {'é': [1.5, true, none]} | to_json(ensure_ascii=false) }}"),
            "{\"é\": [1.5, true, null]}");
  EXPECT_EQ(R("{{ '😀' | to_json }}"), "\"\\ud83d\\ude00\"");
  EXPECT_EQ(R("{{ {'b': 1, 'a': 2} | to_json(sort_keys=true) }}"),
            "{\"a\": 2, \"b\": 1}");
  EXPECT_EQ(R("{{ ('a: [1, 2]' | from_yaml).a[1] }}"), "2");
  EXPECT_EQ(R("{{ ({'a': [1, 2]} | to_nice_yaml | from_yaml).a }}"), "[1, 2]");
  EXPECT_EQ(R("{{ ({'k': 'v'} | to_yaml | from_yaml).k }}"), "v");
  EXPECT_THAT(R("{{ '{' | from_json }}"), HasSubstr("not valid JSON"));
  EXPECT_EQ(R("{{ 'abc' | hash('sha256') }}"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(R("{{ 'abc' | md5 }}"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(R("{{ 'abc' | sha1 }}"),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_THAT(R("{{ 'a' | hash('nope') }}"), HasSubstr("unknown hash type"));
  EXPECT_EQ(R("{{ 'aGk' | b64decode }}"), "hi");
  EXPECT_THAT(R("{{ '!!' | b64decode }}"), HasSubstr("invalid base64"));
  EXPECT_THAT(R("{{ 'pw' | password_hash('sha512') }}"),
              HasSubstr("not supported"));
}

TEST(FiltersTest, Regex) {
  // Template files use Jinja's escapes; task strings keep backslashes.
  EXPECT_EQ(R(R"({{ 'k=v; k2=v2' | regex_search('k2=(\w+)', '\1') }})"),
            "['v2']");
  EXPECT_EQ(R(R"({{ 'a-b' | regex_replace('(?P<x>\w)-(\w)', '\g<x>+\2') }})"),
            "a+b");
  EXPECT_EQ(R("{{ 'AbC' | regex_replace('b', 'x', ignorecase=true) }}"), "AxC");
  EXPECT_EQ(R("{{ 'aaa' | regex_replace('a', 'b', count=2) }}"), "bba");
  EXPECT_EQ(R("{{ 'a\nb' | regex_findall('^.$', multiline=true) }}"),
            "['a', 'b']");
  EXPECT_EQ(R("{{ 'x*' | regex_replace('x*', '-') }}"), "--*-");
  EXPECT_EQ(R("{{ 'a.b' | regex_escape }}"), "a\\.b");
  EXPECT_THAT(R("{{ 'a' | regex_search('(') }}"),
              HasSubstr("invalid regular expression '('"));
  EXPECT_THAT(R(R"({{ 'aa' | regex_search('(a)\1') }})"),
              HasSubstr("invalid regular expression"));
}

TEST(TestsTest, AllTests) {
  EXPECT_EQ(R("{{ 'ABC' is match('abc', ignorecase=true) }}"), "True");
  EXPECT_EQ(R("{{ 'abc' is regex('b', match_type='match') }}"), "False");
  EXPECT_EQ(R("{{ 'abc' is regex('abc', match_type='fullmatch') }}"), "True");
  EXPECT_EQ(R("{{ 2 is in [1, 2] }} {{ 2 is in([3]) }}"), "True False");
  EXPECT_EQ(R("{{ 1 is integer }} {{ true is integer }} {{ 1 is number }}"),
            "True False True");
  EXPECT_EQ(R("{{ none is sameas none }} {{ 1 is sameas true }}"),
            "True False");
  EXPECT_EQ(R("{{ 'a' is mapping }} {{ {} is iterable }} {{ 3 is sequence }}"),
            "False True False");
  EXPECT_EQ(R("{{ 3 is gt 2 }} {{ 2 is le 2 }} {{ 3 is equalto 3 }}"),
            "True True True");
  EXPECT_EQ(R("{{ '' is falsy }} {{ 'x' is truthy }} {{ 'True' is true }}"),
            "True True False");
  EXPECT_EQ(R("{{ '1.2.10' is version('1.2.9', 'gt') }}"), "True");
  EXPECT_EQ(R("{{ '1.2' is version('1.2.0', '<') }}"), "True");
  EXPECT_EQ(R("{{ '2.0' is version_compare('2.0', '==') }}"), "True");
  EXPECT_EQ(R("{{ '1.0a' is version('1.0', '>=') }}"), "True");
  EXPECT_THAT(R("{{ '1' is version('1', 'bad') }}"),
              HasSubstr("invalid operator 'bad'"));
  EXPECT_EQ(R("{{ r is changed }} {{ r is succeeded }} {{ r is skipped }}",
              R"({"r": {"results": [{"changed": false}, {"changed": true}]}})"),
            "True True False");
  EXPECT_THAT(R("{{ 'x' is failed }}"), HasSubstr("expects a dictionary"));
  EXPECT_EQ(R("{{ x is not defined and y is none }}", R"({"y": null})"),
            "True");
  EXPECT_EQ(R("{{ [1, 2] is not subset([1]) }}"), "True");
  EXPECT_EQ(R("{{ 'abc' is not lower }}"), "False");
}

TEST(FiltersTest, UnknownFilterAndTestSuggest) {
  EXPECT_EQ(R("{{ x | lowr }}"),
            "ERROR: t.yml:1:8: no filter named 'lowr'; did you mean 'lower'? "
            "in \"{{ x | lowr }}\"");
  EXPECT_THAT(R("{{ x is defind }}"),
              HasSubstr("no test named 'defind'; did you mean 'defined'?"));
  EXPECT_EQ(R("{{ 'A' | ansible.builtin.lower }}"), "a");
  EXPECT_THAT(R("{{ x | community.general.json_query('a') }}"),
              HasSubstr("no filter named 'community.general.json_query'"));
  EXPECT_THAT(R("{{ 'a' | lower(1) }}"), HasSubstr("takes at most 0"));
  EXPECT_THAT(R("{{ 'a' | join(sep=',') }}"),
              HasSubstr("unexpected keyword argument 'sep'"));
}

}  // namespace
}  // namespace tend::automate::jinja
