// The lock-order graph of a model: an edge A -> B for every dependency that held A and then
// acquired B, with those dependencies attached as the edge's witness candidates.
//
//   LockGraph instances = LockGraph::Build(model, LockGraph::kInstances);  // nodes: lock ids
//   LockGraph classes = LockGraph::Build(model, LockGraph::kClasses);      // nodes: class ids
//
// Edge rules (docs/analysis.md): a try-lock acquisition cannot block and adds no edge (it
// still holds its lock for later edges); a re-entered RLock is never recorded; a semaphore
// released by a thread other than its acquirer is a signal and has no edges. Instance graphs
// have no self-edges; class graphs do (two locks of one class nested: transfer(a, b)).
#ifndef LOCKGRAPH_ANALYZER_GRAPH_LOCK_GRAPH_H_
#define LOCKGRAPH_ANALYZER_GRAPH_LOCK_GRAPH_H_

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "analyzer/graph/edge_index.h"
#include "analyzer/model/model.h"

namespace lockgraph::analyzer {

// One dependency offered for an edge: the dependency, and which of its held locks is the
// edge's source.
struct EdgeWitness {
  uint32_t dependency = 0;  // index into Model::dependencies()
  uint32_t held_index = 0;  // index into that dependency's held list
};

struct GraphEdge {
  uint32_t from = 0;
  uint32_t to = 0;
  // At most kMaxWitnesses, from distinct threads first. Most edges have one or two: kept in
  // the edge, not in a heap block each (10^4 edges a trace, 10^6 in a large one).
  absl::InlinedVector<EdgeWitness, 2> witnesses;
  uint64_t more_witnesses = 0;         // dependencies beyond that, counted
  // How often the program took this order: the counts of all its dependencies, each once
  // (two held locks of one class make one class edge, not two).
  uint64_t count = 0;
};

class LockGraph {
 public:
  enum Level { kInstances, kClasses };
  static constexpr size_t kMaxWitnesses = 64;

  static LockGraph Build(const Model& model, Level level);
  // The instance graph of one trace (Model::TraceExtent): its dependencies and its locks
  // only. The instance graph of a model without process-wide locks is the union of those of
  // its traces, and its cycle search visits them in the same order.
  static LockGraph BuildForTrace(const Model& model, const TraceExtent& trace);
  // Of those edges, only the ones between two locks whose classes lie in one component of
  // `classes` (class id -> component, LockGraphBuilder::LastAddComponents of the trace's
  // class orders). Every cycle of the trace's graph does: its classes make a closed walk of
  // those orders. Its cycles and their edges (witnesses, counts) are the whole graph's, and
  // its cycle search meets them in the same order (by their components' smallest lock).
  static LockGraph BuildForTrace(const Model& model, const TraceExtent& trace,
                                 const absl::flat_hash_map<uint32_t, uint32_t>& classes);
  // The model's instance graph as the analysis takes it: without process-wide locks, a
  // trace's graph at a time (each dropped before the next is built, so memory follows the
  // largest trace), else the whole graph. `visit` sees them in the order the whole graph's
  // cycle search meets their cycles (a trace's locks are numbered after the last trace's).
  static void ForEachInstanceGraph(const Model& model,
                                   const std::function<void(const LockGraph&)>& visit);

  // A graph of only these edges of `graph`, renumbered 0.. in this order (and no out-edge
  // lists): what the findings of its cycles read, kept after the graph is gone.
  LockGraph Subgraph(const std::vector<uint32_t>& edges) const;
  // Each witness of each edge, which `visit` may change.
  void ForEachWitness(const std::function<void(EdgeWitness&)>& visit);

  Level level() const { return level_; }
  // Nodes are first_node()..last_node() (lock ids or class ids; from 1 unless the graph is a
  // trace's).
  uint32_t first_node() const { return first_node_; }
  uint32_t last_node() const { return first_node_ + nodes_ - 1; }
  std::span<const uint32_t> out_edges(uint32_t node) const {
    const uint32_t n = node - first_node_;
    return std::span<const uint32_t>(out_list_).subspan(out_start_[n],
                                                         out_start_[n + 1] - out_start_[n]);
  }
  const GraphEdge& edge(uint32_t id) const { return edges_[id]; }
  size_t edge_count() const { return edges_.size(); }
  // The model's dependencies its edges come from: [first, end), end clamped to the model's.
  // A trace's graph has the trace's; a graph built otherwise says all of them.
  uint32_t first_dependency() const { return first_dependency_; }
  uint32_t end_dependency() const { return end_dependency_; }

 private:
  // The edges of dependencies [first, end), between nodes first_node..first_node+nodes-1.
  // With `group` (by node - first_node; 0: none), only the edges between nodes of one group.
  static LockGraph Build(const Model& model, Level level, uint32_t first_dependency,
                         uint32_t end_dependency, uint32_t first_node, size_t nodes,
                         std::vector<uint32_t> group = {});
  // Out-edge lists of nodes first_node_..first_node_+nodes-1, in edge id order.
  void IndexOutEdges(size_t nodes);

  friend class LockGraphBuilder;

  Level level_ = kInstances;
  uint32_t first_node_ = 1;
  uint32_t first_dependency_ = 0;
  uint32_t end_dependency_ = UINT32_MAX;
  uint32_t nodes_ = 0;  // with out-edge lists; 0 without
  // The out-edges of node first_node_ + n: out_list_[out_start_[n], out_start_[n + 1]).
  std::vector<uint32_t> out_start_;
  std::vector<uint32_t> out_list_;
  std::vector<GraphEdge> edges_;
};

// A lock graph built as dependencies come, range after range (a trace's, as it is read): the
// same graph as Build of them all at once. Witnesses stay indices into the model's
// dependencies; RenumberWitnesses follows them when the model drops some.
class LockGraphBuilder {
 public:
  LockGraphBuilder(LockGraph::Level level, uint32_t first_node);
  // Room for this many edges.
  void Reserve(size_t edges);
  // From now on, only the edges between two locks of one group: `group` by lock -
  // first_node of an instance graph (0: in none).
  void OnlyWithinGroups(std::vector<uint32_t> group) { group_ = std::move(group); }
  // Dependencies added from now on take no lock below `lock` (a class graph fed trace by
  // trace, whose model drops each trace's locks: Model::ShrinkLastTrace). The table of
  // the locks' nodes forgets those below, so it follows the largest trace.
  void ForgetLocksBelow(uint32_t lock);
  // Dependencies [first, end) of `model`, whose locks are all below `end_lock` (the model's
  // locks so far, or an instance graph's own). The same model each time; it may have moved.
  // A class graph's Add of many dependencies takes the second half on another thread
  // (AddInTwo); so does an Add within groups, to pass over the dependencies of none.
  void Add(const Model& model, uint32_t first_dependency, uint32_t end_dependency,
           uint32_t end_lock);
  // As Add of [first, end), with what [middle, end) gives each edge gathered on another
  // thread meanwhile and then merged in: the same graph, and the same for TrackEachAdd. On two
  // cores, the class graph of the 10^6-record benchmark in 70% of the time. Not with groups.
  void AddInTwo(const Model& model, uint32_t first_dependency, uint32_t middle_dependency,
                uint32_t end_dependency, uint32_t end_lock);
  // A class graph's Add of at least this many dependencies is AddInTwo of its two halves;
  // within groups, another thread passes over the later half.
  static constexpr uint32_t kTwoThreadDependencies = 1 << 16;
  // The share of them, in percent, that AddInTwo gives the other thread.
  static constexpr uint32_t kGatheredShare = 58;
  // From now on, note what each Add gives: the witnesses (ForEachNewWitness) and the edges it
  // met (LastAddComponents). A graph built at once has no use for it.
  void TrackEachAdd() { track_ = true; }
  // Each witness the last Add gave, which `visit` may change; after TrackEachAdd.
  void ForEachNewWitness(const std::function<void(EdgeWitness&)>& visit);
  // The cyclic components of the edges the last Add met, new or not (an edge from a node to
  // itself makes one): node -> component, from 1, for each node of one; empty if those edges
  // close no cycle. After TrackEachAdd. A cycle of those dependencies in a finer graph (a
  // trace's lock instances under their classes) maps onto a closed walk of these edges,
  // which lies in one component: where this is empty, that graph has no cycle.
  absl::flat_hash_map<uint32_t, uint32_t> LastAddComponents() const;
  // The graph, nodes first_node..first_node+nodes-1.
  LockGraph Finish(size_t nodes) &&;

 private:
  // The nodes of the locks below `end_lock` not noted yet.
  void ExtendNodes(const Model& model, uint32_t end_lock);
  // Dependencies [first, end) of an Add.
  void AddRange(const Model& model, uint32_t first_dependency, uint32_t end_dependency);
  // AddRange with groups: only the edges within one.
  void AddWithinGroups(const Model& model, uint32_t first_dependency, uint32_t end_dependency);
  // The edges dependency `d` gives (with groups, those within one), each met and offered it
  // as a witness.
  void AddDependency(const Model& model, uint32_t d);
  // Lock `lock`'s node (0: a signal), and with groups its group (0: none).
  uint32_t NodeOf(uint32_t lock) const { return node_[lock - first_lock_]; }
  uint32_t GroupOf(uint32_t lock) const { return group_[lock - first_lock_]; }
  // The edge from -> to, made if new; noted as met by this Add (TrackEachAdd).
  uint32_t MeetEdge(uint32_t from, uint32_t to);
  // Offers held lock `held_index` of `dependency` (of `thread`) as a witness of edge `e`:
  // whether it was kept (else it is counted in more_witnesses).
  bool Offer(const Model& model, uint32_t e, uint32_t dependency, uint32_t held_index,
             uint32_t thread);
  // AddInTwo's halves: the later one gathered (on another thread: it reads the model and
  // the nodes only), then merged after the earlier one.
  struct Candidates;
  void Gather(const Model& model, uint32_t first_dependency, uint32_t end_dependency,
              Candidates& out) const;
  void Merge(const Model& model, const Candidates& later);

  LockGraph graph_;
  // lock - first_lock_ -> its node, or 0 for a signal (no edges); extended as locks come.
  uint32_t first_lock_ = 1;
  std::vector<uint32_t> node_;
  // If not empty, lock - first_lock_ -> its group (0: none): only edges within a group.
  std::vector<uint32_t> group_;
  EdgeIndex index_;  // (from, to) -> edge
  // The threads of an edge's witnesses, from the moment it has kMaxWitnesses / 2: from then
  // on each dependency is checked against them, and most are of a thread there already. A
  // thread is of one trace, whose dependencies come together: only the threads of the
  // latest trace an edge met can be met again. Those are bits, by place among its trace's
  // threads (TraceExtent), in a small table by edge (where the witnesses' dependencies are
  // scattered over the model); a trace's threads past the 64th are looked up in a set.
  struct Crowd {
    uint64_t threads = 0;  // bit i: the trace's thread number i is a witness's
    uint32_t trace = 0;    // 1 + that trace, 0: none yet
  };
  // A trace's threads past its 64th, met on an edge: (edge, thread).
  using FarThreads = absl::flat_hash_set<std::pair<uint32_t, uint32_t>>;
  // Adds `thread` of `model` to the edge's crowd (or to `far`): whether it was not in it yet.
  static bool AddToCrowd(const Model& model, uint32_t edge, Crowd& crowd, uint32_t thread,
                         FarThreads& far);
  // The crowd of edge `e`.
  Crowd& CrowdOf(const Model& model, uint32_t e);
  std::vector<uint32_t> crowd_of_;  // by edge: 1 + index into crowds_, 0: not crowded yet
  std::vector<Crowd> crowds_;
  FarThreads far_threads_;
  // The edges the last Add met, each once (an edge is in it if its stamp is add_count_),
  // with the length of its witness list before: the witnesses past it are the Add's.
  bool track_ = false;
  std::vector<std::pair<uint32_t, uint32_t>> met_;  // (edge, witnesses before)
  std::vector<uint32_t> met_stamp_;  // by edge
  uint32_t add_count_ = 0;
};


}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_GRAPH_LOCK_GRAPH_H_
