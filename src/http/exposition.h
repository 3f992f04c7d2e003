// Writers for the Prometheus text exposition format 0.0.4 and OpenMetrics
// 1.0.0 text format.
#ifndef TEND_HTTP_EXPOSITION_H_
#define TEND_HTTP_EXPOSITION_H_

#include <string>
#include <string_view>
#include <vector>

#include "metrics/metric.h"

namespace tend {

enum class ExpositionFormat { kPrometheusText, kOpenMetrics };

inline constexpr std::string_view kPrometheusTextContentType =
    "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::string_view kOpenMetricsContentType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

// Picks OpenMetrics when the Accept header asks for
// application/openmetrics-text (as Prometheus does when configured to), the
// classic text format otherwise.
ExpositionFormat NegotiateExpositionFormat(std::string_view accept_header);

// Appends `families` to *out in `format`. Families are written in the order
// given; the caller sorts them. In OpenMetrics, a counter family named
// "x_total" is written as "# TYPE x counter" with samples "x_total"; a
// counter whose name does not end in _total is written with type unknown,
// and "# EOF" ends the output.
void WriteExposition(const std::vector<MetricFamily>& families,
                     ExpositionFormat format, std::string* out);

// Appends `v` as the format writes sample values: the shortest text that
// reads back as the same double, "+Inf", "-Inf" or "NaN".
void AppendSampleValue(double v, std::string* out);

}  // namespace tend

#endif  // TEND_HTTP_EXPOSITION_H_
