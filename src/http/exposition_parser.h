// Parser for the Prometheus text exposition format 0.0.4 and the OpenMetrics
// text format: what tests read from node_exporter, and (later) what
// `tend tsdb import` backfills from.
#ifndef TEND_HTTP_EXPOSITION_PARSER_H_
#define TEND_HTTP_EXPOSITION_PARSER_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "metrics/metric.h"

namespace tend {

struct ParsedSample {
  std::string name;  // As written, e.g. "x_bucket" inside family "x".
  Labels labels;
  double value = 0;
  // The timestamp as written (milliseconds in format 0.0.4, seconds in
  // OpenMetrics); absent when the line has none.
  std::optional<double> timestamp;
  size_t line = 0;  // 1-based line of the sample in the input.
};

struct ParsedFamily {
  std::string name;
  std::string type;  // As declared ("counter", "histogram", ...) or "untyped".
  std::string help;
  std::vector<ParsedSample> samples;
};

struct ParseLimits {
  size_t max_bytes = 256u << 20;
  size_t max_line_bytes = 1u << 20;
  size_t max_labels = 256;
};

// Parses a whole exposition. Errors name `source`, the 1-based line and
// column, and what was expected; nothing is returned on error (no partial
// result). Samples whose name does not belong to the current TYPE'd family
// (name, or name plus _total/_bucket/_sum/_count/_created/_info/_gcount/
// _gsum) start an untyped family.
Result<std::vector<ParsedFamily>> ParseExposition(
    std::string_view text, std::string_view source,
    const ParseLimits& limits = ParseLimits());

// The streaming form, for inputs too large to hold parsed (a backfill of
// millions of samples): each sample is handed to `sink` as it is parsed,
// with the family it belongs to (name, type and help as declared so far;
// its `samples` stay empty). A non-OK status from the sink stops the parse
// and is returned. Errors otherwise as ParseExposition; samples before an
// error have already been handed over, so a caller that must not keep a
// partial result discards what it gathered.
using ExpositionSampleSink =
    std::function<Status(const ParsedFamily& family, ParsedSample& sample)>;
Status ParseExpositionStream(std::string_view text, std::string_view source,
                             const ExpositionSampleSink& sink,
                             const ParseLimits& limits = ParseLimits());

}  // namespace tend

#endif  // TEND_HTTP_EXPOSITION_PARSER_H_
