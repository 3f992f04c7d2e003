#include "tsdb/xor_chunk.h"

#include <bit>
#include <string>

namespace tend {
namespace {

constexpr size_t kHeaderBytes = 2;

// True when x fits a delta-of-delta bucket of `nbits` bits. The range is
// [-(2^(n-1) - 1), 2^(n-1)]: the pattern 100...0 reads back as +2^(n-1),
// which is how Prometheus defines the buckets.
bool FitsBucket(int64_t x, int nbits) {
  int64_t half = int64_t{1} << (nbits - 1);
  return x >= -(half - 1) && x <= half;
}

// Sign-extends an nbits-wide bucket field as FitsBucket defines it.
int64_t FromBucket(uint64_t bits, int nbits) {
  uint64_t half = uint64_t{1} << (nbits - 1);
  if (bits > half) return static_cast<int64_t>(bits - (uint64_t{1} << nbits));
  return static_cast<int64_t>(bits);
}

struct Bucket {
  int control_bits;  // Number of bits of the control prefix.
  uint64_t control;  // The prefix: 10, 110, 1110.
  int value_bits;
};
constexpr Bucket kBuckets[] = {{2, 0b10, 14}, {3, 0b110, 17}, {4, 0b1110, 20}};

}  // namespace

XorChunk::XorChunk() {
  writer_.WriteByte(0);
  writer_.WriteByte(0);
}

Status XorChunk::Append(int64_t t, double v) {
  if (num_samples_ >= kMaxSamples) {
    return ResourceExhaustedError("chunk is full (" +
                                  std::to_string(kMaxSamples) + " samples)");
  }
  if (num_samples_ > 0 && t <= last_t_) {
    return InvalidArgumentError("sample timestamp " + std::to_string(t) +
                                " is not after the chunk's last timestamp " +
                                std::to_string(last_t_));
  }
  const uint64_t vbits = std::bit_cast<uint64_t>(v);
  // Timestamp arithmetic is modulo 2^64 in both encoder and iterator, so any
  // pair of int64 timestamps round-trips, even when t - last_t_ overflows.
  if (num_samples_ == 0) {
    writer_.WriteVarint(t);
    writer_.WriteBits(vbits, 64);
  } else if (num_samples_ == 1) {
    uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(last_t_);
    writer_.WriteUvarint(delta);
    AppendValue(vbits);
    last_delta_ = delta;
  } else {
    uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(last_t_);
    int64_t dod = static_cast<int64_t>(delta - last_delta_);
    if (dod == 0) {
      writer_.WriteBit(false);
    } else {
      bool written = false;
      for (const Bucket& b : kBuckets) {
        if (FitsBucket(dod, b.value_bits)) {
          writer_.WriteBits(b.control, b.control_bits);
          writer_.WriteBits(static_cast<uint64_t>(dod), b.value_bits);
          written = true;
          break;
        }
      }
      if (!written) {
        writer_.WriteBits(0b1111, 4);
        writer_.WriteBits(static_cast<uint64_t>(dod), 64);
      }
    }
    AppendValue(vbits);
    last_delta_ = delta;
  }
  last_t_ = t;
  last_vbits_ = vbits;
  ++num_samples_;
  writer_.OverwriteByte(0, static_cast<uint8_t>(num_samples_ >> 8));
  writer_.OverwriteByte(1, static_cast<uint8_t>(num_samples_ & 0xff));
  return Status::Ok();
}

void XorChunk::AppendValue(uint64_t vbits) {
  uint64_t x = vbits ^ last_vbits_;
  if (x == 0) {
    writer_.WriteBit(false);
    return;
  }
  writer_.WriteBit(true);
  int leading = std::countl_zero(x);
  int trailing = std::countr_zero(x);
  // The leading count has 5 bits; a longer run of zeros is stored as 31 and
  // the rest become significant bits.
  if (leading > 31) leading = 31;
  if (leading_ != kNoWindow && leading >= leading_ && trailing >= trailing_) {
    // The XOR fits the previous window: '10' + the window's bits.
    writer_.WriteBit(false);
    writer_.WriteBits(x >> trailing_, 64 - leading_ - trailing_);
    return;
  }
  writer_.WriteBit(true);
  int significant = 64 - leading - trailing;  // 1..64; 64 is stored as 0.
  writer_.WriteBits(static_cast<uint64_t>(leading), 5);
  writer_.WriteBits(static_cast<uint64_t>(significant & 63), 6);
  writer_.WriteBits(x >> trailing, significant);
  leading_ = static_cast<uint8_t>(leading);
  trailing_ = static_cast<uint8_t>(trailing);
}

XorIterator::XorIterator(std::span<const uint8_t> chunk) : reader_(chunk) {
  uint8_t hi, lo;
  if (!reader_.ReadByte(&hi) || !reader_.ReadByte(&lo)) {
    done_ = true;
    status_ = DataLossError("xor chunk: " + std::to_string(chunk.size()) +
                            " bytes, shorter than the " +
                            std::to_string(kHeaderBytes) + "-byte header");
    return;
  }
  num_samples_ = static_cast<size_t>(hi) << 8 | lo;
}

double XorIterator::v() const { return std::bit_cast<double>(vbits_); }

bool XorIterator::Fail(std::string_view what) {
  done_ = true;
  status_ =
      DataLossError("xor chunk: sample " + std::to_string(read_) + " of " +
                    std::to_string(num_samples_) + ": " + std::string(what));
  return false;
}

bool XorIterator::Next() {
  if (done_) return false;
  if (read_ >= num_samples_) {
    done_ = true;
    return false;
  }
  if (!ReadTimestamp() || !ReadValue()) return false;
  ++read_;
  return true;
}

bool XorIterator::ReadTimestamp() {
  if (read_ == 0) {
    int64_t t;
    if (!reader_.ReadVarint(&t)) return Fail("truncated or bad timestamp");
    t_ = t;
    return true;
  }
  uint64_t delta;
  if (read_ == 1) {
    if (!reader_.ReadUvarint(&delta)) {
      return Fail("truncated or bad timestamp delta");
    }
  } else {
    // The control prefix: up to four bits, stopping at the first 0.
    int ones = 0;
    for (; ones < 4; ++ones) {
      bool bit;
      if (!reader_.ReadBit(&bit)) return Fail("truncated timestamp");
      if (!bit) break;
    }
    int64_t dod = 0;
    if (ones > 0) {
      int nbits = ones == 4 ? 64 : kBuckets[ones - 1].value_bits;
      uint64_t bits;
      if (!reader_.ReadBits(nbits, &bits)) return Fail("truncated timestamp");
      dod = nbits == 64 ? static_cast<int64_t>(bits) : FromBucket(bits, nbits);
    }
    delta = delta_ + static_cast<uint64_t>(dod);
  }
  uint64_t t = static_cast<uint64_t>(t_) + delta;
  // A valid chunk's timestamps strictly increase; anything else is damage.
  if (delta == 0 || static_cast<int64_t>(t) <= t_) {
    return Fail("timestamp does not increase");
  }
  delta_ = delta;
  t_ = static_cast<int64_t>(t);
  return true;
}

bool XorIterator::ReadValue() {
  if (read_ == 0) {
    if (!reader_.ReadBits(64, &vbits_)) return Fail("truncated value");
    return true;
  }
  bool bit;
  if (!reader_.ReadBit(&bit)) return Fail("truncated value");
  if (!bit) return true;  // Same value as before.
  if (!reader_.ReadBit(&bit)) return Fail("truncated value");
  if (bit) {
    uint64_t leading, significant;
    if (!reader_.ReadBits(5, &leading) || !reader_.ReadBits(6, &significant)) {
      return Fail("truncated value");
    }
    if (significant == 0) significant = 64;
    if (leading + significant > 64) {
      return Fail("value window of " + std::to_string(leading) +
                  " leading and " + std::to_string(significant) +
                  " significant bits exceeds 64 bits");
    }
    leading_ = static_cast<uint8_t>(leading);
    trailing_ = static_cast<uint8_t>(64 - leading - significant);
    have_window_ = true;
  } else if (!have_window_) {
    return Fail("value reuses a window before any was set");
  }
  int significant = 64 - leading_ - trailing_;
  uint64_t x;
  if (!reader_.ReadBits(significant, &x)) return Fail("truncated value");
  // trailing_ < 64 because significant >= 1.
  vbits_ ^= x << trailing_;
  return true;
}

}  // namespace tend
