// Tests of common/varint.h: LEB128 encoding, zig-zag mapping and the bounded reader.
//
// varint.h names absl::string_view without including its header (see the report); the include
// below comes first so that this file compiles until the header is fixed.
#include "absl/strings/string_view.h"
#include "common/varint.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

using lockgraph::format::AppendVarint;
using lockgraph::format::EncodeVarint;
using lockgraph::format::kMaxVarintBytes;
using lockgraph::format::UnZigZag;
using lockgraph::format::VarintReader;
using lockgraph::format::ZigZag;

constexpr uint64_t kMaxValue = std::numeric_limits<uint64_t>::max();

std::string Encoded(uint64_t value) {
  std::string out;
  AppendVarint(out, value);
  return out;
}

TEST(Varint, EncodesKnownValuesToKnownBytes) {
  EXPECT_EQ(Encoded(0), std::string("\x00", 1));
  EXPECT_EQ(Encoded(1), "\x01");
  EXPECT_EQ(Encoded(127), "\x7f");
  EXPECT_EQ(Encoded(128), "\x80\x01");
  EXPECT_EQ(Encoded(300), "\xac\x02");
  EXPECT_EQ(Encoded(16383), "\xff\x7f");
  EXPECT_EQ(Encoded(16384), "\x80\x80\x01");
  EXPECT_EQ(Encoded(kMaxValue), "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
}

TEST(Varint, EncodeVarintReturnsOneBytePerSevenBits) {
  uint8_t buf[kMaxVarintBytes];
  EXPECT_EQ(EncodeVarint(0, buf), 1u);
  EXPECT_EQ(EncodeVarint(127, buf), 1u);
  EXPECT_EQ(EncodeVarint(128, buf), 2u);
  EXPECT_EQ(EncodeVarint(300, buf), 2u);
  EXPECT_EQ(buf[0], 0xac);
  EXPECT_EQ(buf[1], 0x02);
  EXPECT_EQ(EncodeVarint(kMaxValue, buf), 10u);
  for (int bits = 1; bits <= 64; ++bits) {
    const uint64_t value = bits == 64 ? kMaxValue : (uint64_t{1} << bits) - 1;
    EXPECT_EQ(EncodeVarint(value, buf), static_cast<size_t>((bits + 6) / 7)) << "bits " << bits;
  }
}

TEST(Varint, RoundTripsBoundaryValues) {
  const uint64_t values[] = {0,       1,          127,         128,         300,
                             16383,   16384,      0xffffffff,  0x100000000, uint64_t{1} << 63,
                             kMaxValue - 1, kMaxValue};
  for (uint64_t value : values) {
    const std::string bytes = Encoded(value);
    VarintReader reader(bytes);
    uint64_t decoded = 12345;
    ASSERT_TRUE(reader.Read(decoded)) << value;
    EXPECT_EQ(decoded, value);
    EXPECT_TRUE(reader.at_end());
    EXPECT_EQ(reader.position(), bytes.size());
  }
}

// With 8 bytes or more left, a value is read 8 bytes at once: every length, in a stream of
// values followed by more bytes, as in a trace record.
TEST(Varint, ReadsEveryLengthInTheMiddleOfALongBuffer) {
  std::vector<uint64_t> values;
  for (int shift = 0; shift < 64; ++shift) {
    const uint64_t p = uint64_t{1} << shift;
    values.insert(values.end(), {p - 1, p, p + 1, p | (p >> 1) | 0x55});
  }
  values.push_back(kMaxValue);
  std::string bytes;
  for (uint64_t value : values) AppendVarint(bytes, value);
  bytes.append(16, '\x7f');  // more bytes after the last
  VarintReader reader(bytes);
  size_t position = 0;
  for (uint64_t value : values) {
    uint64_t decoded = 12345;
    ASSERT_TRUE(reader.Read(decoded)) << value;
    EXPECT_EQ(decoded, value);
    position += Encoded(value).size();
    EXPECT_EQ(reader.position(), position) << value;
  }
  EXPECT_EQ(reader.remaining(), 16u);
}

// With fewer than 8 bytes left of a buffer of 8 or more, the word read is the buffer's last 8
// bytes: every length of value as a buffer's last, after 0 to 9 other bytes.
TEST(Varint, ReadsEveryLengthAtTheEndOfABuffer) {
  for (int shift = 0; shift < 64; ++shift) {
    const uint64_t p = uint64_t{1} << shift;
    for (uint64_t value : {p - 1, p, p | (p >> 1) | 0x55}) {
      for (size_t before = 0; before < 10; ++before) {
        const std::string bytes = std::string(before, '\x01') + Encoded(value);
        VarintReader reader(bytes);
        uint64_t decoded = 12345;
        for (size_t i = 0; i < before; ++i) ASSERT_TRUE(reader.Read(decoded));
        ASSERT_TRUE(reader.Read(decoded)) << value << " after " << before;
        EXPECT_EQ(decoded, value) << "after " << before;
        EXPECT_TRUE(reader.at_end()) << value << " after " << before;
      }
    }
  }
}

// A value cut short by the end of a buffer, whatever came before it, is not read: the zeros the
// last word is shifted in with must not end it.
TEST(Varint, RejectsAValueCutShortAtTheEndOfABuffer) {
  const std::string full = Encoded(kMaxValue);
  for (size_t before = 0; before < 10; ++before) {
    for (size_t len = 1; len < full.size(); ++len) {
      const std::string bytes = std::string(before, '\x01') + full.substr(0, len);
      VarintReader reader(bytes);
      uint64_t decoded = 0;
      for (size_t i = 0; i < before; ++i) ASSERT_TRUE(reader.Read(decoded));
      EXPECT_FALSE(reader.Read(decoded)) << len << " bytes after " << before;
    }
  }
}

TEST(Varint, RejectsAnOverlongValueInTheMiddleOfALongBuffer) {
  for (int continued : {8, 9, 10, 11}) {
    std::string bytes(static_cast<size_t>(continued), '\x80');
    bytes += "\x02";  // ends the value: too long, or (after 9) more than 64 bits
    bytes.append(16, '\x00');
    VarintReader reader(bytes);
    uint64_t decoded = 0;
    EXPECT_EQ(reader.Read(decoded), continued < 9) << continued;
    if (continued < 9) {
      EXPECT_EQ(decoded, uint64_t{2} << (7 * continued));
    }
  }
}

TEST(Varint, RoundTripsEveryPowerOfTwoAndItsNeighbours) {
  for (int shift = 0; shift < 64; ++shift) {
    const uint64_t p = uint64_t{1} << shift;
    for (uint64_t value : {p - 1, p, p + 1}) {
      const std::string bytes = Encoded(value);
      VarintReader reader(bytes);
      uint64_t decoded = 0;
      ASSERT_TRUE(reader.Read(decoded)) << value;
      EXPECT_EQ(decoded, value);
      EXPECT_TRUE(reader.at_end());
    }
  }
}

TEST(Varint, ReadsConsecutiveValuesInOrder) {
  std::string bytes;
  for (uint64_t v : {uint64_t{300}, uint64_t{0}, kMaxValue, uint64_t{127}, uint64_t{128}}) {
    AppendVarint(bytes, v);
  }
  EXPECT_EQ(bytes.size(), 2u + 1 + 10 + 1 + 2);
  VarintReader reader(bytes);
  uint64_t v = 0;
  ASSERT_TRUE(reader.Read(v));
  EXPECT_EQ(v, 300u);
  EXPECT_EQ(reader.position(), 2u);
  ASSERT_TRUE(reader.Read(v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(reader.Read(v));
  EXPECT_EQ(v, kMaxValue);
  ASSERT_TRUE(reader.Read(v));
  EXPECT_EQ(v, 127u);
  ASSERT_TRUE(reader.Read(v));
  EXPECT_EQ(v, 128u);
  EXPECT_TRUE(reader.at_end());
  EXPECT_EQ(reader.remaining(), 0u);
  EXPECT_FALSE(reader.Read(v));
}

TEST(Varint, ZigZagMapsSmallMagnitudesToSmallCodes) {
  EXPECT_EQ(ZigZag(0), 0u);
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
  EXPECT_EQ(ZigZag(-2), 3u);
  EXPECT_EQ(ZigZag(2), 4u);
  EXPECT_EQ(ZigZag(-64), 127u);
  EXPECT_EQ(ZigZag(64), 128u);
  EXPECT_EQ(ZigZag(std::numeric_limits<int64_t>::max()), kMaxValue - 1);
  EXPECT_EQ(ZigZag(std::numeric_limits<int64_t>::min()), kMaxValue);
}

TEST(Varint, UnZigZagInvertsZigZag) {
  EXPECT_EQ(UnZigZag(0), 0);
  EXPECT_EQ(UnZigZag(1), -1);
  EXPECT_EQ(UnZigZag(2), 1);
  EXPECT_EQ(UnZigZag(3), -2);
  EXPECT_EQ(UnZigZag(kMaxValue), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(UnZigZag(kMaxValue - 1), std::numeric_limits<int64_t>::max());
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{-5}, int64_t{-300}, int64_t{300},
                    int64_t{-1} << 40, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min() + 1}) {
    EXPECT_EQ(UnZigZag(ZigZag(v)), v) << v;
  }
  // A small negative value stays one byte long on the wire.
  EXPECT_EQ(Encoded(ZigZag(-5)), "\x09");
}

TEST(Varint, ReaderRejectsEmptyAndTruncatedInput) {
  uint64_t v = 0;
  EXPECT_FALSE(VarintReader("").Read(v));
  EXPECT_FALSE(VarintReader("\x80").Read(v));
  EXPECT_FALSE(VarintReader("\xac").Read(v));
  EXPECT_FALSE(VarintReader("\xff\xff\xff\xff\xff\xff\xff\xff\xff").Read(v));  // 9 of 10
  // A prefix of every multi-byte encoding is truncated.
  const std::string full = Encoded(kMaxValue);
  for (size_t len = 0; len < full.size(); ++len) {
    EXPECT_FALSE(VarintReader(absl::string_view(full).substr(0, len)).Read(v)) << len;
  }
}

TEST(Varint, ReaderRejectsElevenByteVarint) {
  uint64_t v = 0;
  const std::string eleven = std::string(10, '\x80') + std::string(1, '\x00');
  EXPECT_FALSE(VarintReader(eleven).Read(v));
  const std::string eleven_ones = std::string(10, '\xff') + "\x01";
  EXPECT_FALSE(VarintReader(eleven_ones).Read(v));
}

TEST(Varint, ReaderRejectsTenthByteAboveOne) {
  uint64_t v = 0;
  EXPECT_FALSE(VarintReader(std::string(9, '\xff') + "\x02").Read(v));
  EXPECT_FALSE(VarintReader(std::string(9, '\xff') + "\x7f").Read(v));
  EXPECT_FALSE(VarintReader(std::string(9, '\x80') + "\x02").Read(v));
  // The tenth byte 1 is the top bit: UINT64_MAX and 2^63.
  ASSERT_TRUE(VarintReader(std::string(9, '\xff') + "\x01").Read(v));
  EXPECT_EQ(v, kMaxValue);
  ASSERT_TRUE(VarintReader(std::string(9, '\x80') + "\x01").Read(v));
  EXPECT_EQ(v, uint64_t{1} << 63);
}

TEST(Varint, ReadAsRejectsValuesWiderThanTheTarget) {
  uint32_t u32 = 7;
  EXPECT_TRUE(VarintReader(Encoded(0xffffffffu)).ReadAs(u32));
  EXPECT_EQ(u32, 0xffffffffu);
  EXPECT_FALSE(VarintReader(Encoded(0x100000000u)).ReadAs(u32));
  EXPECT_FALSE(VarintReader(Encoded(kMaxValue)).ReadAs(u32));
  EXPECT_TRUE(VarintReader(Encoded(300)).ReadAs(u32));
  EXPECT_EQ(u32, 300u);

  uint8_t u8 = 0;
  EXPECT_TRUE(VarintReader(Encoded(255)).ReadAs(u8));
  EXPECT_EQ(u8, 255);
  EXPECT_FALSE(VarintReader(Encoded(256)).ReadAs(u8));

  uint64_t u64 = 0;
  EXPECT_TRUE(VarintReader(Encoded(kMaxValue)).ReadAs(u64));
  EXPECT_EQ(u64, kMaxValue);
  EXPECT_FALSE(VarintReader("\x80").ReadAs(u64));
}

TEST(Varint, ReadBytesReturnsTheLengthPrefixedBytes) {
  const std::string data = std::string("\x03" "abc" "\x00" "\x02" "xy", 8);
  VarintReader reader(data);
  absl::string_view bytes;
  ASSERT_TRUE(reader.ReadBytes(bytes));
  EXPECT_EQ(bytes, "abc");
  ASSERT_TRUE(reader.ReadBytes(bytes));
  EXPECT_EQ(bytes, "");
  ASSERT_TRUE(reader.ReadBytes(bytes));
  EXPECT_EQ(bytes, "xy");
  EXPECT_TRUE(reader.at_end());
  EXPECT_FALSE(reader.ReadBytes(bytes));
}

TEST(Varint, ReadBytesRejectsLengthsPastTheEnd) {
  absl::string_view bytes = "unchanged";
  EXPECT_FALSE(VarintReader("\x04" "abc").ReadBytes(bytes));
  EXPECT_FALSE(VarintReader("\x01").ReadBytes(bytes));
  EXPECT_FALSE(VarintReader("").ReadBytes(bytes));
  // A huge length must not overflow the bounds check.
  EXPECT_FALSE(VarintReader(Encoded(kMaxValue) + "abc").ReadBytes(bytes));
  EXPECT_FALSE(VarintReader(Encoded(kMaxValue - 1) + "abc").ReadBytes(bytes));
  EXPECT_EQ(bytes, "unchanged");
  // Exactly to the end is fine.
  ASSERT_TRUE(VarintReader("\x03" "abc").ReadBytes(bytes));
  EXPECT_EQ(bytes, "abc");
}

TEST(Varint, SkipStaysWithinBounds) {
  VarintReader reader("abcde");
  EXPECT_EQ(reader.remaining(), 5u);
  EXPECT_TRUE(reader.Skip(2));
  EXPECT_EQ(reader.position(), 2u);
  EXPECT_EQ(reader.remaining(), 3u);
  EXPECT_FALSE(reader.Skip(4));
  EXPECT_FALSE(reader.Skip(std::numeric_limits<size_t>::max()));
  EXPECT_TRUE(reader.Skip(3));
  EXPECT_TRUE(reader.at_end());
  EXPECT_TRUE(reader.Skip(0));
  EXPECT_FALSE(reader.Skip(1));
}

}  // namespace
