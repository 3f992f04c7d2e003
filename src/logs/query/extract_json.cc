// The JSON stages of extract.h (`| json`, `| json paths`, `| unpack`) on
// simdjson On-Demand: the line is copied once into a padded buffer and
// walked without building a DOM.
#include <simdjson.h>

#include <string>

#include "logs/query/extract.h"

namespace tend::logql {

namespace od = simdjson::ondemand;

namespace {

// Deeper objects are skipped: Loki has no limit, but recursion needs one.
constexpr int kMaxDepth = 64;

std::string_view TrimToken(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' ||
                        t.back() == '\n' || t.back() == '\r')) {
    t.remove_suffix(1);
  }
  return t;
}

}  // namespace

struct Extractor::Json {
  od::parser parser;
  std::string buffer;  // The line plus SIMDJSON_PADDING bytes.
  std::string key;     // Flattened, sanitized key being built.
  std::string error;   // Details of the last failure.

  // Starts iterating `line`; false (with `error`) when it cannot be JSON.
  bool Begin(std::string_view line, od::document* doc) {
    buffer.assign(line);
    buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    auto err =
        parser.iterate(buffer.data(), line.size(), buffer.size()).get(*doc);
    if (err != simdjson::SUCCESS) {
      error = simdjson::error_message(err);
      return false;
    }
    return true;
  }

  // Scalar text of `value` (false for objects/arrays: *is_container).
  simdjson::error_code Scalar(od::value value, od::json_type type,
                              std::string_view* text) {
    switch (type) {
      case od::json_type::string:
        return value.get_string().get(*text);
      case od::json_type::number:
        *text = TrimToken(value.raw_json_token());
        return simdjson::SUCCESS;
      case od::json_type::boolean: {
        bool b = false;
        auto err = value.get_bool().get(b);
        *text = b ? "true" : "false";
        return err;
      }
      case od::json_type::null: {
        bool is_null = false;
        auto err = value.is_null().get(is_null);
        if (err == simdjson::SUCCESS && !is_null)
          err = simdjson::INCORRECT_TYPE;
        *text = {};
        return err;
      }
      default:
        return simdjson::INCORRECT_TYPE;
    }
  }

  simdjson::error_code Object(od::object obj, int depth, Extractor* ex,
                              LineLabels* labels) {
    const size_t prefix_len = key.size();
    for (auto field : obj) {
      std::string_view name;
      auto err = field.unescaped_key().get(name);
      if (err != simdjson::SUCCESS) return err;
      key.resize(prefix_len);
      if (prefix_len > 0) key.push_back('_');
      AppendSanitizedKey(name, prefix_len == 0, &key);
      od::value value;
      if ((err = field.value().get(value)) != simdjson::SUCCESS) return err;
      od::json_type type;
      if ((err = value.type().get(type)) != simdjson::SUCCESS) return err;
      if (type == od::json_type::object) {
        if (depth >= kMaxDepth) continue;  // Skipped by the iterator.
        od::object inner;
        if ((err = value.get_object().get(inner)) != simdjson::SUCCESS) {
          return err;
        }
        if ((err = Object(inner, depth + 1, ex, labels)) != simdjson::SUCCESS) {
          return err;
        }
        continue;
      }
      if (type == od::json_type::array) continue;  // Loki skips arrays.
      std::string_view text;
      if ((err = Scalar(value, type, &text)) != simdjson::SUCCESS) return err;
      ex->Add(key, text, labels);
    }
    key.resize(prefix_len);
    return simdjson::SUCCESS;
  }
};

Extractor::Extractor() : json_(std::make_unique<Json>()) {}
Extractor::~Extractor() = default;

std::string JsonPointer(const std::vector<JsonPathStep>& path) {
  std::string out;
  for (const JsonPathStep& step : path) {
    out.push_back('/');
    if (step.index >= 0) {
      out.append(std::to_string(step.index));
      continue;
    }
    for (char c : step.key) {
      if (c == '~') {
        out.append("~0");
      } else if (c == '/') {
        out.append("~1");
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

void Extractor::JsonAll(std::string_view line, LineLabels* labels) {
  Json& js = *json_;
  od::document doc;
  if (!js.Begin(line, &doc)) {
    labels->SetError(kJsonParserErr, js.error);
    return;
  }
  od::object obj;
  auto err = doc.get_object().get(obj);
  js.key.clear();
  if (err == simdjson::SUCCESS) err = js.Object(obj, 0, this, labels);
  const char* trailing = nullptr;
  if (err == simdjson::SUCCESS &&
      doc.current_location().get(trailing) == simdjson::SUCCESS) {
    err = simdjson::TRAILING_CONTENT;
  }
  if (err != simdjson::SUCCESS) {
    labels->SetError(kJsonParserErr, simdjson::error_message(err));
  }
}

void Extractor::JsonPaths(const ParserStage& stage,
                          const std::vector<std::string>& pointers,
                          std::string_view line, LineLabels* labels) {
  Json& js = *json_;
  od::document doc;
  if (!js.Begin(line, &doc)) {
    labels->SetError(kJsonParserErr, js.error);
    return;
  }
  od::json_type top;
  if (doc.type().get(top) != simdjson::SUCCESS ||
      (top != od::json_type::object && top != od::json_type::array)) {
    labels->SetError(kJsonParserErr, "not a JSON object or array");
    return;
  }
  for (size_t i = 0; i < stage.extractions.size(); ++i) {
    name_.clear();
    AppendSanitizedKey(stage.extractions[i].label, true, &name_);
    std::string_view text;
    od::value value;
    od::json_type type;
    if (doc.at_pointer(pointers[i]).get(value) == simdjson::SUCCESS &&
        value.type().get(type) == simdjson::SUCCESS) {
      if (type == od::json_type::object || type == od::json_type::array) {
        if (simdjson::to_json_string(value).get(text) != simdjson::SUCCESS) {
          text = {};
        }
        text = TrimToken(text);
      } else if (js.Scalar(value, type, &text) != simdjson::SUCCESS) {
        text = {};
      }
    }
    Add(name_, text, labels);
  }
}

bool Extractor::Unpack(std::string_view line, LineLabels* labels,
                       std::string* new_line) {
  Json& js = *json_;
  od::document doc;
  if (!js.Begin(line, &doc)) {
    labels->SetError(kJsonParserErr, js.error);
    return false;
  }
  od::object obj;
  auto err = doc.get_object().get(obj);
  bool replaced = false;
  if (err == simdjson::SUCCESS) {
    for (auto field : obj) {
      std::string_view key;
      if ((err = field.unescaped_key().get(key)) != simdjson::SUCCESS) break;
      // The key view is invalidated by reading the value: copy it.
      name_.clear();
      AppendSanitizedKey(key, true, &name_);
      const bool entry = key == "_entry";
      od::value value;
      if ((err = field.value().get(value)) != simdjson::SUCCESS) break;
      od::json_type type;
      if ((err = value.type().get(type)) != simdjson::SUCCESS) break;
      if (type != od::json_type::string) continue;  // Only strings unpack.
      std::string_view text;
      if ((err = value.get_string().get(text)) != simdjson::SUCCESS) break;
      if (entry) {
        new_line->assign(text);
        replaced = true;
      } else {
        Add(name_, text, labels);
      }
    }
  }
  if (err != simdjson::SUCCESS) {
    labels->SetError(kJsonParserErr, simdjson::error_message(err));
    return false;
  }
  return replaced;
}

}  // namespace tend::logql
