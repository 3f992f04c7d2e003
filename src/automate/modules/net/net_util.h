// Helpers shared by the network and source modules (get_url, uri,
// unarchive, git, wait_for), and their factories.
#ifndef TEND_AUTOMATE_MODULES_NET_NET_UTIL_H_
#define TEND_AUTOMATE_MODULES_NET_NET_UTIL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "automate/modules/module.h"
#include "automate/modules/net/http_fetch.h"
#include "base/status.h"

namespace tend::automate::netmod {

// A temporary file on the controller, removed when this goes away.
class LocalTempFile {
 public:
  LocalTempFile() = default;
  ~LocalTempFile();
  LocalTempFile(const LocalTempFile&) = delete;
  LocalTempFile& operator=(const LocalTempFile&) = delete;
  // Creates an empty file in $TMPDIR (or /tmp) named tend-PREFIX-XXXXXX.
  Status Create(std::string_view prefix);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Lowercase hex digest of a controller file, streamed ("sha1", "sha256",
// "md5", "sha224", "sha384", "sha512"); kInvalidArgument for another name.
Result<std::string> LocalFileDigest(const std::string& path,
                                    std::string_view algorithm);

// The digest of a target file via the target's `<algo>sum` (coreutils);
// nullopt when the file does not exist.
Result<std::optional<std::string>> TargetFileDigest(ModuleContext& ctx,
                                                    const std::string& path,
                                                    std::string_view algorithm);

// The FetchRequest fields common to get_url and uri (url_username,
// url_password, force_basic_auth, validate_certs, headers, timeout).
FetchRequest BaseRequest(const Value& args);

// Python's str(dict) is not needed; results use the HTTP reason as urllib
// reports it: "OK (1234 bytes)".
std::string OkMessage(const FetchResponse& r);

std::unique_ptr<Module> NewGetUrlModule();
std::unique_ptr<Module> NewUriModule();
std::unique_ptr<Module> NewUnarchiveModule();
std::unique_ptr<Module> NewGitModule();
std::unique_ptr<Module> NewWaitForModule();

}  // namespace tend::automate::netmod

#endif  // TEND_AUTOMATE_MODULES_NET_NET_UTIL_H_
