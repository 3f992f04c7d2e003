// Test helpers shared by the processor and log-metric tests: reading the
// loghub samples and parsing lines with the real parsers.
#ifndef TEND_LOGS_PROCESS_TEST_UTIL_H_
#define TEND_LOGS_PROCESS_TEST_UTIL_H_

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "logs/parse/line_parser.h"
#include "logs/parse/record.h"

namespace tend::logs::testing {

// The lines of ../shared/data/loghub/<name> (relative to the repository
// root, the tests' working directory); empty when the file is missing.
inline std::vector<std::string> ReadLoghub(const std::string& name) {
  std::vector<std::string> lines;
  std::ifstream in("../shared/data/loghub/" + name);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Parses `line` with `kind` into a fresh record whose source is `source`.
inline LogRecord ParseWith(ParserKind kind, const std::string& line,
                           const std::string& source = "test") {
  ParserConfig config;
  config.kind = kind;
  auto parser = LineParser::Create(config);
  LogRecord record;
  record.source = source;
  ParseOptions options;
  options.receive_time_ns = 1700000000000000000;
  options.zone = TimeZone::Utc();
  (*parser)->Parse(line, options, &record);
  return record;
}

// Parses every line with one parser of `kind`.
inline std::vector<LogRecord> ParseAll(ParserKind kind,
                                       const std::vector<std::string>& lines,
                                       const std::string& source = "test") {
  ParserConfig config;
  config.kind = kind;
  auto parser = LineParser::Create(config);
  ParseOptions options;
  options.receive_time_ns = 1700000000000000000;
  options.zone = TimeZone::Utc();
  std::vector<LogRecord> out(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    out[i].source = source;
    (*parser)->Parse(lines[i], options, &out[i]);
  }
  return out;
}

}  // namespace tend::logs::testing

#endif  // TEND_LOGS_PROCESS_TEST_UTIL_H_
