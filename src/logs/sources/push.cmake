# Lines handed over in-process (supervised processes' output): push_source.h.
tend_add_library(tend_logs_source_push
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/push_source.cc
  DEPS tend_base tend_logs_parse)

tend_add_test(tend_logs_source_push_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/push_source_test.cc
  DEPS tend_logs_source_push)
