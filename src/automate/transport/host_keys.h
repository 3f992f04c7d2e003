// known_hosts lookups for messages: which lines name a host (plain or
// hashed entries), so a refused key can point at the line to fix. The
// check itself is libssh's (ssh_session_is_known_server).
#ifndef TEND_AUTOMATE_TRANSPORT_HOST_KEYS_H_
#define TEND_AUTOMATE_TRANSPORT_HOST_KEYS_H_

#include <string>
#include <string_view>
#include <vector>

namespace tend::automate {

// How known_hosts names a host: "addr" for port 22, else "[addr]:port".
std::string KnownHostsName(std::string_view address, int port);

// The 1-based numbers of the lines of the known_hosts text that name
// `name` exactly, as a plain comma-separated host list entry or as a
// hashed "|1|salt|hash" entry. Lines marked @revoked or @cert-authority,
// wildcard patterns and negations are not matched. An unreadable file
// gives no lines.
std::vector<int> KnownHostsLines(std::string_view text, std::string_view name);
std::vector<int> KnownHostsFileLines(const std::string& path,
                                     std::string_view name);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_TRANSPORT_HOST_KEYS_H_
