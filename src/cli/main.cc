// tend: one binary for the operations and maintenance of Linux servers.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "config/suggest.h"

namespace tend {
namespace {

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "tend - watch, heal, protect and change Linux servers\n\n"
               "Usage: tend COMMAND [FLAGS]\n\nCommands:\n");
  for (const Command& c : Commands()) {
    std::fprintf(out, "  %-10s %.*s\n", std::string(c.name).c_str(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  std::fprintf(out,
               "  %-10s %s\n\n"
               "Flags every command accepts:\n"
               "  --data-dir DIR     tend's state directory (default "
               "./tend-data)\n"
               "  --config FILE      configuration file (default: built-in "
               "defaults)\n"
               "  --log-level LEVEL  debug, info, warn or error\n"
               "  --log-format FMT   human or json\n"
               "  --help             the command's manual\n\n"
               "Run 'tend help COMMAND' or 'tend COMMAND --help' for its "
               "manual.\n",
               "help", "Show this overview or a command's manual");
}

const Command* FindCommand(const std::string& name) {
  for (const Command& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int UnknownCommand(const std::string& name) {
  std::vector<std::string> names;
  for (const Command& c : Commands()) names.emplace_back(c.name);
  std::string near = SuggestClosest(name, names);
  std::fprintf(stderr, "tend: unknown command \"%s\"%s%s%s\n", name.c_str(),
               near.empty() ? "" : "; did you mean \"", near.c_str(),
               near.empty() ? "" : "\"?");
  std::fprintf(stderr, "Run 'tend --help' for the list of commands.\n");
  return kExitUsage;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    PrintUsage(args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") args[0] = "version";
  if (args[0] == "help") {
    if (args.size() == 1) {
      PrintUsage(stdout);
      return kExitOk;
    }
    const Command* c = FindCommand(args[1]);
    if (c == nullptr) return UnknownCommand(args[1]);
    std::fwrite(c->help.data(), 1, c->help.size(), stdout);
    return kExitOk;
  }
  const Command* cmd = FindCommand(args[0]);
  if (cmd == nullptr) return UnknownCommand(args[0]);
  std::vector<FlagSpec> specs = CommonFlags();
  specs.insert(specs.end(), cmd->flags.begin(), cmd->flags.end());
  Result<ParsedFlags> flags =
      ParseFlags(std::vector<std::string>(args.begin() + 1, args.end()), specs);
  if (!flags.ok()) {
    std::fprintf(stderr, "tend %s: %s\nRun 'tend %s --help' for usage.\n",
                 args[0].c_str(), flags.status().message().c_str(),
                 args[0].c_str());
    return kExitUsage;
  }
  if (flags->Has("help")) {
    std::fwrite(cmd->help.data(), 1, cmd->help.size(), stdout);
    return kExitOk;
  }
  if (!ApplyLogFlags(*flags)) return kExitUsage;
  return cmd->run(*flags);
}

}  // namespace
}  // namespace tend

int main(int argc, char** argv) { return tend::Main(argc, argv); }
