// Fuzz target: the INI inventory parser and host patterns
// (src/automate/inventory).
//
// Arbitrary bytes must parse or fail with a kInvalidArgument message that
// starts with "fuzz.ini:LINE: ", never crash, hang or exhaust memory (host
// ranges are capped). Whatever parsed is then finished and queried: every
// host's variables, group names, the `groups` variable and the --list
// view, and the input's first line used as a host pattern.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "automate/inventory/inventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tend::automate::Inventory inv;
  inv.set_max_hosts(10000);  // keeps each run fast; the cap is tested too
  tend::Status s = tend::automate::ParseIniInventory(text, "fuzz.ini", &inv);
  if (!s.ok()) {
    if (s.code() != tend::StatusCode::kInvalidArgument) __builtin_trap();
    if (s.message().rfind("fuzz.ini:", 0) != 0) __builtin_trap();
  }
  inv.Finish();
  if (inv.FindGroup("all") == nullptr ||
      inv.FindGroup("ungrouped") == nullptr) {
    __builtin_trap();
  }
  for (const auto& h : inv.hosts()) {
    if (!inv.VarsForHost(h.name).is_object()) __builtin_trap();
    inv.GroupNamesOf(h.name);
  }
  (void)inv.GroupsVar().dump(-1, ' ', false,
                             tend::automate::Value::error_handler_t::replace);
  (void)inv.ToAnsibleList();
  std::string_view first = text.substr(0, text.find('\n'));
  auto hosts = inv.Match(first);
  if (hosts.ok()) {
    for (const std::string& h : *hosts) {
      if (inv.FindHost(h) == nullptr && !tend::automate::IsLocalhostName(h)) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
