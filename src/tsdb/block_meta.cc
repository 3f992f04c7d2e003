#include "tsdb/block_meta.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "base/env.h"
#include "tsdb/block_io.h"

namespace tend {
namespace {

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int CrockfordValue(char c) {
  const size_t pos = kCrockford.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

Status MetaError(const std::string& path, std::string_view what) {
  return DataLossError(path + ": " + std::string(what));
}

}  // namespace

std::string NewUlid(int64_t unix_ms) {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }());
  // 128 bits: 48 of time, 80 random; 26 chars of 5 bits = 130 bits, the top
  // two always zero.
  const uint64_t t = static_cast<uint64_t>(unix_ms) & ((uint64_t{1} << 48) - 1);
  const uint64_t r_hi = rng() & 0xffff;  // 16 bits.
  const uint64_t r_lo = rng();           // 64 bits.
  const uint64_t hi = (t << 16) | r_hi;  // Bits 127..64.
  const uint64_t lo = r_lo;              // Bits 63..0.
  std::string id(26, '0');
  for (int i = 25; i >= 0; --i) {
    const int bit = (25 - i) * 5;  // Position of this char's lowest bit.
    uint64_t v;
    if (bit + 5 <= 64) {
      v = lo >> bit;
    } else if (bit >= 64) {
      v = hi >> (bit - 64);
    } else {
      v = (lo >> bit) | (hi << (64 - bit));
    }
    id[i] = kCrockford[v & 31];
  }
  return id;
}

bool IsValidUlid(std::string_view id) {
  if (id.size() != 26 || id[0] > '7') return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return CrockfordValue(c) >= 0; });
}

int64_t UlidTime(std::string_view id) {
  // The first 10 chars hold 50 bits, the top 2 zero: exactly the 48-bit time.
  uint64_t t = 0;
  for (int i = 0; i < 10; ++i) t = (t << 5) | CrockfordValue(id[i]);
  return static_cast<int64_t>(t);
}

std::string BlockMetaToJson(const BlockMeta& meta) {
  nlohmann::ordered_json j;
  j["ulid"] = meta.ulid;
  j["minTime"] = meta.min_time;
  j["maxTime"] = meta.max_time;
  j["stats"] = {{"numSamples", meta.num_samples},
                {"numSeries", meta.num_series},
                {"numChunks", meta.num_chunks}};
  j["compaction"] = {{"level", meta.level}, {"sources", meta.sources}};
  j["version"] = meta.version;
  return j.dump(2) + "\n";
}

Result<BlockMeta> ParseBlockMeta(std::string_view json,
                                 const std::string& path) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded()) return MetaError(path, "not valid JSON");
  if (!j.is_object()) return MetaError(path, "not a JSON object");
  auto get = [&](const nlohmann::json& obj, const char* key,
                 const nlohmann::json** out) -> Status {
    auto it = obj.find(key);
    if (it == obj.end()) {
      return MetaError(path, std::string("missing field \"") + key + "\"");
    }
    *out = &*it;
    return Status::Ok();
  };
  auto get_int = [&](const nlohmann::json& obj, const char* key,
                     int64_t* out) -> Status {
    const nlohmann::json* v;
    RETURN_IF_ERROR(get(obj, key, &v));
    if (!v->is_number_integer()) {
      return MetaError(path,
                       std::string("field \"") + key + "\" is not an integer");
    }
    *out = v->is_number_unsigned() ? static_cast<int64_t>(std::min<uint64_t>(
                                         v->get<uint64_t>(), INT64_MAX))
                                   : v->get<int64_t>();
    return Status::Ok();
  };
  auto get_count = [&](const nlohmann::json& obj, const char* key,
                       uint64_t* out) -> Status {
    int64_t v;
    RETURN_IF_ERROR(get_int(obj, key, &v));
    if (v < 0) {
      return MetaError(path, std::string("field \"") + key + "\" is negative");
    }
    *out = static_cast<uint64_t>(v);
    return Status::Ok();
  };

  BlockMeta m;
  const nlohmann::json* ulid;
  RETURN_IF_ERROR(get(j, "ulid", &ulid));
  if (!ulid->is_string() || !IsValidUlid(ulid->get<std::string>())) {
    return MetaError(path,
                     "field \"ulid\" is not a block id (26-character ULID)");
  }
  m.ulid = ulid->get<std::string>();
  int64_t version;
  RETURN_IF_ERROR(get_int(j, "version", &version));
  if (version != kBlockFormatVersion) {
    return MetaError(path, "unsupported version " + std::to_string(version) +
                               " (this reader knows " +
                               std::to_string(kBlockFormatVersion) + ")");
  }
  m.version = static_cast<int>(version);
  RETURN_IF_ERROR(get_int(j, "minTime", &m.min_time));
  RETURN_IF_ERROR(get_int(j, "maxTime", &m.max_time));
  if (m.min_time >= m.max_time) {
    return MetaError(path, "minTime " + std::to_string(m.min_time) +
                               " is not before maxTime " +
                               std::to_string(m.max_time));
  }
  const nlohmann::json* stats;
  RETURN_IF_ERROR(get(j, "stats", &stats));
  if (!stats->is_object()) return MetaError(path, "\"stats\" is not an object");
  RETURN_IF_ERROR(get_count(*stats, "numSamples", &m.num_samples));
  RETURN_IF_ERROR(get_count(*stats, "numSeries", &m.num_series));
  RETURN_IF_ERROR(get_count(*stats, "numChunks", &m.num_chunks));
  const nlohmann::json* comp;
  RETURN_IF_ERROR(get(j, "compaction", &comp));
  if (!comp->is_object()) {
    return MetaError(path, "\"compaction\" is not an object");
  }
  int64_t level;
  RETURN_IF_ERROR(get_int(*comp, "level", &level));
  if (level < 1 || level > 1000) {
    return MetaError(path, "compaction level " + std::to_string(level) +
                               " is out of range (1..1000)");
  }
  m.level = static_cast<int>(level);
  const nlohmann::json* sources;
  RETURN_IF_ERROR(get(*comp, "sources", &sources));
  if (!sources->is_array() || sources->empty()) {
    return MetaError(path, "\"compaction.sources\" is not a non-empty array");
  }
  for (const nlohmann::json& s : *sources) {
    if (!s.is_string() || !IsValidUlid(s.get<std::string>())) {
      return MetaError(path, "\"compaction.sources\" holds a non-block-id");
    }
    m.sources.push_back(s.get<std::string>());
  }
  if (!std::is_sorted(m.sources.begin(), m.sources.end()) ||
      std::adjacent_find(m.sources.begin(), m.sources.end()) !=
          m.sources.end()) {
    return MetaError(path, "\"compaction.sources\" is not sorted and unique");
  }
  if (m.level == 1 && m.sources != std::vector<std::string>{m.ulid}) {
    return MetaError(path,
                     "a level-1 block's \"compaction.sources\" must be "
                     "exactly its own ulid");
  }
  return m;
}

Result<BlockMeta> ReadBlockMeta(const std::string& block_dir) {
  const std::string path = JoinPath(block_dir, "meta.json");
  std::string text;
  RETURN_IF_ERROR(Env::Default()->ReadFile(path, &text));
  if (text.size() > (16u << 20)) return MetaError(path, "larger than 16 MiB");
  ASSIGN_OR_RETURN(BlockMeta meta, ParseBlockMeta(text, path));
  const std::string name = BaseName(block_dir);
  if (meta.ulid != name) {
    return MetaError(path, "ulid " + meta.ulid +
                               " does not match the directory name " + name);
  }
  meta.dir = block_dir;
  ASSIGN_OR_RETURN(meta.size_bytes, DiskUsage(block_dir));
  return meta;
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path
                                                     : path.substr(slash + 1));
}

}  // namespace tend
