// Notification: what one flush of an aggregation group tells one
// integration, the data every receiver renders (Alertmanager's template
// data: receiver, status, groupLabels, commonLabels, ...).
#ifndef TEND_NOTIFY_NOTIFICATION_H_
#define TEND_NOTIFY_NOTIFICATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "base/time_format.h"
#include "model/labels.h"

namespace tend::notify {

struct Notification {
  std::string receiver;
  std::string group_key;  // Alertmanager's form: route key ":" group labels.
  // "firing" when any alert in `alerts` fires, else "resolved".
  std::string status;
  Labels group_labels;
  Labels common_labels;       // Labels every alert has with the same value.
  Labels common_annotations;  // Likewise for annotations.
  std::string external_url;
  alert::Alerts alerts;      // Firing first, then resolved; each by labels.
  int truncated_alerts = 0;  // Left out by max_alerts.
  int64_t now_ms = 0;        // When the group flushed.

  int FiringCount() const;
  int ResolvedCount() const;
};

// Fills status, common_labels and common_annotations from `alerts`.
void ComputeCommon(Notification* n);

// Alertmanager's (and Prometheus's) alert fingerprint: FNV-1a 64 over each
// label's name and value, each followed by the byte 0xff, in name order.
// Stable across processes and machines (unlike alert::Alert::fingerprint).
uint64_t StableFingerprint(const Labels& labels);
// The 16 lower-case hex digits Alertmanager prints.
std::string FingerprintHex(uint64_t fp);

// RFC 3339 as Go's JSON writes it (base/time_format.h); Go's zero time
// for 0 (a firing alert's endsAt).
inline std::string FormatRfc3339(int64_t unix_ms) {
  return FormatGoTime(unix_ms);
}

}  // namespace tend::notify

#endif  // TEND_NOTIFY_NOTIFICATION_H_
