// LogStore's write path: Append, Commit (blocks, pending records, commit
// marker), segment roll, Sync, retention and Close.
#include "logs/store/log_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "base/file_util.h"
#include "base/log.h"
#include "logs/store/log_store_state.h"

namespace tend::logs {
namespace {

Status WriteAt(const SegmentFile& f, std::string_view buf, uint64_t off) {
  size_t done = 0;
  while (done < buf.size()) {
    const ssize_t w = ::pwrite(f.fd(), buf.data() + done, buf.size() - done,
                               static_cast<off_t>(off + done));
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write log segment " + f.path(), errno);
    }
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status DataSync(const SegmentFile& f) {
  if (::fdatasync(f.fd()) != 0) {
    return ErrnoError("fdatasync log segment " + f.path(), errno);
  }
  return Status::Ok();
}

// Encodes lines[b, e) of one stream as a record of `type` appended to
// `out` (starting at file offset `base` + out->size()); fills `ref`.
void EncodeLines(LogStore::State& s, uint32_t stream_id,
                 std::span<const LineRef> lines, RecordType type, uint64_t base,
                 std::string* out, BlockRef* ref) {
  BlockMeta m;
  m.stream_id = stream_id;
  m.lines = static_cast<uint32_t>(lines.size());
  m.mint = m.maxt = lines[0].t;
  for (const LineRef& l : lines) {
    if (l.t < m.mint) m.mint = l.t;
    if (l.t > m.maxt) m.maxt = l.t;
  }
  std::string raw;
  int64_t prev = m.mint;
  for (const LineRef& l : lines) {
    AppendLine(prev, l.t, l.line, &raw);
    prev = l.t;
  }
  m.raw_bytes = static_cast<uint32_t>(raw.size());
  if (type == RecordType::kBlock) {
    s.keyset.Reset();
    for (const LineRef& l : lines) s.keyset.AddLine(l.line);
    m.bloom = BuildBloom(s.keyset.keys());
  }
  std::string data;
  Compress(raw, s.options.zstd_level, &data);
  m.codec = 1;
  if (data.empty() || data.size() >= raw.size()) {
    data = std::move(raw);
    m.codec = 0;
  }
  std::string meta;
  EncodeBlockMeta(m, &meta);
  ref->offset = base + out->size();
  AppendRecord(type, meta, data, out);
  ref->stream_id = stream_id;
  ref->lines = m.lines;
  ref->mint = m.mint;
  ref->maxt = m.maxt;
  ref->raw_bytes = m.raw_bytes;
  ref->codec = m.codec;
  ref->bloom = std::move(m.bloom);
  ref->header = *ParseRecordHeader(
      reinterpret_cast<const uint8_t*>(out->data() + ref->offset - base));
}

void AddStreamRecord(const StreamState& st, std::string* out) {
  std::string meta;
  EncodeStreamMeta(st.id, st.labels, &meta);
  AppendRecord(RecordType::kStream, meta, {}, out);
}

void AddCommitRecord(uint64_t seq, std::string_view checkpoint,
                     std::string* out) {
  std::string meta;
  EncodeCommitMeta(seq, checkpoint, &meta);
  AppendRecord(RecordType::kCommit, meta, {}, out);
}

// Writes `buf` at the end of the active segment and syncs per policy; on
// failure cuts the segment back so it ends at its last commit.
Status WriteCommit(LogStore::State& s, Segment& seg, std::string_view buf,
                   bool force_sync) {
  Status st = WriteAt(*seg.file, buf, seg.size);
  if (st.ok() && (force_sync || s.options.fsync == LogFsync::kAlways)) {
    st = DataSync(*seg.file);
  }
  if (!st.ok()) {
    if (::ftruncate(seg.file->fd(), static_cast<off_t>(seg.size)) != 0) {
      LogWarn("log store: cannot cut a failed commit off the segment",
              {{"path", seg.file->path()}, {"error", std::strerror(errno)}});
    }
    return st;
  }
  if (s.options.fsync != LogFsync::kNever && !force_sync &&
      s.options.fsync != LogFsync::kAlways) {
    s.unsynced = true;
  }
  return Status::Ok();
}

// What one Commit adds to the index, published under the lock.
struct StreamUpdate {
  StreamState* stream;
  LineBuffer open;  // The stream's new open buffer.
  int64_t mint, maxt;
  size_t new_lines;
};

Status Roll(LogStore::State& s);

}  // namespace

std::string SegmentPath(const std::string& dir, int number) {
  char name[32];
  std::snprintf(name, sizeof name, "/%08d.seg", number);
  return dir + name;
}

LogStore::LogStore(std::unique_ptr<State> state) : s_(std::move(state)) {}

LogStore::~LogStore() {
  if (!s_->closed) Close().IgnoreError();
}

Status LogStore::Append(const Labels& stream, int64_t t_ns,
                        std::string_view line) {
  State& s = *s_;
  if (s.closed) return FailedPreconditionError("log store is closed");
  if (line.size() > s.options.max_line_bytes) {
    return InvalidArgumentError("log line of " + std::to_string(line.size()) +
                                " bytes is longer than the limit of " +
                                std::to_string(s.options.max_line_bytes) +
                                " bytes");
  }
  const uint64_t h = HashLabels(stream);
  StreamState* st = nullptr;
  for (auto [it, end] = s.by_hash.equal_range(h); it != end; ++it) {
    if (it->second->labels == stream) {
      st = it->second;
      break;
    }
  }
  if (st == nullptr) {
    if (stream.empty() || !IsCanonical(stream)) {
      return InvalidArgumentError("stream labels " + LabelsToString(stream) +
                                  " are empty or not canonical");
    }
    auto owned = std::make_unique<StreamState>();
    owned->id = s.next_stream_id++;
    owned->labels = stream;
    st = owned.get();
    {
      std::unique_lock lock(s.mu);
      s.streams.emplace(st->id, std::move(owned));
    }
    s.by_hash.emplace(h, st);
  }
  st->staged.Add(t_ns, line);
  if (!st->dirty) {
    st->dirty = true;
    s.dirty.push_back(st);
  }
  return Status::Ok();
}

Status LogStore::Commit(std::string_view checkpoint) {
  State& s = *s_;
  if (s.closed) return FailedPreconditionError("log store is closed");
  Segment& seg = s.segments.back();
  std::string buf;
  std::vector<BlockRef> blocks;
  std::vector<StreamUpdate> updates;
  std::vector<LineRef> all;
  std::vector<StreamState*> needs_record;
  for (StreamState* st : s.dirty) {
    if (st->stream_record_segment != seg.number) {
      AddStreamRecord(*st, &buf);
      needs_record.push_back(st);
    }
    all.clear();
    for (size_t i = 0; i < st->open.size(); ++i) {
      all.push_back({st->open.ts[i], st->open.line(i)});
    }
    for (size_t i = 0; i < st->staged.size(); ++i) {
      all.push_back({st->staged.ts[i], st->staged.line(i)});
    }
    size_t raw = st->open.raw + st->staged.raw;
    size_t pos = 0;
    // Cut full blocks from the front; the open lines always fit in the
    // first one (they are below both limits), so every line is either in
    // a block or in the pending record below.
    while (raw >= s.options.block_bytes ||
           all.size() - pos >= s.options.block_lines) {
      size_t e = pos, bytes = 0;
      while (e < all.size() && e - pos < s.options.block_lines &&
             (e == pos ||
              bytes + all[e].line.size() + 4 <= s.options.block_bytes)) {
        bytes += all[e].line.size() + 4;
        ++e;
      }
      BlockRef ref;
      EncodeLines(s, st->id, std::span(all).subspan(pos, e - pos),
                  RecordType::kBlock, seg.size, &buf, &ref);
      blocks.push_back(std::move(ref));
      raw -= bytes;
      pos = e;
    }
    StreamUpdate u{st, {}, 0, 0, st->staged.size()};
    u.mint = u.maxt = st->staged.ts[0];
    for (int64_t t : st->staged.ts) {
      if (t < u.mint) u.mint = t;
      if (t > u.maxt) u.maxt = t;
    }
    // Lines of this commit not in a block go to a pending record; with a
    // block cut, the rest is all from this commit.
    const size_t first_new = pos > 0 ? pos : st->open.size();
    if (first_new < all.size()) {
      BlockRef unused;
      EncodeLines(s, st->id, std::span(all).subspan(first_new),
                  RecordType::kPending, seg.size, &buf, &unused);
    }
    for (size_t i = pos; i < all.size(); ++i) {
      u.open.Add(all[i].t, all[i].line);
    }
    updates.push_back(std::move(u));
  }
  const uint64_t seq = s.commit_seq + 1;
  AddCommitRecord(seq, checkpoint, &buf);
  RETURN_IF_ERROR(WriteCommit(s, seg, buf, false));
  // Durable: publish.
  for (StreamState* st : needs_record) st->stream_record_segment = seg.number;
  {
    std::unique_lock lock(s.mu);
    seg.size += buf.size();
    for (BlockRef& b : blocks) {
      ExtendRange(&seg.has_data, &seg.mint, &seg.maxt, b.mint, b.maxt);
      seg.blocks.push_back(std::move(b));
    }
    for (StreamUpdate& u : updates) {
      u.stream->open = std::move(u.open);
      ExtendRange(&u.stream->has_data, &u.stream->mint, &u.stream->maxt, u.mint,
                  u.maxt);
      ExtendRange(&seg.has_data, &seg.mint, &seg.maxt, u.mint, u.maxt);
      s.lines_committed += u.new_lines;
    }
    s.commit_seq = seq;
    s.last_checkpoint.assign(checkpoint);
  }
  for (StreamState* st : s.dirty) {
    st->staged.Clear();
    st->dirty = false;
  }
  s.dirty.clear();
  const bool too_big = seg.size >= s.options.segment_bytes;
  const bool too_old = s.options.segment_age_ns > 0 &&
                       s.clock->MonotonicNanos() - seg.created_mono >=
                           s.options.segment_age_ns &&
                       seg.has_data;
  if (too_big || too_old) {
    // The commit is durable; a failed roll is retried at the next commit.
    Status st = Roll(s);
    if (!st.ok()) {
      LogWarn("log store: segment roll failed; retrying at next commit",
              {{"dir", s.dir}, {"error", st.ToString()}});
    }
  }
  return Status::Ok();
}

namespace {

// Seals the active segment (every open buffer written as a block, then a
// commit marker repeating the last checkpoint, synced) and starts the next
// segment (header written and synced with its directory entry).
Status Roll(LogStore::State& s) {
  Segment& seg = s.segments.back();
  std::string buf;
  std::vector<BlockRef> blocks;
  std::vector<LineRef> lines;
  for (auto& [id, st] : s.streams) {
    if (st->open.size() == 0) continue;
    lines.clear();
    for (size_t i = 0; i < st->open.size(); ++i) {
      lines.push_back({st->open.ts[i], st->open.line(i)});
    }
    if (st->stream_record_segment != seg.number) AddStreamRecord(*st, &buf);
    BlockRef ref;
    EncodeLines(s, st->id, lines, RecordType::kBlock, seg.size, &buf, &ref);
    blocks.push_back(std::move(ref));
  }
  AddCommitRecord(s.commit_seq, s.last_checkpoint, &buf);
  RETURN_IF_ERROR(
      WriteCommit(s, seg, buf, s.options.fsync != LogFsync::kNever));
  s.unsynced = false;
  const int number = seg.number + 1;
  Segment next;
  next.number = number;
  next.created_mono = s.clock->MonotonicNanos();
  const std::string path = SegmentPath(s.dir, number);
  ASSIGN_OR_RETURN(next.file, SegmentFile::Open(path, true));
  std::string header(kSegmentMagic, 4);
  header.push_back(static_cast<char>(kSegmentVersion));
  header.append(3, '\0');
  Status st = WriteAt(*next.file, header, 0);
  if (st.ok() && s.options.fsync != LogFsync::kNever) {
    st = DataSync(*next.file);
    if (st.ok()) st = SyncDir(s.dir);
  }
  {
    std::unique_lock lock(s.mu);
    seg.size += buf.size();
    for (BlockRef& b : blocks) seg.blocks.push_back(std::move(b));
    for (auto& [id, stream] : s.streams) stream->open.Clear();
    if (st.ok()) {
      next.size = header.size();
      s.segments.push_back(std::move(next));
    }
  }
  if (!st.ok()) {
    // The old segment stays active (its open lines are now in blocks);
    // a half-created next segment is recovered as empty by Open.
    ::unlink(path.c_str());
  }
  return st;
}

}  // namespace

Status LogStore::Sync() {
  State& s = *s_;
  if (s.closed || !s.unsynced) return Status::Ok();
  RETURN_IF_ERROR(DataSync(*s.segments.back().file));
  s.unsynced = false;
  return Status::Ok();
}

Status LogStore::Close() {
  State& s = *s_;
  if (s.closed) return Status::Ok();
  Status st = Sync();
  s.closed = true;
  return st;
}

Status LogStore::EnforceRetention() {
  State& s = *s_;
  if (s.closed) return FailedPreconditionError("log store is closed");
  const int64_t cutoff =
      s.options.retention_time_ns > 0
          ? s.clock->NowUnixNanos() - s.options.retention_time_ns
          : INT64_MIN;
  uint64_t total = 0;
  for (const Segment& seg : s.segments) total += seg.size;
  size_t drop = 0;  // Drop segments[0, drop).
  while (drop + 1 < s.segments.size()) {
    const Segment& seg = s.segments[drop];
    const bool old =
        s.options.retention_time_ns > 0 && (!seg.has_data || seg.maxt < cutoff);
    const bool big =
        s.options.retention_bytes > 0 && total > s.options.retention_bytes;
    if (!old && !big) break;
    total -= seg.size;
    ++drop;
  }
  if (drop == 0) return Status::Ok();
  std::vector<std::string> paths;
  {
    std::unique_lock lock(s.mu);
    for (size_t i = 0; i < drop; ++i) {
      paths.push_back(s.segments[i].file->path());
    }
    s.segments.erase(s.segments.begin(),
                     s.segments.begin() + static_cast<long>(drop));
    // Recompute the streams' time ranges from what is left.
    for (auto& [id, st] : s.streams) st->has_data = false;
    for (const Segment& seg : s.segments) {
      for (const BlockRef& b : seg.blocks) {
        auto it = s.streams.find(b.stream_id);
        if (it == s.streams.end()) continue;
        StreamState& st = *it->second;
        ExtendRange(&st.has_data, &st.mint, &st.maxt, b.mint, b.maxt);
      }
    }
    for (auto& [id, st] : s.streams) {
      for (int64_t t : st->open.ts) {
        ExtendRange(&st->has_data, &st->mint, &st->maxt, t, t);
      }
    }
  }
  // Lowest first, so a crash leaves a consecutive run of segments.
  for (const std::string& p : paths) {
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError("delete log segment " + p, errno);
    }
  }
  LogInfo("log store: retention deleted segments",
          {{"dir", s.dir}, {"segments", static_cast<long long>(paths.size())}});
  if (s.options.fsync == LogFsync::kNever) return Status::Ok();
  return SyncDir(s.dir);
}

std::string LogStore::last_checkpoint() const {
  std::shared_lock lock(s_->mu);
  return s_->last_checkpoint;
}

LogStoreStats LogStore::stats() const {
  std::shared_lock lock(s_->mu);
  LogStoreStats out;
  out.segments = s_->segments.size();
  for (const Segment& seg : s_->segments) {
    out.disk_bytes += seg.size;
    out.blocks += seg.blocks.size();
  }
  out.streams = s_->streams.size();
  out.commits = s_->commit_seq;
  out.lines_committed = s_->lines_committed;
  return out;
}

}  // namespace tend::logs
