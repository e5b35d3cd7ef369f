// Per-class lock statistics, like the kernel's lock_stat: acquisitions, contended ones, wait
// total, maximum and quantiles (from the runtime's wait histograms), and hold times estimated
// from the sampled holds. `lockgraph stats` prints them; every report carries them.
//
//   for (const ClassStatsRow& row : ComputeClassStats(model)) ...   // most waited-for first
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_CLASS_STATS_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_CLASS_STATS_H_

#include <vector>

#include "analyzer/findings/finding.h"
#include "analyzer/model/model.h"

namespace lockgraph::analyzer {

// Sorted by total wait, largest first (then by class name).
std::vector<ClassStatsRow> ComputeClassStats(const Model& model);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_CLASS_STATS_H_
