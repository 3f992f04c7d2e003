// Facts gathered natively: files under /etc and /proc read through the
// connection, and a few commands (hostname -f, ip) that every Debian-like
// system has. Nothing is installed or copied to the target.
#include <map>
#include <sstream>

#include "automate/run/builtin_actions.h"

namespace tend::automate {
namespace {

constexpr size_t kMaxFactFile = 4 << 20;

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 && (s[0] == '"' || s[0] == '\'') && s.back() == s[0]) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

std::map<std::string, std::string> OsRelease(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos || line[0] == '#') continue;
    out[line.substr(0, eq)] = Unquote(Trim(line.substr(eq + 1)));
  }
  return out;
}

// Ansible's os_family from the distribution name.
std::string OsFamily(const std::string& id, const std::string& id_like) {
  static const std::map<std::string, std::string> families = {
      {"debian", "Debian"},    {"ubuntu", "Debian"}, {"linuxmint", "Debian"},
      {"raspbian", "Debian"},  {"kali", "Debian"},   {"rhel", "RedHat"},
      {"centos", "RedHat"},    {"fedora", "RedHat"}, {"rocky", "RedHat"},
      {"almalinux", "RedHat"}, {"ol", "RedHat"},     {"amzn", "RedHat"},
      {"sles", "Suse"},        {"opensuse", "Suse"}, {"opensuse-leap", "Suse"},
      {"arch", "Archlinux"},   {"alpine", "Alpine"}, {"gentoo", "Gentoo"}};
  if (auto it = families.find(id); it != families.end()) return it->second;
  std::istringstream like(id_like);
  std::string word;
  while (like >> word) {
    if (auto it = families.find(word); it != families.end()) return it->second;
  }
  return id.empty() ? "Linux" : id;
}

std::string Distribution(const std::string& id) {
  static const std::map<std::string, std::string> names = {
      {"debian", "Debian"},
      {"ubuntu", "Ubuntu"},
      {"centos", "CentOS"},
      {"rhel", "RedHat"},
      {"fedora", "Fedora"},
      {"rocky", "Rocky"},
      {"almalinux", "AlmaLinux"},
      {"alpine", "Alpine"},
      {"arch", "Archlinux"},
      {"amzn", "Amazon"},
      {"opensuse-leap", "openSUSE Leap"},
      {"sles", "SLES"}};
  if (auto it = names.find(id); it != names.end()) return it->second;
  if (id.empty()) return "Linux";
  std::string s = id;
  s[0] = static_cast<char>(toupper(s[0]));
  return s;
}

Result<std::string> Read(Connection* c, const std::string& path) {
  return c->ReadFile(path, kMaxFactFile, Privilege{});
}

Result<std::string> Run(Connection* c, std::vector<std::string> argv) {
  ExecRequest req;
  req.argv = std::move(argv);
  req.timeout_ms = 10000;
  ASSIGN_OR_RETURN(ExecResult r, c->Exec(req));
  if (r.exit_code != 0) {
    return Status(StatusCode::kUnavailable,
                  "exit " + std::to_string(r.exit_code));
  }
  return Trim(r.out);
}

void AddAddresses(Connection* c, Value* facts) {
  Value v4 = Value::array(), v6 = Value::array();
  auto out = Run(c, {"ip", "-o", "addr", "show"});
  if (out.ok()) {
    std::istringstream in(*out);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string idx, dev, fam, addr;
      words >> idx >> dev >> fam >> addr;
      std::string ip = addr.substr(0, addr.find('/'));
      if (dev == "lo") continue;
      if (fam == "inet") v4.push_back(ip);
      if (fam == "inet6" && !ip.starts_with("fe80")) v6.push_back(ip);
    }
  }
  (*facts)["all_ipv4_addresses"] = v4;
  (*facts)["all_ipv6_addresses"] = v6;
  Value def = Value::object();
  auto route = Run(c, {"ip", "-o", "route", "get", "1.1.1.1"});
  if (route.ok()) {
    std::istringstream words(*route);
    std::string w, prev;
    while (words >> w) {
      if (prev == "dev") def["interface"] = w;
      if (prev == "src") def["address"] = w;
      if (prev == "via") def["gateway"] = w;
      prev = w;
    }
  }
  (*facts)["default_ipv4"] = def;
}

}  // namespace

Result<Value> GatherFacts(Connection* conn) {
  Value f = Value::object();
  // Reaching the host at all is the first fact; a failure here makes it
  // unreachable.
  ASSIGN_OR_RETURN(std::string uname, Run(conn, {"uname", "-srm"}));
  {
    std::istringstream in(uname);
    std::string sys, rel, mach;
    in >> sys >> rel >> mach;
    f["system"] = sys;
    f["kernel"] = rel;
    f["architecture"] = mach;
    f["machine"] = mach;
  }
  auto osr = Read(conn, "/etc/os-release");
  if (!osr.ok()) osr = Read(conn, "/usr/lib/os-release");
  std::map<std::string, std::string> os;
  if (osr.ok()) os = OsRelease(*osr);
  const std::string id = os["ID"];
  f["distribution"] = Distribution(id);
  f["os_family"] = OsFamily(id, os["ID_LIKE"]);
  std::string version = os["VERSION_ID"];
  if (id == "debian") {
    auto dv = Read(conn, "/etc/debian_version");
    if (dv.ok()) version = Trim(*dv);
  }
  f["distribution_version"] = version;
  f["distribution_major_version"] = version.substr(0, version.find('.'));
  f["distribution_release"] = os["VERSION_CODENAME"];
  auto hostname = Read(conn, "/proc/sys/kernel/hostname");
  std::string hn = hostname.ok() ? Trim(*hostname) : "";
  f["hostname"] = hn.substr(0, hn.find('.'));
  f["nodename"] = hn;
  auto fqdn = Run(conn, {"hostname", "-f"});
  std::string fq = fqdn.ok() && !fqdn->empty() ? *fqdn : hn;
  f["fqdn"] = fq;
  f["domain"] =
      fq.find('.') == std::string::npos ? "" : fq.substr(fq.find('.') + 1);
  auto cpuinfo = Read(conn, "/proc/cpuinfo");
  int processors = 0;
  std::map<std::string, int> cores_per_socket;
  if (cpuinfo.ok()) {
    std::istringstream in(*cpuinfo);
    std::string line, phys;
    while (std::getline(in, line)) {
      if (line.starts_with("processor")) ++processors;
      if (line.starts_with("physical id"))
        phys = Trim(line.substr(line.find(':') + 1));
      if (line.starts_with("cpu cores")) {
        cores_per_socket[phys] =
            std::atoi(line.substr(line.find(':') + 1).c_str());
      }
    }
  }
  int cores = 0;
  for (const auto& [p, n] : cores_per_socket) cores += n;
  f["processor_vcpus"] = processors;
  f["processor_count"] =
      std::max<int>(1, static_cast<int>(cores_per_socket.size()));
  f["processor_cores"] = cores > 0 ? cores : processors;
  auto meminfo = Read(conn, "/proc/meminfo");
  if (meminfo.ok()) {
    std::istringstream in(*meminfo);
    std::string key;
    int64_t kb;
    std::string unit;
    while (in >> key >> kb) {
      std::getline(in, unit);
      if (key == "MemTotal:") f["memtotal_mb"] = kb / 1024;
      if (key == "MemFree:") f["memfree_mb"] = kb / 1024;
      if (key == "SwapTotal:") f["swaptotal_mb"] = kb / 1024;
      if (key == "SwapFree:") f["swapfree_mb"] = kb / 1024;
    }
  }
  auto mounts = Read(conn, "/proc/mounts");
  Value ms = Value::array();
  if (mounts.ok()) {
    std::istringstream in(*mounts);
    std::string dev, path, fstype, opts;
    int a, b;
    while (in >> dev >> path >> fstype >> opts >> a >> b) {
      if (!dev.starts_with("/")) continue;  // real devices, as Ansible lists
      ms.push_back(Value{{"device", dev},
                         {"mount", path},
                         {"fstype", fstype},
                         {"options", opts}});
    }
  }
  f["mounts"] = ms;
  auto mid = Read(conn, "/etc/machine-id");
  if (mid.ok()) f["machine_id"] = Trim(*mid);
  AddAddresses(conn, &f);
  auto uid = Run(conn, {"id", "-u"});
  if (uid.ok()) f["user_uid"] = std::atoi(uid->c_str());
  auto user = Run(conn, {"id", "-un"});
  if (user.ok()) f["user_id"] = *user;
  auto pid1 = Read(conn, "/proc/1/comm");
  std::string init = pid1.ok() ? Trim(*pid1) : "";
  f["service_mgr"] = init == "systemd" ? "systemd"
                     : init.empty()    ? "service"
                                       : init;
  f["pkg_mgr"] = f["os_family"] == "Debian"   ? "apt"
                 : f["os_family"] == "RedHat" ? "dnf"
                 : f["os_family"] == "Alpine" ? "apk"
                                              : "unknown";
  f["gather_subset"] = Value::array({"all"});
  return f;
}

}  // namespace tend::automate
