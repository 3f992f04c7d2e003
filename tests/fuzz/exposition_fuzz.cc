// Fuzz target: the exposition parser (Prometheus text 0.0.4 and OpenMetrics).
// Any input must parse or give an error, never crash, hang or leak. When it
// parses, the samples are put in a MetricSet as a scrape would be and
// written back in both formats; the classic text must parse again, and
// every output that parses must hold the same samples (names, labels,
// values; timestamps are not written) and the same HELP texts.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "http/exposition.h"
#include "http/exposition_parser.h"
#include "metrics/metric.h"

namespace {

using tend::ParsedFamily;

// One sample in a form that compares exactly: every NaN is the same NaN.
using Flat = std::tuple<std::string, tend::Labels, uint64_t>;

bool LabelsLess(const tend::Labels& a, const tend::Labels& b) {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const tend::Label& x, const tend::Label& y) {
        return std::tie(x.name, x.value) < std::tie(y.name, y.value);
      });
}

std::vector<Flat> Flatten(const std::vector<ParsedFamily>& families) {
  std::vector<Flat> out;
  for (const ParsedFamily& f : families) {
    for (const tend::ParsedSample& s : f.samples) {
      double v = std::isnan(s.value) ? std::nan("") : s.value;
      out.emplace_back(s.name, s.labels, std::bit_cast<uint64_t>(v));
    }
  }
  std::sort(out.begin(), out.end(), [](const Flat& a, const Flat& b) {
    if (std::get<0>(a) != std::get<0>(b))
      return std::get<0>(a) < std::get<0>(b);
    if (std::get<1>(a) != std::get<1>(b)) {
      return LabelsLess(std::get<1>(a), std::get<1>(b));
    }
    return std::get<2>(a) < std::get<2>(b);
  });
  return out;
}

tend::MetricType TypeOf(const std::string& declared) {
  if (declared == "counter") return tend::MetricType::kCounter;
  if (declared == "gauge") return tend::MetricType::kGauge;
  return tend::MetricType::kUntyped;
}

// What the writer must reproduce: the HELP of every sample name whose own
// family declared one (the writer writes one family per sample name). A
// carriage return ending a HELP line is taken as part of the line break
// when read back, so trailing ones are not compared.
std::map<std::string, std::string> Helps(
    const std::vector<ParsedFamily>& families) {
  std::map<std::string, std::string> out;
  for (const ParsedFamily& f : families) {
    std::string_view help = f.help;
    while (!help.empty() && help.back() == '\r') help.remove_suffix(1);
    if (help.empty()) continue;
    for (const tend::ParsedSample& s : f.samples) {
      if (s.name == f.name) out.emplace(s.name, help);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tend::ParseLimits limits;
  limits.max_line_bytes = 64 * 1024;
  auto parsed = tend::ParseExposition(text, "fuzz", limits);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) __builtin_trap();
    return 0;
  }

  // One family per sample name (the writer writes each sample under its
  // family's name), typed and described by the parsed family of that name.
  tend::MetricSet set;
  for (const ParsedFamily& f : *parsed) {
    for (const tend::ParsedSample& s : f.samples) {
      if (s.name == f.name) set.Family(f.name, TypeOf(f.type), f.help);
    }
  }
  for (const ParsedFamily& f : *parsed) {
    for (const tend::ParsedSample& s : f.samples) {
      set.Family(s.name, tend::MetricType::kUntyped, "")
          ->samples.push_back({s.labels, s.value});
    }
  }
  set.SortByName();
  const std::vector<Flat> want = Flatten(*parsed);

  for (auto format : {tend::ExpositionFormat::kPrometheusText,
                      tend::ExpositionFormat::kOpenMetrics}) {
    std::string out;
    tend::WriteExposition(set.families(), format, &out);
    auto again = tend::ParseExposition(out, "again");
    if (!again.ok()) {
      // OpenMetrics cannot hold both a family "x" and a counter "x_total"
      // (both are family x there); the classic format holds anything that
      // parsed.
      if (format == tend::ExpositionFormat::kPrometheusText) __builtin_trap();
      continue;
    }
    if (Flatten(*again) != want) __builtin_trap();
    if (format == tend::ExpositionFormat::kPrometheusText &&
        Helps(*again) != Helps(*parsed)) {
      __builtin_trap();
    }
  }
  return 0;
}
