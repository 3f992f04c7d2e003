// Host names as inventories write them: an optional :port suffix, and
// ranges (web[01:10], db-[a:c], h[1:9:2]) that expand into many hosts.
#ifndef TEND_AUTOMATE_INVENTORY_HOST_PATTERN_H_
#define TEND_AUTOMATE_INVENTORY_HOST_PATTERN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tend::automate {

struct HostAddress {
  std::string host;
  std::optional<int> port;
};

// Ansible's parse_address: "host", "host:22", "10.0.0.1:22", "[::1]:22",
// "[host]:22"; with `allow_ranges`, ranges may stand in for labels and
// address components. nullopt when the text is not a valid host name, IPv4
// or IPv6 address (callers then use the text whole, without a port).
std::optional<HostAddress> ParseHostAddress(std::string_view text,
                                            bool allow_ranges);

// Expands every [begin:end] / [begin:end:step] range in `pattern`, first
// range outermost, as Ansible does: numeric ranges keep the width of a
// zero-padded begin ([01:10] -> 01..10; begin and end must then have the
// same length), an empty begin is 0, letter ranges walk a-z then A-Z. A
// pattern without '[' is returned as the only host. An empty range
// (begin > end) expands to nothing. Errors (kInvalidArgument) name the
// pattern: unterminated '[', no end, step 0, not numbers or letters.
// At most `max_hosts` names are produced (a larger expansion is an error).
Result<std::vector<std::string>> ExpandHostRange(std::string_view pattern,
                                                 size_t max_hosts = 1000000);

// A host line's first token as Ansible's inventory plugins read it: the
// address and optional port split off when it parses, the names expanded.
struct ExpandedHosts {
  std::vector<std::string> names;
  std::optional<int> port;
};
// At most `max_hosts` names.
Result<ExpandedHosts> ExpandHostPattern(std::string_view pattern,
                                        size_t max_hosts = 1000000);

}  // namespace tend::automate

#endif  // TEND_AUTOMATE_INVENTORY_HOST_PATTERN_H_
