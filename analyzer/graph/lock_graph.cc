#include "analyzer/graph/lock_graph.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "analyzer/graph/cyclic_components.h"

namespace lockgraph::analyzer {

namespace {
constexpr uint32_t kLookahead = 4;  // dependencies
constexpr size_t kPrefetchEdges = 1 << 16;  // an index of more edges is prefetched

// The edges dependency `dep` gives, by the rules in the header: `visit(h, from, to, first)`
// for each held lock h, its node and the acquired lock's, `first` unless a held lock before it
// gave the same edge (two locks of one class: the dependency counts once on their class edge).
// `node(lock)` is 0 for a signal.
template <typename Node, typename Visit>
void ForEachEdgeOf(const ModelDependency& dep, Node&& node, Visit&& visit) {
  if ((dep.flags & format::kAcquireTry) != 0) return;  // cannot block
  const uint32_t to = node(dep.acquired);
  if (to == 0) return;
  // The edges given so far, by their source (all go to `to`): as many as the locks held, most
  // often one.
  absl::InlinedVector<uint32_t, 8> sources;
  for (uint32_t h = 0; h < dep.held.size(); ++h) {
    const uint32_t held = dep.held[h].lock;
    if (held == dep.acquired) continue;
    const uint32_t from = node(held);
    if (from == 0) continue;
    const bool first = std::find(sources.begin(), sources.end(), from) == sources.end();
    if (first) sources.push_back(from);
    visit(h, from, to, first);
  }
}

}  // namespace

LockGraph LockGraph::Build(const Model& model, Level level) {
  return Build(model, level, 0, static_cast<uint32_t>(model.dependencies().size()), 1,
               level == kInstances ? model.lock_count() : model.class_count());
}

LockGraph LockGraph::BuildForTrace(const Model& model, const TraceExtent& trace) {
  return Build(model, kInstances, trace.first_dependency, trace.end_dependency,
               trace.first_lock, trace.end_lock - trace.first_lock);
}

LockGraph LockGraph::BuildForTrace(const Model& model, const TraceExtent& trace,
                                   const absl::flat_hash_map<uint32_t, uint32_t>& classes) {
  std::vector<uint32_t> group(trace.end_lock - trace.first_lock, 0);
  for (uint32_t lock = trace.first_lock; lock < trace.end_lock; ++lock) {
    const auto it = classes.find(model.lock(lock).class_id);
    if (it != classes.end()) group[lock - trace.first_lock] = it->second;
  }
  return Build(model, kInstances, trace.first_dependency, trace.end_dependency,
               trace.first_lock, trace.end_lock - trace.first_lock, std::move(group));
}

void LockGraph::ForEachInstanceGraph(const Model& model,
                                     const std::function<void(const LockGraph&)>& visit) {
  if (model.has_process_wide_locks()) {
    visit(Build(model, kInstances));
    return;
  }
  for (const TraceExtent& trace : model.trace_extents()) visit(BuildForTrace(model, trace));
}

LockGraph LockGraph::Build(const Model& model, Level level, uint32_t first_dependency,
                           uint32_t end_dependency, uint32_t first_node, size_t nodes,
                           std::vector<uint32_t> group) {
  LockGraphBuilder builder(level, first_node);
  // An instance graph has about an edge per dependency (each is a new pair of locks, most
  // holding one): its index sized once, not grown and rehashed. One of a few groups of
  // locks is small.
  if (level == kInstances && group.empty()) builder.Reserve(end_dependency - first_dependency);
  if (!group.empty()) builder.OnlyWithinGroups(std::move(group));
  builder.Add(model, first_dependency, end_dependency,
              level == kInstances ? first_node + static_cast<uint32_t>(nodes)
                                  : static_cast<uint32_t>(model.lock_count() + 1));
  LockGraph graph = std::move(builder).Finish(nodes);
  graph.first_dependency_ = first_dependency;
  graph.end_dependency_ = end_dependency;
  return graph;
}

LockGraphBuilder::LockGraphBuilder(LockGraph::Level level, uint32_t first_node)
    : first_lock_(level == LockGraph::kInstances ? first_node : 1) {
  graph_.level_ = level;
  graph_.first_node_ = first_node;
}

void LockGraphBuilder::Reserve(size_t edges) {
  index_.Reserve(edges);
  graph_.edges_.reserve(edges);
}

void LockGraphBuilder::ForgetLocksBelow(uint32_t lock) {
  assert(group_.empty() && lock >= first_lock_);
  // Those not read yet, if any, the next Add reads from `lock` on.
  const size_t forget = std::min<size_t>(lock - first_lock_, node_.size());
  node_.erase(node_.begin(), node_.begin() + static_cast<std::ptrdiff_t>(forget));
  first_lock_ = lock;
}

// What dependencies give the edges of a graph, gathered apart from its builder (on another
// thread), to be merged into it after the dependencies before them (LockGraphBuilder::Merge):
// the edges in the order first met, each with its count, the number of witnesses it was
// offered, and of those the ones a builder might keep whatever it holds already: the first
// kMaxWitnesses / 2 offered, and after them the first of each thread. A later one of a thread
// meets that thread's first in the list, or a full list; so does the first of each thread
// past 2 * kMaxWitnesses threads, as at most kMaxWitnesses of those can be in the list.
// The candidates of all edges are in one list, in the order offered: on a large trace most
// offers are candidates (its edges are offered about 100 times each, by 64 threads), and one
// list is written in turn where a list per edge was written at random and grown by copies.
struct LockGraphBuilder::Candidates {
  struct Candidate {
    uint32_t edge = 0;  // into `edges`
    uint32_t dependency = 0;
    uint32_t held_index = 0;
    uint32_t thread = 0;
  };
  struct Edge {
    uint32_t from = 0;
    uint32_t to = 0;
    uint32_t candidates = 0;  // of `candidates`
    uint64_t count = 0;
    uint64_t offered = 0;
    Crowd seen = {};  // the threads of every witness offered
  };
  static constexpr size_t kMax = LockGraph::kMaxWitnesses / 2 + 2 * LockGraph::kMaxWitnesses;

  std::vector<Edge> edges;
  std::vector<Candidate> candidates;
  EdgeIndex index;  // (from, to) -> edge
  FarThreads far_seen;  // (edge, thread)
};

void LockGraphBuilder::Add(const Model& model, uint32_t first_dependency,
                           uint32_t end_dependency, uint32_t end_lock) {
  if (graph_.level_ == LockGraph::kClasses && group_.empty() &&
      end_dependency - first_dependency >= kTwoThreadDependencies &&
      std::thread::hardware_concurrency() >= 2) {
    // The gatherer's share is the larger: a dependency costs it about two thirds of what it
    // costs the builder, which also merges.
    const uint32_t gathered = static_cast<uint32_t>(
        uint64_t{end_dependency - first_dependency} * kGatheredShare / 100);
    AddInTwo(model, first_dependency, end_dependency - gathered, end_dependency, end_lock);
    return;
  }
  ExtendNodes(model, end_lock);
  met_.clear();
  ++add_count_;
  AddRange(model, first_dependency, end_dependency);
}

void LockGraphBuilder::AddInTwo(const Model& model, uint32_t first_dependency,
                                uint32_t middle_dependency, uint32_t end_dependency,
                                uint32_t end_lock) {
  assert(group_.empty() && first_dependency <= middle_dependency &&
         middle_dependency <= end_dependency);
  ExtendNodes(model, end_lock);  // before the gatherer reads the nodes
  met_.clear();
  ++add_count_;
  Candidates later;
  {
    std::jthread gatherer([&] { Gather(model, middle_dependency, end_dependency, later); });
    AddRange(model, first_dependency, middle_dependency);
  }  // joined
  Merge(model, later);
}

void LockGraphBuilder::ExtendNodes(const Model& model, uint32_t end_lock) {
  // Each lock's node: a small array read per held lock, where ModelLock (with its strings)
  // would cost a cache miss. An instance graph's locks are its nodes, first_node on.
  const bool instances = graph_.level_ == LockGraph::kInstances;
  for (uint32_t lock = first_lock_ + static_cast<uint32_t>(node_.size());
       lock < end_lock; ++lock) {
    const ModelLock& l = model.lock(lock);
    node_.push_back(l.signal ? 0 : instances ? lock : l.class_id);
  }
}

uint32_t LockGraphBuilder::MeetEdge(uint32_t from, uint32_t to) {
  std::vector<GraphEdge>& edges = graph_.edges_;
  const auto [e, inserted] = index_.TryEmplace(from, to, static_cast<uint32_t>(edges.size()));
  if (inserted) {
    // Made in place: GCC takes a moved temporary's inline witnesses for uninitialized.
    GraphEdge& edge = edges.emplace_back();
    edge.from = from;
    edge.to = to;
  }
  if (track_) {
    if (met_stamp_.size() <= e) met_stamp_.resize(edges.size(), 0);
    if (met_stamp_[e] != add_count_) {
      // Met the first time in this Add: the witnesses it gives come after these.
      met_stamp_[e] = add_count_;
      met_.emplace_back(e, static_cast<uint32_t>(edges[e].witnesses.size()));
    }
  }
  return e;
}

LockGraphBuilder::Crowd& LockGraphBuilder::CrowdOf(const Model& model, uint32_t e) {
  // Made the first time with the threads of the edge's witnesses so far.
  if (crowd_of_.size() <= e) crowd_of_.resize(graph_.edges_.size(), 0);
  if (crowd_of_[e] == 0) {
    crowds_.emplace_back();
    crowd_of_[e] = static_cast<uint32_t>(crowds_.size());
    for (const EdgeWitness& w : graph_.edges_[e].witnesses) {
      AddToCrowd(model, e, crowds_.back(), model.dependencies()[w.dependency].thread,
                 far_threads_);
    }
  }
  return crowds_[crowd_of_[e] - 1];
}

bool LockGraphBuilder::Offer(const Model& model, uint32_t e, uint32_t dependency,
                             uint32_t held_index, uint32_t thread) {
  GraphEdge& edge = graph_.edges_[e];
  // Keep witnesses from many threads: a cycle needs distinct threads on its edges. The
  // first half of the list takes any dependency, the second only threads not in it yet.
  if (edge.witnesses.size() < LockGraph::kMaxWitnesses / 2) {
    edge.witnesses.push_back({dependency, held_index});
    // Most class edges fill their list: their threads noted as they come, where reading
    // them back from scattered dependencies would miss the cache each time.
    if (graph_.level_ == LockGraph::kClasses) {
      AddToCrowd(model, e, CrowdOf(model, e), thread, far_threads_);
    }
    return true;
  }
  if (edge.witnesses.size() < LockGraph::kMaxWitnesses &&
      AddToCrowd(model, e, CrowdOf(model, e), thread, far_threads_)) {
    edge.witnesses.push_back({dependency, held_index});
    return true;
  }
  ++edge.more_witnesses;
  return false;
}

void LockGraphBuilder::AddRange(const Model& model, uint32_t first_dependency,
                                uint32_t end_dependency) {
  if (!group_.empty()) {
    AddWithinGroups(model, first_dependency, end_dependency);
    return;
  }
  const ChunkedVector<ModelDependency>& deps = model.dependencies();
  // On large graphs every lookup in `index_` misses the cache: ask for the slots of a later
  // dependency's edges now, so that they arrive while this one is filed. A small index (a
  // CI suite's trace, or a class graph) stays in the cache: there it would only hash twice.
  const bool prefetch = index_.size() + (end_dependency - first_dependency) > kPrefetchEdges;
  for (uint32_t d = first_dependency; d < end_dependency; ++d) {
    if (prefetch && d + kLookahead < end_dependency) {
      const ModelDependency& later = deps[d + kLookahead];
      for (const HeldRef& h : later.held) index_.Prefetch(NodeOf(h.lock), NodeOf(later.acquired));
    }
    AddDependency(model, d);
  }
}

void LockGraphBuilder::AddDependency(const Model& model, uint32_t d) {
  const ModelDependency& dep = model.dependencies()[d];
  auto node = [this](uint32_t lock) { return NodeOf(lock); };
  ForEachEdgeOf(dep, node, [&](uint32_t h, uint32_t from, uint32_t to, bool first) {
    if (!group_.empty() && (GroupOf(from) == 0 || GroupOf(from) != GroupOf(to))) return;
    const uint32_t e = MeetEdge(from, to);
    if (first) graph_.edges_[e].count += dep.count;
    Offer(model, e, d, h, dep.thread);
  });
}

void LockGraphBuilder::AddWithinGroups(const Model& model, uint32_t first_dependency,
                                       uint32_t end_dependency) {
  const ChunkedVector<ModelDependency>& deps = model.dependencies();
  // The groups are the locks of a trace's class cycles, few: most dependencies take a lock
  // of none and are passed over before their held locks are read. That pass is most of the
  // time; over many, another thread passes over the later half meanwhile, and its few
  // dependencies left are added after the earlier half's, in order.
  uint32_t middle = end_dependency;
  std::vector<uint32_t> later;
  std::optional<std::jthread> finder;
  if (end_dependency - first_dependency >= kTwoThreadDependencies &&
      std::thread::hardware_concurrency() >= 2) {
    middle = first_dependency + (end_dependency - first_dependency) / 2;
    finder.emplace([&, middle] {
      for (uint32_t d = middle; d < end_dependency; ++d) {
        if (GroupOf(deps[d].acquired) != 0) later.push_back(d);
      }
    });
  }
  for (uint32_t d = first_dependency; d < middle; ++d) {
    if (GroupOf(deps[d].acquired) != 0) AddDependency(model, d);
  }
  finder.reset();  // joined
  for (const uint32_t d : later) AddDependency(model, d);
}

void LockGraphBuilder::Gather(const Model& model, uint32_t first_dependency,
                              uint32_t end_dependency, Candidates& out) const {
  auto node = [this](uint32_t lock) { return NodeOf(lock); };
  const ChunkedVector<ModelDependency>& deps = model.dependencies();
  // Most dependencies give a candidate: room for one each, in pages touched only as written.
  out.candidates.reserve(end_dependency - first_dependency);
  for (uint32_t d = first_dependency; d < end_dependency; ++d) {
    const ModelDependency& dep = deps[d];
    ForEachEdgeOf(dep, node, [&](uint32_t h, uint32_t from, uint32_t to, bool first) {
      const auto [e, inserted] =
          out.index.TryEmplace(from, to, static_cast<uint32_t>(out.edges.size()));
      if (inserted) out.edges.push_back({from, to});
      Candidates::Edge& edge = out.edges[e];
      if (first) edge.count += dep.count;
      const bool first_of_thread = AddToCrowd(model, e, edge.seen, dep.thread, out.far_seen);
      if ((edge.offered < LockGraph::kMaxWitnesses / 2 || first_of_thread) &&
          edge.candidates < Candidates::kMax) {
        ++edge.candidates;
        out.candidates.push_back({e, d, h, dep.thread});
      }
      ++edge.offered;
    });
  }
}

void LockGraphBuilder::Merge(const Model& model, const Candidates& later) {
  // The gathered edges met in the order first met. By gathered edge: the graph's edge, the
  // offers it takes below, and whether its list is full (most are, after the first half).
  const size_t n = later.edges.size();
  std::vector<uint32_t> edge_of(n);
  std::vector<uint64_t> offered(n, 0);
  std::vector<uint8_t> full(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t e = MeetEdge(later.edges[i].from, later.edges[i].to);
    edge_of[i] = e;
    graph_.edges_[e].count += later.edges[i].count;
    full[i] = graph_.edges_[e].witnesses.size() >= LockGraph::kMaxWitnesses;
  }
  // Each edge's candidates offered in turn, as Add would offer them, until its list is full
  // (a full list stays full): then each is turned away, as is each witness gathered but not
  // kept as a candidate. One edge's offers do not depend on another's.
  for (const Candidates::Candidate& c : later.candidates) {
    if (full[c.edge]) continue;
    const uint32_t e = edge_of[c.edge];
    Offer(model, e, c.dependency, c.held_index, c.thread);
    ++offered[c.edge];
    full[c.edge] = graph_.edges_[e].witnesses.size() >= LockGraph::kMaxWitnesses;
  }
  for (size_t i = 0; i < n; ++i) {
    graph_.edges_[edge_of[i]].more_witnesses += later.edges[i].offered - offered[i];
  }
}

bool LockGraphBuilder::AddToCrowd(const Model& model, uint32_t edge, Crowd& crowd,
                                  uint32_t thread, FarThreads& far) {
  const uint32_t trace = model.thread(thread).trace;
  if (crowd.trace != trace + 1) crowd = {0, trace + 1};  // the threads met before are done
  const uint32_t place = thread - model.trace_extents()[trace].first_thread;
  if (place >= 64) return far.emplace(edge, thread).second;
  const uint64_t bit = uint64_t{1} << place;
  const bool added = (crowd.threads & bit) == 0;
  crowd.threads |= bit;
  return added;
}

void LockGraphBuilder::ForEachNewWitness(const std::function<void(EdgeWitness&)>& visit) {
  for (const auto& [e, first] : met_) {
    auto& witnesses = graph_.edges_[e].witnesses;
    for (size_t i = first; i < witnesses.size(); ++i) visit(witnesses[i]);
  }
}

absl::flat_hash_map<uint32_t, uint32_t> LockGraphBuilder::LastAddComponents() const {
  // The edges met, between their nodes numbered 1.. in order of meeting: a small graph
  // (the classes one trace met), where the graph's own nodes may be many.
  absl::flat_hash_map<uint32_t, uint32_t> local;  // node -> 1..
  std::vector<uint32_t> nodes = {0};               // 1.. -> node
  std::vector<std::pair<uint32_t, uint32_t>> edges;  // (from, to), local
  auto local_of = [&](uint32_t node) {
    auto [it, inserted] = local.try_emplace(node, static_cast<uint32_t>(nodes.size()));
    if (inserted) nodes.push_back(node);
    return it->second;
  };
  for (const auto& [e, witnesses_before] : met_) {
    const GraphEdge& edge = graph_.edges_[e];
    const uint32_t from = local_of(edge.from);
    edges.emplace_back(from, local_of(edge.to));
  }
  std::sort(edges.begin(), edges.end());
  std::vector<uint32_t> start(nodes.size() + 1, 0), out(edges.size());
  for (const auto& [from, to] : edges) ++start[from + 1];
  for (size_t n = 0; n < nodes.size(); ++n) start[n + 1] += start[n];
  for (size_t i = 0; i < edges.size(); ++i) out[i] = edges[i].second;
  absl::flat_hash_map<uint32_t, uint32_t> components;
  uint32_t count = 0;
  ForEachCyclicComponent(
      1, static_cast<uint32_t>(nodes.size() - 1),
      [&](uint32_t n) {
        return std::span<const uint32_t>(out).subspan(start[n], start[n + 1] - start[n]);
      },
      [](uint32_t n) { return n; },
      [&](const std::vector<uint32_t>& members) {
        ++count;
        for (const uint32_t m : members) components.emplace(nodes[m], count);
      });
  return components;
}

LockGraph LockGraphBuilder::Finish(size_t nodes) && {
  graph_.IndexOutEdges(nodes);
  return std::move(graph_);
}

void LockGraph::IndexOutEdges(size_t nodes) {
  // Out-edges in edge id order, all in one array: counted, then placed.
  nodes_ = static_cast<uint32_t>(nodes);
  out_start_.assign(nodes + 1, 0);
  for (const GraphEdge& edge : edges_) ++out_start_[edge.from - first_node_ + 1];
  for (size_t n = 0; n < nodes; ++n) out_start_[n + 1] += out_start_[n];
  out_list_.resize(edges_.size());
  std::vector<uint32_t> next(out_start_.begin(), out_start_.end() - 1);
  for (uint32_t e = 0; e < edges_.size(); ++e) {
    out_list_[next[edges_[e].from - first_node_]++] = e;
  }
}

LockGraph LockGraph::Subgraph(const std::vector<uint32_t>& edges) const {
  LockGraph sub;
  sub.level_ = level_;
  sub.first_node_ = first_node_;
  for (const uint32_t e : edges) sub.edges_.push_back(edges_[e]);
  return sub;
}

void LockGraph::ForEachWitness(const std::function<void(EdgeWitness&)>& visit) {
  for (GraphEdge& edge : edges_) {
    for (EdgeWitness& w : edge.witnesses) visit(w);
  }
}

}  // namespace lockgraph::analyzer
