// Loading TendConfig from files and strings, printing it, and the listen
// address rule.
#include <arpa/inet.h>
#include <netinet/in.h>

#include "base/file_util.h"
#include "config/tend_config_schema.h"
#include "config/yaml_text.h"

namespace tend {
namespace {

constexpr std::string_view kDefaultHeader =
    "tend configuration: the built-in defaults.\n"
    "Every key is optional. A key left out, or left without a value, keeps "
    "the default shown here. Durations are written like 500ms, 10s, 2m, "
    "1h30m or 1d. The full reference is docs/configuration.md.";

constexpr std::string_view kReferenceIntro =
    "# Configuration reference\n"
    "\n"
    "<!-- Generated from the field tables in src/config by `tend config "
    "reference` (make docs). Do not edit by hand. -->\n"
    "\n"
    "tend reads its configuration from one YAML file. "
    "`tend config default` prints every key below with its default and "
    "documentation, as a file to start from.\n"
    "\n"
    "- Every key is optional. A key left out, or written with no value "
    "(`collectors:`), keeps its default; an empty file is a valid "
    "configuration.\n"
    "- Durations are written as Prometheus writes them: a number and a "
    "unit, units from largest to smallest, each at most once: `500ms`, "
    "`10s`, `2m`, `1h30m`, `1d`, `2w`, `1y`, or `0`.\n"
    "- Booleans are `true` or `false`.\n"
    "- Regular expressions use RE2 syntax (linear-time matching, no "
    "backreferences) and are checked when the file is loaded.\n"
    "- Unknown keys, duplicate keys, values of the wrong type and values out "
    "of range are errors. tend reports all of them at once, each as "
    "`file:line:column: key: problem`, and does not start.\n"
    "- A configuration file may be at most 1 MiB.\n"
    "\n";

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

}  // namespace

Status ValidateListenAddress(std::string_view address) {
  const std::string quoted = QuoteForMessage(address);
  const std::string want =
      "want host:port such as 127.0.0.1:9955 or [::1]:9955, got " + quoted;
  std::string host;
  std::string_view port;
  if (!address.empty() && address[0] == '[') {
    size_t close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return InvalidArgumentError(want);
    }
    host = std::string(address.substr(1, close - 1));
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return InvalidArgumentError(want);
    host = std::string(address.substr(0, colon));
    port = address.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      return InvalidArgumentError(
          "an IPv6 address needs brackets, as in [::1]:9955, got " + quoted);
    }
  }
  // At most 5 digits, so the number cannot overflow.
  bool port_ok = !port.empty() && port.size() <= 5;
  int port_number = 0;
  for (size_t i = 0; port_ok && i < port.size(); ++i) {
    if (port[i] < '0' || port[i] > '9') port_ok = false;
    port_number = port_number * 10 + (port[i] - '0');
  }
  if (!port_ok || port_number < 1 || port_number > 65535) {
    return InvalidArgumentError(
        "want a port from 1 to 65535 after the host, "
        "got " +
        quoted);
  }
  if (!IsLoopbackHost(host)) {
    return InvalidArgumentError(
        "tend listens on loopback only (127.0.0.1, [::1] or localhost) "
        "until API authentication exists, got " +
        quoted);
  }
  return Status::Ok();
}

Result<TendConfig> LoadConfigString(std::string_view yaml,
                                    const std::string& filename) {
  return TendConfigSchema().LoadString(yaml, filename);
}

Result<TendConfig> LoadConfigFile(const std::string& path) {
  std::string text;
  Status read = ReadFileLimited(path, SchemaBase::kMaxDocumentBytes,
                                "a configuration file", &text);
  if (!read.ok()) return read;
  return LoadConfigString(text, path);
}

std::string DefaultConfigYaml() {
  return TendConfigSchema().ToYaml(TendConfig{}, kDefaultHeader);
}

std::string ConfigYaml(const TendConfig& config) {
  return TendConfigSchema().ToYaml(config, "tend configuration in effect.");
}

std::string ConfigReferenceMarkdown() {
  std::string out(kReferenceIntro);
  TendConfig defaults;
  TendConfigSchema().AppendMarkdown(&defaults, "", "", &out);
  // One trailing newline, not the blank line the last table leaves.
  while (out.size() > 1 && out[out.size() - 1] == '\n' &&
         out[out.size() - 2] == '\n') {
    out.pop_back();
  }
  return out;
}

bool operator==(const TendConfig& a, const TendConfig& b) {
  return TendConfigSchema().Equal(a, b);
}

}  // namespace tend
