// The steps a deploy is made of, each acting on the target through the
// module's Connection: the layout's paths, the state file, building a
// release directory, the atomic switch of `current`, hooks, the health
// gate and pruning. deploy_module.cc strings them together.
#ifndef TEND_AUTOMATE_DEPLOY_DEPLOY_STEPS_H_
#define TEND_AUTOMATE_DEPLOY_DEPLOY_STEPS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "automate/deploy/deploy_state.h"
#include "automate/deploy/health.h"
#include "automate/modules/module.h"
#include "base/status.h"

namespace tend::automate::deploy {

// <base>/releases/<id>, <base>/shared, <base>/current and the state file.
struct Layout {
  explicit Layout(std::string base_path);
  std::string base;
  std::string releases;
  std::string shared;
  std::string current;
  std::string state_file;
  std::string Release(std::string_view id) const;
};

// A release id is one path component of [A-Za-z0-9._+-], not starting with
// '.' (tend's temporary names do); errors say which character is wrong.
Status ValidateReleaseId(std::string_view id);

// The default id: the UTC time as YYYYmmddHHMMSS.
std::string TimestampReleaseId(int64_t unix_nanos);

// RFC 3339 UTC with milliseconds, for the state file.
std::string StateTime(int64_t unix_nanos);

// The state file, or an empty state when it does not exist yet.
Result<DeployState> LoadState(Connection* conn, const Layout& l,
                              const Privilege& priv);
Status SaveState(Connection* conn, const Layout& l, const DeployState& s,
                 const Privilege& priv);

// The release `current` points to ("" when there is no `current`). An
// error when `current` is not a symlink into releases/.
Result<std::string> CurrentRelease(Connection* conn, const Layout& l,
                                   const Privilege& priv);

// Points `current` at releases/<id> atomically: a new symlink
// current.tmp-<random> renamed over `current` (readers see the old or the
// new target, never none). The link is relative, so the tree may move.
Status SwitchCurrent(Connection* conn, const Layout& l, std::string_view id,
                     const Privilege& priv);

// mkdir -p through the connection.
Status MakeDirs(Connection* conn, const std::string& path,
                const Privilege& priv);

// What goes into a new release directory.
struct ReleaseSource {
  std::string src;      // controller path (resolved): a directory or a
                        // tar archive
  std::string repo;     // or a git repository cloned on the target
  std::string version;  // the git revision ("HEAD": the default branch)
  std::vector<std::string> build;   // shell commands run in the release dir
  std::vector<std::string> shared;  // paths linked to shared/
};

// Makes releases/<id> from scratch (an existing one is removed first). On
// failure the partial directory is removed and the error says which step
// failed ("build command 'make' failed: exit 2: ...").
Status BuildRelease(ModuleContext& ctx, const Layout& l, std::string_view id,
                    const ReleaseSource& source,
                    const std::map<std::string, std::string>& env);

// Runs shell commands in `dir` in order; the first failure stops them and
// is returned as "<what> 'cmd' failed: exit N: stderr".
Status RunCommands(ModuleContext& ctx, const std::vector<std::string>& cmds,
                   const std::string& dir, std::string_view what,
                   const std::map<std::string, std::string>& env);

struct GateOptions {
  double first_pass_timeout_s = 30;  // for the first passing probe
  double bake_s = 0;                 // must keep passing this long after
  double interval_s = 1;             // between probes
};

struct GateResult {
  bool passed = true;
  std::string why;       // when failed: which check, what it saw, when
  double passing_s = 0;  // how long it had been passing when it failed
  int probes = 0;
};

// Waits for the first passing probe, then probes every interval until the
// bake time is over. Fails on the first failing probe after the first pass,
// or when none passed within first_pass_timeout_s. Blocks the calling
// thread (it sleeps between probes).
GateResult RunGate(const HealthCheck& check, Connection* conn,
                   const Privilege& priv, const GateOptions& opt);

// Removes the oldest release directories beyond `keep`, never the ones in
// `protect` (current, last healthy, the new release). Order is the state
// file's (oldest first); directories it does not know count as older, in
// name order. Pruned ids are dropped from `state` and returned.
Result<std::vector<std::string>> PruneReleases(
    Connection* conn, const Layout& l, DeployState* state, int64_t keep,
    const std::vector<std::string>& protect, bool check_mode,
    const Privilege& priv);

}  // namespace tend::automate::deploy

#endif  // TEND_AUTOMATE_DEPLOY_DEPLOY_STEPS_H_
