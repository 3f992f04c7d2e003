# The PromQL evaluator (engine.h), the in-memory store used by tests and the
# conformance-script runner (test_script.h).
tend_add_library(tend_promql
  SOURCES
    aggregate.cc
    binary.cc
    engine.cc
    eval_core.cc
    eval_labels.cc
    eval_selector.cc
    functions_call.cc
    functions_histogram.cc
    functions_instant.cc
    functions_lookup.cc
    functions_range.cc
    mem_storage.cc
    test_script.cc
    test_script_series.cc
  DEPS tend_promql_parser tend_model tend_base PkgConfig::RE2)

tend_add_test(tend_promql_engine_test
  SOURCES
    engine_test.cc
    functions_test.cc
    mem_storage_test.cc
    test_script_test.cc
  DEPS tend_promql)

# Prometheus 2.42's own test scripts (../shared/data/promql-v2.42) with the
# known failures in tests/promql/known_failures.txt.
tend_add_test(tend_promql_conformance_test
  SOURCES
    conformance_test.cc
  DEPS tend_promql)
