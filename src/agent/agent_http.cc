#include "agent/agent_http.h"

#include "http/exposition.h"

namespace tend {
namespace {

void Json(HttpResponse* r, int status, const nlohmann::json& body) {
  r->status = status;
  r->content_type = "application/json";
  r->body = body.dump();
  r->body.push_back('\n');
}

}  // namespace

void RegisterAgentRoutes(AgentView* view, HttpServer* server) {
  server->Handle(
      "GET", "/metrics", [view](const HttpRequest& req, HttpResponse* r) {
        std::shared_ptr<const Snapshot> snap = view->snapshot();
        if (!snap) {
          r->status = 503;
          r->body = "no collection has finished yet; retry in a moment\n";
          return;
        }
        ExpositionFormat fmt = NegotiateExpositionFormat(req.Header("Accept"));
        r->content_type = std::string(fmt == ExpositionFormat::kOpenMetrics
                                          ? kOpenMetricsContentType
                                          : kPrometheusTextContentType);
        r->body = snap->Rendered(fmt);
      });
  server->Handle("GET", "/-/healthy", [](const HttpRequest&, HttpResponse* r) {
    r->body = "tend is Healthy.\n";
  });
  server->Handle(
      "GET", "/-/ready", [view](const HttpRequest&, HttpResponse* r) {
        if (!view->snapshot()) {
          r->status = 503;
          r->body = "tend is not ready: no collection has finished yet.\n";
          return;
        }
        r->body = "tend is Ready.\n";
      });
  server->Handle("POST", "/-/reload",
                 [view](const HttpRequest&, HttpResponse* r) {
                   Status s = view->RequestReload();
                   if (!s.ok()) {
                     r->status = 500;
                     r->body = "failed to reload config: " + s.message() + "\n";
                     return;
                   }
                   r->body = "configuration reloaded\n";
                 });
  server->Handle("GET", "/api/v1/status",
                 [view](const HttpRequest&, HttpResponse* r) {
                   Json(r, 200, view->StatusJson());
                 });
}

}  // namespace tend
