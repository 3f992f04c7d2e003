// Fuzz target: the log store's segment recovery and read path
// (src/logs/store, docs/formats/log-store.md).
//
// Arbitrary bytes as the only (active) segment of a store must open,
// recover (truncating what cannot be read), answer Select and the label
// queries, accept a new commit and reopen, never crash or hang. Open may
// only fail with kFailedPrecondition (a newer format version).
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "base/log.h"
#include "logs/store/log_store.h"

namespace {

void ReadAll(const tend::logs::LogStore& store) {
  const std::string req[] = {"Failed password", " 22 "};
  for (auto d :
       {tend::logs::Direction::kForward, tend::logs::Direction::kBackward}) {
    auto it = store.Select({}, INT64_MIN, INT64_MAX, d, 0, req);
    if (!it.ok()) __builtin_trap();
    size_t n = 0;
    while ((*it)->Next() && n < 100000) {
      if ((*it)->labels().empty()) __builtin_trap();
      ++n;
    }
  }
  store.LabelNames(INT64_MIN, INT64_MAX);
  store.Streams({}, INT64_MIN, INT64_MAX);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool quiet = [] {
    tend::SetLogSinkForTesting([](std::string_view) {});
    return true;
  }();
  (void)quiet;
  char tmpl[] = "/tmp/log_segment_fuzz.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return 0;
  const std::string dir = tmpl;
  {
    FILE* f = std::fopen((dir + "/00000000.seg").c_str(), "wb");
    if (f == nullptr) __builtin_trap();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) __builtin_trap();
    std::fclose(f);
  }
  tend::logs::LogStoreOptions o;
  o.fsync = tend::logs::LogFsync::kNever;
  o.block_bytes = 1024;
  {
    auto store = tend::logs::LogStore::Open(dir, o);
    if (!store.ok()) {
      if (store.status().code() != tend::StatusCode::kFailedPrecondition) {
        __builtin_trap();
      }
      std::filesystem::remove_all(dir);
      return 0;
    }
    ReadAll(**store);
    if (!(*store)->Append({{"app", "fuzz"}}, 1, "Failed password 22").ok()) {
      __builtin_trap();
    }
    if (!(*store)->Commit("cp").ok()) __builtin_trap();
  }
  auto again = tend::logs::LogStore::Open(dir, o);
  if (!again.ok()) __builtin_trap();
  if ((*again)->last_checkpoint() != "cp") __builtin_trap();
  ReadAll(**again);
  std::filesystem::remove_all(dir);
  return 0;
}
