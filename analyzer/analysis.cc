#include "analyzer/analysis.h"

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "analyzer/filters/cycle_verdicts.h"
#include "analyzer/findings/class_stats.h"
#include "analyzer/findings/cycle_findings.h"
#include "analyzer/findings/finding_parts.h"
#include "analyzer/findings/finding_places.h"
#include "analyzer/findings/lock_labels.h"
#include "analyzer/findings/long_wait_findings.h"
#include "analyzer/findings/misuse_findings.h"
#include "analyzer/findings/order_graph.h"
#include "analyzer/findings/race_findings.h"
#include "analyzer/graph/lock_graph.h"

namespace lockgraph::analyzer {
namespace {

// The distinct classes of a cycle's nodes, sorted: an instance cycle over five forks of
// one class and the class self-edge of that class are the same hazard.
std::vector<uint32_t> ClassSet(const Model& model, const LockGraph& graph,
                               const JudgedCycle& cycle) {
  std::vector<uint32_t> classes;
  for (uint32_t e : cycle.edges) {
    const uint32_t node = graph.edge(e).from;
    classes.push_back(graph.level() == LockGraph::kInstances ? model.lock(node).class_id : node);
  }
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  return classes;
}

// The stacks the findings of cycles with a witness will show: one symbolizer batch for them.
void PrefetchCycleStacks(const Model& model, const std::vector<JudgedCycle>& cycles,
                         StackSymbolizer& symbolizer) {
  std::vector<StackRef> stacks;
  for (const JudgedCycle& cycle : cycles) {
    if (cycle.result.verdict != CycleVerdict::kDeadlock) continue;
    for (size_t i = 0; i < cycle.edges.size(); ++i) {
      const EdgeWitness& w = cycle.chosen(i);
      const ModelDependency& dep = model.dependencies()[w.dependency];
      stacks.push_back(dep.stack);
      stacks.push_back(dep.held_site(w.held_index));
    }
  }
  symbolizer.Prefetch(stacks);
}

// The same for deadlocks that happened, long waits and misuse.
void PrefetchOtherStacks(const Model& model, const AnalysisOptions& options,
                         StackSymbolizer& symbolizer) {
  std::vector<StackRef> stacks;
  for (const ModelWait& wait : model.waits()) {
    if (wait.wait_ns < options.long_wait_ns) continue;
    stacks.push_back(wait.waiter_stack);
    stacks.push_back(wait.holder_stack);
  }
  for (const ModelMisuse& misuse : model.misuses()) stacks.push_back(misuse.stack);
  for (const ModelObservedDeadlock& deadlock : model.observed_deadlocks()) {
    for (const ModelDeadlockThread& t : deadlock.threads) {
      stacks.push_back(t.held_site);
      stacks.push_back(t.wait_stack);
    }
  }
  symbolizer.Prefetch(stacks);
}

void Append(std::vector<Finding>& to, std::vector<Finding> findings) {
  for (Finding& f : findings) to.push_back(std::move(f));
}

using InstanceClassSets = absl::flat_hash_set<std::vector<uint32_t>>;

// The findings of a graph's judged instance cycles, and their class sets.
void AddInstanceFindings(FindingParts& parts, const LockGraph& instances,
                         const std::vector<JudgedCycle>& cycles, Report& report,
                         InstanceClassSets& class_sets) {
  PrefetchCycleStacks(parts.model(), cycles, parts.symbolizer());
  for (const JudgedCycle& cycle : cycles) {
    class_sets.insert(ClassSet(parts.model(), instances, cycle));
    if (cycle.result.verdict == CycleVerdict::kDeadlock) {
      report.findings.push_back(CycleFinding(parts, instances, cycle, FindingKind::kDeadlock));
    } else {
      report.ruled_out.push_back(RuledOutFinding(parts, instances, cycle));
    }
  }
}

// The analysis of Analyze and AnalyzeStreamed: `instance_cycles` makes the instance cycles'
// findings, then `class_graph` gives the class graph. nullopt if a class cycle needed
// dependencies the model dropped.
std::optional<Report> AnalyzeWith(
    const Model& model, StackSymbolizer& symbolizer, const AnalysisOptions& options,
    const std::function<void(FindingParts&, Report&, InstanceClassSets&)>& instance_cycles,
    const std::function<LockGraph()>& class_graph, bool every_dependency) {
  Report report;
  FindingParts parts(model, symbolizer, options.full_stacks);
  InstanceClassSets instance_class_sets;  // the class sets of the instance cycles
  instance_cycles(parts, report, instance_class_sets);

  const LockGraph classes = class_graph();
  CycleVerdicts verdicts(model, every_dependency);
  const std::vector<JudgedCycle> class_cycles =
      verdicts.Judge(classes, options.cycles, report.summary);
  PrefetchCycleStacks(model, class_cycles, symbolizer);
  PrefetchOtherStacks(model, options, symbolizer);
  for (const JudgedCycle& cycle : class_cycles) {
    // A class cycle that is the image of an instance cycle was judged there already.
    if (instance_class_sets.contains(ClassSet(model, classes, cycle))) continue;
    // Every unnamed member lock of an object built by one constructor gets that
    // constructor's site, so two locks of a site class nested may be two different members
    // (accounts, then audit_log): only a named class says they are one kind of lock.
    const uint32_t from = classes.edge(cycle.edges[0]).from;
    if (cycle.self() && IsSiteClass(model.lock_class(from))) {
      ++report.summary.unnamed_self_nesting;
      continue;
    }
    if (cycle.missed_dependencies) return std::nullopt;
    if (cycle.result.verdict == CycleVerdict::kDeadlock) {
      report.findings.push_back(CycleFinding(parts, classes, cycle, FindingKind::kPotential));
    } else {
      report.ruled_out.push_back(RuledOutFinding(parts, classes, cycle));
    }
  }
  // A deadlock that happened replaces the prediction of the same locks (same id): it is its
  // proof. Recorded by several processes or runs, it is one finding.
  for (const ModelObservedDeadlock& deadlock : model.observed_deadlocks()) {
    Finding happened = ObservedDeadlockFinding(parts, deadlock);
    auto same = std::find_if(report.findings.begin(), report.findings.end(),
                             [&](const Finding& f) { return f.id == happened.id; });
    if (same == report.findings.end()) {
      report.findings.push_back(std::move(happened));
    } else if (!same->observed) {
      *same = std::move(happened);
    }
  }
  Append(report.findings, LongWaitFindings(parts, options.long_wait_ns));
  Append(report.findings, MisuseFindings(parts));
  Append(report.findings, RaceFindings(parts));
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     if (a.kind != b.kind) return a.kind < b.kind;
                     return a.location < b.location;
                   });
  report.stats = ComputeClassStats(model);
  if (options.order_graph) report.order_graph = BuildOrderGraph(parts, classes);
  report.warnings = model.warnings();
  if (GivePlaces(report.findings)) report.warnings.push_back(kNoLineTablesWarning);
  Summary& s = report.summary;
  s.traces = model.traces().size();
  s.records = model.record_count();
  s.threads = model.thread_count();
  s.locks = model.lock_count();
  s.classes = model.class_count();
  s.dependencies = model.dependencies_read();
  return report;
}

}  // namespace

Report Analyze(const Model& model, StackSymbolizer& symbolizer, const AnalysisOptions& options) {
  // Instance cycles. A lock instance belongs to one process, so without process-wide locks
  // the instance graph is the traces' graphs side by side: analyzed one trace at a time, it
  // takes the memory of the largest trace's graph, not of all of them, and its cycles come
  // in the same order as the whole graph's.
  auto instance_cycles = [&](FindingParts& parts, Report& report, InstanceClassSets& sets) {
    LockGraph::ForEachInstanceGraph(model, [&](const LockGraph& instances) {
      CycleVerdicts verdicts(model);
      const std::vector<JudgedCycle> cycles =
          verdicts.Judge(instances, options.cycles, report.summary);
      AddInstanceFindings(parts, instances, cycles, report, sets);
    });
  };
  return *AnalyzeWith(
      model, symbolizer, options, instance_cycles,
      [&] { return LockGraph::Build(model, LockGraph::kClasses); }, true);
}

std::optional<Report> AnalyzeStreamed(const Model& model, StackSymbolizer& symbolizer,
                                      const AnalysisOptions& options, StreamedCycles& streamed) {
  auto instance_cycles = [&](FindingParts& parts, Report& report, InstanceClassSets& sets) {
    const Summary& searched = streamed.summary();
    report.summary.cycles_checked += searched.cycles_checked;
    report.summary.cycles_not_searched += searched.cycles_not_searched;
    report.summary.components_cut_short += searched.components_cut_short;
    for (const StreamedCycles::TraceCycles& trace : streamed.instance_cycles()) {
      AddInstanceFindings(parts, trace.edges, trace.cycles, report, sets);
    }
  };
  return AnalyzeWith(
      model, symbolizer, options, instance_cycles,
      [&] { return streamed.TakeClassGraph(model); }, false);
}

}  // namespace lockgraph::analyzer
