# The filesystem and processes collectors.
list(APPEND TEND_METRICS_SOURCES
  filesystem.cc
  filesystem_mounts.cc
  filesystem_statfs.cc
  processes.cc
  processes_pid.cc)
list(APPEND TEND_METRICS_TESTS
  filesystem_test.cc
  filesystem_mounts_test.cc
  filesystem_statfs_test.cc
  processes_test.cc
  processes_pid_test.cc)
