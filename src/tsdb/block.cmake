# Persisted blocks, compaction and retention (docs/formats/block.md).
tend_add_library(tend_tsdb_block
  SOURCES
    block.cc
    block_chunk_codec.cc
    block_chunks.cc
    block_encoding.cc
    block_index.cc
    block_io.cc
    block_meta.cc
    block_verify.cc
    block_writer.cc
    compact.cc
  DEPS tend_tsdb tend_tsdb_wal tend_model tend_base nlohmann_json::nlohmann_json)

tend_add_test(tend_tsdb_block_test
  SOURCES
    block_chunk_codec_test.cc
    block_encoding_test.cc
    block_index_test.cc
    block_meta_test.cc
    block_size_test.cc
    block_test.cc
    block_testdata.cc
    block_verify_test.cc
    compact_test.cc
  DEPS tend_tsdb_block)

# The benchmark in bench/tsdb_bench.cc measures blocks too; bench/ is added
# after src/, so link it once the whole tree is configured.
function(tend_tsdb_block_link_bench)
  if(TARGET tsdb_bench)
    target_link_libraries(tsdb_bench PRIVATE tend_tsdb_block)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR}
               CALL tend_tsdb_block_link_bench)
