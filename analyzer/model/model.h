// The model the analysis works on: every trace given, merged. Threads and lock instances are
// numbered globally (a lock of one process is never a lock of another, except the objects
// shared by processes — ProcessLock, ProcessQueue — which are one instance wherever their
// global name appears); lock classes are merged by their string key, so the same class in two
// runs or two test binaries is one class.
//
//   Model model;
//   RETURN_IF_ERROR(model.AddTraceFile("a.lgtrace"));
//   RETURN_IF_ERROR(model.AddTraceFile("b.lgtrace"));
//   model.Finish();   // orders forked processes after their parents, before their joiners
//   for (const ModelDependency& d : model.dependencies()) ...
//
// Ids: thread, lock and class ids are indices from 1 (0 means none). Trace records stream
// through AddTraceFile, so memory grows with distinct behaviour, not with the file size.
#ifndef LOCKGRAPH_ANALYZER_MODEL_MODEL_H_
#define LOCKGRAPH_ANALYZER_MODEL_MODEL_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "analyzer/input/decoded_trace.h"
#include "analyzer/input/id_table.h"
#include "analyzer/input/trace_reader.h"
#include "analyzer/model/chunked_vector.h"
#include "common/thread_order.h"
#include "common/trace_format.h"
#include "common/wait_histogram.h"

namespace lockgraph::analyzer {

// A stack in one of the traces (for symbolization).
struct StackRef {
  uint32_t trace = 0;
  uint64_t id = 0;  // 0: no stack
  bool operator==(const StackRef&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const StackRef& s) {
    return H::combine(std::move(h), s.trace, s.id);
  }
};

// An object in static storage: an address in a module of a trace (for naming its variable).
struct ObjectRef {
  uint32_t trace = 0;
  uint64_t module = 0;  // a ModuleRecord id; 0: none
  uint64_t offset = 0;
};

struct ModelThread {
  uint32_t trace = 0;
  uint32_t tid = 0;  // as recorded in its trace
  std::string name;
  uint32_t parent = 0;  // the thread (or forking thread) that started it; 0 if not known
  uint32_t parent_segment = 0;
};

struct ModelClass {
  std::string name;  // the key: explicit name or "file:line"
  format::SyncKind kind = format::SyncKind::kLock;
  std::string file;  // construction site of the first instance seen
  uint32_t line = 0;
  std::string function;
  StackRef site_stack;  // preload classes: where they were first seen (see ResolveSites)
  // The keys the runtime gave this class in the traces: its name, or for preload classes
  // merged by ResolveSites each "module+offset" key (what `lockgraph confirm` steers by).
  std::vector<std::string> trace_keys;
  // Preload classes of one object in static storage (`object`; once resolved, `variable` is
  // its name and file:line its declaration if `declared`, else where it was first used) or
  // of a heap allocation site (file:line is the allocation, `object_offset` the lock's offset
  // in the block). `first_use`: where the first object was first used.
  format::ClassOrigin origin = format::ClassOrigin::kSite;
  ObjectRef object;
  uint64_t object_offset = 0;
  StackRef first_use;
  std::string variable;
  bool declared = false;

  // A preload class named by where it was first seen: Model::ResolveSites names it by the
  // source line its stack resolves to, and merges it with the classes that resolve there.
  bool ResolvedBySite() const {
    return origin != format::ClassOrigin::kStatic && file.empty() && site_stack.id != 0;
  }
};

// One per lock instance: millions in a large run, so its fields are laid out without
// padding, its strings are the model's (Model::Intern), a view each, not a copy each, and its
// stack and object are ids in its own trace, not a StackRef and an ObjectRef that would each
// repeat the trace: 88 bytes, not 120.
struct ModelLock {
  uint32_t trace = 0;
  uint32_t class_id = 0;
  uint64_t instance = 0;  // as recorded in its trace
  absl::string_view file;  // this instance's construction site
  // An unnamed wrapper lock in static storage: its variable (ResolveSites), from `object()`.
  absl::string_view variable;
  int64_t initial_value = 0;
  uint64_t site_stack_id = 0;  // preload objects: where first seen
  uint64_t object_module = 0;  // an unnamed wrapper lock in static storage: where it is
  uint64_t object_offset = 0;
  uint32_t line = 0;
  format::SyncKind kind = format::SyncKind::kLock;
  bool signal = false;  // a semaphore released by a thread that had not taken it

  StackRef site_stack() const { return {trace, site_stack_id}; }
  ObjectRef object() const { return {trace, object_module, object_offset}; }
};

// 16 bytes, not the 24 a StackRef would make: a large trace holds millions.
struct HeldRef {
  uint32_t lock = 0;
  uint8_t flags = 0;
  uint64_t site_id = 0;  // one frame: where it was taken, a stack of its dependency's trace
};

struct ModelDependency {
  uint32_t thread = 0;
  uint32_t segment = 0;
  uint32_t acquired = 0;
  uint8_t flags = 0;
  StackRef stack;
  uint64_t count = 1;
  uint64_t time_ns = 0;  // first seen, since its process started
  std::span<const HeldRef> held;  // in the model's HeldPool, outermost first

  // Where held lock `i` was taken.
  StackRef held_site(size_t i) const { return {stack.trace, held[i].site_id}; }
};

// Where the held lists of a model's dependencies live: large blocks, filled in turn, so that
// a list allocated later lies after those before it. One allocation per many thousand
// dependencies instead of one per dependency. Lists move only when some are dropped: those
// kept move down over the dropped ones (MoveDown), in place.
class HeldPool {
 public:
  // Room for `n` held locks, contiguous, after every list allocated before.
  std::span<HeldRef> Allocate(size_t n);

  // A place in the pool: the lists allocated after it was taken (end()) lie after it.
  struct Position {
    size_t block = 0;
    size_t used = 0;  // held locks of that block before the place
  };
  Position end() const;
  // Moves `list`, which lies at or after `to`, down to `to`, and moves `to` past it: lists
  // moved in the order they were allocated, each once, overwrite only lists before them.
  std::span<HeldRef> MoveDown(std::span<const HeldRef> list, Position& to);
  // Frees the lists after `end` (their spans dangle): lists are allocated after it next.
  void Truncate(Position end);

 private:
  static constexpr size_t kBlock = 1 << 16;
  struct FreeBlock {
    void operator()(HeldRef* block) const { ::operator delete(block); }
  };
  struct Block {
    // Written only as lists are allocated: no pass that zeroes it first.
    std::unique_ptr<HeldRef[], FreeBlock> data;
    size_t size = 0;  // kBlock, or more for a list longer than that
  };
  std::vector<Block> blocks_;
  size_t used_ = 0;  // in the last block
};

struct ModelWait {
  uint32_t thread = 0;
  uint32_t lock = 0;
  uint64_t wait_ns = 0;
  uint32_t holder = 0;  // 0 if unknown
  StackRef waiter_stack;
  StackRef holder_stack;
  bool timed_out = false;
};

struct ModelMisuse {
  format::MisuseKind kind = format::MisuseKind::kReleaseUnheld;
  uint32_t thread = 0;
  uint32_t lock = 0;   // 0 if none
  uint32_t other = 0;  // another thread involved, 0 if none
  StackRef stack;
  std::string detail;
};

// One thread of a deadlock that happened (format::DeadlockRecord): it holds `held` (taken at
// `held_site`) and waits for `waits_for` (at `wait_stack`), which the next thread holds.
struct ModelDeadlockThread {
  uint32_t thread = 0;
  uint32_t held = 0;
  StackRef held_site;
  uint32_t waits_for = 0;
  uint8_t flags = 0;
  StackRef wait_stack;
};

struct ModelObservedDeadlock {
  uint64_t time_ns = 0;
  std::vector<ModelDeadlockThread> threads;  // threads[i] waits for what threads[i + 1] holds
};

// One annotated access of a data race (full mode).
struct ModelAccess {
  uint32_t thread = 0;
  bool write = false;
  uint64_t time_ns = 0;  // when it happened, on its trace's clock
  StackRef site;
  std::vector<uint32_t> held;  // locks held, outermost first
};

// Two accesses to one location, at least one a write, that no synchronisation orders.
struct ModelRace {
  uint32_t variable = 0;  // a Shared<T> (its lock id), or 0 for raw memory:
  uint32_t trace = 0;     //   the trace (process) and start address of the raw memory
  uint64_t address = 0;
  uint64_t size = 0;
  ModelAccess first;   // the earlier in time (in the replay, if their times tie)
  ModelAccess second;
  uint64_t count = 1;  // racing pairs seen at these two sites
};

struct ClassStatistics {
  uint64_t acquisitions = 0;
  uint64_t contended = 0;
  uint64_t wait_total_ns = 0;
  uint64_t wait_max_ns = 0;
  uint64_t hold_samples = 0;
  uint64_t hold_total_ns = 0;
  uint64_t hold_max_ns = 0;
  std::array<uint64_t, format::kWaitBuckets> wait_histogram = {};

  void Merge(const ClassStatistics& other);
};

// What one trace brought into the model: dependencies [first_dependency, end_dependency),
// the locks it named first, [first_lock, end_lock), and its threads, [first_thread,
// end_thread). A trace's dependencies are filed together, and its threads are its own.
// Without process-wide locks (Model::has_process_wide_locks), a trace's dependencies hold and
// take only its own locks.
struct TraceExtent {
  uint32_t first_dependency = 0;
  uint32_t end_dependency = 0;
  uint32_t first_lock = 1;
  uint32_t end_lock = 1;
  uint32_t first_thread = 1;
  uint32_t end_thread = 1;
};

class Model {
 public:
  // Reads one trace file into the model. Errors name the file (and byte offset); warnings
  // (a file cut short) go to warnings().
  absl::Status AddTraceFile(const std::string& path, const ReadProgress& progress = {});
  // The same for a trace built in memory (an importer's output, analyzer/input/std_importer.h):
  // `name` stands for its file in messages. The bytes are kept for the full-mode replay.
  absl::Status AddTraceBytes(const std::string& name, std::string bytes);
  // The same for a trace file parsed before (analyzer/input/decoded_trace.h): the model is
  // as AddTraceFile of its file would leave it.
  absl::Status AddDecodedTrace(DecodedTrace decoded);
  // The next file of `prefetcher` (analyzer/input/trace_prefetcher.h), which is `path`,
  // piece after piece as it parses them (if it leaves the file to the caller, by
  // AddTraceFile). `progress` sees each piece once it is filed.
  absl::Status AddPrefetchedTrace(class TracePrefetcher& prefetcher, const std::string& path,
                                  const ReadProgress& progress = {});
  // Call once all traces are in: orders each forked process after its parent's fork, and
  // before what its parent did after joining it (lockgraph::Process::join).
  void Finish();
  // Objects seen by the LD_PRELOAD interposer have no source site in the trace, only a stack
  // of where they were first seen: this fills their file, line and function from it (the
  // first frame of the program's own code), and merges classes that resolve to one line.
  // Call after the last AddTraceFile and before the analysis.
  void ResolveSites(class StackSymbolizer& symbolizer);

  const std::vector<Trace>& traces() const { return traces_; }
  // By trace, in the order of traces().
  const std::vector<TraceExtent>& trace_extents() const { return trace_extents_; }
  // True if a lock of one trace may be a lock of another (ProcessLock, ProcessQueue).
  bool has_process_wide_locks() const { return !lock_by_global_name_.empty(); }
  const ModelThread& thread(uint32_t id) const { return threads_[id]; }
  const ModelClass& lock_class(uint32_t id) const { return classes_[id]; }
  // Lock `id`: every lock, unless ShrinkLastTrace dropped some; then not one of those.
  const ModelLock& lock(uint32_t id) const {
    return id >= first_resident_lock_ ? locks_[kept_lock_ids_.size() + id - first_resident_lock_]
                                      : KeptLock(id);
  }
  size_t thread_count() const { return threads_.size() - 1; }
  size_t class_count() const { return classes_.size() - 1; }
  // Every lock read, kept or not: ids 1..lock_count().
  size_t lock_count() const { return end_lock() - 1; }
  // The dependencies kept: all of them, unless KeepDependenciesOfLastTrace dropped some.
  const ChunkedVector<ModelDependency>& dependencies() const { return dependencies_; }
  // Every dependency read, kept or not.
  uint64_t dependencies_read() const { return dependencies_read_; }
  // Drops the last trace's dependencies but those at `keep` (ascending indices in its extent),
  // which move down to the start of its extent in their order: keep[i] becomes
  // first_dependency + i. For an analysis that takes from each trace what it needs as it is
  // read (analyzer/streamed_cycles.h), so that memory follows the largest trace, not the sum.
  void KeepDependenciesOfLastTrace(const std::vector<uint32_t>& keep);
  // Then drops what of the last trace only its dropped dependencies needed, so that the
  // tables too follow the largest trace, not the sum:
  //   - its locks but those its kept dependencies, long waits, misuses and observed
  //     deadlocks name (all the findings read). Their ids stay; no dropped id is given again,
  //     and LockId no longer answers for the trace;
  //   - its stacks but those these, its kept locks and the classes it brought name;
  //   - its strings but the module paths and names (what the symbolizer reads).
  // Only without process-wide locks, whose ids later traces use. True if it dropped any.
  bool ShrinkLastTrace();
  const std::vector<ModelWait>& waits() const { return waits_; }
  const std::vector<ModelMisuse>& misuses() const { return misuses_; }
  // Deadlocks that happened, as the runtime's live check recorded them.
  const std::vector<ModelObservedDeadlock>& observed_deadlocks() const {
    return observed_deadlocks_;
  }
  const std::vector<ModelRace>& races() const { return races_; }
  // Model ids of a trace's thread and instance ids; 0 if not in the model (or, for an
  // instance, if ShrinkLastTrace dropped its trace's locks).
  uint32_t ThreadId(uint32_t trace, uint32_t tid) const;
  uint32_t LockId(uint32_t trace, uint64_t instance) const {
    return trace < lock_ids_.size() ? lock_ids_[trace].Get(instance) : 0;
  }
  // True if any trace was recorded in full mode (its events can be replayed).
  bool has_events() const { return has_events_; }
  // True if a trace recorded joining a child process (lockgraph::Process::join), whose
  // order Finish() adds across traces.
  bool has_process_joins() const { return !process_joins_.empty(); }
  // What the full-mode replay (analyzer/replay/event_replay.h) adds: signal orders and races.
  ThreadOrder& mutable_order() { return order_; }
  void AddRaces(std::vector<ModelRace> races);
  void AddWarning(std::string warning) { warnings_.push_back(std::move(warning)); }
  // By class id.
  const absl::flat_hash_map<uint32_t, ClassStatistics>& statistics() const { return statistics_; }
  const ThreadOrder& order() const { return order_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  uint64_t record_count() const { return record_count_; }

 private:
  class TraceLoader;

  uint32_t ClassFor(const std::string& name, const format::ClassRecord& record,
                    const Trace& trace);
  // The model's copy of `text`, one per distinct text, for as long as the model lives.
  absl::string_view Intern(absl::string_view text);
  void OrderProcessJoins();
  void JoinDeadlocksAcrossProcesses();

  // A ProcessJoinRecord, resolved in Finish(): its child's trace may come later.
  struct ProcessJoin {
    uint32_t trace = 0;   // the joiner's
    uint32_t joiner = 0;  // thread id
    uint32_t segment = 0;
    uint64_t child_pid = 0;
    uint64_t time_ns = 0;
  };

  uint32_t end_lock() const {
    return first_resident_lock_ + static_cast<uint32_t>(locks_.size() - kept_lock_ids_.size());
  }
  const ModelLock& KeptLock(uint32_t id) const;
  ModelLock& resident_lock(uint32_t id) {
    return locks_[kept_lock_ids_.size() + id - first_resident_lock_];
  }

  // Files one trace, whose records `read` passes to the loader it is given.
  absl::Status AddTrace(const std::function<absl::StatusOr<Trace>(TraceLoader&)>& read);

  std::vector<Trace> traces_;
  std::vector<TraceExtent> trace_extents_;
  std::vector<ModelThread> threads_ = std::vector<ModelThread>(1);
  std::vector<ModelClass> classes_ = std::vector<ModelClass>(1);
  // The locks ShrinkLastTrace kept, ascending by id (their ids in kept_lock_ids_, the
  // placeholder 0 first), then the resident ones: first_resident_lock_.. (from 0, the
  // placeholder, until ShrinkLastTrace). In blocks, so that a large trace's hundred thousand
  // locks are neither copied as they grow nor when it keeps them: they move down in place.
  ChunkedVector<ModelLock, 12> locks_ = ChunkedVector<ModelLock, 12>(1);
  uint32_t first_resident_lock_ = 0;
  std::vector<uint32_t> kept_lock_ids_;
  // Where the last trace's classes, long waits, misuses and observed deadlocks begin.
  size_t last_trace_classes_ = 0;
  size_t last_trace_waits_ = 0;
  size_t last_trace_misuses_ = 0;
  size_t last_trace_deadlocks_ = 0;
  ChunkedVector<ModelDependency> dependencies_;
  HeldPool held_pool_;  // the dependencies' held lists
  HeldPool::Position last_trace_held_;  // where the last trace's begin
  uint64_t dependencies_read_ = 0;
  std::vector<ModelWait> waits_;
  std::vector<ModelMisuse> misuses_;
  std::vector<ModelObservedDeadlock> observed_deadlocks_;
  std::vector<ModelRace> races_;
  std::vector<IdTable<uint32_t>> lock_ids_;  // per trace: instance -> lock id
  bool has_events_ = false;
  absl::flat_hash_map<uint32_t, ClassStatistics> statistics_;
  absl::flat_hash_map<std::string, uint32_t> class_by_name_;
  absl::node_hash_set<std::string> interned_;  // nodes: a view stays valid as the set grows
  // (kind, global name) -> lock id: one instance however many processes use it.
  absl::flat_hash_map<std::pair<format::SyncKind, std::string>, uint32_t> lock_by_global_name_;
  std::vector<ProcessJoin> process_joins_;
  // By trace: the time of its first thread-start record (when a forked child began), or
  // UINT64_MAX if it has none.
  std::vector<uint64_t> trace_start_ns_;
  // (trace, tid) -> thread id
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, uint32_t> thread_ids_;
  ThreadOrder order_;
  std::vector<std::string> warnings_;
  uint64_t record_count_ = 0;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_MODEL_MODEL_H_
