#include "http/exposition.h"

#include <charconv>
#include <cmath>

namespace tend {
namespace {

void AppendEscaped(std::string_view s, bool escape_quote, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '"':
        if (escape_quote) {
          *out += "\\\"";
        } else {
          out->push_back(c);
        }
        break;
      default:
        out->push_back(c);
    }
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

void AppendLabels(const Labels& labels, std::string* out) {
  if (labels.empty()) return;
  out->push_back('{');
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out->push_back(',');
    first = false;
    *out += l.name;
    *out += "=\"";
    AppendEscaped(l.value, true, out);
    out->push_back('"');
  }
  out->push_back('}');
}

}  // namespace

ExpositionFormat NegotiateExpositionFormat(std::string_view accept) {
  if (accept.find("application/openmetrics-text") != std::string_view::npos) {
    return ExpositionFormat::kOpenMetrics;
  }
  return ExpositionFormat::kPrometheusText;
}

void AppendSampleValue(double v, std::string* out) {
  if (std::isnan(v)) {
    *out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    *out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
}

void WriteExposition(const std::vector<MetricFamily>& families,
                     ExpositionFormat format, std::string* out) {
  const bool om = format == ExpositionFormat::kOpenMetrics;
  for (const MetricFamily& f : families) {
    if (f.samples.empty()) continue;
    std::string_view family_name = f.name;
    std::string_view type = MetricTypeName(f.type);
    if (om) {
      if (f.type == MetricType::kCounter) {
        if (EndsWith(family_name, "_total")) {
          family_name.remove_suffix(6);
        } else {
          type = "unknown";
        }
      } else if (f.type == MetricType::kUntyped) {
        type = "unknown";
      }
    }
    if (!f.help.empty()) {
      *out += "# HELP ";
      *out += family_name;
      out->push_back(' ');
      AppendEscaped(f.help, om, out);
      out->push_back('\n');
    }
    *out += "# TYPE ";
    *out += family_name;
    out->push_back(' ');
    *out += type;
    out->push_back('\n');
    for (const Sample& s : f.samples) {
      *out += f.name;
      AppendLabels(s.labels, out);
      out->push_back(' ');
      AppendSampleValue(s.value, out);
      out->push_back('\n');
    }
  }
  if (om) *out += "# EOF\n";
}

}  // namespace tend
