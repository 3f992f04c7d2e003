// Differential test: the same templates rendered by Ansible 2.14's templar
// (results recorded in differential_cases.inc) and by tend.
#include <gtest/gtest.h>

#include <string>

#include "automate/jinja/jinja.h"

namespace tend::automate::jinja {
namespace {

// The variables the recorded renderings used.
constexpr const char* kDifferentialVars = R"({
  "s": "Hello World", "n": 7, "f": 2.5, "l": [3, 1, 2],
  "names": ["b", "a", "C"], "d": {"a": 1, "b": [1, 2]},
  "users": [{"name": "x", "uid": 5, "admin": true},
            {"name": "y", "uid": 3, "admin": false}],
  "empty": "", "none_v": null, "path": "/etc/app/conf.d/site.conf",
  "csv": "a,b,,c", "t": true, "u8": "héllo", "nested": [[1, [2]], 3, null]
})";

struct Case {
  const char* source;
  const char* ansible;
};

constexpr Case kCases[] = {
#include "automate/jinja/differential_cases.inc"
};

// lookup('vars', name) as Ansible's vars lookup does.
class VarsLookupScope : public ValueScope {
 public:
  using ValueScope::ValueScope;
  Result<Value> CallLookup(std::string_view plugin,
                           const std::vector<Value>& args,
                           const Value& kwargs) override {
    if (plugin != "vars") return NotFoundError("");
    Value out = Value::array();
    for (const Value& a : args) {
      const Value* v = Find(a.get<std::string>());
      if (v == nullptr) return InvalidArgumentError("no variable");
      out.push_back(*v);
    }
    return out;
  }
};

TEST(DifferentialTest, MatchesAnsible) {
  const Value vars = Value::parse(kDifferentialVars);
  VarsLookupScope scope(&vars);
  int checked = 0;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.source);
    auto t = Compile(c.source, SourcePos{"diff.yml", 1, 1});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    auto out = Render(**t, scope);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, c.ansible);
    ++checked;
  }
  EXPECT_GE(checked, 80);
}

}  // namespace
}  // namespace tend::automate::jinja
