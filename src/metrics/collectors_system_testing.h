// Test helpers for the system collectors' tests (collectors_system.h): the
// list of kernel fixture trees they all run on, a fault-injecting Env, and
// sample lookup.
#ifndef TEND_METRICS_COLLECTORS_SYSTEM_TESTING_H_
#define TEND_METRICS_COLLECTORS_SYSTEM_TESTING_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "metrics/collector.h"
#include "metrics/metric.h"

namespace tend {
namespace system_testing {

inline constexpr std::string_view kHostsDir = "tests/data/hosts/";

// Trees captured from real kernels by scripts/capture-fixtures.sh, as
// directory names under tests/data/hosts. Every system collector's
// parameterized test runs on each: adding a tree is one line here (plus,
// optionally, value rows in each collector's test).
inline const std::vector<std::string>& KernelTrees() {
  static const auto* trees = new std::vector<std::string>{
      "linux-6.18-x86_64",
      "linux-6.1-x86_64",
  };
  return *trees;
}

// Synthetic edge cases (tests/data/hosts/edge-system/README says what each
// file is for).
inline std::string EdgeTree(std::string_view name) {
  return std::string(kHostsDir) + "edge-system/" + std::string(name);
}

// "linux-6.18-x86_64" -> "linux_6_18_x86_64", for test names.
inline std::string TreeTestName(
    const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9'))) {
      c = '_';
    }
  }
  return s;
}

// Options that read the tree `root` (a directory holding proc/ and sys/).
// The Env is owned by the returned holder.
struct TreeOptions {
  explicit TreeOptions(std::string root)
      : env(std::make_unique<RootedEnv>(std::move(root))) {
    options.env = env.get();
  }
  std::unique_ptr<Env> env;
  CollectorOptions options;
};

// Wraps another Env and fails chosen calls, for the errors a fixture tree
// cannot hold (permission denied, I/O errors). Paths are matched exactly.
class FaultInjectingEnv : public Env {
 public:
  explicit FaultInjectingEnv(Env* base) : base_(base) {}

  void FailReadFile(const std::string& path, Status status) {
    read_faults_[path] = std::move(status);
  }
  void FailListDir(const std::string& path, Status status) {
    list_faults_[path] = std::move(status);
  }

  Status ReadFile(const std::string& path, std::string* out) override {
    auto it = read_faults_.find(path);
    if (it != read_faults_.end()) return it->second;
    return base_->ReadFile(path, out);
  }
  Status ListDir(const std::string& path,
                 std::vector<std::string>* names) override {
    auto it = list_faults_.find(path);
    if (it != list_faults_.end()) return it->second;
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
    return base_->Stat(path);
  }

 private:
  Env* base_;
  std::map<std::string, Status> read_faults_;
  std::map<std::string, Status> list_faults_;
};

inline bool SameLabels(const Labels& a, const Labels& b) {
  if (a.size() != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&](const Label& l) {
    return std::find(b.begin(), b.end(), l) != b.end();
  });
}

// The sample of family `name` whose labels equal `labels` (in any order), or
// nullptr.
inline const Sample* FindSample(const MetricSet& set, std::string_view name,
                                const Labels& labels = {}) {
  const MetricFamily* f = set.Find(name);
  if (f == nullptr) return nullptr;
  for (const Sample& s : f->samples) {
    if (SameLabels(s.labels, labels)) return &s;
  }
  return nullptr;
}

// The value of that sample, or NaN when there is none (so EXPECT_EQ fails
// with a readable message).
inline double ValueOf(const MetricSet& set, std::string_view name,
                      const Labels& labels = {}) {
  const Sample* s = FindSample(set, name, labels);
  return s == nullptr ? std::nan("") : s->value;
}

// One value read by hand from a fixture tree's files.
struct ExpectedValue {
  std::string tree;  // Directory name under tests/data/hosts.
  std::string metric;
  Labels labels;
  double value;
};

// Checks every row of `rows` that belongs to `tree` against `set`; returns
// how many rows it checked.
inline int CheckExpectedValues(const MetricSet& set, const std::string& tree,
                               const std::vector<ExpectedValue>& rows) {
  int checked = 0;
  for (const ExpectedValue& row : rows) {
    if (row.tree != tree) continue;
    ++checked;
    const Sample* s = FindSample(set, row.metric, row.labels);
    std::string where = row.metric;
    for (const Label& l : row.labels) where += " " + l.name + "=" + l.value;
    if (s == nullptr) {
      ADD_FAILURE() << tree << ": no sample " << where;
      continue;
    }
    EXPECT_DOUBLE_EQ(s->value, row.value) << tree << ": " << where;
  }
  return checked;
}

// Checks the family's type and HELP text, and that each sample has exactly
// the label names `label_names` in that order. Returns its sample count
// (0 when the family is missing, which also fails).
inline size_t CheckFamily(const MetricSet& set, std::string_view name,
                          MetricType type, std::string_view help,
                          const std::vector<std::string>& label_names = {}) {
  const MetricFamily* f = set.Find(name);
  if (f == nullptr) {
    ADD_FAILURE() << "no family " << name;
    return 0;
  }
  EXPECT_EQ(f->type, type) << name;
  EXPECT_EQ(f->help, help) << name;
  EXPECT_FALSE(f->samples.empty()) << name;
  for (const Sample& s : f->samples) {
    std::vector<std::string> names;
    for (const Label& l : s.labels) names.push_back(l.name);
    EXPECT_EQ(names, label_names) << name;
  }
  return f->samples.size();
}

// A collector factory such as NewLoadavgCollector.
using CollectorFactory =
    std::unique_ptr<Collector> (*)(const CollectorOptions& options);

// Runs a collector made by `make` over a tree that has no files at all and
// returns its status (callers expect kNotFound naming the file).
inline Status CollectFromMissingTree(CollectorFactory make, MetricSet* set) {
  TreeOptions t(EdgeTree("does-not-exist"));
  return make(t.options)->Collect(set);
}

// Runs a collector made by `make` over the linux-6.18 capture with `path`
// failing with PermissionDenied, returns its status and fills *set with
// what it emitted anyway. Checks the status names `path`.
inline Status CollectWithUnreadable(CollectorFactory make,
                                    const std::string& path, MetricSet* set) {
  RootedEnv base(std::string(kHostsDir) + "linux-6.18-x86_64");
  FaultInjectingEnv env(&base);
  env.FailReadFile(path, PermissionDeniedError(path + ": denied"));
  CollectorOptions options;
  options.env = &env;
  Status s = make(options)->Collect(set);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  return s;
}

}  // namespace system_testing
}  // namespace tend

#endif  // TEND_METRICS_COLLECTORS_SYSTEM_TESTING_H_
