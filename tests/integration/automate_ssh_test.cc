// `tend apply` over SSH to real OpenSSH servers on loopback ports, each a
// "host" with its own host key and its own root directory
// (src/automate/transport/sshd_test_util.h): parallel hosts, an
// unreachable host, a host failing halfway, serial batches and
// max_fail_percentage. Runs the real tend binary; needs root.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "automate/transport/sshd_test_util.h"
#include "base/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"

namespace tend::testing {
namespace {

namespace fs = std::filesystem;
using automate::testing::SshdFleet;
using ::testing::HasSubstr;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Put(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

struct Recap {
  int ok = -1, changed = -1, unreachable = -1, failed = -1, skipped = -1;
};

// The PLAY RECAP lines of the text output, by host.
std::map<std::string, Recap> ParseRecap(const std::string& out) {
  std::map<std::string, Recap> r;
  static const std::regex line(
      R"((\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+)"
      R"(failed=(\d+)\s+skipped=(\d+))");
  size_t at = out.find("PLAY RECAP");
  if (at == std::string::npos) return r;
  std::string tail = out.substr(at);
  for (std::sregex_iterator it(tail.begin(), tail.end(), line), end; it != end;
       ++it) {
    Recap x;
    x.ok = std::stoi((*it)[2]);
    x.changed = std::stoi((*it)[3]);
    x.unreachable = std::stoi((*it)[4]);
    x.failed = std::stoi((*it)[5]);
    x.skipped = std::stoi((*it)[6]);
    r[(*it)[1]] = x;
  }
  return r;
}

struct ApplyRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class AutomateSshTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto f = SshdFleet::Start(5);
    if (!f.ok()) {
      start_error_ = new std::string(f.status().message());
      return;
    }
    fleet_ = f->release();
  }
  static void TearDownTestSuite() {
    delete fleet_;
    fleet_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(fleet_, nullptr) << "sshd fleet: " << *start_error_;
    // A HOME of its own: ~/.ssh/known_hosts is the fleet's, and nothing
    // of the real user's is read or written.
    home_ = tmp_.path() + "/home";
    fs::create_directories(home_ + "/.ssh");
    fs::copy_file(fleet_->known_hosts(), home_ + "/.ssh/known_hosts");
    test_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  // The host's root for this test (created, empty).
  std::string Root(size_t i) {
    std::string r = fleet_->hosts()[i].root + "/" + test_;
    fs::create_directories(r);
    return r;
  }

  // An INI inventory of hosts h1..hN; `extra` adds host variables.
  std::string Inventory(size_t n,
                        const std::map<std::string, std::string>& extra = {}) {
    std::string text = "[fleet]\n";
    for (size_t i = 0; i < n; ++i) {
      const auto& h = fleet_->hosts()[i];
      text += h.name +
              " ansible_host=127.0.0.1 ansible_port=" + std::to_string(h.port) +
              " root=" + Root(i);
      auto it = extra.find(h.name);
      if (it != extra.end()) text += " " + it->second;
      text += "\n";
    }
    text += "\n[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file=" +
            fleet_->client_key() + "\n";
    return text;
  }

  ApplyRun Apply(const std::string& playbook, const std::string& inventory,
                 std::vector<std::string> more = {}) {
    const std::string dir = tmp_.path() + "/" + std::to_string(runs_++);
    Put(dir + "/play.yml", playbook);
    Put(dir + "/inventory.ini", inventory);
    Put(dir + "/templates/motd.j2",
        "host {{ inventory_hostname }} port {{ ansible_port }}\n"
        "{% for x in items %}- {{ x }}\n{% endfor %}");
    SubprocessOptions o;
    o.argv = {TendBinary(), "apply", dir + "/play.yml", "-i",
              dir + "/inventory.ini"};
    o.argv.insert(o.argv.end(), more.begin(), more.end());
    o.env = {"HOME=" + home_, "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
             "TEND_DATA_DIR=" + dir + "/data"};
    o.timeout_ms = 120000;
    o.max_output_bytes = 8 << 20;
    ApplyRun r;
    auto res = RunSubprocess(o);
    if (!res.ok()) {
      r.err = std::string(res.status().message());
      return r;
    }
    r.exit_code = res->exit_code;
    r.out = res->stdout_data;
    r.err = res->stderr_data;
    return r;
  }

  static SshdFleet* fleet_;
  static std::string* start_error_;
  TempDir tmp_;
  std::string home_;
  std::string test_;
  int runs_ = 0;
};

SshdFleet* AutomateSshTest::fleet_ = nullptr;
std::string* AutomateSshTest::start_error_ = nullptr;

const char kFilesPlay[] = R"(- hosts: fleet
  gather_facts: false
  vars:
    items: [a, b]
  tasks:
    - name: a directory
      file:
        path: "{{ root }}/etc/app"
        state: directory
        mode: "0755"
    - name: a file copied from content
      copy:
        content: "name={{ inventory_hostname }}\n"
        dest: "{{ root }}/etc/app/app.conf"
        mode: "0640"
    - name: a template
      template:
        src: motd.j2
        dest: "{{ root }}/etc/motd"
    - name: a line in a file
      lineinfile:
        path: "{{ root }}/etc/app/port.conf"
        line: "port={{ ansible_port }}"
        create: true
    - name: a command that runs once
      command:
        cmd: touch "{{ root }}/done"
        creates: "{{ root }}/done"
    - name: a link
      file:
        src: "{{ root }}/etc/app/app.conf"
        dest: "{{ root }}/app.conf"
        state: link
)";

TEST_F(AutomateSshTest, FiveHostsInParallelConvergeEachInItsOwnRoot) {
  const std::string inv = Inventory(5);
  ApplyRun first = Apply(kFilesPlay, inv);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto recap = ParseRecap(first.out);
  ASSERT_EQ(recap.size(), 5u) << first.out;
  for (size_t i = 0; i < 5; ++i) {
    const auto& h = fleet_->hosts()[i];
    const std::string root = fleet_->hosts()[i].root + "/" + test_;
    EXPECT_EQ(recap[h.name].changed, 6) << h.name << "\n" << first.out;
    EXPECT_EQ(recap[h.name].failed, 0);
    EXPECT_EQ(Slurp(root + "/etc/app/app.conf"), "name=" + h.name + "\n");
    EXPECT_EQ(Slurp(root + "/etc/app/port.conf"),
              "port=" + std::to_string(h.port) + "\n");
    struct stat s;
    ASSERT_EQ(::stat((root + "/etc/app/app.conf").c_str(), &s), 0);
    EXPECT_EQ(s.st_mode & 07777, 0640u);
    EXPECT_EQ(
        Slurp(root + "/etc/motd"),
        "host " + h.name + " port " + std::to_string(h.port) + "\n- a\n- b\n");
    EXPECT_TRUE(fs::exists(root + "/done"));
    EXPECT_EQ(fs::read_symlink(root + "/app.conf"), root + "/etc/app/app.conf");
  }
  // The second run changes nothing.
  ApplyRun second = Apply(kFilesPlay, inv);
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  recap = ParseRecap(second.out);
  for (const auto& h : fleet_->hosts()) {
    EXPECT_EQ(recap[h.name].changed, 0) << h.name << "\n" << second.out;
    EXPECT_EQ(recap[h.name].ok, 6) << h.name;
  }
}

TEST_F(AutomateSshTest, UnreachableHostDoesNotStopTheOthers) {
  std::string inv = Inventory(2);
  // A closed port: nothing listens on it.
  inv.insert(inv.find("\n[fleet:vars]"),
             "dead ansible_host=127.0.0.1 ansible_port=1 root=/nonexistent\n");
  ApplyRun r = Apply(kFilesPlay, inv);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("fatal: [dead]: UNREACHABLE!"));
  EXPECT_THAT(r.out, HasSubstr("dead (127.0.0.1:1)"));
  auto recap = ParseRecap(r.out);
  EXPECT_EQ(recap["dead"].unreachable, 1) << r.out;
  EXPECT_EQ(recap["dead"].ok, 0);
  for (size_t i = 0; i < 2; ++i) {
    const auto& h = fleet_->hosts()[i];
    EXPECT_EQ(recap[h.name].changed, 6) << r.out;
    EXPECT_EQ(recap[h.name].unreachable, 0);
    EXPECT_TRUE(fs::exists(h.root + "/" + test_ + "/done"));
  }
}

TEST_F(AutomateSshTest, HostThatFailsHalfwayStopsThereOthersContinue) {
  const char play[] = R"(- hosts: fleet
  gather_facts: false
  tasks:
    - copy: {content: "one\n", dest: "{{ root }}/one"}
    - name: fails on h2 only
      command: test "{{ inventory_hostname }}" != h2
    - copy: {content: "three\n", dest: "{{ root }}/three"}
)";
  ApplyRun r = Apply(play, Inventory(3));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("fatal: [h2]: FAILED!"));
  auto recap = ParseRecap(r.out);
  EXPECT_EQ(recap["h2"].failed, 1) << r.out;
  EXPECT_EQ(recap["h2"].changed, 1);
  const std::string h2 = fleet_->hosts()[1].root + "/" + test_;
  EXPECT_TRUE(fs::exists(h2 + "/one"));
  EXPECT_FALSE(fs::exists(h2 + "/three"));
  for (size_t i : {0u, 2u}) {
    const auto& h = fleet_->hosts()[i];
    EXPECT_EQ(recap[h.name].failed, 0) << r.out;
    EXPECT_EQ(Slurp(h.root + "/" + test_ + "/three"), "three\n");
  }
}

TEST_F(AutomateSshTest, SerialRunsBatchesInOrder) {
  const char play[] = R"(- hosts: fleet
  gather_facts: false
  serial: 2
  tasks:
    - name: stamp
      shell: date +%s%N > "{{ root }}/stamp"; sleep 0.2
    - name: second
      copy: {content: "x", dest: "{{ root }}/second"}
)";
  ApplyRun r = Apply(play, Inventory(5));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Output: batch h1,h2 (both tasks), then h3,h4, then h5.
  auto pos = [&](const std::string& what) {
    size_t p = r.out.find(what);
    EXPECT_NE(p, std::string::npos) << what << "\n" << r.out;
    return p;
  };
  size_t h2_second = r.out.find("[h2]", pos("TASK [second]"));
  size_t h3_first = pos("[h3]");
  size_t h5_first = pos("[h5]");
  size_t h4_first = pos("[h4]");
  EXPECT_LT(h2_second, h3_first) << r.out;
  EXPECT_LT(pos("[h1]"), h3_first);
  EXPECT_LT(h4_first, h5_first);
  // The stamps agree: every host of a batch started after the previous
  // batch's hosts had finished their first task.
  std::vector<long long> stamp;
  for (size_t i = 0; i < 5; ++i) {
    stamp.push_back(
        std::stoll(Slurp(fleet_->hosts()[i].root + "/" + test_ + "/stamp")));
  }
  EXPECT_LT(std::max(stamp[0], stamp[1]), std::min(stamp[2], stamp[3]));
  EXPECT_LT(std::max(stamp[2], stamp[3]), stamp[4]);
  auto recap = ParseRecap(r.out);
  for (const auto& h : fleet_->hosts()) EXPECT_EQ(recap[h.name].changed, 2);
}

TEST_F(AutomateSshTest, MaxFailPercentageAbortsThePlay) {
  const char play[] = R"(- hosts: fleet
  gather_facts: false
  max_fail_percentage: 30
  tasks:
    - name: two of five fail
      command: /bin/sh -c 'test "{{ inventory_hostname }}" != h1 && test "{{ inventory_hostname }}" != h4'
    - name: never reached
      copy: {content: "x", dest: "{{ root }}/after"}
)";
  ApplyRun r = Apply(play, Inventory(5));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("NO MORE HOSTS LEFT"));
  auto recap = ParseRecap(r.out);
  EXPECT_EQ(recap["h1"].failed, 1) << r.out;
  EXPECT_EQ(recap["h4"].failed, 1);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_FALSE(fs::exists(fleet_->hosts()[i].root + "/" + test_ + "/after"))
        << fleet_->hosts()[i].name << "\n"
        << r.out;
  }
}

TEST_F(AutomateSshTest, UnknownHostKeyIsRefusedUnlessAccepted) {
  fs::remove(home_ + "/.ssh/known_hosts");
  const char play[] = R"(- hosts: fleet
  gather_facts: false
  tasks:
    - copy: {content: "k\n", dest: "{{ root }}/k"}
)";
  ApplyRun strict = Apply(play, Inventory(1));
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_THAT(strict.out, HasSubstr("UNREACHABLE"));
  EXPECT_THAT(strict.out, HasSubstr("is not in"));
  ApplyRun bad =
      Apply(play, Inventory(1), {"--host-key-checking", "sometimes"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("want strict, accept-new or off"));
  ApplyRun accept =
      Apply(play, Inventory(1), {"--host-key-checking", "accept-new"});
  ASSERT_EQ(accept.exit_code, 0) << accept.out << accept.err;
  EXPECT_THAT(Slurp(home_ + "/.ssh/known_hosts"),
              HasSubstr(fleet_->hosts()[0].host_key_line));
  ApplyRun again = Apply(play, Inventory(1));  // strict, now known
  EXPECT_EQ(again.exit_code, 0) << again.out;
}

}  // namespace
}  // namespace tend::testing
