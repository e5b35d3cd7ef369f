// What the analysis reports: findings (deadlock, potential, long wait, misuse), the cycles it
// ruled out and why, per-class statistics and a summary. Reporters format a Report; nothing
// here parses or prints.
#ifndef LOCKGRAPH_ANALYZER_FINDINGS_FINDING_H_
#define LOCKGRAPH_ANALYZER_FINDINGS_FINDING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/source_frame.h"
#include "common/trace_format.h"

namespace lockgraph::analyzer {

// In order of severity: --fail-on=K fails on K and every kind before it.
enum class FindingKind { kDeadlock, kPotential, kRace, kLongWait, kMisuse };
inline constexpr FindingKind kAllFindingKinds[] = {FindingKind::kDeadlock, FindingKind::kPotential,
                                                  FindingKind::kRace, FindingKind::kLongWait,
                                                  FindingKind::kMisuse};
const char* FindingKindName(FindingKind kind);  // "deadlock", "potential", "race", ...

struct FindingLock {
  std::string class_name;  // the class key
  std::string label;       // `Lock "accounts"` or `Lock created at bank.cc:12`
  std::string site;        // construction site, "file:line"
  format::SyncKind kind = format::SyncKind::kLock;
  // What `site` is: "created", "declared" (a variable), "allocated" or "first used".
  std::string site_verb = "created";
  // Whether the label already says where the lock was made (`Lock created at bank.cc:12`).
  bool LabelHasSite() const;
};

// A stack as people read it: the user's frames, innermost first.
struct FindingStack {
  std::vector<SourceFrame> frames;
  size_t folded = 0;  // library frames between the user's frames left out (--full-stacks)
  std::string site() const;  // "file:line" of the first user frame (else the first), "" if none
};

struct FindingThread {
  uint32_t id = 0;   // the recorder's thread id in its process
  uint64_t pid = 0;
  std::string name;
  std::string label() const;  // `thread 2 "worker" (pid 1234)`
};

// Edge i of a cycle: `thread`, holding locks[from] (taken at `held`), takes locks[to] at
// `acquire`.
struct FindingEdge {
  size_t from = 0;
  size_t to = 0;
  FindingThread thread;
  FindingStack held;
  // `held` is where locks[from] was first used: the frame kept for the acquisition was in the
  // C++ library (a preload lock taken through an out-of-line std::mutex::lock, as at -O0).
  bool held_is_first_use = false;
  FindingStack acquire;
  uint8_t flags = 0;     // AcquireFlags of the acquisition of locks[to]
  uint64_t count = 0;    // how often the program took this order (all dependencies of the edge)
  uint64_t first_seen_ns = 0;  // when the witness dependency was first recorded
};

// One access of a data race: who, reading or writing, where, holding which locks.
struct FindingAccess {
  FindingThread thread;
  bool write = false;
  FindingStack stack;
  std::vector<std::string> held;  // lock labels, outermost first
};

struct Finding {
  FindingKind kind = FindingKind::kDeadlock;
  std::string id;        // stable: the same hazard keeps its id when unrelated lines move
  std::string message;
  std::string location;  // "file:line" the report points at
  std::vector<FindingLock> locks;
  std::vector<FindingEdge> edges;  // cycles
  std::string fix;                 // cycles: the suggested fix
  // Long waits and misuse.
  FindingThread waiter;            // long wait: who waited; misuse: who misused
  FindingThread holder;            // long wait: who held the lock (id 0 if unknown)
  FindingStack waiter_stack;       // long wait: where it waited; misuse: where it happened
  FindingStack holder_stack;       // long wait: where the holder took the lock
  uint64_t wait_max_ns = 0;
  uint64_t wait_total_ns = 0;
  uint64_t occurrences = 0;        // long waits, misuse, races: how many were grouped here
  std::vector<FindingAccess> accesses;  // races: the two accesses, in the order they ran
  // A deadlock that happened in a run (the runtime's live check ended it), not only
  // predicted: its edges are where each thread held and waited when it happened.
  bool observed = false;
  // `lockgraph confirm` (deadlocks and potential only): whether a run of the program, steered
  // toward this cycle, really deadlocked. `hang_locks` and `hang` are that deadlock as the
  // runtime caught it (an observed deadlock's locks and edges).
  struct Confirmation {
    bool tried = false;
    bool confirmed = false;
    int tries = 0;  // steered runs made, the one that deadlocked included
    std::vector<FindingLock> hang_locks;
    std::vector<FindingEdge> hang;
  };
  Confirmation confirmation;
  // Set by filters after the analysis.
  bool suppressed = false;
  bool in_baseline = false;

  bool counts() const { return !suppressed && !in_baseline; }
};

struct RuledOutCycle {
  std::vector<std::string> locks;  // labels, in cycle order
  bool class_level = false;
  std::string reason;              // "gate lock \"g\" (Lock created at x.cc:3)", ...
};

struct ClassStatsRow {
  std::string class_name;
  format::SyncKind kind = format::SyncKind::kLock;
  std::string site;
  uint64_t acquisitions = 0;
  uint64_t contended = 0;
  uint64_t wait_total_ns = 0;
  uint64_t wait_max_ns = 0;
  uint64_t wait_p50_ns = 0;  // upper bounds of the histogram buckets holding the quantile
  uint64_t wait_p99_ns = 0;
  uint64_t hold_samples = 0;
  uint64_t hold_total_ns = 0;  // estimated from the sampled holds
  uint64_t hold_max_ns = 0;    // of the sampled holds
};

struct Summary {
  uint64_t traces = 0;
  uint64_t records = 0;
  uint64_t threads = 0;
  uint64_t locks = 0;
  uint64_t classes = 0;
  uint64_t dependencies = 0;
  uint64_t cycles_checked = 0;
  uint64_t cycles_not_searched = 0;  // past --max-cycles, counted only
  uint64_t components_cut_short = 0; // cycle search bounded (length or steps)
  // Unnamed classes nested in themselves, not reported: they may be different members of one
  // object, built by one constructor (docs/analysis.md).
  uint64_t unnamed_self_nesting = 0;
};

// The lock-order graph between classes (for the DOT report): the classes that take part in
// an order, and each order A -> B (a thread took B while holding A; try-locks excluded, as in
// the analysis), with how often it was taken and by whom first.
struct OrderGraphNode {
  std::string class_name;  // the class key
  std::string label;       // `Lock "accounts"`, `pthread_mutex first used at x.cc:5`
  std::string site;        // "file:line" of the first instance seen, "" if unknown
  format::SyncKind kind = format::SyncKind::kLock;
};

struct OrderGraphEdge {
  size_t from = 0;  // indices into OrderGraph::nodes
  size_t to = 0;
  uint64_t count = 0;    // acquisitions in this order, all threads
  uint64_t threads = 0;  // distinct threads seen taking it (counted up to 64)
  FindingThread thread;  // the first thread seen taking it
  std::string site;      // where that thread took `to`: "file:line", "" if unknown
};

struct OrderGraph {
  std::vector<OrderGraphNode> nodes;  // sorted by class key
  std::vector<OrderGraphEdge> edges;  // sorted by (from, to)
};

struct Report {
  std::vector<Finding> findings;
  std::vector<RuledOutCycle> ruled_out;
  std::vector<ClassStatsRow> stats;  // sorted by total wait, largest first
  Summary summary;
  std::vector<std::string> warnings;
  OrderGraph order_graph;  // only if AnalysisOptions::order_graph asked for it
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FINDINGS_FINDING_H_
