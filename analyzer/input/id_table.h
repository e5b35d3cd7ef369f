// IdTable: a map from a trace's ids to small non-zero integers, for id spaces that are mostly
// dense from 1 (instance and dependency ids, docs/trace-format.md §5.1). Ids up to a few times
// the number of entries index a vector; larger ones go to a hash map. A dense id costs one
// array read where a hash map of a million ids costs a cache miss per lookup
// (bench/run_analyzer_bench.sh, docs/performance.md).
//
//   IdTable<uint32_t> lock_of;           // 0 means "absent": values must be non-zero
//   lock_of.Insert(instance, 7);
//   if (uint32_t lock = lock_of.Get(instance); lock != 0) ...
//
// Memory: the vector holds at most 4 * (entries + 1) + 2048 slots, so a few stray huge ids
// cannot make it large; they stay in the hash map. Not thread-safe.
#ifndef LOCKGRAPH_ANALYZER_INPUT_ID_TABLE_H_
#define LOCKGRAPH_ANALYZER_INPUT_ID_TABLE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/container/flat_hash_map.h"

namespace lockgraph::analyzer {

template <typename V>
class IdTable {
  static_assert(std::is_integral_v<V>, "values are small integers; 0 marks an absent id");

 public:
  // The value of `id`, or 0 if it has none.
  V Get(uint64_t id) const {
    if (id < dense_.size()) [[likely]] return dense_[id];
    return GetSparse(id);
  }
  bool contains(uint64_t id) const { return Get(id) != V{0}; }
  // Asks for the cache line of a dense id's value, to be read by Get a little later.
  void Prefetch(uint64_t id) const {
    if (id < dense_.size()) __builtin_prefetch(&dense_[id]);
  }

  // Gives `id` the value `value` (non-zero) unless it has one; false if it had one (which is
  // kept).
  bool Insert(uint64_t id, V value) {
    if (id >= dense_.size()) Grow(id);
    if (id < dense_.size()) {
      if (dense_[id] != V{0}) return false;
      dense_[id] = value;
    } else if (!sparse_.try_emplace(id, value).second) {
      return false;
    }
    ++size_;
    return true;
  }

  size_t size() const { return size_; }

 private:
  // Kept out of line, so that the dense lookup inlines where it is called (several times a
  // record).
  ABSL_ATTRIBUTE_NOINLINE V GetSparse(uint64_t id) const {
    auto it = sparse_.find(id);
    return it == sparse_.end() ? V{0} : it->second;
  }

  // Extends the vector over `id` if `id` is below twice the entries (plus slack), at least
  // doubling it, and moves the hash map's entries it now covers. Doubling bounds the number of
  // moves by the log of the largest id.
  void Grow(uint64_t id) {
    if (id >= 2 * (size_ + 1) + 1024) return;
    dense_.resize(std::max<uint64_t>(id + 1, 2 * dense_.size()), V{0});
    for (auto it = sparse_.begin(); it != sparse_.end();) {
      if (it->first < dense_.size()) {
        dense_[it->first] = it->second;
        sparse_.erase(it++);
      } else {
        ++it;
      }
    }
  }

  std::vector<V> dense_;  // by id; 0: absent
  absl::flat_hash_map<uint64_t, V> sparse_;
  size_t size_ = 0;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_ID_TABLE_H_
