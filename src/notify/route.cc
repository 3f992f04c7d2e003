#include "notify/route.h"

#include <algorithm>
#include <map>

namespace tend::notify {
namespace {

std::string MatchersKey(const Matchers& matchers) {
  std::vector<std::string> parts;
  for (const LabelMatcher& m : matchers) parts.push_back(m.ToString());
  std::sort(parts.begin(), parts.end());
  std::string out = "{";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ",";
    out += parts[i];
  }
  return out + "}";
}

}  // namespace

Route::Route(const RouteConfig& config, const Route* parent, std::string suffix)
    : config_(&config) {
  key_ = parent == nullptr
             ? "{}"
             : parent->key_ + "/" + MatchersKey(config.matchers) + suffix;
  std::map<std::string, int> seen;
  for (const RouteConfig& c : config.routes) seen[MatchersKey(c.matchers)]++;
  std::map<std::string, int> index;
  children_.reserve(config.routes.size());
  for (const RouteConfig& c : config.routes) {
    std::string mk = MatchersKey(c.matchers);
    std::string sfx;
    int i = index[mk]++;
    if (seen[mk] > 1) sfx = "/" + std::to_string(i);
    children_.push_back(Route(c, this, sfx));
  }
}

void Route::Match(const Labels& labels, std::vector<const Route*>* out) const {
  if (!MatchesAll(config_->matchers, labels)) return;
  size_t before = out->size();
  for (const Route& child : children_) {
    size_t n = out->size();
    child.Match(labels, out);
    if (out->size() > n && !child.config_->continue_matching) break;
  }
  if (out->size() == before) out->push_back(this);
}

Labels Route::GroupLabels(const Labels& labels) const {
  if (config_->group_by_all) return labels;
  Labels out;
  for (const std::string& name : config_->group_by) {
    std::string_view v = GetLabel(labels, name);
    if (!v.empty()) out.push_back({name, std::string(v)});
  }
  CanonicalizeLabels(&out);
  return out;
}

bool Inhibitor::Muted(const Labels& target,
                      const std::vector<const alert::Alert*>& firing) const {
  for (const InhibitRuleConfig& rule : *rules_) {
    if (!MatchesAll(rule.target_matchers, target)) continue;
    bool target_is_source = MatchesAll(rule.source_matchers, target);
    for (const alert::Alert* a : firing) {
      if (!MatchesAll(rule.source_matchers, a->labels)) continue;
      if (target_is_source && MatchesAll(rule.target_matchers, a->labels)) {
        continue;
      }
      bool equal = true;
      for (const std::string& name : rule.equal) {
        if (GetLabel(target, name) != GetLabel(a->labels, name)) {
          equal = false;
          break;
        }
      }
      if (equal) return true;
    }
  }
  return false;
}

}  // namespace tend::notify
