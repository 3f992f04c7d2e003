#include "automate/run/text_output.h"

#include "automate/jinja/py_json.h"
#include "automate/run/unified_diff.h"

namespace tend::automate {
namespace {

std::string HostLabel(const TaskResult& r) {
  if (r.delegated_to.empty()) return "[" + r.host + "]";
  return "[" + r.host + " -> " + r.delegated_to + "]";
}

// What the default callback shows of a result: internal keys dropped;
// debug shows only its message or variable.
Value Shown(const TaskResult& r, const Value& result) {
  Value v = result.is_object() ? result : Value::object();
  // The default callback does not print "failed" (the line says it).
  v.erase("failed");
  if (r.action == "debug") {
    v.erase("changed");
    v.erase("failed");
  }
  for (auto it = v.begin(); it != v.end();) {
    if (it.key().starts_with("_ansible")) {
      it = v.erase(it);
    } else {
      ++it;
    }
  }
  return v;
}

}  // namespace

std::string Banner(const std::string& text) {
  int stars = 80 - static_cast<int>(text.size()) - 1;
  if (stars < 3) stars = 3;
  return text + " " + std::string(static_cast<size_t>(stars), '*');
}

std::string RecapLine(const std::string& host, const HostStats& s) {
  char buf[512];
  auto field = [](const char* name, int n) {
    char f[64];
    std::snprintf(f, sizeof f, "%s=%-4d", name, n);
    return std::string(f);
  };
  std::snprintf(buf, sizeof buf, "%-26s : ", host.c_str());
  std::string out = buf;
  out += field("ok", s.ok) + " " + field("changed", s.changed) + " " +
         field("unreachable", s.unreachable) + " " + field("failed", s.failed) +
         " " + field("skipped", s.skipped) + " " + field("rescued", s.rescued) +
         " " + field("ignored", s.ignored);
  return out;
}

std::string FormatDiff(const FileDiff& d) {
  std::string hunks = UnifiedDiffHunks(d.before, d.after);
  if (hunks.empty()) return "";
  std::string out;
  if (d.is_state) {
    out = "--- before\n+++ after\n";
  } else {
    out = "--- before: " + d.before_header + "\n+++ after: " +
          (d.after_header.empty() ? d.before_header : d.after_header) + "\n";
  }
  return out + hunks + "\n";
}

void TextOutput::Write(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), out_);
  std::fflush(out_);
}

void TextOutput::OnPlayStart(const std::string& name) {
  MutexLock lock(&mu_);
  Write("\n" + Banner("PLAY [" + name + "]") + "\n");
}

void TextOutput::OnNoHostsMatched() {
  MutexLock lock(&mu_);
  Write("skipping: no hosts matched\n");
}

void TextOutput::OnTaskStart(const std::string& name, bool handler) {
  MutexLock lock(&mu_);
  Write("\n" + Banner((handler ? "RUNNING HANDLER [" : "TASK [") + name + "]") +
        "\n");
}

void TextOutput::OnHostResult(const TaskResult& r) {
  std::string out;
  const std::string host = HostLabel(r);
  if (r.looped) {
    for (const ItemResult& item : r.items) {
      for (const FileDiff& d : item.diffs) out += FormatDiff(d);
      const std::string label = "(item=" + item.label + ")";
      switch (item.outcome) {
        case Outcome::kOk:
        case Outcome::kChanged:
          out +=
              std::string(item.outcome == Outcome::kOk ? "ok: " : "changed: ") +
              host + " => " + label;
          if (r.verbose)
            out += " => " + jinja::PyJsonDumps(Shown(r, item.result), 4, true);
          out += "\n";
          break;
        case Outcome::kSkipped:
          out += "skipping: " + host + " => " + label + " \n";
          break;
        case Outcome::kFailed:
          out += "failed: " + host + " " + label + " => " +
                 jinja::PyJsonDumps(Shown(r, item.result), -1, true) + "\n";
          break;
        case Outcome::kUnreachable:
          out += "fatal: " + host + ": UNREACHABLE! => " +
                 jinja::PyJsonDumps(Shown(r, item.result), -1, true) + "\n";
          break;
      }
    }
    if (r.items.empty() && r.outcome == Outcome::kSkipped) {
      out += "skipping: " + host + "\n";
    }
    if (r.items.empty() && r.outcome == Outcome::kFailed) {
      out += "fatal: " + host + ": FAILED! => " +
             jinja::PyJsonDumps(Shown(r, r.result), -1, true) + "\n";
    }
  } else {
    for (const FileDiff& d : r.diffs) out += FormatDiff(d);
    switch (r.outcome) {
      case Outcome::kOk:
      case Outcome::kChanged:
        out += std::string(r.outcome == Outcome::kOk ? "ok: " : "changed: ") +
               host;
        if (r.verbose)
          out += " => " + jinja::PyJsonDumps(Shown(r, r.result), 4, true);
        out += "\n";
        break;
      case Outcome::kSkipped:
        out += "skipping: " + host + "\n";
        break;
      case Outcome::kFailed:
        out += "fatal: " + host + ": FAILED! => " +
               jinja::PyJsonDumps(Shown(r, r.result), -1, true) + "\n";
        break;
      case Outcome::kUnreachable:
        out += "fatal: " + host + ": UNREACHABLE! => " +
               jinja::PyJsonDumps(Shown(r, r.result), -1, true) + "\n";
        break;
    }
  }
  if (r.ignored) out += "...ignoring\n";
  MutexLock lock(&mu_);
  Write(out);
}

void TextOutput::OnIncluded(const std::string& path,
                            const std::vector<std::string>& hosts,
                            const std::string& item_label) {
  std::string line = "included: " + path + " for ";
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (i > 0) line += ", ";
    line += hosts[i];
  }
  if (!item_label.empty()) line += " => (item=" + item_label + ")";
  MutexLock lock(&mu_);
  Write(line + "\n");
}

void TextOutput::OnNoMoreHosts() {
  MutexLock lock(&mu_);
  Write("\n" + Banner("NO MORE HOSTS LEFT") + "\n");
}

void TextOutput::OnWarning(const std::string& message) {
  MutexLock lock(&mu_);
  Write("[WARNING]: " + message + "\n");
}

void TextOutput::OnRecap(const std::map<std::string, HostStats>& stats) {
  std::string out = "\n" + Banner("PLAY RECAP") + "\n";
  for (const auto& [host, s] : stats) out += RecapLine(host, s) + "\n";
  out += "\n";
  MutexLock lock(&mu_);
  Write(out);
}

void JsonOutput::OnPlayStart(const std::string& name) {
  MutexLock lock(&mu_);
  plays_.push_back(
      Value{{"play", {{"name", name}}}, {"tasks", Value::array()}});
}

void JsonOutput::OnTaskStart(const std::string& name, bool handler) {
  MutexLock lock(&mu_);
  if (plays_.empty()) return;
  plays_.back()["tasks"].push_back(
      Value{{"task", {{"name", name}, {"handler", handler}}},
            {"hosts", Value::object()}});
}

void JsonOutput::OnHostResult(const TaskResult& r) {
  MutexLock lock(&mu_);
  if (plays_.empty() || plays_.back()["tasks"].empty()) return;
  Value v = r.result;
  const char* outcome = "ok";
  switch (r.outcome) {
    case Outcome::kOk:
      outcome = "ok";
      break;
    case Outcome::kChanged:
      outcome = "changed";
      break;
    case Outcome::kSkipped:
      outcome = "skipped";
      break;
    case Outcome::kFailed:
      outcome = "failed";
      break;
    case Outcome::kUnreachable:
      outcome = "unreachable";
      break;
  }
  v["outcome"] = outcome;
  if (r.ignored) v["ignored"] = true;
  if (!r.delegated_to.empty()) v["delegated_to"] = r.delegated_to;
  if (!r.diffs.empty()) {
    Value diffs = Value::array();
    for (const FileDiff& d : r.diffs) {
      diffs.push_back(Value{{"before_header", d.before_header},
                            {"after_header", d.after_header},
                            {"before", d.before},
                            {"after", d.after}});
    }
    v["diff"] = diffs;
  }
  plays_.back()["tasks"].back()["hosts"][r.host] = std::move(v);
}

void JsonOutput::OnRecap(const std::map<std::string, HostStats>& stats) {
  Value doc = Document();
  Value st = Value::object();
  for (const auto& [host, s] : stats) {
    st[host] = Value{{"ok", s.ok},
                     {"changed", s.changed},
                     {"unreachable", s.unreachable},
                     {"failures", s.failed},
                     {"skipped", s.skipped},
                     {"rescued", s.rescued},
                     {"ignored", s.ignored}};
  }
  doc["stats"] = st;
  std::string text = jinja::PyJsonDumps(doc, 4, false) + "\n";
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

Value JsonOutput::Document() const {
  MutexLock lock(&mu_);
  return Value{{"plays", plays_}};
}

}  // namespace tend::automate
