#include "automate/jinja/py_regex.h"

#include <list>
#include <map>
#include <utility>

#include "base/thread_annotations.h"

namespace tend::automate::jinja {
namespace {

constexpr size_t kCacheSize = 256;

struct Cache {
  Mutex mu;
  // key -> compiled; `order` keeps recency for eviction.
  std::map<std::string, std::shared_ptr<const RE2>> entries GUARDED_BY(mu);
  std::list<std::string> order GUARDED_BY(mu);
};

Cache& GetCache() {
  static Cache* cache = new Cache();
  return *cache;
}

std::string Translate(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      if (pattern[i + 1] == 'Z') {
        out += "\\z";
      } else {
        out.push_back('\\');
        out.push_back(pattern[i + 1]);
      }
      ++i;
      continue;
    }
    out.push_back(pattern[i]);
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const RE2>> CompilePyRegex(std::string_view pattern,
                                                  bool ignorecase,
                                                  bool multiline) {
  std::string key;
  key.push_back(ignorecase ? 'i' : '-');
  key.push_back(multiline ? 'm' : '-');
  key.append(pattern);
  Cache& cache = GetCache();
  {
    MutexLock lock(&cache.mu);
    auto it = cache.entries.find(key);
    if (it != cache.entries.end()) return it->second;
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_case_sensitive(!ignorecase);
  opts.set_max_mem(8 << 20);
  std::string translated = Translate(pattern);
  if (multiline) translated = "(?m)" + translated;
  auto re = std::make_shared<const RE2>(translated, opts);
  if (!re->ok()) {
    return InvalidArgumentError("invalid regular expression '" +
                                std::string(pattern) + "': " + re->error());
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

// Calls fn(groups) for each non-overlapping match, Python's way.
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
      // Step over one code point after an empty match.
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

Result<std::string> ExpandReplacement(const RE2& re, std::string_view rep,
                                      const std::vector<std::string_view>& g) {
  std::string out;
  auto group = [&](int i) -> Status {
    if (i < 0 || static_cast<size_t>(i) >= g.size()) {
      return InvalidArgumentError("invalid group reference " +
                                  std::to_string(i));
    }
    out.append(g[i]);
    return Status::Ok();
  };
  for (size_t i = 0; i < rep.size(); ++i) {
    const char c = rep[i];
    if (c != '\\' || i + 1 >= rep.size()) {
      out.push_back(c);
      continue;
    }
    const char e = rep[++i];
    if (e >= '0' && e <= '9') {
      int n = e - '0';
      if (i + 1 < rep.size() && rep[i + 1] >= '0' && rep[i + 1] <= '9') {
        n = n * 10 + (rep[++i] - '0');
      }
      RETURN_IF_ERROR(group(n));
      continue;
    }
    if (e == 'g' && i + 1 < rep.size() && rep[i + 1] == '<') {
      const size_t close = rep.find('>', i + 2);
      if (close == std::string_view::npos) {
        return InvalidArgumentError("missing '>' in group reference");
      }
      const std::string name(rep.substr(i + 2, close - i - 2));
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
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'a':
        out.push_back('\a');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'v':
        out.push_back('\v');
        break;
      default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
          return InvalidArgumentError(std::string("bad escape \\") + e +
                                      " in the replacement");
        }
        out.push_back('\\');
        out.push_back(e);
    }
  }
  return out;
}

Result<std::string> PyReSub(const RE2& re, std::string_view text,
                            std::string_view replacement, int64_t count) {
  std::string out;
  size_t copied = 0;
  int64_t done = 0;
  Status status;
  ForEachMatch(re, text, [&](const std::vector<std::string_view>& g) {
    const size_t start = static_cast<size_t>(g[0].data() - text.data());
    out.append(text.substr(copied, start - copied));
    auto r = ExpandReplacement(re, replacement, g);
    if (!r.ok()) {
      status = r.status();
      return false;
    }
    out += *r;
    copied = start + g[0].size();
    ++done;
    if (out.size() > (64u << 20)) {
      status = InvalidArgumentError("result larger than 64 MiB");
      return false;
    }
    return count <= 0 || done < count;
  });
  RETURN_IF_ERROR(status);
  out.append(text.substr(copied));
  return out;
}

}  // namespace tend::automate::jinja
