#include "http/exposition_parser.h"

#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "metrics/parse.h"

namespace tend {
namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool ValidMetricName(std::string_view s) {
  if (s.empty() || !IsNameStart(s[0])) return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

bool ParseFloatToken(std::string_view s, double* out) {
  if (s == "+Inf" || s == "Inf" || s == "+inf" || s == "inf") {
    *out = HUGE_VAL;
    return true;
  }
  if (s == "-Inf" || s == "-inf") {
    *out = -HUGE_VAL;
    return true;
  }
  if (s == "NaN" || s == "nan") {
    *out = std::nan("");
    return true;
  }
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  return ParseDouble(s, out);
}

bool BelongsTo(std::string_view sample, const std::string& family) {
  if (sample == family) return true;
  if (sample.size() <= family.size() ||
      sample.substr(0, family.size()) != family)
    return false;
  std::string_view suffix = sample.substr(family.size());
  return suffix == "_total" || suffix == "_bucket" || suffix == "_sum" ||
         suffix == "_count" || suffix == "_created" || suffix == "_info" ||
         suffix == "_gcount" || suffix == "_gsum";
}

class Parser {
 public:
  Parser(std::string_view source, const ParseLimits& limits,
         const ExpositionSampleSink* sink = nullptr)
      : source_(source), limits_(limits), sink_(sink) {}

  Result<std::vector<ParsedFamily>> Run(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return ResourceExhaustedError(
          std::string(source_) + ": input is " + std::to_string(text.size()) +
          " bytes, over the limit of " + std::to_string(limits_.max_bytes));
    }
    while (!text.empty()) {
      ++line_no_;
      line_ = NextLine(&text);
      if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
      if (line_.size() > limits_.max_line_bytes) {
        return Error(0, "line longer than " +
                            std::to_string(limits_.max_line_bytes) + " bytes");
      }
      Status s = ParseLine();
      if (!s.ok()) return s;
      if (eof_) break;
    }
    return std::move(families_);
  }

 private:
  Status Error(size_t col, const std::string& what) {
    return InvalidArgumentError(std::string(source_) + ":" +
                                std::to_string(line_no_) + ":" +
                                std::to_string(col + 1) + ": " + what);
  }

  Status ParseLine() {
    size_t i = 0;
    while (i < line_.size() && (line_[i] == ' ' || line_[i] == '\t')) ++i;
    if (i == line_.size()) return Status::Ok();
    if (line_[i] == '#') return ParseComment(i);
    return ParseSample(i);
  }

  Status ParseComment(size_t i) {
    std::vector<std::string_view> f;
    SplitFields(line_.substr(i + 1), &f);
    if (f.empty()) return Status::Ok();
    if (f[0] == "EOF") {
      eof_ = true;
      return Status::Ok();
    }
    if (f[0] != "HELP" && f[0] != "TYPE") return Status::Ok();  // Comment.
    if (f.size() < 2)
      return Error(i, "expected a metric name after " + std::string(f[0]));
    std::string_view name = f[1];
    if (!ValidMetricName(name)) {
      return Error(i, "invalid metric name \"" + std::string(name) + "\"");
    }
    ParsedFamily* fam = FamilyFor(name);
    if (f[0] == "TYPE") {
      if (f.size() != 3) return Error(i, "expected TYPE <name> <type>");
      std::string_view t = f[2];
      if (t != "counter" && t != "gauge" && t != "histogram" &&
          t != "summary" && t != "untyped" && t != "unknown" && t != "info" &&
          t != "stateset" && t != "gaugehistogram") {
        return Error(i, "unknown metric type \"" + std::string(t) + "\"");
      }
      if (typed_.count(fam->name) != 0) {
        return Error(i, "second TYPE line for " + fam->name);
      }
      if (!fam->samples.empty()) {
        return Error(i, "TYPE line for " + fam->name + " after its samples");
      }
      typed_[fam->name] = true;
      fam->type = std::string(t);
    } else {
      // The text starts one separator after the name. `name` points into
      // line_ (SplitFields returns views), so its end is found directly; a
      // search for the name could stop inside "HELP" (a metric named "H").
      size_t pos =
          static_cast<size_t>(name.data() - line_.data()) + name.size();
      std::string_view help = pos < line_.size() ? line_.substr(pos + 1) : "";
      fam->help = Unescape(help);
    }
    current_ = fam->name;
    return Status::Ok();
  }

  ParsedFamily* FamilyFor(std::string_view name) {
    auto it = index_.find(std::string(name));
    if (it != index_.end()) return &families_[it->second];
    families_.push_back(ParsedFamily{std::string(name), "untyped", "", {}});
    index_[std::string(name)] = families_.size() - 1;
    return &families_.back();
  }

  static std::string Unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        char n = s[++i];
        out.push_back(n == 'n' ? '\n' : n);
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  }

  Status ParseSample(size_t i) {
    size_t start = i;
    while (i < line_.size() && IsNameChar(line_[i])) ++i;
    std::string_view name = line_.substr(start, i - start);
    if (!ValidMetricName(name)) {
      return Error(start, "expected a metric name");
    }
    ParsedSample sample;
    sample.name = std::string(name);
    sample.line = line_no_;
    if (i < line_.size() && line_[i] == '{') {
      Status s = ParseLabels(&i, &sample.labels);
      if (!s.ok()) return s;
    }
    std::vector<std::string_view> rest;
    SplitFields(line_.substr(i), &rest);
    if (rest.empty()) return Error(i, "expected a value after " + sample.name);
    if (i < line_.size() && line_[i] != ' ' && line_[i] != '\t') {
      return Error(i, "expected a space before the value");
    }
    if (!ParseFloatToken(rest[0], &sample.value)) {
      return Error(i + 1, "invalid value \"" + std::string(rest[0]) + "\"");
    }
    if (rest.size() >= 2) {
      double ts;
      if (!ParseFloatToken(rest[1], &ts) || !std::isfinite(ts)) {
        return Error(i + 1,
                     "invalid timestamp \"" + std::string(rest[1]) + "\"");
      }
      sample.timestamp = ts;
    }
    if (rest.size() > 2 && rest[2] != "#") {
      return Error(i + 1, "unexpected text after the timestamp");
    }
    ParsedFamily* fam = nullptr;
    if (!current_.empty() && BelongsTo(name, current_)) {
      fam = FamilyFor(current_);
    } else {
      fam = FamilyFor(name);
      current_ = fam->name;
    }
    if (sink_ != nullptr) return (*sink_)(*fam, sample);
    fam->samples.push_back(std::move(sample));
    return Status::Ok();
  }

  Status ParseLabels(size_t* pos, Labels* labels) {
    size_t i = *pos + 1;  // After '{'.
    for (;;) {
      while (i < line_.size() && line_[i] == ' ') ++i;
      if (i >= line_.size()) return Error(i, "unterminated label set");
      if (line_[i] == '}') {
        ++i;
        break;
      }
      size_t ns = i;
      while (i < line_.size() && IsNameChar(line_[i]) && line_[i] != ':') ++i;
      if (i == ns || (line_[ns] >= '0' && line_[ns] <= '9')) {
        return Error(ns, "expected a label name");
      }
      std::string lname(line_.substr(ns, i - ns));
      while (i < line_.size() && line_[i] == ' ') ++i;
      if (i >= line_.size() || line_[i] != '=') {
        return Error(i, "expected '=' after label " + lname);
      }
      ++i;
      while (i < line_.size() && line_[i] == ' ') ++i;
      if (i >= line_.size() || line_[i] != '"') {
        return Error(i, "expected '\"' to start the value of label " + lname);
      }
      ++i;
      std::string value;
      bool closed = false;
      while (i < line_.size()) {
        char c = line_[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i >= line_.size()) break;
          char n = line_[i++];
          if (n == 'n') {
            value.push_back('\n');
          } else if (n == '\\' || n == '"') {
            value.push_back(n);
          } else {
            return Error(i - 2, "invalid escape \\" + std::string(1, n) +
                                    " in label " + lname);
          }
          continue;
        }
        value.push_back(c);
      }
      if (!closed) return Error(i, "unterminated value of label " + lname);
      for (const Label& l : *labels) {
        if (l.name == lname) return Error(ns, "duplicate label " + lname);
      }
      if (labels->size() >= limits_.max_labels) {
        return Error(
            ns, "more than " + std::to_string(limits_.max_labels) + " labels");
      }
      labels->push_back(Label{std::move(lname), std::move(value)});
      while (i < line_.size() && line_[i] == ' ') ++i;
      if (i < line_.size() && line_[i] == ',') {
        ++i;
        continue;
      }
      if (i < line_.size() && line_[i] == '}') {
        ++i;
        break;
      }
      return Error(i, "expected ',' or '}' in label set");
    }
    *pos = i;
    return Status::Ok();
  }

  std::string_view source_;
  ParseLimits limits_;
  const ExpositionSampleSink* sink_;
  std::string_view line_;
  size_t line_no_ = 0;
  bool eof_ = false;
  std::string current_;
  std::vector<ParsedFamily> families_;
  std::unordered_map<std::string, size_t> index_;
  std::unordered_map<std::string, bool> typed_;
};

}  // namespace

Result<std::vector<ParsedFamily>> ParseExposition(std::string_view text,
                                                  std::string_view source,
                                                  const ParseLimits& limits) {
  Parser p(source, limits);
  return p.Run(text);
}

Status ParseExpositionStream(std::string_view text, std::string_view source,
                             const ExpositionSampleSink& sink,
                             const ParseLimits& limits) {
  Parser p(source, limits, &sink);
  return p.Run(text).status();
}

}  // namespace tend
