#include "logs/query/template_exec.h"

#include <cstdio>
#include <cstdlib>

namespace tend::logql {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// Go's %q for a string: double quotes with backslash escapes.
void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void Pad(std::string_view s, int width, bool left, std::string* out) {
  const int pad = width - static_cast<int>(s.size());
  if (pad > 0 && !left) out->append(static_cast<size_t>(pad), ' ');
  out->append(s);
  if (pad > 0 && left) out->append(static_cast<size_t>(pad), ' ');
}

bool IsInteger(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i >= s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

void TemplateRunner::Printf(std::string_view format, const Value* args,
                            size_t n, std::string* out) {
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%' || i + 1 >= format.size()) {
      out->push_back(c);
      continue;
    }
    ++i;
    bool left = false;
    while (i < format.size() &&
           (format[i] == '-' || format[i] == '+' || format[i] == ' ' ||
            format[i] == '0' || format[i] == '#')) {
      if (format[i] == '-') left = true;
      ++i;
    }
    int width = 0;
    while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
      width = std::min(width * 10 + (format[i] - '0'), 1 << 16);
      ++i;
    }
    int prec = -1;
    if (i < format.size() && format[i] == '.') {
      ++i;
      prec = 0;
      while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        prec = std::min(prec * 10 + (format[i] - '0'), 64);
        ++i;
      }
    }
    if (i >= format.size()) {
      out->append("%!(NOVERB)");
      break;
    }
    const char verb = format[i];
    if (verb == '%') {
      out->push_back('%');
      continue;
    }
    if (next >= n) {
      out->append("%!").push_back(verb);
      out->append("(MISSING)");
      continue;
    }
    const Value& v = args[next++];
    std::string tmp;
    switch (verb) {
      case 's':
      case 'v':
        tmp.assign(prec >= 0 && verb == 's'
                       ? v.text.substr(0, static_cast<size_t>(prec))
                       : v.text);
        break;
      case 'q':
        AppendQuoted(v.text, &tmp);
        break;
      case 'd':
        if (v.number && IsInteger(v.text)) {
          tmp.assign(v.text);
          if (tmp[0] == '+') tmp.erase(0, 1);
        } else {
          tmp.append("%!d(").append(v.number ? "float64=" : "string=");
          tmp.append(v.text).push_back(')');
        }
        break;
      case 'f':
      case 'e':
      case 'g':
        if (v.number) {
          std::string num(v.text);
          char buf[512];
          const char fmt[] = {'%', '.', '*', verb, '\0'};
          std::snprintf(buf, sizeof buf, fmt,
                        prec >= 0 ? prec : (verb == 'g' ? -1 : 6),
                        std::strtod(num.c_str(), nullptr));
          tmp.assign(buf);
        } else {
          tmp.append("%!").push_back(verb);
          tmp.append("(string=").append(v.text).push_back(')');
        }
        break;
      default:
        tmp.append("%!").push_back(verb);
        tmp.append(v.number ? "(float64=" : "(string=")
            .append(v.text)
            .push_back(')');
    }
    Pad(tmp, width, left, out);
  }
  if (next < n) {
    out->append("%!(EXTRA ");
    for (size_t k = next; k < n; ++k) {
      if (k > next) out->append(", ");
      out->append(args[k].number ? "float64=" : "string=");
      out->append(args[k].text);
    }
    out->push_back(')');
  }
}

bool TemplateRunner::Command(const TemplateCommand& cmd,
                             const LineLabels& labels, std::string_view line,
                             const Value* piped, Value* result,
                             std::string* error) {
  args_.clear();
  for (const TemplateArg& a : cmd.args) {
    switch (a.kind) {
      case TemplateArg::Kind::kField: {
        auto v = labels.Get(a.text);
        args_.push_back({v.value_or(std::string_view()), false});
        break;
      }
      case TemplateArg::Kind::kString:
        args_.push_back({a.text, false});
        break;
      case TemplateArg::Kind::kNumber:
        args_.push_back({a.text, true});
        break;
      case TemplateArg::Kind::kLine:
        args_.push_back({line, false});
        break;
    }
  }
  if (piped != nullptr) args_.push_back(*piped);
  auto want = [&](size_t count, const char* name) {
    if (args_.size() == count) return true;
    *error = std::string("wrong number of args for ") + name + ": want " +
             std::to_string(count) + " got " + std::to_string(args_.size());
    return false;
  };
  std::string& buf = bufs_[next_buf_];
  next_buf_ ^= 1;
  switch (cmd.func) {
    case TemplateFunc::kNone:
      if (!want(1, "a value")) return false;
      *result = args_[0];
      return true;
    case TemplateFunc::kLine:
      if (!want(0, "__line__")) return false;
      *result = {line, false};
      return true;
    case TemplateFunc::kToUpper:
    case TemplateFunc::kToLower: {
      const bool up = cmd.func == TemplateFunc::kToUpper;
      if (!want(1, up ? "ToUpper" : "ToLower")) return false;
      buf.assign(args_[0].text);
      for (char& c : buf) {
        if (up && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        if (!up && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      }
      *result = {buf, false};
      return true;
    }
    case TemplateFunc::kTrimSpace: {
      if (!want(1, "TrimSpace")) return false;
      std::string_view s = args_[0].text;
      while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
      while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
      *result = {s, false};
      return true;
    }
    case TemplateFunc::kDefault:
      if (!want(2, "default")) return false;
      *result = args_[1].text.empty() ? args_[0] : args_[1];
      return true;
    case TemplateFunc::kPrintf: {
      if (args_.empty()) {
        *error = "wrong number of args for printf: want at least 1 got 0";
        return false;
      }
      buf.clear();
      Printf(args_[0].text, args_.data() + 1, args_.size() - 1, &buf);
      *result = {buf, false};
      return true;
    }
  }
  *error = "unknown function";
  return false;
}

bool TemplateRunner::Run(const Template& tmpl, const LineLabels& labels,
                         std::string_view line, std::string* out,
                         std::string* error) {
  for (const TemplateNode& node : tmpl.nodes) {
    if (node.is_text) {
      out->append(node.text);
      continue;
    }
    Value value;
    const Value* piped = nullptr;
    for (const TemplateCommand& cmd : node.pipeline) {
      Value result;
      if (!Command(cmd, labels, line, piped, &result, error)) return false;
      // The result may live in a buffer the next command overwrites only
      // after two commands; copy into the other buffer when needed.
      value = result;
      piped = &value;
    }
    if (piped != nullptr) out->append(value.text);
  }
  return true;
}

}  // namespace tend::logql
