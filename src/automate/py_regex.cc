#include "automate/py_regex.h"

#include <list>
#include <map>
#include <utility>

#include "base/thread_annotations.h"

namespace tend::automate {
namespace {

constexpr size_t kCacheSize = 256;
constexpr size_t kMaxResult = 64u << 20;

struct Cache {
  Mutex mu;
  // key -> compiled; `order` keeps insertion order for eviction.
  std::map<std::string, std::shared_ptr<const RE2>> entries GUARDED_BY(mu);
  std::list<std::string> order GUARDED_BY(mu);
};

Cache& GetCache() {
  static Cache* cache = new Cache();
  return *cache;
}

std::string Prefix(std::string_view what) {
  return what.empty() ? std::string() : std::string(what) + ": ";
}

// Rewrites the Python-only spellings RE2 lacks; rejects backreferences in
// the pattern with a clear message.
Result<std::string> Translate(std::string_view p, std::string_view what) {
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
        return InvalidArgumentError(
            Prefix(what) + "invalid regular expression '" + std::string(p) +
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
      return InvalidArgumentError(
          Prefix(what) + "invalid regular expression '" + std::string(p) +
          "': named backreferences (?P=...) are not "
          "supported (RE2 syntax)");
    }
    out += c;
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<std::shared_ptr<const RE2>> CompilePyRegex(std::string_view pattern,
                                                  PyRegexFlags flags,
                                                  std::string_view what) {
  std::string key;
  key.push_back(flags.ignorecase ? 'i' : '-');
  key.push_back(flags.multiline ? 'm' : '-');
  key.push_back(flags.dotall ? 's' : '-');
  key.append(pattern);
  Cache& cache = GetCache();
  {
    MutexLock lock(&cache.mu);
    auto it = cache.entries.find(key);
    if (it != cache.entries.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::string translated, Translate(pattern, what));
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_case_sensitive(!flags.ignorecase);
  // Python's `.` does not match "\n" unless DOTALL; RE2's default agrees.
  opts.set_dot_nl(flags.dotall);
  opts.set_max_mem(64 << 20);
  if (flags.multiline) translated = "(?m)" + translated;
  auto re = std::make_shared<const RE2>(translated, opts);
  if (!re->ok()) {
    return InvalidArgumentError(
        Prefix(what) + "invalid regular expression '" + std::string(pattern) +
        "': " + re->error() + " (RE2 syntax: no lookaround or backreferences)");
  }
  MutexLock lock(&cache.mu);
  if (cache.entries.size() >= kCacheSize) {
    cache.entries.erase(cache.order.front());
    cache.order.pop_front();
  }
  if (cache.entries.emplace(key, re).second) cache.order.push_back(key);
  return std::shared_ptr<const RE2>(re);
}

bool PyReMatch(const RE2& re, std::string_view text, bool anchored,
               std::vector<std::string_view>* groups) {
  const int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(n);
  groups->assign(n, std::string_view());
  if (!re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                anchored ? RE2::ANCHOR_START : RE2::UNANCHORED, pieces.data(),
                n)) {
    return false;
  }
  for (int i = 0; i < n; ++i) {
    (*groups)[i] = std::string_view(pieces[i].data(), pieces[i].size());
  }
  return true;
}

namespace {

// Calls fn(groups) for each non-overlapping match, Python 3.7's way: an
// empty match right after a match is allowed, and after an empty match
// the search moves on by one (UTF-8) character. fn returns false to stop.
template <typename Fn>
void ForEachMatch(const RE2& re, std::string_view text, Fn fn) {
  const int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(n);
  std::vector<std::string_view> g(n);
  const re2::StringPiece subject(text.data(), text.size());
  size_t pos = 0;
  while (pos <= text.size()) {
    if (!re.Match(subject, pos, text.size(), RE2::UNANCHORED, pieces.data(),
                  n)) {
      break;
    }
    for (int i = 0; i < n; ++i) {
      g[i] = std::string_view(pieces[i].data(), pieces[i].size());
    }
    if (!fn(g)) break;
    const size_t end =
        static_cast<size_t>(g[0].data() - text.data()) + g[0].size();
    if (g[0].empty()) {
      size_t next = end + 1;
      while (next < text.size() &&
             (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) {
        ++next;
      }
      pos = next;
    } else {
      pos = end;
    }
  }
}

}  // namespace

Value PyReFindAll(const RE2& re, std::string_view text) {
  Value out = Value::array();
  const int groups = re.NumberOfCapturingGroups();
  ForEachMatch(re, text, [&](const std::vector<std::string_view>& g) {
    if (groups == 0) {
      out.push_back(std::string(g[0]));
    } else if (groups == 1) {
      out.push_back(std::string(g[1]));
    } else {
      Value tuple = Value::array();
      for (int i = 1; i <= groups; ++i) tuple.push_back(std::string(g[i]));
      out.push_back(std::move(tuple));
    }
    return out.size() < 10'000'000;
  });
  return out;
}

Result<std::string> ExpandReplacement(
    const RE2& re, std::string_view tmpl,
    const std::vector<std::string_view>& groups) {
  std::string out;
  auto group = [&](int g) -> Status {
    if (g < 0 || static_cast<size_t>(g) >= groups.size()) {
      return InvalidArgumentError("invalid group reference " +
                                  std::to_string(g));
    }
    out.append(groups[g]);
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
        RETURN_IF_ERROR(group(std::stoi(name.substr(0, 6))));
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

Result<std::string> PyReSub(const RE2& re, std::string_view text,
                            std::string_view repl, int64_t count,
                            int64_t* replaced) {
  std::string out;
  size_t copied = 0;
  int64_t done = 0;
  Status status;
  ForEachMatch(re, text, [&](const std::vector<std::string_view>& g) {
    const size_t start = static_cast<size_t>(g[0].data() - text.data());
    out.append(text.substr(copied, start - copied));
    auto r = ExpandReplacement(re, repl, g);
    if (!r.ok()) {
      status = r.status();
      return false;
    }
    out += *r;
    copied = start + g[0].size();
    ++done;
    if (out.size() > kMaxResult) {
      status = InvalidArgumentError("result larger than 64 MiB");
      return false;
    }
    return count <= 0 || done < count;
  });
  RETURN_IF_ERROR(status);
  out.append(text.substr(copied));
  if (replaced != nullptr) *replaced = done;
  return out;
}

}  // namespace tend::automate
