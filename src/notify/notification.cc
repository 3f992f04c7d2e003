#include "notify/notification.h"

#include <ctime>
#include <string>

namespace tend::notify {

int Notification::FiringCount() const {
  int n = 0;
  for (const alert::Alert& a : alerts) n += a.firing() ? 1 : 0;
  return n;
}

int Notification::ResolvedCount() const {
  return static_cast<int>(alerts.size()) - FiringCount();
}

namespace {
// The pairs present with the same value in every set.
Labels Common(const alert::Alerts& alerts, bool annotations) {
  if (alerts.empty()) return {};
  Labels common = annotations ? alerts[0].annotations : alerts[0].labels;
  for (size_t i = 1; i < alerts.size() && !common.empty(); ++i) {
    const Labels& other =
        annotations ? alerts[i].annotations : alerts[i].labels;
    Labels kept;
    for (const Label& l : common) {
      if (GetLabel(other, l.name) == l.value) kept.push_back(l);
    }
    common = std::move(kept);
  }
  return common;
}
}  // namespace

void ComputeCommon(Notification* n) {
  n->status = n->FiringCount() > 0 ? "firing" : "resolved";
  n->common_labels = Common(n->alerts, false);
  n->common_annotations = Common(n->alerts, true);
}

uint64_t StableFingerprint(const Labels& labels) {
  uint64_t h = 14695981039346656037ULL;
  auto add = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  for (const Label& l : labels) {
    add(l.name);
    add(l.value);
  }
  return h;
}

std::string FingerprintHex(uint64_t fp) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[fp & 0xf];
    fp >>= 4;
  }
  return out;
}

}  // namespace tend::notify
