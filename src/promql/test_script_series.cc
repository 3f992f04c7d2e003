// The series notation of PromQL test scripts (Prometheus's
// parser.ParseSeriesDesc): an optional metric name, optional {labels} with
// Go-quoted values, then values: numbers (Inf, NaN), `_` (no sample),
// `stale`, `a+bxN` / `a-bxN` (N+1 values from a in steps of b), `axN`
// (a repeated N+1 times) and `_xN` (N missing samples).
#include <cstdint>
#include <string>

#include "base/utf8.h"
#include "model/point.h"
#include "promql/eval_functions.h"
#include "promql/test_script.h"

namespace tend::promql {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

void SkipSpace(std::string_view* s) {
  while (!s->empty() && IsSpace(s->front())) s->remove_prefix(1);
}

// A Go string literal ("...", '...' or `...`) at the front of *s.
Result<std::string> ParseQuoted(std::string_view* s) {
  if (s->empty()) return InvalidArgumentError("expected a quoted string");
  const char q = s->front();
  if (q != '"' && q != '\'' && q != '`') {
    return InvalidArgumentError("expected a quoted string");
  }
  s->remove_prefix(1);
  std::string out;
  while (!s->empty()) {
    char c = s->front();
    s->remove_prefix(1);
    if (c == q) return out;
    if (c != '\\' || q == '`') {
      out += c;
      continue;
    }
    if (s->empty()) break;
    char e = s->front();
    s->remove_prefix(1);
    switch (e) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case '\'':
        out += '\'';
        break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
        if (s->size() < n) return InvalidArgumentError("bad escape");
        uint32_t v = 0;
        for (size_t i = 0; i < n; ++i) {
          int h = HexDigitValue((*s)[i]);
          if (h < 0) return InvalidArgumentError("bad escape");
          v = v * 16 + static_cast<uint32_t>(h);
        }
        s->remove_prefix(n);
        if (e == 'x') {
          out += static_cast<char>(v);
        } else {
          AppendUtf8(v, &out);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7' && s->size() >= 2) {
          uint32_t v = static_cast<uint32_t>(e - '0');
          for (int i = 0; i < 2; ++i) {
            char d = (*s)[i];
            if (d < '0' || d > '7') return InvalidArgumentError("bad escape");
            v = v * 8 + static_cast<uint32_t>(d - '0');
          }
          s->remove_prefix(2);
          out += static_cast<char>(v);
          break;
        }
        return InvalidArgumentError(std::string("unknown escape \\") + e);
    }
  }
  return InvalidArgumentError("unterminated quoted string");
}

// An unsigned number at the front of *s (digits, '.', exponent, or the
// words Inf/NaN); no hexadecimal, as in Prometheus's series notation.
bool ScanNumber(std::string_view* s, double* out) {
  std::string_view in = *s;
  size_t n = 0;
  if (!in.empty() && IsAlpha(in[0])) {
    while (n < in.size() && (IsAlpha(in[n]) || IsDigit(in[n]))) ++n;
    std::string_view word = in.substr(0, n);
    // "Infx3" is not valid anyway; the word must be exactly Inf or NaN.
    if (!ParseGoFloat(word, out) || IsDigit(word.back())) return false;
    s->remove_prefix(n);
    return true;
  }
  while (n < in.size() && IsDigit(in[n])) ++n;
  if (n < in.size() && in[n] == '.') {
    ++n;
    while (n < in.size() && IsDigit(in[n])) ++n;
  }
  if (n == 0 || (n == 1 && in[0] == '.')) return false;
  if (n < in.size() && (in[n] == 'e' || in[n] == 'E')) {
    size_t m = n + 1;
    if (m < in.size() && (in[m] == '+' || in[m] == '-')) ++m;
    if (m < in.size() && IsDigit(in[m])) {
      while (m < in.size() && IsDigit(in[m])) ++m;
      n = m;
    }
  }
  if (!ParseGoFloat(in.substr(0, n), out)) return false;
  s->remove_prefix(n);
  return true;
}

bool ScanSigned(std::string_view* s, double* out) {
  bool neg = false;
  if (!s->empty() && (s->front() == '+' || s->front() == '-')) {
    neg = s->front() == '-';
    s->remove_prefix(1);
  }
  if (!ScanNumber(s, out)) return false;
  if (neg) *out = -*out;
  return true;
}

bool ScanTimes(std::string_view* s, uint64_t* n) {
  if (s->empty() || s->front() != 'x') return false;
  s->remove_prefix(1);
  if (s->empty()) return false;
  uint64_t v = 0;
  for (char c : *s) {
    if (!IsDigit(c) || v > 100000000) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  s->remove_prefix(s->size());
  *n = v;
  return true;
}

Status ParseValueItem(std::string_view tok,
                      std::vector<std::optional<double>>* out) {
  const Status bad =
      InvalidArgumentError("bad value \"" + std::string(tok) + "\"");
  if (tok == "_") {
    out->push_back(std::nullopt);
    return Status::Ok();
  }
  if (tok.starts_with("_x")) {
    std::string_view rest = tok.substr(1);
    uint64_t n;
    if (!ScanTimes(&rest, &n)) return bad;
    out->insert(out->end(), n, std::nullopt);
    return Status::Ok();
  }
  if (tok == "stale") {
    out->push_back(StaleNaN());
    return Status::Ok();
  }
  std::string_view rest = tok;
  double base;
  if (!ScanSigned(&rest, &base)) return bad;
  if (rest.empty()) {
    out->push_back(base);
    return Status::Ok();
  }
  double inc = 0;
  if (rest.front() == '+' || rest.front() == '-') {
    if (!ScanSigned(&rest, &inc)) return bad;
  }
  uint64_t n;
  if (!ScanTimes(&rest, &n)) return bad;
  // N+1 values: the first one plus N increments.
  double v = base;
  for (uint64_t i = 0; i <= n; ++i) {
    out->push_back(v);
    v += inc;
  }
  return Status::Ok();
}

}  // namespace

Result<SeriesDesc> ParseSeriesDesc(std::string_view line) {
  SeriesDesc desc;
  std::string_view s = line;
  SkipSpace(&s);
  size_t n = 0;
  while (n < s.size() &&
         (IsAlpha(s[n]) || s[n] == ':' || (n > 0 && IsDigit(s[n])))) {
    ++n;
  }
  if (n > 0) {
    desc.labels.push_back(
        Label{std::string(kMetricNameLabel), std::string(s.substr(0, n))});
    s.remove_prefix(n);
  }
  if (!s.empty() && s.front() == '{') {
    s.remove_prefix(1);
    for (;;) {
      SkipSpace(&s);
      if (s.empty()) return InvalidArgumentError("unterminated label set");
      if (s.front() == '}') {
        s.remove_prefix(1);
        break;
      }
      size_t m = 0;
      while (m < s.size() && (IsAlpha(s[m]) || (m > 0 && IsDigit(s[m])))) ++m;
      if (m == 0) return InvalidArgumentError("expected a label name");
      std::string name(s.substr(0, m));
      s.remove_prefix(m);
      SkipSpace(&s);
      if (s.empty() || s.front() != '=') {
        return InvalidArgumentError("expected '=' after label " + name);
      }
      s.remove_prefix(1);
      SkipSpace(&s);
      ASSIGN_OR_RETURN(std::string value, ParseQuoted(&s));
      desc.labels.push_back(Label{std::move(name), std::move(value)});
      SkipSpace(&s);
      if (!s.empty() && s.front() == ',') {
        s.remove_prefix(1);
      } else if (s.empty() || s.front() != '}') {
        return InvalidArgumentError("expected ',' or '}' in label set");
      }
    }
  } else if (n == 0) {
    return InvalidArgumentError("expected a metric name or '{'");
  }
  CanonicalizeLabels(&desc.labels);
  if (!s.empty() && !IsSpace(s.front())) {
    return InvalidArgumentError("expected whitespace before the values");
  }
  for (;;) {
    SkipSpace(&s);
    if (s.empty()) break;
    size_t m = 0;
    while (m < s.size() && !IsSpace(s[m])) ++m;
    RETURN_IF_ERROR(ParseValueItem(s.substr(0, m), &desc.values));
    s.remove_prefix(m);
  }
  return desc;
}

}  // namespace tend::promql
