// Field tables: a component declares its configuration once, as a table of
// named, typed, documented fields bound to the members of its C++ struct.
//
//   Schema<AgentSection> agent;
//   agent.String("listen", &AgentSection::listen, "Address of the HTTP API.",
//                ValidateListenAddress)
//        .Duration("interval", &AgentSection::interval_ms,
//                  "How often to collect.", /*min_ms=*/100,
//                  /*max_ms=*/3600000);
//
// From the table tend decodes YAML into the struct (with every error found,
// each with file:line:column), prints a commented YAML document of any value
// (`tend config default` prints the defaults), compares values and writes
// the Markdown reference (docs/configuration.md). The struct's default member
// initializers are the only place defaults are written: decoding starts from
// a default-constructed value and overwrites only what the file sets.
//
// Conventions of the YAML side, the same for every table:
// - A key that is absent, or present with no value (null), keeps its default.
//   An empty file is a valid configuration.
// - Unknown keys and duplicate keys are errors.
// - Scalars are read by their text, quoted or not: `top_n: "5"` is 5.
//
// Schemas are built once (typically a function-local static) and are
// immutable afterwards; a built schema may be used from any thread.
#ifndef TEND_CONFIG_SCHEMA_H_
#define TEND_CONFIG_SCHEMA_H_

#include <cassert>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "base/status.h"
#include "config/config_error.h"
#include "config/yaml_text.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace tend {

enum class FieldKind {
  kBool,
  kInt,
  kDouble,
  kString,
  kEnum,         // A string from a fixed list of allowed values.
  kDuration,     // Milliseconds in an int64_t, written "1s", "500ms", "1h30m".
  kStringList,   // std::vector<std::string>.
  kRegex,        // RE2 syntax, checked when loading; stored as the string.
  kSection,      // A nested table bound to a member struct.
  kSectionList,  // std::vector<S>: a list of nested tables of one struct.
};

// "bool", "integer", "number", "string", "enum", "duration",
// "list of strings", "regex", "section", "list of sections".
std::string_view FieldKindName(FieldKind kind);

// The value of one scalar or list field, whatever its member's C++ type:
// kBool: bool; kInt, kDuration: int64_t; kDouble: double; kString, kEnum,
// kRegex: std::string; kStringList: std::vector<std::string>.
using FieldValue =
    std::variant<bool, int64_t, double, std::string, std::vector<std::string>>;

// Checks a string value beyond its type. Returns OK or an error whose
// message is shown to the user after the field's path, so it should say what
// is wrong and what would be right ("want host:port, got ...").
using StringValidator = std::function<Status(std::string_view)>;

class SchemaBase;

// One row of a table. The accessors take a pointer to an object of the
// table's struct type (type-erased so tables can be spliced and nested).
struct Field {
  std::string name;
  FieldKind kind = FieldKind::kString;
  std::string doc;

  // kInt and kDuration (milliseconds): inclusive bounds.
  int64_t min_int = std::numeric_limits<int64_t>::min();
  int64_t max_int = std::numeric_limits<int64_t>::max();
  // kDouble: inclusive bounds.
  double min_double = -std::numeric_limits<double>::max();
  double max_double = std::numeric_limits<double>::max();
  // kEnum: the allowed values, in the order they are documented.
  std::vector<std::string> allowed;
  // kString: the whole value; kStringList: each element. May be empty.
  StringValidator validator;

  // Every kind but kSection.
  std::function<FieldValue(const void*)> get;
  std::function<void(void*, FieldValue)> set;

  // kSection: the nested table and the object -> member struct accessor.
  // kSectionList: the element's table (and no `sub`).
  std::shared_ptr<const SchemaBase> section;
  std::function<void*(void*)> sub;

  // kSectionList: the vector's size, its element i, resizing it (new
  // elements take the struct's defaults), and a default element (for the
  // reference's defaults column).
  std::function<size_t(const void*)> list_size;
  std::function<void*(void*, size_t)> list_at;
  std::function<void(void*, size_t)> list_resize;
  std::shared_ptr<const void> element_default;
};

// The type-independent part of a table. Use Schema<T>.
class SchemaBase {
 public:
  const std::vector<Field>& fields() const { return fields_; }
  // The field called `name`, or nullptr.
  const Field* Find(std::string_view name) const;

  // Decodes `node` (a mapping; null means "keep every default") into *obj.
  // `path` is the dotted path of this section ("" at the top level) used in
  // messages. Every problem is added to *errors and decoding goes on, so one
  // pass reports all of them; a field with an error keeps its previous
  // value. Never throws.
  void Decode(const YAML::Node& node, const std::string& path, void* obj,
              ConfigErrors* errors) const;

  // Parses `yaml` as one document and decodes it into *obj (see Decode).
  // Syntax errors, a file over kMaxDocumentBytes, nesting deeper than the
  // parser allows and several documents in one file are reported as errors
  // too. Never throws.
  void DecodeDocument(std::string_view yaml, void* obj,
                      ConfigErrors* errors) const;

  // True when every field (recursively) has the same value in both.
  bool Equal(const void* a, const void* b) const;

  // Appends `obj` as YAML: each field preceded by its doc as "# " comments,
  // nested sections indented by two spaces per level. The output decodes
  // back into an equal value.
  void AppendYaml(const void* obj, int indent, std::string* out) const;

  // Appends the Markdown reference of this table and its nested tables: a
  // "## `path`" heading per table with its doc, then a table of its fields
  // (key, type, default from `defaults`, allowed values or range, doc).
  void AppendMarkdown(const void* defaults, const std::string& path,
                      const std::string& doc, std::string* out) const;

  static constexpr size_t kMaxDocumentBytes = 1 << 20;  // 1 MiB.

 protected:
  using Check = std::function<Status(const void*)>;

  // Adds a row; names must be unique within a table (asserted).
  void AddField(Field field);
  // Adds copies of `from`'s fields and checks, reached from this table's
  // object through `access`.
  void Splice(const SchemaBase& from, std::function<void*(void*)> access);
  void AddCheck(Check check) { checks_.push_back(std::move(check)); }

 private:
  std::vector<Field> fields_;
  // Whole-section checks run after the section decoded without errors; a
  // failure is reported at the section.
  std::vector<Check> checks_;
};

template <typename T>
class Schema : public SchemaBase {
 public:
  Schema& Bool(std::string name, bool T::*member, std::string doc) {
    Field f = Make(std::move(name), FieldKind::kBool, std::move(doc));
    Bind<bool>(&f, member);
    AddField(std::move(f));
    return *this;
  }

  // Any integer member but bool; the bounds are narrowed to what the
  // member's type holds.
  template <std::integral I>
  requires(!std::same_as<I, bool>) Schema& Int(
      std::string name, I T::*member, std::string doc,
      int64_t min = std::numeric_limits<int64_t>::min(),
      int64_t max = std::numeric_limits<int64_t>::max()) {
    Field f = Make(std::move(name), FieldKind::kInt, std::move(doc));
    if (std::cmp_less(min, std::numeric_limits<I>::min())) {
      min = static_cast<int64_t>(std::numeric_limits<I>::min());
    }
    if (std::cmp_greater(max, std::numeric_limits<I>::max())) {
      max = static_cast<int64_t>(std::numeric_limits<I>::max());
    }
    f.min_int = min;
    f.max_int = max;
    f.get = [member](const void* o) -> FieldValue {
      return static_cast<int64_t>(static_cast<const T*>(o)->*member);
    };
    f.set = [member](void* o, FieldValue v) {
      static_cast<T*>(o)->*member = static_cast<I>(*std::get_if<int64_t>(&v));
    };
    AddField(std::move(f));
    return *this;
  }

  Schema& Double(std::string name, double T::*member, std::string doc,
                 double min = -std::numeric_limits<double>::max(),
                 double max = std::numeric_limits<double>::max()) {
    Field f = Make(std::move(name), FieldKind::kDouble, std::move(doc));
    f.min_double = min;
    f.max_double = max;
    Bind<double>(&f, member);
    AddField(std::move(f));
    return *this;
  }

  Schema& String(std::string name, std::string T::*member, std::string doc,
                 StringValidator validator = nullptr) {
    Field f = Make(std::move(name), FieldKind::kString, std::move(doc));
    f.validator = std::move(validator);
    Bind<std::string>(&f, member);
    AddField(std::move(f));
    return *this;
  }

  Schema& Enum(std::string name, std::string T::*member, std::string doc,
               std::vector<std::string> allowed) {
    Field f = Make(std::move(name), FieldKind::kEnum, std::move(doc));
    f.allowed = std::move(allowed);
    Bind<std::string>(&f, member);
    AddField(std::move(f));
    return *this;
  }

  Schema& Duration(std::string name, int64_t T::*member, std::string doc,
                   int64_t min_ms = 0,
                   int64_t max_ms = std::numeric_limits<int64_t>::max()) {
    Field f = Make(std::move(name), FieldKind::kDuration, std::move(doc));
    f.min_int = min_ms;
    f.max_int = max_ms;
    Bind<int64_t>(&f, member);
    AddField(std::move(f));
    return *this;
  }

  Schema& StringList(std::string name, std::vector<std::string> T::*member,
                     std::string doc, StringValidator each = nullptr) {
    Field f = Make(std::move(name), FieldKind::kStringList, std::move(doc));
    f.validator = std::move(each);
    Bind<std::vector<std::string>>(&f, member);
    AddField(std::move(f));
    return *this;
  }

  Schema& Regex(std::string name, std::string T::*member, std::string doc) {
    Field f = Make(std::move(name), FieldKind::kRegex, std::move(doc));
    Bind<std::string>(&f, member);
    AddField(std::move(f));
    return *this;
  }

  // A nested table under key `name`, bound to member struct `member`. The
  // table is copied.
  template <typename S>
  Schema& Section(std::string name, S T::*member, const Schema<S>& table,
                  std::string doc) {
    Field f = Make(std::move(name), FieldKind::kSection, std::move(doc));
    f.section = std::make_shared<const Schema<S>>(table);
    f.sub = [member](void* o) -> void* {
      return &(static_cast<T*>(o)->*member);
    };
    AddField(std::move(f));
    return *this;
  }

  // A list of nested tables under key `name`, bound to `member`, a vector
  // of S: in YAML a sequence of mappings, each decoded over S{}.
  template <typename S>
  Schema& SectionList(std::string name, std::vector<S> T::*member,
                      const Schema<S>& table, std::string doc) {
    Field f = Make(std::move(name), FieldKind::kSectionList, std::move(doc));
    f.section = std::make_shared<const Schema<S>>(table);
    f.list_size = [member](const void* o) {
      return (static_cast<const T*>(o)->*member).size();
    };
    f.list_at = [member](void* o, size_t i) -> void* {
      return &(static_cast<T*>(o)->*member)[i];
    };
    f.list_resize = [member](void* o, size_t n) {
      (static_cast<T*>(o)->*member).resize(n);
    };
    f.element_default = std::make_shared<const S>();
    AddField(std::move(f));
    return *this;
  }

  // Adds `table`'s fields (and checks) to this table, bound to member struct
  // `member`: its keys appear directly in this section. For option structs
  // shared with other code (FilesystemOptions inside FilesystemSection).
  template <typename S>
  Schema& Inline(S T::*member, const Schema<S>& table) {
    Splice(table, [member](void* o) -> void* {
      return &(static_cast<T*>(o)->*member);
    });
    return *this;
  }

  // Adds the fields (and checks) of a base class's table.
  template <typename B>
  requires(std::is_base_of_v<B, T> &&
           !std::is_same_v<B, T>) Schema& InlineBase(const Schema<B>& table) {
    Splice(table, [](void* o) -> void* {
      return static_cast<B*>(static_cast<T*>(o));
    });
    return *this;
  }

  // A rule over several fields of this section, run after the section
  // decoded without errors; a failure is reported at the section.
  Schema& Validate(std::function<Status(const T&)> check) {
    AddCheck([check = std::move(check)](const void* o) {
      return check(*static_cast<const T*>(o));
    });
    return *this;
  }

  // Decodes `yaml` over *out, adding every problem to *errors.
  void Load(std::string_view yaml, T* out, ConfigErrors* errors) const {
    DecodeDocument(yaml, out, errors);
  }

  // T{} with `yaml` applied, or kInvalidArgument listing every error, one
  // per line, each starting "filename:line:column: ".
  Result<T> LoadString(std::string_view yaml,
                       const std::string& filename) const {
    T value{};
    ConfigErrors errors(filename);
    DecodeDocument(yaml, &value, &errors);
    if (!errors.empty()) return errors.ToStatus();
    return value;
  }

  // `value` as a commented YAML document that LoadString reads back into an
  // equal value. `header` (may be empty) is printed first as "# " comments.
  std::string ToYaml(const T& value, std::string_view header) const;

  bool Equal(const T& a, const T& b) const { return SchemaBase::Equal(&a, &b); }

 private:
  static Field Make(std::string name, FieldKind kind, std::string doc) {
    Field f;
    f.name = std::move(name);
    f.kind = kind;
    f.doc = std::move(doc);
    return f;
  }

  template <typename V>
  static void Bind(Field* f, V T::*member) {
    f->get = [member](const void* o) -> FieldValue {
      return static_cast<const T*>(o)->*member;
    };
    f->set = [member](void* o, FieldValue v) {
      V* value = std::get_if<V>(&v);
      assert(value != nullptr);
      if (value != nullptr) static_cast<T*>(o)->*member = std::move(*value);
    };
  }
};

template <typename T>
std::string Schema<T>::ToYaml(const T& value, std::string_view header) const {
  std::string out = YamlComment(header, 0);
  if (!out.empty()) out += '\n';
  AppendYaml(&value, 0, &out);
  return out;
}

}  // namespace tend

#endif  // TEND_CONFIG_SCHEMA_H_
