// Forwarding to a real Alertmanager (Debian's prometheus-alertmanager):
// tend's firing alert appears in Alertmanager's GET /api/v2/alerts with
// its labels (and tend's external labels) and annotations, and is gone
// from the list once it resolved in tend.
#include <gtest/gtest.h>

#include "alerting_test_util.h"

namespace tend::testing {
namespace {

// The alert named `name` in Alertmanager's list, or null.
nlohmann::json FindAmAlert(const nlohmann::json& alerts,
                           const std::string& name) {
  if (!alerts.is_array()) return nullptr;
  for (const nlohmann::json& a : alerts) {
    if (a["labels"].value("alertname", "") == name) return a;
  }
  return nullptr;
}

TEST(AlertingAlertmanager, ForwardedAlertAppearsAndResolves) {
  TempDir dir;
  const std::string& d = dir.path();
  Alertmanager am(d);
  ASSERT_TRUE(am.ok()) << am.error();

  ASSERT_TRUE(WriteText(d + "/backup.done", "ok\n"));
  ASSERT_TRUE(WriteText(d + "/rules.yml", R"(groups:
  - name: backup
    rules:
      - alert: BackupMarkerMissing
        expr: probe_success{probe="backup"} == 0
        for: 1s
        labels:
          severity: warning
          team: storage
        annotations:
          summary: 'backup marker of {{ $labels.probe }} is missing'
          description: 'probe {{ $labels.probe }} ({{ $labels.type }}) failed: value {{ $value }}'
)"));
  AlertingAgent agent(d,
                      BaseConfig() + Subst(R"(probes:
  - name: backup
    type: file
    interval: 1s
    file:
      path: @D@/backup.done
alerting:
  evaluation_interval: 1s
  rule_files: [rules.yml]
  alertmanagers: ['@AM@']
  resend_delay: 2s
  external_labels: [site=lab]
)",
                                           {{"@D@", d}, {"@AM@", am.url()}}));
  ASSERT_TRUE(agent.Start()) << agent.LastLog();
  const std::string& addr = agent.addr();

  // Healthy: tend forwards nothing, Alertmanager has nothing.
  SleepMs(2500);
  nlohmann::json none = am.Alerts();
  ASSERT_TRUE(none.is_array());
  EXPECT_TRUE(none.empty()) << none.dump();

  ASSERT_EQ(::unlink((d + "/backup.done").c_str()), 0);
  nlohmann::json got;
  ASSERT_TRUE(PollUntil(30'000,
                        [&] {
                          got = FindAmAlert(am.Alerts(), "BackupMarkerMissing");
                          return got.is_object();
                        }))
      << "Alertmanager never got the alert; tend's alerts: "
      << ActiveAlerts(addr).dump() << "\n"
      << agent.LastLog() << am.Log();
  const nlohmann::json labels = got["labels"];
  EXPECT_EQ(labels.value("severity", ""), "warning") << got.dump();
  EXPECT_EQ(labels.value("team", ""), "storage") << got.dump();
  EXPECT_EQ(labels.value("probe", ""), "backup") << got.dump();
  EXPECT_EQ(labels.value("type", ""), "file") << got.dump();
  EXPECT_EQ(labels.value("site", ""), "lab") << got.dump();
  EXPECT_EQ(got["annotations"].value("summary", ""),
            "backup marker of backup is missing");
  EXPECT_EQ(got["annotations"].value("description", ""),
            "probe backup (file) failed: value 0");
  EXPECT_EQ(got["status"].value("state", ""), "active") << got.dump();
  EXPECT_FALSE(got.value("generatorURL", "").empty()) << got.dump();
  // startsAt is when tend fired it: after it became active there.
  const nlohmann::json mine =
      FindApiAlert(ActiveAlerts(addr), "BackupMarkerMissing");
  ASSERT_TRUE(mine.is_object());
  EXPECT_EQ(mine.value("state", ""), "firing");
  const int64_t am_starts = ParseRfc3339Ms(got.value("startsAt", ""));
  const int64_t active_at = ParseRfc3339Ms(mine.value("activeAt", ""));
  EXPECT_GE(am_starts, active_at + 1000) << got.dump() << " vs " << mine.dump();
  // Alertmanager resolves it itself if tend goes away: endsAt is set in
  // the future (4 × resend_delay).
  const int64_t am_ends = ParseRfc3339Ms(got.value("endsAt", ""));
  EXPECT_GT(am_ends, WallMs()) << got.dump();

  // Still there after several resend delays (tend re-sends it).
  SleepMs(4500);
  EXPECT_TRUE(FindAmAlert(am.Alerts(), "BackupMarkerMissing").is_object());

  ASSERT_TRUE(WriteText(d + "/backup.done", "ok\n"));
  const auto fixed = Steady::now();
  ASSERT_TRUE(PollUntil(30'000,
                        [&] {
                          nlohmann::json a =
                              FindAmAlert(am.Alerts(), "BackupMarkerMissing");
                          return a.is_null() ||
                                 a["status"].value("state", "") == "resolved";
                        }))
      << "Alertmanager still shows the alert: " << am.Alerts().dump();
  // Resolved through tend's resolved alert, not Alertmanager's own
  // timeout (that would take 4 × resend_delay after the last resend).
  EXPECT_LT(std::chrono::duration<double>(Steady::now() - fixed).count(), 5.5);
  EXPECT_TRUE(ActiveAlerts(addr).empty());
  EXPECT_EQ(agent.Stop(SIGTERM), 0) << agent.LastLog();
}

}  // namespace
}  // namespace tend::testing
