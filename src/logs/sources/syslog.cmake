# The syslog server source (syslog_server.h): UDP, TCP and TLS receivers,
# RFC 6587 framing, messages parsed by tend_logs_parse. Included by
# CMakeLists.txt in this folder.
tend_add_library(tend_logs_source_syslog
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/syslog_framing.cc
    ${CMAKE_CURRENT_LIST_DIR}/syslog_net.cc
    ${CMAKE_CURRENT_LIST_DIR}/syslog_receiver.cc
    ${CMAKE_CURRENT_LIST_DIR}/syslog_server.cc
    ${CMAKE_CURRENT_LIST_DIR}/syslog_tls.cc
  DEPS tend_base tend_logs_parse PkgConfig::OPENSSL)

tend_add_test(tend_logs_source_syslog_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/syslog_framing_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/syslog_server_test.cc
  DEPS tend_logs_source_syslog PkgConfig::OPENSSL)
