// Parser for the Go template subset of template.h.
#include "logs/logql/template.h"

#include <algorithm>
#include <charconv>

namespace tend::logql {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct FuncInfo {
  const char* name;
  TemplateFunc func;
};

constexpr FuncInfo kFuncs[] = {
    {"ToUpper", TemplateFunc::kToUpper},     {"upper", TemplateFunc::kToUpper},
    {"ToLower", TemplateFunc::kToLower},     {"lower", TemplateFunc::kToLower},
    {"TrimSpace", TemplateFunc::kTrimSpace}, {"trim", TemplateFunc::kTrimSpace},
    {"default", TemplateFunc::kDefault},     {"printf", TemplateFunc::kPrintf},
    {"__line__", TemplateFunc::kLine},
};

class ActionParser {
 public:
  ActionParser(std::string_view text, size_t base, Template* tmpl,
               TemplateError* error)
      : s_(text), base_(base), tmpl_(tmpl), error_(error) {}

  bool Parse(TemplateNode* node) {
    node->is_text = false;
    for (;;) {
      SkipSpace();
      TemplateCommand cmd;
      if (!ParseCommand(&cmd, !node->pipeline.empty())) return false;
      node->pipeline.push_back(std::move(cmd));
      SkipSpace();
      if (i_ == s_.size()) break;
      if (s_[i_] != '|') return Fail("unexpected character in action");
      ++i_;
    }
    return true;
  }

 private:
  bool Fail(const char* msg) {
    error_->message = msg;
    error_->offset = base_ + std::min(i_, s_.size());
    return false;
  }

  void SkipSpace() {
    while (i_ < s_.size() && IsSpace(s_[i_])) ++i_;
  }

  bool ParseOperand(TemplateArg* arg) {
    const char c = s_[i_];
    if (c == '.') {
      ++i_;
      const size_t start = i_;
      if (i_ == s_.size() || !IsIdentStart(s_[i_])) {
        return Fail("expected a label name after '.'");
      }
      while (i_ < s_.size() && IsIdentChar(s_[i_])) ++i_;
      if (i_ < s_.size() && s_[i_] == '.') {
        return Fail("nested fields are not supported");
      }
      arg->kind = TemplateArg::Kind::kField;
      arg->text = std::string(s_.substr(start, i_ - start));
      if (std::find(tmpl_->fields.begin(), tmpl_->fields.end(), arg->text) ==
          tmpl_->fields.end()) {
        tmpl_->fields.push_back(arg->text);
      }
      return true;
    }
    if (c == '"' || c == '`') {
      const char q = c;
      ++i_;
      std::string v;
      while (i_ < s_.size() && s_[i_] != q) {
        if (q == '"' && s_[i_] == '\\') {
          if (i_ + 1 == s_.size()) break;
          const char e = s_[++i_];
          switch (e) {
            case 'n':
              v += '\n';
              break;
            case 't':
              v += '\t';
              break;
            case 'r':
              v += '\r';
              break;
            case '\\':
              v += '\\';
              break;
            case '"':
              v += '"';
              break;
            default:
              return Fail("unsupported escape in template string");
          }
          ++i_;
          continue;
        }
        v += s_[i_++];
      }
      if (i_ == s_.size()) return Fail("unterminated string in action");
      ++i_;
      arg->kind = TemplateArg::Kind::kString;
      arg->text = std::move(v);
      return true;
    }
    if ((c >= '0' && c <= '9') || c == '-') {
      const size_t start = i_;
      ++i_;
      while (i_ < s_.size() && (IsIdentChar(s_[i_]) || s_[i_] == '.')) ++i_;
      double d;
      const char* b = s_.data() + start;
      const char* e = s_.data() + i_;
      auto [p, ec] = std::from_chars(b, e, d);
      if (ec != std::errc() || p != e) {
        i_ = start;
        return Fail("invalid number in action");
      }
      arg->kind = TemplateArg::Kind::kNumber;
      arg->text = std::string(s_.substr(start, i_ - start));
      return true;
    }
    if (c == '$') return Fail("template variables are not supported");
    if (c == '(') return Fail("parenthesized pipelines are not supported");
    return Fail("unexpected character in action");
  }

  // One command; `piped` is true when the previous command's value is
  // passed in as the last argument.
  bool ParseCommand(TemplateCommand* cmd, bool piped) {
    if (i_ == s_.size() || s_[i_] == '|') return Fail("missing command");
    const size_t start = i_;
    if (IsIdentStart(s_[i_])) {
      while (i_ < s_.size() && IsIdentChar(s_[i_])) ++i_;
      const std::string_view word = s_.substr(start, i_ - start);
      const FuncInfo* f = nullptr;
      for (const FuncInfo& fi : kFuncs) {
        if (word == fi.name) f = &fi;
      }
      if (f == nullptr) {
        i_ = start;
        if (word == "if" || word == "range" || word == "with" ||
            word == "end" || word == "else" || word == "define" ||
            word == "template" || word == "block") {
          return Fail("template control structures are not supported");
        }
        return Fail("unknown template function");
      }
      cmd->func = f->func;
      for (;;) {
        const size_t before = i_;
        SkipSpace();
        if (i_ == s_.size() || s_[i_] == '|') break;
        if (i_ == before) return Fail("expected a space between arguments");
        TemplateArg arg;
        if (!ParseOperand(&arg)) return false;
        cmd->args.push_back(std::move(arg));
      }
      const size_t n = cmd->args.size() + (piped ? 1 : 0);
      switch (cmd->func) {
        case TemplateFunc::kToUpper:
        case TemplateFunc::kToLower:
        case TemplateFunc::kTrimSpace:
          if (n != 1) return FailAt(start, "function takes one argument");
          break;
        case TemplateFunc::kDefault:
          if (n != 2) return FailAt(start, "default takes two arguments");
          break;
        case TemplateFunc::kPrintf:
          if (cmd->args.empty() ||
              cmd->args[0].kind != TemplateArg::Kind::kString) {
            return FailAt(start, "printf needs a string literal format");
          }
          break;
        case TemplateFunc::kLine:
          if (n != 0) return FailAt(start, "__line__ takes no arguments");
          break;
        case TemplateFunc::kNone:
          break;
      }
      return true;
    }
    if (piped) return Fail("only a function can follow '|'");
    TemplateArg arg;
    if (!ParseOperand(&arg)) return false;
    SkipSpace();
    if (i_ < s_.size() && s_[i_] != '|') {
      return Fail("can't give an argument to a non-function");
    }
    cmd->func = TemplateFunc::kNone;
    cmd->args.push_back(std::move(arg));
    return true;
  }

  bool FailAt(size_t pos, const char* msg) {
    i_ = pos;
    return Fail(msg);
  }

  std::string_view s_;
  size_t base_;
  size_t i_ = 0;
  Template* tmpl_;
  TemplateError* error_;
};

void TrimRight(std::string* s) {
  while (!s->empty() && IsSpace(s->back())) s->pop_back();
}

}  // namespace

bool ParseTemplate(std::string_view text, Template* out, TemplateError* error) {
  *out = Template();
  size_t i = 0;
  bool trim_next = false;  // The previous action ended with " -}}".
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    std::string lit(text.substr(
        i, open == std::string_view::npos ? std::string_view::npos : open - i));
    if (trim_next) {
      size_t k = 0;
      while (k < lit.size() && IsSpace(lit[k])) ++k;
      lit.erase(0, k);
      trim_next = false;
    }
    if (open == std::string_view::npos) {
      if (!lit.empty()) out->nodes.push_back({true, std::move(lit), {}});
      break;
    }
    size_t body = open + 2;
    if (body + 1 < text.size() && text[body] == '-' &&
        IsSpace(text[body + 1])) {
      TrimRight(&lit);
      body += 2;
    }
    if (!lit.empty()) out->nodes.push_back({true, std::move(lit), {}});
    // The action ends at the first "}}" outside a string literal.
    size_t j = body;
    char quote = 0;
    while (j < text.size()) {
      const char c = text[j];
      if (quote != 0) {
        if (c == '\\' && quote == '"' && j + 1 < text.size()) {
          j += 2;
          continue;
        }
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '`') {
        quote = c;
      } else if (c == '}' && j + 1 < text.size() && text[j + 1] == '}') {
        break;
      }
      ++j;
    }
    if (j >= text.size()) {
      error->message = "unclosed action";
      error->offset = open;
      return false;
    }
    size_t body_end = j;
    if (body_end >= body + 2 && text[body_end - 1] == '-' &&
        IsSpace(text[body_end - 2])) {
      body_end -= 2;
      trim_next = true;
    }
    std::string_view action = text.substr(body, body_end - body);
    if (action.size() >= 2 && action.substr(0, 2) == "/*") {
      // A comment action, {{/* ... */}}.
      if (action.size() < 4 || action.substr(action.size() - 2) != "*/") {
        error->message = "unclosed comment";
        error->offset = body;
        return false;
      }
    } else {
      size_t k = 0;
      while (k < action.size() && IsSpace(action[k])) ++k;
      if (k == action.size()) {
        error->message = "missing value for command";
        error->offset = body;
        return false;
      }
      TemplateNode node;
      ActionParser p(action, body, out, error);
      if (!p.Parse(&node)) return false;
      out->nodes.push_back(std::move(node));
    }
    i = j + 2;
  }
  return true;
}

}  // namespace tend::logql
