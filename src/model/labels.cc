#include "model/labels.h"

#include <algorithm>

namespace tend {

void CanonicalizeLabels(Labels* labels) {
  // Stable so that, among equal names, the last one given is the last one
  // kept by the dedup pass below.
  std::stable_sort(
      labels->begin(), labels->end(),
      [](const Label& a, const Label& b) { return a.name < b.name; });
  Labels out;
  out.reserve(labels->size());
  for (Label& l : *labels) {
    if (!out.empty() && out.back().name == l.name) {
      out.back().value = std::move(l.value);
    } else {
      out.push_back(std::move(l));
    }
  }
  std::erase_if(out, [](const Label& l) { return l.value.empty(); });
  *labels = std::move(out);
}

bool IsCanonical(const Labels& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].value.empty()) return false;
    if (i > 0 && !(labels[i - 1].name < labels[i].name)) return false;
  }
  return true;
}

std::string_view GetLabel(const Labels& labels, std::string_view name) {
  for (const Label& l : labels) {
    if (l.name == name) return l.value;
  }
  return {};
}

void SetLabel(Labels* labels, std::string_view name, std::string_view value) {
  auto it = std::lower_bound(
      labels->begin(), labels->end(), name,
      [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels->end() && it->name == name) {
    if (value.empty()) {
      labels->erase(it);
    } else {
      it->value = std::string(value);
    }
    return;
  }
  if (value.empty()) return;
  labels->insert(it, Label{std::string(name), std::string(value)});
}

void RemoveLabel(Labels* labels, std::string_view name) {
  std::erase_if(*labels, [&](const Label& l) { return l.name == name; });
}

int CompareLabels(const Labels& a, const Labels& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = a[i].name.compare(b[i].name); c != 0) return c < 0 ? -1 : 1;
    if (int c = a[i].value.compare(b[i].value); c != 0) return c < 0 ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

namespace {

// FNV-1a over the bytes, with a separator byte that cannot occur in UTF-8
// so that {a="bc"} and {ab="c"} differ.
constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

inline uint64_t Mix(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  h ^= 0xff;
  h *= kFnvPrime;
  return h;
}

void AppendEscaped(std::string* out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '"':
        *out += "\\\"";
        break;
      case '\n':
        *out += "\\n";
        break;
      default:
        *out += c;
    }
  }
}

}  // namespace

uint64_t HashLabels(const Labels& labels) {
  uint64_t h = kFnvOffset;
  for (const Label& l : labels) {
    h = Mix(h, l.name);
    h = Mix(h, l.value);
  }
  return h;
}

std::string LabelsToString(const Labels& labels) {
  std::string out(GetLabel(labels, kMetricNameLabel));
  out += '{';
  bool first = true;
  for (const Label& l : labels) {
    if (l.name == kMetricNameLabel) continue;
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out += "=\"";
    AppendEscaped(&out, l.value);
    out += '"';
  }
  out += '}';
  return out;
}

namespace {
inline bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(IsAlpha(c) || c == ':' || (i > 0 && IsDigit(c)))) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(IsAlpha(c) || (i > 0 && IsDigit(c)))) return false;
  }
  return true;
}

}  // namespace tend
