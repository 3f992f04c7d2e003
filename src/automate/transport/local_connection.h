// The local transport: the controller acting on its own host.
//
// Commands run as child processes (base/subprocess.h: argv only, own
// process group, a timeout kills the group). File primitives are direct
// system calls when no become is needed, or when the wanted user is the one
// we already are (root becoming root acts directly). Become to another
// user goes through `sudo -n -u USER --`: commands are prefixed with it,
// and each file primitive becomes a small `sh -c` script run through sudo
// (see local_sudo.h for how each maps), so files are created with that
// user's rights. `-n` makes a sudo that would ask for a password fail at
// once instead of hanging.
//
// Thread-compatible: one thread at a time, like every Connection.
#ifndef TEND_AUTOMATE_TRANSPORT_LOCAL_CONNECTION_H_
#define TEND_AUTOMATE_TRANSPORT_LOCAL_CONNECTION_H_

#include <memory>
#include <string>
#include <string_view>

#include "automate/transport/connection.h"

namespace tend::automate {

struct LocalConnectionOptions {
  // The sudo program for become (looked up in PATH when it has no '/').
  // Tests point it at a stand-in that switches user with runuser.
  std::string sudo_path = "sudo";
  // Per stream; output beyond it is discarded (ExecResult keeps the head).
  size_t max_output_bytes = 32u << 20;
};

class LocalConnection : public Connection {
 public:
  explicit LocalConnection(std::string host,
                           LocalConnectionOptions options = {});

  const std::string& host() const override { return host_; }
  bool is_local() const override { return true; }

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

  // True when `priv` asks for a user other than the one we run as, i.e.
  // when primitives go through sudo.
  bool NeedsSudo(const Privilege& priv) const;

 private:
  std::string host_;
  LocalConnectionOptions options_;
  uint32_t euid_;
  std::string user_name_;  // of euid_, "" when it has none
  uint32_t umask_;         // the process's, for new files' default mode
};

std::unique_ptr<Connection> NewLocalConnection(std::string host);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_TRANSPORT_LOCAL_CONNECTION_H_
