// E-mail (SMTP over libcurl) and exec integrations.
#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <string>

#include "base/subprocess.h"
#include "notify/integration.h"

namespace tend::notify {
namespace {

void CurlInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// "Alerts <a@example.org>" -> "<a@example.org>"; "a@b" -> "<a@b>".
std::string EnvelopeAddress(const std::string& addr) {
  size_t lt = addr.rfind('<');
  size_t gt = addr.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
    return addr.substr(lt, gt - lt + 1);
  }
  return "<" + addr + ">";
}

// Header values must stay on one line.
std::string OneLine(std::string v) {
  for (char& c : v) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return v;
}

struct ReadState {
  std::string_view data;
  size_t pos = 0;
};

size_t ReadBody(char* buf, size_t size, size_t nitems, void* user) {
  auto* s = static_cast<ReadState*>(user);
  size_t n = std::min(size * nitems, s->data.size() - s->pos);
  std::memcpy(buf, s->data.data() + s->pos, n);
  s->pos += n;
  return n;
}

class Email : public Integration {
 public:
  explicit Email(EmailConfig c) : c_(std::move(c)) {}
  std::string_view kind() const override { return "email"; }
  bool send_resolved() const override { return c_.send_resolved; }

  std::string Render(const Notification& n) const override {
    std::string m;
    bool has_to = false, has_from = false;
    for (const auto& [name, tmpl] : c_.headers) {
      m += name + ": " + OneLine(tmpl.Render(n)) + "\r\n";
      has_to |= name == "To";
      has_from |= name == "From";
    }
    if (!has_from) m += "From: " + c_.from + "\r\n";
    if (!has_to) {
      std::string to;
      for (const std::string& t : c_.to) to += (to.empty() ? "" : ", ") + t;
      m += "To: " + to + "\r\n";
    }
    char date[64];
    time_t t = static_cast<time_t>(n.now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    m += std::string("Date: ") + date + "\r\n";
    std::random_device rd;
    m += "Message-Id: <" + std::to_string(n.now_ms) + "." +
         std::to_string(rd()) + "@tend>\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=UTF-8\r\n\r\n";
    // CRLF line endings; a line holding only "." is escaped by curl.
    std::string body = c_.text.Render(n);
    for (char ch : body) {
      if (ch == '\n') {
        m += "\r\n";
      } else if (ch != '\r') {
        m += ch;
      }
    }
    if (!m.ends_with("\r\n")) m += "\r\n";
    return m;
  }

  Status Send(std::string_view body) const override {
    CurlInitOnce();
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return InternalError("curl_easy_init failed");
    size_t colon = c_.smarthost.rfind(':');
    std::string port =
        colon == std::string::npos ? "25" : c_.smarthost.substr(colon + 1);
    std::string scheme = port == "465" ? "smtps://" : "smtp://";
    std::string url = scheme + c_.smarthost + "/" + c_.hello;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(c_.timeout_ms));
    if (scheme == "smtp://" && c_.require_tls) {
      curl_easy_setopt(curl, CURLOPT_USE_SSL,
                       static_cast<long>(CURLUSESSL_ALL));
    }
    if (c_.insecure_skip_verify) {
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!c_.auth_username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, c_.auth_username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, c_.auth_password.c_str());
      if (!c_.auth_identity.empty()) {
        curl_easy_setopt(curl, CURLOPT_SASL_AUTHZID, c_.auth_identity.c_str());
      }
    }
    std::string from = EnvelopeAddress(c_.from);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    struct curl_slist* rcpt = nullptr;
    for (const std::string& t : c_.to) {
      rcpt = curl_slist_append(rcpt, EnvelopeAddress(t).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    ReadState state{body, 0};
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &state);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    char err[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, err);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (rc == CURLE_OK) return Status::Ok();
    std::string msg = "smtp " + c_.smarthost + ": " +
                      (err[0] != '\0' ? err : curl_easy_strerror(rc));
    if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceededError(msg);
    return UnavailableError(msg);
  }

 private:
  EmailConfig c_;
};

class Exec : public Integration {
 public:
  explicit Exec(ExecConfig c) : c_(std::move(c)) {}
  std::string_view kind() const override { return "exec"; }
  bool send_resolved() const override { return c_.send_resolved; }
  std::string Render(const Notification& n) const override {
    return WebhookJson(n);
  }
  Status Send(std::string_view body) const override {
    SubprocessOptions o;
    o.argv = c_.argv;
    o.stdin_data = std::string(body);
    o.timeout_ms = c_.timeout_ms;
    o.kill_grace_ms = 1000;
    o.max_output_bytes = 64 << 10;
    Result<SubprocessResult> r = RunSubprocess(o);
    if (!r.ok()) return r.status();
    if (r->success()) return Status::Ok();
    std::string what = c_.argv[0] + ": ";
    if (r->timed_out) {
      return DeadlineExceededError(what + "timed out after " +
                                   std::to_string(c_.timeout_ms) + " ms");
    }
    if (r->term_signal != 0) {
      what += "killed by signal " + std::to_string(r->term_signal);
    } else {
      what += "exit status " + std::to_string(r->exit_code);
    }
    std::string err = r->stderr_data.substr(0, 200);
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) {
      err.pop_back();
    }
    if (!err.empty()) what += ": " + err;
    return UnavailableError(what);
  }

 private:
  ExecConfig c_;
};

}  // namespace

std::unique_ptr<Integration> MakeEmail(EmailConfig c) {
  return std::make_unique<Email>(std::move(c));
}
std::unique_ptr<Integration> MakeExec(ExecConfig c) {
  return std::make_unique<Exec>(std::move(c));
}

}  // namespace tend::notify
