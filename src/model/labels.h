// The label model shared by the metrics pipeline, the store and PromQL.
//
// A Labels value is a plain vector of name/value pairs. Collectors build them
// in any order; everywhere a Labels identifies a series (the store, PromQL,
// the HTTP API) it is *canonical*: sorted by name, names unique, no empty
// values (an empty value means "label absent", as in Prometheus). The helpers
// below that say "canonical" require or produce that form.
#ifndef TEND_MODEL_LABELS_H_
#define TEND_MODEL_LABELS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tend {

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
};
using Labels = std::vector<Label>;

// The reserved label that holds the metric name.
inline constexpr std::string_view kMetricNameLabel = "__name__";

// Sorts by name, drops pairs with an empty value and keeps the last value of a
// repeated name. The result is canonical.
void CanonicalizeLabels(Labels* labels);

// True when `labels` is canonical (sorted, unique names, no empty values).
bool IsCanonical(const Labels& labels);

// The value of `name`, or "" when absent. Linear scan (label sets are small).
std::string_view GetLabel(const Labels& labels, std::string_view name);

// Sets `name` to `value` keeping canonical order; an empty value removes it.
void SetLabel(Labels* labels, std::string_view name, std::string_view value);

// Removes `name` if present.
void RemoveLabel(Labels* labels, std::string_view name);

// Orders canonical label sets as Prometheus's labels.Compare does: pairwise by
// name then value, a prefix sorts first. Returns <0, 0, >0.
int CompareLabels(const Labels& a, const Labels& b);

// A 64-bit hash of a canonical label set (stable within a process only; do not
// persist it).
uint64_t HashLabels(const Labels& labels);

// Prometheus's text form: name{a="x", b="y"} with the __name__ pulled out
// front, or {a="x"} when there is no name. Values are escaped as in the
// exposition format (\\, \", \n).
std::string LabelsToString(const Labels& labels);

// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or label name
// ([a-zA-Z_][a-zA-Z0-9_]*).
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace tend

#endif  // TEND_MODEL_LABELS_H_
