#include "tsdb/head_chunks.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "base/file_util.h"
#include "base/log.h"

namespace tend {
namespace {

// File layout (docs/formats/head-chunks.md): an 8-byte magic, then records
// {int64 mint, int64 maxt, uint32 length, length chunk bytes}, little-endian
// and unaligned. Heap copies use the same record layout.
constexpr char kMagic[8] = {'t', 'e', 'n', 'd', 'h', 'c', '1', '\n'};
constexpr size_t kRecordHeader = 20;
constexpr int kSlotShift = 33;
constexpr int64_t kWarnIntervalNanos = 60 * kNanosPerSecond;

void WriteRecordHeader(uint8_t* p, int64_t mint, int64_t maxt, uint32_t len) {
  std::memcpy(p, &mint, 8);
  std::memcpy(p + 8, &maxt, 8);
  std::memcpy(p + 16, &len, 4);
}

ChunkView ReadRecord(const uint8_t* p) {
  ChunkView v;
  uint32_t len;
  std::memcpy(&v.mint, p, 8);
  std::memcpy(&v.maxt, p + 8, 8);
  std::memcpy(&len, p + 16, 4);
  v.bytes = {p + kRecordHeader, len};
  return v;
}

bool IsChunkFileName(const char* name) {
  if (*name == '\0') return false;
  for (const char* c = name; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') return false;
  }
  return true;
}

// Writes all of data at offset; a short write is an error (ENOSPC).
Status PwriteAll(int fd, std::span<const uint8_t> data, uint64_t offset) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("head chunks: write", errno);
    }
    if (n == 0) return ErrnoError("head chunks: write", ENOSPC);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HeadChunkStore>> HeadChunkStore::Open(std::string dir,
                                                             size_t file_bytes,
                                                             Clock* clock) {
  if (file_bytes < 4096 || file_bytes > (size_t{1} << 32)) {
    return InvalidArgumentError(
        "head chunks: file size must be between 4 KiB and 4 GiB");
  }
  if (!dir.empty()) {
    RETURN_IF_ERROR(MakeDirs(dir));
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoError("head chunks: open " + dir, errno);
    std::vector<std::string> stale;
    while (const dirent* e = ::readdir(d)) {
      if (IsChunkFileName(e->d_name)) stale.emplace_back(e->d_name);
    }
    ::closedir(d);
    for (const std::string& name : stale) {
      const std::string path = dir + "/" + name;
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return ErrnoError("head chunks: remove " + path, errno);
      }
    }
  }
  return std::unique_ptr<HeadChunkStore>(
      new HeadChunkStore(std::move(dir), file_bytes, clock));
}

HeadChunkStore::~HeadChunkStore() {
  for (File& f : files_) CloseFile(&f, /*unlink=*/false);
}

std::string HeadChunkStore::FilePath(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%08llu",
                static_cast<unsigned long long>(seq));
  return dir_ + "/" + name;
}

ChunkRef HeadChunkStore::PutOnHeap(std::span<const uint8_t> chunk, int64_t mint,
                                   int64_t maxt) {
  auto* p = static_cast<uint8_t*>(std::malloc(kRecordHeader + chunk.size()));
  if (p == nullptr) std::abort();  // As operator new would fail.
  WriteRecordHeader(p, mint, maxt, static_cast<uint32_t>(chunk.size()));
  if (!chunk.empty())
    std::memcpy(p + kRecordHeader, chunk.data(), chunk.size());
  return reinterpret_cast<uintptr_t>(p);  // malloc aligns: bit 0 is clear.
}

Status HeadChunkStore::CreateFile(File* f) {
  const std::string path = FilePath(f->seq);
  f->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (f->fd < 0) return ErrnoError("head chunks: create " + path, errno);
  Status st = PwriteAll(
      f->fd, {reinterpret_cast<const uint8_t*>(kMagic), sizeof kMagic}, 0);
  if (st.ok()) {
    // The mapping may extend past the end of the file: only written bytes
    // are ever read.
    void* m = ::mmap(nullptr, file_bytes_, PROT_READ, MAP_SHARED, f->fd, 0);
    if (m == MAP_FAILED) {
      st = ErrnoError("head chunks: map " + path, errno);
    } else {
      f->base = static_cast<const uint8_t*>(m);
    }
  }
  if (!st.ok()) {
    ::close(f->fd);
    f->fd = -1;
    ::unlink(path.c_str());
    return st;
  }
  f->size = sizeof kMagic;
  return Status::Ok();
}

void HeadChunkStore::CloseFile(File* f, bool unlink) {
  if (f->base != nullptr) {
    bases_[f->seq % kSlots].store(nullptr, std::memory_order_release);
    ::munmap(const_cast<uint8_t*>(f->base), file_bytes_);
    f->base = nullptr;
  }
  if (f->fd >= 0) ::close(f->fd);
  f->fd = -1;
  if (unlink) ::unlink(FilePath(f->seq).c_str());
}

void HeadChunkStore::CountWriteError(const Status& st) {
  write_errors_.fetch_add(1, std::memory_order_relaxed);
  const int64_t now = clock_->MonotonicNanos();
  if (warned_ && now - last_warn_nanos_ < kWarnIntervalNanos) return;
  warned_ = true;
  last_warn_nanos_ = now;
  LogWarn("head chunks: cannot write to disk; keeping chunks in memory",
          {{"dir", dir_},
           {"err", st},
           {"errors_total", static_cast<unsigned long>(write_errors_.load())}});
}

HeadChunkStore::File* HeadChunkStore::Writable(size_t bytes) {
  if (!files_.empty()) {
    File& cur = files_.back();
    if (cur.fd >= 0 && cur.size + bytes <= file_bytes_) return &cur;
    // Full: keep it mapped for reads, release its descriptor.
    if (cur.fd >= 0) ::close(cur.fd);
    cur.fd = -1;
  }
  File f;
  f.seq = next_seq_;
  if (bases_[f.seq % kSlots].load(std::memory_order_relaxed) != nullptr) {
    return nullptr;  // Every slot holds a live file; use the heap for now.
  }
  if (Status st = CreateFile(&f); !st.ok()) {
    CountWriteError(st);
    return nullptr;
  }
  ++next_seq_;
  bases_[f.seq % kSlots].store(f.base, std::memory_order_release);
  files_.push_back(f);
  return &files_.back();
}

ChunkRef HeadChunkStore::Put(std::span<const uint8_t> chunk, int64_t mint,
                             int64_t maxt) {
  const size_t record = kRecordHeader + chunk.size();
  if (dir_.empty() || record > file_bytes_ - sizeof kMagic) {
    return PutOnHeap(chunk, mint, maxt);
  }
  std::lock_guard lock(mu_);
  File* f = Writable(record);
  if (f == nullptr) return PutOnHeap(chunk, mint, maxt);
  scratch_.resize(record);
  WriteRecordHeader(scratch_.data(), mint, maxt,
                    static_cast<uint32_t>(chunk.size()));
  if (!chunk.empty()) {
    std::memcpy(scratch_.data() + kRecordHeader, chunk.data(), chunk.size());
  }
  if (Status st = PwriteAll(f->fd, scratch_, f->size); !st.ok()) {
    // Cut a partial record back off; the next chunk tries again.
    if (::ftruncate(f->fd, static_cast<off_t>(f->size)) != 0) {
      // The file's tail is unknown now: stop writing to this file.
      ::close(f->fd);
      f->fd = -1;
    }
    CountWriteError(st);
    return PutOnHeap(chunk, mint, maxt);
  }
  const uint64_t offset = f->size;
  f->size += record;
  f->maxt = f->has_chunks ? std::max(f->maxt, maxt) : maxt;
  f->has_chunks = true;
  return 1 | (offset << 1) | ((f->seq % kSlots) << kSlotShift);
}

ChunkView HeadChunkStore::Get(const HeadChunkStore* store, ChunkRef ref) {
  if (OnHeap(ref)) return ReadRecord(reinterpret_cast<const uint8_t*>(ref));
  const uint64_t offset = (ref >> 1) & 0xffffffff;
  const size_t slot = (ref >> kSlotShift) % kSlots;
  const uint8_t* base = store->bases_[slot].load(std::memory_order_acquire);
  return ReadRecord(base + offset);
}

void HeadChunkStore::Release(ChunkRef ref) {
  if (OnHeap(ref)) std::free(reinterpret_cast<void*>(ref));
}

size_t HeadChunkStore::HeapRequestBytes(ChunkRef ref) {
  if (!OnHeap(ref)) return 0;
  return kRecordHeader +
         ReadRecord(reinterpret_cast<const uint8_t*>(ref)).bytes.size();
}

void HeadChunkStore::TruncateBefore(int64_t mint) {
  std::lock_guard lock(mu_);
  size_t kept = 0;
  for (size_t i = 0; i < files_.size(); ++i) {
    File& f = files_[i];
    const bool last = i + 1 == files_.size();
    const bool dead = f.has_chunks ? f.maxt < mint : !last;
    if (dead) {
      CloseFile(&f, /*unlink=*/true);
      continue;
    }
    files_[kept++] = f;
  }
  files_.resize(kept);
}

HeadChunkStats HeadChunkStore::stats() const {
  HeadChunkStats st;
  st.write_errors = write_errors_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  st.files = files_.size();
  for (const File& f : files_) st.disk_bytes += f.size;
  return st;
}

}  // namespace tend
