// Starts N real sshd "hosts" on loopback (src/automate/transport/
// sshd_test_util.h) for benchmarks: writes DIR/inventory.ini (hosts h1..hN
// with ansible_host, ansible_port, ansible_user=root, the client key and a
// `root` variable naming the host's own directory), DIR/known_hosts and
// DIR/client_key (a copy of the key), prints "ready" and waits for SIGTERM
// or SIGINT, then stops the servers it started and removes their files.
//   usage: sshd_hosts N DIR   (as root, from the repository root)
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "automate/transport/sshd_test_util.h"
#include "base/file_util.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: sshd_hosts N DIR\n");
    return 2;
  }
  const int n = std::atoi(argv[1]);
  const std::string dir = argv[2];
  if (n < 1 || n > 200) {
    std::fprintf(stderr, "sshd_hosts: N must be 1 to 200\n");
    return 2;
  }
  // Block the signals before any thread exists; sigwait takes them below.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto fleet = tend::automate::testing::SshdFleet::Start(n);
  if (!fleet.ok()) {
    std::fprintf(stderr, "sshd_hosts: %s\n",
                 std::string(fleet.status().message()).c_str());
    return 1;
  }
  const auto& f = **fleet;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string key = dir + "/client_key";
  std::filesystem::copy_file(f.client_key(), key,
                             std::filesystem::copy_options::overwrite_existing,
                             ec);
  std::filesystem::permissions(
      key,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      ec);
  std::string inv = "[fleet]\n";
  for (const auto& h : f.hosts()) {
    inv += h.name +
           " ansible_host=127.0.0.1 ansible_port=" + std::to_string(h.port) +
           " root=" + h.root + "\n";
  }
  inv +=
      "\n[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file=" + key +
      "\n";
  std::string kh;
  tend::Status s =
      tend::ReadFileLimited(f.known_hosts(), 1 << 20, "known_hosts", &kh);
  if (s.ok()) s = tend::WriteFileAtomic(dir + "/known_hosts", kh, 0644);
  if (s.ok()) s = tend::WriteFileAtomic(dir + "/inventory.ini", inv, 0644);
  if (!s.ok()) {
    std::fprintf(stderr, "sshd_hosts: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}
