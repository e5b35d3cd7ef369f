// The edges of a graph by their two nodes: (from, to) -> edge number, for a graph builder that
// looks one up per dependency's held lock (a million times and more on a large trace).
//
//   EdgeIndex index;
//   auto [edge, inserted] = index.TryEmplace(from, to, next_edge);
//   if (inserted) ...;  // `edge` is next_edge
//
// Open addressing over one array of (key, edge) slots, probed in turn from a multiplicative
// hash of the key: a lookup is a multiply and, nearly always, one slot. absl::flat_hash_map
// hashes a pair with more mixing, then matches a group of control bytes and then the slot: on
// a class graph, which stays in the cache, that was a quarter of the time of an added
// dependency. Nodes are nonzero (node 0 is a signal, which has no edges): key 0 is an empty
// slot. Edges are only added, never removed.
#ifndef LOCKGRAPH_ANALYZER_GRAPH_EDGE_INDEX_H_
#define LOCKGRAPH_ANALYZER_GRAPH_EDGE_INDEX_H_

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace lockgraph::analyzer {

class EdgeIndex {
 public:
  // The edge from -> to, or `edge` made it if there was none: (its edge, whether inserted).
  std::pair<uint32_t, bool> TryEmplace(uint32_t from, uint32_t to, uint32_t edge) {
    assert(from != 0 && to != 0);
    if (2 * (size_ + 1) > slots_.size()) Grow(2 * (size_ + 1));
    const uint64_t key = Key(from, to);
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.key == key) return {slot.edge, false};
      if (slot.key == 0) {
        slot = {key, edge};
        ++size_;
        return {edge, true};
      }
    }
  }
  // Asks for the cache line of from -> to's first slot, for a lookup soon.
  void Prefetch(uint32_t from, uint32_t to) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Home(Key(from, to))]);
  }
  // Room for `edges` without growing.
  void Reserve(size_t edges) {
    if (2 * edges > slots_.size()) Grow(2 * edges);
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t key = 0;  // from << 32 | to; 0: empty
    uint32_t edge = 0;
  };
  static uint64_t Key(uint32_t from, uint32_t to) { return uint64_t{from} << 32 | to; }
  // Fibonacci hashing: the top bits of the product, which depend on every bit of the key.
  size_t Home(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15u) >> shift_);
  }
  // At least `slots` slots (a power of two), the entries placed again.
  void Grow(size_t slots) {
    const size_t size = std::bit_ceil(std::max<size_t>(slots, 16));
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(size));
    mask_ = size - 1;
    shift_ = 64 - std::countr_zero(size);
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t i = Home(s.key);
      while (slots_[i].key != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t mask_ = 0;
  int shift_ = 64;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_GRAPH_EDGE_INDEX_H_
