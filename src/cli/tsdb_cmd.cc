// tend tsdb: the metric store's maintenance commands (import, stats).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/data_dir.h"
#include "agent/store_metrics.h"
#include "base/duration.h"
#include "cli/commands.h"
#include "http/client.h"
#include "tsdb/db.h"
#include "tsdb/importer.h"

namespace tend {

const std::string_view kTsdbHelp = R"(NAME
    tend tsdb - backfill and inspect the metric store

SYNOPSIS
    tend tsdb import FILE [--data-dir DIR] [--block-duration D]
    tend tsdb stats [--data-dir DIR] [-o table|json]

DESCRIPTION
    import: reads Prometheus/OpenMetrics text where every sample has a
    timestamp (seconds, as `promtool tsdb create-blocks-from openmetrics`
    takes it) and writes one block per --block-duration window (default
    2h) into DIR/tsdb. All or nothing: on an error (reported with file and
    line) no block of this import is left behind. A running agent that owns
    DIR picks the blocks up within a minute; otherwise the import takes the
    data dir's lock while it writes.

    stats: series, samples, bytes on disk and bytes per sample of the store,
    from the agent that owns DIR or, when none runs, by opening the store
    read-only under the data dir's lock.

OPTIONS
    --block-duration D  Span of each imported block (default 2h).
    -o, --output FMT    table (default) or json.

EXIT STATUS
    0 on success; 1 on failure; 2 on bad usage.
)";

namespace {

// The whole file, mapped read-only (a backfill file may be gigabytes).
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open " + path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      return ErrnoError("stat " + path, e);
    }
    MappedFile f;
    f.size_ = static_cast<size_t>(st.st_size);
    if (f.size_ > 0) {
      void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        int e = errno;
        ::close(fd);
        return ErrnoError("mmap " + path, e);
      }
      f.data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return f;
  }
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view view() const {
    return {data_ == nullptr ? "" : data_, size_};
  }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

int RunImport(const ParsedFlags& flags) {
  if (flags.positional.size() != 2) {
    std::fprintf(stderr, "tend tsdb import: want exactly one FILE\n");
    return kExitUsage;
  }
  const std::string file = flags.positional[1];
  ImportOptions opts;
  if (flags.Has("block-duration")) {
    auto d = ParseDuration(flags.Get("block-duration"));
    if (!d.ok() || *d < 60000) {
      std::fprintf(stderr,
                   "tend tsdb import: --block-duration: want a duration of "
                   "at least 1m, got \"%s\"\n",
                   flags.Get("block-duration").c_str());
      return kExitUsage;
    }
    opts.block_duration_ms = *d;
  }
  const std::string dir = DataDirFlag(flags);
  // Hold the lock when no agent does, so that no agent starts mid-import.
  Result<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir);
  if (!lock.ok() && lock.status().code() != StatusCode::kFailedPrecondition) {
    std::fprintf(stderr, "tend tsdb import: %s\n",
                 lock.status().message().c_str());
    return kExitFailure;
  }
  auto mapped = MappedFile::Open(file);
  if (!mapped.ok()) {
    std::fprintf(stderr, "tend tsdb import: %s\n",
                 mapped.status().message().c_str());
    return kExitFailure;
  }
  auto r = ImportExposition(mapped->view(), file, dir + "/tsdb", opts);
  if (!r.ok()) {
    std::fprintf(stderr, "tend tsdb import: %s\n",
                 r.status().message().c_str());
    return kExitFailure;
  }
  uint64_t bytes = 0;
  for (const BlockMeta& m : r->blocks) bytes += m.size_bytes;
  std::printf("imported %llu samples of %llu series into %zu blocks (%s)\n",
              static_cast<unsigned long long>(r->samples),
              static_cast<unsigned long long>(r->series), r->blocks.size(),
              HumanBytes(static_cast<double>(bytes)).c_str());
  if (!lock.ok()) {
    std::printf("the agent owning %s loads them within a minute\n",
                dir.c_str());
  }
  return kExitOk;
}

int RunStats(const ParsedFlags& flags) {
  const std::string dir = DataDirFlag(flags);
  const std::string output = flags.Get("output", "table");
  if (output != "table" && output != "json") {
    std::fprintf(stderr, "tend tsdb stats: -o: want table or json\n");
    return kExitUsage;
  }
  nlohmann::json j;
  Result<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir);
  if (lock.ok()) {
    DbOptions o;
    o.read_only = true;
    auto db = Db::Open(dir + "/tsdb", o);
    if (!db.ok()) {
      std::fprintf(stderr, "tend tsdb stats: %s\n",
                   db.status().message().c_str());
      return kExitFailure;
    }
    j = StoreStatsJson((*db)->stats());
  } else if (lock.status().code() == StatusCode::kFailedPrecondition) {
    HttpClientRequest req;
    req.address = AgentAddress(flags);
    req.path = "/api/v1/status";
    auto res = HttpFetch(req);
    if (!res.ok()) {
      std::fprintf(stderr, "tend tsdb stats: the agent did not answer: %s\n",
                   res.status().message().c_str());
      return kExitFailure;
    }
    auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (body.is_discarded() || !body["data"].contains("tsdb")) {
      std::fprintf(stderr, "tend tsdb stats: the agent has no store\n");
      return kExitFailure;
    }
    j = body["data"]["tsdb"];
  } else {
    std::fprintf(stderr, "tend tsdb stats: %s\n",
                 lock.status().message().c_str());
    return kExitFailure;
  }
  if (output == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  auto u = [&](const char* k) { return j.value(k, uint64_t{0}); };
  std::printf("series (head)      %llu\n",
              static_cast<unsigned long long>(u("head_series")));
  std::printf("samples            %llu (%llu in blocks, %llu in the head)\n",
              static_cast<unsigned long long>(u("samples")),
              static_cast<unsigned long long>(u("block_samples")),
              static_cast<unsigned long long>(u("head_samples")));
  std::printf("blocks             %llu\n",
              static_cast<unsigned long long>(u("blocks")));
  std::printf("bytes on disk      %s (blocks %s, WAL %s)\n",
              HumanBytes(static_cast<double>(u("bytes_on_disk"))).c_str(),
              HumanBytes(static_cast<double>(u("block_bytes"))).c_str(),
              HumanBytes(static_cast<double>(u("wal_bytes"))).c_str());
  if (j.contains("block_bytes_per_sample")) {
    std::printf("bytes per sample   %.3f (blocks)\n",
                j["block_bytes_per_sample"].get<double>());
  } else {
    std::printf("bytes per sample   - (no blocks yet)\n");
  }
  std::printf("head memory        %s\n",
              HumanBytes(static_cast<double>(u("head_bytes"))).c_str());
  return kExitOk;
}

}  // namespace

int RunTsdb(const ParsedFlags& flags) {
  const std::string sub = flags.positional.empty() ? "" : flags.positional[0];
  if (sub == "import") return RunImport(flags);
  if (sub == "stats") return RunStats(flags);
  std::fprintf(stderr,
               "tend tsdb: want a subcommand: import or stats (see tend tsdb "
               "--help)\n");
  return kExitUsage;
}

}  // namespace tend
