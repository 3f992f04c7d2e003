// Label matchers written as text, in Alertmanager's syntax: what silences,
// routes, inhibition rules and remedy triggers take.
//
//   alertname="HostDown"     severity!="info"
//   instance=~"web-\\d+"     job !~ "node|api"     env=prod (bare value)
//   {alertname="A", job=~"x,y"}                     (a list)
//
// Quoted values use Go's escapes \\ \" \n \t; a bare value runs to the next
// comma (or closing brace) and may not hold '"' nor start with = or ~.
// Errors say what is wrong and at which column: `bad matcher foo~bar:
// expected one of =, !=, =~, !~ after "foo" at column 4`.
#ifndef TEND_MODEL_MATCHER_TEXT_H_
#define TEND_MODEL_MATCHER_TEXT_H_

#include <string_view>

#include "base/status.h"
#include "model/matcher.h"

namespace tend {

// Exactly one matcher.
Result<LabelMatcher> ParseMatcherText(std::string_view text);

// One or more matchers separated by commas, optionally in braces.
Result<Matchers> ParseMatcherList(std::string_view text);

}  // namespace tend

#endif  // TEND_MODEL_MATCHER_TEXT_H_
