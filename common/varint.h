// Unsigned LEB128 varints: the integer encoding of every trace record field.
//
//   std::string out;  AppendVarint(out, 300);          // "\xAC\x02"
//   VarintReader r(out);  uint64_t v;  r.Read(v);        // v == 300
//
// A value takes 1 byte per 7 bits (at most 10 bytes for 64 bits). Signed values are
// zig-zag mapped first, so small negative numbers stay short.
#ifndef LOCKGRAPH_COMMON_VARINT_H_
#define LOCKGRAPH_COMMON_VARINT_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/base/attributes.h"
#include "absl/strings/string_view.h"

namespace lockgraph::format {

inline constexpr size_t kMaxVarintBytes = 10;

// Writes `value` to `out` and returns the number of bytes written (1..10).
inline size_t EncodeVarint(uint64_t value, uint8_t* out) {
  size_t n = 0;
  while (value >= 0x80) {
    out[n++] = static_cast<uint8_t>(value) | 0x80;
    value >>= 7;
  }
  out[n++] = static_cast<uint8_t>(value);
  return n;
}

inline void AppendVarint(std::string& out, uint64_t value) {
  uint8_t buf[kMaxVarintBytes];
  out.append(reinterpret_cast<const char*>(buf), EncodeVarint(value, buf));
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Reads varints and byte strings from a bounded buffer. Every read checks the bounds and
// returns false (leaving the position unspecified) on truncated or over-long input; it
// never reads past the end.
class VarintReader {
 public:
  explicit VarintReader(absl::string_view data) : data_(data) {}

  // Inlined, as the decoding of a record's fields is most of reading a trace; values of more
  // than 8 bytes, and truncated ones, take ReadLong.
  ABSL_ATTRIBUTE_ALWAYS_INLINE bool Read(uint64_t& value) {
    const size_t left = data_.size() - pos_;
    // Most values (flags, small ids and counts) take one byte.
    if (left > 0 && static_cast<uint8_t>(data_[pos_]) < 0x80) {
      value = static_cast<uint8_t>(data_[pos_++]);
      return true;
    }
    // Ids and times of up to 8 bytes are found in one word, without a branch per byte: a byte
    // loop mispredicts at each change of length. Near the end, the word is the data's last 8
    // bytes shifted down, zeros past the end.
    if constexpr (std::endian::native == std::endian::little) {
      if (left >= 8 || (left > 0 && data_.size() >= 8)) {
        uint64_t word;
        if (left >= 8) {
          std::memcpy(&word, data_.data() + pos_, 8);
        } else {
          std::memcpy(&word, data_.data() + data_.size() - 8, 8);
          word >>= 8 * (8 - left);
        }
        const uint64_t ends = ~word & 0x8080808080808080u;  // top bits of last bytes
        const size_t bytes = (static_cast<size_t>(std::countr_zero(ends)) + 1) / 8;
        if (ends != 0 && bytes <= left) {
          uint64_t v = word & (ends ^ (ends - 1)) & 0x7f7f7f7f7f7f7f7fu;
          // Packs the 7-bit groups: pairs into 14 bits, those into 28, those into 56.
          v = (v & 0x007f007f007f007fu) | ((v & 0x7f007f007f007f00u) >> 1);
          v = (v & 0x00003fff00003fffu) | ((v & 0x3fff00003fff0000u) >> 2);
          v = (v & 0x000000000fffffffu) | ((v & 0x0fffffff00000000u) >> 4);
          value = v;
          pos_ += bytes;
          return true;
        }
      }
    }
    return ReadLong(value);
  }

  // Reads a varint that must fit in T (e.g. uint32_t).
  template <typename T>
  ABSL_ATTRIBUTE_ALWAYS_INLINE bool ReadAs(T& value) {
    uint64_t v;
    if (!Read(v) || v > static_cast<uint64_t>(static_cast<T>(~T{0}))) return false;
    value = static_cast<T>(v);
    return true;
  }

  // Reads a varint length followed by that many bytes.
  bool ReadBytes(absl::string_view& bytes) {
    uint64_t len;
    if (!Read(len) || len > data_.size() - pos_) return false;
    bytes = data_.substr(pos_, len);
    pos_ += len;
    return true;
  }

  bool Skip(size_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  // Read's byte loop: any value, or false if it is truncated or longer than 64 bits.
  ABSL_ATTRIBUTE_NOINLINE bool ReadLong(uint64_t& value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      const uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      // The tenth byte may only contribute the top bit of a 64-bit value.
      if (shift == 63 && byte > 1) return false;
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        value = result;
        return true;
      }
    }
    return false;
  }

  absl::string_view data_;
  size_t pos_ = 0;
};

}  // namespace lockgraph::format

#endif  // LOCKGRAPH_COMMON_VARINT_H_
