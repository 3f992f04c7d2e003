#include "tsdb/block_chunks.h"

#include <cstdio>

#include "tsdb/block_encoding.h"

namespace tend {

std::string ChunkSegmentName(uint64_t segment) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu",
                static_cast<unsigned long long>(segment));
  return buf;
}

void AppendFramedChunk(uint8_t encoding, std::span<const uint8_t> payload,
                       std::vector<uint8_t>* group) {
  ByteWriter w(group);
  w.PutUvarint(payload.size());
  w.PutByte(encoding);
  w.PutBytes(payload);
}

bool ChunkGroupIterator::Next(uint8_t* encoding,
                              std::span<const uint8_t>* payload, bool* error) {
  *error = false;
  if (pos_ == chunks_.size()) return false;
  ByteReader r(chunks_.subspan(pos_));
  uint64_t len;
  if (!r.GetUvarint(&len) || !r.GetByte(encoding) || len > r.remaining() ||
      !r.GetBytes(len, payload)) {
    *error = true;
    return false;
  }
  pos_ += r.pos();
  return true;
}

Result<std::unique_ptr<ChunkSegmentWriter>> ChunkSegmentWriter::Create(
    std::string chunks_dir, uint64_t segment_bytes) {
  std::unique_ptr<ChunkSegmentWriter> w(
      new ChunkSegmentWriter(std::move(chunks_dir), segment_bytes));
  return w;
}

Status ChunkSegmentWriter::StartSegment() {
  if (file_ != nullptr) RETURN_IF_ERROR(file_->Close());
  ++segment_;
  ASSIGN_OR_RETURN(
      file_, FileWriter::Create(JoinPath(dir_, ChunkSegmentName(segment_))));
  std::vector<uint8_t> header;
  ByteWriter w(&header);
  w.PutBe32(kChunkSegmentMagic);
  w.PutByte(kChunkSegmentVersion);
  w.PutByte(0);
  w.PutByte(0);
  w.PutByte(0);
  return file_->Append(header);
}

Result<ChunkGroupRef> ChunkSegmentWriter::WriteGroup(
    std::span<const uint8_t> chunks) {
  const uint64_t length = chunks.size() + 4;
  if (file_ == nullptr || (file_->size() > kChunkSegmentHeaderSize &&
                           file_->size() + length > segment_bytes_)) {
    RETURN_IF_ERROR(StartSegment());
  }
  ChunkGroupRef ref{segment_, file_->size(), length};
  RETURN_IF_ERROR(file_->Append(chunks));
  std::vector<uint8_t> crc;
  ByteWriter(&crc).PutBe32(Crc32c(chunks));
  RETURN_IF_ERROR(file_->Append(crc));
  return ref;
}

Status ChunkSegmentWriter::Close() {
  if (file_ != nullptr) RETURN_IF_ERROR(file_->Close());
  file_.reset();
  return SyncDir(dir_);
}

Result<std::unique_ptr<ChunkSegmentReader>> ChunkSegmentReader::Open(
    const std::string& chunks_dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirSorted(chunks_dir));
  auto r = std::make_unique<ChunkSegmentReader>();
  r->dir_ = chunks_dir;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string path = JoinPath(chunks_dir, names[i]);
    if (names[i] != ChunkSegmentName(i + 1)) {
      return DataLossError(path + ": unexpected file; segments must be named " +
                           ChunkSegmentName(1) + ", " + ChunkSegmentName(2) +
                           ", ... without gaps (expected " +
                           ChunkSegmentName(i + 1) + ")");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> f, MappedFile::Open(path));
    const auto data = f->data();
    if (data.size() < kChunkSegmentHeaderSize) {
      return DataLossError(path +
                           " at offset 0: " + std::to_string(data.size()) +
                           " bytes, shorter than the 8-byte header");
    }
    if (LoadBe32(data.data()) != kChunkSegmentMagic) {
      return DataLossError(path +
                           " at offset 0: bad magic (not a chunk segment)");
    }
    if (data[4] != kChunkSegmentVersion) {
      return DataLossError(path + " at offset 4: unsupported version " +
                           std::to_string(data[4]));
    }
    if (data[5] != 0 || data[6] != 0 || data[7] != 0) {
      return DataLossError(path +
                           " at offset 5: reserved header bytes are not zero");
    }
    r->segments_.push_back(std::move(f));
  }
  return r;
}

std::string ChunkSegmentReader::Where(const ChunkGroupRef& ref) const {
  return JoinPath(dir_, ChunkSegmentName(ref.segment)) + " at offset " +
         std::to_string(ref.offset);
}

Result<std::span<const uint8_t>> ChunkSegmentReader::ReadGroup(
    const ChunkGroupRef& ref) const {
  if (ref.segment == 0 || ref.segment > segments_.size()) {
    return DataLossError(Where(ref) + ": no such chunk segment (block has " +
                         std::to_string(segments_.size()) + ")");
  }
  const auto data = segments_[ref.segment - 1]->data();
  if (ref.offset < kChunkSegmentHeaderSize || ref.length < 4 ||
      ref.offset > data.size() || ref.length > data.size() - ref.offset) {
    return DataLossError(Where(ref) + ": chunk group of " +
                         std::to_string(ref.length) +
                         " bytes lies outside the file (" +
                         std::to_string(data.size()) + " bytes)");
  }
  const auto group = data.subspan(ref.offset, ref.length - 4);
  const uint32_t want = LoadBe32(data.data() + ref.offset + ref.length - 4);
  if (Crc32c(group) != want) {
    return DataLossError(Where(ref) + ": chunk group checksum mismatch");
  }
  return group;
}

uint64_t ChunkSegmentReader::size_bytes() const {
  uint64_t total = 0;
  for (const auto& s : segments_) total += s->data().size();
  return total;
}

}  // namespace tend
