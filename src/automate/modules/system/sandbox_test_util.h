// A private copy of the host for tests of modules that change system
// state (users, crontabs, fstab, hostname, sysctl): the test body runs in a
// forked child inside new mount, UTS and network namespaces, where /etc is
// a private copy and the directories that account and cron tools write to
// are empty tmpfs mounts. Nothing the body does reaches the host, and the
// namespaces (and every copy) vanish when the child exits.
//
// Needs root (or CAP_SYS_ADMIN); SandboxAvailable says whether it works
// here. Reusable by any test binary (the differential tests against real
// Ansible run ansible-playbook inside the same kind of sandbox).
#ifndef TEND_AUTOMATE_MODULES_SYSTEM_SANDBOX_TEST_UTIL_H_
#define TEND_AUTOMATE_MODULES_SYSTEM_SANDBOX_TEST_UTIL_H_

#include <functional>
#include <string>
#include <vector>

namespace tend::automate::testing {

struct SandboxOptions {
  // /etc is replaced by a copy of itself (writable, renames work, so
  // useradd's /etc/passwd+ -> /etc/passwd dance succeeds).
  bool copy_etc = true;
  // Existing directories covered by an empty tmpfs (homes, mail spools,
  // cron spools, lastlog/faillog).
  std::vector<std::string> tmpfs_dirs = {"/home", "/var/mail", "/var/spool",
                                         "/var/log"};
  // Directories created inside the tmpfs ones after mounting.
  std::vector<std::string> make_dirs = {"/var/spool/cron/crontabs"};
  // A new network namespace: per-namespace sysctls (net.*) can be set.
  bool new_net = true;
};

// Empty when sandboxes work here, else why not (to skip with a reason).
std::string SandboxUnavailableReason();

// Runs `body` in the sandbox and waits for it. GoogleTest assertions in the
// body are reported by the child; the child's exit status carries whether
// any failed, and a failed (or crashed) child adds a failure here. The
// body must not rely on threads started before the fork.
void RunInSandbox(const std::function<void()>& body,
                  const SandboxOptions& options = {});

}  // namespace tend::automate::testing

#endif  // TEND_AUTOMATE_MODULES_SYSTEM_SANDBOX_TEST_UTIL_H_
