// The disk and network collectors of the metrics agent. Each reports what
// node_exporter 1.5 (Debian bookworm) reports from the same files, with the
// same metric names, types, label names, units and help texts, so existing
// dashboards and alerts work unchanged.
//
// All files are read through options.env under options.paths; the Env must
// outlive the collector. Collect() is called from one thread at a time. On
// a missing or unreadable file Collect() returns the Env's status (which
// names the path); malformed lines are skipped and reported as one
// InvalidArgument naming the file and line, after everything that parsed
// was appended. Buffers and per-device state are reused across cycles.
#ifndef TEND_METRICS_COLLECTORS_NET_H_
#define TEND_METRICS_COLLECTORS_NET_H_

#include <memory>

#include "base/status.h"
#include "metrics/collector.h"

namespace tend {

// "diskstats": <proc>/diskstats as node_disk_* {device}, plus node_disk_info
// and the udev-derived node_disk_filesystem_info,
// node_disk_device_mapper_info and node_disk_ata_* from
// <root>/run/udev/data (absent udev data is not an error). Devices fully
// matching options.diskstats.device_exclude are skipped. An empty
// /proc/diskstats (no block devices) is not an error.
std::unique_ptr<Collector> NewDiskstatsCollector(
    const CollectorOptions& options);

// "netdev": <proc>/net/dev as node_network_{receive,transmit}_*_total
// {device}, plus node_network_receive_nohandler_total from
// <sys>/class/net/<device>/statistics/rx_nohandler where that file exists
// (node_exporter 1.5 reads these counters over netlink, which includes it).
// Devices fully matching options.netdev.device_exclude are skipped.
std::unique_ptr<Collector> NewNetDevCollector(const CollectorOptions& options);

// "netclass": interface state from <sys>/class/net/<device>/, as
// node_network_up, node_network_info{address,broadcast,device,duplex,
// ifalias,operstate} and one node_network_<property>{device} per attribute
// file (carrier, mtu_bytes, speed_bytes, flags, ...). A file the kernel
// refuses (EINVAL for carrier or speed of a down interface, EOPNOTSUPP,
// EACCES) or that does not exist gives no sample for that interface, as in
// node_exporter; entries of the directory that are not interfaces
// (bonding_masters) are skipped. A value that is not an integer is skipped
// and reported. speed_bytes is the speed in Mb/s times 125000, including
// the -1 (unknown) of virtual NICs, which is left out only when
// options.netclass has ignore_invalid_speed. Devices fully matching
// options.netclass's device_exclude are skipped (netdev's pattern does not
// apply, as in node_exporter). A host without <sys>/class/net reports
// nothing.
std::unique_ptr<Collector> NewNetClassCollector(
    const CollectorOptions& options);

// "conntrack": node_nf_conntrack_entries and node_nf_conntrack_entries_limit
// from <proc>/sys/net/netfilter/nf_conntrack_{count,max}, and the gauges
// node_nf_conntrack_stat_{found,invalid,ignore,insert,insert_failed,drop,
// early_drop,search_restart} summed over the CPU lines of
// <proc>/net/stat/nf_conntrack. Without the nf_conntrack module (no such
// files) it reports nothing and succeeds. A malformed stat file yields no
// stat samples (a partial sum would be wrong) and kInvalidArgument.
std::unique_ptr<Collector> NewConntrackCollector(
    const CollectorOptions& options);

// "netstat": <proc>/net/netstat, <proc>/net/snmp and <proc>/net/snmp6 as
// untyped node_netstat_<Protocol>_<Field>, limited to node_exporter's
// default --collector.netstat.fields. A missing snmp6 (IPv6 disabled) is not
// an error.
std::unique_ptr<Collector> NewNetstatCollector(const CollectorOptions& options);

// "sockstat": <proc>/net/sockstat and <proc>/net/sockstat6 as gauges
// node_sockstat_sockets_used and node_sockstat_<PROTO>_<field>, with
// node_sockstat_<PROTO>_mem_bytes = mem pages * this host's page size. A
// missing sockstat6 (IPv6 disabled) is not an error.
std::unique_ptr<Collector> NewSockstatCollector(
    const CollectorOptions& options);

// Checks the patterns these collectors take (diskstats.device_exclude,
// netdev.device_exclude, netclass.device_exclude): OK, or InvalidArgument
// naming the option, the pattern and the problem. A collector built with a bad
// pattern returns that same error from every Collect() and reports nothing.
Status ValidateNetCollectorOptions(const CollectorOptions& options);

}  // namespace tend

#endif  // TEND_METRICS_COLLECTORS_NET_H_
