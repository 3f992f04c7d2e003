// Real OpenSSH servers for tests and benchmarks: N sshd instances from
// build/peers (scripts/peers.sh unpacks Debian's openssh-server there; it
// is run when missing), each a "host" on its own free loopback port with
// its own ed25519 host key and its own temporary directory as its root.
//
// Each sshd runs in the foreground (-D -e) as root, in a private mount
// namespace where a tmpfs covers /run (sshd insists on /run/sshd, its
// privilege separation directory) and /etc/passwd gains the "sshd" user
// it wants; nothing changes in the host's /run or /etc. Root may log in
// with the fleet's client key (authorized_keys in the instance
// directory); passwords, PAM and StrictModes are off; the sftp subsystem
// is the unpacked sftp-server.
//
// Needs root (unshare, mount, and sshd's privilege separation). The
// destructor stops only the sshd processes this fleet started, by pid,
// and removes the temporary tree.
#ifndef TEND_AUTOMATE_TRANSPORT_SSHD_TEST_UTIL_H_
#define TEND_AUTOMATE_TRANSPORT_SSHD_TEST_UTIL_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace tend::automate::testing {

struct SshdHost {
  std::string name;  // "h1", "h2", ...
  int port = 0;
  std::string dir;   // sshd_config, host key, log (not the root)
  std::string root;  // the host's own directory for tests to write into
  std::string host_key_line;  // "ssh-ed25519 AAAA..." (public)
  pid_t pid = -1;
};

class SshdFleet {
 public:
  // Starts `n` servers and waits until each accepts connections (up to 15
  // s). An error carries the failing server's log.
  static Result<std::unique_ptr<SshdFleet>> Start(int n);
  ~SshdFleet();

  const std::vector<SshdHost>& hosts() const { return hosts_; }
  // The ed25519 client key (no passphrase) every host accepts for root.
  const std::string& client_key() const { return client_key_; }
  // A known_hosts file listing every host's current key.
  const std::string& known_hosts() const { return known_hosts_; }
  const std::string& dir() const { return dir_; }

  // Gives host i a new host key and restarts it on the same port (for
  // changed-key tests). known_hosts() is left with the old key.
  Status RotateHostKey(size_t i);
  // Stops host i (its port then refuses connections).
  void Stop(size_t i);
  // The server's stderr so far.
  std::string Log(size_t i) const;

  // The path of the sshd wrapper and sftp-server used.
  static std::string PeersBin();

 private:
  SshdFleet() = default;
  Status StartOne(SshdHost* h);
  Status WriteKnownHosts();

  std::string dir_;
  std::string client_key_;
  std::string known_hosts_;
  std::string passwd_;
  std::string sshd_;
  std::string sftp_server_;
  std::vector<SshdHost> hosts_;
};

}  // namespace tend::automate::testing

#endif  // TEND_AUTOMATE_TRANSPORT_SSHD_TEST_UTIL_H_
