// Webhook and Slack integrations, and the receiver set.
#include <nlohmann/json.hpp>
#include <string>

#include "model/labels_json.h"
#include "notify/integration.h"

namespace tend::notify {
namespace {

HttpFunc OrDefault(HttpFunc f) {
  if (f) return f;
  return [](const OutboundRequest& r) { return OutboundFetch(r); };
}

// POSTs JSON; OK on a 2xx answer.
Status PostJson(const HttpFunc& http, const HttpClientConfig& hc,
                const std::string& url, int64_t timeout_ms,
                std::string_view body) {
  OutboundRequest r;
  r.method = "POST";
  r.url = url;
  r.body = std::string(body);
  r.timeout_ms = timeout_ms;
  r.headers.push_back({"Content-Type", "application/json"});
  r.headers.push_back({"User-Agent", "tend"});
  r.max_body_bytes = 1 << 20;
  ApplyHttpConfig(hc, &r);
  Result<OutboundResponse> resp = http(r);
  if (!resp.ok()) return resp.status();
  if (resp->status < 200 || resp->status > 299) {
    std::string snippet = resp->body.substr(0, 200);
    return UnavailableError(url + ": HTTP " + std::to_string(resp->status) +
                            (snippet.empty() ? "" : ": " + snippet));
  }
  return Status::Ok();
}

class Webhook : public Integration {
 public:
  Webhook(WebhookConfig c, HttpFunc http)
      : c_(std::move(c)), http_(OrDefault(std::move(http))) {}
  std::string_view kind() const override { return "webhook"; }
  bool send_resolved() const override { return c_.send_resolved; }
  int max_alerts() const override { return c_.max_alerts; }
  std::string Render(const Notification& n) const override {
    return WebhookJson(n);
  }
  Status Send(std::string_view body) const override {
    return PostJson(http_, c_.http, c_.url, c_.timeout_ms, body);
  }

 private:
  WebhookConfig c_;
  HttpFunc http_;
};

class Slack : public Integration {
 public:
  Slack(SlackConfig c, HttpFunc http)
      : c_(std::move(c)), http_(OrDefault(std::move(http))) {}
  std::string_view kind() const override { return "slack"; }
  bool send_resolved() const override { return c_.send_resolved; }
  std::string Render(const Notification& n) const override {
    nlohmann::json j = nlohmann::json::object();
    if (!c_.channel.empty()) j["channel"] = c_.channel;
    if (!c_.username.empty()) j["username"] = c_.username;
    if (!c_.icon_emoji.empty()) j["icon_emoji"] = c_.icon_emoji;
    if (!c_.icon_url.empty()) j["icon_url"] = c_.icon_url;
    nlohmann::json a = nlohmann::json::object();
    a["title"] = c_.title.Render(n);
    a["text"] = c_.text.Render(n);
    a["fallback"] = a["title"];
    a["color"] = !c_.color.empty()      ? c_.color
                 : n.status == "firing" ? "danger"
                                        : "good";
    if (!c_.title_link.empty()) a["title_link"] = c_.title_link;
    a["mrkdwn_in"] = nlohmann::json::array({"fallback", "pretext", "text"});
    j["attachments"] = nlohmann::json::array({a});
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  Status Send(std::string_view body) const override {
    return PostJson(http_, c_.http, c_.api_url, c_.timeout_ms, body);
  }

 private:
  SlackConfig c_;
  HttpFunc http_;
};

}  // namespace

void ApplyHttpConfig(const HttpClientConfig& c, OutboundRequest* r) {
  r->basic_auth_user = c.basic_auth_username;
  r->basic_auth_password = c.basic_auth_password;
  r->bearer_token = c.bearer_token;
  r->tls_verify = !c.insecure_skip_verify;
  r->ca_file = c.ca_file;
  r->client_cert_file = c.cert_file;
  r->client_key_file = c.key_file;
  r->server_name = c.server_name;
  r->follow_redirects = c.follow_redirects;
}

std::string WebhookJson(const Notification& n) {
  nlohmann::json j = nlohmann::json::object();
  j["version"] = "4";
  j["groupKey"] = n.group_key;
  j["truncatedAlerts"] = n.truncated_alerts;
  j["status"] = n.status;
  j["receiver"] = n.receiver;
  j["groupLabels"] = LabelsToJson(n.group_labels);
  j["commonLabels"] = LabelsToJson(n.common_labels);
  j["commonAnnotations"] = LabelsToJson(n.common_annotations);
  j["externalURL"] = n.external_url;
  nlohmann::json alerts = nlohmann::json::array();
  for (const alert::Alert& a : n.alerts) {
    nlohmann::json x = nlohmann::json::object();
    x["status"] = a.firing() ? "firing" : "resolved";
    x["labels"] = LabelsToJson(a.labels);
    x["annotations"] = LabelsToJson(a.annotations);
    x["startsAt"] = FormatRfc3339(a.starts_at_ms);
    x["endsAt"] = FormatRfc3339(a.ends_at_ms);
    x["generatorURL"] = a.generator;
    x["fingerprint"] = FingerprintHex(StableFingerprint(a.labels));
    alerts.push_back(std::move(x));
  }
  j["alerts"] = std::move(alerts);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const Receiver* ReceiverSet::Find(std::string_view name) const {
  for (const Receiver& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::unique_ptr<Integration> MakeWebhook(WebhookConfig c, HttpFunc http) {
  return std::make_unique<Webhook>(std::move(c), std::move(http));
}
std::unique_ptr<Integration> MakeSlack(SlackConfig c, HttpFunc http) {
  return std::make_unique<Slack>(std::move(c), std::move(http));
}

std::shared_ptr<const ReceiverSet> BuildReceivers(const NotifyConfig& config,
                                                  const IntegrationEnv& env) {
  auto set = std::make_shared<ReceiverSet>();
  for (const ReceiverConfig& rc : config.receivers) {
    Receiver r;
    r.name = rc.name;
    for (const WebhookConfig& c : rc.webhook_configs) {
      r.integrations.push_back(MakeWebhook(c, env.http));
    }
    for (const SlackConfig& c : rc.slack_configs) {
      r.integrations.push_back(MakeSlack(c, env.http));
    }
    for (const EmailConfig& c : rc.email_configs) {
      r.integrations.push_back(MakeEmail(c));
    }
    for (const ExecConfig& c : rc.exec_configs) {
      r.integrations.push_back(MakeExec(c));
    }
    set->receivers.push_back(std::move(r));
  }
  return set;
}

}  // namespace tend::notify
