// The SSH transport: one libssh session per host, opened once and reused
// by every task on that host.
//
//  - Commands: a new channel per command on the same session. argv is
//    quoted for the login shell (shell_quote.h), `shell` runs through
//    `/bin/sh -c`, env is an `env K=V` prefix (sshd refuses most setenv
//    requests), chdir a `cd DIR &&` prefix, a timeout sends KILL and closes
//    the channel. The exit status or the signal that ended the command
//    come back as the server reports them.
//  - Files: SFTP on one lazily opened subsystem channel. WriteFile and
//    Upload write a ".tend-XXXX" temporary in the target's directory,
//    fsync it (fsync@openssh.com when offered), set its attributes and
//    rename it over the target with posix-rename@openssh.com, so the old
//    file stays whole until the new one replaces it. Hard links use
//    hardlink@openssh.com. SFTP (version 3) knows no lchown, nanosecond
//    times, inode numbers or link counts: SetAttrs on a symlink itself and
//    SetTimes run a short script instead (the ones local_sudo.h builds);
//    Stat does too when SshOptions::sftp_stat is off.
//  - Become: when the wanted user is not the login user, commands get a
//    `sudo -n -u USER --` prefix and every file primitive runs as a
//    local_sudo.h script through sudo (SFTP would act as the login user).
//
// Thread-compatible: one thread at a time, like every Connection (the
// executor runs a host's tasks in order). Different connections may be
// used from different threads at once; libssh is initialised once for the
// process.
#ifndef TEND_AUTOMATE_TRANSPORT_SSH_CONNECTION_H_
#define TEND_AUTOMATE_TRANSPORT_SSH_CONNECTION_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automate/transport/connection.h"
#include "automate/value.h"
#include "base/status.h"

// libssh's handle types (libssh/libssh.h, libssh/sftp.h), declared here so
// users of this header need not include libssh.
struct ssh_session_struct;
struct sftp_session_struct;
struct sftp_file_struct;
typedef struct ssh_session_struct* ssh_session;
typedef struct sftp_session_struct* sftp_session;
typedef struct sftp_file_struct* sftp_file;

namespace tend::automate {

enum class HostKeyChecking {
  // The key must be in known_hosts (OpenSSH's StrictHostKeyChecking=yes;
  // also what its default "ask" amounts to without a terminal).
  kStrict,
  // An unknown host's key is added to known_hosts; a changed key is
  // refused (StrictHostKeyChecking=accept-new).
  kAcceptNew,
  // No check and nothing recorded (Ansible's host_key_checking=False).
  kOff,
};

// "strict", "accept-new" (or accept_new), "off"; also Ansible's booleans
// (yes/true -> strict, no/false -> off), case-insensitive.
Result<HostKeyChecking> ParseHostKeyChecking(std::string_view text);
std::string_view HostKeyCheckingName(HostKeyChecking mode);

struct SshOptions {
  std::string address;  // "" = the host's name
  int port = 22;
  std::string user;  // "" = the user tend runs as
  // Tried in order. When empty: the agent, then ~/.ssh/id_ed25519,
  // id_ecdsa and id_rsa that exist. When given: these, then the agent.
  // Keys protected by a passphrase must be loaded into an agent.
  std::vector<std::string> private_key_files;
  bool use_agent = true;
  std::string agent_socket;  // "" = $SSH_AUTH_SOCK
  std::string known_hosts;   // "" = ~/.ssh/known_hosts
  HostKeyChecking host_key_checking = HostKeyChecking::kStrict;
  int connect_timeout_ms = 10000;       // also bounds each later protocol step
  int command_timeout_ms = 0;           // for Exec without its own; 0 = none
  size_t max_output_bytes = 32u << 20;  // per stream; the rest is dropped
  // Stat over SFTP (the default): one round trip and no process on the
  // target, but inode, dev and nlink read 0 (1 for nlink) and times are
  // whole seconds. false: a `stat` command per call, exact in every field
  // (a command costs a session setup in sshd, ~100x an SFTP request).
  bool sftp_stat = true;
};

// Connects, checks the host key and authenticates. Every error names the
// host and address and says what failed, e.g.
//   web1 (127.0.0.1:2201): authentication failed as root (tried key
//   /x/id_ed25519, agent)
//   web1 (127.0.0.1:2201): host key for [127.0.0.1]:2201 changed
//   (known_hosts line 3) ...
// kUnavailable for connection failures (refused, timeout, lost),
// kPermissionDenied for host key and authentication refusals.
Result<std::unique_ptr<Connection>> OpenSsh(const std::string& host,
                                            const SshOptions& opts);

// SshOptions from a host's merged variables: ansible_host, ansible_port,
// ansible_user, ansible_ssh_private_key_file (or ansible_private_key_file),
// ansible_ssh_timeout (or ansible_timeout; seconds),
// ansible_ssh_host_key_checking (or ansible_host_key_checking). Without
// the latter, host key checking comes from TEND_HOST_KEY_CHECKING, else
// strict. An invalid value is an error naming the variable.
Result<SshOptions> SshOptionsFromVars(const std::string& host,
                                      const Value& vars);

class SshConnection : public Connection {
 public:
  // Use OpenSsh; the constructor only takes ownership of an authenticated
  // session.
  SshConnection(std::string host, std::string where, std::string login_user,
                SshOptions opts, ssh_session session);
  ~SshConnection() override;
  SshConnection(const SshConnection&) = delete;
  SshConnection& operator=(const SshConnection&) = delete;

  const std::string& host() const override { return host_; }
  bool is_local() const override { return false; }

  Result<ExecResult> Exec(const ExecRequest& req) override;
  Result<FileStat> Stat(const std::string& path, bool follow,
                        const Privilege& priv) override;
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes,
                               const Privilege& priv) override;
  Status WriteFile(const std::string& path, std::string_view content,
                   const FileAttrs& attrs, const Privilege& priv) override;
  Status SetAttrs(const std::string& path, const FileAttrs& attrs, bool follow,
                  const Privilege& priv) override;
  Status MakeDir(const std::string& path, uint32_t mode,
                 const Privilege& priv) override;
  Status Symlink(const std::string& target, const std::string& path,
                 const Privilege& priv) override;
  Status HardLink(const std::string& target, const std::string& path,
                  const Privilege& priv) override;
  Status Remove(const std::string& path, bool recursive,
                const Privilege& priv) override;
  Status Rename(const std::string& from, const std::string& to,
                const Privilege& priv) override;
  Status SetTimes(const std::string& path, int64_t atime_ns, int64_t mtime_ns,
                  const Privilege& priv) override;
  Result<std::vector<DirEntry>> ListDir(const std::string& path,
                                        const Privilege& priv) override;
  Status Upload(const std::string& local_path, const std::string& path,
                const FileAttrs& attrs, const Privilege& priv) override;
  Status Download(const std::string& path, const std::string& local_path,
                  const Privilege& priv) override;

  // True when `priv` asks for a user other than the login user, i.e. when
  // commands and files go through sudo.
  bool NeedsSudo(const Privilege& priv) const;
  // The command line sent to the server for `req` (exposed for tests).
  std::string CommandLine(const ExecRequest& req) const;

 private:
  // The SFTP session, opened on first use.
  Result<sftp_session> Sftp();
  // An error for a failed SFTP call on `path`, from the server's status.
  Status SftpError(std::string_view what, const std::string& path);
  // The target's umask (asked once), for new files' default mode.
  Result<uint32_t> RemoteUmask();
  // Writes a temporary beside `path` with `fill`, then renames it over.
  Status SftpReplace(const std::string& path, const FileAttrs& attrs,
                     const std::function<Status(sftp_file)>& fill);
  Status SftpRemoveTree(const std::string& path);
  // Sends an SFTP extended request NAME(a, b) that answers with a status
  // (posix-rename@openssh.com, hardlink@openssh.com: libssh 0.10 has no
  // call for them) and waits for the answer.
  Status SftpExtended(const char* name, const std::string& a,
                      const std::string& b, std::string_view what);
  // rename(2) semantics: posix-rename@openssh.com when offered (replaces
  // the target), else SFTP's rename.
  Status SftpPosixRename(const std::string& from, const std::string& to);
  std::string Where() const;  // "web1 (127.0.0.1:2201)"

  std::string host_;
  std::string where_;  // "127.0.0.1:2201"
  std::string login_user_;
  SshOptions opts_;
  ssh_session session_;
  sftp_session sftp_ = nullptr;
  std::optional<uint32_t> umask_;
};

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_TRANSPORT_SSH_CONNECTION_H_
