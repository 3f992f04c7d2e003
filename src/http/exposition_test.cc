#include "http/exposition.h"

#include <gtest/gtest.h>

#include <cmath>

#include "http/exposition_parser.h"

namespace tend {
namespace {

MetricSet Sample() {
  MetricSet set;
  set.Counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
              12.5, {{"cpu", "0"}, {"mode", "user"}});
  set.Counter("node_cpu_seconds_total", "", 3,
              {{"cpu", "0"}, {"mode", "idle"}});
  set.Gauge("node_memory_MemTotal_bytes", "Memory information field.",
            25276502016.0);
  set.Gauge("odd", "a \\ help\nline", 0.1, {{"path", "C:\\x \"q\"\nz"}});
  set.Untyped("node_vmstat_pgfault", "", 1e21);
  set.Counter("weird_counter", "no total suffix", 1);
  return set;
}

TEST(ExpositionTest, PrometheusTextFormat) {
  std::string out;
  WriteExposition(Sample().families(), ExpositionFormat::kPrometheusText, &out);
  EXPECT_NE(out.find("# HELP node_cpu_seconds_total Seconds the CPUs spent in "
                     "each mode.\n# TYPE node_cpu_seconds_total counter\n"
                     "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 12.5\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("node_memory_MemTotal_bytes 25276502016\n"),
            std::string::npos);
  EXPECT_NE(out.find("# HELP odd a \\\\ help\\nline\n"), std::string::npos);
  EXPECT_NE(out.find("odd{path=\"C:\\\\x \\\"q\\\"\\nz\"} 0.1\n"),
            std::string::npos);
  EXPECT_NE(out.find("# TYPE node_vmstat_pgfault untyped\n"),
            std::string::npos);
  EXPECT_EQ(out.find("# EOF"), std::string::npos);
}

TEST(ExpositionTest, OpenMetrics) {
  std::string out;
  WriteExposition(Sample().families(), ExpositionFormat::kOpenMetrics, &out);
  EXPECT_NE(out.find("# TYPE node_cpu_seconds counter\n"
                     "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 12.5\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("# TYPE node_vmstat_pgfault unknown\n"),
            std::string::npos);
  EXPECT_NE(out.find("# TYPE weird_counter unknown\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 6), "# EOF\n");
}

TEST(ExpositionTest, Negotiation) {
  EXPECT_EQ(NegotiateExpositionFormat(""), ExpositionFormat::kPrometheusText);
  EXPECT_EQ(NegotiateExpositionFormat(
                "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"),
            ExpositionFormat::kOpenMetrics);
}

TEST(ExpositionTest, SpecialValues) {
  std::string s;
  AppendSampleValue(HUGE_VAL, &s);
  s += ' ';
  AppendSampleValue(-HUGE_VAL, &s);
  s += ' ';
  AppendSampleValue(std::nan(""), &s);
  s += ' ';
  AppendSampleValue(0.1 + 0.2, &s);
  EXPECT_EQ(s, "+Inf -Inf NaN 0.30000000000000004");
}

TEST(ExpositionTest, RoundTripsThroughParser) {
  MetricSet set = Sample();
  for (ExpositionFormat fmt :
       {ExpositionFormat::kPrometheusText, ExpositionFormat::kOpenMetrics}) {
    std::string out;
    WriteExposition(set.families(), fmt, &out);
    auto parsed = ParseExposition(out, "roundtrip");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << out;
    size_t samples = 0;
    for (const ParsedFamily& f : *parsed) samples += f.samples.size();
    EXPECT_EQ(samples, set.SampleCount());
    const ParsedFamily* odd = nullptr;
    for (const ParsedFamily& f : *parsed) {
      if (f.name == "odd") odd = &f;
    }
    ASSERT_NE(odd, nullptr);
    EXPECT_EQ(odd->help, "a \\ help\nline");
    EXPECT_EQ(odd->samples[0].labels[0].value, "C:\\x \"q\"\nz");
    EXPECT_DOUBLE_EQ(odd->samples[0].value, 0.1);
  }
}

}  // namespace
}  // namespace tend
