// Fuzz target: what a deploy reads back from a target (src/automate/deploy):
// the state file (.tend-deploy.json), an nginx upstream file being drained
// and haproxy's `show stat` answer.
//
// Arbitrary bytes must parse or fail with kInvalidArgument, never crash. A
// state that parses must serialize to text that parses to the same text
// again. Draining and restoring a server in an upstream file must give back
// the original text when the drain changed it and the line had no "down".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "automate/deploy/deploy_state.h"
#include "automate/deploy/lb_drain.h"

using namespace tend::automate::deploy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto state = ParseDeployState(text, "fuzz");
  if (!state.ok()) {
    if (state.status().code() != tend::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
  } else {
    std::string once = SerializeDeployState(*state);
    auto again = ParseDeployState(once, "fuzz");
    if (!again.ok() || SerializeDeployState(*again) != once) __builtin_trap();
  }
  bool changed = false;
  auto down = NginxSetDown(text, "127.0.0.1:8081", true, &changed);
  if (down.ok() && changed) {
    bool back_changed = false;
    auto up = NginxSetDown(*down, "127.0.0.1:8081", false, &back_changed);
    if (!up.ok() || !back_changed) __builtin_trap();
    if (text.find("down") == std::string_view::npos && *up != text) {
      __builtin_trap();
    }
  }
  auto sessions = HaproxyActiveSessions(text, "app", "web1");
  (void)sessions;
  return 0;
}
