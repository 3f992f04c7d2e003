// The non-JSON parser stages of extract.h, and label naming.
#include "logs/query/extract.h"

#include <re2/re2.h>

#include <string>

namespace tend::logql {

namespace {

bool IsKeyChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// Length of the UTF-8 sequence at s[i] when valid, else 1 (Go's range over
// a string yields one RuneError per invalid byte).
size_t RuneLength(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c >= 0xF0 && c <= 0xF4   ? 4
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xC2 && c <= 0xDF ? 2
                                      : 1;
  if (n == 1 || i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

}  // namespace

void AppendSanitizedKey(std::string_view key, bool is_prefix,
                        std::string* out) {
  while (!key.empty() && IsSpace(key.front())) key.remove_prefix(1);
  while (!key.empty() && IsSpace(key.back())) key.remove_suffix(1);
  if (key.empty()) return;
  if (is_prefix && key[0] >= '0' && key[0] <= '9') out->push_back('_');
  for (size_t i = 0; i < key.size();) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (IsKeyChar(c)) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else {
      out->push_back('_');
      i += c < 0x80 ? 1 : RuneLength(key, i);
    }
  }
}

void Extractor::Add(std::string_view name, std::string_view value,
                    LineLabels* labels) {
  if (name.empty()) return;
  if (labels->BaseHas(name)) {
    // `name` and `value` may point into name_ / value_, never suffixed_.
    suffixed_.assign(name);
    suffixed_.append("_extracted");
    labels->Set(suffixed_, value);
    return;
  }
  labels->Set(name, value);
}

// go-logfmt's grammar: pairs separated by whitespace; a key is a run of
// bytes other than whitespace, '=' and '"'; a value is bare (no whitespace,
// '=' or '"') or double-quoted with Go escapes.
void Extractor::Logfmt(const ParserStage& stage, std::string_view line,
                       LineLabels* labels) {
  size_t i = 0;
  const size_t n = line.size();
  auto fail = [&](const char* what, size_t at) {
    if (!stage.strict) return false;
    labels->SetError(kLogfmtParserErr,
                     std::string("logfmt syntax error at pos ") +
                         std::to_string(at + 1) + ": " + what);
    return true;
  };
  while (i < n) {
    while (i < n && static_cast<unsigned char>(line[i]) <= ' ') ++i;
    if (i >= n) break;
    const size_t key_start = i;
    while (i<n&& static_cast<unsigned char>(line[i])> ' ' && line[i] != '=' &&
           line[i] != '"') {
      ++i;
    }
    std::string_view key = line.substr(key_start, i - key_start);
    bool bad = false;
    const char* what = "";
    if (key.empty()) {
      bad = true;
      what = line[i] == '=' ? "unexpected '='" : "unexpected '\"'";
    } else if (i < n && line[i] == '"') {
      bad = true;
      what = "unexpected '\"'";
    }
    std::string_view value;
    bool has_value = false;
    if (!bad && i < n && line[i] == '=') {
      ++i;
      has_value = true;
      if (i < n && line[i] == '"') {
        ++i;
        value_.clear();
        bool closed = false;
        while (i < n) {
          char c = line[i];
          if (c == '"') {
            closed = true;
            ++i;
            break;
          }
          if (c == '\\' && i + 1 < n) {
            char e = line[i + 1];
            i += 2;
            switch (e) {
              case 'n':
                value_.push_back('\n');
                break;
              case 't':
                value_.push_back('\t');
                break;
              case 'r':
                value_.push_back('\r');
                break;
              default:
                value_.push_back(e);
                break;
            }
            continue;
          }
          value_.push_back(c);
          ++i;
        }
        if (!closed) {
          bad = true;
          what = "unterminated quoted value";
        }
        value = value_;
      } else {
        const size_t v_start = i;
        while (i<n&& static_cast<unsigned char>(line[i])> ' ' &&
               line[i] != '=' && line[i] != '"') {
          ++i;
        }
        value = line.substr(v_start, i - v_start);
        if (i < n && (line[i] == '=' || line[i] == '"')) {
          bad = true;
          what = line[i] == '=' ? "unexpected '='" : "unexpected '\"'";
        }
      }
    }
    if (bad) {
      if (fail(what, i < n ? i : n)) return;
      // Not strict: skip the malformed token and go on.
      while (i<n&& static_cast<unsigned char>(line[i])> ' ') ++i;
      continue;
    }
    (void)has_value;
    if (value.empty() && !stage.keep_empty) continue;
    if (!stage.extractions.empty()) {
      for (const Extraction& e : stage.extractions) {
        if (e.expression == key) {
          name_.clear();
          AppendSanitizedKey(e.label, true, &name_);
          Add(name_, value, labels);
        }
      }
      continue;
    }
    name_.clear();
    AppendSanitizedKey(key, true, &name_);
    Add(name_, value, labels);
  }
  // Expressions whose key is absent still get a label, "" (as for json).
  for (const Extraction& e : stage.extractions) {
    name_.clear();
    AppendSanitizedKey(e.label, true, &name_);
    if (labels->BaseHas(name_)) name_.append("_extracted");
    if (!labels->Get(name_).has_value()) labels->Set(name_, "");
  }
}

void Extractor::Regexp(const ParserStage& stage, std::string_view line,
                       LineLabels* labels) {
  const re2::RE2& re = *stage.regex;
  const int groups = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece>& sp = groups_;
  sp.resize(static_cast<size_t>(groups) + 1);
  if (!re.Match(re2::StringPiece(line.data(), line.size()), 0, line.size(),
                re2::RE2::UNANCHORED, sp.data(), groups + 1)) {
    return;
  }
  for (int g = 1; g <= groups; ++g) {
    const size_t idx = static_cast<size_t>(g - 1);
    if (idx >= stage.group_labels.size() || stage.group_labels[idx].empty()) {
      continue;
    }
    const re2::StringPiece& m = sp[static_cast<size_t>(g)];
    Add(stage.group_labels[idx],
        std::string_view(m.data() == nullptr ? "" : m.data(), m.size()),
        labels);
  }
}

void Extractor::Pattern(const ParserStage& stage, std::string_view line,
                        LineLabels* labels) {
  const std::vector<PatternPart>& parts = stage.pattern;
  if (line.empty() || parts.empty()) return;
  size_t p = 0;
  std::string_view in = line;
  if (!parts[0].capture) {
    if (in.substr(0, parts[0].text.size()) != parts[0].text) return;
    in.remove_prefix(parts[0].text.size());
    p = 1;
  }
  while (p < parts.size()) {
    const PatternPart& cap = parts[p];
    const bool named = cap.text != "_";
    if (p + 1 == parts.size()) {  // Ends on a capture: the rest.
      if (named) Add(cap.text, in, labels);
      return;
    }
    const std::string& lit = parts[p + 1].text;
    p += 2;
    const size_t at = in.find(lit);
    if (at == std::string_view::npos) {
      if (named) Add(cap.text, in, labels);
      return;
    }
    if (named) Add(cap.text, in.substr(0, at), labels);
    in.remove_prefix(at + lit.size());
  }
}

}  // namespace tend::logql
