#include "automate/backup/backup_test_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "automate/backup/backup_module.h"
#include "automate/modules/system/module_test_util.h"

namespace tend::automate::backup::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/tend-backup-test.XXXXXX";
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content, int mode) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  ASSERT_EQ(chmod(path.c_str(), static_cast<mode_t>(mode)), 0) << path;
}

void MakeSampleTree(const std::string& root) {
  fs::create_directories(root + "/conf/deep/er");
  fs::create_directories(root + "/private");
  fs::create_directories(root + "/shared");
  WriteFile(root + "/conf/app.conf", "listen 8080\nworkers 4\n");
  WriteFile(root + "/conf/deep/er/leaf.txt", "leaf\n", 0640);
  std::string bin;
  for (int i = 0; i < 70000; ++i) bin.push_back(static_cast<char>(i * 7919));
  WriteFile(root + "/conf/blob.bin", bin);
  WriteFile(root + "/private/secret.key", "s3cr3t\n", 0600);
  WriteFile(root + "/run.sh", "#!/bin/sh\necho hi\n", 0755);
  WriteFile(root + "/empty", "", 0644);
  WriteFile(root + "/odd name\nwith newline", "odd\n", 0644);
  ASSERT_EQ(chmod((root + "/private").c_str(), 0750), 0);
  ASSERT_EQ(chmod((root + "/shared").c_str(), 02775), 0);
  fs::create_symlink("conf/app.conf", root + "/app.conf");
  fs::create_symlink("/etc/hostname", root + "/abs-link");
  fs::create_symlink("missing/target", root + "/dangling");
  fs::create_hard_link(root + "/run.sh", root + "/shared/run-again.sh");
}

std::string SnapshotTree(const std::string& root) {
  std::vector<std::string> lines;
  for (auto it = fs::recursive_directory_iterator(root);
       it != fs::recursive_directory_iterator(); ++it) {
    const std::string p = it->path().string();
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) continue;
    std::ostringstream line;
    line << p.substr(root.size()) << " " << std::oct << (st.st_mode & 07777)
         << std::dec << " ";
    if (S_ISLNK(st.st_mode)) {
      line << "link->" << fs::read_symlink(p).string();
    } else if (S_ISDIR(st.st_mode)) {
      line << "dir";
    } else {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      line << "file size=" << ss.str().size() << " nlink=" << st.st_nlink
           << " content=" << std::hash<std::string>()(ss.str());
    }
    lines.push_back(line.str());
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

constexpr int64_t kDay = 86400;

int64_t MonthKey(int64_t t) {
  // Civil date from days since 1970-01-01 (days-to-civil arithmetic).
  int64_t z = t / kDay + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  return y * 12 + m;
}
int64_t DayKey(int64_t t) { return t / kDay; }
int64_t WeekKey(int64_t t) { return (t / kDay + 3) / 7; }

}  // namespace

std::set<int64_t> ExpectedKept(const std::vector<int64_t>& times, int daily,
                               int weekly, int monthly) {
  std::set<int64_t> keep;
  auto rule = [&](int n, int64_t (*key)(int64_t)) {
    std::map<int64_t, int64_t> newest;  // period -> newest time in it
    for (int64_t t : times) {
      auto [it, fresh] = newest.emplace(key(t), t);
      if (!fresh) it->second = std::max(it->second, t);
    }
    int taken = 0;
    for (auto it = newest.rbegin(); it != newest.rend() && taken < n;
         ++it, ++taken) {
      keep.insert(it->second);
    }
  };
  rule(daily, DayKey);
  rule(weekly, WeekKey);
  rule(monthly, MonthKey);
  return keep;
}

Result<ModuleResult> RunBackupModule(const Value& args, bool check) {
  static const std::unique_ptr<Module> module = NewBackupModule();
  automate::testing::ModuleHarness h;
  return h.Run(*module, args, check);
}

}  // namespace tend::automate::backup::testing
