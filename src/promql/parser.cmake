tend_add_library(tend_promql_parser
  SOURCES
    ast.cc
  DEPS tend_base tend_model)
