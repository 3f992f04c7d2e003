#include "logs/store/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tend::logs {

Result<std::shared_ptr<SegmentFile>> SegmentFile::Open(const std::string& path,
                                                       bool writable) {
  const int fd = ::open(
      path.c_str(), (writable ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0640);
  if (fd < 0) return ErrnoError("open log segment " + path, errno);
  return std::shared_ptr<SegmentFile>(new SegmentFile(fd, path));
}

SegmentFile::~SegmentFile() { ::close(fd_); }

Status SegmentFile::ReadAt(uint64_t off, size_t n, std::string* out) const {
  out->resize(n);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, out->data() + done, n - done,
                              static_cast<off_t>(off + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read log segment " + path_, errno);
    }
    if (r == 0) {
      return DataLossError("log segment " + path_ + " ends at offset " +
                           std::to_string(off + done) + ", expected " +
                           std::to_string(off + n));
    }
    done += static_cast<size_t>(r);
  }
  return Status::Ok();
}

Result<SegmentScan> ScanSegment(const SegmentFile& file, bool verify_data) {
  SegmentScan scan;
  struct stat st;
  if (::fstat(file.fd(), &st) != 0) {
    return ErrnoError("stat log segment " + file.path(), errno);
  }
  scan.file_size = static_cast<uint64_t>(st.st_size);
  if (scan.file_size == 0) return scan;  // Created, header not yet written.
  std::string buf;
  if (scan.file_size < kSegmentHeaderSize) {
    scan.damage = "torn segment header";
    return scan;
  }
  RETURN_IF_ERROR(file.ReadAt(0, kSegmentHeaderSize, &buf));
  if (std::memcmp(buf.data(), kSegmentMagic, 4) != 0 || buf[4] == 0 ||
      buf[5] != 0 || buf[6] != 0 || buf[7] != 0) {
    scan.damage = "bad segment header";
    return scan;
  }
  if (static_cast<uint8_t>(buf[4]) > kSegmentVersion) {
    return FailedPreconditionError(
        "log segment " + file.path() + " has format version " +
        std::to_string(static_cast<uint8_t>(buf[4])) +
        ", newer than this tend reads (1)");
  }
  scan.clean_end = kSegmentHeaderSize;
  uint64_t off = kSegmentHeaderSize;
  size_t committed = 0;  // records[0, committed) end with a commit.
  std::string data;
  auto fail = [&](std::string reason) {
    scan.damage = std::move(reason);
    scan.damage_offset = off;
  };
  while (off < scan.file_size) {
    if (scan.file_size - off < kRecordHeaderSize) {
      fail("torn record header");
      break;
    }
    std::string hdr;
    RETURN_IF_ERROR(file.ReadAt(off, kRecordHeaderSize, &hdr));
    const auto* hp = reinterpret_cast<const uint8_t*>(hdr.data());
    bool all_zero = true;
    for (char c : hdr) all_zero = all_zero && c == 0;
    if (all_zero) {
      fail("zero bytes where a record was expected");
      break;
    }
    Result<RecordHeader> h = ParseRecordHeader(hp);
    if (!h.ok()) {
      fail(h.status().message());
      break;
    }
    const uint64_t body = uint64_t{h->meta_len} + h->data_len;
    if (scan.file_size - off - kRecordHeaderSize < body) {
      fail("torn record");
      break;
    }
    ScannedRecord rec;
    rec.header = *h;
    rec.offset = off;
    RETURN_IF_ERROR(
        file.ReadAt(off + kRecordHeaderSize, h->meta_len, &rec.meta));
    if (!MetaCrcOk(hp, rec.meta, h->meta_crc)) {
      fail("record header or meta checksum mismatch");
      break;
    }
    if (verify_data && h->data_len > 0) {
      RETURN_IF_ERROR(file.ReadAt(off + kRecordHeaderSize + h->meta_len,
                                  h->data_len, &data));
      if (!DataCrcOk(data, h->data_crc)) {
        fail("record data checksum mismatch");
        break;
      }
    }
    off += kRecordHeaderSize + body;
    const bool is_commit = h->type == RecordType::kCommit;
    scan.records.push_back(std::move(rec));
    if (is_commit) {
      committed = scan.records.size();
      scan.clean_end = off;
    }
  }
  if (scan.damage.empty() && committed < scan.records.size()) {
    scan.damage = "records after the last commit";
    scan.damage_offset = scan.clean_end;
  }
  scan.records.resize(committed);
  return scan;
}

Status ReadRecordData(const SegmentFile& file, const RecordHeader& h,
                      uint64_t offset, std::string* out) {
  RETURN_IF_ERROR(
      file.ReadAt(offset + kRecordHeaderSize + h.meta_len, h.data_len, out));
  if (!DataCrcOk(*out, h.data_crc)) {
    return DataLossError("log segment " + file.path() +
                         ": data checksum mismatch in record at offset " +
                         std::to_string(offset));
  }
  return Status::Ok();
}

}  // namespace tend::logs
