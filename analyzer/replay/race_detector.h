// Data races on annotated state (Shared<T>, LOCKGRAPH_READ/WRITE), FastTrack style: each
// location keeps its last write's epoch and its last read's (or, while reads are concurrent,
// one read per thread); an access not ordered after a conflicting one is a race. Races are
// kept once per pair of access sites, with how often the pair raced.
//
//   RaceDetector races;
//   races.Access(location, {thread, clock, /*write=*/true, site, held});   // from the replay
//   for (const ModelRace& race : races.races()) ...
//
// Memory: per location two accesses (more only while reads are concurrent), per site pair one
// race: independent of how long the program ran.
#ifndef LOCKGRAPH_ANALYZER_REPLAY_RACE_DETECTOR_H_
#define LOCKGRAPH_ANALYZER_REPLAY_RACE_DETECTOR_H_

#include <cstdint>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analyzer/model/model.h"
#include "analyzer/replay/vector_clock.h"

namespace lockgraph::analyzer {

// Where: a Shared<T> (its model lock id), or raw memory (trace and start address).
struct RaceLocation {
  uint32_t variable = 0;
  uint32_t trace = 0;
  uint64_t address = 0;
  bool operator==(const RaceLocation&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const RaceLocation& l) {
    return H::combine(std::move(h), l.variable, l.trace, l.address);
  }
};

class RaceDetector {
 public:
  // One access by `access.thread`, whose clock is `clock` (the thread's own entry is the
  // access's epoch). `size`: bytes, for raw memory.
  void Access(const RaceLocation& where, uint64_t size, const VectorClock& clock,
              const ModelAccess& access);

  const std::vector<ModelRace>& races() const { return races_; }
  std::vector<ModelRace> TakeRaces() { return std::move(races_); }

 private:
  struct Prior {
    Epoch epoch;
    ModelAccess access;
  };
  struct Shadow {
    Prior write;               // epoch.thread 0: none yet
    std::vector<Prior> reads;  // not ordered with each other; usually one
  };

  void Report(const RaceLocation& where, uint64_t size, const Prior& prior,
              const ModelAccess& now);

  absl::flat_hash_map<RaceLocation, Shadow> shadows_;
  // (site, write) of both accesses, the smaller first -> index in races_
  using PairKey = std::tuple<uint32_t, uint64_t, bool, uint32_t, uint64_t, bool>;
  absl::flat_hash_map<PairKey, size_t> by_sites_;
  std::vector<ModelRace> races_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPLAY_RACE_DETECTOR_H_
