// Differential tests against the real Ansible: each playbook under
// tests/data/automate/diff/ is applied by `ansible-playbook -c local` to one
// temporary root and by `tend apply` to another, twice. After each run the
// two trees (paths, types, contents, modes, owners, link targets) must be
// equal, and so must the recap counters (ok, changed, unreachable, failed,
// skipped, rescued, ignored) and whether the run failed.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "base/subprocess.h"
#include "harness.h"

namespace tend::testing {
namespace {

const char kDataDir[] = "tests/data/automate/diff";

std::string SourceDir() {
  const char* s = getenv("TEND_SOURCE_DIR");
  return s != nullptr ? s : ".";
}

std::vector<std::string> Playbooks() {
  std::vector<std::string> out;
  std::string dir = SourceDir() + "/" + kDataDir;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 4 && n.compare(n.size() - 4, 4, ".yml") == 0 &&
          isdigit(static_cast<unsigned char>(n[0]))) {
        out.push_back(n);
      }
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Recap {
  std::map<std::string, int> counts;
  bool found = false;
};

Recap ParseRecap(const std::string& out) {
  Recap r;
  static const std::regex line(
      R"((\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+))");
  std::smatch m;
  std::string::const_iterator start = out.begin();
  while (std::regex_search(start, out.end(), m, line)) {
    const char* names[] = {"ok",      "changed", "unreachable", "failed",
                           "skipped", "rescued", "ignored"};
    for (int i = 0; i < 7; ++i) {
      r.counts[m[1].str() + "." + names[i]] = std::stoi(m[i + 2].str());
    }
    r.found = true;
    start = m.suffix().first;
  }
  return r;
}

struct Entry {
  char type = '?';  // f, d, l
  unsigned mode = 0;
  unsigned uid = 0, gid = 0;
  std::string content;  // file contents or link target, root replaced
  bool operator==(const Entry&) const = default;
};

std::string Normalize(std::string s, const std::string& root) {
  for (size_t p; (p = s.find(root)) != std::string::npos;) {
    s.replace(p, root.size(), "ROOT");
  }
  return s;
}

void Walk(const std::string& root, const std::string& rel,
          std::map<std::string, Entry>* out) {
  std::string dir = root + rel;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  for (const std::string& n : names) {
    std::string r = rel + "/" + n;
    std::string path = root + r;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    Entry e;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    if (S_ISLNK(st.st_mode)) {
      e.type = 'l';
      char buf[4096];
      ssize_t len = readlink(path.c_str(), buf, sizeof buf);
      e.content = Normalize(std::string(buf, len > 0 ? len : 0), root);
      e.mode = 0;  // symlink modes are not meaningful on Linux
    } else if (S_ISDIR(st.st_mode)) {
      e.type = 'd';
      Walk(root, r, out);
    } else if (S_ISREG(st.st_mode)) {
      e.type = 'f';
      std::ifstream in(path, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      e.content = Normalize(ss.str(), root);
    }
    (*out)[r] = e;
  }
}

std::string Describe(const Entry& e) {
  char buf[64];
  snprintf(buf, sizeof buf, "%c mode=%04o uid=%u gid=%u ", e.type, e.mode,
           e.uid, e.gid);
  return buf + ("content=\"" + e.content.substr(0, 200) + "\"");
}

// Playbooks named *_sandbox.yml change users, groups, /etc and the host
// name: both tools run them in a private mount and UTS namespace where
// /etc and /home are private copies (tmpfs over /mnt and /home, seen
// only inside), so the host is untouched.
const char kSandbox[] = R"(set -e
mount --make-rprivate /
mount -t tmpfs tmpfs /mnt
mkdir /mnt/etc
cp -a /etc/. /mnt/etc/
mount --bind /mnt/etc /etc
mount -t tmpfs tmpfs /home
"$@"
)";

std::vector<std::string> MaybeSandboxed(const std::string& playbook,
                                        std::vector<std::string> argv) {
  if (playbook.find("_sandbox") == std::string::npos) return argv;
  std::vector<std::string> out = {"unshare", "-m", "-u",     "--fork", "--",
                                  "/bin/sh", "-c", kSandbox, "sandbox"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

class AnsibleDiffTest : public ::testing::TestWithParam<std::string> {
 protected:
  Result<SubprocessResult> RunAnsible(const std::string& playbook,
                                      const std::string& root,
                                      const std::string& home) {
    SubprocessOptions o;
    o.argv = {"ansible-playbook",
              "-c",
              "local",
              "-i",
              "localhost,",
              "-e",
              "root=" + root,
              "-e",
              "from_e=cli",
              "-e",
              "http_port=" + std::to_string(http_port_),
              playbook};
    o.argv = MaybeSandboxed(playbook, o.argv);
    o.working_dir = SourceDir() + "/" + kDataDir;
    o.env = {"HOME=" + home,
             "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
             "ANSIBLE_NOCOLOR=1",
             "ANSIBLE_RETRY_FILES_ENABLED=0",
             "ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3",
             "ANSIBLE_LOCALHOST_WARNING=0",
             "ANSIBLE_INVENTORY_UNPARSED_WARNING=0",
             "ANSIBLE_DEPRECATION_WARNINGS=0",
             "ANSIBLE_LOCAL_TEMP=" + home + "/.ansible-tmp",
             "ANSIBLE_REMOTE_TEMP=" + home + "/.ansible-remote",
             "LANG=C.UTF-8"};
    o.timeout_ms = 300000;
    o.max_output_bytes = 8 << 20;
    return RunSubprocess(o);
  }

  Result<SubprocessResult> RunTend(const std::string& playbook,
                                   const std::string& root,
                                   const std::string& home) {
    SubprocessOptions o;
    o.argv = {TendBinary(),
              "apply",
              playbook,
              "-e",
              "root=" + root,
              "-e",
              "from_e=cli",
              "-e",
              "http_port=" + std::to_string(http_port_),
              "--data-dir",
              home + "/no-such-dir"};
    o.argv = MaybeSandboxed(playbook, o.argv);
    o.working_dir = SourceDir() + "/" + kDataDir;
    o.env = {"HOME=" + home, "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
             "LANG=C.UTF-8"};
    o.timeout_ms = 300000;
    o.max_output_bytes = 8 << 20;
    return RunSubprocess(o);
  }

  void CompareRun(int run, const SubprocessResult& a, const SubprocessResult& t,
                  const std::string& root_a, const std::string& root_t) {
    SCOPED_TRACE("run " + std::to_string(run));
    Recap ra = ParseRecap(a.stdout_data), rt = ParseRecap(t.stdout_data);
    ASSERT_TRUE(ra.found) << "ansible-playbook printed no recap:\n"
                          << a.stdout_data << a.stderr_data;
    ASSERT_TRUE(rt.found) << "tend printed no recap:\n"
                          << t.stdout_data << t.stderr_data;
    EXPECT_EQ(ra.counts, rt.counts) << "--- ansible-playbook:\n"
                                    << a.stdout_data << "\n--- tend:\n"
                                    << t.stdout_data << t.stderr_data;
    EXPECT_EQ(a.exit_code == 0, t.exit_code == 0)
        << "ansible exit " << a.exit_code << ", tend exit " << t.exit_code;
    std::map<std::string, Entry> ta, tt;
    Walk(root_a, "", &ta);
    Walk(root_t, "", &tt);
    for (const auto& [path, e] : ta) {
      auto it = tt.find(path);
      if (it == tt.end()) {
        ADD_FAILURE() << "only ansible made " << path << ": " << Describe(e);
      } else if (!(it->second == e)) {
        ADD_FAILURE() << path << " differs:\n  ansible: " << Describe(e)
                      << "\n  tend:    " << Describe(it->second);
      }
    }
    for (const auto& [path, e] : tt) {
      if (!ta.contains(path)) {
        ADD_FAILURE() << "only tend made " << path << ": " << Describe(e);
      }
    }
  }

  int http_port_ = 0;
};

TEST_P(AnsibleDiffTest, SameTreeAndCountsTwice) {
  ASSERT_EQ(access("/usr/bin/ansible-playbook", X_OK), 0)
      << "ansible-playbook is missing: scripts/deps.sh installs ansible-core";
  const std::string playbook = GetParam();
  TempDir root_a, root_t, home;
  // Playbooks named *_http.yml get an HTTP server on loopback serving
  // files/ (Python's http.server: a server both tools fetch from alike).
  ChildProcess http;
  if (playbook.find("_http") != std::string::npos) {
    http_port_ = FreePort();
    ASSERT_TRUE(http.Start({"/usr/bin/python3", "-m", "http.server", "--bind",
                            "127.0.0.1", "--directory",
                            SourceDir() + "/" + kDataDir + "/files",
                            std::to_string(http_port_)},
                           home.path() + "/http.log")
                    .ok());
    ASSERT_TRUE(WaitForHttp200("127.0.0.1:" + std::to_string(http_port_),
                               "/motd.txt", 20000))
        << http.Log();
  }
  for (int run = 1; run <= 2; ++run) {
    auto a = RunAnsible(playbook, root_a.path(), home.path());
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    auto t = RunTend(playbook, root_t.path(), home.path());
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    CompareRun(run, *a, *t, root_a.path(), root_t.path());
  }
}

std::string Name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param.substr(0, info.param.size() - 4);
  for (char& c : n) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return "P" + n;
}

INSTANTIATE_TEST_SUITE_P(Playbooks, AnsibleDiffTest,
                         ::testing::ValuesIn(Playbooks()), Name);

}  // namespace
}  // namespace tend::testing
