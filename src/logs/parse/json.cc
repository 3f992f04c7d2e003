#include "logs/parse/json.h"

#include <simdjson.h>

#include "logs/parse/text_util.h"
#include "logs/parse/well_known.h"

namespace tend::logs {

namespace od = simdjson::ondemand;

struct JsonParser::Impl {
  od::parser parser;
  std::string buffer;  // The line plus SIMDJSON_PADDING bytes.
  std::string key;     // Flattened key being built.
  std::string scratch;

  // Adds the members of `obj` with key prefix `key` (built in place).
  // Returns false on malformed JSON.
  bool Object(od::object obj, int depth, const ParseOptions& options,
              LogRecord* out);
  bool Value(od::value value, int depth, const ParseOptions& options,
             LogRecord* out);
};

bool JsonParser::Impl::Object(od::object obj, int depth,
                              const ParseOptions& options, LogRecord* out) {
  const size_t prefix_len = key.size();
  for (auto field : obj) {
    std::string_view name;
    if (field.unescaped_key().get(name) != simdjson::SUCCESS) return false;
    key.resize(prefix_len);
    if (prefix_len > 0) key.push_back('_');
    key.append(name);
    od::value value;
    if (field.value().get(value) != simdjson::SUCCESS) return false;
    if (!Value(value, depth, options, out)) return false;
  }
  key.resize(prefix_len);
  return true;
}

bool JsonParser::Impl::Value(od::value value, int depth,
                             const ParseOptions& options, LogRecord* out) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return false;
  std::string_view text;
  switch (type) {
    case od::json_type::object: {
      od::object obj;
      if (value.get_object().get(obj) != simdjson::SUCCESS) return false;
      if (depth >= 32) {
        if (obj.raw_json().get(text) != simdjson::SUCCESS) return false;
        break;
      }
      return Object(obj, depth + 1, options, out);
    }
    case od::json_type::array: {
      od::array arr;
      if (value.get_array().get(arr) != simdjson::SUCCESS) return false;
      if (arr.raw_json().get(text) != simdjson::SUCCESS) return false;
      while (!text.empty() && internal::IsSpace(text.back())) {
        text.remove_suffix(1);
      }
      break;
    }
    case od::json_type::string:
      if (value.get_string().get(text) != simdjson::SUCCESS) return false;
      break;
    case od::json_type::number: {
      text = value.raw_json_token();
      while (!text.empty() && (internal::IsSpace(text.back()) ||
                               text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
      }
      // On-Demand does not check a number it is not asked to convert;
      // big integers are fine here, so check the characters only.
      if (text.empty()) return false;
      for (char c : text) {
        if (!internal::IsDigit(c) && c != '-' && c != '+' && c != '.' &&
            c != 'e' && c != 'E') {
          return false;
        }
      }
      break;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (value.get_bool().get(b) != simdjson::SUCCESS) return false;
      text = b ? "true" : "false";
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) {
        return false;
      }
      text = {};
      break;
    }
  }
  // Well-known keys count at the top level only.
  if (depth == 0) ApplyWellKnown(ClassifyKey(key), text, options, out);
  out->fields.Add(key, text);
  return true;
}

JsonParser::JsonParser() : impl_(std::make_unique<Impl>()) {}
JsonParser::~JsonParser() = default;

bool JsonParser::Parse(std::string_view line, const ParseOptions& options,
                       LogRecord* out) {
  const std::string_view full = line;
  line = TrimLineEnd(line);
  BeginRecord(options, out);
  std::string_view body = internal::SkipSpaces(line);
  if (body.empty() || body[0] != '{') {
    return SetUnparsed(full, "not JSON: no '{'", options, out);
  }
  Impl& im = *impl_;
  im.buffer.assign(line);
  im.buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  im.key.clear();
  od::document doc;
  if (im.parser.iterate(im.buffer.data(), line.size(), im.buffer.size())
          .get(doc) != simdjson::SUCCESS) {
    return SetUnparsed(full, "JSON: malformed", options, out);
  }
  od::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS ||
      !im.Object(obj, 0, options, out)) {
    return SetUnparsed(full, "JSON: malformed", options, out);
  }
  // Anything after the object (current_location succeeds) is an error.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return SetUnparsed(full, "JSON: text after the object", options, out);
  }
  internal::EnsureMessage(line.empty() ? full : line, out);
  return true;
}

}  // namespace tend::logs
