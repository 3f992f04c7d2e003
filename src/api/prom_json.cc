#include "api/prom_json.h"

#include <charconv>
#include <cmath>

namespace tend {

void AppendPromTimestamp(std::string* out, int64_t t_ms) {
  uint64_t t;
  if (t_ms < 0) {
    *out += '-';
    t = static_cast<uint64_t>(-(t_ms + 1)) + 1;  // No overflow at INT64_MIN.
  } else {
    t = static_cast<uint64_t>(t_ms);
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), t / 1000);
  out->append(buf, r.ptr);
  uint64_t frac = t % 1000;
  if (frac != 0) {
    char f[4] = {'.', static_cast<char>('0' + frac / 100),
                 static_cast<char>('0' + frac / 10 % 10),
                 static_cast<char>('0' + frac % 10)};
    out->append(f, 4);
  }
}

void AppendPromValue(std::string* out, double v) {
  *out += '"';
  if (std::isnan(v)) {
    *out += "NaN";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "+Inf" : "-Inf";
  } else {
    // Fixed notation, shortest digits that round-trip: Go's 'f', -1. The
    // longest such form (1e308 or 5e-324) needs about 330 characters.
    char buf[400];
    auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
    out->append(buf, r.ptr);
  }
  *out += '"';
}

void AppendLabelsObject(std::string* out, const Labels& labels) {
  *out += '{';
  bool first = true;
  for (const Label& l : labels) {
    if (!first) *out += ',';
    first = false;
    AppendJsonString(l.name, out);
    *out += ':';
    AppendJsonString(l.value, out);
  }
  *out += '}';
}

namespace {

void AppendPair(std::string* out, int64_t t, double v) {
  *out += '[';
  AppendPromTimestamp(out, t);
  *out += ',';
  AppendPromValue(out, v);
  *out += ']';
}

}  // namespace

void AppendQueryData(std::string* out, const promql::QueryResult& result) {
  using promql::ValueType;
  switch (result.type) {
    case ValueType::kScalar:
      *out += "{\"resultType\":\"scalar\",\"result\":";
      AppendPair(out, result.scalar.t, result.scalar.v);
      *out += '}';
      return;
    case ValueType::kString:
      *out += "{\"resultType\":\"string\",\"result\":[";
      AppendPromTimestamp(out, result.scalar.t);
      *out += ',';
      AppendJsonString(result.string_value, out);
      *out += "]}";
      return;
    case ValueType::kVector: {
      *out += "{\"resultType\":\"vector\",\"result\":[";
      bool first = true;
      for (const promql::VectorSample& s : result.vector) {
        if (!first) *out += ',';
        first = false;
        *out += "{\"metric\":";
        AppendLabelsObject(out, s.labels);
        *out += ",\"value\":";
        AppendPair(out, s.t, s.v);
        *out += '}';
      }
      *out += "]}";
      return;
    }
    case ValueType::kMatrix:
    case ValueType::kNone: {
      *out += "{\"resultType\":\"matrix\",\"result\":[";
      bool first = true;
      for (const promql::Series& s : result.matrix) {
        if (!first) *out += ',';
        first = false;
        *out += "{\"metric\":";
        AppendLabelsObject(out, s.labels);
        *out += ",\"values\":[";
        for (size_t i = 0; i < s.points.size(); ++i) {
          if (i > 0) *out += ',';
          AppendPair(out, s.points[i].t, s.points[i].v);
        }
        *out += "]}";
      }
      *out += "]}";
      return;
    }
  }
}

}  // namespace tend
