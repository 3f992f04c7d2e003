# The systemd journal source (journal_source.h), on libsystemd's
# sd-journal. Included by CMakeLists.txt in this folder.
tend_add_library(tend_logs_source_journal
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/journal_source.cc
  DEPS tend_base tend_logs_parse PkgConfig::SYSTEMD)

tend_add_test(tend_logs_source_journal_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/journal_source_test.cc
  DEPS tend_logs_source_journal)
