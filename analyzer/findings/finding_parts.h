// The pieces every finding is made of, from the model: a thread as reports name it, a lock
// with its label and site, a stack cut to the user's frames and symbolized.
//
//   FindingParts parts(model, symbolizer);
//   edge.thread = parts.Thread(dep.thread);
//   edge.acquire = parts.Stack(dep.stack);
//
// Stack() runs the symbolizer for stacks it has not seen: prefetch the stacks of a report
// first (StackSymbolizer::Prefetch), so llvm-symbolizer runs once per module.
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_FINDING_PARTS_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_FINDING_PARTS_H_

#include <cstdint>

#include "analyzer/findings/finding.h"
#include "analyzer/graph/lock_graph.h"
#include "analyzer/model/model.h"
#include "analyzer/symbols/stack_symbolizer.h"

namespace lockgraph::analyzer {

class FindingParts {
 public:
  // `full_stacks`: every frame, not the user's frames with the library's folded.
  FindingParts(const Model& model, StackSymbolizer& symbolizer, bool full_stacks = false)
      : model_(model), symbolizer_(symbolizer), full_stacks_(full_stacks) {}

  const Model& model() const { return model_; }
  StackSymbolizer& symbolizer() { return symbolizer_; }

  // The user's frames of a stack, innermost first, the library frames between them folded
  // (all of them with full_stacks).
  FindingStack Stack(StackRef ref);
  // A thread by its model id; an empty thread for id 0.
  FindingThread Thread(uint32_t id) const;
  // One lock instance as a finding names it: its class, and its own construction site.
  FindingLock InstanceLock(const ModelLock& lock) const;
  // A node of `graph`: an instance (its own site) or a class (its class site).
  // A class as a finding names it, with its own site.
  FindingLock ClassLock(const ModelClass& c) const;
  FindingLock GraphLock(const LockGraph& graph, uint32_t node) const;
  // The class of a node of `graph`.
  const ModelClass& ClassOf(const LockGraph& graph, uint32_t node) const;

 private:
  const Model& model_;
  StackSymbolizer& symbolizer_;
  bool full_stacks_ = false;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_FINDING_PARTS_H_
