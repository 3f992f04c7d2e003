// Host patterns (a play's `hosts:`, --limit), evaluated as Ansible 2.14's
// InventoryManager does: split on ',' (or on ':' when the text is not one
// host address), plain patterns first, then '&' intersections, then '!'
// exclusions; each pattern matches group names (fnmatch, or a regex after
// '~', anchored at the start only as Python's re.match) and, when no group
// matched or it is a glob or regex, host names; [i] and [a:b] subscripts
// (inclusive) select from what one pattern matched.
#include <re2/re2.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "automate/inventory/host_pattern.h"
#include "automate/inventory/inventory.h"

namespace tend::automate {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitPattern(std::string_view pattern) {
  std::vector<std::string_view> parts;
  if (pattern.find(',') != std::string_view::npos) {
    size_t start = 0;
    for (size_t i = 0; i <= pattern.size(); ++i) {
      if (i == pattern.size() || pattern[i] == ',') {
        parts.push_back(pattern.substr(start, i - start));
        start = i + 1;
      }
    }
  } else if (ParseHostAddress(pattern, /*allow_ranges=*/true)) {
    parts.push_back(pattern);
  } else {
    // Runs of characters other than whitespace, ':', '[' and ']', or
    // complete [...] expressions (the regex Ansible keeps for ':' lists).
    size_t i = 0;
    while (i < pattern.size()) {
      size_t start = i;
      while (i < pattern.size()) {
        char c = pattern[i];
        if (c == '[') {
          size_t close = pattern.find(']', i + 1);
          if (close == std::string_view::npos) break;
          i = close + 1;
        } else if (IsSpace(c) || c == ':' || c == ']') {
          break;
        } else {
          ++i;
        }
      }
      if (i > start) {
        parts.push_back(pattern.substr(start, i - start));
      } else {
        ++i;  // a separator or a lone bracket
      }
    }
  }
  std::vector<std::string> out;
  for (std::string_view p : parts) {
    p = Strip(p);
    if (!p.empty()) out.emplace_back(p);
  }
  return out;
}

// Python's fnmatch (case-sensitive, as fnmatch.translate + re.match).
bool GlobMatch(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0;
  size_t star_p = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    bool advanced = false;
    if (p < pat.size()) {
      char c = pat[p];
      if (c == '*') {
        star_p = p++;
        star_i = i;
        continue;
      }
      if (c == '?') {
        ++p;
        ++i;
        continue;
      }
      if (c == '[') {
        size_t j = p + 1;
        if (j < pat.size() && pat[j] == '!') ++j;
        if (j < pat.size() && pat[j] == ']') ++j;
        while (j < pat.size() && pat[j] != ']') ++j;
        if (j < pat.size()) {
          std::string_view cls = pat.substr(p + 1, j - p - 1);
          bool negate = !cls.empty() && cls[0] == '!';
          if (negate) cls.remove_prefix(1);
          bool hit = false;
          for (size_t k = 0; k < cls.size(); ++k) {
            if (k + 2 < cls.size() && cls[k + 1] == '-') {
              if (s[i] >= cls[k] && s[i] <= cls[k + 2]) hit = true;
              k += 2;
            } else if (cls[k] == s[i]) {
              hit = true;
            }
          }
          if (hit != negate) {
            p = j + 1;
            ++i;
            continue;
          }
        } else if (s[i] == '[') {  // no closing ']': a literal '['
          ++p;
          ++i;
          continue;
        }
      } else if (c == s[i]) {
        ++p;
        ++i;
        advanced = true;
        continue;
      }
    }
    if (!advanced) {
      if (star_p == std::string_view::npos) return false;
      p = star_p + 1;
      i = ++star_i;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

struct Subscript {
  int64_t start = 0;
  std::optional<int64_t> end;  // nullopt: a single index
};

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "expr[3]", "expr[-1]", "expr[1:3]", "expr[1:]" ("expr[1-3]" is the old
// spelling of [1:3], still accepted).
std::optional<Subscript> SplitSubscript(std::string* pattern) {
  const std::string& p = *pattern;
  if (p.empty() || p[0] == '~' || p.back() != ']') return std::nullopt;
  size_t open = p.rfind('[');
  if (open == std::string::npos || open == 0) return std::nullopt;
  std::string_view in =
      std::string_view(p).substr(open + 1, p.size() - open - 2);
  Subscript sub;
  std::string_view idx = in.size() > 1 && in[0] == '-' ? in.substr(1) : in;
  if (AllDigits(idx)) {
    sub.start = std::stoll(std::string(idx));
    if (idx.size() != in.size()) sub.start = -sub.start;
  } else {
    size_t sep = in.find_first_of(":-");
    if (sep == std::string_view::npos || !AllDigits(in.substr(0, sep))) {
      return std::nullopt;
    }
    std::string_view end = in.substr(sep + 1);
    if (!end.empty() && !AllDigits(end)) return std::nullopt;
    sub.start = std::stoll(std::string(in.substr(0, sep)));
    sub.end = end.empty() ? -1 : std::stoll(std::string(end));
  }
  pattern->resize(open);
  return sub;
}

}  // namespace

namespace {

// One pattern without its &/! prefix: the hosts it names, in order, with
// repeats (a subscript counts them, as Ansible's does).
Result<std::vector<std::string>> MatchOne(const Inventory& inv,
                                          std::string pattern) {
  const std::string full = pattern;
  std::optional<Subscript> sub = SplitSubscript(&pattern);
  std::unique_ptr<RE2> re;
  const bool is_regex = !pattern.empty() && pattern[0] == '~';
  if (is_regex) {
    RE2::Options opts;
    opts.set_log_errors(false);
    re = std::make_unique<RE2>("^(?:" + pattern.substr(1) + ")", opts);
    if (!re->ok()) {
      return InvalidArgumentError("invalid host pattern '" + full +
                                  "': bad regular expression: " + re->error());
    }
  }
  auto matches = [&](std::string_view name) {
    return is_regex ? RE2::PartialMatch(name, *re) : GlobMatch(pattern, name);
  };
  std::vector<std::string> out;
  bool any_group = false;
  for (const std::string& g : inv.group_order()) {
    if (!matches(g)) continue;
    any_group = true;
    for (std::string& h : inv.HostsOfGroup(g)) out.push_back(std::move(h));
  }
  if (!any_group || is_regex ||
      pattern.find_first_of(".?*[") != std::string::npos) {
    for (const InventoryHost& h : inv.hosts()) {
      if (matches(h.name)) out.push_back(h.name);
    }
  }
  if (out.empty() && IsLocalhostName(pattern)) out.push_back(pattern);
  if (!sub || out.empty()) return out;
  const int64_t n = static_cast<int64_t>(out.size());
  if (sub->end && *sub->end != 0) {
    int64_t end = *sub->end == -1 ? n - 1 : *sub->end;
    int64_t start = std::min(sub->start, n);
    int64_t stop = std::min(end + 1, n);
    std::vector<std::string> sliced;
    for (int64_t i = start; i < stop; ++i) sliced.push_back(out[i]);
    return sliced;
  }
  int64_t i = sub->start < 0 ? sub->start + n : sub->start;
  if (i < 0 || i >= n) {
    return InvalidArgumentError("no hosts matched the subscripted pattern '" +
                                full + "' (it matches " + std::to_string(n) +
                                " hosts)");
  }
  return std::vector<std::string>{out[i]};
}

}  // namespace

Result<std::vector<std::string>> Inventory::Match(
    std::string_view pattern) const {
  std::vector<std::string> regular, intersect, exclude;
  for (std::string& p : SplitPattern(pattern)) {
    if (p[0] == '!') {
      exclude.push_back(std::move(p));
    } else if (p[0] == '&') {
      intersect.push_back(std::move(p));
    } else {
      regular.push_back(std::move(p));
    }
  }
  if (regular.empty()) regular.push_back("all");
  std::vector<std::string> hosts;
  std::set<std::string> have;
  for (const std::string& p : regular) {
    if (FindHost(p) != nullptr) {
      if (have.insert(p).second) hosts.push_back(p);
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<std::string> that, MatchOne(*this, p));
    for (std::string& h : that) {
      if (have.insert(h).second) hosts.push_back(std::move(h));
    }
  }
  for (const std::string& p : intersect) {
    ASSIGN_OR_RETURN(std::vector<std::string> that,
                     MatchOne(*this, p.substr(1)));
    std::set<std::string> keep(that.begin(), that.end());
    std::erase_if(hosts,
                  [&](const std::string& h) { return !keep.contains(h); });
  }
  for (const std::string& p : exclude) {
    ASSIGN_OR_RETURN(std::vector<std::string> that,
                     MatchOne(*this, p.substr(1)));
    std::set<std::string> drop(that.begin(), that.end());
    std::erase_if(hosts,
                  [&](const std::string& h) { return drop.contains(h); });
  }
  return hosts;
}

}  // namespace tend::automate
