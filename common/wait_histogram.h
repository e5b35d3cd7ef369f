// Log-linear buckets for wait times (like HdrHistogram with 2 bits of precision): each power
// of two is split in 4, so a bucket's bounds are within 25% of any value in it. Values 0..3 get
// a bucket each; the last bucket (251) starts at 1.75 * 2^63.
//
//   hist[WaitBucket(wait_ns)]++;  ...  WaitBucketLowerBound(b) <= wait_ns for every wait in b
#ifndef LOCKGRAPH_COMMON_WAIT_HISTOGRAM_H_
#define LOCKGRAPH_COMMON_WAIT_HISTOGRAM_H_

#include <bit>
#include <cstdint>

namespace lockgraph::format {

inline constexpr uint32_t kWaitBuckets = 252;

constexpr uint32_t WaitBucket(uint64_t ns) {
  if (ns < 4) return static_cast<uint32_t>(ns);
  const uint32_t exponent = 63 - std::countl_zero(ns);  // >= 2
  const uint32_t mantissa = static_cast<uint32_t>(ns >> (exponent - 2)) & 3;
  return 4 * (exponent - 1) + mantissa;
}

constexpr uint64_t WaitBucketLowerBound(uint32_t bucket) {
  if (bucket < 4) return bucket;
  const uint32_t exponent = bucket / 4 + 1;
  return static_cast<uint64_t>(4 + bucket % 4) << (exponent - 2);
}

}  // namespace lockgraph::format

#endif  // LOCKGRAPH_COMMON_WAIT_HISTOGRAM_H_
