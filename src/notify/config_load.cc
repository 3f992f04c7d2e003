// Loading alertmanager.yml into NotifyConfig. yaml-cpp throws; every call
// into it that may throw happens inside ParseYamlDocument or on nodes that
// are already known to be of the right kind, and the whole walk is wrapped
// in one try block as a last line of defence.
#include <yaml-cpp/yaml.h>

#include <exception>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "base/duration.h"
#include "base/file_util.h"
#include "config/config_error.h"
#include "config/yaml_document.h"
#include "notify/config.h"

namespace tend::notify {
namespace {

using Handler = std::function<void(const YAML::Node&, const std::string&)>;

class Loader {
 public:
  explicit Loader(ConfigErrors* errors) : errors_(errors) {}

  void Add(const YAML::Node& n, const std::string& path, std::string msg) {
    errors_->Add(LineOf(n.Mark()), ColumnOf(n.Mark()), path, std::move(msg));
  }

  // Walks a mapping: each key goes to its handler; unknown and duplicate
  // keys are errors. `unsupported` keys are Alertmanager's but not tend's.
  void Map(const YAML::Node& node, const std::string& path,
           const std::map<std::string, Handler>& handlers,
           const std::map<std::string, std::string>& unsupported = {}) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
      Add(node, path, "want a mapping");
      return;
    }
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const YAML::Node& key = kv.first;
      if (!key.IsScalar()) {
        Add(key, path, "keys must be strings");
        continue;
      }
      std::string name = key.Scalar();
      std::string sub = path.empty() ? name : path + "." + name;
      if (!seen.insert(name).second) {
        Add(key, sub, "duplicate key");
        continue;
      }
      auto h = handlers.find(name);
      if (h != handlers.end()) {
        h->second(kv.second, sub);
        continue;
      }
      auto u = unsupported.find(name);
      if (u != unsupported.end()) {
        Add(key, sub, "not supported by tend: " + u->second);
        continue;
      }
      std::string known;
      for (const auto& [k, unused] : handlers) {
        known += known.empty() ? k : ", " + k;
      }
      Add(key, sub, "unknown field (known here: " + known + ")");
    }
  }

  bool Scalar(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) {
      Add(n, path, "want a scalar value");
      return false;
    }
    return true;
  }
  void Str(const YAML::Node& n, const std::string& path, std::string* out) {
    if (n.IsNull()) {
      out->clear();
      return;
    }
    if (Scalar(n, path)) *out = n.Scalar();
  }
  void Bool(const YAML::Node& n, const std::string& path, bool* out) {
    if (!Scalar(n, path)) return;
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") {
      *out = true;
    } else if (s == "false" || s == "False" || s == "FALSE") {
      *out = false;
    } else {
      Add(n, path, "want true or false, got \"" + s + "\"");
    }
  }
  void Int(const YAML::Node& n, const std::string& path, int* out) {
    if (!Scalar(n, path)) return;
    const std::string& s = n.Scalar();
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || v < 0 || v > 1000000) {
      Add(n, path, "want a non-negative integer, got \"" + s + "\"");
      return;
    }
    *out = static_cast<int>(v);
  }
  void Dur(const YAML::Node& n, const std::string& path, int64_t* out,
           bool positive) {
    if (!Scalar(n, path)) return;
    Result<int64_t> d = ParseDuration(n.Scalar());
    if (!d.ok()) {
      Add(n, path,
          "want a duration such as 30s or 5m: " + d.status().message());
      return;
    }
    if (positive && *d <= 0) {
      Add(n, path, "must be greater than 0");
      return;
    }
    *out = *d;
  }
  void StrList(const YAML::Node& n, const std::string& path,
               std::vector<std::string>* out) {
    out->clear();
    if (n.IsNull()) return;
    if (!n.IsSequence()) {
      Add(n, path, "want a list of strings");
      return;
    }
    for (size_t i = 0; i < n.size(); ++i) {
      std::string sub = path + "[" + std::to_string(i) + "]";
      if (Scalar(n[i], sub)) out->push_back(n[i].Scalar());
    }
  }
  void Url(const YAML::Node& n, const std::string& path, std::string* out) {
    Str(n, path, out);
    if (!out->empty() && !out->starts_with("http://") &&
        !out->starts_with("https://")) {
      Add(n, path, "want an http:// or https:// URL, got \"" + *out + "\"");
    }
  }
  void Tmpl(const YAML::Node& n, const std::string& path, TextTemplate* out) {
    std::string text;
    Str(n, path, &text);
    Result<TextTemplate> t = TextTemplate::Parse(text);
    if (!t.ok()) {
      Add(n, path, t.status().message());
      return;
    }
    *out = std::move(*t);
  }
  // The new-style matcher list.
  void MatcherList(const YAML::Node& n, const std::string& path,
                   Matchers* out) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) {
      Add(n, path, "want a list of matchers such as 'severity=\"critical\"'");
      return;
    }
    for (size_t i = 0; i < n.size(); ++i) {
      std::string sub = path + "[" + std::to_string(i) + "]";
      if (!Scalar(n[i], sub)) continue;
      Result<Matchers> m = ParseAlertmanagerMatchers(n[i].Scalar());
      if (!m.ok()) {
        Add(n[i], sub, m.status().message());
        continue;
      }
      for (LabelMatcher& x : *m) out->push_back(std::move(x));
    }
  }
  // The old-style `match` / `match_re` maps.
  void MatchMap(const YAML::Node& n, const std::string& path, bool regex,
                Matchers* out) {
    if (n.IsNull()) return;
    if (!n.IsMap()) {
      Add(n, path, "want a mapping of label name to value");
      return;
    }
    for (const auto& kv : n) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
        Add(kv.first, path, "want label: value pairs");
        continue;
      }
      std::string name = kv.first.Scalar();
      std::string sub = path + "." + name;
      if (!IsValidLabelName(name)) {
        Add(kv.first, sub, "invalid label name");
        continue;
      }
      Result<LabelMatcher> m = LabelMatcher::Create(
          regex ? LabelMatcher::Type::kRegexMatch : LabelMatcher::Type::kEqual,
          name, kv.second.Scalar());
      if (!m.ok()) {
        Add(kv.second, sub, m.status().message());
        continue;
      }
      out->push_back(std::move(*m));
    }
  }

  void Http(const YAML::Node& n, const std::string& path,
            HttpClientConfig* out) {
    Map(n, path,
        {{"basic_auth",
          [&](const YAML::Node& v, const std::string& p) {
            Map(v, p,
                {{"username",
                  [&](const YAML::Node& x, const std::string& q) {
                    Str(x, q, &out->basic_auth_username);
                  }},
                 {"password",
                  [&](const YAML::Node& x, const std::string& q) {
                    Str(x, q, &out->basic_auth_password);
                  }}},
                {{"password_file", "use password"}});
          }},
         {"authorization",
          [&](const YAML::Node& v, const std::string& p) {
            Map(v, p,
                {{"type",
                  [&](const YAML::Node& x, const std::string& q) {
                    std::string t;
                    Str(x, q, &t);
                    if (!t.empty() && t != "Bearer") {
                      Add(x, q, "only type Bearer is supported");
                    }
                  }},
                 {"credentials",
                  [&](const YAML::Node& x, const std::string& q) {
                    Str(x, q, &out->bearer_token);
                  }}},
                {{"credentials_file", "use credentials"}});
          }},
         {"bearer_token",
          [&](const YAML::Node& v, const std::string& p) {
            Str(v, p, &out->bearer_token);
          }},
         {"follow_redirects",
          [&](const YAML::Node& v, const std::string& p) {
            Bool(v, p, &out->follow_redirects);
          }},
         {"tls_config",
          [&](const YAML::Node& v, const std::string& p) {
            Tls(v, p, &out->ca_file, &out->cert_file, &out->key_file,
                &out->server_name, &out->insecure_skip_verify);
          }}},
        {{"proxy_url", "proxies"},
         {"bearer_token_file", "use bearer_token"},
         {"oauth2", "OAuth 2"},
         {"enable_http2", "HTTP/2 selection"}});
  }
  void Tls(const YAML::Node& n, const std::string& path, std::string* ca,
           std::string* cert, std::string* key, std::string* server_name,
           bool* insecure) {
    std::map<std::string, Handler> h = {
        {"insecure_skip_verify",
         [&](const YAML::Node& v, const std::string& p) {
           Bool(v, p, insecure);
         }},
        {"ca_file",
         [&](const YAML::Node& v, const std::string& p) { Str(v, p, ca); }},
        {"server_name", [&](const YAML::Node& v, const std::string& p) {
           Str(v, p, server_name);
         }}};
    if (cert != nullptr) {
      h["cert_file"] = [&](const YAML::Node& v, const std::string& p) {
        Str(v, p, cert);
      };
      h["key_file"] = [&](const YAML::Node& v, const std::string& p) {
        Str(v, p, key);
      };
    }
    Map(n, path, h,
        {{"min_version", "TLS version limits"},
         {"max_version", "TLS version limits"}});
  }

  void Global(const YAML::Node& n, const std::string& path, GlobalConfig* g) {
    auto str = [&](std::string* out) {
      return [this, out](const YAML::Node& v, const std::string& p) {
        Str(v, p, out);
      };
    };
    std::map<std::string, Handler> h = {
        {"resolve_timeout",
         [&](const YAML::Node& v, const std::string& p) {
           Dur(v, p, &g->resolve_timeout_ms, true);
         }},
        {"smtp_from", str(&g->smtp_from)},
        {"smtp_smarthost", str(&g->smtp_smarthost)},
        {"smtp_hello", str(&g->smtp_hello)},
        {"smtp_auth_username", str(&g->smtp_auth_username)},
        {"smtp_auth_password", str(&g->smtp_auth_password)},
        {"smtp_auth_identity", str(&g->smtp_auth_identity)},
        {"smtp_require_tls",
         [&](const YAML::Node& v, const std::string& p) {
           Bool(v, p, &g->smtp_require_tls);
         }},
        {"slack_api_url",
         [&](const YAML::Node& v, const std::string& p) {
           Url(v, p, &g->slack_api_url);
         }},
        {"http_config", [&](const YAML::Node& v, const std::string& p) {
           Http(v, p, &g->http);
         }}};
    // Defaults of integrations tend does not have: harmless, accepted so
    // an existing file loads, and unused.
    for (const char* k :
         {"pagerduty_url", "opsgenie_api_url", "opsgenie_api_key",
          "victorops_api_url", "victorops_api_key", "wechat_api_url",
          "wechat_api_secret", "wechat_api_corp_id", "telegram_api_url",
          "webex_api_url", "smtp_auth_secret"}) {
      h[k] = [](const YAML::Node&, const std::string&) {};
    }
    Map(n, path, h,
        {{"slack_api_url_file", "use slack_api_url"},
         {"smtp_auth_password_file", "use smtp_auth_password"},
         {"opsgenie_api_key_file", "OpsGenie"}});
  }

  // Parses one route; `parent` supplies inherited values (null for root).
  void Route(const YAML::Node& n, const std::string& path,
             const RouteConfig* parent, RouteConfig* r) {
    if (parent != nullptr) {
      r->receiver = parent->receiver;
      r->group_by = parent->group_by;
      r->group_by_all = parent->group_by_all;
      r->group_wait_ms = parent->group_wait_ms;
      r->group_interval_ms = parent->group_interval_ms;
      r->repeat_interval_ms = parent->repeat_interval_ms;
    }
    if (!n.IsMap()) {
      Add(n, path, "want a mapping (a route)");
      return;
    }
    YAML::Node routes_node;  // A handle (nodes copy cheaply).
    bool has_routes = false;
    std::string routes_path;
    bool has_receiver = false;
    Map(n, path,
        {{"receiver",
          [&](const YAML::Node& v, const std::string& p) {
            Str(v, p, &r->receiver);
            has_receiver = true;
            receiver_refs_.push_back({r->receiver, v, p});
          }},
         {"group_by",
          [&](const YAML::Node& v, const std::string& p) {
            std::vector<std::string> g;
            StrList(v, p, &g);
            r->group_by.clear();
            r->group_by_all = false;
            for (const std::string& name : g) {
              if (name == "...") {
                r->group_by_all = true;
              } else if (!IsValidLabelName(name)) {
                Add(v, p, "invalid label name \"" + name + "\"");
              } else {
                r->group_by.push_back(name);
              }
            }
            if (r->group_by_all && g.size() > 1) {
              Add(v, p, "'...' must be the only entry of group_by");
            }
          }},
         {"continue",
          [&](const YAML::Node& v, const std::string& p) {
            Bool(v, p, &r->continue_matching);
          }},
         {"matchers",
          [&](const YAML::Node& v, const std::string& p) {
            MatcherList(v, p, &r->matchers);
          }},
         {"match",
          [&](const YAML::Node& v, const std::string& p) {
            MatchMap(v, p, false, &r->matchers);
          }},
         {"match_re",
          [&](const YAML::Node& v, const std::string& p) {
            MatchMap(v, p, true, &r->matchers);
          }},
         {"group_wait",
          [&](const YAML::Node& v, const std::string& p) {
            Dur(v, p, &r->group_wait_ms, false);
          }},
         {"group_interval",
          [&](const YAML::Node& v, const std::string& p) {
            Dur(v, p, &r->group_interval_ms, true);
          }},
         {"repeat_interval",
          [&](const YAML::Node& v, const std::string& p) {
            Dur(v, p, &r->repeat_interval_ms, true);
          }},
         {"routes",
          [&](const YAML::Node& v, const std::string& p) {
            routes_node = v;
            has_routes = true;
            routes_path = p;
          }}},
        {{"mute_time_intervals", "time intervals (use silences)"},
         {"active_time_intervals", "time intervals (use silences)"}});
    if (parent == nullptr) {
      if (!has_receiver || r->receiver.empty()) {
        Add(n, path, "the root route needs a receiver");
      }
      if (!r->matchers.empty()) {
        Add(n, path, "the root route must not have matchers");
      }
      if (r->continue_matching) {
        Add(n, path, "the root route must not have continue");
      }
    }
    if (has_routes && !routes_node.IsNull()) {
      if (!routes_node.IsSequence()) {
        Add(routes_node, routes_path, "want a list of routes");
        return;
      }
      for (size_t i = 0; i < routes_node.size(); ++i) {
        RouteConfig child;
        Route(routes_node[i], routes_path + "[" + std::to_string(i) + "]", r,
              &child);
        r->routes.push_back(std::move(child));
      }
    }
  }

  void Receiver(const YAML::Node& n, const std::string& path,
                const GlobalConfig& g, ReceiverConfig* rc) {
    auto list =
        [&](const YAML::Node& v, const std::string& p,
            const std::function<void(const YAML::Node&, const std::string&)>&
                each) {
          if (v.IsNull()) return;
          if (!v.IsSequence()) {
            Add(v, p, "want a list");
            return;
          }
          for (size_t i = 0; i < v.size(); ++i) {
            each(v[i], p + "[" + std::to_string(i) + "]");
          }
        };
    bool has_name = false;
    std::string unsupported_hint =
        "tend supports webhook_configs, slack_configs, email_configs and "
        "exec_configs";
    std::map<std::string, std::string> unsupported;
    for (const char* k :
         {"pagerduty_configs", "opsgenie_configs", "victorops_configs",
          "wechat_configs", "pushover_configs", "sns_configs",
          "telegram_configs", "webex_configs", "discord_configs",
          "msteams_configs", "msteamsv2_configs", "jira_configs",
          "rocketchat_configs"}) {
      unsupported[k] = unsupported_hint;
    }
    Map(n, path,
        {{"name",
          [&](const YAML::Node& v, const std::string& p) {
            Str(v, p, &rc->name);
            has_name = true;
          }},
         {"webhook_configs",
          [&](const YAML::Node& v, const std::string& p) {
            list(v, p, [&](const YAML::Node& x, const std::string& q) {
              rc->webhook_configs.push_back(Webhook(x, q, g));
            });
          }},
         {"slack_configs",
          [&](const YAML::Node& v, const std::string& p) {
            list(v, p, [&](const YAML::Node& x, const std::string& q) {
              rc->slack_configs.push_back(Slack(x, q, g));
            });
          }},
         {"email_configs",
          [&](const YAML::Node& v, const std::string& p) {
            list(v, p, [&](const YAML::Node& x, const std::string& q) {
              rc->email_configs.push_back(Email(x, q, g));
            });
          }},
         {"exec_configs",
          [&](const YAML::Node& v, const std::string& p) {
            list(v, p, [&](const YAML::Node& x, const std::string& q) {
              rc->exec_configs.push_back(Exec(x, q));
            });
          }}},
        unsupported);
    if (n.IsMap() && (!has_name || rc->name.empty())) {
      Add(n, path, "a receiver needs a name");
    }
  }

  WebhookConfig Webhook(const YAML::Node& n, const std::string& path,
                        const GlobalConfig& g) {
    WebhookConfig w;
    w.http = g.http;
    Map(n, path,
        {{"url", [&](const YAML::Node& v,
                     const std::string& p) { Url(v, p, &w.url); }},
         {"send_resolved",
          [&](const YAML::Node& v, const std::string& p) {
            Bool(v, p, &w.send_resolved);
          }},
         {"max_alerts",
          [&](const YAML::Node& v, const std::string& p) {
            Int(v, p, &w.max_alerts);
          }},
         {"timeout",
          [&](const YAML::Node& v, const std::string& p) {
            Dur(v, p, &w.timeout_ms, true);
          }},
         {"http_config", [&](const YAML::Node& v,
                             const std::string& p) { Http(v, p, &w.http); }}},
        {{"url_file", "use url"}});
    if (n.IsMap() && w.url.empty()) Add(n, path, "a webhook needs a url");
    return w;
  }

  SlackConfig Slack(const YAML::Node& n, const std::string& path,
                    const GlobalConfig& g) {
    SlackConfig s;
    s.http = g.http;
    s.api_url = g.slack_api_url;
    s.title = *TextTemplate::Parse("{{ template \"slack.default.title\" . }}");
    s.text = *TextTemplate::Parse("{{ template \"slack.default.text\" . }}");
    auto str = [&](std::string* out) {
      return [this, out](const YAML::Node& v, const std::string& p) {
        Str(v, p, out);
      };
    };
    Map(n, path,
        {{"api_url", [&](const YAML::Node& v,
                         const std::string& p) { Url(v, p, &s.api_url); }},
         {"channel", str(&s.channel)},
         {"username", str(&s.username)},
         {"icon_emoji", str(&s.icon_emoji)},
         {"icon_url", str(&s.icon_url)},
         {"color", str(&s.color)},
         {"title_link", str(&s.title_link)},
         {"title", [&](const YAML::Node& v,
                       const std::string& p) { Tmpl(v, p, &s.title); }},
         {"text", [&](const YAML::Node& v,
                      const std::string& p) { Tmpl(v, p, &s.text); }},
         {"send_resolved",
          [&](const YAML::Node& v, const std::string& p) {
            Bool(v, p, &s.send_resolved);
          }},
         {"timeout",
          [&](const YAML::Node& v, const std::string& p) {
            Dur(v, p, &s.timeout_ms, true);
          }},
         {"http_config", [&](const YAML::Node& v,
                             const std::string& p) { Http(v, p, &s.http); }}},
        {{"api_url_file", "use api_url"},
         {"pretext", "Slack pretext"},
         {"footer", "Slack footer"},
         {"fallback", "Slack fallback"},
         {"callback_id", "Slack callbacks"},
         {"fields", "Slack fields"},
         {"actions", "Slack actions"},
         {"image_url", "Slack images"},
         {"thumb_url", "Slack images"},
         {"link_names", "Slack link_names"},
         {"mrkdwn_in", "Slack mrkdwn_in"},
         {"short_fields", "Slack fields"}});
    if (n.IsMap() && s.api_url.empty()) {
      Add(n, path, "a Slack receiver needs api_url (or global.slack_api_url)");
    }
    return s;
  }

  EmailConfig Email(const YAML::Node& n, const std::string& path,
                    const GlobalConfig& g) {
    EmailConfig e;
    e.from = g.smtp_from;
    e.smarthost = g.smtp_smarthost;
    e.hello = g.smtp_hello;
    e.auth_username = g.smtp_auth_username;
    e.auth_password = g.smtp_auth_password;
    e.auth_identity = g.smtp_auth_identity;
    e.require_tls = g.smtp_require_tls;
    e.text = *TextTemplate::Parse("{{ template \"email.default.text\" . }}");
    bool has_subject = false;
    std::string to;
    auto str = [&](std::string* out) {
      return [this, out](const YAML::Node& v, const std::string& p) {
        Str(v, p, out);
      };
    };
    Map(n, path,
        {{"to", str(&to)},
         {"from", str(&e.from)},
         {"smarthost", str(&e.smarthost)},
         {"hello", str(&e.hello)},
         {"auth_username", str(&e.auth_username)},
         {"auth_password", str(&e.auth_password)},
         {"auth_identity", str(&e.auth_identity)},
         {"require_tls",
          [&](const YAML::Node& v, const std::string& p) {
            Bool(v, p, &e.require_tls);
          }},
         {"send_resolved",
          [&](const YAML::Node& v, const std::string& p) {
            Bool(v, p, &e.send_resolved);
          }},
         {"timeout",
          [&](const YAML::Node& v, const std::string& p) {
            Dur(v, p, &e.timeout_ms, true);
          }},
         {"text", [&](const YAML::Node& v,
                      const std::string& p) { Tmpl(v, p, &e.text); }},
         {"tls_config",
          [&](const YAML::Node& v, const std::string& p) {
            std::string unused;
            Tls(v, p, &unused, nullptr, nullptr, &unused,
                &e.insecure_skip_verify);
          }},
         {"headers",
          [&](const YAML::Node& v, const std::string& p) {
            if (!v.IsMap()) {
              Add(v, p, "want a mapping of header name to value");
              return;
            }
            for (const auto& kv : v) {
              if (!kv.first.IsScalar()) {
                Add(kv.first, p, "header names must be strings");
                continue;
              }
              std::string name = kv.first.Scalar();
              TextTemplate t;
              Tmpl(kv.second, p + "." + name, &t);
              if (name == "Subject") has_subject = true;
              e.headers.push_back({name, std::move(t)});
            }
          }}},
        {{"html", "HTML bodies (use text)"},
         {"auth_password_file", "use auth_password"},
         {"auth_secret", "CRAM-MD5 authentication"}});
    for (size_t start = 0; start <= to.size();) {
      size_t comma = to.find(',', start);
      std::string one =
          to.substr(start, comma == std::string::npos ? std::string::npos
                                                      : comma - start);
      while (!one.empty() && one.front() == ' ') one.erase(0, 1);
      while (!one.empty() && one.back() == ' ') one.pop_back();
      if (!one.empty()) e.to.push_back(one);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (!has_subject) {
      e.headers.push_back(
          {"Subject",
           *TextTemplate::Parse("{{ template \"email.default.subject\" . }}")});
    }
    if (n.IsMap()) {
      if (e.to.empty()) Add(n, path, "an e-mail receiver needs `to`");
      if (e.from.empty()) {
        Add(n, path, "an e-mail receiver needs `from` (or global.smtp_from)");
      }
      if (e.smarthost.empty()) {
        Add(n, path,
            "an e-mail receiver needs `smarthost` (or global.smtp_smarthost)");
      } else if (e.smarthost.rfind(':') == std::string::npos) {
        Add(n, path, "smarthost \"" + e.smarthost + "\" needs host:port");
      }
    }
    return e;
  }

  ExecConfig Exec(const YAML::Node& n, const std::string& path) {
    ExecConfig x;
    Map(n, path,
        {{"argv", [&](const YAML::Node& v,
                      const std::string& p) { StrList(v, p, &x.argv); }},
         {"timeout",
          [&](const YAML::Node& v, const std::string& p) {
            Dur(v, p, &x.timeout_ms, true);
          }},
         {"send_resolved", [&](const YAML::Node& v, const std::string& p) {
            Bool(v, p, &x.send_resolved);
          }}});
    if (n.IsMap() && (x.argv.empty() || x.argv[0].empty())) {
      Add(n, path, "an exec receiver needs a non-empty argv");
    }
    return x;
  }

  InhibitRuleConfig Inhibit(const YAML::Node& n, const std::string& path) {
    InhibitRuleConfig r;
    Map(n, path,
        {{"source_matchers",
          [&](const YAML::Node& v, const std::string& p) {
            MatcherList(v, p, &r.source_matchers);
          }},
         {"target_matchers",
          [&](const YAML::Node& v, const std::string& p) {
            MatcherList(v, p, &r.target_matchers);
          }},
         {"source_match",
          [&](const YAML::Node& v, const std::string& p) {
            MatchMap(v, p, false, &r.source_matchers);
          }},
         {"source_match_re",
          [&](const YAML::Node& v, const std::string& p) {
            MatchMap(v, p, true, &r.source_matchers);
          }},
         {"target_match",
          [&](const YAML::Node& v, const std::string& p) {
            MatchMap(v, p, false, &r.target_matchers);
          }},
         {"target_match_re",
          [&](const YAML::Node& v, const std::string& p) {
            MatchMap(v, p, true, &r.target_matchers);
          }},
         {"equal", [&](const YAML::Node& v, const std::string& p) {
            StrList(v, p, &r.equal);
            for (const std::string& name : r.equal) {
              if (!IsValidLabelName(name)) {
                Add(v, p, "invalid label name \"" + name + "\"");
              }
            }
          }}});
    return r;
  }

  void Document(const YAML::Node& root, NotifyConfig* c) {
    if (!root.IsMap()) {
      Add(root, "", "want a mapping with route and receivers");
      return;
    }
    // `global` first: receivers take their defaults from it.
    if (root["global"]) Global(root["global"], "global", &c->global);
    YAML::Node route;
    bool has_route = false;
    Map(root, "",
        {{"global", [](const YAML::Node&, const std::string&) {}},
         {"route",
          [&](const YAML::Node& v, const std::string&) {
            route = v;
            has_route = true;
          }},
         {"receivers",
          [&](const YAML::Node& v, const std::string& p) {
            if (!v.IsSequence()) {
              Add(v, p, "want a list of receivers");
              return;
            }
            for (size_t i = 0; i < v.size(); ++i) {
              std::string sub = p + "[" + std::to_string(i) + "]";
              ReceiverConfig rc;
              Receiver(v[i], sub, c->global, &rc);
              if (!rc.name.empty() && c->FindReceiver(rc.name) != nullptr) {
                Add(v[i], sub, "duplicate receiver name \"" + rc.name + "\"");
              }
              c->receivers.push_back(std::move(rc));
            }
          }},
         {"inhibit_rules",
          [&](const YAML::Node& v, const std::string& p) {
            if (!v.IsSequence()) {
              Add(v, p, "want a list of inhibit rules");
              return;
            }
            for (size_t i = 0; i < v.size(); ++i) {
              c->inhibit_rules.push_back(
                  Inhibit(v[i], p + "[" + std::to_string(i) + "]"));
            }
          }},
         {"templates",
          [&](const YAML::Node& v, const std::string& p) {
            if (!v.IsNull() && !(v.IsSequence() && v.size() == 0)) {
              Add(v, p,
                  "not supported by tend: custom template files (the "
                  "built-in templates and fields are documented)");
            }
          }}},
        {{"time_intervals", "time intervals (use silences)"},
         {"mute_time_intervals", "time intervals (use silences)"}});
    if (!has_route) {
      Add(root, "route", "missing: the configuration needs a route");
    } else {
      Route(route, "route", nullptr, &c->route);
    }
    for (const Ref& ref : receiver_refs_) {
      if (!ref.name.empty() && c->FindReceiver(ref.name) == nullptr) {
        Add(ref.node, ref.path,
            "no receiver named \"" + ref.name + "\" in receivers");
      }
    }
  }

 private:
  struct Ref {
    std::string name;
    YAML::Node node;
    std::string path;
  };
  ConfigErrors* errors_;
  std::vector<Ref> receiver_refs_;
};

}  // namespace

Result<NotifyConfig> LoadNotifyConfigString(std::string_view text,
                                            std::string_view file) {
  ConfigErrors errors{std::string(file)};
  std::optional<YAML::Node> doc =
      ParseYamlDocument(text, kMaxNotifyConfigBytes, &errors);
  NotifyConfig config;
  if (doc.has_value()) {
    try {
      Loader(&errors).Document(*doc, &config);
    } catch (const std::exception& e) {
      errors.Add(0, 0, "", std::string("YAML error: ") + e.what());
    }
  }
  if (!errors.empty()) return errors.ToStatus();
  return config;
}

Result<NotifyConfig> LoadNotifyConfigFile(const std::string& path) {
  std::string text;
  Status read = ReadFileLimited(path, kMaxNotifyConfigBytes,
                                "an Alertmanager configuration file", &text);
  if (!read.ok()) return read;
  return LoadNotifyConfigString(text, path);
}

}  // namespace tend::notify
