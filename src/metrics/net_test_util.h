// Test helpers for the disk and network collector tests (*_test.cc of
// collectors_net.h): the kernel fixture trees they run on, an Env that
// injects faults, and sample lookup.
#ifndef TEND_METRICS_NET_TEST_UTIL_H_
#define TEND_METRICS_NET_TEST_UTIL_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "metrics/collector.h"
#include "metrics/metric.h"

namespace tend {
namespace nettest {

// Fixture trees captured from real kernels (scripts/capture-fixtures.sh).
// Every collector test runs its generic checks on each; add a tree here.
inline const std::vector<std::string>& KernelTrees() {
  static const std::vector<std::string> trees = {
      "tests/data/hosts/linux-6.18-x86_64",
      "tests/data/hosts/linux-6.1-x86_64",
  };
  return trees;
}

inline std::string TreeName(const std::string& root) {
  std::string name = root.substr(root.rfind('/') + 1);
  for (char& c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9'))) {
      c = '_';
    }
  }
  return name;
}

// Hand-made trees for edge cases (tests/data/hosts/edge-net/README).
inline constexpr char kEdgeMixed[] = "tests/data/hosts/edge-net/mixed";
inline constexpr char kEdgeGarbage[] = "tests/data/hosts/edge-net/garbage";
inline constexpr char kEdgeEmpty[] = "tests/data/hosts/edge-net/empty";
inline constexpr char kTree618[] = "tests/data/hosts/linux-6.18-x86_64";

// Reads a fixture file (path relative to the repository root) for tests
// that compare a collector's output with the file itself.
inline std::string ReadFixture(const std::string& path) {
  std::string out;
  Status s = Env::Default()->ReadFile(path, &out);
  if (!s.ok()) return std::string();
  return out;
}

// An Env over another that fails chosen calls, like LevelDB's
// fault-injecting Env: ReadFile and Stat of a path in `fail` return the
// given status; everything else is forwarded. Also counts ReadFile calls
// per path.
class FaultInjectingEnv : public Env {
 public:
  explicit FaultInjectingEnv(Env* base) : base_(base) {}

  void FailReads(const std::string& path, Status status) {
    fail_[path] = std::move(status);
  }
  int reads(const std::string& path) const {
    auto it = reads_.find(path);
    return it == reads_.end() ? 0 : it->second;
  }

  Status ReadFile(const std::string& path, std::string* out) override {
    ++reads_[path];
    auto it = fail_.find(path);
    if (it != fail_.end()) return it->second;
    return base_->ReadFile(path, out);
  }
  Status ListDir(const std::string& path,
                 std::vector<std::string>* names) override {
    return base_->ListDir(path, names);
  }
  Result<uint64_t> CountDirEntries(const std::string& path) override {
    return base_->CountDirEntries(path);
  }
  Result<std::string> ReadLink(const std::string& path) override {
    return base_->ReadLink(path);
  }
  Result<FsStats> StatFs(const std::string& path) override {
    return base_->StatFs(path);
  }
  Result<FileTimes> Stat(const std::string& path) override {
    auto it = fail_.find(path);
    if (it != fail_.end()) return it->second;
    return base_->Stat(path);
  }

 private:
  Env* base_;
  std::map<std::string, Status> fail_;
  std::map<std::string, int> reads_;
};

// An Env whose files live in memory, for tests that change a file between
// cycles. A missing path is kNotFound. Stat reports the size and a
// modification time that changes with every SetFile.
class MemEnv : public Env {
 public:
  void SetFile(const std::string& path, std::string content) {
    files_[path] = {std::move(content), ++version_};
  }
  void RemoveFile(const std::string& path) { files_.erase(path); }

  Status ReadFile(const std::string& path, std::string* out) override {
    auto it = files_.find(path);
    if (it == files_.end()) {
      return NotFoundError(path + ": No such file or directory");
    }
    *out = it->second.first;
    return Status::Ok();
  }
  Status ListDir(const std::string& path,
                 std::vector<std::string>* names) override {
    return UnimplementedError("ListDir");
  }
  Result<uint64_t> CountDirEntries(const std::string& path) override {
    return UnimplementedError("CountDirEntries");
  }
  Result<std::string> ReadLink(const std::string& path) override {
    return UnimplementedError("ReadLink");
  }
  Result<FsStats> StatFs(const std::string& path) override {
    return UnimplementedError("StatFs");
  }
  Result<FileTimes> Stat(const std::string& path) override {
    auto it = files_.find(path);
    if (it == files_.end()) {
      return NotFoundError(path + ": No such file or directory");
    }
    FileTimes t;
    t.size = it->second.first.size();
    t.mtime_unix_nanos = it->second.second;
    return t;
  }

 private:
  std::map<std::string, std::pair<std::string, int64_t>> files_;
  int64_t version_ = 0;
};

inline std::string LabelValue(const Sample& s, std::string_view name) {
  for (const Label& l : s.labels) {
    if (l.name == name) return l.value;
  }
  return std::string();
}

// The sample of family `name` whose "device" label is `device` (or, with
// an empty `device`, the family's only unlabelled sample).
inline const Sample* FindSample(const MetricSet& set, std::string_view name,
                                std::string_view device = {}) {
  const MetricFamily* f = set.Find(name);
  if (f == nullptr) return nullptr;
  for (const Sample& s : f->samples) {
    if (device.empty() ? s.labels.empty() : LabelValue(s, "device") == device) {
      return &s;
    }
  }
  return nullptr;
}

inline std::optional<double> Value(const MetricSet& set, std::string_view name,
                                   std::string_view device = {}) {
  const Sample* s = FindSample(set, name, device);
  if (s == nullptr) return std::nullopt;
  return s->value;
}

// The "device" labels of family `name`.
inline std::set<std::string> Devices(const MetricSet& set,
                                     std::string_view name) {
  std::set<std::string> out;
  const MetricFamily* f = set.Find(name);
  if (f == nullptr) return out;
  for (const Sample& s : f->samples) out.insert(LabelValue(s, "device"));
  return out;
}

// Names of the families whose name starts with `prefix`.
inline std::set<std::string> FamilyNames(const MetricSet& set,
                                         std::string_view prefix) {
  std::set<std::string> out;
  for (const MetricFamily& f : set.families()) {
    if (f.name.compare(0, prefix.size(), prefix) == 0) out.insert(f.name);
  }
  return out;
}

// Options reading the tree `root` through `env`.
inline CollectorOptions OptionsFor(Env* env) {
  CollectorOptions o;
  o.env = env;
  return o;
}

}  // namespace nettest
}  // namespace tend

#endif  // TEND_METRICS_NET_TEST_UTIL_H_
