// The online cycle check: the lock graph of this process's lock instances, updated with each
// new blocking dependency, and the witness search run on every cycle the new edge closes.
//
// A cycle is reported only if it has a witness by the rules of common/witness.h (distinct
// threads, an edge that can block, no common gate lock, not ordered by thread start/join):
// the same verdict `lockgraph analyze` gives later, never a noisier one. Each cycle (set of
// locks) is reported once.
//
//   OnlineChecker checker;
//   for (CycleFinding& cycle : checker.AddDependency(dep, locks)) Report(cycle);
//
// Thread-safe (one internal mutex; called only on cold paths). Memory is bounded: past
// kMaxDependencies the check stops, says so once, and the trace still has everything.
#ifndef LOCKGRAPH_RUNTIME_ONLINE_ONLINE_CHECKER_H_
#define LOCKGRAPH_RUNTIME_ONLINE_ONLINE_CHECKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/thread_order.h"
#include "common/trace_format.h"
#include "common/variable_namer.h"
#include "runtime/base/runtime_mutex.h"
#include "runtime/online/incremental_order_graph.h"

namespace lockgraph::runtime {

struct LockDescription {
  uint64_t id = 0;
  std::string class_name;
  format::SyncKind kind = format::SyncKind::kLock;
  std::string file;  // construction site
  uint32_t line = 0;
  bool named = false;
  uintptr_t site_pc = 0;  // preload objects: where first seen (file and line are unknown)
  // Preload objects: the frames that make the class, site_pc first, up to the program's
  // own line when site_pc is in the C++ library (an out-of-line std::mutex::lock); for a heap
  // class, the allocation.
  std::vector<uintptr_t> site_stack;
  format::ClassOrigin origin = format::ClassOrigin::kSite;
  uintptr_t object_address = 0;  // in static storage: the object, to name by its variable
  VariableName variable = {};  // once named (NameVariables), its variable
  std::vector<uintptr_t> first_use_stack = {};  // kStatic, kHeap: where the first object was used
};

struct HeldDescription {
  uint64_t id = 0;
  uint8_t flags = 0;
  uintptr_t pc = 0;  // where it was taken
};

struct CheckedDependency {
  uint64_t id = 0;
  uint32_t tid = 0;
  uint32_t segment = 0;
  uint64_t acquired = 0;
  uint8_t flags = 0;
  std::vector<HeldDescription> held;
  std::vector<uintptr_t> stack;  // where `acquired` was taken
};

// A cycle with its witness: edge i goes from locks[i] to locks[(i + 1) % n], by edges[i].
struct CycleFinding {
  std::vector<LockDescription> locks;
  std::vector<CheckedDependency> edges;
};

class OnlineChecker {
 public:
  static constexpr size_t kMaxDependencies = 200000;
  static constexpr int kMaxCycleLength = 8;
  static constexpr size_t kMaxWitnessesPerEdge = 64;

  // Adds a dependency that can block (no try-lock) and returns the new cycles it closes that
  // can deadlock. `locks` describes every lock it names.
  std::vector<CycleFinding> AddDependency(const CheckedDependency& dep,
                                          const std::vector<LockDescription>& locks)
      ABSL_LOCKS_EXCLUDED(mu_);

  void AddThreadStart(uint32_t child, uint32_t parent, uint32_t parent_segment)
      ABSL_LOCKS_EXCLUDED(mu_);
  void AddJoin(uint32_t joiner, uint32_t joiner_segment, uint32_t joined)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The lock was destroyed: its edges go (a cycle through it was reported when it closed).
  void RemoveLock(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);
  // A semaphore released by a thread that had not taken it: a signal, not a lock.
  void MarkSignal(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  // True once, the first time the dependency limit was hit.
  bool TakeLimitWarning() ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t dropped_dependencies() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t truncated_searches() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct StoredDependency {
    CheckedDependency dep;
    std::vector<uint64_t> held_ids;
    std::vector<uint64_t> held_shared_ids;  // of held_ids, those held shared only
    int edge_refs = 0;
  };

  void CheckEdgeLocked(IncrementalOrderGraph::EdgeId edge, uint32_t dep_index,
                       std::vector<CycleFinding>& findings) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseDependencyLocked(uint32_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveLockLocked(uint64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable RuntimeMutex mu_;
  IncrementalOrderGraph graph_ ABSL_GUARDED_BY(mu_);
  ThreadOrder order_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, LockDescription> locks_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint64_t> signals_ ABSL_GUARDED_BY(mu_);
  std::vector<StoredDependency> deps_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> free_deps_ ABSL_GUARDED_BY(mu_);
  size_t live_deps_ ABSL_GUARDED_BY(mu_) = 0;
  // edge id -> indices into deps_ of the dependencies that make the edge
  absl::flat_hash_map<IncrementalOrderGraph::EdgeId, std::vector<uint32_t>> witnesses_
      ABSL_GUARDED_BY(mu_);
  // edge id -> witnesses replaced since its list filled up
  absl::flat_hash_map<IncrementalOrderGraph::EdgeId, uint64_t> witness_turns_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::vector<uint64_t>> reported_ ABSL_GUARDED_BY(mu_);
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t truncated_ ABSL_GUARDED_BY(mu_) = 0;
  bool limit_warned_ ABSL_GUARDED_BY(mu_) = false;
  bool limit_pending_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_ONLINE_CHECKER_H_
