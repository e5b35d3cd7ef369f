// FNV-1a, 64 bits: a fixed hash, the same in every process, build and run (absl::Hash is
// seeded per process), for what must stay equal outside one process: finding ids, the class
// names of the LD_PRELOAD interposer, the shared-memory names of ProcessLock.
//
//   uint64_t h = Fnv1a64("deadlock");
//   h = Fnv1a64("accounts", h);   // continues the hash over more text
#ifndef LOCKGRAPH_COMMON_FNV_H_
#define LOCKGRAPH_COMMON_FNV_H_

#include <cstdint>
#include <string_view>

namespace lockgraph {

inline constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ull;

constexpr uint64_t Fnv1a64(std::string_view text, uint64_t hash = kFnv1a64Offset) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace lockgraph

#endif  // LOCKGRAPH_COMMON_FNV_H_
