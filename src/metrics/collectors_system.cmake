# The system-wide /proc collectors (collectors_system.h).
list(APPEND TEND_METRICS_SOURCES
  cpu.cc
  entropy.cc
  filefd.cc
  loadavg.cc
  meminfo.cc
  pressure.cc
  stat.cc
  time.cc
  uname.cc
  vmstat.cc)
list(APPEND TEND_METRICS_TESTS
  collectors_system_test.cc
  cpu_test.cc
  entropy_test.cc
  filefd_test.cc
  loadavg_test.cc
  meminfo_test.cc
  pressure_test.cc
  stat_test.cc
  time_test.cc
  uname_test.cc
  vmstat_test.cc)
