#include "tsdb/block_chunk_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

#include "tsdb/bit_stream.h"
#include "tsdb/xor_chunk.h"

namespace tend {
namespace {

constexpr int kMaxScale = 15;
constexpr int64_t kMaxScaled = int64_t{1} << 53;

constexpr std::array<double, kMaxScale + 1> kPow10 = {
    1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

uint64_t Zigzag(int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  return (u << 1) ^ (0 - (u >> 63));
}
int64_t Unzigzag(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (0 - (u & 1)));
}

int BitLength(uint64_t u) { return 64 - std::countl_zero(u); }

double Unscale(int64_t m, int k) {
  const double d = static_cast<double>(m);
  return k == 0 ? d : d / kPow10[k];
}

// The smallest k for which v == m / 10^k exactly with |m| <= 2^53, or -1.
int MinScale(double v, int64_t* m_out) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  if (!std::isfinite(v) || bits == 0x8000000000000000ull) return -1;
  for (int k = 0; k <= kMaxScale; ++k) {
    const double s = v * kPow10[k];
    if (!(std::fabs(s) <= static_cast<double>(kMaxScaled))) return -1;
    const int64_t m = static_cast<int64_t>(std::nearbyint(s));
    if (std::bit_cast<uint64_t>(Unscale(m, k)) == bits) {
      *m_out = m;
      return k;
    }
  }
  return -1;
}

// The layout of one intblock: bucket widths, ascending.
struct IntBlockPlan {
  int buckets = 1;
  std::array<int, 4> widths{};
  uint64_t bits = 0;  // Total, header included.
};

constexpr std::array<std::array<int, 4>, 4> kCodeLen = {{
    {0, 0, 0, 0},
    {1, 1, 0, 0},
    {1, 2, 2, 0},
    {1, 2, 3, 3},
}};

IntBlockPlan PlanIntBlock(std::span<const uint64_t> zz) {
  std::array<uint64_t, 65> count{};
  for (uint64_t u : zz) ++count[BitLength(u)];
  std::array<uint64_t, 66> le{};  // le[l + 1] = values with length <= l.
  std::vector<int> lengths;
  for (int l = 0; l <= 64; ++l) {
    le[l + 1] = le[l] + count[l];
    if (count[l] > 0) lengths.push_back(l);
  }
  IntBlockPlan best;
  const int wmax = lengths.empty() ? 0 : lengths.back();
  best.widths[0] = wmax;
  best.bits = 2 + 7 + zz.size() * static_cast<uint64_t>(wmax);
  const int m = static_cast<int>(lengths.size()) - 1;  // Candidates < wmax.
  auto consider = [&](int b, std::array<int, 4> w) {
    uint64_t bits = 2 + 7 * static_cast<uint64_t>(b);
    uint64_t below = 0;
    for (int j = 0; j < b; ++j) {
      const uint64_t upto = le[w[j] + 1];
      bits += (upto - below) * static_cast<uint64_t>(w[j] + kCodeLen[b - 1][j]);
      below = upto;
    }
    if (bits < best.bits) {
      best.bits = bits;
      best.buckets = b;
      best.widths = w;
    }
  };
  for (int i = 0; i < m; ++i) {
    consider(2, {lengths[i], wmax, 0, 0});
    for (int j = i + 1; j < m; ++j) {
      consider(3, {lengths[i], lengths[j], wmax, 0});
      for (int k = j + 1; k < m; ++k) {
        consider(4, {lengths[i], lengths[j], lengths[k], wmax});
      }
    }
  }
  return best;
}

void WriteIntBlock(std::span<const uint64_t> zz, const IntBlockPlan& plan,
                   BitWriter* w) {
  w->WriteBits(plan.buckets - 1, 2);
  for (int j = 0; j < plan.buckets; ++j) w->WriteBits(plan.widths[j], 7);
  for (uint64_t u : zz) {
    const int len = BitLength(u);
    int j = 0;
    while (plan.widths[j] < len) ++j;
    switch (plan.buckets) {
      case 2:
        w->WriteBit(j == 1);
        break;
      case 3:
        if (j == 0) {
          w->WriteBit(false);
        } else {
          w->WriteBits(j == 1 ? 0b10 : 0b11, 2);
        }
        break;
      case 4:
        if (j == 0) {
          w->WriteBit(false);
        } else if (j == 1) {
          w->WriteBits(0b10, 2);
        } else {
          w->WriteBits(j == 2 ? 0b110 : 0b111, 3);
        }
        break;
      default:
        break;
    }
    w->WriteBits(u, plan.widths[j]);
  }
}

// Reads an intblock of `count` values, calling sink(int64) for each; false
// with *why set on damage.
template <typename Sink>
bool ReadIntBlock(BitReader* r, size_t count, const char** why, Sink sink) {
  uint64_t b1;
  if (!r->ReadBits(2, &b1)) {
    *why = "truncated intblock header";
    return false;
  }
  const int buckets = static_cast<int>(b1) + 1;
  std::array<int, 4> widths{};
  for (int j = 0; j < buckets; ++j) {
    uint64_t w;
    if (!r->ReadBits(7, &w)) {
      *why = "truncated intblock header";
      return false;
    }
    if (w > 64 || (j > 0 && static_cast<int>(w) <= widths[j - 1])) {
      *why = "invalid intblock widths";
      return false;
    }
    widths[j] = static_cast<int>(w);
  }
  for (size_t i = 0; i < count; ++i) {
    int j = 0;
    bool bit;
    while (j < buckets - 1) {
      if (!r->ReadBit(&bit)) {
        *why = "truncated intblock";
        return false;
      }
      if (!bit) break;
      ++j;
      if (buckets == 2) break;
    }
    uint64_t u;
    if (!r->ReadBits(widths[j], &u)) {
      *why = "truncated intblock";
      return false;
    }
    if (!sink(Unzigzag(u))) return false;
  }
  return true;
}

// Wrapping arithmetic for timestamps, as in xor-chunk.md.
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) +
                              static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) -
                              static_cast<uint64_t>(b));
}

Status DecError(std::string_view what, size_t sample) {
  return DataLossError("dec chunk: sample " + std::to_string(sample) + ": " +
                       std::string(what));
}

size_t UvarintLen(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// The time stream: uvarint n, then (t1 - t0) and the delta-of-deltas.
void EncodeTimes(std::span<const Point> points, BitWriter* w) {
  const size_t n = points.size();
  w->WriteUvarint(n);
  if (n >= 2) {
    w->WriteUvarint(static_cast<uint64_t>(WrapSub(points[1].t, points[0].t)));
  }
  if (n >= 3) {
    std::vector<uint64_t> zz;
    zz.reserve(n - 2);
    for (size_t i = 2; i < n; ++i) {
      const int64_t d1 = WrapSub(points[i].t, points[i - 1].t);
      const int64_t d0 = WrapSub(points[i - 1].t, points[i - 2].t);
      zz.push_back(Zigzag(WrapSub(d1, d0)));
    }
    WriteIntBlock(zz, PlanIntBlock(zz), w);
  }
}

// Reads a time stream starting at t0 into out[base..base+n) (resized);
// *n receives the count.
Status DecodeTimes(BitReader* r, int64_t t0, std::vector<Point>* out,
                   size_t base, uint64_t* n_out) {
  uint64_t n;
  if (!r->ReadUvarint(&n) || n == 0 || n > kMaxChunkSamples) {
    return DataLossError("dec chunk: bad sample count");
  }
  *n_out = n;
  out->resize(base + n);
  Point* p = out->data() + base;
  p[0].t = t0;
  int64_t delta = 0;
  if (n >= 2) {
    uint64_t d;
    if (!r->ReadUvarint(&d)) return DecError("truncated timestamp", 1);
    delta = static_cast<int64_t>(d);
    p[1].t = WrapAdd(p[0].t, delta);
    if (delta <= 0 || p[1].t <= p[0].t) {
      return DecError("timestamp does not increase", 1);
    }
  }
  if (n >= 3) {
    size_t i = 2;
    const char* why = nullptr;
    if (!ReadIntBlock(r, n - 2, &why, [&](int64_t dod) {
          delta = WrapAdd(delta, dod);
          p[i].t = WrapAdd(p[i - 1].t, delta);
          if (p[i].t <= p[i - 1].t) {
            why = "timestamp does not increase";
            return false;
          }
          ++i;
          return true;
        })) {
      return DecError(why, i);
    }
  }
  return Status::Ok();
}

Status DecodeDec(bool shared, std::span<const uint8_t> payload,
                 std::span<const std::span<const uint8_t>> tables,
                 int64_t chunk_mint, int64_t chunk_maxt, int64_t mint,
                 int64_t maxt, std::vector<Point>* out) {
  BitReader r(payload);
  const size_t base = out->size();
  uint64_t n = 0;
  Status st;
  if (shared) {
    uint64_t id;
    if (!r.ReadUvarint(&n) || n == 0 || n > kMaxChunkSamples ||
        !r.ReadUvarint(&id)) {
      return DataLossError("dec chunk: bad header");
    }
    if (id >= tables.size()) {
      return DataLossError("dec chunk: time table " + std::to_string(id) +
                           " does not exist (index has " +
                           std::to_string(tables.size()) + ")");
    }
    BitReader tr(tables[id]);
    uint64_t tn;
    st = DecodeTimes(&tr, chunk_mint, out, base, &tn);
    if (st.ok() && tn != n) {
      st = DataLossError("dec chunk: time table " + std::to_string(id) +
                         " holds " + std::to_string(tn) +
                         " timestamps, the chunk " + std::to_string(n));
    }
    if (!st.ok()) st = DataLossError(st.message() + " (time table)");
  } else {
    st = DecodeTimes(&r, chunk_mint, out, base, &n);
  }
  if (!st.ok()) {
    out->resize(base);
    return st;
  }
  Point* p = out->data() + base;
  if (p[n - 1].t != chunk_maxt) {
    out->resize(base);
    return DecError("last timestamp " + std::to_string(p[n - 1].t) +
                        " disagrees with the index (" +
                        std::to_string(chunk_maxt) + ")",
                    n - 1);
  }
  uint64_t k, order, g;
  int64_t m;
  if (!r.ReadBits(4, &k) || !r.ReadBits(1, &order) || !r.ReadUvarint(&g) ||
      !r.ReadVarint(&m)) {
    out->resize(base);
    return DecError("truncated value header", 0);
  }
  if (k > kMaxScale || g == 0 || g > (uint64_t{1} << 55) || m > kMaxScaled ||
      m < -kMaxScaled) {
    out->resize(base);
    return DecError("invalid value header", 0);
  }
  const int scale = static_cast<int>(k);
  const int64_t gi = static_cast<int64_t>(g);
  // Keeps the first `count` decoded samples that lie in [mint, maxt] (they
  // form one run, times increasing) and drops the rest.
  auto keep = [&](size_t count) {
    Point* begin = p;
    Point* end = p + count;
    Point* lo = std::lower_bound(
        begin, end, mint, [](const Point& a, int64_t t) { return a.t < t; });
    Point* hi = std::upper_bound(
        lo, end, maxt, [](int64_t t, const Point& a) { return t < a.t; });
    if (lo != begin) std::move(lo, hi, begin);
    out->resize(base + static_cast<size_t>(hi - lo));
  };
  const char* why = nullptr;
  size_t i = 0;
  p[i++].v = Unscale(m, scale);
  int64_t d = 0;
  auto step = [&](int64_t residual, bool second_order) {
    int64_t x;
    if (__builtin_mul_overflow(residual, gi, &x) ||
        (second_order && __builtin_add_overflow(d, x, &x)) ||
        __builtin_add_overflow(m, x, &m) || m > kMaxScaled || m < -kMaxScaled) {
      why = "value out of range";
      return false;
    }
    d = x;
    p[i++].v = Unscale(m, scale);
    return true;
  };
  if (n >= 2) {
    if (order == 1) {
      int64_t d1;
      if (!r.ReadVarint(&d1)) why = "truncated value";
      if (why != nullptr || !step(d1, false)) {
        const size_t at = i;
        keep(at);
        return DecError(why, at);
      }
    }
    const size_t rest = n - i;
    if (rest > 0 && !ReadIntBlock(&r, rest, &why, [&](int64_t res) {
          return step(res, order == 1);
        })) {
      const size_t at = i;
      keep(at);
      return DecError(why, at);
    }
  }
  keep(n);
  return Status::Ok();
}

// The scaled integers of an all-decimal chunk, or false.
bool ScaleValues(std::span<const Point> points, int* k_out,
                 std::vector<int64_t>* ms) {
  int k = 0;
  for (const Point& p : points) {
    int64_t m;
    const int kv = MinScale(p.v, &m);
    if (kv < 0) return false;
    k = std::max(k, kv);
  }
  ms->resize(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const double s = points[i].v * kPow10[k];
    if (!(std::fabs(s) <= static_cast<double>(kMaxScaled))) return false;
    (*ms)[i] = static_cast<int64_t>(std::nearbyint(s));
    if (std::bit_cast<uint64_t>(Unscale((*ms)[i], k)) !=
        std::bit_cast<uint64_t>(points[i].v)) {
      return false;
    }
  }
  *k_out = k;
  return true;
}

// The value part of a DEC chunk.
void EncodeValues(std::span<const int64_t> ms, int k, BitWriter* w) {
  const size_t n = ms.size();
  uint64_t g = 0;
  for (size_t i = 1; i < n; ++i) {
    const int64_t d = ms[i] - ms[i - 1];
    g = std::gcd(g, static_cast<uint64_t>(d < 0 ? -d : d));
  }
  if (g == 0) g = 1;
  const int64_t gi = static_cast<int64_t>(g);
  std::vector<uint64_t> first, second;
  first.reserve(n);
  second.reserve(n);
  for (size_t i = 1; i < n; ++i) {
    const int64_t d = (ms[i] - ms[i - 1]) / gi;
    first.push_back(Zigzag(d));
    if (i >= 2) second.push_back(Zigzag(d - (ms[i - 1] - ms[i - 2]) / gi));
  }
  const IntBlockPlan p1 = first.empty() ? IntBlockPlan{} : PlanIntBlock(first);
  IntBlockPlan p2;
  bool use_second = false;
  if (n >= 3) {
    p2 = PlanIntBlock(second);
    const uint64_t d1 = Zigzag((ms[1] - ms[0]) / gi);
    use_second = p2.bits + 8 * UvarintLen(d1) < p1.bits;
  }
  w->WriteBits(static_cast<uint64_t>(k), 4);
  w->WriteBit(use_second);
  w->WriteUvarint(g);
  w->WriteVarint(ms[0]);
  if (n >= 2) {
    if (use_second) {
      w->WriteVarint((ms[1] - ms[0]) / gi);
      WriteIntBlock(second, p2, w);
    } else {
      WriteIntBlock(first, p1, w);
    }
  }
}

Status DecodeXor(std::span<const uint8_t> payload, int64_t chunk_mint,
                 int64_t chunk_maxt, int64_t mint, int64_t maxt,
                 std::vector<Point>* out) {
  XorIterator it(payload);
  bool first = true;
  int64_t last = 0;
  while (it.Next()) {
    const int64_t t = it.t();
    if (first && t != chunk_mint) {
      return DataLossError("xor chunk: first timestamp " + std::to_string(t) +
                           " disagrees with the index (" +
                           std::to_string(chunk_mint) + ")");
    }
    first = false;
    last = t;
    if (t > maxt) return Status::Ok();  // The rest is out of range too.
    if (t >= mint) out->push_back(Point{t, it.v()});
  }
  RETURN_IF_ERROR(it.status());
  if (first) return DataLossError("xor chunk: no samples");
  if (last != chunk_maxt) {
    return DataLossError("xor chunk: last timestamp " + std::to_string(last) +
                         " disagrees with the index (" +
                         std::to_string(chunk_maxt) + ")");
  }
  return Status::Ok();
}

}  // namespace

uint64_t TimeTables::Intern(std::span<const uint8_t> bytes) {
  auto [it, added] =
      ids_.emplace(std::string(bytes.begin(), bytes.end()), tables_.size());
  if (added) tables_.emplace_back(bytes.begin(), bytes.end());
  return it->second;
}

uint64_t TimeTables::Peek(std::span<const uint8_t> bytes) const {
  auto it = ids_.find(std::string(bytes.begin(), bytes.end()));
  return it == ids_.end() ? tables_.size() : it->second;
}

void EncodeXorChunk(std::span<const Point> points, std::vector<uint8_t>* out) {
  XorChunk c;
  for (const Point& p : points) c.Append(p.t, p.v).IgnoreError();
  out->insert(out->end(), c.bytes().begin(), c.bytes().end());
}

bool EncodeDecChunk(std::span<const Point> points, std::vector<uint8_t>* out) {
  if (points.empty() || points.size() > kMaxChunkSamples) return false;
  int k;
  std::vector<int64_t> ms;
  if (!ScaleValues(points, &k, &ms)) return false;
  BitWriter w;
  EncodeTimes(points, &w);
  EncodeValues(ms, k, &w);
  out->insert(out->end(), w.bytes().begin(), w.bytes().end());
  return true;
}

ChunkEncoding EncodeChunk(std::span<const Point> points, TimeTables* tables,
                          std::vector<uint8_t>* out) {
  const size_t base = out->size();
  EncodeXorChunk(points, out);
  const size_t xor_size = out->size() - base;
  int k;
  std::vector<int64_t> ms;
  if (!ScaleValues(points, &k, &ms)) return ChunkEncoding::kXor;
  BitWriter times;
  EncodeTimes(points, &times);
  BitWriter w;
  ChunkEncoding enc = ChunkEncoding::kDec;
  if (tables != nullptr) {
    // A table reference costs its id and the count; shared when shorter.
    const uint64_t id = tables->Peek(times.bytes());
    if (8 * (UvarintLen(points.size()) + UvarintLen(id)) < times.bit_length()) {
      w.WriteUvarint(points.size());
      w.WriteUvarint(tables->Intern(times.bytes()));
      enc = ChunkEncoding::kDecSharedTimes;
    }
  }
  if (enc == ChunkEncoding::kDec) {
    BitReader copy(times.bytes());
    uint64_t bits;
    for (size_t left = times.bit_length(); left > 0;) {
      const int nb = static_cast<int>(std::min<size_t>(left, 64));
      if (!copy.ReadBits(nb, &bits)) break;
      w.WriteBits(bits, nb);
      left -= static_cast<size_t>(nb);
    }
  }
  EncodeValues(ms, k, &w);
  if (w.bytes().size() >= xor_size) return ChunkEncoding::kXor;
  out->resize(base);
  out->insert(out->end(), w.bytes().begin(), w.bytes().end());
  return enc;
}

Status DecodeChunk(uint8_t encoding, std::span<const uint8_t> payload,
                   std::span<const std::span<const uint8_t>> time_tables,
                   int64_t chunk_mint, int64_t chunk_maxt, int64_t mint,
                   int64_t maxt, std::vector<Point>* out) {
  switch (encoding) {
    case static_cast<uint8_t>(ChunkEncoding::kXor):
      return DecodeXor(payload, chunk_mint, chunk_maxt, mint, maxt, out);
    case static_cast<uint8_t>(ChunkEncoding::kDec):
      return DecodeDec(false, payload, time_tables, chunk_mint, chunk_maxt,
                       mint, maxt, out);
    case static_cast<uint8_t>(ChunkEncoding::kDecSharedTimes):
      return DecodeDec(true, payload, time_tables, chunk_mint, chunk_maxt, mint,
                       maxt, out);
    default:
      return DataLossError("unknown chunk encoding " +
                           std::to_string(static_cast<int>(encoding)));
  }
}

}  // namespace tend
