// Parsers for the per-process files the processes collector reads:
// /proc/PID/stat, /proc/PID/status and /proc/PID/io (see proc(5)).
//
// All are allocation-free: they take the file's text (a buffer the caller
// owns and reuses) and return false on text that is not what the kernel
// prints, leaving the output in an unspecified state.
#ifndef TEND_METRICS_PROCESSES_PID_H_
#define TEND_METRICS_PROCESSES_PID_H_

#include <cstdint>
#include <string_view>

namespace tend {

// The fields of /proc/PID/stat the collector uses.
struct PidStat {
  // The command name (field 2) without its parentheses. It may itself hold
  // spaces, '(' and ')': it spans from after the first '(' to the LAST ')'.
  // Points into the parsed text.
  std::string_view comm;
  char state = '?';
  uint64_t minflt = 0;       // Field 10.
  uint64_t majflt = 0;       // Field 12.
  uint64_t utime = 0;        // Field 14, clock ticks.
  uint64_t stime = 0;        // Field 15, clock ticks.
  uint64_t num_threads = 0;  // Field 20.
  uint64_t starttime = 0;    // Field 22, clock ticks after boot.
  uint64_t vsize = 0;        // Field 23, bytes.
  uint64_t rss_pages = 0;    // Field 24, pages (a negative value reads 0).
};
bool ParsePidStat(std::string_view text, PidStat* out);

// The fields of /proc/PID/status the collector uses.
struct PidStatus {
  uint64_t swap_bytes = 0;  // VmSwap; 0 when absent (kernel threads).
  uint64_t voluntary_ctxt_switches = 0;
  uint64_t nonvoluntary_ctxt_switches = 0;
};
// Requires both *_ctxt_switches lines (printed by every kernel since
// 2.6.23).
bool ParsePidStatus(std::string_view text, PidStatus* out);

// The fields of /proc/PID/io the collector uses: bytes the process caused
// to be fetched from / sent to the storage layer.
struct PidIo {
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
};
// Requires both lines.
bool ParsePidIo(std::string_view text, PidIo* out);

// Reads "btime N" (boot time, seconds since the epoch) from /proc/stat.
bool ParseBootTime(std::string_view proc_stat, int64_t* btime);

}  // namespace tend

#endif  // TEND_METRICS_PROCESSES_PID_H_
