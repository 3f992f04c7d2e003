# The write-ahead log (docs/formats/wal.md) and its CRC32C.
tend_add_library(tend_tsdb_wal
  SOURCES
    crc32c.cc
    wal_reader.cc
    wal_repair.cc
    wal_writer.cc
  DEPS tend_base)

tend_add_test(tend_tsdb_wal_test
  SOURCES
    crc32c_test.cc
    wal_test.cc
  DEPS tend_tsdb_wal)
