// Fuzz target: every collector over arbitrary /proc and /sys content.
//
// The input is split at "\n@@\n" into the contents of kFiles, in order (a
// missing chunk means the file does not exist). Every collector in the
// agent's table runs twice over that in-memory tree (cpu and processes keep
// state between cycles). They may return errors; they must not crash, hang,
// read out of bounds or leak.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collector_table.h"
#include "base/env.h"

namespace tend {
namespace {

constexpr const char* kFiles[] = {
    "/proc/stat",
    "/proc/meminfo",
    "/proc/loadavg",
    "/proc/pressure/cpu",
    "/proc/pressure/memory",
    "/proc/pressure/io",
    "/proc/vmstat",
    "/proc/sys/kernel/random/entropy_avail",
    "/proc/sys/kernel/random/poolsize",
    "/proc/sys/fs/file-nr",
    "/proc/sys/kernel/hostname",
    "/proc/sys/kernel/osrelease",
    "/proc/diskstats",
    "/proc/net/dev",
    "/proc/net/netstat",
    "/proc/net/snmp",
    "/proc/net/snmp6",
    "/proc/net/sockstat",
    "/proc/net/sockstat6",
    "/proc/1/mounts",
    "/proc/42/stat",
    "/proc/42/status",
    "/proc/42/io",
    "/sys/devices/system/clocksource/clocksource0/current_clocksource",
    "/proc/sys/net/netfilter/nf_conntrack_count",
    "/proc/sys/net/netfilter/nf_conntrack_max",
    "/proc/net/stat/nf_conntrack",
    "/sys/class/net/eth0/mtu",
    "/sys/class/net/eth0/flags",
    "/sys/class/net/eth0/operstate",
    "/sys/class/net/eth0/speed",
};

// An Env over a map of path -> content. Directories are implied by paths.
class MemEnv : public Env {
 public:
  std::map<std::string, std::string> files;

  Status ReadFile(const std::string& path, std::string* out) override {
    auto it = files.find(path);
    if (it == files.end()) return NotFoundError(path);
    *out = it->second;
    return Status::Ok();
  }
  Status ListDir(const std::string& path,
                 std::vector<std::string>* names) override {
    names->clear();
    std::string prefix = path + "/";
    for (const auto& [p, content] : files) {
      if (p.compare(0, prefix.size(), prefix) != 0) continue;
      std::string rest = p.substr(prefix.size());
      std::string first = rest.substr(0, rest.find('/'));
      if (names->empty() || names->back() != first) names->push_back(first);
    }
    if (names->empty()) return NotFoundError(path);
    return Status::Ok();
  }
  Result<uint64_t> CountDirEntries(const std::string& path) override {
    if (path == "/proc/42/fd") return uint64_t{3};
    return NotFoundError(path);
  }
  Result<std::string> ReadLink(const std::string& path) override {
    return NotFoundError(path);
  }
  Result<FsStats> StatFs(const std::string& path) override {
    FsStats s;
    s.block_size = 4096;
    s.blocks = path.size() * 1000;
    s.blocks_free = path.size() * 10;
    s.blocks_avail = path.size();
    s.files = 100;
    s.files_free = 5;
    return s;
  }
  Result<FileTimes> Stat(const std::string& path) override {
    if (files.count(path) == 0) return NotFoundError(path);
    return FileTimes{};
  }
};

}  // namespace
}  // namespace tend

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tend;  // NOLINT(build/namespaces): fuzz entry point.
  if (size > (1u << 20)) return 0;
  MemEnv env;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kSep = "\n@@\n";
  for (const char* file : kFiles) {
    if (in.empty()) break;
    size_t cut = in.find(kSep);
    std::string_view chunk = in.substr(0, cut);
    env.files[file] = std::string(chunk);
    in = cut == std::string_view::npos ? std::string_view()
                                       : in.substr(cut + kSep.size());
  }
  TendConfig config;
  CollectorOptions options = MakeCollectorOptions(config, &env, Clock::Real());
  options.filesystem.stat_timeout_ms = 1000;
  for (const CollectorSpec& spec : CollectorTable()) {
    std::unique_ptr<Collector> c = spec.make(options);
    for (int round = 0; round < 2; ++round) {
      MetricSet set;
      c->Collect(&set).IgnoreError();
    }
  }
  return 0;
}
