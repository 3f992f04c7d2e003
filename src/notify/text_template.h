// TextTemplate: the small template language of Slack titles and texts and
// e-mail subjects and bodies in alertmanager.yml.
//
// Supported (checked when the configuration loads):
//   text with {{ actions }}, trim markers {{- and -}}, comments {{/* */}};
//   fields .Status .Receiver .ExternalURL .GroupKey, .GroupLabels.NAME,
//   .CommonLabels.NAME, .CommonAnnotations.NAME (empty when absent);
//   counts: {{ .Alerts | len }}, {{ .Alerts.Firing | len }},
//   {{ .Alerts.Resolved | len }} and the `len X` form;
//   pipes into toUpper, toLower, title;
//   {{ template "NAME" . }} for Alertmanager's defaults: "__subject",
//   "slack.default.title", "email.default.subject", "__text_alert_list",
//   "slack.default.text", "email.default.text".
// Anything else (if, range, other functions) is a parse error naming the
// action, so a file that loads renders exactly as documented.
//
// Thread-safety: immutable after Parse; Render may run concurrently.
#ifndef TEND_NOTIFY_TEXT_TEMPLATE_H_
#define TEND_NOTIFY_TEXT_TEMPLATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend::notify {

struct Notification;

class TextTemplate {
 public:
  TextTemplate() = default;  // Renders "".
  // Fails with kInvalidArgument naming the offending action and its
  // byte offset in `text`.
  static Result<TextTemplate> Parse(std::string_view text);
  std::string Render(const Notification& n) const;
  bool empty() const { return parts_.empty(); }
  const std::string& source() const { return source_; }

 private:
  enum class Kind {
    kText,
    kStatus,
    kReceiver,
    kExternalUrl,
    kGroupKey,
    kGroupLabel,
    kCommonLabel,
    kCommonAnnotation,
    kCountAll,
    kCountFiring,
    kCountResolved,
    kSubject,
    kAlertList
  };
  enum class Func { kNone, kUpper, kLower, kTitle };
  struct Part {
    Kind kind;
    std::string arg;  // Text, or the label / annotation name.
    std::vector<Func> funcs;
  };
  std::string source_;
  std::vector<Part> parts_;
};

// Alertmanager's default subject: "[FIRING:2] <group label values>
// (<other common label values>)".
std::string DefaultSubject(const Notification& n);
// A plain-text list of the alerts with their labels and annotations.
std::string DefaultAlertList(const Notification& n);

}  // namespace tend::notify

#endif  // TEND_NOTIFY_TEXT_TEMPLATE_H_
