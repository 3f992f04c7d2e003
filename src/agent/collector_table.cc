#include "agent/collector_table.h"

#include "metrics/collectors_fs_proc.h"
#include "metrics/collectors_net.h"
#include "metrics/collectors_system.h"

namespace tend {

#define TEND_SECTION(member) \
  [](const CollectorsSection& c) -> const CollectorToggle& { return c.member; }

const std::vector<CollectorSpec>& CollectorTable() {
  static const auto* table = new std::vector<CollectorSpec>{
      {"cpu", NewCpuCollector, TEND_SECTION(cpu)},
      {"stat", NewStatCollector, TEND_SECTION(stat)},
      {"meminfo", NewMeminfoCollector, TEND_SECTION(meminfo)},
      {"loadavg", NewLoadavgCollector, TEND_SECTION(loadavg)},
      {"pressure", NewPressureCollector, TEND_SECTION(pressure)},
      {"vmstat", NewVmstatCollector, TEND_SECTION(vmstat)},
      {"entropy", NewEntropyCollector, TEND_SECTION(entropy)},
      {"filefd", NewFilefdCollector, TEND_SECTION(filefd)},
      {"uname", NewUnameCollector, TEND_SECTION(uname)},
      {"time", NewTimeCollector, TEND_SECTION(time)},
      {"timex", NewTimexCollector, TEND_SECTION(timex)},
      {"diskstats", NewDiskstatsCollector, TEND_SECTION(diskstats)},
      {"netdev", NewNetDevCollector, TEND_SECTION(netdev)},
      {"netclass", NewNetClassCollector, TEND_SECTION(netclass)},
      {"netstat", NewNetstatCollector, TEND_SECTION(netstat)},
      {"sockstat", NewSockstatCollector, TEND_SECTION(sockstat)},
      {"conntrack", NewConntrackCollector, TEND_SECTION(conntrack)},
      {"filesystem", NewFilesystemCollector, TEND_SECTION(filesystem)},
      {"processes", NewProcessesCollector, TEND_SECTION(processes)},
  };
  return *table;
}

#undef TEND_SECTION

CollectorOptions MakeCollectorOptions(const TendConfig& config, Env* env,
                                      Clock* clock) {
  CollectorOptions o;
  o.env = env;
  o.clock = clock;
  o.paths = config.paths;
  o.filesystem = config.collectors.filesystem.options;
  o.netdev = config.collectors.netdev.options;
  o.netclass = config.collectors.netclass.options;
  o.diskstats = config.collectors.diskstats.options;
  o.processes = config.collectors.processes.options;
  return o;
}

}  // namespace tend
