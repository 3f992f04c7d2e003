#include "alert/template/functions.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "alert/template/gofmt.h"
#include "base/duration.h"

namespace tend::tmpl {

Result<double> ConvertToFloat(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kFloat:
      return v.f;
    case Value::Kind::kInt:
      return static_cast<double>(v.i);
    case Value::Kind::kString: {
      // strconv.ParseFloat: no surrounding space, '_' only between digits
      // of a prefixed number (rare; rejected here), "Inf"/"NaN" any case.
      const std::string& s = v.s;
      const bool bad_start =
          s.empty() || std::isspace(static_cast<unsigned char>(s[0]));
      errno = 0;
      char* end = nullptr;
      const double d = bad_start ? 0 : std::strtod(s.c_str(), &end);
      if (bad_start || end != s.c_str() + s.size()) {
        return InvalidArgumentError("strconv.ParseFloat: parsing " +
                                    GoQuote(s) + ": invalid syntax");
      }
      if (errno == ERANGE && std::isinf(d)) {
        return InvalidArgumentError("strconv.ParseFloat: parsing " +
                                    GoQuote(s) + ": value out of range");
      }
      return d;
    }
    default:
      return InvalidArgumentError(std::string("can't convert ") +
                                  GoTypeName(v) + " to float");
  }
}

namespace {

using Args = std::vector<Value>;

Status WantString(const Value& v) {
  if (v.kind == Value::Kind::kString) return Status::Ok();
  if (v.kind == Value::Kind::kNil) {
    return InvalidArgumentError("invalid value; expected string");
  }
  return InvalidArgumentError(std::string("wrong type for value; expected "
                                          "string; got ") +
                              GoTypeName(v));
}

#define ARG_STRING(var, i)              \
  RETURN_IF_ERROR(WantString(args[i])); \
  const std::string& var = args[i].s

#define ARG_FLOAT(var, i)                           \
  Result<double> var##_r = ConvertToFloat(args[i]); \
  if (!var##_r.ok()) return var##_r.status();       \
  double var = *var##_r

// Scales by 1000 towards 1 while |v| < 1, naming the SI prefix.
std::string SmallPrefix(double* v) {
  static const char* const kPrefixes[] = {"m", "u", "n", "p",
                                          "f", "a", "z", "y"};
  std::string prefix;
  for (const char* p : kPrefixes) {
    if (std::fabs(*v) >= 1) break;
    prefix = p;
    *v *= 1000;
  }
  return prefix;
}

Result<Value> Humanize(const CallContext&, Args& args) {
  ARG_FLOAT(v, 0);
  if (v == 0 || std::isnan(v) || std::isinf(v)) return Value::String(Go4g(v));
  std::string prefix;
  if (std::fabs(v) >= 1) {
    static const char* const kPrefixes[] = {"k", "M", "G", "T",
                                            "P", "E", "Z", "Y"};
    for (const char* p : kPrefixes) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    prefix = SmallPrefix(&v);
  }
  return Value::String(Go4g(v) + prefix);
}

Result<Value> Humanize1024(const CallContext&, Args& args) {
  ARG_FLOAT(v, 0);
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) {
    return Value::String(Go4g(v));
  }
  // Prometheus writes "ki" (lower case k) for 1024.
  static const char* const kPrefixes[] = {"ki", "Mi", "Gi", "Ti",
                                          "Pi", "Ei", "Zi", "Yi"};
  std::string prefix;
  for (const char* p : kPrefixes) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return Value::String(Go4g(v) + prefix);
}

Result<Value> HumanizeDuration(const CallContext&, Args& args) {
  ARG_FLOAT(v, 0);
  if (std::isnan(v) || std::isinf(v)) return Value::String(Go4g(v));
  if (v == 0) return Value::String(Go4g(v) + "s");
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    const int64_t d = v >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(v);
    const int64_t seconds = d % 60;
    const int64_t minutes = d / 60 % 60;
    const int64_t hours = d / 3600 % 24;
    const int64_t days = d / 86400;
    auto s = [](int64_t x) { return std::to_string(x); };
    if (days != 0) {
      return Value::String(sign + s(days) + "d " + s(hours) + "h " +
                           s(minutes) + "m " + s(seconds) + "s");
    }
    if (hours != 0) {
      return Value::String(sign + s(hours) + "h " + s(minutes) + "m " +
                           s(seconds) + "s");
    }
    if (minutes != 0) {
      return Value::String(sign + s(minutes) + "m " + s(seconds) + "s");
    }
    return Value::String(sign + Go4g(v) + "s");
  }
  const std::string prefix = SmallPrefix(&v);
  return Value::String(Go4g(v) + prefix + "s");
}

Result<Value> HumanizePercentage(const CallContext&, Args& args) {
  ARG_FLOAT(v, 0);
  return Value::String(Go4g(v * 100) + "%");
}

// Prometheus's floatToTime: seconds to a time truncated to milliseconds.
Result<int64_t> FloatToTimeMs(double v) {
  const double ns = v * 1e9;
  if (ns >= 9.223372036854775807e18 || ns < -9.223372036854775808e18) {
    return InvalidArgumentError(GoFormatFloat(v, 'g', -1) +
                                " cannot be represented as a nanoseconds "
                                "timestamp since it overflows int64");
  }
  return static_cast<int64_t>(ns) / 1000000;
}

Result<Value> HumanizeTimestamp(const CallContext&, Args& args) {
  ARG_FLOAT(v, 0);
  if (std::isnan(v) || std::isinf(v)) return Value::String(Go4g(v));
  ASSIGN_OR_RETURN(int64_t ms, FloatToTimeMs(v));
  return Value::String(GoTimeString(ms));
}

Result<Value> ToTime(const CallContext&, Args& args) {
  ARG_FLOAT(v, 0);
  if (std::isnan(v) || std::isinf(v)) {
    return InvalidArgumentError("value is NaN or Inf");
  }
  ASSIGN_OR_RETURN(int64_t ms, FloatToTimeMs(v));
  return Value::Time(ms);
}

bool IsWordByte(unsigned char c) {
  return std::isalnum(c) || c == '_' || c >= 0x80;
}

Result<Value> Title(const CallContext&, Args& args) {
  ARG_STRING(s, 0);
  std::string out = s;
  bool prev_sep = true;
  for (char& c : out) {
    const unsigned char u = c;
    if (prev_sep && u < 0x80) c = static_cast<char>(std::toupper(u));
    // strings.Title: only letters, digits and '_' continue a word.
    prev_sep = !IsWordByte(u);
  }
  return Value::String(std::move(out));
}

Result<Value> ToUpper(const CallContext&, Args& args) {
  ARG_STRING(s, 0);
  std::string out = s;
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Value::String(std::move(out));
}

Result<Value> ToLower(const CallContext&, Args& args) {
  ARG_STRING(s, 0);
  std::string out = s;
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Value::String(std::move(out));
}

Result<std::unique_ptr<RE2>> Compile(const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) {
    return InvalidArgumentError("error parsing regexp: " + re->error());
  }
  return re;
}

Result<Value> Match(const CallContext&, Args& args) {
  ARG_STRING(pattern, 0);
  ARG_STRING(text, 1);
  ASSIGN_OR_RETURN(auto re, Compile(pattern));
  return Value::Bool(RE2::PartialMatch(text, *re));
}

// Go's Regexp.Expand of `repl` for one match: $1, ${1}, $name, ${name}, $$.
void Expand(const std::string& repl, const RE2& re,
            const std::vector<re2::StringPiece>& groups, std::string* out) {
  const auto& names = re.NamedCapturingGroups();
  size_t i = 0;
  while (i < repl.size()) {
    const char c = repl[i];
    if (c != '$' || i + 1 >= repl.size()) {
      out->push_back(c);
      ++i;
      continue;
    }
    if (repl[i + 1] == '$') {
      out->push_back('$');
      i += 2;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    bool braced = repl[j] == '{';
    if (braced) ++j;
    const size_t start = j;
    while (
        j < repl.size() &&
        (std::isalnum(static_cast<unsigned char>(repl[j])) || repl[j] == '_')) {
      ++j;
    }
    name = repl.substr(start, j - start);
    if (name.empty() || (braced && (j >= repl.size() || repl[j] != '}'))) {
      out->push_back('$');  // Not a valid reference: Go copies the '$'.
      ++i;
      continue;
    }
    if (braced) ++j;
    i = j;
    // A name of digits is a group number; anything else a group name (an
    // unknown name or number expands to "").
    int idx = -1;
    if (std::all_of(name.begin(), name.end(),
                    [](char d) { return d >= '0' && d <= '9'; })) {
      if (name.size() < 9) {
        std::from_chars(name.data(), name.data() + name.size(), idx);
      }
    } else {
      auto it = names.find(name);
      if (it != names.end()) idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < groups.size() &&
        groups[idx].data() != nullptr) {
      out->append(groups[idx].data(), groups[idx].size());
    }
  }
}

Result<Value> ReReplaceAll(const CallContext&, Args& args) {
  ARG_STRING(pattern, 0);
  ARG_STRING(repl, 1);
  ARG_STRING(text, 2);
  ASSIGN_OR_RETURN(auto re, Compile(pattern));
  const int n = re->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(n);
  std::string out;
  size_t pos = 0;           // Where the next search starts.
  size_t copied = 0;        // Text before this is in `out`.
  ptrdiff_t last_end = -1;  // End of the previous match.
  const re2::StringPiece input(text);
  while (pos <= text.size()) {
    if (!re->Match(input, pos, text.size(), RE2::UNANCHORED, groups.data(),
                   n)) {
      break;
    }
    const size_t ms = groups[0].data() - text.data();
    const size_t me = ms + groups[0].size();
    // Go skips an empty match right after the previous match.
    if (!(me == ms && static_cast<ptrdiff_t>(ms) == last_end)) {
      out.append(text, copied, ms - copied);
      Expand(repl, *re, groups, &out);
      copied = me;
      if (out.size() > Template::kMaxOutputBytes) {
        return ResourceExhaustedError("reReplaceAll output too large");
      }
    }
    last_end = static_cast<ptrdiff_t>(me);
    if (me > pos) {
      pos = me;
    } else {
      // Advance one UTF-8 character past an empty match.
      ++pos;
      while (pos < text.size() &&
             (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
        ++pos;
      }
    }
  }
  out.append(text, copied, std::string::npos);
  return Value::String(std::move(out));
}

// A query-result sample: a map with "Labels" (a map) and "Value".
Result<const Value*> SampleField(const Value& v, const char* field) {
  if (v.kind != Value::Kind::kMap) {
    return InvalidArgumentError(std::string("wrong type for value; expected "
                                            "sample; got ") +
                                GoTypeName(v));
  }
  auto it = v.map->find(field);
  if (it == v.map->end()) {
    return InvalidArgumentError(std::string("sample has no ") + field);
  }
  return &it->second;
}

std::string SampleLabel(const Value& sample, const std::string& name) {
  Result<const Value*> labels = SampleField(sample, "Labels");
  if (!labels.ok() || (*labels)->kind != Value::Kind::kMap) return "";
  auto it = (*labels)->map->find(name);
  if (it == (*labels)->map->end() || it->second.kind != Value::Kind::kString) {
    return "";
  }
  return it->second.s;
}

Result<Value> Label(const CallContext&, Args& args) {
  ARG_STRING(name, 0);
  ASSIGN_OR_RETURN(const Value* labels, SampleField(args[1], "Labels"));
  (void)labels;
  return Value::String(SampleLabel(args[1], name));
}

Result<Value> SampleValue(const CallContext&, Args& args) {
  ASSIGN_OR_RETURN(const Value* v, SampleField(args[0], "Value"));
  return *v;
}

Result<Value> First(const CallContext&, Args& args) {
  if (args[0].kind != Value::Kind::kList) {
    return InvalidArgumentError(std::string("wrong type for value; expected "
                                            "queryResult; got ") +
                                GoTypeName(args[0]));
  }
  if (args[0].list->empty()) {
    return InvalidArgumentError("first() called on vector with no elements");
  }
  return args[0].list->front();
}

Result<Value> SortByLabel(const CallContext&, Args& args) {
  ARG_STRING(name, 0);
  if (args[1].kind != Value::Kind::kList) {
    return InvalidArgumentError(std::string("wrong type for value; expected "
                                            "queryResult; got ") +
                                GoTypeName(args[1]));
  }
  auto sorted = std::make_shared<ValueList>(*args[1].list);
  std::stable_sort(sorted->begin(), sorted->end(),
                   [&](const Value& a, const Value& b) {
                     return SampleLabel(a, name) < SampleLabel(b, name);
                   });
  return Value::List(std::move(sorted));
}

Result<Value> ArgsMap(const CallContext&, Args& args) {
  auto m = std::make_shared<ValueMap>();
  for (size_t i = 0; i < args.size(); ++i) {
    (*m)["arg" + std::to_string(i)] = args[i];
  }
  return Value::Map(std::move(m), false);
}

Result<Value> SafeHtml(const CallContext&, Args& args) {
  ARG_STRING(s, 0);
  return Value::String(s);
}

// net.SplitHostPort; false where Go returns an error.
bool SplitHostPort(std::string_view hp, std::string_view* host,
                   std::string_view* port) {
  if (!hp.empty() && hp[0] == '[') {
    const size_t close = hp.find(']');
    if (close == std::string_view::npos || close + 1 >= hp.size() ||
        hp[close + 1] != ':') {
      return false;
    }
    *host = hp.substr(1, close - 1);
    *port = hp.substr(close + 2);
    if (host->find_first_of("[]") != std::string_view::npos) return false;
  } else {
    const size_t colon = hp.rfind(':');
    if (colon == std::string_view::npos) return false;
    *host = hp.substr(0, colon);
    *port = hp.substr(colon + 1);
    if (host->find(':') != std::string_view::npos) return false;
    if (host->find_first_of("[]") != std::string_view::npos) return false;
  }
  return port->find_first_of("[]") == std::string_view::npos;
}

Result<Value> StripPort(const CallContext&, Args& args) {
  ARG_STRING(s, 0);
  std::string_view host, port;
  if (!SplitHostPort(s, &host, &port)) return Value::String(s);
  return Value::String(std::string(host));
}

bool IsIP(std::string_view s) {
  const std::string z(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, z.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

Result<Value> StripDomain(const CallContext&, Args& args) {
  ARG_STRING(s, 0);
  std::string_view host = s, port;
  std::string_view h, p;
  if (SplitHostPort(s, &h, &p)) {
    host = h;
    port = p;
  }
  if (IsIP(host)) return Value::String(s);
  std::string out(host.substr(0, host.find('.')));
  if (!port.empty()) {
    if (out.find(':') != std::string::npos) out = "[" + out + "]";
    out += ":" + std::string(port);
  }
  return Value::String(std::move(out));
}

Result<Value> ParseDurationFn(const CallContext&, Args& args) {
  ARG_STRING(s, 0);
  Result<int64_t> ms = ParseDuration(s);
  if (!ms.ok()) {
    return InvalidArgumentError("not a valid duration string: " + GoQuote(s));
  }
  return Value::Float(static_cast<double>(*ms) / 1000.0);
}

Result<Value> ExternalUrl(const CallContext& ctx, Args&) {
  return Value::String(std::string(ctx.data->external_url));
}

Result<Value> PathPrefix(const CallContext& ctx, Args&) {
  std::string_view u = ctx.data->external_url;
  const size_t scheme = u.find("://");
  if (scheme != std::string_view::npos) {
    u.remove_prefix(scheme + 3);
    const size_t slash = u.find('/');
    u = slash == std::string_view::npos ? std::string_view() : u.substr(slash);
  }
  u = u.substr(0, u.find_first_of("?#"));
  return Value::String(std::string(u));
}

}  // namespace

// Builtins, comparisons and escapers are in builtins.cc.
Result<Value> BuiltinNot(const CallContext&, Args& args);
Result<Value> BuiltinLen(const CallContext&, Args& args);
Result<Value> BuiltinIndex(const CallContext&, Args& args);
Result<Value> BuiltinPrint(const CallContext&, Args& args);
Result<Value> BuiltinPrintf(const CallContext&, Args& args);
Result<Value> BuiltinPrintln(const CallContext&, Args& args);
Result<Value> BuiltinHtml(const CallContext&, Args& args);
Result<Value> BuiltinJs(const CallContext&, Args& args);
Result<Value> BuiltinUrlquery(const CallContext&, Args& args);
Result<Value> BuiltinEq(const CallContext&, Args& args);
Result<Value> BuiltinNe(const CallContext&, Args& args);
Result<Value> BuiltinLt(const CallContext&, Args& args);
Result<Value> BuiltinLe(const CallContext&, Args& args);
Result<Value> BuiltinGt(const CallContext&, Args& args);
Result<Value> BuiltinGe(const CallContext&, Args& args);

namespace {

const Function kFunctions[] = {
    {"and", 1, -1, nullptr, true},
    {"args", 0, -1, ArgsMap},
    {"eq", 1, -1, BuiltinEq},
    {"externalURL", 0, 0, ExternalUrl},
    {"first", 1, 1, First},
    {"ge", 2, 2, BuiltinGe},
    {"gt", 2, 2, BuiltinGt},
    {"html", 0, -1, BuiltinHtml},
    {"humanize", 1, 1, Humanize},
    {"humanize1024", 1, 1, Humanize1024},
    {"humanizeDuration", 1, 1, HumanizeDuration},
    {"humanizePercentage", 1, 1, HumanizePercentage},
    {"humanizeTimestamp", 1, 1, HumanizeTimestamp},
    {"index", 1, -1, BuiltinIndex},
    {"js", 0, -1, BuiltinJs},
    {"label", 2, 2, Label},
    {"le", 2, 2, BuiltinLe},
    {"len", 1, 1, BuiltinLen},
    {"lt", 2, 2, BuiltinLt},
    {"match", 2, 2, Match},
    {"ne", 2, 2, BuiltinNe},
    {"not", 1, 1, BuiltinNot},
    {"or", 1, -1, nullptr, true},
    {"parseDuration", 1, 1, ParseDurationFn},
    {"pathPrefix", 0, 0, PathPrefix},
    {"print", 0, -1, BuiltinPrint},
    {"printf", 1, -1, BuiltinPrintf},
    {"println", 0, -1, BuiltinPrintln},
    {"reReplaceAll", 3, 3, ReReplaceAll},
    {"safeHtml", 1, 1, SafeHtml},
    {"sortByLabel", 2, 2, SortByLabel},
    {"stripDomain", 1, 1, StripDomain},
    {"stripPort", 1, 1, StripPort},
    {"title", 1, 1, Title},
    {"toLower", 1, 1, ToLower},
    {"toTime", 1, 1, ToTime},
    {"toUpper", 1, 1, ToUpper},
    {"urlquery", 0, -1, BuiltinUrlquery},
    {"value", 1, 1, SampleValue},
};

}  // namespace

const Function* LookupFunction(std::string_view name) {
  for (const Function& f : kFunctions) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

}  // namespace tend::tmpl
