// Vector clocks for the full-mode replay (analyzer/replay/event_replay.h): one counter per thread,
// indexed by the model's thread id. An Epoch is one thread's counter at one access, the
// FastTrack shorthand that lets most variables keep two epochs instead of a clock each.
//
//   VectorClock a, b;
//   a.Tick(1);                 // thread 1 released a lock
//   b.Join(a);                 // thread 2 acquired it
//   b.Covers({1, a.Get(1)})    // true: thread 1's access before the release happens before
#ifndef LOCKGRAPH_ANALYZER_REPLAY_VECTOR_CLOCK_H_
#define LOCKGRAPH_ANALYZER_REPLAY_VECTOR_CLOCK_H_

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lockgraph::analyzer {

struct Epoch {
  uint32_t thread = 0;  // 0: none
  uint32_t clock = 0;
};

class VectorClock {
 public:
  uint32_t Get(uint32_t thread) const { return thread < c_.size() ? c_[thread] : 0; }
  void Tick(uint32_t thread) {
    if (thread >= c_.size()) c_.resize(thread + 1, 0);
    ++c_[thread];
  }
  void Join(const VectorClock& other) {
    if (other.c_.size() > c_.size()) c_.resize(other.c_.size(), 0);
    for (size_t i = 0; i < other.c_.size(); ++i) c_[i] = std::max(c_[i], other.c_[i]);
  }
  // True if the access at `e` happens before everything this clock's thread does from now.
  bool Covers(Epoch e) const { return e.thread == 0 || Get(e.thread) >= e.clock; }

 private:
  std::vector<uint32_t> c_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPLAY_VECTOR_CLOCK_H_
