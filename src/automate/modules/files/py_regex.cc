#include "automate/modules/files/py_regex.h"

#include <vector>

namespace tend::automate::filemod {
namespace {

// Rewrites the Python-only spellings RE2 lacks; rejects backreferences in
// the pattern with a clear message.
Result<std::string> Translate(std::string_view p, std::string_view param) {
  std::string out;
  out.reserve(p.size());
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      if (!in_class && n == 'Z') {
        out += "\\z";
      } else if (!in_class && n >= '1' && n <= '9') {
        return InvalidArgumentError(std::string(param) + ": cannot compile '" +
                                    std::string(p) +
                                    "': backreferences in the pattern (\\" + n +
                                    ") are not supported (RE2 syntax)");
      } else {
        out += c;
        out += n;
      }
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is literal.
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
      continue;
    } else if (p.substr(i).starts_with("(?P=")) {
      return InvalidArgumentError(std::string(param) + ": cannot compile '" +
                                  std::string(p) +
                                  "': named backreferences (?P=...) are not "
                                  "supported (RE2 syntax)");
    }
    out += c;
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<std::unique_ptr<RE2>> CompilePy(std::string_view pattern,
                                       PyRegexFlags flags,
                                       std::string_view param) {
  ASSIGN_OR_RETURN(std::string translated, Translate(pattern, param));
  RE2::Options opt;
  opt.set_log_errors(false);
  opt.set_max_mem(64 << 20);
  // Python's `.` does not match "\n" unless DOTALL; RE2's default agrees.
  opt.set_dot_nl(flags.dotall);
  opt.set_never_nl(false);
  if (flags.multiline) {
    translated = "(?m)" + translated;
  }
  auto re = std::make_unique<RE2>(translated, opt);
  if (!re->ok()) {
    return InvalidArgumentError(
        std::string(param) + ": cannot compile '" + std::string(pattern) +
        "': " + re->error() + " (RE2 syntax: no lookaround or backreferences)");
  }
  return re;
}

Result<std::string> ExpandPy(const RE2& re, std::string_view tmpl,
                             const re2::StringPiece* groups) {
  const int ngroups = re.NumberOfCapturingGroups();
  std::string out;
  auto group = [&](int g) -> Status {
    if (g < 0 || g > ngroups) {
      return InvalidArgumentError("invalid group reference " +
                                  std::to_string(g));
    }
    if (groups[g].data() != nullptr) {
      out.append(groups[g].data(), groups[g].size());
    }
    return Status::Ok();
  };
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c != '\\' || i + 1 == tmpl.size()) {
      out += c;
      continue;
    }
    char n = tmpl[++i];
    if (n == 'g') {
      size_t close = tmpl.find('>', i);
      if (i + 1 >= tmpl.size() || tmpl[i + 1] != '<' ||
          close == std::string_view::npos) {
        return InvalidArgumentError("missing group name in \\g<...>");
      }
      std::string name(tmpl.substr(i + 2, close - i - 2));
      i = close;
      if (!name.empty() &&
          name.find_first_not_of("0123456789") == std::string::npos) {
        RETURN_IF_ERROR(group(std::stoi(name)));
        continue;
      }
      const auto& names = re.NamedCapturingGroups();
      auto it = names.find(name);
      if (it == names.end()) {
        return InvalidArgumentError("unknown group name '" + name + "'");
      }
      RETURN_IF_ERROR(group(it->second));
      continue;
    }
    if (n == '0') {
      // Octal escape: up to two more octal digits.
      int v = 0, k = 0;
      while (k < 2 && i + 1 < tmpl.size() && tmpl[i + 1] >= '0' &&
             tmpl[i + 1] <= '7') {
        v = v * 8 + (tmpl[++i] - '0');
        ++k;
      }
      out += static_cast<char>(v);
      continue;
    }
    if (IsDigit(n)) {
      int g = n - '0';
      if (i + 1 < tmpl.size() && IsDigit(tmpl[i + 1])) {
        g = g * 10 + (tmpl[++i] - '0');
      }
      RETURN_IF_ERROR(group(g));
      continue;
    }
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z')) {
          return InvalidArgumentError(std::string("bad escape \\") + n +
                                      " in the replacement");
        }
        out += '\\';
        out += n;
    }
  }
  return out;
}

Result<std::pair<std::string, int>> SubnPy(const RE2& re, std::string_view text,
                                           std::string_view repl) {
  const int ngroups = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups) + 1);
  std::string out;
  int count = 0;
  size_t pos = 0;     // where the next search starts
  size_t copied = 0;  // text before this is already in `out`
  const re2::StringPiece input(text.data(), text.size());
  while (pos <= text.size()) {
    if (!re.Match(input, pos, text.size(), RE2::UNANCHORED, groups.data(),
                  ngroups + 1)) {
      break;
    }
    size_t start = static_cast<size_t>(groups[0].data() - text.data());
    size_t end = start + groups[0].size();
    out.append(text.substr(copied, start - copied));
    ASSIGN_OR_RETURN(std::string piece, ExpandPy(re, repl, groups.data()));
    out += piece;
    ++count;
    copied = end;
    if (end == start) {
      // An empty match: the next one must start further on; copy one
      // (UTF-8) character across.
      if (end >= text.size()) break;
      size_t step = 1;
      while (end + step < text.size() &&
             (static_cast<unsigned char>(text[end + step]) & 0xC0) == 0x80) {
        ++step;
      }
      out.append(text.substr(end, step));
      copied = end + step;
      pos = end + step;
    } else {
      pos = end;
    }
  }
  out.append(text.substr(copied));
  return std::make_pair(std::move(out), count);
}

}  // namespace tend::automate::filemod
