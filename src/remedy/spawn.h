// Starting one supervised process: everything that can fail or allocate is
// prepared before fork (PlanSpawn); between fork and execve the child only
// makes async-signal-safe calls.
#ifndef TEND_REMEDY_SPAWN_H_
#define TEND_REMEDY_SPAWN_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "remedy/supervisor.h"

namespace tend::remedy {

struct SpawnPlan {
  std::string path;  // The executable, resolved through PATH.
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string working_dir;
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

// Resolves the executable, the environment and the user of `spec`.
// kInvalidArgument / kNotFound / kPermissionDenied name the process and
// the field at fault.
Result<SpawnPlan> PlanSpawn(const SuperviseSpec& spec);

struct Spawned {
  pid_t pid = -1;
  int out_fd = -1;  // Read ends, non-blocking, close-on-exec.
  int err_fd = -1;
};

// Forks and execs. Returns once the child has exec'ed (its close-on-exec
// error pipe closed), or with the error that stopped it (chdir, setuid,
// execve: the errno and the stage), in which case the child is reaped.
// The child leads a new process group, has a /dev/null stdin, default
// signal dispositions, an empty signal mask and no other descriptors.
Result<Spawned> SpawnProcess(const SpawnPlan& plan);

}  // namespace tend::remedy

#endif  // TEND_REMEDY_SPAWN_H_
