#include <cstdio>

#include "agent/alerting_service.h"
#include "cli/commands.h"
#include "config/tend_config_schema.h"

namespace tend {

const std::string_view kConfigHelp = R"(NAME
    tend config - check a configuration file, print the defaults or reference

SYNOPSIS
    tend config check FILE...
    tend config default
    tend config reference

DESCRIPTION
    check      Validates each FILE as the agent would load it. Every error is
               printed as FILE:LINE:COLUMN: what is wrong, with the valid keys
               and a did-you-mean suggestion for unknown keys. Prints
               "FILE: ok" for a valid file. The rule files and the
               notifications file it names are loaded and checked too.
    default    Prints the built-in default configuration as commented YAML:
               what 'tend agent' uses without --config, and a starting point
               for your own file.
    reference  Prints the configuration reference (Markdown), generated from
               the same field tables the loader uses (docs/configuration.md).

EXIT STATUS
    0 when every file is valid; 1 when any has errors; 2 on bad usage.

EXAMPLES
    tend config default > /etc/tend/tend.yml
    tend config check /etc/tend/tend.yml && systemctl reload tend
)";

int RunConfig(const ParsedFlags& flags) {
  const std::vector<std::string>& pos = flags.positional;
  if (pos.empty()) {
    std::fprintf(stderr,
                 "tend config: want a subcommand: check, default or "
                 "reference\n");
    return kExitUsage;
  }
  const std::string& sub = pos[0];
  if (sub == "default" || sub == "reference") {
    if (pos.size() != 1) {
      std::fprintf(stderr, "tend config %s: takes no arguments\n", sub.c_str());
      return kExitUsage;
    }
    std::string text =
        sub == "default" ? DefaultConfigYaml() : ConfigReferenceMarkdown();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  if (sub == "check") {
    std::vector<std::string> files(pos.begin() + 1, pos.end());
    if (files.empty() && flags.Has("config"))
      files.push_back(flags.Get("config"));
    if (files.empty()) {
      std::fprintf(stderr, "tend config check: want one or more FILEs\n");
      return kExitUsage;
    }
    int rc = kExitOk;
    for (const std::string& f : files) {
      Result<TendConfig> c = LoadConfigFile(f);
      if (c.ok()) {
        const size_t slash = f.rfind('/');
        Status files_ok = CheckAlertingFiles(
            *c, slash == std::string::npos ? "." : f.substr(0, slash));
        if (!files_ok.ok()) {
          std::fprintf(stderr, "%s: %s\n", f.c_str(),
                       files_ok.message().c_str());
          rc = kExitFailure;
          continue;
        }
        std::printf("%s: ok\n", f.c_str());
      } else {
        std::fprintf(stderr, "%s\n", c.status().message().c_str());
        rc = kExitFailure;
      }
    }
    return rc;
  }
  std::fprintf(stderr,
               "tend config: unknown subcommand \"%s\" (want check, default "
               "or reference)\n",
               sub.c_str());
  return kExitUsage;
}

}  // namespace tend
