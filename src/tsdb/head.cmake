# The in-memory head: series, postings, chunks, appender, queries, WAL
# records (docs/formats/wal-records.md), replay and checkpoints.
tend_add_library(tend_tsdb_head
  SOURCES
    head.cc
    head_checkpoint.cc
    head_chunks.cc
    head_index.cc
    head_querier.cc
    head_records.cc
    head_replay.cc
    head_series.cc
  DEPS tend_tsdb tend_tsdb_wal tend_model tend_base)

tend_add_test(tend_tsdb_head_test
  SOURCES
    head_chunks_test.cc
    head_records_test.cc
    head_test.cc
    head_query_test.cc
    head_wal_test.cc
  DEPS tend_tsdb_head)
