#include "alert/rules/rule_file.h"

#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "alert/rules/scalar_pos.h"
#include "base/duration.h"
#include "base/file_util.h"
#include "config/config_error.h"
#include "config/yaml_document.h"
#include "logs/logql/parser.h"
#include "model/labels.h"
#include "promql/parser.h"

namespace tend::alert {
namespace {

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    int len = c < 0x80         ? 1
              : (c >> 5) == 6  ? 2
              : (c >> 4) == 14 ? 3
              : (c >> 3) == 30 ? 4
                               : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// Parses "<line>:<col>: rest" at the start of `msg`.
bool SplitPosition(std::string_view msg, int* line, int* col,
                   std::string_view* rest) {
  char* end = nullptr;
  const std::string s(msg.substr(0, 32));
  const long l = std::strtol(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != ':') return false;
  const char* c0 = end + 1;
  const long c = std::strtol(c0, &end, 10);
  if (end == c0 || end[0] != ':' || end[1] != ' ') return false;
  *line = static_cast<int>(l);
  *col = static_cast<int>(c);
  *rest = msg.substr(end + 2 - s.c_str());
  return true;
}

// Parses LogQL's "parse error at line L, col C: rest".
bool SplitLogqlPosition(std::string_view msg, int* line, int* col,
                        std::string_view* rest) {
  const std::string_view prefix = "parse error at line ";
  if (msg.substr(0, prefix.size()) != prefix) return false;
  const std::string s(msg.substr(prefix.size(), 40));
  char* end = nullptr;
  const long l = std::strtol(s.c_str(), &end, 10);
  if (std::string_view(end).substr(0, 6) != ", col ") return false;
  const char* c0 = end + 6;
  const long c = std::strtol(c0, &end, 10);
  if (end == c0 || end[0] != ':' || end[1] != ' ') return false;
  *line = static_cast<int>(l);
  *col = static_cast<int>(c);
  *rest = msg.substr(prefix.size() + (end + 2 - s.c_str()));
  return true;
}

// The value of `key` in map `n`, or a null node (yaml-cpp's operator[]
// on a const node returns an invalid node that throws when used).
YAML::Node Lookup(const YAML::Node& n, const char* key) {
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node();
}

class Loader {
 public:
  Loader(std::string_view text, const std::string& path, QueryLanguage lang)
      : text_(text), file_(text), path_(path), lang_(lang), errors_(path) {}

  Result<RuleFile> Run() {
    std::optional<YAML::Node> doc =
        ParseYamlDocument(text_, kMaxRuleFileBytes, &errors_);
    RuleFile out;
    out.path = path_;
    if (doc.has_value()) {
      try {
        Top(*doc, &out);
      } catch (const std::exception& e) {
        errors_.Add(0, 0, "",
                    std::string("cannot read rule file: ") + e.what());
      }
    }
    if (!errors_.empty()) return errors_.ToStatus();
    return out;
  }

 private:
  void AddAt(const YAML::Node& n, const std::string& where, std::string msg) {
    const YAML::Mark m = n.Mark();
    errors_.Add(LineOf(m), ColumnOf(m), where, std::move(msg));
  }

  // Checks the keys of map `n` against `allowed`: unknown and repeated keys
  // are errors. Returns key -> (key node, value node).
  std::map<std::string, std::pair<YAML::Node, YAML::Node>> Fields(
      const YAML::Node& n, std::initializer_list<const char*> allowed,
      const std::string& where, const char* what) {
    std::map<std::string, std::pair<YAML::Node, YAML::Node>> out;
    for (auto it = n.begin(); it != n.end(); ++it) {
      const YAML::Node key = it->first;
      if (!key.IsScalar()) {
        AddAt(key, where,
              std::string("a ") + what +
                  " field name must be "
                  "a string");
        continue;
      }
      const std::string& k = key.Scalar();
      bool known = false;
      for (const char* a : allowed) known = known || k == a;
      if (!known) {
        std::string list;
        for (const char* a : allowed) {
          if (!list.empty()) list += ", ";
          list += a;
        }
        AddAt(key, where,
              "field " + k + " not found in " + what +
                  " (known fields: " + list + ")");
        continue;
      }
      auto [pos, inserted] = out.emplace(k, std::make_pair(key, it->second));
      if (!inserted) {
        AddAt(key, where,
              "mapping key \"" + k + "\" already defined at line " +
                  std::to_string(LineOf(pos->second.first.Mark())));
      }
    }
    return out;
  }

  // A scalar's text; an error (and false) for a map or sequence. Null is "".
  bool Scalar(const YAML::Node& n, const std::string& where,
              const std::string& field, std::string* out) {
    if (n.IsNull()) {
      out->clear();
      return true;
    }
    if (!n.IsScalar()) {
      AddAt(n, where,
            field + ": want a string, found a " + (n.IsMap() ? "map" : "list"));
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  bool Budget(const YAML::Node& n, size_t count = 1) {
    items_ += count;
    if (items_ <= kMaxRuleFileItems) return true;
    if (!over_budget_) {
      over_budget_ = true;
      AddAt(n, "",
            "the file holds more than " + std::to_string(kMaxRuleFileItems) +
                " rules, labels and annotations (repeated YAML "
                "aliases?)");
    }
    return false;
  }

  void Top(const YAML::Node& doc, RuleFile* out) {
    if (doc.IsNull()) return;  // An empty file has no groups.
    if (!doc.IsMap()) {
      AddAt(doc, "", "a rule file is a map with a `groups:` list");
      return;
    }
    auto fields = Fields(doc, {"groups"}, "", "the rule file");
    auto it = fields.find("groups");
    if (it == fields.end()) return;
    const YAML::Node& groups = it->second.second;
    if (groups.IsNull()) return;
    if (!groups.IsSequence()) {
      AddAt(groups, "", "groups: want a list of groups");
      return;
    }
    std::map<std::string, int> seen;  // Group name -> line.
    for (size_t i = 0; i < groups.size() && !over_budget_; ++i) {
      RuleGroup g;
      if (Group(groups[i], i, &g, &seen)) out->groups.push_back(std::move(g));
    }
  }

  bool Group(const YAML::Node& n, size_t index, RuleGroup* g,
             std::map<std::string, int>* seen) {
    std::string where = "group " + std::to_string(index + 1);
    if (!n.IsMap()) {
      AddAt(n, where, "a group is a map with name and rules");
      return false;
    }
    const size_t before = errors_.count();
    if (const YAML::Node name = Lookup(n, "name");
        name.IsScalar() && !name.Scalar().empty()) {
      where = "group \"" + name.Scalar() + "\"";
    }
    g->file = path_;
    g->pos = Pos(n);
    auto f = Fields(n, {"name", "interval", "limit", "query_offset", "rules"},
                    where, "a rule group");
    auto get = [&](const char* k) -> const YAML::Node* {
      auto it = f.find(k);
      return it == f.end() ? nullptr : &it->second.second;
    };
    if (const YAML::Node* name = get("name")) {
      Scalar(*name, where, "name", &g->name);
    }
    bool duplicate = false;
    if (g->name.empty()) {
      AddAt(n, where, "group name must not be empty");
    } else {
      where = "group \"" + g->name + "\"";
      auto [it, inserted] = seen->emplace(g->name, LineOf(n.Mark()));
      if (!inserted) {
        duplicate = true;
        AddAt(*get("name"), where,
              "group name \"" + g->name +
                  "\" is repeated in the same file (first at line " +
                  std::to_string(it->second) + ")");
      }
    }
    if (const YAML::Node* v = get("interval")) {
      Duration(*v, where, "interval", &g->interval_ms);
    }
    if (const YAML::Node* v = get("query_offset")) {
      Duration(*v, where, "query_offset", &g->query_offset_ms);
    }
    if (const YAML::Node* v = get("limit")) {
      std::string s;
      if (Scalar(*v, where, "limit", &s)) {
        char* end = nullptr;
        errno = 0;
        const long long x = std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || *end != 0 || errno == ERANGE || x < 0) {
          AddAt(*v, where,
                "limit: want a non-negative integer, found \"" + s + "\"");
        } else {
          g->limit = x;
        }
      }
    }
    // A repeated group's rules are not checked again (it is an error
    // already, and an alias would repeat all of its work).
    const YAML::Node* rules = duplicate ? nullptr : get("rules");
    if (rules != nullptr) {
      if (rules->IsSequence()) {
        for (size_t i = 0; i < rules->size() && !over_budget_; ++i) {
          Rule r;
          if (RuleAt((*rules)[i], where, i, &r))
            g->rules.push_back(std::move(r));
        }
      } else if (!rules->IsNull()) {
        AddAt(*rules, where, "rules: want a list of rules");
      }
    }
    return errors_.count() == before;
  }

  SourcePos Pos(const YAML::Node& n) const {
    return SourcePos{path_, LineOf(n.Mark()), ColumnOf(n.Mark())};
  }

  void Duration(const YAML::Node& v, const std::string& where,
                const std::string& field, int64_t* out) {
    std::string s;
    if (!Scalar(v, where, field, &s)) return;
    Result<int64_t> ms = ParseDuration(s);
    if (!ms.ok()) {
      AddAt(v, where,
            field + ": not a valid duration string: \"" + s + "\" (" +
                ms.status().message() + ")");
      return;
    }
    *out = *ms;
  }

  bool RuleAt(const YAML::Node& n, const std::string& group_where, size_t index,
              Rule* r) {
    const std::string num = "rule " + std::to_string(index + 1);
    std::string where = group_where + ", " + num;
    if (!Budget(n)) return false;
    if (!n.IsMap()) {
      AddAt(n, where, "a rule is a map with record or alert, and expr");
      return false;
    }
    const size_t before = errors_.count();
    r->pos = Pos(n);
    {
      // Name the rule in every message, also those about its fields.
      const YAML::Node a = Lookup(n, "alert"), rec = Lookup(n, "record");
      if (a.IsScalar() && !a.Scalar().empty()) {
        where = group_where + ", " + num + " (alert " + a.Scalar() + ")";
      } else if (rec.IsScalar() && !rec.Scalar().empty()) {
        where = group_where + ", " + num + " (record " + rec.Scalar() + ")";
      }
    }
    auto f = Fields(n,
                    {"record", "alert", "expr", "for", "keep_firing_for",
                     "labels", "annotations"},
                    where, "a rule");
    auto get = [&](const char* k) -> const YAML::Node* {
      auto it = f.find(k);
      return it == f.end() ? nullptr : &it->second.second;
    };
    std::string record, alert;
    if (const YAML::Node* v = get("record"))
      Scalar(*v, where, "record", &record);
    if (const YAML::Node* v = get("alert")) Scalar(*v, where, "alert", &alert);
    if (!record.empty() && !alert.empty()) {
      where = group_where + ", " + num + " (alert " + alert + ")";
      AddAt(n, where, "only one of 'record' and 'alert' must be set");
    } else if (record.empty() && alert.empty()) {
      AddAt(n, where, "one of 'record' or 'alert' must be set");
    }
    const bool is_record = !record.empty() && alert.empty();
    r->kind = is_record ? RuleKind::kRecord : RuleKind::kAlert;
    r->name = is_record ? record : alert;
    if (!r->name.empty() && !(!record.empty() && !alert.empty())) {
      where = group_where + ", " + num + " (" +
              (is_record ? "record " : "alert ") + r->name + ")";
    }
    if (is_record && !IsValidMetricName(record)) {
      AddAt(*get("record"), where, "invalid recording rule name: " + record);
    }
    if (!alert.empty() && !ValidUtf8(alert)) {
      AddAt(*get("alert"), where, "invalid alerting rule name: not UTF-8");
    }
    const YAML::Node* expr = get("expr");
    if (expr != nullptr) Scalar(*expr, where, "expr", &r->expr);
    if (r->expr.find_first_not_of(" \t\r\n") == std::string::npos) {
      AddAt(expr != nullptr ? *expr : n, where,
            "field 'expr' must be set in rule");
    } else {
      r->expr_pos = Pos(*expr);
      Expr(*expr, where, r);
    }
    if (const YAML::Node* v = get("for")) {
      if (is_record) {
        AddAt(f["for"].first, where, "invalid field 'for' in recording rule");
      }
      Duration(*v, where, "for", &r->for_ms);
    }
    if (const YAML::Node* v = get("keep_firing_for")) {
      if (is_record) {
        AddAt(f["keep_firing_for"].first, where,
              "invalid field 'keep_firing_for' in recording rule");
      }
      Duration(*v, where, "keep_firing_for", &r->keep_firing_for_ms);
    }
    if (const YAML::Node* v = get("labels")) {
      Pairs(*v, where, "labels", is_record, &r->labels);
    }
    if (const YAML::Node* v = get("annotations")) {
      if (is_record) {
        AddAt(f["annotations"].first, where,
              "invalid field 'annotations' in recording rule");
      }
      Pairs(*v, where, "annotations", is_record, &r->annotations);
    }
    return errors_.count() == before;
  }

  // Reports a parser error found at byte `offset` of the scalar `v`.
  void AddInScalar(const YAML::Node& v, const std::string& text, size_t offset,
                   const std::string& where, const std::string& msg) {
    int line, col;
    if (v.IsScalar() && file_.MapOffset(static_cast<size_t>(v.Mark().pos), text,
                                        offset, &line, &col)) {
      errors_.Add(line, col, where, msg);
    } else {
      AddAt(v, where, msg);
    }
  }

  void Expr(const YAML::Node& v, const std::string& where, Rule* r) {
    if (lang_ == QueryLanguage::kPromQL) {
      Result<promql::ExprPtr> e = promql::ParseExpr(r->expr);
      if (e.ok()) {
        r->language = QueryLanguage::kPromQL;
        r->promql = std::shared_ptr<const promql::Expr>(std::move(*e));
        return;
      }
      Result<std::unique_ptr<logql::Expr>> l = logql::ParseLogQL(r->expr);
      if (l.ok() && (*l)->is_metric()) {
        r->language = QueryLanguage::kLogQL;
        return;
      }
      int line = 0, col = 0;
      std::string_view rest;
      std::string msg = "could not parse expr: ";
      size_t offset = 0;
      if (SplitPosition(e.status().message(), &line, &col, &rest)) {
        offset = OffsetOf(r->expr, line, col);
        msg += std::string(rest);
      } else {
        msg += e.status().message();
      }
      if (l.ok()) {
        msg +=
            " (as LogQL it is a log query; a rule needs a metric query "
            "such as count_over_time(... [5m]))";
      }
      AddInScalar(v, r->expr, offset, where, msg);
      return;
    }
    r->language = QueryLanguage::kLogQL;
    Result<std::unique_ptr<logql::Expr>> l = logql::ParseLogQL(r->expr);
    if (!l.ok()) {
      int line = 0, col = 0;
      std::string_view rest;
      size_t offset = 0;
      std::string msg = "could not parse LogQL expr: ";
      if (SplitLogqlPosition(l.status().message(), &line, &col, &rest)) {
        offset = OffsetOf(r->expr, line, col);
        msg += "parse error: " + std::string(rest);
      } else {
        msg += l.status().message();
      }
      AddInScalar(v, r->expr, offset, where, msg);
      return;
    }
    if (!(*l)->is_metric()) {
      AddAt(v, where,
            "expr is a LogQL log query, not a metric query; a log rule needs "
            "a metric query such as count_over_time(" +
                r->expr + " [5m]) > 0");
    }
  }

  void Pairs(const YAML::Node& n, const std::string& where,
             const std::string& field, bool is_record,
             std::vector<TemplatedPair>* out) {
    if (n.IsNull()) return;
    if (!n.IsMap()) {
      AddAt(n, where, field + ": want a map of names to values");
      return;
    }
    auto cached = pairs_cache_.find(n.Mark().pos);
    if (cached != pairs_cache_.end()) {
      if (Budget(n, cached->second.size())) *out = cached->second;
      return;
    }
    const size_t first = out->size();
    std::set<std::string> seen;
    const bool labels = field == "labels";
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!Budget(it->first)) return;
      std::string name, value;
      if (!Scalar(it->first, where, field, &name)) continue;
      if (!seen.insert(name).second) {
        AddAt(it->first, where,
              field + ": mapping key \"" + name + "\" already defined");
        continue;
      }
      if (labels ? (!IsValidLabelName(name) || name == kMetricNameLabel)
                 : !IsValidLabelName(name)) {
        AddAt(it->first, where,
              std::string(labels ? "invalid label name: "
                                 : "invalid annotation name: ") +
                  name);
        continue;
      }
      if (!Scalar(it->second, where, field + "." + name, &value)) continue;
      if (!ValidUtf8(value)) {
        AddAt(it->second, where,
              field + "." + name + ": invalid label value: not UTF-8");
        continue;
      }
      TemplatedPair p;
      p.name = name;
      p.text = value;
      p.pos = Pos(it->second);
      if (is_record && labels && value.find("{{") != std::string::npos) {
        AddAt(it->second, where,
              "labels." + name +
                  ": a recording rule's labels are not templates (the text "
                  "would be stored as written); remove the {{ }}");
        continue;
      }
      // Record rules keep their labels as plain text; parse them only to
      // fill TemplatedPair::tmpl (a label without {{ is plain text).
      Result<std::shared_ptr<const tmpl::Template>> t =
          tmpl::Template::Parse("", value);
      if (!t.ok()) {
        int line = 0, col = 0;
        std::string_view rest;
        size_t offset = 0;
        std::string msg = field + "." + name + ": could not parse template: ";
        if (SplitPosition(t.status().message(), &line, &col, &rest)) {
          offset = OffsetOf(value, line, col);
          msg += std::string(rest);
        } else {
          msg += t.status().message();
        }
        AddInScalar(it->second, value, offset, where, msg);
        continue;
      }
      p.tmpl = std::move(*t);
      out->push_back(std::move(p));
    }
    if (!over_budget_) {
      pairs_cache_.emplace(n.Mark().pos, std::vector<TemplatedPair>(
                                             out->begin() + first, out->end()));
    }
  }

  std::string_view text_;
  FileText file_;
  std::string path_;
  QueryLanguage lang_;
  ConfigErrors errors_;
  size_t items_ = 0;
  bool over_budget_ = false;
  // Keyed by the node's byte offset: an alias has its anchor's position.
  std::unordered_map<int, Rule> rule_cache_;
  std::unordered_map<int, std::vector<TemplatedPair>> pairs_cache_;
};

}  // namespace

Result<RuleFile> ParseRuleFile(std::string_view text, const std::string& path,
                               QueryLanguage default_language) {
  return Loader(text, path, default_language).Run();
}

Result<RuleFile> LoadRuleFile(const std::string& path,
                              QueryLanguage default_language) {
  std::string text;
  Status read = ReadFileLimited(path, kMaxRuleFileBytes, "a rule file", &text);
  if (!read.ok()) return read;
  return ParseRuleFile(text, path, default_language);
}

}  // namespace tend::alert
