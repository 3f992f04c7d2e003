// The LogQL parser, pipeline half: line filters, parsers (json, logfmt,
// regexp, pattern, unpack), label filters, line_format, label_format, drop,
// keep, decolorize and unwrap. Everything an evaluator needs per line is
// compiled here (ast.h).
//
// Label filter precedence, as in Loki: `or` binds loosest; `and`, ',' and
// plain juxtaposition (`| a="x" b="y"`) all mean and and bind tighter;
// parentheses group.
#include <re2/re2.h>

#include <algorithm>
#include <string>
#include <utility>

#include "logs/logql/literals.h"
#include "logs/logql/parser_internal.h"

namespace tend::logql {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

bool IsCmpToken(Tok t) {
  switch (t) {
    case Tok::kEq:
    case Tok::kNeq:
    case Tok::kRe:
    case Tok::kNre:
    case Tok::kCmpEq:
    case Tok::kGt:
    case Tok::kGte:
    case Tok::kLt:
    case Tok::kLte:
      return true;
    default:
      return false;
  }
}

// A compiled regex; nullptr with *error set when RE2 refuses it.
RegexPtr CompileRegex(const std::string& re, std::string* error) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto compiled = std::make_shared<const RE2>(re, opts);
  if (!compiled->ok()) {
    *error = "invalid regex " + Quote(re) + ": " + compiled->error();
    return nullptr;
  }
  return compiled;
}

// Splits a pattern (`<ip> - - <_> "<method> <path> <_>"`) into parts and
// validates it as Loki does. On failure returns false with *error and the
// byte offset in the pattern.
bool ParsePattern(std::string_view s, std::vector<PatternPart>* parts,
                  std::string* error, size_t* offset) {
  bool named = false;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '<' && i + 1 < s.size() && IsIdentStart(s[i + 1])) {
      size_t e = i + 2;
      while (e < s.size() && IsIdentChar(s[e])) ++e;
      if (e < s.size() && s[e] == '>') {
        std::string name(s.substr(i + 1, e - i - 1));
        if (!parts->empty() && parts->back().capture) {
          *error =
              "consecutive captures are not allowed; put literal text "
              "between them";
          *offset = i;
          return false;
        }
        if (name != "_") {
          for (const PatternPart& p : *parts) {
            if (p.capture && p.text == name) {
              *error = "duplicate capture name \"" + name + "\"";
              *offset = i;
              return false;
            }
          }
          named = true;
        }
        parts->push_back({true, std::move(name)});
        i = e + 1;
        continue;
      }
    }
    if (parts->empty() || parts->back().capture) parts->push_back({false, ""});
    parts->back().text += s[i];
    ++i;
  }
  if (!named) {
    *error = "at least one named capture such as <name> is required";
    *offset = 0;
    return false;
  }
  return true;
}

// Parses a JSON path (`a.b[0]["c d"]`). On failure returns false with the
// byte offset of the problem in *offset.
bool ParseJsonPath(std::string_view s, std::vector<JsonPathStep>* out,
                   size_t* offset) {
  size_t i = 0;
  auto plain_key = [&]() {
    const size_t start = i;
    while (i < s.size() && s[i] != '.' && s[i] != '[' && s[i] != ']' &&
           s[i] != '"' && s[i] != ' ') {
      ++i;
    }
    if (i == start) return false;
    out->push_back({std::string(s.substr(start, i - start)), -1});
    return true;
  };
  auto bracket = [&]() {
    ++i;  // '['
    if (i < s.size() && s[i] == '"') {
      ++i;
      std::string key;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        key += s[i++];
      }
      if (i >= s.size()) return false;
      ++i;
      out->push_back({std::move(key), -1});
    } else {
      const size_t start = i;
      int64_t v = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 15) {
        v = v * 10 + (s[i] - '0');
        ++i;
      }
      if (i == start) return false;
      out->push_back({"", v});
    }
    if (i >= s.size() || s[i] != ']') return false;
    ++i;
    return true;
  };
  if (s.empty()) {
    *offset = 0;
    return false;
  }
  if (!(s[0] == '[' ? bracket() : plain_key())) {
    *offset = std::min(i, s.size());
    return false;
  }
  while (i < s.size()) {
    bool ok;
    if (s[i] == '.') {
      ++i;
      ok = plain_key();
    } else if (s[i] == '[') {
      ok = bracket();
    } else {
      ok = false;
    }
    if (!ok) {
      *offset = std::min(i, s.size());
      return false;
    }
  }
  return true;
}

}  // namespace

bool Parser::AtStage() const {
  switch (Peek().type) {
    case Tok::kPipe:
    case Tok::kPipeExact:
    case Tok::kPipeMatch:
    case Tok::kPipePattern:
    case Tok::kNotPattern:
    case Tok::kNeq:
    case Tok::kNre:
      return true;
    default:
      return false;
  }
}

Status Parser::ParsePipeline(Pipeline* out, std::optional<Unwrap>* unwrap,
                             int depth) {
  while (AtStage()) {
    const Token& t = Peek();
    if (t.type == Tok::kPipePattern || t.type == Tok::kNotPattern) {
      return Error(t.pos, "pattern line filters (|> and !>) are not supported");
    }
    if (t.type != Tok::kPipe) {
      ASSIGN_OR_RETURN(LineFilter f, ParseLineFilter());
      out->push_back(std::move(f));
      continue;
    }
    Next();  // '|'
    const Token& w = Peek();
    const bool keyword = w.type == Tok::kIdent && !IsCmpToken(Peek(1).type);
    if (keyword) {
      const std::string_view word = w.text;
      if (word == "json" || word == "logfmt" || word == "regexp" ||
          word == "pattern" || word == "unpack") {
        Next();
        ASSIGN_OR_RETURN(ParserStage p, ParseParserStage(word));
        out->push_back(std::move(p));
        continue;
      }
      if (word == "line_format") {
        Next();
        ASSIGN_OR_RETURN(LineFormat f, ParseLineFormat());
        out->push_back(std::move(f));
        continue;
      }
      if (word == "label_format") {
        Next();
        ASSIGN_OR_RETURN(LabelFormat f, ParseLabelFormat());
        out->push_back(std::move(f));
        continue;
      }
      if (word == "drop" || word == "keep") {
        Next();
        ASSIGN_OR_RETURN(DropKeep d, ParseDropKeep(word == "keep"));
        out->push_back(std::move(d));
        continue;
      }
      if (word == "decolorize") {
        Next();
        out->push_back(Decolorize{});
        continue;
      }
      if (word == "unwrap") {
        if (unwrap == nullptr) {
          return Error(w.pos,
                       "unwrap is only allowed inside a range aggregation "
                       "such as sum_over_time(...)");
        }
        ASSIGN_OR_RETURN(*unwrap, ParseUnwrap(depth));
        if (AtStage()) {
          return Error(Peek().pos, "only label filters may follow unwrap");
        }
        return Status::Ok();
      }
      if (word == "ip" || word == "distinct") {
        return Error(w.pos, std::string(word) + " is not supported");
      }
    }
    if (!AtLabelFilterPrimary()) {
      return Unexpected(
          "a parser (json, logfmt, regexp, pattern, unpack), a label filter, "
          "line_format, label_format, drop, keep, decolorize or unwrap");
    }
    ASSIGN_OR_RETURN(LabelFilter f, ParseLabelFilterOr(depth));
    out->push_back(std::move(f));
  }
  return Status::Ok();
}

Result<LineFilter> Parser::ParseLineFilter() {
  LineFilter f;
  switch (Next().type) {
    case Tok::kPipeExact:
      f.op = LineFilterOp::kContains;
      break;
    case Tok::kNeq:
      f.op = LineFilterOp::kNotContains;
      break;
    case Tok::kPipeMatch:
      f.op = LineFilterOp::kRegex;
      break;
    default:
      f.op = LineFilterOp::kNotRegex;
      break;
  }
  const bool regex =
      f.op == LineFilterOp::kRegex || f.op == LineFilterOp::kNotRegex;
  for (;;) {
    if (PeekIdent("ip") && Peek(1).type == Tok::kLParen) {
      return Error(Peek().pos, "ip() line filters are not supported");
    }
    if (Peek().type != Tok::kString) return Unexpected("a string");
    const Token& s = Next();
    if (regex) {
      std::string err;
      RegexPtr re = CompileRegex(s.value, &err);
      if (re == nullptr) return Error(s.pos, err);
      f.regexes.push_back(std::move(re));
    }
    f.values.push_back(s.value);
    if (!PeekIdent("or")) break;
    Next();
  }
  return f;
}

Result<ParserStage> Parser::ParseParserStage(std::string_view kind) {
  ParserStage p;
  if (kind == "json") {
    p.kind = ParserKind::kJson;
    if (Peek().type == Tok::kIdent) {
      ASSIGN_OR_RETURN(p.extractions, ParseExtractions(true));
    }
  } else if (kind == "logfmt") {
    p.kind = ParserKind::kLogfmt;
    while (Peek().type == Tok::kParserFlag) {
      const Token& f = Next();
      if (f.text == "--strict") {
        p.strict = true;
      } else if (f.text == "--keep-empty") {
        p.keep_empty = true;
      } else {
        return Error(f.pos, "unknown logfmt flag \"" + std::string(f.text) +
                                "\", expected --strict or --keep-empty");
      }
    }
    if (Peek().type == Tok::kIdent) {
      ASSIGN_OR_RETURN(p.extractions, ParseExtractions(false));
    }
  } else if (kind == "unpack") {
    p.kind = ParserKind::kUnpack;
  } else if (kind == "regexp") {
    p.kind = ParserKind::kRegexp;
    if (Peek().type != Tok::kString) return Unexpected("a regular expression");
    const Token& s = Next();
    p.source = s.value;
    std::string err;
    p.regex = CompileRegex(p.source, &err);
    if (p.regex == nullptr) return Error(s.pos, err);
    p.group_labels.assign(
        static_cast<size_t>(p.regex->NumberOfCapturingGroups()), "");
    for (const auto& [name, index] : p.regex->NamedCapturingGroups()) {
      if (!IsIdentStart(name[0])) {
        return Error(s.pos,
                     "capture name \"" + name + "\" is not a valid label name");
      }
      p.group_labels[static_cast<size_t>(index - 1)] = name;
    }
    if (p.regex->NamedCapturingGroups().empty()) {
      return Error(s.pos,
                   "regexp needs at least one named capture such as "
                   "(?P<name>...)");
    }
  } else {
    p.kind = ParserKind::kPattern;
    if (Peek().type != Tok::kString) return Unexpected("a pattern string");
    const Token& s = Next();
    p.source = s.value;
    std::string err;
    size_t off = 0;
    if (!ParsePattern(p.source, &p.pattern, &err, &off)) {
      return Error(PosInString(s, off), "invalid pattern: " + err);
    }
  }
  return p;
}

Result<std::vector<Extraction>> Parser::ParseExtractions(bool json) {
  std::vector<Extraction> out;
  for (;;) {
    const Token& id = Peek();
    ASSIGN_OR_RETURN(std::string label, ExpectIdent("a label name"));
    Extraction x;
    x.label = label;
    int epos = id.pos;
    const Token* str = nullptr;
    if (Peek().type == Tok::kEq) {
      Next();
      if (Peek().type != Tok::kString) return Unexpected("a string");
      str = &Next();
      x.expression = str->value;
      epos = str->pos;
    } else {
      x.expression = label;
    }
    if (json) {
      size_t off = 0;
      if (!ParseJsonPath(x.expression, &x.path, &off)) {
        return Error(str != nullptr ? PosInString(*str, off) : epos,
                     "invalid JSON path " + Quote(x.expression));
      }
    } else if (x.expression.empty()) {
      return Error(epos, "empty logfmt key");
    }
    out.push_back(std::move(x));
    if (Peek().type != Tok::kComma) return out;
    Next();
  }
}

Result<LineFormat> Parser::ParseLineFormat() {
  if (Peek().type != Tok::kString) return Unexpected("a template string");
  const Token& s = Next();
  LineFormat f;
  f.source = s.value;
  TemplateError err;
  if (!ParseTemplate(f.source, &f.tmpl, &err)) {
    return Error(PosInString(s, err.offset),
                 "invalid line_format template: " + err.message);
  }
  return f;
}

Result<LabelFormat> Parser::ParseLabelFormat() {
  LabelFormat f;
  for (;;) {
    const int pos = Peek().pos;
    LabelFormatItem item;
    ASSIGN_OR_RETURN(item.dst, ExpectIdent("a label name"));
    for (const LabelFormatItem& other : f.items) {
      if (other.dst == item.dst) {
        return Error(
            pos, "label_format sets label \"" + item.dst + "\" more than once");
      }
    }
    RETURN_IF_ERROR(ExpectTok(Tok::kEq, "\"=\""));
    if (Peek().type == Tok::kIdent) {
      item.rename = true;
      item.src = std::string(Next().text);
    } else if (Peek().type == Tok::kString) {
      const Token& s = Next();
      item.src = s.value;
      TemplateError err;
      if (!ParseTemplate(item.src, &item.tmpl, &err)) {
        return Error(PosInString(s, err.offset),
                     "invalid label_format template: " + err.message);
      }
    } else {
      return Unexpected("a label name or a template string");
    }
    f.items.push_back(std::move(item));
    if (Peek().type != Tok::kComma) return f;
    Next();
  }
}

Result<DropKeep> Parser::ParseDropKeep(bool keep) {
  DropKeep d;
  d.keep = keep;
  for (;;) {
    DropKeepItem item;
    if (Peek().type == Tok::kIdent &&
        (Peek(1).type == Tok::kEq || Peek(1).type == Tok::kNeq ||
         Peek(1).type == Tok::kRe || Peek(1).type == Tok::kNre)) {
      ASSIGN_OR_RETURN(item.matcher, ParseMatcher());
    } else {
      ASSIGN_OR_RETURN(item.name, ExpectIdent("a label name"));
    }
    d.items.push_back(std::move(item));
    if (Peek().type != Tok::kComma) return d;
    Next();
  }
}

Result<Unwrap> Parser::ParseUnwrap(int depth) {
  Next();  // "unwrap"
  Unwrap u;
  if (Peek().type == Tok::kIdent && Peek(1).type == Tok::kLParen) {
    const Token& conv = Next();
    if (conv.text == "bytes") {
      u.conv = UnwrapConv::kBytes;
    } else if (conv.text == "duration") {
      u.conv = UnwrapConv::kDuration;
    } else if (conv.text == "duration_seconds") {
      u.conv = UnwrapConv::kDurationSeconds;
    } else {
      return Error(conv.pos, "unknown unwrap conversion \"" +
                                 std::string(conv.text) +
                                 "\", expected bytes, duration or "
                                 "duration_seconds");
    }
    Next();  // '('
    ASSIGN_OR_RETURN(u.label, ExpectIdent("a label name"));
    RETURN_IF_ERROR(ExpectTok(Tok::kRParen, "\")\""));
  } else {
    ASSIGN_OR_RETURN(u.label, ExpectIdent("a label name"));
  }
  while (Peek().type == Tok::kPipe &&
         (Peek(1).type == Tok::kLParen ||
          (Peek(1).type == Tok::kIdent && IsCmpToken(Peek(2).type)))) {
    Next();
    ASSIGN_OR_RETURN(LabelFilter f, ParseLabelFilterOr(depth));
    u.post_filters.push_back(std::move(f));
  }
  return u;
}

bool Parser::AtLabelFilterPrimary() const {
  if (Peek().type == Tok::kLParen) return true;
  return Peek().type == Tok::kIdent && IsCmpToken(Peek(1).type);
}

Result<LabelFilter> Parser::ParseLabelFilterOr(int depth) {
  ASSIGN_OR_RETURN(LabelFilter first, ParseLabelFilterAnd(depth));
  if (!PeekIdent("or")) return first;
  LabelFilter f;
  f.kind = LabelFilter::Kind::kOr;
  f.children.push_back(std::move(first));
  while (PeekIdent("or")) {
    Next();
    ASSIGN_OR_RETURN(LabelFilter next, ParseLabelFilterAnd(depth));
    f.children.push_back(std::move(next));
  }
  return f;
}

Result<LabelFilter> Parser::ParseLabelFilterAnd(int depth) {
  ASSIGN_OR_RETURN(LabelFilter first, ParseLabelFilterPrimary(depth));
  LabelFilter f;
  f.kind = LabelFilter::Kind::kAnd;
  f.children.push_back(std::move(first));
  for (;;) {
    if (PeekIdent("and") || Peek().type == Tok::kComma) {
      Next();
    } else if (PeekIdent("or") || !AtLabelFilterPrimary()) {
      break;
    }
    ASSIGN_OR_RETURN(LabelFilter next, ParseLabelFilterPrimary(depth));
    f.children.push_back(std::move(next));
  }
  if (f.children.size() == 1) return std::move(f.children[0]);
  return f;
}

Result<LabelFilter> Parser::ParseLabelFilterPrimary(int depth) {
  if (Peek().type == Tok::kLParen) {
    if (depth + 1 > kMaxDepth) {
      return Error(Peek().pos, "query is nested too deeply");
    }
    Next();
    ASSIGN_OR_RETURN(LabelFilter inner, ParseLabelFilterOr(depth + 1));
    RETURN_IF_ERROR(ExpectTok(Tok::kRParen, "\")\""));
    return inner;
  }
  if (!AtLabelFilterPrimary()) {
    return Unexpected("a label filter such as status >= 500");
  }
  const Token& name_tok = Next();
  const std::string name(name_tok.text);
  const Token& op_tok = Next();
  const Tok op = op_tok.type;
  LabelFilter f;
  if (Peek().type == Tok::kString) {
    LabelMatcher::Type type;
    switch (op) {
      case Tok::kEq:
        type = LabelMatcher::Type::kEqual;
        break;
      case Tok::kNeq:
        type = LabelMatcher::Type::kNotEqual;
        break;
      case Tok::kRe:
        type = LabelMatcher::Type::kRegexMatch;
        break;
      case Tok::kNre:
        type = LabelMatcher::Type::kRegexNoMatch;
        break;
      default:
        return Unexpected("a number, duration or byte size after \"" +
                          std::string(op_tok.text) + "\"");
    }
    const Token& s = Next();
    auto m = LabelMatcher::Create(type, name, s.value);
    if (!m.ok()) return Error(s.pos, m.status().message());
    f.kind = LabelFilter::Kind::kString;
    f.matcher = std::move(*m);
    return f;
  }
  if (op == Tok::kRe || op == Tok::kNre) return Unexpected("a string");
  if (PeekIdent("ip") && Peek(1).type == Tok::kLParen) {
    return Error(Peek().pos, "ip() label filters are not supported");
  }
  switch (op) {
    case Tok::kEq:
    case Tok::kCmpEq:
      f.op = CmpOp::kEq;
      break;
    case Tok::kNeq:
      f.op = CmpOp::kNeq;
      break;
    case Tok::kGt:
      f.op = CmpOp::kGt;
      break;
    case Tok::kGte:
      f.op = CmpOp::kGte;
      break;
    case Tok::kLt:
      f.op = CmpOp::kLt;
      break;
    default:
      f.op = CmpOp::kLte;
      break;
  }
  f.name = name;
  bool neg = false;
  const int vpos = Peek().pos;
  if (Peek().type == Tok::kSub || Peek().type == Tok::kAdd) {
    neg = Next().type == Tok::kSub;
  }
  if (Peek().type != Tok::kNumber) {
    return Unexpected("a string, number, duration or byte size");
  }
  const Token& v = Next();
  if (const auto num = ParseNumberLiteral(v.text)) {
    f.kind = LabelFilter::Kind::kNumber;
    f.number = neg ? -*num : *num;
    return f;
  }
  if (neg) {
    return Error(vpos, "negative durations and byte sizes are not supported");
  }
  if (const auto d = ParseGoDuration(v.text)) {
    f.kind = LabelFilter::Kind::kDuration;
    f.duration_ns = *d;
    f.literal = std::string(v.text);
    return f;
  }
  if (const auto b = ParseBytes(v.text)) {
    f.kind = LabelFilter::Kind::kBytes;
    f.bytes = *b;
    f.literal = std::string(v.text);
    return f;
  }
  return Error(v.pos, "invalid number, duration or byte size \"" +
                          std::string(v.text) + "\"");
}

}  // namespace tend::logql
