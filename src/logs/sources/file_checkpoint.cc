#include "logs/sources/file_checkpoint.h"

#include <charconv>
#include <cstdio>
#include <span>

#include "base/crc32c.h"

namespace tend::logs {
namespace {

constexpr std::string_view kHeader = "tend-files 1\n";
constexpr std::string_view kCrcPrefix = "crc32c ";

uint32_t Crc(std::string_view s) {
  return Crc32c(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// Bytes outside the printable range, space and '%' become %XX, so a path
// with spaces or newlines stays one field on one line.
void AppendEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c <= ' ' || c == '%' || c >= 0x7f) {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Unescape(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out->push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return false;
    int hi = HexValue(s[i + 1]);
    int lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

template <typename T>
bool ParseNumber(std::string_view s, int base, T* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, base);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Splits off the next space-separated field of `line`.
std::string_view NextField(std::string_view* line) {
  size_t sp = line->find(' ');
  std::string_view field = line->substr(0, sp);
  *line =
      sp == std::string_view::npos ? std::string_view() : line->substr(sp + 1);
  return field;
}

Status Damaged(size_t line_no, std::string_view what) {
  return DataLossError("file source checkpoint line " +
                       std::to_string(line_no) + ": " + std::string(what));
}

}  // namespace

std::string EncodeFileCheckpoint(const FileCheckpoint& checkpoint) {
  std::string out(kHeader);
  char buf[128];
  int n = std::snprintf(buf, sizeof(buf), "scan %lld\n",
                        static_cast<long long>(checkpoint.scan_unix_ns));
  out.append(buf, static_cast<size_t>(n));
  for (const FilePosition& f : checkpoint.files) {
    n = std::snprintf(buf, sizeof(buf), "%c %llu %llu %u %016llx %llu ",
                      f.retired ? 'r' : 'f',
                      static_cast<unsigned long long>(f.id.dev),
                      static_cast<unsigned long long>(f.id.ino),
                      static_cast<unsigned>(f.fp.len),
                      static_cast<unsigned long long>(f.fp.hash),
                      static_cast<unsigned long long>(f.offset));
    out.append(buf, static_cast<size_t>(n));
    AppendEscaped(f.path, &out);
    out.push_back('\n');
  }
  for (const FileId& id : checkpoint.done) {
    n = std::snprintf(buf, sizeof(buf), "d %llu %llu\n",
                      static_cast<unsigned long long>(id.dev),
                      static_cast<unsigned long long>(id.ino));
    out.append(buf, static_cast<size_t>(n));
  }
  std::snprintf(buf, sizeof(buf), "%08x\n", Crc(out));
  out.append(kCrcPrefix);
  out.append(buf);
  return out;
}

Result<FileCheckpoint> DecodeFileCheckpoint(std::string_view text) {
  if (text.substr(0, kHeader.size()) != kHeader) {
    if (text.starts_with("tend-files ")) {
      return Damaged(1, "unsupported version (this tend reads version 1)");
    }
    return Damaged(1,
                   "not a file source checkpoint (expected \"tend-files 1\")");
  }
  // The checksum line is the last one; everything before it is covered.
  if (text.empty() || text.back() != '\n') {
    return Damaged(0, "truncated: the last line has no newline");
  }
  size_t last_start = text.rfind('\n', text.size() - 2);
  last_start = last_start == std::string_view::npos ? 0 : last_start + 1;
  std::string_view body = text.substr(0, last_start);
  std::string_view crc_line =
      text.substr(last_start, text.size() - 1 - last_start);
  size_t line_count = 0;
  for (char c : body) line_count += c == '\n';
  if (!crc_line.starts_with(kCrcPrefix)) {
    return Damaged(line_count + 1, "missing \"crc32c\" checksum line");
  }
  uint32_t want = 0;
  std::string_view hex = crc_line.substr(kCrcPrefix.size());
  if (hex.size() != 8 || !ParseNumber(hex, 16, &want)) {
    return Damaged(line_count + 1, "malformed checksum");
  }
  if (Crc(body) != want) {
    return Damaged(line_count + 1,
                   "checksum mismatch (the checkpoint is damaged)");
  }

  FileCheckpoint cp;
  size_t pos = kHeader.size();
  size_t line_no = 1;
  bool have_scan = false;
  while (pos < body.size()) {
    ++line_no;
    size_t nl = body.find('\n', pos);  // Body ends in '\n', so found.
    std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (cp.files.size() + cp.done.size() >= kMaxCheckpointFiles) {
      return Damaged(line_no, "too many files");
    }
    std::string_view kind = NextField(&line);
    if (kind == "scan") {
      long long scan = 0;
      if (have_scan || !ParseNumber(line, 10, &scan)) {
        return Damaged(line_no, "bad or repeated scan time");
      }
      cp.scan_unix_ns = scan;
      have_scan = true;
      continue;
    }
    unsigned long long dev = 0, ino = 0, hash = 0, offset = 0;
    if (!ParseNumber(NextField(&line), 10, &dev)) {
      return Damaged(line_no, "bad device number");
    }
    if (!ParseNumber(NextField(&line), 10, &ino)) {
      return Damaged(line_no, "bad inode number");
    }
    if (kind == "d") {
      if (!line.empty()) return Damaged(line_no, "extra fields");
      cp.done.push_back({dev, ino});
      continue;
    }
    if (kind != "f" && kind != "r") {
      return Damaged(line_no, "unknown line kind");
    }
    FilePosition f;
    f.retired = kind == "r";
    unsigned fp_len = 0;
    if (!ParseNumber(NextField(&line), 10, &fp_len) || fp_len > (1u << 20)) {
      return Damaged(line_no, "bad fingerprint length");
    }
    std::string_view hash_field = NextField(&line);
    if (hash_field.size() != 16 || !ParseNumber(hash_field, 16, &hash)) {
      return Damaged(line_no, "bad fingerprint hash");
    }
    if (!ParseNumber(NextField(&line), 10, &offset)) {
      return Damaged(line_no, "bad offset");
    }
    if (line.empty() || line.size() > 3 * kMaxCheckpointPath ||
        line.find(' ') != std::string_view::npos || !Unescape(line, &f.path) ||
        f.path.size() > kMaxCheckpointPath || f.path.empty() ||
        f.path[0] != '/') {
      return Damaged(line_no, "bad path (an absolute %-escaped path expected)");
    }
    f.id = {dev, ino};
    f.fp = {fp_len, hash};
    f.offset = offset;
    cp.files.push_back(std::move(f));
  }
  if (!have_scan) return Damaged(2, "missing scan time");
  return cp;
}

}  // namespace tend::logs
