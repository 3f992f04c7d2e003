#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "tend_version.h"

namespace tend {

const std::string_view kVersionHelp = R"(NAME
    tend version - print tend's version

SYNOPSIS
    tend version [-o text|json]

DESCRIPTION
    Prints the release version and the git revision the binary was built
    from ("-dirty" when built from uncommitted changes).

OPTIONS
    -o, --output FMT    text (default) or json.
)";

int RunVersion(const ParsedFlags& flags) {
  std::string out = flags.Get("output", "text");
  if (out == "json") {
    nlohmann::json j = {{"version", TEND_VERSION}, {"revision", TEND_REVISION}};
    std::printf("%s\n", j.dump().c_str());
    return kExitOk;
  }
  if (out != "text") {
    std::fprintf(stderr, "tend version: -o wants text or json, got \"%s\"\n",
                 out.c_str());
    return kExitUsage;
  }
  std::printf("tend %s (revision %s)\n", TEND_VERSION, TEND_REVISION);
  return kExitOk;
}

}  // namespace tend
