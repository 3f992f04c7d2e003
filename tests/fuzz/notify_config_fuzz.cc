// Fuzz target: the alertmanager.yml loader and the notification templates.
// Any input must give a configuration or an error, never a crash, hang or
// leak; a configuration that loads must render its templates.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "notify/config.h"
#include "notify/notification.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view yaml(reinterpret_cast<const char*>(data), size);
  tend::Result<tend::notify::NotifyConfig> c =
      tend::notify::LoadNotifyConfigString(yaml, "fuzz.yml");
  if (!c.ok()) {
    if (c.status().message().empty()) __builtin_trap();
    return 0;
  }
  tend::notify::Notification n;
  n.status = "firing";
  n.group_labels = {{"alertname", "X"}};
  n.alerts.resize(1);
  n.alerts[0].labels = {{"alertname", "X"}};
  tend::notify::ComputeCommon(&n);
  for (const auto& r : c->receivers) {
    for (const auto& s : r.slack_configs) {
      (void)s.title.Render(n);
      (void)s.text.Render(n);
    }
    for (const auto& e : r.email_configs) {
      for (const auto& [name, t] : e.headers) (void)t.Render(n);
    }
  }
  return 0;
}
