// Decoding YAML into field tables. yaml-cpp throws: parsing is wrapped by
// ParseYamlDocument and decoding by DecodeDocument's try block, so nothing
// thrown leaves this file.
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <map>

#include "base/duration.h"
#include "config/schema.h"
#include "config/suggest.h"
#include "config/yaml_document.h"
#include "config/yaml_text.h"

namespace tend {
namespace {

void AddAt(ConfigErrors* errors, const YAML::Mark& mark, std::string path,
           std::string message) {
  errors->Add(LineOf(mark), ColumnOf(mark), std::move(path),
              std::move(message));
}

// What a node is, for "got ..." in messages.
std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return QuoteForMessage(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string JoinPath(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

std::string WhereIs(const std::string& path) {
  return path.empty() ? "at the top level" : "in " + path;
}

std::string JoinList(const std::vector<std::string>& items,
                     std::string_view last_sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? last_sep : ", ";
    out += items[i];
  }
  return out;
}

std::string FormatDouble(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

bool ParseBool(std::string_view s, bool* out) {
  if (s == "true" || s == "True" || s == "TRUE") {
    *out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    *out = false;
    return true;
  }
  return false;
}

// Decodes one scalar field from `text`. Returns the value, or adds an error
// at `mark` and returns nullopt.
std::optional<FieldValue> DecodeScalar(const Field& f, std::string_view text,
                                       const YAML::Mark& mark,
                                       const std::string& path,
                                       ConfigErrors* errors) {
  auto fail = [&](std::string message) -> std::optional<FieldValue> {
    AddAt(errors, mark, path, std::move(message));
    return std::nullopt;
  };
  const std::string got = ", got " + QuoteForMessage(text);
  switch (f.kind) {
    case FieldKind::kBool: {
      bool b;
      if (!ParseBool(text, &b)) return fail("want true or false" + got);
      return FieldValue(b);
    }
    case FieldKind::kInt: {
      std::string_view digits = text;
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      int64_t n = 0;
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), n);
      bool whole = end == digits.data() + digits.size() && !digits.empty();
      if (ec == std::errc::result_out_of_range && whole) {
        return fail(
            std::string(text) +
            (digits[0] == '-'
                 ? " is below the minimum " + std::to_string(f.min_int)
                 : " is above the maximum " + std::to_string(f.max_int)));
      }
      if (ec != std::errc() || !whole) return fail("want an integer" + got);
      if (n < f.min_int) {
        return fail(std::to_string(n) + " is below the minimum " +
                    std::to_string(f.min_int));
      }
      if (n > f.max_int) {
        return fail(std::to_string(n) + " is above the maximum " +
                    std::to_string(f.max_int));
      }
      return FieldValue(n);
    }
    case FieldKind::kDouble: {
      std::string_view digits = text;
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      double d = 0;
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), d);
      if (ec != std::errc() || end != digits.data() + digits.size() ||
          digits.empty() || !std::isfinite(d)) {
        return fail("want a number" + got);
      }
      if (d < f.min_double) {
        return fail(FormatDouble(d) + " is below the minimum " +
                    FormatDouble(f.min_double));
      }
      if (d > f.max_double) {
        return fail(FormatDouble(d) + " is above the maximum " +
                    FormatDouble(f.max_double));
      }
      return FieldValue(d);
    }
    case FieldKind::kDuration: {
      Result<int64_t> ms = ParseDuration(text);
      if (!ms.ok()) {
        std::string message = "want a duration like 1s, 500ms or 2m" + got;
        // Explain text that looks like a duration but is not one ("30m1h",
        // "5", "5sec"); for anything else the examples say it all.
        bool looks_like_one =
            !text.empty() && text[0] >= '0' && text[0] <= '9' &&
            std::all_of(text.begin(), text.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
            });
        if (looks_like_one) message += "; " + ms.status().message();
        return fail(std::move(message));
      }
      if (*ms < f.min_int) {
        return fail(FormatDuration(*ms) + " is below the minimum " +
                    FormatDuration(f.min_int));
      }
      if (*ms > f.max_int) {
        return fail(FormatDuration(*ms) + " is above the maximum " +
                    FormatDuration(f.max_int));
      }
      return FieldValue(*ms);
    }
    case FieldKind::kEnum: {
      for (const std::string& allowed : f.allowed) {
        if (allowed == text) return FieldValue(std::string(text));
      }
      std::string message = "want one of " + JoinList(f.allowed, " or ") + got;
      std::string suggestion = SuggestClosest(text, f.allowed);
      if (!suggestion.empty()) {
        message += "; did you mean " + QuoteForMessage(suggestion) + "?";
      }
      return fail(std::move(message));
    }
    case FieldKind::kRegex: {
      RE2::Options options;
      options.set_log_errors(false);
      RE2 re(re2::StringPiece(text.data(), text.size()), options);
      if (!re.ok()) {
        return fail("invalid regular expression " + QuoteForMessage(text) +
                    ": " + re.error());
      }
      return FieldValue(std::string(text));
    }
    case FieldKind::kString: {
      if (f.validator) {
        Status s = f.validator(text);
        if (!s.ok()) return fail(s.message());
      }
      return FieldValue(std::string(text));
    }
    case FieldKind::kStringList:
    case FieldKind::kSection:
    case FieldKind::kSectionList:
      break;
  }
  return fail("internal error: field kind is not a scalar");
}

std::string WantPhrase(const Field& f) {
  switch (f.kind) {
    case FieldKind::kBool:
      return "want true or false";
    case FieldKind::kInt:
      return "want an integer";
    case FieldKind::kDouble:
      return "want a number";
    case FieldKind::kString:
    case FieldKind::kRegex:
      return "want a string";
    case FieldKind::kEnum:
      return "want one of " + JoinList(f.allowed, " or ");
    case FieldKind::kDuration:
      return "want a duration like 1s, 500ms or 2m";
    case FieldKind::kStringList:
      return "want a list of strings";
    case FieldKind::kSection:
      return "want a mapping of keys";
    case FieldKind::kSectionList:
      return "want a list of mappings";
  }
  return "want something else";
}

void DecodeList(const Field& f, const YAML::Node& value,
                const std::string& path, void* obj, ConfigErrors* errors) {
  if (!value.IsSequence()) {
    AddAt(errors, value.Mark(), path,
          WantPhrase(f) + ", got " + Describe(value));
    return;
  }
  size_t before = errors->count();
  std::vector<std::string> items;
  size_t index = 0;
  for (const YAML::Node& item : value) {
    std::string item_path = path + "[" + std::to_string(index++) + "]";
    if (!item.IsScalar()) {
      // A null item has no position of its own (yaml-cpp marks it where the
      // next token starts, often on a later line); point at the list.
      AddAt(errors, item.IsNull() ? value.Mark() : item.Mark(), item_path,
            "want a string, got " + Describe(item));
      continue;
    }
    if (f.validator) {
      Status s = f.validator(item.Scalar());
      if (!s.ok()) {
        AddAt(errors, item.Mark(), item_path, s.message());
        continue;
      }
    }
    items.push_back(item.Scalar());
  }
  if (errors->count() == before) f.set(obj, FieldValue(std::move(items)));
}

// Decodes a sequence of mappings, each over the element's defaults (S{}),
// replacing the list. On an error the list is left empty: the errors fail
// the whole document anyway.
void DecodeSectionList(const Field& f, const YAML::Node& value,
                       const std::string& path, void* obj,
                       ConfigErrors* errors) {
  if (!value.IsSequence()) {
    AddAt(errors, value.Mark(), path,
          WantPhrase(f) + ", got " + Describe(value));
    return;
  }
  f.list_resize(obj, 0);
  f.list_resize(obj, value.size());
  size_t before = errors->count();
  size_t index = 0;
  for (const YAML::Node& item : value) {
    std::string item_path = path + "[" + std::to_string(index) + "]";
    if (!item.IsMap()) {
      AddAt(errors, item.IsNull() ? value.Mark() : item.Mark(), item_path,
            "want a mapping of keys, got " + Describe(item));
    } else {
      f.section->Decode(item, item_path, f.list_at(obj, index), errors);
    }
    ++index;
  }
  if (errors->count() != before) f.list_resize(obj, 0);
}

void DecodeField(const Field& f, const YAML::Node& value,
                 const std::string& path, void* obj, ConfigErrors* errors) {
  if (value.IsNull()) return;  // "key:" with no value keeps the default.
  if (f.kind == FieldKind::kSection) {
    f.section->Decode(value, path, f.sub(obj), errors);
    return;
  }
  if (f.kind == FieldKind::kStringList) {
    DecodeList(f, value, path, obj, errors);
    return;
  }
  if (f.kind == FieldKind::kSectionList) {
    DecodeSectionList(f, value, path, obj, errors);
    return;
  }
  if (!value.IsScalar()) {
    AddAt(errors, value.Mark(), path,
          WantPhrase(f) + ", got " + Describe(value));
    return;
  }
  std::optional<FieldValue> decoded =
      DecodeScalar(f, value.Scalar(), value.Mark(), path, errors);
  if (decoded.has_value()) f.set(obj, std::move(*decoded));
}

}  // namespace

void SchemaBase::Decode(const YAML::Node& node, const std::string& path,
                        void* obj, ConfigErrors* errors) const {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    if (path.empty()) {
      AddAt(
          errors, node.Mark(), "",
          "want a mapping of sections at the top level, got " + Describe(node));
    } else {
      AddAt(errors, node.Mark(), path,
            "want a mapping of keys, got " + Describe(node));
    }
    return;
  }
  size_t before = errors->count();
  std::map<std::string, YAML::Mark, std::less<>> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: the iterator's pair is a temporary (Node is a handle).
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      AddAt(errors, key.Mark(), "",
            "keys must be plain strings, got " + Describe(key) + " " +
                WhereIs(path));
      continue;
    }
    const std::string& name = key.Scalar();
    auto [first, inserted] = seen.emplace(name, key.Mark());
    if (!inserted) {
      AddAt(errors, key.Mark(), "",
            "duplicate key " + QuoteForMessage(name) + " " + WhereIs(path) +
                " (first at line " + std::to_string(LineOf(first->second)) +
                ", column " + std::to_string(ColumnOf(first->second)) + ")");
      continue;
    }
    const Field* field = Find(name);
    if (field == nullptr) {
      std::vector<std::string> valid;
      for (const Field& f : fields_) valid.push_back(f.name);
      std::sort(valid.begin(), valid.end());
      std::string message =
          "unknown key " + QuoteForMessage(name) + " " + WhereIs(path);
      if (name == "<<") {
        message += "; merge keys are not supported, write the keys out";
      } else {
        std::string suggestion = SuggestClosest(name, valid);
        if (!suggestion.empty()) {
          message += "; did you mean " + QuoteForMessage(suggestion) + "?";
        }
      }
      message += " (valid keys: " + JoinList(valid, ", ") + ")";
      AddAt(errors, key.Mark(), "", std::move(message));
      continue;
    }
    DecodeField(*field, value, JoinPath(path, name), obj, errors);
  }
  if (errors->count() != before) return;
  for (const Check& check : checks_) {
    Status s = check(obj);
    if (!s.ok()) AddAt(errors, node.Mark(), path, s.message());
  }
}

void SchemaBase::DecodeDocument(std::string_view yaml, void* obj,
                                ConfigErrors* errors) const {
  std::optional<YAML::Node> document =
      ParseYamlDocument(yaml, kMaxDocumentBytes, errors);
  if (!document.has_value()) return;
  try {
    Decode(*document, "", obj, errors);
  } catch (const std::exception& e) {
    // Not expected: Decode only calls yaml-cpp accessors that do not throw
    // on a parsed tree. Kept so a library surprise is an error, not a crash.
    errors->Add(0, 0, "", std::string("cannot read YAML: ") + e.what());
  }
}

}  // namespace tend
