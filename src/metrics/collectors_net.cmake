# The disk and network collectors (collectors_net.h).
list(APPEND TEND_METRICS_SOURCES
  device_filter.cc
  diskstats.cc
  netdev.cc
  netstat.cc
  sockstat.cc
  udev_info.cc)
list(APPEND TEND_METRICS_TESTS
  diskstats_test.cc
  netdev_test.cc
  netstat_test.cc
  sockstat_test.cc
  net_support_test.cc)
