// Fuzz target: the YAML inventory parser (src/automate/inventory).
//
// Arbitrary bytes must parse or fail with a kInvalidArgument message
// naming "fuzz.yml:", never crash or hang. Whatever parsed is finished and
// queried as in inventory_ini_fuzz.cc.
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
  tend::Status s = tend::automate::ParseYamlInventory(text, "fuzz.yml", &inv);
  if (!s.ok()) {
    if (s.code() != tend::StatusCode::kInvalidArgument) __builtin_trap();
    if (s.message().rfind("fuzz.yml", 0) != 0) __builtin_trap();
  }
  inv.Finish();
  for (const auto& h : inv.hosts()) {
    if (!inv.VarsForHost(h.name).is_object()) __builtin_trap();
    inv.GroupNamesOf(h.name);
  }
  (void)inv.ToAnsibleList();
  auto all = inv.Match("all:!ungrouped");
  if (!all.ok()) __builtin_trap();
  return 0;
}
