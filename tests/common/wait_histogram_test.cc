// Tests of common/wait_histogram.h: every value lies in [lower bound of its bucket, lower bound
// of the next bucket), buckets are monotonic and within kWaitBuckets.
#include "common/wait_histogram.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace {

using lockgraph::format::kWaitBuckets;
using lockgraph::format::WaitBucket;
using lockgraph::format::WaitBucketLowerBound;

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// lower(b) <= v, and v < lower(b + 1) unless b is the last bucket.
void ExpectInBucket(uint64_t v) {
  const uint32_t b = WaitBucket(v);
  ASSERT_LT(b, kWaitBuckets) << v;
  EXPECT_LE(WaitBucketLowerBound(b), v) << "value " << v << " bucket " << b;
  if (b + 1 < kWaitBuckets) {
    EXPECT_LT(v, WaitBucketLowerBound(b + 1)) << "value " << v << " bucket " << b;
  }
}

TEST(WaitHistogram, SmallValuesGetABucketEach) {
  for (uint64_t v = 0; v < 4; ++v) {
    EXPECT_EQ(WaitBucket(v), v);
    EXPECT_EQ(WaitBucketLowerBound(static_cast<uint32_t>(v)), v);
  }
  EXPECT_EQ(WaitBucket(4), 4u);
  EXPECT_EQ(WaitBucket(5), 5u);
  EXPECT_EQ(WaitBucket(7), 7u);
  EXPECT_EQ(WaitBucket(8), 8u);
  EXPECT_EQ(WaitBucket(9), 8u);  // 8 and 9 share [8, 10)
  EXPECT_EQ(WaitBucket(10), 9u);
  EXPECT_EQ(WaitBucketLowerBound(8), 8u);
  EXPECT_EQ(WaitBucketLowerBound(9), 10u);
}

TEST(WaitHistogram, KnownValuesLandInKnownBuckets) {
  // 1000 = 0b1111101000: exponent 9, top mantissa bits 11 -> 4 * 8 + 3.
  EXPECT_EQ(WaitBucket(1000), 35u);
  EXPECT_EQ(WaitBucketLowerBound(35), 896u);
  EXPECT_EQ(WaitBucketLowerBound(36), 1024u);
  // 1e9: exponent 29, mantissa 11 -> 4 * 28 + 3.
  EXPECT_EQ(WaitBucket(1000000000), 115u);
  EXPECT_EQ(WaitBucketLowerBound(115), 7ull << 27);
  EXPECT_EQ(WaitBucket(kMax), kWaitBuckets - 1);
  EXPECT_EQ(WaitBucket(uint64_t{1} << 63), 248u);
  EXPECT_EQ(WaitBucketLowerBound(kWaitBuckets - 1), 7ull << 61);
}

TEST(WaitHistogram, ValuesLieWithinTheirBucketBounds) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{4},
                     uint64_t{5}, uint64_t{6}, uint64_t{7}, uint64_t{8}, uint64_t{9},
                     uint64_t{15}, uint64_t{16}, uint64_t{17}, uint64_t{1000}, uint64_t{1023},
                     uint64_t{1024}, uint64_t{999999}, uint64_t{1000000000},
                     uint64_t{1} << 62, (uint64_t{1} << 63) - 1, uint64_t{1} << 63,
                     (uint64_t{1} << 63) + 1, kMax - 1, kMax}) {
    ExpectInBucket(v);
  }
  for (int shift = 0; shift < 64; ++shift) {
    const uint64_t p = uint64_t{1} << shift;
    ExpectInBucket(p - 1);
    ExpectInBucket(p);
    ExpectInBucket(p + 1);
    ExpectInBucket(p + p / 4);
    ExpectInBucket(p + p / 2);
    ExpectInBucket(p + p / 2 + p / 4);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const uint64_t v = rng() >> (rng() % 64);
    ExpectInBucket(v);
  }
}

TEST(WaitHistogram, LowerBoundOfEachBucketMapsBackToIt) {
  for (uint32_t b = 0; b < kWaitBuckets; ++b) {
    EXPECT_EQ(WaitBucket(WaitBucketLowerBound(b)), b) << b;
    if (b > 0) {
      EXPECT_EQ(WaitBucket(WaitBucketLowerBound(b) - 1), b - 1) << b;
      EXPECT_LT(WaitBucketLowerBound(b - 1), WaitBucketLowerBound(b)) << b;
    }
  }
}

TEST(WaitHistogram, BucketsAreMonotonic) {
  uint32_t previous = 0;
  for (uint64_t v = 0; v < 5000; ++v) {
    const uint32_t b = WaitBucket(v);
    EXPECT_GE(b, previous) << v;
    EXPECT_LE(b, previous + 1) << v;  // no bucket is skipped
    previous = b;
  }
  std::vector<uint64_t> values;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) values.push_back(rng() >> (rng() % 64));
  std::sort(values.begin(), values.end());
  for (size_t i = 1; i < values.size(); ++i) {
    EXPECT_LE(WaitBucket(values[i - 1]), WaitBucket(values[i]));
  }
}

TEST(WaitHistogram, BucketWidthIsAtMostAQuarterOfItsLowerBound) {
  for (uint32_t b = 4; b + 1 < kWaitBuckets; ++b) {
    const uint64_t lower = WaitBucketLowerBound(b);
    const uint64_t width = WaitBucketLowerBound(b + 1) - lower;
    EXPECT_LE(width * 4, lower) << b;
  }
}

TEST(WaitHistogram, LastBucketStartsAtSevenQuartersOfTwoToThe63) {
  // 1.75 * 2^63 = 7 * 2^61, as the header says; 2^63 itself is in bucket 248.
  EXPECT_EQ(WaitBucketLowerBound(kWaitBuckets - 1), 7ull << 61);
  EXPECT_EQ(WaitBucket(7ull << 61), kWaitBuckets - 1);
  EXPECT_EQ(WaitBucket((7ull << 61) - 1), kWaitBuckets - 2);
  EXPECT_EQ(WaitBucket(uint64_t{1} << 63), 248u);
  EXPECT_EQ(WaitBucketLowerBound(248), uint64_t{1} << 63);
}

}  // namespace
