# The whole store: head + WAL + blocks, housekeeping, merged queries.
tend_add_library(tend_tsdb_db
  SOURCES
    db.cc
  DEPS tend_tsdb_head tend_tsdb_block tend_tsdb)

tend_add_test(tend_tsdb_db_test
  SOURCES
    db_test.cc
  DEPS tend_tsdb_db)

# Backfill from Prometheus/OpenMetrics text (`tend tsdb import`).
tend_add_library(tend_tsdb_import
  SOURCES
    importer.cc
  DEPS tend_tsdb_block tend_tsdb_head tend_tsdb tend_http)

tend_add_test(tend_tsdb_import_test
  SOURCES
    importer_test.cc
  DEPS tend_tsdb_import)
