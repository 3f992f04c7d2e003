#include "promql/test_script.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "promql/eval_functions.h"
#include "promql/mem_storage.h"
#include "promql/parser.h"

namespace tend::promql {

namespace {

struct Expected {
  Labels labels;
  std::vector<double> values;
  int pos = 0;  // 1-based position among the eval's lines.
};

struct Command {
  enum Kind { kLoad, kClear, kEval } kind = kClear;
  int line = 0;  // 1-based line of the command.
  // load
  int64_t step_ms = 0;
  std::vector<SeriesDesc> series;
  // eval
  std::string query;
  int64_t t_ms = 0;
  bool fail = false;
  bool ordered = false;
  bool expect_scalar = false;
  double scalar = 0;
  std::vector<Expected> expected;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' ||
                        s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view NextWord(std::string_view* s) {
  *s = Trim(*s);
  size_t n = 0;
  while (n < s->size() && (*s)[n] != ' ' && (*s)[n] != '\t') ++n;
  std::string_view w = s->substr(0, n);
  s->remove_prefix(n);
  *s = Trim(*s);
  return w;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Go's strconv.ParseInt(s, 0, 64) then ParseFloat, as test.go's
// parseNumber: a whole line holding one number is a scalar expectation.
bool ParseNumberLine(std::string_view s, double* out) {
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  int base = 10;
  if (body.size() > 1 && body[0] == '0') {
    const char p = body[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      body.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      body.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      body.remove_prefix(2);
    } else {
      base = 8;
      body.remove_prefix(1);
    }
  }
  int64_t v = 0;
  if (!body.empty()) {
    auto res = std::from_chars(body.data(), body.data() + body.size(), v, base);
    if (res.ec == std::errc() && res.ptr == body.data() + body.size()) {
      *out = neg ? -static_cast<double>(v) : static_cast<double>(v);
      return true;
    }
  }
  return ParseGoFloat(s, out);
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

// test.go's almostEqual: NaN equals NaN, else 1e-6 relative error.
bool AlmostEqual(double a, double b) {
  constexpr double kEpsilon = 0.000001;
  const double min_normal = std::numeric_limits<double>::min();
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || diff < min_normal) {
    return diff < kEpsilon * min_normal;
  }
  return diff / (std::fabs(a) + std::fabs(b)) < kEpsilon;
}

Status LineError(std::string_view file, int line, std::string_view what) {
  return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) +
                              ": " + std::string(what));
}

Result<std::vector<Command>> ParseScript(std::string_view text,
                                         std::string_view file) {
  std::vector<std::string_view> lines;
  while (true) {
    size_t nl = text.find('\n');
    std::string_view l = Trim(text.substr(0, nl));
    if (l.starts_with("#")) l = {};
    lines.push_back(l);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  std::vector<Command> cmds;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (l.empty()) continue;
    const int line_no = static_cast<int>(i) + 1;
    std::string_view rest = l;
    const std::string word = Lower(NextWord(&rest));
    Command cmd;
    cmd.line = line_no;
    if (word == "clear") {
      cmd.kind = Command::kClear;
    } else if (word == "load") {
      cmd.kind = Command::kLoad;
      Result<int64_t> step = ParseDuration(rest);
      if (!step.ok() || *step <= 0) {
        return LineError(
            file, line_no,
            "invalid load command, expected load <step>: " + std::string(l));
      }
      cmd.step_ms = *step;
      while (i + 1 < lines.size() && !lines[i + 1].empty()) {
        ++i;
        Result<SeriesDesc> desc = ParseSeriesDesc(lines[i]);
        if (!desc.ok()) {
          return LineError(file, static_cast<int>(i) + 1,
                           desc.status().message());
        }
        cmd.series.push_back(std::move(*desc));
      }
    } else if (word.starts_with("eval")) {
      cmd.kind = Command::kEval;
      if (word == "eval_fail") {
        cmd.fail = true;
      } else if (word == "eval_ordered") {
        cmd.ordered = true;
      } else if (word != "eval") {
        return LineError(file, line_no, "invalid command \"" + word + "\"");
      }
      const std::string_view usage =
          "invalid evaluation command, expected "
          "eval[_fail|_ordered] instant at <time> <query>";
      if (Lower(NextWord(&rest)) != "instant" ||
          Lower(NextWord(&rest)) != "at") {
        return LineError(file, line_no, usage);
      }
      std::string_view at = NextWord(&rest);
      Result<int64_t> t = ParseDuration(at);
      if (!t.ok() || rest.empty()) return LineError(file, line_no, usage);
      cmd.t_ms = *t;
      cmd.query = std::string(rest);
      for (int pos = 1; i + 1 < lines.size() && !lines[i + 1].empty(); ++pos) {
        ++i;
        double v;
        if (ParseNumberLine(lines[i], &v)) {
          cmd.expect_scalar = true;
          cmd.scalar = v;
          break;
        }
        Result<SeriesDesc> desc = ParseSeriesDesc(lines[i]);
        if (!desc.ok()) {
          return LineError(file, static_cast<int>(i) + 1,
                           desc.status().message());
        }
        Expected e;
        e.labels = std::move(desc->labels);
        e.pos = pos;
        for (const auto& x : desc->values) {
          if (!x) {
            return LineError(file, static_cast<int>(i) + 1,
                             "expected values cannot be omitted");
          }
          e.values.push_back(*x);
        }
        if (e.values.empty()) {
          return LineError(file, static_cast<int>(i) + 1,
                           "expected line without a value");
        }
        cmd.expected.push_back(std::move(e));
      }
    } else {
      return LineError(file, line_no,
                       "invalid command \"" + std::string(l) + "\"");
    }
    cmds.push_back(std::move(cmd));
  }
  return cmds;
}

// Compares one result with an eval's expectations; "" when it matches.
std::string Compare(const Command& cmd, const QueryResult& res) {
  switch (res.type) {
    case ValueType::kScalar:
      if (!cmd.expect_scalar) {
        return "expected a vector, got scalar " + FormatValue(res.scalar.v);
      }
      if (!AlmostEqual(cmd.scalar, res.scalar.v)) {
        return "expected scalar " + FormatValue(cmd.scalar) + " but got " +
               FormatValue(res.scalar.v);
      }
      return "";
    case ValueType::kVector: {
      if (cmd.expect_scalar) {
        return "expected scalar " + FormatValue(cmd.scalar) +
               ", got a vector of " + std::to_string(res.vector.size());
      }
      std::vector<bool> seen(cmd.expected.size(), false);
      for (size_t i = 0; i < res.vector.size(); ++i) {
        const VectorSample& s = res.vector[i];
        size_t e = 0;
        while (e < cmd.expected.size() && cmd.expected[e].labels != s.labels) {
          ++e;
        }
        if (e == cmd.expected.size()) {
          return "unexpected metric " + LabelsToString(s.labels) + " " +
                 FormatValue(s.v) + " in result";
        }
        const Expected& exp = cmd.expected[e];
        if (exp.values.size() != 1) {
          return "expected " + std::to_string(exp.values.size()) +
                 " values for " + LabelsToString(s.labels) +
                 ", got an instant vector";
        }
        if (cmd.ordered && exp.pos != static_cast<int>(i) + 1) {
          return "expected metric " + LabelsToString(s.labels) +
                 " at position " + std::to_string(exp.pos) + " but was at " +
                 std::to_string(i + 1);
        }
        if (!AlmostEqual(exp.values[0], s.v)) {
          return "expected " + FormatValue(exp.values[0]) + " for " +
                 LabelsToString(s.labels) + " but got " + FormatValue(s.v);
        }
        seen[e] = true;
      }
      for (size_t e = 0; e < cmd.expected.size(); ++e) {
        if (!seen[e]) {
          return "expected metric " + LabelsToString(cmd.expected[e].labels) +
                 " with " + FormatValue(cmd.expected[e].values[0]) +
                 " not found";
        }
      }
      return "";
    }
    case ValueType::kMatrix: {
      if (cmd.expect_scalar) return "expected a scalar, got a range vector";
      std::vector<bool> seen(cmd.expected.size(), false);
      for (const Series& s : res.matrix) {
        size_t e = 0;
        while (e < cmd.expected.size() && cmd.expected[e].labels != s.labels) {
          ++e;
        }
        if (e == cmd.expected.size()) {
          return "unexpected series " + LabelsToString(s.labels) +
                 " in range-vector result";
        }
        const Expected& exp = cmd.expected[e];
        bool same = exp.values.size() == s.points.size();
        for (size_t j = 0; same && j < s.points.size(); ++j) {
          same = AlmostEqual(exp.values[j], s.points[j].v);
        }
        if (!same) {
          std::string got;
          for (const Point& p : s.points) got += " " + FormatValue(p.v);
          return "unexpected values for " + LabelsToString(s.labels) +
                 " in range-vector result:" + got;
        }
        seen[e] = true;
      }
      for (size_t e = 0; e < cmd.expected.size(); ++e) {
        if (!seen[e]) {
          return "expected series " + LabelsToString(cmd.expected[e].labels) +
                 " not found";
        }
      }
      return "";
    }
    default:
      return "unsupported result type " + std::string(DocumentedType(res.type));
  }
}

// The functions whose value depends on the evaluation time itself, which
// make @-pinned variants of a query meaningless (Prometheus's
// AtModifierUnsafeFunctions).
bool AtUnsafe(std::string_view fn) {
  static const std::set<std::string_view> kUnsafe = {
      "days_in_month",  "day_of_month", "day_of_week", "day_of_year",
      "hour",           "minute",       "month",       "year",
      "predict_linear", "time",         "timestamp"};
  return kUnsafe.contains(fn);
}

// Pins `@ t` on every selector and subquery that has none, not descending
// into subqueries; returns false when the query uses an at-unsafe function
// outside subqueries.
bool PinAt(Expr* e, int64_t t) {
  if (e == nullptr) return true;
  switch (e->kind) {
    case NodeKind::kVectorSelector: {
      auto* vs = static_cast<VectorSelector*>(e);
      if (vs->at == AtKind::kNone) {
        vs->at = AtKind::kTimestamp;
        vs->at_ms = t;
      }
      return true;
    }
    case NodeKind::kMatrixSelector:
      return PinAt(static_cast<MatrixSelector*>(e)->vector_selector.get(), t);
    case NodeKind::kSubquery: {
      auto* sq = static_cast<SubqueryExpr*>(e);
      if (sq->at == AtKind::kNone) {
        sq->at = AtKind::kTimestamp;
        sq->at_ms = t;
      }
      return true;
    }
    case NodeKind::kCall: {
      auto* c = static_cast<Call*>(e);
      bool ok = c->func == nullptr || !AtUnsafe(c->func->name);
      for (ExprPtr& a : c->args) ok = PinAt(a.get(), t) && ok;
      return ok;
    }
    case NodeKind::kAggregate: {
      auto* a = static_cast<AggregateExpr*>(e);
      bool ok = PinAt(a->param.get(), t);
      return PinAt(a->expr.get(), t) && ok;
    }
    case NodeKind::kBinary: {
      auto* b = static_cast<BinaryExpr*>(e);
      bool ok = PinAt(b->lhs.get(), t);
      return PinAt(b->rhs.get(), t) && ok;
    }
    case NodeKind::kUnary:
      return PinAt(static_cast<UnaryExpr*>(e)->expr.get(), t);
    case NodeKind::kParen:
      return PinAt(static_cast<ParenExpr*>(e)->expr.get(), t);
    case NodeKind::kStepInvariant:
      return PinAt(static_cast<StepInvariantExpr*>(e)->expr.get(), t);
    default:
      return true;
  }
}

// Runs one variant (tree at time t); "" when it behaves as expected.
std::string RunVariant(const Command& cmd, const Engine& engine,
                       MemStorage& store, const Expr& expr, int64_t t,
                       const ScriptOptions& options) {
  Result<QueryResult> res = engine.InstantExpr(store, expr, t);
  if (!res.ok()) {
    if (cmd.fail) return "";
    return "error evaluating query: " + res.status().message();
  }
  if (cmd.fail) return "expected an error but the query succeeded";
  std::string diff = Compare(cmd, *res);
  if (!diff.empty()) return diff;
  if (!options.range_mode) return "";
  Result<QueryResult> range =
      engine.RangeExpr(store, expr, t - 60000, t + 60000, 60000);
  if (!range.ok()) {
    return "error evaluating query in range mode: " + range.status().message();
  }
  if (cmd.ordered) return "";
  QueryResult at_t;
  at_t.type =
      res->type == ValueType::kScalar ? ValueType::kScalar : ValueType::kVector;
  bool have_scalar = false;
  for (const Series& s : range->matrix) {
    for (const Point& p : s.points) {
      if (p.t != t) continue;
      if (at_t.type == ValueType::kScalar) {
        if (!have_scalar) at_t.scalar = p;
        have_scalar = true;
      } else {
        at_t.vector.push_back(VectorSample{s.labels, p.t, p.v});
      }
      break;
    }
  }
  if (at_t.type == ValueType::kScalar && !have_scalar) {
    return "range mode: no scalar value at the evaluation time";
  }
  diff = Compare(cmd, at_t);
  if (!diff.empty()) return "range mode: " + diff;
  return "";
}

std::string RunEval(const Command& cmd, const Engine& engine, MemStorage& store,
                    const ScriptOptions& options) {
  Result<ExprPtr> expr = ParseExpr(cmd.query);
  if (!expr.ok()) {
    if (cmd.fail) return "";
    return "error parsing query: " + expr.status().message();
  }
  std::string diff = RunVariant(cmd, engine, store, **expr, cmd.t_ms, options);
  if (!diff.empty() || !options.at_modifier) return diff;
  Result<ExprPtr> pinned = ParseExpr(cmd.query);
  if (!pinned.ok())
    return "query parses only once: " + pinned.status().message();
  if (!PinAt(pinned->get(), cmd.t_ms)) return "";
  const int64_t t = cmd.t_ms;
  std::vector<int64_t> times = {-10 * t, 0, t / 5, t, 10 * t};
  if (t == 0) times = {-1000, 0, 1000};
  for (int64_t et : times) {
    diff = RunVariant(cmd, engine, store, **pinned, et, options);
    if (!diff.empty()) {
      return "with @ " + std::to_string(t) + "ms evaluated at " +
             std::to_string(et) + "ms: " + diff;
    }
  }
  return "";
}

}  // namespace

Result<KnownFailures> ParseKnownFailures(std::string_view text,
                                         std::string_view list_name) {
  KnownFailures out;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view l = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (l.empty() || l.starts_with("#")) continue;
    std::string_view rest = l;
    std::string_view key = NextWord(&rest);
    size_t colon = key.rfind(':');
    int line = 0;
    if (colon == std::string_view::npos || colon == 0 ||
        std::from_chars(key.data() + colon + 1, key.data() + key.size(), line)
                .ptr != key.data() + key.size() ||
        line <= 0) {
      return LineError(
          list_name, line_no,
          "expected <file>:<line> <reason>, got \"" + std::string(l) + "\"");
    }
    if (rest.empty()) {
      return LineError(list_name, line_no,
                       "known failure " + std::string(key) + " has no reason");
    }
    out.entries[std::string(key)] = std::string(rest);
  }
  return out;
}

Result<ScriptResult> RunTestScript(std::string_view text,
                                   std::string_view file_name,
                                   const Engine& engine,
                                   const ScriptOptions& options) {
  ASSIGN_OR_RETURN(std::vector<Command> cmds, ParseScript(text, file_name));
  const std::string base(BaseName(file_name));
  MemStorage store;
  ScriptResult result;
  for (const Command& cmd : cmds) {
    switch (cmd.kind) {
      case Command::kClear:
        store.Clear();
        break;
      case Command::kLoad: {
        // Within one load a repeated series replaces the earlier line.
        std::map<Labels, std::vector<Point>, MemStorage::LabelsLess> defs;
        for (const SeriesDesc& d : cmd.series) {
          std::vector<Point> pts;
          for (size_t i = 0; i < d.values.size(); ++i) {
            if (d.values[i]) {
              pts.push_back(
                  Point{static_cast<int64_t>(i) * cmd.step_ms, *d.values[i]});
            }
          }
          defs[d.labels] = std::move(pts);
        }
        for (auto& [labels, pts] : defs) store.Add(labels, std::move(pts));
        break;
      }
      case Command::kEval: {
        const std::string key = base + ":" + std::to_string(cmd.line);
        const std::string diff = RunEval(cmd, engine, store, options);
        const bool known =
            options.known != nullptr && options.known->entries.contains(key);
        if (diff.empty()) {
          ++result.passed;
          if (known) result.unexpected_passes.push_back(key);
        } else {
          ++result.failed;
          if (known) {
            ++result.known_failed;
          } else {
            result.failures.push_back(key + ": " + cmd.query + ": " + diff);
          }
        }
        break;
      }
    }
  }
  return result;
}

}  // namespace tend::promql
