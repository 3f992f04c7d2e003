// unit probes: a systemd unit's ActiveState and NRestarts over D-Bus.
#include <array>

#include "probe/probe_table.h"
#include "probe/probe_util.h"
#include "probe/unit_connection.h"

namespace tend {
namespace {

// The ActiveState values systemd defines; probe_unit_state has one sample
// per value (1 for the current), as node_exporter's systemd collector does.
constexpr std::array<const char*, 6> kStates = {
    "active", "activating", "deactivating", "failed", "inactive", "reloading"};

class UnitProbe : public Probe {
 public:
  UnitProbe(const ProbeSpec& spec, const ProbeDeps& deps)
      : spec_(spec.unit), conn_(deps.unit_client_factory) {}

  ProbeResult Run(int64_t deadline_mono_ns) override {
    ProbeResult r;
    Result<UnitStatus> st = conn_.Status(spec_.unit);
    if (!st.ok()) {
      r.error = st.status().message();
      AddSample(&r, "probe_unit_active", 0);
      return r;
    }
    const UnitStatus& u = *st;
    AddSample(&r, "probe_unit_active", u.active_state == "active" ? 1 : 0);
    bool known = false;
    for (const char* state : kStates) {
      bool on = u.active_state == state;
      known |= on;
      AddSample(&r, "probe_unit_state", on ? 1 : 0, {{"state", state}});
    }
    if (!known && !u.active_state.empty()) {
      AddSample(&r, "probe_unit_state", 1, {{"state", u.active_state}});
    }
    AddSample(&r, "probe_unit_restarts_total", u.n_restarts);
    if (u.load_state == "not-found") {
      r.error = "systemd unit " + spec_.unit + " not found";
    } else if (u.active_state != spec_.expected_state) {
      r.error = "systemd unit " + spec_.unit + " is " + u.active_state + " (" +
                u.sub_state + "), expected " + spec_.expected_state;
    } else {
      r.success = true;
    }
    return r;
  }

 private:
  const UnitProbeSpec spec_;
  UnitConnection conn_;
};

}  // namespace

Result<std::unique_ptr<Probe>> NewUnitProbe(const ProbeSpec& spec,
                                            const ProbeDeps& deps) {
  if (spec.unit.unit.empty()) return SpecError(spec, "unit.unit is required");
  if (spec.unit.expected_state.empty()) {
    return SpecError(spec, "unit.expected_state is empty");
  }
  return std::unique_ptr<Probe>(std::make_unique<UnitProbe>(spec, deps));
}

}  // namespace tend
