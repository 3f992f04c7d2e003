// Route matching and inhibition with Alertmanager's semantics.
#ifndef TEND_NOTIFY_ROUTE_H_
#define TEND_NOTIFY_ROUTE_H_

#include <string>
#include <vector>

#include "alert/alert.h"
#include "notify/config.h"

namespace tend::notify {

// A route of the configured tree with its key ("{}" for the root, then
// "/{matchers}" per level, "/N" added when siblings share matchers), as in
// Alertmanager's group keys. Immutable; points into the NotifyConfig it
// was built from, which must outlive it.
class Route {
 public:
  explicit Route(const RouteConfig& root) : Route(root, nullptr, "") {}

  // The routes an alert with `labels` goes to: depth first, the first
  // matching child (and the next ones while a matching child has
  // `continue`), a route itself when none of its children matches.
  // Empty only when the root does not match (never: it has no matchers).
  void Match(const Labels& labels, std::vector<const Route*>* out) const;

  const RouteConfig& config() const { return *config_; }
  const std::string& key() const { return key_; }

  // The labels an alert is grouped by on this route (group_by values
  // present on the alert, or every label for '...').
  Labels GroupLabels(const Labels& labels) const;

 private:
  Route(const RouteConfig& config, const Route* parent, std::string suffix);
  const RouteConfig* config_;
  std::string key_;
  std::vector<Route> children_;
};

// Alertmanager's inhibition: an alert matching a rule's target matchers is
// muted while some firing alert matches the source matchers and has the
// same values (absent counts as equal) for every `equal` label. An alert
// that matches both sides is not muted by alerts that also match both
// sides (so it cannot inhibit itself).
class Inhibitor {
 public:
  explicit Inhibitor(const std::vector<InhibitRuleConfig>& rules)
      : rules_(&rules) {}
  // `firing` is every currently firing alert (sources).
  bool Muted(const Labels& target,
             const std::vector<const alert::Alert*>& firing) const;

 private:
  const std::vector<InhibitRuleConfig>* rules_;
};

}  // namespace tend::notify

#endif  // TEND_NOTIFY_ROUTE_H_
