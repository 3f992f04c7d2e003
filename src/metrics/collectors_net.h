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
// netdev.device_exclude): OK, or InvalidArgument naming the option, the
// pattern and the problem. A collector built with a bad pattern returns
// that same error from every Collect() and reports nothing.
Status ValidateNetCollectorOptions(const CollectorOptions& options);

}  // namespace tend

#endif  // TEND_METRICS_COLLECTORS_NET_H_
