#include "logs/query/line_labels.h"

#include <algorithm>

namespace tend::logql {

void LineLabels::Reset(const Labels& stream) {
  stream_ = &stream;
  if (slots_.size() < stream.size()) slots_.resize(stream.size());
  for (size_t i = 0; i < stream.size(); ++i) {
    slots_[i].name.assign(stream[i].name);
    slots_[i].value.assign(stream[i].value);
  }
  n_ = stream.size();
  error_.clear();
  details_.clear();
  has_details_ = false;
}

std::optional<std::string_view> LineLabels::Get(std::string_view name) const {
  if (name == kErrorLabel) {
    if (error_.empty()) return std::nullopt;
    return std::string_view(error_);
  }
  if (name == kErrorDetailsLabel) {
    if (!has_details_) return std::nullopt;
    return std::string_view(details_);
  }
  for (size_t i = 0; i < n_; ++i) {
    if (slots_[i].name == name) return std::string_view(slots_[i].value);
  }
  return std::nullopt;
}

bool LineLabels::BaseHas(std::string_view name) const {
  if (stream_ == nullptr) return false;
  for (const Label& l : *stream_) {
    if (l.name == name) return true;
  }
  return false;
}

void LineLabels::Set(std::string_view name, std::string_view value) {
  if (name == kErrorLabel) {
    error_.assign(value);
    return;
  }
  if (name == kErrorDetailsLabel) {
    details_.assign(value);
    has_details_ = true;
    return;
  }
  for (size_t i = 0; i < n_; ++i) {
    if (slots_[i].name == name) {
      slots_[i].value.assign(value);
      return;
    }
  }
  if (slots_.size() == n_) slots_.emplace_back();
  slots_[n_].name.assign(name);
  slots_[n_].value.assign(value);
  ++n_;
}

void LineLabels::Del(std::string_view name) {
  if (name == kErrorLabel) {
    error_.clear();
    return;
  }
  if (name == kErrorDetailsLabel) {
    details_.clear();
    has_details_ = false;
    return;
  }
  for (size_t i = 0; i < n_; ++i) {
    if (slots_[i].name == name) {
      // Swap with the last live slot so strings keep their buffers.
      std::swap(slots_[i], slots_[n_ - 1]);
      --n_;
      return;
    }
  }
}

void LineLabels::SetError(std::string_view error, std::string_view details) {
  error_.assign(error);
  details_.assign(details);
  has_details_ = !details.empty();
}

void LineLabels::ToLabels(Labels* out) const {
  out->clear();
  out->reserve(n_ + 2);
  for (size_t i = 0; i < n_; ++i) out->push_back(slots_[i]);
  if (!error_.empty()) out->push_back({std::string(kErrorLabel), error_});
  if (has_details_) {
    out->push_back({std::string(kErrorDetailsLabel), details_});
  }
  std::sort(out->begin(), out->end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
}

bool LineLabels::Equals(const Labels& labels) const {
  const size_t n = n_ + (error_.empty() ? 0 : 1) + (has_details_ ? 1 : 0);
  if (labels.size() != n) return false;
  for (const Label& l : labels) {
    auto v = Get(l.name);
    if (!v.has_value() || *v != l.value) return false;
  }
  return true;
}

namespace {

// FNV-1a over name and value with separators, so ("ab","c") != ("a","bc").
inline uint64_t Mix(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= 0xff;
  h *= 1099511628211ull;
  return h;
}

}  // namespace

uint64_t LineLabels::Hash() const {
  order_.resize(n_);
  for (size_t i = 0; i < n_; ++i) order_[i] = static_cast<uint32_t>(i);
  std::sort(order_.begin(), order_.end(), [this](uint32_t a, uint32_t b) {
    return slots_[a].name < slots_[b].name;
  });
  uint64_t h = 14695981039346656037ull;
  // The error labels sort before ordinary names only by accident of ASCII;
  // hashing them last is fine because equal sets still hash equal.
  for (uint32_t i : order_) {
    h = Mix(h, slots_[i].name);
    h = Mix(h, slots_[i].value);
  }
  if (!error_.empty()) h = Mix(Mix(h, kErrorLabel), error_);
  if (has_details_) h = Mix(Mix(h, kErrorDetailsLabel), details_);
  return h;
}

}  // namespace tend::logql
