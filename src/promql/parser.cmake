tend_add_library(tend_promql_parser
  SOURCES
    ast.cc
    duration.cc
    functions_table.cc
    lexer.cc
    parser.cc
    parser_check.cc
    parser_literals.cc
    parser_tokens.cc
    printer.cc
  DEPS tend_base tend_model)

tend_add_test(tend_promql_parser_test
  SOURCES
    duration_test.cc
    lexer_test.cc
    parser_test.cc
    printer_test.cc
  DEPS tend_promql_parser)
