// LogStore::Open: lists the segments, recovers the active (newest) one and
// loads the stream and block index (recovery rules: docs/formats/
// log-store.md, "Recovery").
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include "base/file_util.h"
#include "base/log.h"
#include "logs/store/log_store.h"
#include "logs/store/log_store_state.h"

namespace tend::logs {
namespace {

Result<std::vector<int>> ListSegments(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoError("list log store " + dir, errno);
  std::vector<int> out;
  while (dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name.size() != 12 || name.substr(8) != ".seg") continue;
    int n = 0;
    bool digits = true;
    for (char c : name.substr(0, 8)) {
      digits = digits && c >= '0' && c <= '9';
      n = n * 10 + (c - '0');
    }
    if (digits) out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

void Warn(std::string_view msg, const std::string& path, uint64_t offset,
          std::string_view reason) {
  LogWarn(msg, {{"path", path},
                {"offset", static_cast<long long>(offset)},
                {"reason", reason}});
}

// Applies the scanned records of one segment to the index. For the active
// segment, pending lines not yet in a block go to the streams' open
// buffers; for a sealed one they are indexed like blocks without a token
// index (a roll normally leaves none).
Status LoadSegment(LogStore::State& s, Segment& seg, const SegmentScan& scan,
                   bool active) {
  // Pending records per stream since that stream's last block here.
  std::map<uint32_t, std::vector<BlockRef>> pending;
  std::map<uint32_t, bool> known;  // Streams with a record in this segment.
  for (const ScannedRecord& r : scan.records) {
    switch (r.header.type) {
      case RecordType::kStream: {
        uint32_t id;
        Labels labels;
        Status st = DecodeStreamMeta(r.meta, &id, &labels);
        if (st.ok() && (labels.empty() || id == 0)) {
          st = DataLossError("stream record with id 0 or no labels");
        }
        auto it = s.streams.find(id);
        if (st.ok() && it != s.streams.end() && it->second->labels != labels) {
          st = DataLossError("stream id " + std::to_string(id) +
                             " already names other labels");
        }
        if (!st.ok()) {
          Warn("log store: ignoring bad stream record", seg.file->path(),
               r.offset, st.message());
          continue;
        }
        if (it == s.streams.end()) {
          auto owned = std::make_unique<StreamState>();
          owned->id = id;
          owned->labels = std::move(labels);
          s.by_hash.emplace(HashLabels(owned->labels), owned.get());
          s.streams.emplace(id, std::move(owned));
        }
        known[id] = true;
        s.next_stream_id = std::max(s.next_stream_id, id + 1);
        if (active) s.streams[id]->stream_record_segment = seg.number;
        break;
      }
      case RecordType::kBlock:
      case RecordType::kPending: {
        Result<BlockMeta> m = DecodeBlockMeta(r.meta);
        Status st = m.ok() ? Status::Ok() : m.status();
        if (st.ok() && !known.count(m->stream_id)) {
          st = DataLossError("block of stream " + std::to_string(m->stream_id) +
                             " without a stream record before it");
        }
        if (!st.ok()) {
          Warn("log store: ignoring bad block record", seg.file->path(),
               r.offset, st.message());
          continue;
        }
        BlockRef ref;
        ref.stream_id = m->stream_id;
        ref.lines = m->lines;
        ref.mint = m->mint;
        ref.maxt = m->maxt;
        ref.raw_bytes = m->raw_bytes;
        ref.codec = m->codec;
        ref.header = r.header;
        ref.offset = r.offset;
        if (r.header.type == RecordType::kPending) {
          pending[m->stream_id].push_back(std::move(ref));
        } else {
          ref.bloom = std::move(m->bloom);
          pending.erase(m->stream_id);  // The block holds those lines.
          seg.blocks.push_back(std::move(ref));
        }
        break;
      }
      case RecordType::kCommit: {
        uint64_t seq;
        std::string checkpoint;
        if (DecodeCommitMeta(r.meta, &seq, &checkpoint).ok()) {
          s.commit_seq = seq;
          s.last_checkpoint = std::move(checkpoint);
        }
        break;
      }
    }
  }
  for (auto& [id, refs] : pending) {
    for (BlockRef& ref : refs) {
      if (!active) {
        seg.blocks.push_back(std::move(ref));
        continue;
      }
      BlockMeta m;
      m.stream_id = ref.stream_id;
      m.lines = ref.lines;
      m.mint = ref.mint;
      m.maxt = ref.maxt;
      m.raw_bytes = ref.raw_bytes;
      m.codec = ref.codec;
      std::string data, raw;
      std::vector<LineRef> lines;
      Status st = ReadRecordData(*seg.file, ref.header, ref.offset, &data);
      if (st.ok()) st = Decompress(m, data, &raw);
      if (st.ok()) st = DecodeLines(m, raw, &lines);
      if (!st.ok()) {
        Warn("log store: ignoring unreadable pending record", seg.file->path(),
             ref.offset, st.message());
        continue;
      }
      StreamState& stream = *s.streams[id];
      for (const LineRef& l : lines) stream.open.Add(l.t, l.line);
    }
  }
  // Time ranges.
  for (const BlockRef& b : seg.blocks) {
    ExtendRange(&seg.has_data, &seg.mint, &seg.maxt, b.mint, b.maxt);
    StreamState& st = *s.streams[b.stream_id];
    ExtendRange(&st.has_data, &st.mint, &st.maxt, b.mint, b.maxt);
  }
  if (active) {
    for (auto& [id, st] : s.streams) {
      for (int64_t t : st->open.ts) {
        ExtendRange(&seg.has_data, &seg.mint, &seg.maxt, t, t);
        ExtendRange(&st->has_data, &st->mint, &st->maxt, t, t);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<LogStore>> LogStore::Open(const std::string& dir,
                                                 LogStoreOptions options) {
  auto s = std::make_unique<State>();
  s->dir = dir;
  s->options = options;
  s->clock = options.clock != nullptr ? options.clock : Clock::Real();
  if (s->options.block_lines == 0) s->options.block_lines = 1;
  if (s->options.max_line_bytes > kMaxRawBytes / 2) {
    s->options.max_line_bytes = kMaxRawBytes / 2;
  }
  RETURN_IF_ERROR(MakeDirs(dir));
  ASSIGN_OR_RETURN(std::vector<int> numbers, ListSegments(dir));
  if (numbers.empty()) numbers.push_back(0);
  for (size_t i = 0; i < numbers.size(); ++i) {
    const bool active = i + 1 == numbers.size();
    Segment seg;
    seg.number = numbers[i];
    seg.created_mono = s->clock->MonotonicNanos();
    ASSIGN_OR_RETURN(seg.file,
                     SegmentFile::Open(SegmentPath(dir, seg.number), active));
    ASSIGN_OR_RETURN(SegmentScan scan, ScanSegment(*seg.file, active));
    seg.size = scan.clean_end;
    if (!active && !scan.damage.empty()) {
      // A sealed segment is never rewritten: what precedes the damage is
      // read, the rest is unreadable and reported.
      Warn("log store: damaged sealed segment; reading up to the damage",
           seg.file->path(), scan.damage_offset, scan.damage);
    }
    if (active && (scan.clean_end != scan.file_size || scan.clean_end == 0)) {
      if (scan.file_size > scan.clean_end) {
        LogWarn("log store: truncated damaged or uncommitted segment tail",
                {{"path", seg.file->path()},
                 {"offset", static_cast<long long>(scan.clean_end)},
                 {"bytes_dropped",
                  static_cast<long long>(scan.file_size - scan.clean_end)},
                 {"reason",
                  scan.damage.empty() ? std::string("unknown") : scan.damage}});
      }
      if (::ftruncate(seg.file->fd(), static_cast<off_t>(scan.clean_end)) !=
          0) {
        return ErrnoError("truncate log segment " + seg.file->path(), errno);
      }
      if (scan.clean_end == 0) {
        std::string header(kSegmentMagic, 4);
        header.push_back(static_cast<char>(kSegmentVersion));
        header.append(3, '\0');
        if (::pwrite(seg.file->fd(), header.data(), header.size(), 0) !=
            static_cast<ssize_t>(header.size())) {
          return ErrnoError("write log segment header " + seg.file->path(),
                            errno);
        }
        seg.size = header.size();
      }
      if (options.fsync != LogFsync::kNever) {
        if (::fdatasync(seg.file->fd()) != 0) {
          return ErrnoError("fdatasync " + seg.file->path(), errno);
        }
        RETURN_IF_ERROR(SyncDir(dir));
      }
    }
    RETURN_IF_ERROR(LoadSegment(*s, seg, scan, active));
    s->segments.push_back(std::move(seg));
  }
  return std::unique_ptr<LogStore>(new LogStore(std::move(s)));
}

}  // namespace tend::logs
