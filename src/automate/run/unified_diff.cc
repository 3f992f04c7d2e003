#include "automate/run/unified_diff.h"

#include <algorithm>
#include <vector>

namespace tend::automate {
namespace {

constexpr size_t kMaxLines = 20000;
// The middle part (after trimming the common prefix and suffix) is
// compared line by line only while its table stays this small.
constexpr size_t kMaxCells = 4'000'000;

std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) {
      out.push_back(s.substr(start));
      break;
    }
    out.push_back(s.substr(start, nl - start + 1));
    start = nl + 1;
  }
  return out;
}

enum class Op { kEqual, kDelete, kInsert };
struct Edit {
  Op op;
  size_t a;  // line index in before (kEqual, kDelete)
  size_t b;  // line index in after (kEqual, kInsert)
};

std::vector<Edit> Script(const std::vector<std::string_view>& a,
                         const std::vector<std::string_view>& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
    ++suf;
  }
  std::vector<Edit> out;
  for (size_t i = 0; i < pre; ++i) out.push_back({Op::kEqual, i, i});
  const size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  if (n > 0 && m > 0 && n * m <= kMaxCells) {
    // Longest common subsequence table over the middle, from the end.
    std::vector<uint32_t> t((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& {
      return t[i * (m + 1) + j];
    };
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        at(i, j) = a[pre + i] == b[pre + j]
                       ? at(i + 1, j + 1) + 1
                       : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    size_t i = 0, j = 0;
    while (i < n && j < m) {
      if (a[pre + i] == b[pre + j]) {
        out.push_back({Op::kEqual, pre + i, pre + j});
        ++i;
        ++j;
      } else if (at(i + 1, j) >= at(i, j + 1)) {
        out.push_back({Op::kDelete, pre + i, 0});
        ++i;
      } else {
        out.push_back({Op::kInsert, 0, pre + j});
        ++j;
      }
    }
    for (; i < n; ++i) out.push_back({Op::kDelete, pre + i, 0});
    for (; j < m; ++j) out.push_back({Op::kInsert, 0, pre + j});
  } else {
    for (size_t i = 0; i < n; ++i) out.push_back({Op::kDelete, pre + i, 0});
    for (size_t j = 0; j < m; ++j) out.push_back({Op::kInsert, 0, pre + j});
  }
  for (size_t k = 0; k < suf; ++k) {
    out.push_back({Op::kEqual, a.size() - suf + k, b.size() - suf + k});
  }
  return out;
}

void AddLine(char mark, std::string_view line, std::string* out) {
  out->push_back(mark);
  out->append(line);
  if (line.empty() || line.back() != '\n') {
    *out += "\n\\ No newline at end of file\n";
  }
}

std::string Range(size_t start, size_t count) {
  // difflib: "start,count", start 1-based; an empty range names the line
  // before it; a count of 1 is left out.
  size_t first = count == 0 ? start : start + 1;
  if (count == 1) return std::to_string(first);
  return std::to_string(first) + "," + std::to_string(count);
}

}  // namespace

std::string UnifiedDiffHunks(std::string_view before, std::string_view after,
                             int context) {
  if (before == after) return "";
  std::vector<std::string_view> a = Lines(before), b = Lines(after);
  std::vector<Edit> edits;
  if (a.size() > kMaxLines || b.size() > kMaxLines) {
    for (size_t i = 0; i < a.size(); ++i) edits.push_back({Op::kDelete, i, 0});
    for (size_t j = 0; j < b.size(); ++j) edits.push_back({Op::kInsert, 0, j});
  } else {
    edits = Script(a, b);
  }
  const size_t ctx = static_cast<size_t>(std::max(0, context));
  std::string out;
  size_t k = 0;
  while (k < edits.size()) {
    // Find the next change.
    size_t first = k;
    while (first < edits.size() && edits[first].op == Op::kEqual) ++first;
    if (first == edits.size()) break;
    size_t start = first >= ctx ? first - ctx : 0;
    if (start < k) start = k;
    // Extend while changes are within 2*ctx of each other.
    size_t end = first;
    size_t last_change = first;
    while (end < edits.size()) {
      if (edits[end].op != Op::kEqual) {
        last_change = end;
      } else if (end - last_change > 2 * ctx) {
        break;
      }
      ++end;
    }
    end = std::min(edits.size(), last_change + 1 + ctx);
    size_t a_start = 0, b_start = 0, a_count = 0, b_count = 0;
    bool a_set = false, b_set = false;
    // Starting line numbers: from the first edit of the hunk.
    for (size_t i = start; i < end; ++i) {
      const Edit& e = edits[i];
      if (e.op != Op::kInsert) {
        if (!a_set) a_start = e.a, a_set = true;
        ++a_count;
      }
      if (e.op != Op::kDelete) {
        if (!b_set) b_start = e.b, b_set = true;
        ++b_count;
      }
    }
    if (!a_set) {
      // Only insertions: the position is after the preceding before-line.
      a_start = 0;
      for (size_t i = start; i-- > 0;) {
        if (edits[i].op != Op::kInsert) {
          a_start = edits[i].a + 1;
          break;
        }
      }
    }
    if (!b_set) {
      b_start = 0;
      for (size_t i = start; i-- > 0;) {
        if (edits[i].op != Op::kDelete) {
          b_start = edits[i].b + 1;
          break;
        }
      }
    }
    out += "@@ -" + Range(a_start, a_count) + " +" + Range(b_start, b_count) +
           " @@\n";
    for (size_t i = start; i < end; ++i) {
      const Edit& e = edits[i];
      if (e.op == Op::kEqual) AddLine(' ', a[e.a], &out);
      if (e.op == Op::kDelete) AddLine('-', a[e.a], &out);
      if (e.op == Op::kInsert) AddLine('+', b[e.b], &out);
    }
    k = end;
  }
  return out;
}

}  // namespace tend::automate
