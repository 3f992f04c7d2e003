// Fuzz target: tend's configuration loader. Any input must give a config or
// an error, never a crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/tend_config_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view yaml(reinterpret_cast<const char*>(data), size);
  tend::Result<tend::TendConfig> config =
      tend::LoadConfigString(yaml, "fuzz.yml");
  if (config.ok()) {
    // A config that loads must print as YAML that loads back equal.
    tend::Result<tend::TendConfig> again =
        tend::LoadConfigString(tend::ConfigYaml(*config), "again.yml");
    if (!again.ok() || !(*again == *config)) __builtin_trap();
  }
  return 0;
}
