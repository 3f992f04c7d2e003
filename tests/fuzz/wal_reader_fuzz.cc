// Fuzz target: the WAL reader and repair (src/tsdb/wal.h,
// docs/formats/wal.md).
//
// The input is written as segment 00000000 of an otherwise empty WAL
// directory and read to its end. The reader must never crash or read out of
// bounds. When it reports damage, RepairWal must leave a WAL that reads
// back exactly the records read before the damage, with no damage; and a
// new writer must append after them.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "tsdb/wal.h"

namespace {

struct Read {
  std::vector<std::vector<uint8_t>> records;
  bool damaged = false;
  tend::WalCorruption corruption;
  tend::Status status;
};

Read ReadAll(const std::string& dir) {
  Read r;
  auto reader = tend::WalReader::Open(dir);
  if (!reader.ok()) __builtin_trap();
  while ((*reader)->Next()) {
    auto rec = (*reader)->record();
    if ((*reader)->segment() != 0) __builtin_trap();
    r.records.emplace_back(rec.begin(), rec.end());
  }
  if (const tend::WalCorruption* c = (*reader)->corruption()) {
    r.damaged = true;
    r.corruption = *c;
  }
  r.status = (*reader)->status();
  return r;
}

std::string MakeTempDir() {
  const char* tmp = getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/walfuzzXXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) __builtin_trap();
  return tmpl;
}

void Check(const uint8_t* data, size_t size) {
  const std::string root = MakeTempDir();
  const std::string dir = root + "/wal";
  std::filesystem::create_directory(dir);
  const std::string seg = dir + "/00000000";
  int fd = open(seg.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) __builtin_trap();
  for (size_t off = 0; off < size;) {
    ssize_t n = write(fd, data + off, size - off);
    if (n <= 0) __builtin_trap();
    off += static_cast<size_t>(n);
  }
  close(fd);

  Read first = ReadAll(dir);
  if (!first.status.ok()) {
    // Only a newer format version is an error for a readable file.
    if (first.damaged || first.status.message().empty()) __builtin_trap();
    if (first.status.code() != tend::StatusCode::kFailedPrecondition) {
      __builtin_trap();
    }
  } else if (first.damaged) {
    if (first.corruption.segment != 0 || first.corruption.reason.empty() ||
        first.corruption.offset > size) {
      __builtin_trap();
    }
    if (!tend::RepairWal(dir, first.corruption).ok()) __builtin_trap();
    Read again = ReadAll(dir);
    if (!again.status.ok() || again.damaged) __builtin_trap();
    if (again.records != first.records) __builtin_trap();
  }
  if (first.status.ok()) {
    // A new writer appends after the (repaired) log.
    auto writer = tend::WalWriter::Open(dir, {.fsync = tend::WalFsync::kNever});
    if (!writer.ok()) __builtin_trap();
    const uint8_t extra[] = {1, 2, 3};
    if (!(*writer)->Log(extra).ok() || !(*writer)->Close().ok()) {
      __builtin_trap();
    }
    auto reader = tend::WalReader::Open(dir);
    if (!reader.ok()) __builtin_trap();
    size_t n = 0;
    while ((*reader)->Next()) ++n;
    if ((*reader)->corruption() || !(*reader)->status().ok()) __builtin_trap();
    if (n != first.records.size() + 1) __builtin_trap();
  }
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    // RepairWal logs a warning per damaged input.
    tend::SetLogSinkForTesting([](std::string_view) {});
    return true;
  }();
  (void)quiet;
  Check(data, size);
  return 0;
}
