// Integrations: the ways a receiver sends a notification (webhook, Slack,
// e-mail, exec). Rendering and sending are separate: the dispatcher renders
// at flush time and the rendered body goes into the durable outbox; the
// deliverer sends it later (again after a restart), so Send must work from
// the body alone plus the integration's configuration.
//
// Thread-safety: an Integration is immutable after construction; Render
// and Send may run on any thread, concurrently. Send blocks for at most the
// integration's timeout (plus a little for process reaping).
#ifndef TEND_NOTIFY_INTEGRATION_H_
#define TEND_NOTIFY_INTEGRATION_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "http/outbound.h"
#include "notify/config.h"
#include "notify/notification.h"

namespace tend::notify {

// The seam around HTTP, so unit tests can fake it (default: OutboundFetch).
using HttpFunc =
    std::function<Result<OutboundResponse>(const OutboundRequest& request)>;

class Integration {
 public:
  virtual ~Integration() = default;
  // "webhook", "slack", "email" or "exec": the `integration` metric label.
  virtual std::string_view kind() const = 0;
  virtual bool send_resolved() const = 0;
  // 0: all alerts; otherwise the payload keeps the first N (webhook).
  virtual int max_alerts() const { return 0; }
  // The body stored in the outbox for `n`.
  virtual std::string Render(const Notification& n) const = 0;
  // Sends a body Render produced. OK only when the far side accepted it
  // (HTTP 2xx, SMTP 250, exit status 0); the error says what happened.
  virtual Status Send(std::string_view body) const = 0;
};

struct Receiver {
  std::string name;
  std::vector<std::unique_ptr<Integration>> integrations;
};

// The receivers of a configuration, by name. Immutable once built.
struct ReceiverSet {
  std::vector<Receiver> receivers;
  const Receiver* Find(std::string_view name) const;
};

struct IntegrationEnv {
  HttpFunc http;             // Empty: OutboundFetch.
  std::string external_url;  // externalURL in payloads.
};

std::shared_ptr<const ReceiverSet> BuildReceivers(const NotifyConfig& config,
                                                  const IntegrationEnv& env);

// Alertmanager's webhook payload (version "4") as JSON text.
std::string WebhookJson(const Notification& n);

// Applies an HttpClientConfig to a request.
void ApplyHttpConfig(const HttpClientConfig& c, OutboundRequest* r);

std::unique_ptr<Integration> MakeWebhook(WebhookConfig c, HttpFunc http);
std::unique_ptr<Integration> MakeSlack(SlackConfig c, HttpFunc http);
std::unique_ptr<Integration> MakeEmail(EmailConfig c);
std::unique_ptr<Integration> MakeExec(ExecConfig c);

}  // namespace tend::notify

#endif  // TEND_NOTIFY_INTEGRATION_H_
