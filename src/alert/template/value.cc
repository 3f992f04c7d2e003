#include "alert/template/value.h"

#include <cinttypes>
#include <cstdio>

#include "alert/template/gofmt.h"

namespace tend::tmpl {

const char* GoTypeName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNil:
      return "<nil>";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kFloat:
      return "float64";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kMap:
      return v.string_map ? "map[string]string" : "map[string]interface {}";
    case Value::Kind::kList:
      return "[]interface {}";
    case Value::Kind::kTime:
      return "time.Time";
  }
  return "?";
}

bool IsTrue(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNil:
      return false;
    case Value::Kind::kBool:
      return v.b;
    case Value::Kind::kInt:
      return v.i != 0;
    case Value::Kind::kFloat:
      return v.f != 0;
    case Value::Kind::kString:
      return !v.s.empty();
    case Value::Kind::kMap:
      return v.map && !v.map->empty();
    case Value::Kind::kList:
      return v.list && !v.list->empty();
    case Value::Kind::kTime:
      return true;  // A struct is always true in Go.
  }
  return false;
}

namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2 ? 1 : 0);
}

}  // namespace

std::string GoTimeString(int64_t ms) {
  int64_t days = ms / 86400000;
  int64_t rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  const int64_t secs = rem / 1000;
  const int64_t frac = rem % 1000;
  char buf[96];
  int n = std::snprintf(
      buf, sizeof buf, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d", year, month,
      day, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
      static_cast<int>(secs % 60));
  std::string out(buf, n);
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += " +0000 UTC";
  return out;
}

void AppendValue(const Value& v, std::string* out) {
  switch (v.kind) {
    case Value::Kind::kNil:
      out->append("<nil>");
      return;
    case Value::Kind::kBool:
      out->append(v.b ? "true" : "false");
      return;
    case Value::Kind::kInt:
      out->append(std::to_string(v.i));
      return;
    case Value::Kind::kFloat:
      out->append(GoFormatFloat(v.f, 'g', -1));
      return;
    case Value::Kind::kString:
      out->append(v.s);
      return;
    case Value::Kind::kMap: {
      out->append("map[");
      bool first = true;
      if (v.map) {
        for (const auto& [k, e] : *v.map) {
          if (!first) out->push_back(' ');
          first = false;
          out->append(k);
          out->push_back(':');
          AppendValue(e, out);
        }
      }
      out->push_back(']');
      return;
    }
    case Value::Kind::kList: {
      out->push_back('[');
      bool first = true;
      if (v.list) {
        for (const Value& e : *v.list) {
          if (!first) out->push_back(' ');
          first = false;
          AppendValue(e, out);
        }
      }
      out->push_back(']');
      return;
    }
    case Value::Kind::kTime:
      out->append(GoTimeString(v.i));
      return;
  }
}

std::string ValueString(const Value& v) {
  std::string s;
  AppendValue(v, &s);
  return s;
}

}  // namespace tend::tmpl
