# The write-ahead log (docs/formats/wal.md); its CRC32C is in src/base.
tend_add_library(tend_tsdb_wal
  SOURCES
    wal_reader.cc
    wal_repair.cc
    wal_writer.cc
  DEPS tend_base)

tend_add_test(tend_tsdb_wal_test
  SOURCES
    wal_test.cc
  DEPS tend_tsdb_wal)
