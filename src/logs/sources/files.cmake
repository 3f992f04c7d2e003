# The file tail source (file_source.h; docs/logs-sources.md, "Files").
find_package(ZLIB REQUIRED)

tend_add_library(tend_logs_source_files
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/file_checkpoint.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_glob.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_identity.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_source.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_source_restore.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_source_scan.cc
    ${CMAKE_CURRENT_LIST_DIR}/gzip_reader.cc
    ${CMAKE_CURRENT_LIST_DIR}/multiline.cc
  DEPS tend_base PkgConfig::RE2 ZLIB::ZLIB)

tend_add_test(tend_logs_source_files_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/file_checkpoint_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/multiline_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_source_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_rotation_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_unseen_rotation_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/file_exactly_once_test.cc
  DEPS tend_logs_source_files ZLIB::ZLIB)

# Not a test: read throughput (run from the repo root, Release build).
add_executable(file_source_bench ${CMAKE_CURRENT_LIST_DIR}/file_source_bench.cc)
target_compile_options(file_source_bench PRIVATE ${TEND_WARNINGS})
target_link_libraries(file_source_bench PRIVATE tend_logs_source_files)
