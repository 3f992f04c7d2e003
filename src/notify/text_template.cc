#include "notify/text_template.h"

#include <cctype>
#include <string>

#include "notify/notification.h"

namespace tend::notify {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    size_t j = i;
    if (s[i] == '"') {
      j = s.find('"', i + 1);
      j = (j == std::string_view::npos) ? s.size() : j + 1;
    } else {
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) {
        ++j;
      }
    }
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string Apply(std::string v, char f) {
  if (f == 'U') {
    for (char& c : v)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else if (f == 'L') {
    for (char& c : v)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  } else if (f == 'T') {
    bool start = true;
    for (char& c : v) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        if (start)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        start = false;
      } else {
        start = true;
      }
    }
  }
  return v;
}

}  // namespace

Result<TextTemplate> TextTemplate::Parse(std::string_view text) {
  TextTemplate t;
  t.source_ = std::string(text);
  size_t pos = 0;
  bool trim_next = false;
  while (pos <= text.size()) {
    size_t open = text.find("{{", pos);
    std::string_view literal =
        text.substr(pos, open == std::string_view::npos ? std::string_view::npos
                                                        : open - pos);
    bool trim_prev = open != std::string_view::npos && open + 2 < text.size() &&
                     text[open + 2] == '-' && open + 3 < text.size() &&
                     std::isspace(static_cast<unsigned char>(text[open + 3]));
    if (trim_next) {
      while (!literal.empty() &&
             std::isspace(static_cast<unsigned char>(literal.front()))) {
        literal.remove_prefix(1);
      }
    }
    if (trim_prev) {
      while (!literal.empty() &&
             std::isspace(static_cast<unsigned char>(literal.back()))) {
        literal.remove_suffix(1);
      }
    }
    if (!literal.empty()) {
      t.parts_.push_back({Kind::kText, std::string(literal), {}});
    }
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("template: unclosed action at offset " +
                                  std::to_string(open));
    }
    std::string_view action = text.substr(open + 2, close - open - 2);
    if (trim_prev) action.remove_prefix(1);
    trim_next = false;
    if (action.size() >= 2 && action.back() == '-' &&
        std::isspace(static_cast<unsigned char>(action[action.size() - 2]))) {
      action.remove_suffix(1);
      trim_next = true;
    }
    pos = close + 2;
    action = Trim(action);
    if (action.starts_with("/*") && action.ends_with("*/")) continue;
    auto bad = [&](std::string why) {
      return InvalidArgumentError("template: action {{" + std::string(action) +
                                  "}} at offset " + std::to_string(open) +
                                  ": " + why);
    };
    // Split the pipeline.
    std::vector<std::string_view> stages;
    size_t s = 0;
    while (true) {
      size_t bar = action.find('|', s);
      stages.push_back(Trim(action.substr(s, bar == std::string_view::npos
                                                 ? std::string_view::npos
                                                 : bar - s)));
      if (bar == std::string_view::npos) break;
      s = bar + 1;
    }
    std::vector<std::string_view> head = Words(stages[0]);
    if (head.empty()) return bad("empty action");
    Part part{Kind::kText, "", {}};
    bool counted = false;
    std::string_view field = head[0];
    if (head[0] == "template") {
      if (head.size() != 3 || head[2] != "." || head[1].size() < 2 ||
          head[1].front() != '"' || head[1].back() != '"') {
        return bad("want {{ template \"NAME\" . }}");
      }
      std::string_view name = head[1].substr(1, head[1].size() - 2);
      if (name == "__subject" || name == "slack.default.title" ||
          name == "email.default.subject") {
        part.kind = Kind::kSubject;
      } else if (name == "__text_alert_list" || name == "slack.default.text" ||
                 name == "email.default.text") {
        part.kind = Kind::kAlertList;
      } else {
        return bad("unknown template \"" + std::string(name) +
                   "\" (custom template files are not supported)");
      }
      if (stages.size() > 1) return bad("pipes after template");
      t.parts_.push_back(std::move(part));
      continue;
    }
    if (head[0] == "len") {
      if (head.size() != 2) return bad("want len .Alerts");
      field = head[1];
      counted = true;
    } else if (head.size() != 1) {
      return bad("only fields, len, template and pipes are supported");
    }
    auto prefixed = [&](std::string_view prefix, Kind kind) {
      if (!field.starts_with(prefix) || field.size() == prefix.size()) {
        return false;
      }
      part.kind = kind;
      part.arg = std::string(field.substr(prefix.size()));
      return true;
    };
    if (field == ".Status") {
      part.kind = Kind::kStatus;
    } else if (field == ".Receiver") {
      part.kind = Kind::kReceiver;
    } else if (field == ".ExternalURL") {
      part.kind = Kind::kExternalUrl;
    } else if (field == ".GroupKey") {
      part.kind = Kind::kGroupKey;
    } else if (field == ".Alerts") {
      part.kind = Kind::kCountAll;
    } else if (field == ".Alerts.Firing") {
      part.kind = Kind::kCountFiring;
    } else if (field == ".Alerts.Resolved") {
      part.kind = Kind::kCountResolved;
    } else if (prefixed(".GroupLabels.", Kind::kGroupLabel) ||
               prefixed(".CommonLabels.", Kind::kCommonLabel) ||
               prefixed(".CommonAnnotations.", Kind::kCommonAnnotation)) {
    } else {
      return bad("unsupported field " + std::string(field));
    }
    bool is_list = part.kind == Kind::kCountAll ||
                   part.kind == Kind::kCountFiring ||
                   part.kind == Kind::kCountResolved;
    for (size_t i = 1; i < stages.size(); ++i) {
      std::string_view f = stages[i];
      if (f == "len") {
        if (counted || !is_list) return bad("len applies to .Alerts only");
        counted = true;
      } else if (f == "toUpper") {
        part.funcs.push_back(Func::kUpper);
      } else if (f == "toLower") {
        part.funcs.push_back(Func::kLower);
      } else if (f == "title") {
        part.funcs.push_back(Func::kTitle);
      } else {
        return bad("unsupported function " + std::string(f) +
                   " (supported: len, toUpper, toLower, title)");
      }
    }
    if (is_list && !counted) return bad(".Alerts needs len");
    if (counted && !is_list) return bad("len applies to .Alerts only");
    t.parts_.push_back(std::move(part));
  }
  return t;
}

std::string TextTemplate::Render(const Notification& n) const {
  std::string out;
  for (const Part& p : parts_) {
    std::string v;
    switch (p.kind) {
      case Kind::kText:
        v = p.arg;
        break;
      case Kind::kStatus:
        v = n.status;
        break;
      case Kind::kReceiver:
        v = n.receiver;
        break;
      case Kind::kExternalUrl:
        v = n.external_url;
        break;
      case Kind::kGroupKey:
        v = n.group_key;
        break;
      case Kind::kGroupLabel:
        v = GetLabel(n.group_labels, p.arg);
        break;
      case Kind::kCommonLabel:
        v = GetLabel(n.common_labels, p.arg);
        break;
      case Kind::kCommonAnnotation:
        v = GetLabel(n.common_annotations, p.arg);
        break;
      case Kind::kCountAll:
        v = std::to_string(n.alerts.size());
        break;
      case Kind::kCountFiring:
        v = std::to_string(n.FiringCount());
        break;
      case Kind::kCountResolved:
        v = std::to_string(n.ResolvedCount());
        break;
      case Kind::kSubject:
        v = DefaultSubject(n);
        break;
      case Kind::kAlertList:
        v = DefaultAlertList(n);
        break;
    }
    for (Func f : p.funcs) {
      v = Apply(std::move(v), f == Func::kUpper   ? 'U'
                              : f == Func::kLower ? 'L'
                                                  : 'T');
    }
    out += v;
  }
  return out;
}

std::string DefaultSubject(const Notification& n) {
  std::string out = "[";
  out += Apply(n.status, 'U');
  if (n.status == "firing") out += ":" + std::to_string(n.FiringCount());
  out += "]";
  for (const Label& l : n.group_labels) out += " " + l.value;
  std::string rest;
  for (const Label& l : n.common_labels) {
    if (GetLabel(n.group_labels, l.name).empty()) {
      if (!rest.empty()) rest += " ";
      rest += l.value;
    }
  }
  if (!rest.empty()) out += " (" + rest + ")";
  return out;
}

std::string DefaultAlertList(const Notification& n) {
  std::string out;
  for (const alert::Alert& a : n.alerts) {
    out += a.firing() ? "[FIRING] " : "[RESOLVED] ";
    out += LabelsToString(a.labels);
    out += "\n";
    for (const Label& l : a.annotations) {
      out += "  " + l.name + ": " + l.value + "\n";
    }
    out += "  since: " + FormatRfc3339(a.starts_at_ms) + "\n";
    if (!a.firing()) out += "  ended: " + FormatRfc3339(a.ends_at_ms) + "\n";
  }
  return out;
}

}  // namespace tend::notify
