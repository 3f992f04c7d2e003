#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "metrics/collectors_fs_proc.h"

namespace tend {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kSizeBytes[] = "node_filesystem_size_bytes";
constexpr char kDeviceError[] = "node_filesystem_device_error";
constexpr char kReadonly[] = "node_filesystem_readonly";

Labels FsLabels(const std::string& device, const std::string& fstype,
                const std::string& mountpoint) {
  return {{"device", device}, {"fstype", fstype}, {"mountpoint", mountpoint}};
}

std::optional<double> Value(const MetricSet& set, std::string_view family,
                            const Labels& labels) {
  const MetricFamily* f = set.Find(family);
  if (f == nullptr) return std::nullopt;
  for (const Sample& s : f->samples) {
    if (s.labels == labels) return s.value;
  }
  return std::nullopt;
}

// Mount points reported in `family`, in order.
std::vector<std::string> MountPoints(const MetricSet& set,
                                     std::string_view family) {
  std::vector<std::string> out;
  const MetricFamily* f = set.Find(family);
  if (f == nullptr) return out;
  for (const Sample& s : f->samples) {
    for (const Label& l : s.labels) {
      if (l.name == "mountpoint") out.push_back(l.value);
    }
  }
  return out;
}

// An Env serving files from a map and StatFs answers from another; StatFs
// on a Block()ed path waits until Release().
class FakeFsEnv : public Env {
 public:
  void SetFile(const std::string& path, std::string text) {
    files_[path] = std::move(text);
  }
  void SetFileError(const std::string& path, Status s) {
    file_errors_[path] = std::move(s);
  }
  void SetStatFs(const std::string& path, uint64_t blocks,
                 uint64_t bsize = 4096) {
    FsStats s;
    s.block_size = bsize;
    s.blocks = blocks;
    s.blocks_free = blocks / 2;
    s.blocks_avail = blocks / 4;
    s.files = blocks * 10;
    s.files_free = blocks * 5;
    std::lock_guard<std::mutex> l(mu_);
    statfs_[path] = s;
  }
  void Block(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    blocked_.insert(path);
  }
  void Release(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    blocked_.erase(path);
    cv_.notify_all();
  }
  int statfs_calls(const std::string& path) {
    std::lock_guard<std::mutex> l(mu_);
    return calls_[path];
  }
  int statfs_returned() {
    std::lock_guard<std::mutex> l(mu_);
    return returned_;
  }

  Status ReadFile(const std::string& path, std::string* out) override {
    auto e = file_errors_.find(path);
    if (e != file_errors_.end()) return e->second;
    auto it = files_.find(path);
    if (it == files_.end()) return NotFoundError(path + ": no such file");
    *out = it->second;
    return Status::Ok();
  }
  Result<FsStats> StatFs(const std::string& path) override {
    std::unique_lock<std::mutex> l(mu_);
    ++calls_[path];
    cv_.wait(l, [&] { return !blocked_.contains(path); });
    ++returned_;
    auto it = statfs_.find(path);
    if (it == statfs_.end()) return NotFoundError(path + ": no such mount");
    return it->second;
  }
  Status ListDir(const std::string&, std::vector<std::string>*) override {
    return UnimplementedError("ListDir");
  }
  Result<uint64_t> CountDirEntries(const std::string&) override {
    return UnimplementedError("CountDirEntries");
  }
  Result<std::string> ReadLink(const std::string&) override {
    return UnimplementedError("ReadLink");
  }
  Result<FileTimes> Stat(const std::string&) override {
    return UnimplementedError("Stat");
  }

 private:
  std::map<std::string, std::string> files_;
  std::map<std::string, Status> file_errors_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, FsStats> statfs_;
  std::set<std::string> blocked_;
  std::map<std::string, int> calls_;
  int returned_ = 0;
};

CollectorOptions FakeOptions(Env* env) {
  CollectorOptions o;
  o.env = env;
  return o;
}

TEST(FilesystemCollectorTest, Name) {
  FakeFsEnv env;
  EXPECT_EQ(NewFilesystemCollector(FakeOptions(&env))->name(), "filesystem");
}

// The tree has no proc/1/mounts, so this also covers the fallback to
// proc/self/mounts. After node_exporter's default excludes only "/" remains.
TEST(FilesystemCollectorTest, Linux618Fixture) {
  RootedEnv env("tests/data/hosts/linux-6.18-x86_64");
  CollectorOptions o;
  o.env = &env;
  auto c = NewFilesystemCollector(o);
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(MountPoints(set, kDeviceError), std::vector<std::string>{"/"});
  Labels root = FsLabels("/dev/vda", "ext4", "/");
  EXPECT_EQ(Value(set, kDeviceError, root), 0);
  EXPECT_EQ(Value(set, kReadonly, root), 0);
  EXPECT_EQ(Value(set, kSizeBytes, root), 270553174016.0);  // 66053021*4096
  EXPECT_EQ(Value(set, "node_filesystem_free_bytes", root), 251668545536.0);
  EXPECT_EQ(Value(set, "node_filesystem_avail_bytes", root), 83860652032.0);
  EXPECT_EQ(Value(set, "node_filesystem_files", root), 16777216);
  EXPECT_EQ(Value(set, "node_filesystem_files_free", root), 16353019);
  for (const MetricFamily& f : set.families()) {
    EXPECT_EQ(f.type, MetricType::kGauge) << f.name;
    EXPECT_EQ(f.samples.size(), 1u) << f.name;
  }
  EXPECT_EQ(set.families().size(), 7u);
}

// With empty exclude patterns every mount of the capture is reported, each
// duplicated line (/dev/pts, /dev/shm) once, with the captured numbers.
TEST(FilesystemCollectorTest, Linux618FixtureWithoutExcludes) {
  RootedEnv env("tests/data/hosts/linux-6.18-x86_64");
  CollectorOptions o;
  o.env = &env;
  o.filesystem.mount_points_exclude = "";
  o.filesystem.fs_types_exclude = "";
  auto c = NewFilesystemCollector(o);
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  std::vector<std::string> want = {"/proc",
                                   "/sys",
                                   "/dev",
                                   "/dev/shm",
                                   "/dev/pts",
                                   "/",
                                   "/sys/fs/cgroup",
                                   "/sys/fs/cgroup/cpu",
                                   "/sys/fs/cgroup/cpuacct",
                                   "/sys/fs/cgroup/cpuset",
                                   "/sys/fs/cgroup/memory",
                                   "/sys/fs/cgroup/devices",
                                   "/sys/fs/cgroup/freezer",
                                   "/sys/fs/cgroup/blkio",
                                   "/sys/fs/cgroup/pids",
                                   "/sys/fs/cgroup/systemd",
                                   "/sys/fs/cgroup/unified"};
  EXPECT_EQ(MountPoints(set, kDeviceError), want);
  EXPECT_EQ(Value(set, kSizeBytes, FsLabels("tmpfs", "tmpfs", "/dev/shm")),
            6171021.0 * 4096);
  EXPECT_EQ(Value(set, kDeviceError, FsLabels("tmpfs", "tmpfs", "/dev/shm")),
            0);
}

// Debian 12's 6.1 kernel under qemu: the root is the initramfs (rootfs, not
// excluded), plus an ext4 disk and a tmpfs.
TEST(FilesystemCollectorTest, Linux61Fixture) {
  RootedEnv env("tests/data/hosts/linux-6.1-x86_64");
  CollectorOptions o;
  o.env = &env;
  auto c = NewFilesystemCollector(o);
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(MountPoints(set, kDeviceError),
            (std::vector<std::string>{"/", "/mnt/data", "/run"}));
  Labels root = FsLabels("rootfs", "rootfs", "/");
  EXPECT_EQ(Value(set, kSizeBytes, root), 57304.0 * 4096);
  EXPECT_EQ(Value(set, "node_filesystem_free_bytes", root), 56082.0 * 4096);
  EXPECT_EQ(Value(set, "node_filesystem_avail_bytes", root), 56082.0 * 4096);
  EXPECT_EQ(Value(set, "node_filesystem_files", root), 57304);
  EXPECT_EQ(Value(set, "node_filesystem_files_free", root), 56994);
  Labels data = FsLabels("/dev/vda", "ext4", "/mnt/data");
  EXPECT_EQ(Value(set, kDeviceError, data), 0);
  EXPECT_EQ(Value(set, kReadonly, data), 0);
  EXPECT_EQ(Value(set, kSizeBytes, data), 58675200.0);  // 14325 * 4096
  EXPECT_EQ(Value(set, "node_filesystem_free_bytes", data), 56549376.0);
  EXPECT_EQ(Value(set, "node_filesystem_avail_bytes", data), 51855360.0);
  EXPECT_EQ(Value(set, "node_filesystem_files", data), 16384);
  EXPECT_EQ(Value(set, "node_filesystem_files_free", data), 16371);
  Labels run = FsLabels("tmpfs", "tmpfs", "/run");
  EXPECT_EQ(Value(set, kSizeBytes, run), 4096.0 * 4096);
  EXPECT_EQ(Value(set, "node_filesystem_files_free", run), 58517);
}

TEST(FilesystemCollectorTest, PrefersInitMountsAndDecodesEscapes) {
  FakeFsEnv env;
  env.SetFile("/proc/1/mounts",
              "/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\n"
              "//srv/share\\011x /mnt/tab\\011dir cifs ro,relatime 0 0\n"
              "/dev/sdc1 /mnt/back\\134slash xfs rw 0 0\n");
  env.SetFile("/proc/self/mounts", "/dev/other /other ext4 rw 0 0\n");
  env.SetStatFs("/mnt/my disk", 100);
  env.SetStatFs("/mnt/tab\tdir", 200, 1024);
  env.SetStatFs("/mnt/back\\slash", 300);
  auto c = NewFilesystemCollector(FakeOptions(&env));
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  EXPECT_EQ(MountPoints(set, kDeviceError),
            (std::vector<std::string>{"/mnt/my disk", "/mnt/tab\tdir",
                                      "/mnt/back\\slash"}));
  Labels disk = FsLabels("/dev/sdb1", "ext4", "/mnt/my disk");
  EXPECT_EQ(Value(set, kSizeBytes, disk), 100.0 * 4096);
  EXPECT_EQ(Value(set, "node_filesystem_free_bytes", disk), 50.0 * 4096);
  EXPECT_EQ(Value(set, "node_filesystem_avail_bytes", disk), 25.0 * 4096);
  EXPECT_EQ(Value(set, "node_filesystem_files", disk), 1000);
  EXPECT_EQ(Value(set, "node_filesystem_files_free", disk), 500);
  EXPECT_EQ(Value(set, kReadonly, disk), 0);
  Labels share = FsLabels("//srv/share\tx", "cifs", "/mnt/tab\tdir");
  EXPECT_EQ(Value(set, kSizeBytes, share), 200.0 * 1024);
  EXPECT_EQ(Value(set, kReadonly, share), 1);
}

TEST(FilesystemCollectorTest, FallsBackToSelfMountsWhenInitIsHidden) {
  FakeFsEnv env;
  env.SetFileError("/proc/1/mounts",
                   PermissionDeniedError("/proc/1/mounts: denied"));
  env.SetFile("/proc/self/mounts", "/dev/vda / ext4 rw 0 0\n");
  env.SetStatFs("/", 10);
  auto c = NewFilesystemCollector(FakeOptions(&env));
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  EXPECT_EQ(Value(set, kSizeBytes, FsLabels("/dev/vda", "ext4", "/")),
            10.0 * 4096);
}

TEST(FilesystemCollectorTest, MissingMountTableIsAnError) {
  FakeFsEnv env;
  auto c = NewFilesystemCollector(FakeOptions(&env));
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("/proc/1/mounts"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("/proc/self/mounts"), std::string::npos)
      << s.message();
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(FilesystemCollectorTest, DuplicatesAreReportedOnce) {
  FakeFsEnv env;
  env.SetFile("/proc/1/mounts",
              "/dev/vda / ext4 rw 0 0\n"
              "tmpfs /run tmpfs rw 0 0\n"
              "/dev/vda / ext4 ro 0 0\n"
              "tmpfs /run tmpfs rw,nosuid 0 0\n"
              "other /run tmpfs rw 0 0\n");
  env.SetStatFs("/", 10);
  env.SetStatFs("/run", 20);
  auto c = NewFilesystemCollector(FakeOptions(&env));
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  EXPECT_EQ(MountPoints(set, kSizeBytes),
            (std::vector<std::string>{"/", "/run", "/run"}));
  // The first of the duplicates wins (its options: rw).
  EXPECT_EQ(Value(set, kReadonly, FsLabels("/dev/vda", "ext4", "/")), 0);
  EXPECT_EQ(Value(set, kSizeBytes, FsLabels("other", "tmpfs", "/run")),
            20.0 * 4096);
  EXPECT_EQ(env.statfs_calls("/"), 1);
}

TEST(FilesystemCollectorTest, ExcludesTypesAndMountPoints) {
  FakeFsEnv env;
  env.SetFile("/proc/1/mounts",
              "/dev/vda / ext4 rw 0 0\n"
              "proc /proc proc rw 0 0\n"
              "devtmpfs /dev devtmpfs rw 0 0\n"
              "tmpfs /dev/shm tmpfs rw 0 0\n"
              "tmpfs /devices tmpfs rw 0 0\n"
              "overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0\n"
              "/dev/vdb /var/lib/docker xfs rw 0 0\n"
              "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"
              "tmpfs /run/credentials/x.service tmpfs ro 0 0\n"
              "squashfs /snap/core/1 squashfs ro 0 0\n");
  env.SetStatFs("/", 1);
  env.SetStatFs("/devices", 2);
  env.SetStatFs("/var/lib/docker", 3);
  auto c = NewFilesystemCollector(FakeOptions(&env));
  for (int cycle = 0; cycle < 2; ++cycle) {  // The second uses the caches.
    MetricSet set;
    ASSERT_TRUE(c->Collect(&set).ok());
    EXPECT_EQ(MountPoints(set, kDeviceError),
              (std::vector<std::string>{"/", "/devices", "/var/lib/docker"}));
  }
  EXPECT_EQ(env.statfs_calls("/proc"), 0);
  EXPECT_EQ(env.statfs_calls("/dev/shm"), 0);
}

TEST(FilesystemCollectorTest, CustomExcludePatterns) {
  FakeFsEnv env;
  env.SetFile("/proc/1/mounts",
              "/dev/vda / ext4 rw 0 0\n"
              "/dev/vdb /data xfs rw 0 0\n"
              "/dev/vdc /data2 xfs rw 0 0\n"
              "tmpfs /tmp tmpfs rw 0 0\n");
  env.SetStatFs("/", 1);
  env.SetStatFs("/data2", 1);
  CollectorOptions o = FakeOptions(&env);
  o.filesystem.mount_points_exclude = "/data";  // Fully anchored: not /data2.
  o.filesystem.fs_types_exclude = "tmp.*";
  auto c = NewFilesystemCollector(o);
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  EXPECT_EQ(MountPoints(set, kDeviceError),
            (std::vector<std::string>{"/", "/data2"}));
}

TEST(FilesystemCollectorTest, InvalidPatternIsAnErrorNamingTheOption) {
  FakeFsEnv env;
  env.SetFile("/proc/1/mounts", "/dev/vda / ext4 rw 0 0\n");
  CollectorOptions o = FakeOptions(&env);
  o.filesystem.fs_types_exclude = "(unclosed";
  auto c = NewFilesystemCollector(o);
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("fs_types_exclude"), std::string::npos);
  EXPECT_NE(s.message().find("(unclosed"), std::string::npos);
  EXPECT_EQ(set.SampleCount(), 0u);
}

TEST(FilesystemCollectorTest, RootfsPrefixIsStripped) {
  FakeFsEnv env;
  env.SetFile("/host/proc/1/mounts",
              "/dev/vda /host ext4 rw 0 0\n"
              "/dev/vdb /host/boot ext4 ro 0 0\n"
              "/dev/vdc /hostdata ext4 rw 0 0\n"
              "overlay / overlay rw 0 0\n"
              "/dev/vda /etc/hosts ext4 rw 0 0\n");
  env.SetStatFs("/host", 100);
  env.SetStatFs("/host/boot", 10);
  env.SetStatFs("/host/hostdata", 7);
  CollectorOptions o = FakeOptions(&env);
  o.paths.proc = "/host/proc";
  o.paths.root = "/host";
  auto c = NewFilesystemCollector(o);
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  EXPECT_EQ(
      MountPoints(set, kDeviceError),
      (std::vector<std::string>{"/", "/boot", "/hostdata", "/etc/hosts"}));
  EXPECT_EQ(Value(set, kSizeBytes, FsLabels("/dev/vda", "ext4", "/")),
            100.0 * 4096);
  EXPECT_EQ(Value(set, kSizeBytes, FsLabels("/dev/vdb", "ext4", "/boot")),
            10.0 * 4096);
  EXPECT_EQ(Value(set, kReadonly, FsLabels("/dev/vdb", "ext4", "/boot")), 1);
  EXPECT_EQ(Value(set, kSizeBytes, FsLabels("/dev/vdc", "ext4", "/hostdata")),
            7.0 * 4096);
  // Outside the root: stat'ed under it, as node_exporter does; not there.
  EXPECT_EQ(
      Value(set, kDeviceError, FsLabels("/dev/vda", "ext4", "/etc/hosts")), 1);
  EXPECT_EQ(env.statfs_calls("/host/etc/hosts"), 1);
}

TEST(FilesystemCollectorTest, StatFsErrorsAreDeviceErrors) {
  class ErrEnv : public FakeFsEnv {
   public:
    Result<FsStats> StatFs(const std::string& path) override {
      if (path == "/gone") return NotFoundError("/gone: no such file");
      if (path == "/denied") return PermissionDeniedError("/denied: EACCES");
      return FakeFsEnv::StatFs(path);
    }
  };
  ErrEnv err_env;
  err_env.SetFile("/proc/1/mounts",
                  "/dev/vda / ext4 rw 0 0\n"
                  "/dev/vdb /gone ext4 ro 0 0\n"
                  "fuse /denied fuse.sshfs rw 0 0\n");
  err_env.SetStatFs("/", 10);
  auto c = NewFilesystemCollector(FakeOptions(&err_env));
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  for (const auto& [dev, type, mp] :
       {std::tuple{"/dev/vdb", "ext4", "/gone"},
        std::tuple{"fuse", "fuse.sshfs", "/denied"}}) {
    Labels l = FsLabels(dev, type, mp);
    EXPECT_EQ(Value(set, kDeviceError, l), 1) << mp;
    EXPECT_EQ(Value(set, kReadonly, l), 0) << mp;  // node_exporter 1.5.
    EXPECT_EQ(Value(set, kSizeBytes, l), std::nullopt) << mp;
    EXPECT_EQ(Value(set, "node_filesystem_files", l), std::nullopt) << mp;
  }
  EXPECT_EQ(Value(set, kDeviceError, FsLabels("/dev/vda", "ext4", "/")), 0);
  EXPECT_EQ(Value(set, kSizeBytes, FsLabels("/dev/vda", "ext4", "/")),
            10.0 * 4096);
}

TEST(FilesystemCollectorTest, GarbageLinesAreSkippedAndReported) {
  FakeFsEnv env;
  env.SetFile("/proc/1/mounts",
              "/dev/vda / ext4 rw 0 0\n"
              "this is\n"
              "\n"
              "\x01\x02\xff garbage\n"
              "tmpfs /run tmpfs rw 0 0\n");
  env.SetStatFs("/", 10);
  env.SetStatFs("/run", 20);
  auto c = NewFilesystemCollector(FakeOptions(&env));
  MetricSet set;
  Status s = c->Collect(&set);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("/proc/1/mounts:2:"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("2 such line(s)"), std::string::npos)
      << s.message();
  EXPECT_EQ(MountPoints(set, kSizeBytes),
            (std::vector<std::string>{"/", "/run"}));
}

TEST(FilesystemCollectorTest, EmptyMountTableReportsNothing) {
  FakeFsEnv env;
  env.SetFile("/proc/1/mounts", "");
  auto c = NewFilesystemCollector(FakeOptions(&env));
  MetricSet set;
  EXPECT_TRUE(c->Collect(&set).ok());
  EXPECT_EQ(set.SampleCount(), 0u);
}

// A dead network mount: its statfs blocks until the test releases it.
TEST(FilesystemCollectorTest, StuckMountNeverHangsTheCycle) {
  FakeFsEnv env;  // Declared first: outlives the collector's helpers.
  env.SetFile("/proc/1/mounts",
              "/dev/vda / ext4 rw 0 0\n"
              "nfs:/export /mnt/nfs nfs4 rw 0 0\n"
              "tmpfs /run tmpfs rw 0 0\n");
  env.SetStatFs("/", 10);
  env.SetStatFs("/mnt/nfs", 30);
  env.SetStatFs("/run", 20);
  env.Block("/mnt/nfs");
  CollectorOptions o = FakeOptions(&env);
  o.filesystem.stat_timeout_ms = 300;
  auto c = NewFilesystemCollector(o);
  Labels nfs = FsLabels("nfs:/export", "nfs4", "/mnt/nfs");
  Labels root = FsLabels("/dev/vda", "ext4", "/");
  Labels run = FsLabels("tmpfs", "tmpfs", "/run");

  auto check_others = [&](const MetricSet& set) {
    EXPECT_EQ(Value(set, kDeviceError, root), 0);
    EXPECT_EQ(Value(set, kSizeBytes, root), 10.0 * 4096);
    EXPECT_EQ(Value(set, "node_filesystem_files_free", root), 50);
    EXPECT_EQ(Value(set, kDeviceError, run), 0);
    EXPECT_EQ(Value(set, kSizeBytes, run), 20.0 * 4096);
  };

  // Cycle 1 waits for the timeout once, then moves on.
  auto start = steady_clock::now();
  MetricSet set1;
  ASSERT_TRUE(c->Collect(&set1).ok());
  auto took = steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, milliseconds(2000));
  EXPECT_EQ(Value(set1, kDeviceError, nfs), 1);
  EXPECT_EQ(Value(set1, kReadonly, nfs), 0);
  EXPECT_EQ(Value(set1, kSizeBytes, nfs), std::nullopt);
  check_others(set1);

  // Cycle 2 does not wait again, nor call statfs on the stuck mount.
  start = steady_clock::now();
  MetricSet set2;
  ASSERT_TRUE(c->Collect(&set2).ok());
  EXPECT_LT(steady_clock::now() - start, milliseconds(250));
  EXPECT_EQ(Value(set2, kDeviceError, nfs), 1);
  EXPECT_EQ(Value(set2, kSizeBytes, nfs), std::nullopt);
  check_others(set2);
  EXPECT_EQ(env.statfs_calls("/mnt/nfs"), 1);

  // Once the server answers, the mount is reported normally again.
  env.Release("/mnt/nfs");
  std::optional<double> size;
  auto deadline = steady_clock::now() + milliseconds(5000);
  while (steady_clock::now() < deadline) {
    MetricSet set;
    ASSERT_TRUE(c->Collect(&set).ok());
    check_others(set);
    size = Value(set, kSizeBytes, nfs);
    if (size.has_value()) {
      EXPECT_EQ(Value(set, kDeviceError, nfs), 0);
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(size, 30.0 * 4096);
  EXPECT_EQ(env.statfs_calls("/mnt/nfs"), 2);
}

TEST(FilesystemCollectorTest, DestroyingWhileStuckReturnsPromptly) {
  FakeFsEnv env;
  env.SetFile("/proc/1/mounts", "nfs:/x /mnt/nfs nfs4 rw 0 0\n");
  env.SetStatFs("/mnt/nfs", 1);
  env.Block("/mnt/nfs");
  CollectorOptions o = FakeOptions(&env);
  o.filesystem.stat_timeout_ms = 50;
  auto c = NewFilesystemCollector(o);
  MetricSet set;
  ASSERT_TRUE(c->Collect(&set).ok());
  EXPECT_EQ(Value(set, kDeviceError, FsLabels("nfs:/x", "nfs4", "/mnt/nfs")),
            1);
  auto start = steady_clock::now();
  c.reset();
  EXPECT_LT(steady_clock::now() - start, milliseconds(1000));
  env.Release("/mnt/nfs");  // The abandoned helper returns and exits.
  // `env` must outlive the blocked call: wait for it to return.
  auto deadline = steady_clock::now() + milliseconds(5000);
  while (env.statfs_returned() < 1 && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(env.statfs_returned(), 1);
}

// The real host: "/" is mounted, and the collector's size is statvfs("/")'s.
TEST(FilesystemCollectorTest, RealHostRoot) {
  CollectorOptions o;  // Env::Default(), /proc, root "/".
  auto c = NewFilesystemCollector(o);
  MetricSet set;
  Status s = c->Collect(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const MetricFamily* f = set.Find(kSizeBytes);
  ASSERT_NE(f, nullptr);
  std::optional<double> root_size;
  for (const Sample& sample : f->samples) {
    for (const Label& l : sample.labels) {
      if (l.name == "mountpoint" && l.value == "/") root_size = sample.value;
    }
  }
  ASSERT_TRUE(root_size.has_value())
      << "no \"/\" in node_filesystem_size_bytes";
  struct statvfs st;
  ASSERT_EQ(statvfs("/", &st), 0);
  EXPECT_GT(*root_size, 0);
  EXPECT_EQ(*root_size, static_cast<double>(st.f_blocks) *
                            static_cast<double>(st.f_frsize));
}

}  // namespace
}  // namespace tend
