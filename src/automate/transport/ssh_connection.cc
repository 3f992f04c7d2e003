// Opening SSH sessions (host keys, authentication), running commands on
// channels, and become. The SFTP primitives are in ssh_sftp.cc.
#include "automate/transport/ssh_connection.h"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>

#include "automate/transport/host_keys.h"
#include "automate/transport/local_sudo.h"
#include "automate/transport/shell_quote.h"

namespace tend::automate {
namespace {

// libssh's global state (crypto backends) is set up once per process;
// ssh_init is not safe to race.
void InitLibssh() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

// accept-new appends to known_hosts; hosts connecting in parallel take
// turns so lines never interleave.
std::mutex& KnownHostsMutex() {
  static std::mutex mu;
  return mu;
}

struct LocalUser {
  std::string name;
  std::string home;
};

LocalUser CurrentUser() {
  LocalUser u;
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(::getuid(), &pw, buf, sizeof(buf), &res) == 0 && res) {
    u.name = res->pw_name;
    u.home = res->pw_dir;
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    u.home = h;
  }
  if (u.name.empty()) u.name = std::to_string(::getuid());
  return u;
}

std::string ExpandHome(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.starts_with("~/")) return home + path.substr(1);
  return path;
}

bool FileExists(const std::string& path) {
  return ::access(path.c_str(), R_OK) == 0;
}

// "SHA256:..." of the server's key, "" when unavailable.
std::string ServerKeyFingerprint(ssh_session s) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(s, &key) != SSH_OK) return "";
  unsigned char* hash = nullptr;
  size_t len = 0;
  std::string out;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) ==
      0) {
    char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
    if (fp != nullptr) {
      out = fp;
      ssh_string_free_char(fp);
    }
    ssh_clean_pubkey_hash(&hash);
  }
  out = std::string(ssh_key_type_to_char(ssh_key_type(key))) + " " + out;
  ssh_key_free(key);
  return out;
}

std::string LinesText(const std::vector<int>& lines) {
  if (lines.empty()) return "";
  std::string out = lines.size() == 1 ? "line " : "lines ";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(lines[i]);
  }
  return out;
}

Status CheckHostKey(ssh_session s, const std::string& prefix,
                    const SshOptions& o, const std::string& known_hosts) {
  if (o.host_key_checking == HostKeyChecking::kOff) return Status::Ok();
  const std::string name = KnownHostsName(o.address, o.port);
  std::lock_guard<std::mutex> lock(KnownHostsMutex());
  enum ssh_known_hosts_e state = ssh_session_is_known_server(s);
  switch (state) {
    case SSH_KNOWN_HOSTS_OK:
      return Status::Ok();
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER: {
      std::string where = LinesText(KnownHostsFileLines(known_hosts, name));
      return PermissionDeniedError(
          prefix + ": host key for " + name +
          (state == SSH_KNOWN_HOSTS_CHANGED ? " changed"
                                            : " is of another type than the "
                                              "one known") +
          " (" + known_hosts + (where.empty() ? "" : " " + where) +
          "); the server offers " + ServerKeyFingerprint(s) +
          ". Someone may be intercepting the connection; if the host was "
          "reinstalled, remove the old key with ssh-keygen -R '" +
          name + "' -f " + known_hosts);
    }
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN:
      if (o.host_key_checking == HostKeyChecking::kAcceptNew) {
        if (ssh_session_update_known_hosts(s) != SSH_OK) {
          return PermissionDeniedError(prefix +
                                       ": could not add the host key to " +
                                       known_hosts + ": " + ssh_get_error(s));
        }
        return Status::Ok();
      }
      return PermissionDeniedError(
          prefix + ": host key for " + name + " is not in " + known_hosts +
          " (the server offers " + ServerKeyFingerprint(s) +
          "); add it (ssh-keyscan -p " + std::to_string(o.port) + " " +
          o.address + " >> " + known_hosts +
          ") or use host key checking accept-new");
    case SSH_KNOWN_HOSTS_ERROR:
      break;
  }
  return PermissionDeniedError(
      prefix + ": cannot check the host key: " + ssh_get_error(s));
}

Status Authenticate(ssh_session s, const std::string& prefix,
                    const SshOptions& o, const std::string& user,
                    const std::string& home) {
  std::vector<std::string> tried;
  std::string notes;
  auto try_key = [&](const std::string& file) -> Result<bool> {
    ssh_key key = nullptr;
    tried.push_back("key " + file);
    if (ssh_pki_import_privkey_file(file.c_str(), nullptr, nullptr, nullptr,
                                    &key) != SSH_OK) {
      notes += "; " + file +
               " could not be loaded (missing, unreadable, not a private "
               "key, or protected by a passphrase: load it into an agent)";
      return false;
    }
    int rc = ssh_userauth_publickey(s, nullptr, key);
    ssh_key_free(key);
    if (rc == SSH_AUTH_ERROR) {
      return UnavailableError(prefix + ": authentication as " + user +
                              " failed: " + ssh_get_error(s));
    }
    return rc == SSH_AUTH_SUCCESS;
  };
  for (const std::string& f : o.private_key_files) {
    ASSIGN_OR_RETURN(bool ok, try_key(ExpandHome(f, home)));
    if (ok) return Status::Ok();
  }
  if (o.use_agent) {
    const char* env_sock = std::getenv("SSH_AUTH_SOCK");
    bool have_agent =
        !o.agent_socket.empty() || (env_sock != nullptr && *env_sock != '\0');
    if (have_agent) {
      tried.push_back("agent");
      int rc = ssh_userauth_agent(s, nullptr);
      if (rc == SSH_AUTH_SUCCESS) return Status::Ok();
      if (rc == SSH_AUTH_ERROR) {
        notes += std::string("; agent: ") + ssh_get_error(s);
      }
    }
  }
  if (o.private_key_files.empty()) {
    for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
      std::string f = home + "/.ssh/" + name;
      if (!FileExists(f)) continue;
      ASSIGN_OR_RETURN(bool ok, try_key(f));
      if (ok) return Status::Ok();
    }
  }
  std::string list;
  for (const std::string& t : tried) list += (list.empty() ? "" : ", ") + t;
  if (list.empty()) {
    list =
        "nothing: no key given, no agent ($SSH_AUTH_SOCK unset), no "
        "~/.ssh/id_ed25519, id_ecdsa or id_rsa";
  }
  return PermissionDeniedError(prefix + ": authentication failed as " + user +
                               " (tried " + list + ")" + notes);
}

int SignalNumber(std::string_view name) {
  static const std::pair<const char*, int> kSignals[] = {
      {"ABRT", 6},  {"ALRM", 14}, {"FPE", 8},   {"HUP", 1},  {"ILL", 4},
      {"INT", 2},   {"KILL", 9},  {"PIPE", 13}, {"QUIT", 3}, {"SEGV", 11},
      {"TERM", 15}, {"USR1", 10}, {"USR2", 12}, {"BUS", 7},  {"SYS", 31},
      {"TRAP", 5},  {"XCPU", 24}, {"XFSZ", 25}};
  for (const auto& [n, v] : kSignals) {
    if (name == n) return v;
  }
  return 0;
}

// What a channel's callbacks collect while its command runs.
struct ChannelState {
  std::string out, err;
  size_t max_bytes = 0;
  bool eof = false;
  bool closed = false;
  int exit_status = -1;
  bool have_status = false;
  std::string signal;
};

int OnData(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr,
           void* user) {
  auto* st = static_cast<ChannelState*>(user);
  std::string& buf = is_stderr ? st->err : st->out;
  size_t room = buf.size() < st->max_bytes ? st->max_bytes - buf.size() : 0;
  buf.append(static_cast<const char*>(data), std::min<size_t>(room, len));
  return static_cast<int>(len);  // consumed, even when dropped
}
void OnEof(ssh_session, ssh_channel, void* user) {
  static_cast<ChannelState*>(user)->eof = true;
}
void OnClose(ssh_session, ssh_channel, void* user) {
  static_cast<ChannelState*>(user)->closed = true;
}
void OnExitStatus(ssh_session, ssh_channel, int status, void* user) {
  auto* st = static_cast<ChannelState*>(user);
  st->exit_status = status;
  st->have_status = true;
}
void OnExitSignal(ssh_session, ssh_channel, const char* signal, int,
                  const char*, const char*, void* user) {
  static_cast<ChannelState*>(user)->signal = signal != nullptr ? signal : "";
}

// Owns a channel: closes and frees it on every path.
struct ChannelGuard {
  ssh_channel ch;
  ~ChannelGuard() {
    if (ch == nullptr) return;
    if (ssh_channel_is_open(ch)) ssh_channel_close(ch);
    ssh_channel_free(ch);
  }
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Result<HostKeyChecking> ParseHostKeyChecking(std::string_view text) {
  std::string t = Lower(text);
  if (t == "strict" || t == "yes" || t == "true" || t == "1") {
    return HostKeyChecking::kStrict;
  }
  if (t == "accept-new" || t == "accept_new") {
    return HostKeyChecking::kAcceptNew;
  }
  if (t == "off" || t == "no" || t == "false" || t == "0") {
    return HostKeyChecking::kOff;
  }
  return InvalidArgumentError("host key checking \"" + std::string(text) +
                              "\": want strict, accept-new or off");
}

std::string_view HostKeyCheckingName(HostKeyChecking mode) {
  switch (mode) {
    case HostKeyChecking::kStrict:
      return "strict";
    case HostKeyChecking::kAcceptNew:
      return "accept-new";
    case HostKeyChecking::kOff:
      return "off";
  }
  return "strict";
}

Result<SshOptions> SshOptionsFromVars(const std::string& host,
                                      const Value& vars) {
  SshOptions o;
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = vars.find(key);
    if (it == vars.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
    if (it->is_number()) return it->dump();
    return std::nullopt;
  };
  auto first = [&](std::initializer_list<const char*> keys)
      -> std::pair<const char*, std::optional<std::string>> {
    for (const char* k : keys) {
      if (auto v = text(k)) return {k, v};
    }
    return {"", std::nullopt};
  };
  auto number = [&](const char* key, const std::string& v, int lo,
                    int hi) -> Result<int> {
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < lo || n > hi) {
      return InvalidArgumentError(host + ": " + key + "=" + v +
                                  ": want a number from " + std::to_string(lo) +
                                  " to " + std::to_string(hi));
    }
    return static_cast<int>(n);
  };
  o.address = text("ansible_host").value_or(host);
  if (auto [k, v] = first({"ansible_port", "ansible_ssh_port"}); v) {
    ASSIGN_OR_RETURN(o.port, number(k, *v, 1, 65535));
  }
  if (auto [k, v] = first({"ansible_user", "ansible_ssh_user"}); v) {
    o.user = *v;
  }
  if (auto [k, v] =
          first({"ansible_ssh_private_key_file", "ansible_private_key_file"});
      v && !v->empty()) {
    o.private_key_files.push_back(*v);
  }
  if (auto [k, v] = first({"ansible_ssh_timeout", "ansible_timeout"}); v) {
    ASSIGN_OR_RETURN(int secs, number(k, *v, 1, 3600));
    o.connect_timeout_ms = secs * 1000;
  }
  if (auto [k, v] =
          first({"ansible_ssh_host_key_checking", "ansible_host_key_checking"});
      v) {
    auto mode = ParseHostKeyChecking(*v);
    if (!mode.ok()) {
      return InvalidArgumentError(host + ": " + k + ": " +
                                  std::string(mode.status().message()));
    }
    o.host_key_checking = *mode;
  } else if (const char* env = std::getenv("TEND_HOST_KEY_CHECKING");
             env != nullptr && *env != '\0') {
    auto mode = ParseHostKeyChecking(env);
    if (!mode.ok()) {
      return InvalidArgumentError("TEND_HOST_KEY_CHECKING: " +
                                  std::string(mode.status().message()));
    }
    o.host_key_checking = *mode;
  }
  return o;
}

Result<std::unique_ptr<Connection>> OpenSsh(const std::string& host,
                                            const SshOptions& in) {
  InitLibssh();
  SshOptions o = in;
  if (o.address.empty()) o.address = host;
  const LocalUser me = CurrentUser();
  if (o.user.empty()) o.user = me.name;
  const std::string known_hosts = o.known_hosts.empty()
                                      ? me.home + "/.ssh/known_hosts"
                                      : ExpandHome(o.known_hosts, me.home);
  const std::string where = o.address + ":" + std::to_string(o.port);
  const std::string prefix = host + " (" + where + ")";

  ssh_session s = ssh_new();
  if (s == nullptr) return InternalError(prefix + ": ssh_new failed");
  struct Free {
    ssh_session s;
    ~Free() {
      if (s != nullptr) {
        ssh_disconnect(s);
        ssh_free(s);
      }
    }
  } guard{s};
  const unsigned int port = static_cast<unsigned int>(o.port);
  const long timeout_s = o.connect_timeout_ms / 1000;
  const long timeout_us = (o.connect_timeout_ms % 1000) * 1000L;
  bool process_config = false;
  int nodelay = 1;
  if (ssh_options_set(s, SSH_OPTIONS_HOST, o.address.c_str()) != SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_PORT, &port) != SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_USER, o.user.c_str()) != SSH_OK ||
      // ~/.ssh/config is not read: the inventory says where to connect.
      ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config) !=
          SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str()) !=
          SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout_s) != SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &timeout_us) != SSH_OK ||
      ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay) != SSH_OK) {
    return InvalidArgumentError(prefix +
                                ": bad SSH option: " + ssh_get_error(s));
  }
  if (!o.agent_socket.empty() &&
      ssh_options_set(s, SSH_OPTIONS_IDENTITY_AGENT, o.agent_socket.c_str()) !=
          SSH_OK) {
    return InvalidArgumentError(prefix +
                                ": bad agent socket: " + ssh_get_error(s));
  }
  if (ssh_connect(s) != SSH_OK) {
    return UnavailableError(prefix + ": cannot connect: " + ssh_get_error(s));
  }
  RETURN_IF_ERROR(CheckHostKey(s, prefix, o, known_hosts));
  RETURN_IF_ERROR(Authenticate(s, prefix, o, o.user, me.home));
  guard.s = nullptr;
  std::string login_user = o.user;  // before o is moved from
  return std::unique_ptr<Connection>(
      new SshConnection(host, where, std::move(login_user), std::move(o), s));
}

SshConnection::SshConnection(std::string host, std::string where,
                             std::string login_user, SshOptions opts,
                             ssh_session session)
    : host_(std::move(host)),
      where_(std::move(where)),
      login_user_(std::move(login_user)),
      opts_(std::move(opts)),
      session_(session) {}

SshConnection::~SshConnection() {
  if (sftp_ != nullptr) sftp_free(sftp_);
  ssh_disconnect(session_);
  ssh_free(session_);
}

std::string SshConnection::Where() const { return host_ + " (" + where_ + ")"; }

bool SshConnection::NeedsSudo(const Privilege& priv) const {
  if (!priv.become) return false;
  const std::string& want = priv.user.empty() ? std::string("root") : priv.user;
  return want != login_user_;
}

std::string SshConnection::CommandLine(const ExecRequest& req) const {
  const bool sudo = NeedsSudo(req.priv);
  std::string cmd = req.argv.empty() ? "/bin/sh -c " + ShellQuote(req.shell)
                                     : ShellJoin(req.argv);
  if (!req.env.empty()) {
    std::string env = "env";
    for (const auto& [k, v] : req.env) env += " " + ShellQuote(k + "=" + v);
    cmd = env + " " + cmd;
  }
  if (!req.chdir.empty()) {
    cmd = "cd " + ShellQuote(req.chdir) + " && exec " + cmd;
    // Under sudo the cd must happen as the become user, in its own shell.
    if (sudo) cmd = "/bin/sh -c " + ShellQuote(cmd);
  }
  if (sudo) {
    const std::string& user = req.priv.user.empty() ? "root" : req.priv.user;
    cmd = "sudo -n -u " + ShellQuote(user) + " -- " + cmd;
  }
  return cmd;
}

Result<ExecResult> SshConnection::Exec(const ExecRequest& req) {
  const std::string cmd = CommandLine(req);
  ssh_channel ch = ssh_channel_new(session_);
  if (ch == nullptr) {
    return UnavailableError(
        Where() + ": cannot open a channel: " + ssh_get_error(session_));
  }
  ChannelGuard guard{ch};
  ChannelState st;
  st.max_bytes = opts_.max_output_bytes;
  struct ssh_channel_callbacks_struct cb;
  std::memset(&cb, 0, sizeof(cb));
  cb.userdata = &st;
  cb.channel_data_function = OnData;
  cb.channel_eof_function = OnEof;
  cb.channel_close_function = OnClose;
  cb.channel_exit_status_function = OnExitStatus;
  cb.channel_exit_signal_function = OnExitSignal;
  ssh_callbacks_init(&cb);
  if (ssh_channel_open_session(ch) != SSH_OK) {
    return UnavailableError(
        Where() + ": cannot open a channel: " + ssh_get_error(session_));
  }
  ssh_set_channel_callbacks(ch, &cb);
  if (ssh_channel_request_exec(ch, cmd.c_str()) != SSH_OK) {
    return UnavailableError(
        Where() + ": cannot start a command: " + ssh_get_error(session_));
  }
  const int timeout_ms =
      req.timeout_ms > 0 ? req.timeout_ms : opts_.command_timeout_ms;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string_view in = req.stdin_data;
  while (!in.empty()) {
    // Blocking writes wait for the window while incoming packets keep
    // being handled (the callbacks take the command's output meanwhile).
    size_t n = std::min<size_t>(in.size(), 1u << 16);
    int w = ssh_channel_write(ch, in.data(), static_cast<uint32_t>(n));
    if (w == SSH_ERROR) {
      // The command may have exited without reading all its input; what
      // it printed and its status still count.
      if (st.eof || st.closed || !ssh_channel_is_open(ch)) break;
      return UnavailableError(
          Where() + ": sending input failed: " + ssh_get_error(session_));
    }
    in.remove_prefix(static_cast<size_t>(w));
  }
  if (ssh_channel_is_open(ch) && !st.closed) ssh_channel_send_eof(ch);
  ExecResult r;
  while (!st.closed && !(st.eof && (st.have_status || !st.signal.empty()))) {
    int slice = 1000;
    if (timeout_ms > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        r.timed_out = true;
        ssh_channel_request_send_signal(ch, "KILL");
        break;
      }
      slice = static_cast<int>(std::min<long>(left, 1000));
    }
    int rc = ssh_channel_poll_timeout(ch, slice, 0);
    if (rc == SSH_ERROR) {
      return UnavailableError(Where() +
                              ": connection lost while running a "
                              "command: " +
                              ssh_get_error(session_));
    }
    if (rc == SSH_EOF && !st.eof) st.eof = true;
    if (st.eof && !st.closed && !st.have_status && st.signal.empty()) {
      // The status follows the end of output; wait for it (or the close).
      ssh_channel_get_exit_status(ch);
      if (!st.have_status && st.signal.empty()) break;
    }
  }
  r.out = std::move(st.out);
  r.err = std::move(st.err);
  if (r.timed_out) {
    r.exit_code = -1;
    r.signal = 9;
    return r;
  }
  if (!st.signal.empty()) {
    r.signal = SignalNumber(st.signal);
    r.exit_code = -1;
  } else {
    r.exit_code = st.have_status ? st.exit_status : -1;
  }
  // Like the local transport, a program that does not exist is an error,
  // not a result (the shell reports it as status 127).
  if (!req.argv.empty() && r.exit_code == 127 &&
      r.err.find("not found") != std::string::npos) {
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    return NotFoundError(Where() + ": cannot run " + req.argv[0] + ": " + err);
  }
  return r;
}

}  // namespace tend::automate
