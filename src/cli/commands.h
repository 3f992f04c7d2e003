// The table of tend's subcommands. main() dispatches through it; `tend help`
// lists it. One file per command implements its Run function and help text.
#ifndef TEND_CLI_COMMANDS_H_
#define TEND_CLI_COMMANDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "cli/flags.h"

namespace tend {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // The command ran and found a problem.
inline constexpr int kExitUsage = 2;    // Bad flags or arguments.

struct Command {
  std::string_view name;
  std::string_view summary;     // One line for `tend --help`.
  std::string_view help;        // Manual page text for `tend NAME --help`.
  std::vector<FlagSpec> flags;  // Beyond the common ones.
  int (*run)(const ParsedFlags& flags);
};

const std::vector<Command>& Commands();

// Flags every command accepts: --data-dir, --config, --log-level,
// --log-format, --help.
const std::vector<FlagSpec>& CommonFlags();

// Applies --log-level/--log-format; false (after printing why) when invalid.
bool ApplyLogFlags(const ParsedFlags& flags);

// The data dir from --data-dir, or the default "./tend-data".
std::string DataDirFlag(const ParsedFlags& flags);

// Where the agent that owns the data dir listens: --listen, else the data
// dir's agent.json, else agent.listen of --config, else 127.0.0.1:9955.
std::string AgentAddress(const ParsedFlags& flags);

// A command-line time in milliseconds: the HTTP API's forms (Unix seconds,
// RFC 3339), "now", or a negative duration back from `now_ms` ("-1h").
Result<int64_t> ParseCliTime(const std::string& s, int64_t now_ms);

// Bytes for people: "512 B", "1.5 KiB", "3.2 GiB".
std::string HumanBytes(double bytes);

// Each command's entry point (defined in its own file).
int RunAgent(const ParsedFlags& flags);
int RunStatus(const ParsedFlags& flags);
int RunConfig(const ParsedFlags& flags);
int RunVersion(const ParsedFlags& flags);
int RunTsdb(const ParsedFlags& flags);
int RunQuery(const ParsedFlags& flags);
int RunLogs(const ParsedFlags& flags);
int RunEvents(const ParsedFlags& flags);
int RunAlerts(const ParsedFlags& flags);
int RunSilence(const ParsedFlags& flags);
int RunRules(const ParsedFlags& flags);
int RunProbes(const ParsedFlags& flags);
int RunApply(const ParsedFlags& flags);
int RunDeploy(const ParsedFlags& flags);

extern const std::string_view kAgentHelp;
extern const std::string_view kStatusHelp;
extern const std::string_view kConfigHelp;
extern const std::string_view kVersionHelp;
extern const std::string_view kTsdbHelp;
extern const std::string_view kQueryHelp;
extern const std::string_view kLogsHelp;
extern const std::string_view kEventsHelp;
extern const std::string_view kAlertsHelp;
extern const std::string_view kSilenceHelp;
extern const std::string_view kRulesHelp;
extern const std::string_view kProbesHelp;
extern const std::string_view kApplyHelp;
extern const std::string_view kDeployHelp;

}  // namespace tend

#endif  // TEND_CLI_COMMANDS_H_
