// Happens-before between thread segments, from thread start and join, fork, and (full mode)
// signals that a thread cannot pass without: Event::set to the wait it ends, Queue::put to the
// get of that item, a signal semaphore's release to the acquire it satisfies, notify to the
// woken wait.
//
// A thread's life is cut into segments: it enters segment s+1 each time it starts a thread or
// joins one (and in full mode after each signal sent or received). So (parent, s) happens
// before the whole child started in s, the whole of a joined thread happens before
// (joiner, s+1) where s is the joiner's segment at the join, and a signal sent in (A, s) and
// received in (B, r) orders A's segments <= s before B's segments >= r + 1.
// Lock release-to-acquire never orders anything here: another schedule can swap two critical
// sections, and that schedule is the deadlock being predicted (DESIGN.md, field notes).
//
//   ThreadOrder order;
//   order.AddStart(/*child=*/2, /*parent=*/1, /*parent_segment=*/0);
//   order.HappensBefore({1, 0}, {2, 0});  // true
//
// Not thread-safe; callers serialize. Memory is linear in threads, starts, joins and signals; a
// query is a breadth-first walk, linear in the threads and events it reaches.
#ifndef LOCKGRAPH_COMMON_THREAD_ORDER_H_
#define LOCKGRAPH_COMMON_THREAD_ORDER_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace lockgraph {

struct ThreadPoint {
  uint32_t thread = 0;
  uint32_t segment = 0;
};

class ThreadOrder {
 public:
  // `child` was started by `parent` while the parent was in `parent_segment`. parent 0 means
  // unknown (a thread lockgraph did not see start): it orders nothing.
  void AddStart(uint32_t child, uint32_t parent, uint32_t parent_segment);

  // `joiner`, in `joiner_segment`, saw `joined` end.
  void AddJoin(uint32_t joiner, uint32_t joiner_segment, uint32_t joined);

  // Everything `from.thread` did in segments <= from.segment happens before everything
  // `to.thread` does in segments >= to.segment (a signal).
  void AddSignal(ThreadPoint from, ThreadPoint to);
  bool has_signals() const { return signals_ != 0; }

  // True if every event of `a` happens before every event of `b` in every schedule. Points of
  // one thread are ordered by segment.
  bool HappensBefore(ThreadPoint a, ThreadPoint b) const;

  bool Ordered(ThreadPoint a, ThreadPoint b) const {
    return HappensBefore(a, b) || HappensBefore(b, a);
  }

  // Everything one point is ordered with, for asking about many others: two walks, then each
  // Ordered(q) is a lookup. (A search that holds one witness and tries thousands against it
  // walked the whole thread graph per try.)
  class PointOrder {
   public:
    bool Ordered(ThreadPoint q) const;

   private:
    friend class ThreadOrder;
    ThreadPoint point_;
    absl::flat_hash_map<uint32_t, uint32_t> later_;    // thread -> first segment after point_
    absl::flat_hash_map<uint32_t, uint32_t> earlier_;  // thread -> last segment before point_
  };
  PointOrder OrderOf(ThreadPoint p) const;

 private:
  struct Node {
    std::vector<std::pair<uint32_t, uint32_t>> starts;     // (segment, child)
    std::vector<std::pair<uint32_t, uint32_t>> joined_by;  // (joiner, joiner's segment)
    std::vector<std::pair<uint32_t, ThreadPoint>> signals;  // (sender's segment, receiver)
    // The same edges seen from their other end, for walks back in time.
    std::vector<std::pair<uint32_t, uint32_t>> started_by;  // (parent, parent's segment)
    std::vector<std::pair<uint32_t, uint32_t>> joins;       // (own segment, joined thread)
    std::vector<std::pair<uint32_t, ThreadPoint>> received;  // (own segment, sender point)
  };
  // thread -> the first segment of it that `a` happens before.
  absl::flat_hash_map<uint32_t, uint32_t> Later(ThreadPoint a) const;
  // thread -> the last segment of it that happens before `b`.
  absl::flat_hash_map<uint32_t, uint32_t> Earlier(ThreadPoint b) const;

  absl::flat_hash_map<uint32_t, Node> nodes_;
  uint64_t signals_ = 0;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_COMMON_THREAD_ORDER_H_
