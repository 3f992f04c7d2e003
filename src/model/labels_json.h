// A label set as a JSON object {"name": "value", ...}, the shape
// Prometheus's and Alertmanager's APIs (and tend's state records) use.
// Header-only: callers link nlohmann_json themselves.
#ifndef TEND_MODEL_LABELS_JSON_H_
#define TEND_MODEL_LABELS_JSON_H_

#include <nlohmann/json.hpp>

#include "model/labels.h"

namespace tend {

inline nlohmann::json LabelsToJson(const Labels& labels) {
  nlohmann::json o = nlohmann::json::object();
  for (const Label& l : labels) o[l.name] = l.value;
  return o;
}

}  // namespace tend

#endif  // TEND_MODEL_LABELS_JSON_H_
