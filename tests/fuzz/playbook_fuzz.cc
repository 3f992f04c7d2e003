// Fuzz target: the playbook loader (src/automate/playbook).
//
// Arbitrary bytes must load or fail with kInvalidArgument whose message
// starts with the file name (and so says where), never crash, hang or
// throw. A playbook that loads has hosts on every play and an action on
// every non-block task.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "automate/playbook/loader.h"

namespace {

void CheckTasks(const std::vector<tend::automate::Task>& tasks) {
  for (const tend::automate::Task& t : tasks) {
    if (t.kind == tend::automate::Task::Kind::kBlock) {
      CheckTasks(t.block);
      CheckTasks(t.rescue);
      CheckTasks(t.always);
    } else if (t.action.empty()) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A directory that does not exist: imports and roles fail cleanly.
  auto pb = tend::automate::ParsePlaybook(text, "/nonexistent/p.yml");
  if (!pb.ok()) {
    if (pb.status().code() != tend::StatusCode::kInvalidArgument &&
        pb.status().code() != tend::StatusCode::kNotFound) {
      __builtin_trap();
    }
    return 0;
  }
  for (const tend::automate::Play& play : (*pb)->plays) {
    if (!play.hosts.set()) __builtin_trap();
    CheckTasks(play.pre_tasks);
    CheckTasks(play.tasks);
    CheckTasks(play.post_tasks);
    CheckTasks(play.handlers);
  }
  return 0;
}
