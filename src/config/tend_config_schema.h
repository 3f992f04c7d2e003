// Loading, printing and documenting TendConfig through its field tables.
//
// The YAML layout (every key optional):
//
//   agent:      {listen: 127.0.0.1:9955, interval: 1s}
//   log:        {level: info, format: human}
//   paths:      {proc: /proc, sys: /sys, root: /}
//   collectors:
//     cpu:        {enabled: true, interval: 0s}
//     filesystem: {enabled: true, interval: 0s, mount_points_exclude: ...,
//                  fs_types_exclude: ..., stat_timeout: 1s}
//     ...         (one section per collector; options sit beside
//                  `enabled` and `interval`)
//
// `tend config default` prints DefaultConfigYaml(); docs/configuration.md is
// ConfigReferenceMarkdown().
#ifndef TEND_CONFIG_TEND_CONFIG_SCHEMA_H_
#define TEND_CONFIG_TEND_CONFIG_SCHEMA_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "config/schema.h"
#include "config/tend_config.h"

namespace tend {

// The field table of the whole configuration. Built on first use; safe to
// call from any thread.
const Schema<TendConfig>& TendConfigSchema();

// Reads and decodes the file at `path`. A file that cannot be read gives the
// errno status naming the path ("tend.yml: No such file or directory"); a
// file over 1 MiB is refused; anything wrong inside gives kInvalidArgument
// with every error, one per line, as "path:line:column: ...".
Result<TendConfig> LoadConfigFile(const std::string& path);

// Decodes `yaml` over the built-in defaults. `filename` only names the
// source in error messages.
Result<TendConfig> LoadConfigString(std::string_view yaml,
                                    const std::string& filename);

// The built-in defaults as a commented YAML document; LoadConfigString reads
// it back into a value equal to TendConfig{}.
std::string DefaultConfigYaml();

// `config` as a commented YAML document (for `tend config show`).
std::string ConfigYaml(const TendConfig& config);

// The Markdown reference of every key (docs/configuration.md).
std::string ConfigReferenceMarkdown();

// True when every configured value is equal. (Compared through the field
// table, which binds every member of TendConfig; the option structs it
// embeds from metrics/collector.h have no operator== of their own.)
bool operator==(const TendConfig& a, const TendConfig& b);

// agent.listen: "host:port" or "[v6]:port", port 1-65535, and for now a
// loopback host (127.0.0.0/8, ::1 or localhost): tend serves its API on
// loopback only until the API has authentication.
Status ValidateListenAddress(std::string_view address);

}  // namespace tend

#endif  // TEND_CONFIG_TEND_CONFIG_SCHEMA_H_
