// tend logs import: loads one file into the log store, once.
#include <sys/stat.h>
#include <zlib.h>

#include <cstdio>
#include <string>

#include "agent/data_dir.h"
#include "agent/log_service.h"
#include "base/clock.h"
#include "cli/commands.h"
#include "config/tend_config_schema.h"

namespace tend {
namespace {

// Reads FILE (gzip when it ends in .gz) and hands each line to `fn`. The
// last line counts even without a final newline.
template <typename Fn>
Status ForEachLine(const std::string& path, Fn fn) {
  gzFile f = gzopen(path.c_str(), "rb");  // Reads plain files as they are.
  if (f == nullptr) return ErrnoError(path, errno);
  gzbuffer(f, 1 << 18);
  std::string buf(1 << 18, '\0');
  std::string pending;
  while (true) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int err = 0;
      std::string msg = gzerror(f, &err);
      gzclose(f);
      return DataLossError(path + ": " + msg);
    }
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    size_t pos = 0;
    while (true) {
      size_t nl = chunk.find('\n', pos);
      if (nl == std::string_view::npos) {
        pending.append(chunk.substr(pos));
        break;
      }
      if (pending.empty()) {
        fn(chunk.substr(pos, nl - pos));
      } else {
        pending.append(chunk.substr(pos, nl - pos));
        fn(std::string_view(pending));
        pending.clear();
      }
      pos = nl + 1;
    }
  }
  gzclose(f);
  if (!pending.empty()) fn(std::string_view(pending));
  return Status::Ok();
}

}  // namespace

int RunLogsImport(const ParsedFlags& flags) {
  if (flags.positional.size() != 2) {
    std::fprintf(stderr, "tend logs import: want one FILE\n");
    return kExitUsage;
  }
  const std::string file = flags.positional[1];
  const std::string dir = DataDirFlag(flags);
  TendConfig config;
  if (flags.Has("config")) {
    Result<TendConfig> c = LoadConfigFile(flags.Get("config"));
    if (!c.ok()) {
      std::fprintf(stderr, "tend logs import: %s\n",
                   c.status().message().c_str());
      return kExitFailure;
    }
    config = std::move(*c);
  }
  // The source: a configured one when --source names it, else a bare one.
  const std::string name = flags.Get("source", "import");
  LogSourceSection source;
  source.name = name;
  for (const LogSourceSection& s : config.logs.sources) {
    if (s.name == name) source = s;
  }
  if (flags.Has("parser")) source.parser = flags.Get("parser");
  Result<logs::IngestConfig> ic = IngestConfigOf(source);
  Result<std::vector<logs::ProcessorConfig>> pc = ProcessorConfigsOf(source);
  if (!ic.ok() || !pc.ok()) {
    std::fprintf(stderr, "tend logs import: %s\n",
                 (!ic.ok() ? ic.status() : pc.status()).message().c_str());
    return kExitUsage;
  }
  struct stat st;
  if (stat(file.c_str(), &st) != 0) {
    std::fprintf(stderr, "tend logs import: %s: %s\n", file.c_str(),
                 strerror(errno));
    return kExitFailure;
  }
  // Syslog lines carry no year: infer it relative to the file's mtime.
  ic->reference_time_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
      st.st_mtim.tv_nsec;

  Result<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(dir);
  if (!lock.ok()) {
    std::fprintf(stderr,
                 "tend logs import: %s (import writes the store directly: "
                 "stop the agent, or import into another --data-dir)\n",
                 lock.status().message().c_str());
    return kExitFailure;
  }
  Result<logs::LogStoreOptions> so = LogStoreOptionsOf(config.logs);
  if (!so.ok()) {
    std::fprintf(stderr, "tend logs import: %s\n",
                 so.status().message().c_str());
    return kExitFailure;
  }
  so->fsync = logs::LogFsync::kNever;  // One fsync at the end instead.
  Result<std::unique_ptr<logs::LogStore>> store =
      logs::LogStore::Open(dir + "/logs", *so);
  if (!store.ok()) {
    std::fprintf(stderr, "tend logs import: opening %s/logs: %s\n", dir.c_str(),
                 store.status().message().c_str());
    return kExitFailure;
  }
  std::unique_ptr<logs::ProcessorChain> chain;
  if (!pc->empty()) {
    Result<logs::ProcessorChain> c = logs::ProcessorChain::Create(*pc, name);
    if (!c.ok()) {
      std::fprintf(stderr, "tend logs import: %s\n",
                   c.status().message().c_str());
      return kExitUsage;
    }
    chain = std::make_unique<logs::ProcessorChain>(std::move(*c));
  }
  ic->max_line_bytes = so->max_line_bytes;
  ic->origin_label = "filename";
  Result<std::unique_ptr<logs::SourceIngest>> ingest =
      logs::SourceIngest::Create(std::move(*ic), store->get(), chain.get(),
                                 nullptr);
  if (!ingest.ok()) {
    std::fprintf(stderr, "tend logs import: %s\n",
                 ingest.status().message().c_str());
    return kExitUsage;
  }
  // Commits keep the agent's checkpoint (the sources' read positions) as it
  // is: an import must not move them.
  const std::string checkpoint = (*store)->last_checkpoint();
  const int64_t started = Clock::Real()->MonotonicNanos();
  uint64_t lines = 0, since_commit = 0;
  Status commit_error = Status::Ok();
  logs::SourceEntry e;
  e.receive_time_ns = Clock::Real()->NowUnixNanos();
  e.origin = file;
  Status read = ForEachLine(file, [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    e.line = line;
    (*ingest)->Add(e);
    ++lines;
    since_commit += line.size();
    if (since_commit >= (8u << 20) && commit_error.ok()) {
      commit_error = (*store)->Commit(checkpoint);
      since_commit = 0;
    }
  });
  if (commit_error.ok()) commit_error = (*store)->Commit(checkpoint);
  if (commit_error.ok()) commit_error = (*store)->Sync();
  Status append = (*ingest)->TakeError();
  if (!read.ok() || !commit_error.ok() || !append.ok()) {
    const Status& s = !read.ok() ? read : !append.ok() ? append : commit_error;
    std::fprintf(stderr,
                 "tend logs import: %s (lines committed before the error "
                 "stay; run the import again only for the rest)\n",
                 s.message().c_str());
    return kExitFailure;
  }
  const logs::IngestStats& is = (*ingest)->stats();
  double secs =
      static_cast<double>(Clock::Real()->MonotonicNanos() - started) / 1e9;
  std::printf(
      "imported %llu lines (%llu stored, %llu dropped by processors, %llu "
      "unparsed, %llu cut) from %s as {source=\"%s\"} in %.2fs\n",
      static_cast<unsigned long long>(lines),
      static_cast<unsigned long long>(is.records),
      static_cast<unsigned long long>(is.dropped),
      static_cast<unsigned long long>(is.parse_errors),
      static_cast<unsigned long long>(is.cut), file.c_str(), name.c_str(),
      secs);
  return kExitOk;
}

}  // namespace tend
