// Writing field tables out: commented YAML documents and the Markdown
// reference.
#include <charconv>
#include <limits>

#include "base/duration.h"
#include "config/schema.h"
#include "config/yaml_text.h"

namespace tend {
namespace {

std::string FormatNumber(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// True when `s` can be written as a plain (unquoted) YAML scalar and read
// back as the same text: a conservative character set that cannot start an
// indicator, form ": " or " #", or be read as null.
bool IsPlainSafe(std::string_view s) {
  if (s.empty() || s.back() == ':') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
              c == '/' || c == ':' || c == '+';
    if (!ok) return false;
  }
  if (s[0] == '-' || s[0] == ':') return false;
  std::string lower;
  for (char c : s) lower += static_cast<char>(c | 0x20);
  // Words YAML would read as null or as another type are quoted anyway.
  return lower != "null" && lower != "true" && lower != "false" &&
         lower != "yes" && lower != "no" && lower != "on" && lower != "off" &&
         lower != "y" && lower != "n";
}

// A scalar field's value as YAML text.
std::string YamlScalar(const Field& f, const FieldValue& v) {
  switch (f.kind) {
    case FieldKind::kBool:
      return std::get<bool>(v) ? "true" : "false";
    case FieldKind::kInt:
      return std::to_string(std::get<int64_t>(v));
    case FieldKind::kDouble:
      return FormatNumber(std::get<double>(v));
    case FieldKind::kDuration:
      return FormatDuration(std::get<int64_t>(v));
    case FieldKind::kEnum:
    case FieldKind::kString: {
      const std::string& s = std::get<std::string>(v);
      return IsPlainSafe(s) ? s : YamlQuote(s);
    }
    case FieldKind::kRegex:
      // Always quoted: patterns are full of YAML indicators.
      return YamlQuote(std::get<std::string>(v));
    case FieldKind::kStringList:
    case FieldKind::kSection:
    case FieldKind::kSectionList:
      break;
  }
  return "";
}

// One element of a section list as a YAML sequence entry at `indent`: the
// element's fields without their doc comments (documented once, at the
// list), the first one after "- ".
std::string ListEntry(const SchemaBase& table, const void* element,
                      int indent) {
  std::string body;
  table.AppendYaml(element, indent + 2, &body);
  std::string out;
  bool first = true;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    std::string_view line(body.data() + pos, end - pos);
    pos = end + 1;
    size_t text = line.find_first_not_of(' ');
    if (text == std::string_view::npos || line[text] == '#') continue;
    if (first) {
      out += std::string(static_cast<size_t>(indent), ' ') + "- ";
      out += line.substr(static_cast<size_t>(indent) + 2);
      first = false;
    } else {
      out += line;
    }
    out += '\n';
  }
  if (first) out += std::string(static_cast<size_t>(indent), ' ') + "- {}\n";
  return out;
}

std::string RangeText(std::string lo, std::string hi, bool has_lo,
                      bool has_hi) {
  if (has_lo && has_hi) return lo + " to " + hi;
  if (has_lo) return "at least " + lo;
  if (has_hi) return "at most " + hi;
  return "";
}

// The allowed values or range of a field, in words ("" when any value of
// its type is allowed).
std::string AllowedText(const Field& f, bool code) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  switch (f.kind) {
    case FieldKind::kInt:
      return RangeText(std::to_string(f.min_int), std::to_string(f.max_int),
                       f.min_int != kMin, f.max_int != kMax);
    case FieldKind::kDuration:
      // Durations are never negative, so a bounded one reads "0s to 1d".
      return RangeText(FormatDuration(f.min_int), FormatDuration(f.max_int),
                       f.min_int != 0 || f.max_int != kMax, f.max_int != kMax);
    case FieldKind::kDouble:
      return RangeText(FormatNumber(f.min_double), FormatNumber(f.max_double),
                       f.min_double != -std::numeric_limits<double>::max(),
                       f.max_double != std::numeric_limits<double>::max());
    case FieldKind::kEnum: {
      std::string out;
      for (const std::string& a : f.allowed) {
        if (!out.empty()) out += ", ";
        out += code ? "`" + a + "`" : a;
      }
      return out;
    }
    case FieldKind::kRegex:
      return "RE2 syntax";
    default:
      break;
  }
  return "";
}

// A Markdown table cell: no line breaks, pipes escaped (GitHub tables
// split cells on unescaped pipes, even inside code spans).
std::string Cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Code(std::string_view s) {
  if (s.find('`') == std::string_view::npos) {
    return "`" + std::string(s) + "`";
  }
  return "`` " + std::string(s) + " ``";
}

std::string DefaultCell(const Field& f, const FieldValue& v) {
  switch (f.kind) {
    case FieldKind::kString:
    case FieldKind::kRegex:
    case FieldKind::kEnum: {
      const std::string& s = std::get<std::string>(v);
      return s.empty() ? "(empty)" : Code(s);
    }
    case FieldKind::kStringList: {
      const auto& list = std::get<std::vector<std::string>>(v);
      if (list.empty()) return "(empty)";
      std::string out;
      for (const std::string& s : list) {
        if (!out.empty()) out += ", ";
        out += Code(s);
      }
      return out;
    }
    default:
      return Code(YamlScalar(f, v));
  }
}

std::string Indent(int n) { return std::string(static_cast<size_t>(n), ' '); }

}  // namespace

void SchemaBase::AppendYaml(const void* obj, int indent,
                            std::string* out) const {
  bool first = true;
  for (const Field& f : fields_) {
    // A blank line before each section, and between the fields of the top
    // level, keeps the document readable.
    if (!first && (f.kind == FieldKind::kSection ||
                   f.kind == FieldKind::kSectionList || indent == 0)) {
      *out += '\n';
    }
    first = false;
    std::string doc = f.doc;
    std::string allowed = AllowedText(f, /*code=*/false);
    std::string note;
    if (f.kind == FieldKind::kEnum) {
      note = "One of: " + allowed + ".";
    } else if (!allowed.empty() && f.kind != FieldKind::kRegex) {
      note = "Range: " + allowed + ".";
    }
    if (!note.empty()) doc += (doc.empty() ? "" : "\n") + note;
    *out += YamlComment(doc, indent);
    *out += Indent(indent) + f.name + ":";
    if (f.kind == FieldKind::kSection) {
      *out += '\n';
      f.section->AppendYaml(f.sub(const_cast<void*>(obj)), indent + 2, out);
      continue;
    }
    if (f.kind == FieldKind::kSectionList) {
      size_t n = f.list_size(obj);
      if (n == 0) {
        *out += " []\n";
        continue;
      }
      *out += '\n';
      for (size_t i = 0; i < n; ++i) {
        *out += ListEntry(*f.section, f.list_at(const_cast<void*>(obj), i),
                          indent + 2);
      }
      continue;
    }
    FieldValue v = f.get(obj);
    if (f.kind == FieldKind::kStringList) {
      const auto& list = std::get<std::vector<std::string>>(v);
      if (list.empty()) {
        *out += " []\n";
      } else {
        *out += '\n';
        for (const std::string& s : list) {
          *out += Indent(indent + 2) + "- " +
                  (IsPlainSafe(s) ? s : YamlQuote(s)) + "\n";
        }
      }
      continue;
    }
    *out += " " + YamlScalar(f, v) + "\n";
  }
}

void SchemaBase::AppendMarkdown(const void* defaults, const std::string& path,
                                const std::string& doc,
                                std::string* out) const {
  if (!path.empty()) {
    *out += "## " + Code(path) + "\n\n";
    if (!doc.empty()) *out += doc + "\n\n";
  }
  auto is_table = [](const Field& f) {
    return f.kind == FieldKind::kSection || f.kind == FieldKind::kSectionList;
  };
  bool has_leaves = false;
  for (const Field& f : fields_) {
    if (!is_table(f)) has_leaves = true;
  }
  if (has_leaves) {
    *out += "| Key | Type | Default | Allowed | Description |\n";
    *out += "|---|---|---|---|---|\n";
    for (const Field& f : fields_) {
      if (is_table(f)) continue;
      *out += "| " + Code(f.name) + " | " + std::string(FieldKindName(f.kind)) +
              " | " + Cell(DefaultCell(f, f.get(defaults))) + " | " +
              Cell(AllowedText(f, /*code=*/true)) + " | " + Cell(f.doc) +
              " |\n";
    }
    *out += '\n';
  }
  for (const Field& f : fields_) {
    if (!is_table(f)) continue;
    std::string sub_path = path.empty() ? f.name : path + "." + f.name;
    if (f.kind == FieldKind::kSectionList) {
      // Documented once, for one element, with the element's defaults.
      f.section->AppendMarkdown(f.element_default.get(), sub_path + "[]",
                                f.doc + " A list; each element has these keys.",
                                out);
      continue;
    }
    f.section->AppendMarkdown(f.sub(const_cast<void*>(defaults)), sub_path,
                              f.doc, out);
  }
}

}  // namespace tend
