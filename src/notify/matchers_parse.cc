// Alertmanager's matcher syntax for `matchers:`, `source_matchers:` and
// `target_matchers:` entries.
#include "model/matcher_text.h"
#include "notify/config.h"

namespace tend::notify {

Result<Matchers> ParseAlertmanagerMatchers(std::string_view text) {
  return ParseMatcherList(text);
}

const ReceiverConfig* NotifyConfig::FindReceiver(std::string_view name) const {
  for (const ReceiverConfig& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

}  // namespace tend::notify
