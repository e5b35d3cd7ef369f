#include "analyzer/replay/race_detector.h"

#include <algorithm>
#include <utility>

namespace lockgraph::analyzer {

void RaceDetector::Access(const RaceLocation& where, uint64_t size, const VectorClock& clock,
                          const ModelAccess& access) {
  Shadow& shadow = shadows_[where];
  const Epoch now{access.thread, clock.Get(access.thread)};
  if (!clock.Covers(shadow.write.epoch)) Report(where, size, shadow.write, access);
  if (access.write) {
    for (const Prior& read : shadow.reads) {
      if (!clock.Covers(read.epoch)) Report(where, size, read, access);
    }
    shadow.reads.clear();
    shadow.write = {now, access};
    return;
  }
  // A read: it replaces every read it is ordered after (happens-before is transitive, so
  // whatever comes after this read comes after those too).
  std::erase_if(shadow.reads, [&](const Prior& read) { return clock.Covers(read.epoch); });
  shadow.reads.push_back({now, access});
}

void RaceDetector::Report(const RaceLocation& where, uint64_t size, const Prior& prior,
                          const ModelAccess& now) {
  const ModelAccess* a = &prior.access;
  const ModelAccess* b = &now;
  auto key_of = [](const ModelAccess& x) {
    return std::make_tuple(x.site.trace, x.site.id, x.write);
  };
  if (key_of(*b) < key_of(*a)) std::swap(a, b);
  const PairKey key = std::tuple_cat(key_of(*a), key_of(*b));
  auto [it, inserted] = by_sites_.try_emplace(key, races_.size());
  if (!inserted) {
    ++races_[it->second].count;
    return;
  }
  ModelRace race;
  race.variable = where.variable;
  race.trace = where.trace;
  race.address = where.address;
  race.size = size;
  // In the order they happened: the replay runs unordered threads in the order their events
  // reach the file, which is when each thread flushed them, not when it made them.
  const bool swap = now.time_ns < prior.access.time_ns;
  race.first = swap ? now : prior.access;
  race.second = swap ? prior.access : now;
  races_.push_back(std::move(race));
}

}  // namespace lockgraph::analyzer
