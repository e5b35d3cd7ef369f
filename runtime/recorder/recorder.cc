#include "runtime/recorder/recorder.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "lockgraph/internal/raw_sync.h"
#include "lockgraph/internal/template_hooks.h"
#include "lockgraph/options.h"
#include "runtime/base/stderr.h"
#include "runtime/online/online_report.h"
#include "runtime/online/report_inputs.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/event_log.h"
#include "runtime/recorder/handle_flags.h"
#include "runtime/recorder/process_recorder.h"
#include "runtime/trace/stack_capture.h"

namespace lockgraph::runtime {

constinit thread_local ThreadState* t_thread ABSL_ATTRIBUTE_INITIAL_EXEC = nullptr;
constinit thread_local int t_runtime_depth ABSL_ATTRIBUTE_INITIAL_EXEC = 0;

namespace {

ABSL_CONST_INIT thread_local bool t_exited ABSL_ATTRIBUTE_INITIAL_EXEC = false;

// Retires the thread's state when the thread exits. Armed (its destructor registered) when
// the state is created, so user thread_local objects made before it are destroyed after it
// and see t_exited.
struct ThreadExit {
  bool armed = false;
  ~ThreadExit();
};
thread_local ThreadExit t_exit;

// Dependency cache: linear probing over a small window; the cache grows to kMaxCache slots
// (2 MiB), then a miss evicts (after writing the victim's count). memcached's workers make
// about 30,000 dependencies each (item locks by lock-table bucket, nested with the LRU and
// slab locks): at 16,384 slots they evicted 61,000 times a second, each eviction and re-entry
// a cold path; at 65,536, a few hundred times (docs/performance.md).
constexpr uint64_t kProbeWindow = 8;
constexpr uint64_t kMaxCache = uint64_t{1} << 16;

std::string DefaultThreadName() {
  if (getpid() == static_cast<pid_t>(syscall(SYS_gettid))) return "main";
  return {};
}

ThreadState* CreateState(SpawnPoint from, std::string name) {
  ThreadState* ts;
  {
    ColdPath cold;
    ts = cold.recorder().NewThreadState(from.parent, from.segment, std::move(name));
  }
  t_thread = ts;
  t_exit.armed = true;
  return ts;
}

ThreadExit::~ThreadExit() {
  // Detach the state first: nothing may reach it while it is retired and freed.
  ThreadState* ts = t_thread;
  t_thread = nullptr;
  t_exited = true;
  if (ts != nullptr) {
    ColdPath cold;
    cold.recorder().RetireThreadState(ts);
  }
}

void EraseHeld(ThreadState* ts, int index) {
  const size_t above = static_cast<size_t>(ts->depth - index - 1);
  std::memmove(&ts->held[index], &ts->held[index + 1], sizeof(HeldEntry) * above);
  std::memmove(&ts->hold_since[index], &ts->hold_since[index + 1], sizeof(int64_t) * above);
  --ts->depth;
  RecomputeChains(ts, index);
}

// Drops the locks other threads released for this one (ReleasedByOtherThread).
void DrainNotices(ThreadState* ts) {
  std::vector<uint64_t> released;
  {
    RuntimeMutexLock hold(ts->notices_mu);
    released.swap(ts->notices);
    ts->has_notices.store(false, std::memory_order_relaxed);
  }
  for (uint64_t id : released) {
    for (int i = 0; i < ts->depth; ++i) {
      if (ts->held[i].id() == id) {
        EraseHeld(ts, i);
        break;
      }
    }
  }
}

void WriteCount(ProcessRecorder& rt, const DependencySlot& slot) {
  if (slot.generation != rt.trace_generation()) return;  // its dependency is in a closed file
  rt.writer().Write(
      [&](TraceWriter::Scope& out) {
        out.Add(format::DependencyCountRecord{slot.dep_id, slot.unflushed});
      },
      /*flush=*/false);
}

void GrowCache(ProcessRecorder& rt, ThreadState* ts);

// An empty slot in the probe window of `key`, or null.
DependencySlot* EmptySlot(ThreadState* ts, uint64_t key) {
  for (uint64_t i = 0; i < kProbeWindow; ++i) {
    DependencySlot& slot = ts->cache[(key + i) & ts->cache_mask];
    if (slot.key == 0) return &slot;
  }
  return nullptr;
}

// Puts a dependency in the thread's cache, evicting a neighbour if the window is full.
void InsertCache(ProcessRecorder& rt, ThreadState* ts, uint64_t key, uint64_t dep_id,
                 uint64_t unflushed) {
  if ((ts->cache_used + 1) * 2 > ts->cache_mask + 1 && ts->cache_mask + 1 < kMaxCache) {
    GrowCache(rt, ts);
  }
  DependencySlot* target = EmptySlot(ts, key);
  // A full window evicts only once the cache is at its largest; below that it grows. Else
  // two dependencies that collide evict each other at each use, each eviction writes a count
  // record, and the trace grows with the number of acquisitions (64 threads with 190
  // dependencies each evicted 16,000 times in 20,000 rounds: tests/stress/many_locks_test.cc).
  while (target == nullptr && ts->cache_mask + 1 < kMaxCache) {
    GrowCache(rt, ts);
    target = EmptySlot(ts, key);
  }
  if (target != nullptr) {
    ++ts->cache_used;
  } else {
    target = &ts->cache[key & ts->cache_mask];
    if (target->unflushed != 0) WriteCount(rt, *target);
    rt.cache_evictions.fetch_add(1, std::memory_order_relaxed);
  }
  *target = DependencySlot{key, dep_id, unflushed, rt.trace_generation()};
}

void GrowCache(ProcessRecorder& rt, ThreadState* ts) {
  const uint64_t old_size = ts->cache_mask + 1;
  // The old array is kept until the thread ends: the thread's hot path, interrupted by a
  // signal handler whose lock grew the cache, may still count in the slot it had found.
  // The arrays kept add up to less than the one in use.
  DependencySlot* old = ts->cache.get();
  ts->retired_caches.push_back(std::move(ts->cache));
  ts->cache = std::make_unique<DependencySlot[]>(old_size * 2);
  ts->cache_mask = old_size * 2 - 1;
  ts->cache_used = 0;
  // A slot of a closed trace file is dropped, not carried over: stamped with the current
  // generation, its dependency would count in a file that never defined it.
  const uint32_t generation = rt.trace_generation();
  for (uint64_t i = 0; i < old_size; ++i) {
    if (old[i].key != 0 && old[i].generation == generation) {
      InsertCache(rt, ts, old[i].key, old[i].dep_id, old[i].unflushed);
    }
  }
}

// Writes a new dependency and runs the online cycle check on it.
void RecordNewDependency(ProcessRecorder& rt, ThreadState* ts, const internal::SyncHandle& sync,
                         uint8_t flags, uint64_t dep_id, uintptr_t caller_pc) {
  uintptr_t pcs[kMaxStackDepth + kInternalFrames];
  const int depth = CaptureStack(pcs, rt.stack_depth(), caller_pc);
  rt.writer().Write(
      [&](TraceWriter::Scope& out) {
        format::DependencyRecord record;
        record.id = dep_id;
        record.tid = ts->tid;
        record.segment = ts->segment;
        record.acquired = out.Instance(sync);
        record.flags = flags;
        for (int i = 0; i < ts->depth; ++i) {
          const HeldEntry& e = ts->held[i];
          record.held.push_back({out.Instance(*e.sync), static_cast<uint8_t>(e.flags() & kTraceFlagsMask),
                                 out.Stack({&e.pc, 1})});
        }
        record.stack_id = out.Stack({pcs, static_cast<size_t>(depth)});
        record.time_ns = rt.Now();
        out.Add(record);
      },
      /*flush=*/true);

  // A try-lock cannot block, so it never closes a cycle (it still joins the held set).
  if ((flags & format::kAcquireTry) != 0) return;
  CheckedDependency dep;
  dep.id = dep_id;
  dep.tid = ts->tid;
  dep.segment = ts->segment;
  dep.acquired = sync.id;
  dep.flags = flags;
  dep.stack.assign(pcs, pcs + depth);
  std::vector<LockDescription> locks = {DescribeLock(rt, sync)};
  const_cast<internal::SyncHandle&>(sync).flags.fetch_or(kHandleInGraph, std::memory_order_relaxed);
  for (int i = 0; i < ts->depth; ++i) {
    const HeldEntry& e = ts->held[i];
    dep.held.push_back({e.id(), static_cast<uint8_t>(e.flags() & kTraceFlagsMask), e.pc});
    locks.push_back(DescribeLock(rt, *e.sync));
    const_cast<internal::SyncHandle*>(e.sync)->flags.fetch_or(kHandleInGraph,
                                                              std::memory_order_relaxed);
  }
  std::vector<CycleFinding> cycles = rt.checker().AddDependency(dep, locks);
  if (rt.checker().TakeLimitWarning()) {
    StderrLine(absl::StrCat("lockgraph: the online cycle check keeps at most ",
                            OnlineChecker::kMaxDependencies,
                            " dependencies and stops here; `lockgraph analyze` still sees all "
                            "of them in the trace"));
  }
  if (cycles.empty() || rt.on_cycle() == OnCycle::kIgnore) return;
  const std::string trace_path = rt.writer().path();
  for (CycleFinding& cycle : cycles) {
    if (rt.quiet() && rt.on_cycle() != OnCycle::kAbort) continue;
    std::vector<LockDescription*> named;
    for (LockDescription& lock : cycle.locks) named.push_back(&lock);
    NameVariables(rt, named);
    StderrLine(FormatCycleReport(cycle, SymbolizePcs(rt, PcsOf(cycle)),
                                 [&](uint32_t tid) { return rt.ThreadName(tid); }, trace_path));
  }
  if (rt.on_cycle() == OnCycle::kAbort) {
    StderrLine("lockgraph: aborting (on_cycle=abort)");
    abort();
  }
}

}  // namespace

ThreadState* CurrentThreadSlow() {
  if (t_exited) return nullptr;
  return CreateState({}, DefaultThreadName());
}

uint64_t NoteDependencySlow(ThreadState* ts, const internal::SyncHandle& sync, uint8_t flags,
                            uint64_t key, uint64_t chain, uintptr_t caller_pc) {
  // A signal handler that takes a lock while its thread is inside the recorder (which may
  // hold the trace writer's mutex, not recursive): the lock is taken and held as usual, its
  // dependency goes unrecorded, so the handler does not wait for its own thread.
  if (ABSL_PREDICT_FALSE(t_runtime_depth > 0)) return chain;
  // A dependency cached outside its home slot (its window's first slot was taken) is only
  // counted: no cold path, whose signal blocking and fork lock cost two system calls and a
  // shared lock on every such acquisition. Safe without them as the hot path's probe is: a
  // signal handler that grows the cache leaves the old array alive.
  if (!ts->has_notices.load(std::memory_order_acquire)) {
    const uint16_t generation = ts->cache_generation.load(std::memory_order_relaxed);
    for (uint64_t i = 1; i < kProbeWindow; ++i) {
      DependencySlot& slot = ts->cache[(key + i) & ts->cache_mask];
      if (slot.key == key && static_cast<uint16_t>(slot.generation) == generation) {
        ++slot.unflushed;
        return chain;
      }
    }
  }
  ColdPath cold;
  ProcessRecorder& rt = cold.recorder();
  rt.dependency_cold_paths.fetch_add(1, std::memory_order_relaxed);
  if (ts->has_notices.load(std::memory_order_acquire)) {
    DrainNotices(ts);
    const int depth = ts->depth;
    if (depth == 0) return FirstChain(sync.id, flags);
    chain = MixChain(ts->held[depth - 1].chain, sync.id, flags);
    key = (chain ^ (uint64_t{ts->segment} * 0xd6e8feb86659fd93ull)) | 1;
  }
  const uint32_t generation = rt.trace_generation();
  for (uint64_t i = 0; i < kProbeWindow; ++i) {
    DependencySlot& slot = ts->cache[(key + i) & ts->cache_mask];
    if (slot.key == key) {
      if (slot.generation != generation) {
        slot.key = 0;  // recorded in a closed trace: record it again below
        --ts->cache_used;
        break;
      }
      ++slot.unflushed;
      return chain;
    }
  }
  bool created = false;
  const uint64_t dep_id = rt.DependencyId(ts->tid, ts->segment, key, &created);
  // A dependency evicted from the cache and seen again is counted, not written again.
  InsertCache(rt, ts, key, dep_id, created ? 0 : 1);
  if (created) RecordNewDependency(rt, ts, sync, flags, dep_id, caller_pc);
  return chain;
}

namespace {

// Takes `sync` off the held stack, wherever it is.
PopResult PopHeldEntry(ThreadState* ts, const internal::SyncHandle& sync, uintptr_t* pc) {
  for (int i = ts->depth - 1; i >= 0; --i) {
    if (ts->held[i].id() == sync.id) {
      *pc = ts->held[i].pc;
      if ((ts->held[i].flags() & kHeldSampled) != 0) EndHoldSample(ts, i);
      EraseHeld(ts, i);
      return PopResult::kPopped;
    }
  }
  *pc = 0;
  if (ts->untracked > 0) {
    --ts->untracked;  // maybe one of the locks taken beyond kMaxHeld
    return PopResult::kUntracked;
  }
  return PopResult::kNotHeld;
}

}  // namespace

PopResult PopHeldSlow(ThreadState* ts, const internal::SyncHandle& sync, uintptr_t* pc) {
  const PopResult result = PopHeldEntry(ts, sync, pc);
  // Logged even when not held here (a Lock released by another thread): the release is what
  // the next acquisition waits for.
  if (ts->events != nullptr) LogRelease(ts, sync);
  return result;
}

void StartHoldSample(ThreadState* ts, int index) {
  ts->held[index].add_flags(kHeldSampled);
  ts->hold_since[index] = internal::MonotonicNanos();
  // Picks up a Configure()d hold_sample.
  ts->hold_countdown = ProcessRecorder::Get().hold_sample();
}

void EndHoldSample(ThreadState* ts, int index) {
  const int64_t held = internal::MonotonicNanos() - ts->hold_since[index];
  const uint64_t ns = held > 0 ? static_cast<uint64_t>(held) : 0;
  // The class was counted when the hold began, so its counters exist.
  ThreadClassCounters& counters = ts->class_counters[ts->held[index].sync->class_id];
  ++counters.hold_samples;
  counters.hold_total_ns += ns;
  counters.hold_max_ns = std::max(counters.hold_max_ns, ns);
}

void GrowClassCounts(ThreadState* ts, uint32_t class_id) {
  // Allocates, outside any ColdPath: a signal handler whose lock grew the counters too would
  // otherwise call the allocator inside this thread's own allocation (a deadlock in malloc).
  SignalDeferral signals;
  const uint32_t capacity = std::max({class_id + 1, ts->class_capacity * 2, 64u});
  auto grown = std::make_unique<ThreadClassCounters[]>(capacity);
  std::copy(ts->class_counters.get(), ts->class_counters.get() + ts->class_capacity,
            grown.get());
  ts->class_counters = std::move(grown);
  ts->class_capacity = capacity;
  ++ts->class_counters[class_id].acquisitions;
}

uint32_t ExitingThreadId() {
  static constexpr uint32_t kExitingBit = 0x80000000u;
  return kExitingBit | static_cast<uint32_t>(syscall(SYS_gettid));
}

bool IsSignal(const internal::SyncHandle& sync) {
  return (sync.flags.load(std::memory_order_relaxed) & kHandleSignal) != 0;
}

void NoteHeldOverflow(ThreadState* ts) {
  ++ts->untracked;
  ProcessRecorder::Get().held_overflows.fetch_add(1, std::memory_order_relaxed);
}

bool IsHeldByCaller(ThreadState* ts, const internal::SyncHandle& sync) {
  for (int i = 0; i < ts->depth; ++i) {
    if (ts->held[i].id() == sync.id) return true;
  }
  return false;
}

void RecordContention(ThreadState* ts, const internal::SyncHandle& sync, int64_t wait_ns,
                      uint32_t holder_tid, uintptr_t holder_pc, bool timed_out,
                      uintptr_t caller_pc) {
  ProcessRecorder& rt = ProcessRecorder::Get();
  const uint64_t ns = wait_ns > 0 ? static_cast<uint64_t>(wait_ns) : 0;
  rt.registry().Class(sync.class_id).AddWait(ns);
  if (ts != nullptr && ts->events != nullptr) {
    LogSyncEvent(ts, format::EventOp::kWait, sync, {.size = ns});
    if (timed_out) LogSyncEvent(ts, format::EventOp::kTimeout, sync, {});
  }
  // t_runtime_depth: a signal handler's wait inside the recorder (see NoteDependencySlow).
  if (ts == nullptr || wait_ns < rt.long_wait_ns() || t_runtime_depth > 0) return;
  ColdPath cold;
  rt.long_waits.fetch_add(1, std::memory_order_relaxed);
  uintptr_t pcs[kMaxStackDepth + kInternalFrames];
  const int depth = CaptureStack(pcs, rt.stack_depth(), caller_pc);
  rt.writer().Write(
      [&](TraceWriter::Scope& out) {
        format::LongWaitRecord record;
        record.tid = ts->tid;
        record.segment = ts->segment;
        record.instance = out.Instance(sync);
        record.wait_ns = ns;
        record.holder_tid = holder_tid;
        record.waiter_stack = out.Stack({pcs, static_cast<size_t>(depth)});
        record.holder_stack = holder_pc != 0 ? out.Stack({&holder_pc, 1}) : 0;
        record.time_ns = rt.Now();
        record.flags = timed_out ? format::kWaitTimedOut : 0;
        out.Add(record);
      },
      /*flush=*/true);
}

void ReportMisuse(ThreadState* ts, const internal::SyncHandle* sync, format::MisuseKind kind,
                  uint32_t other_tid, absl::string_view what) {
  ColdPath cold;
  ProcessRecorder& rt = cold.recorder();
  uintptr_t pcs[kMaxStackDepth + kInternalFrames];
  const int depth = CaptureStack(pcs, rt.stack_depth());
  const uint32_t tid = CurrentTid(ts);
  const bool abort_now = rt.on_misuse() == OnMisuse::kAbort;
  const bool print = !rt.quiet() || abort_now;
  const std::vector<uintptr_t> stack(pcs, pcs + depth);
  SymbolTable symbols;
  if (print) {
    std::vector<uintptr_t> wanted = stack;
    if (sync != nullptr) {
      const std::vector<uintptr_t>& site = rt.registry().Class(sync->class_id).site_stack;
      wanted.push_back(sync->site_pc);
      if (sync->site_pc != 0) wanted.insert(wanted.end(), site.begin(), site.end());
    }
    symbols = SymbolizePcs(rt, std::move(wanted));
  }
  std::string lock_label = "?";
  if (sync != nullptr) {
    LockDescription lock = DescribeLock(rt, *sync);
    if (print) NameVariables(rt, {&lock});
    lock_label = LockLabel(lock, symbols);
  }
  const std::string other = absl::StrCat("thread ", other_tid, " \"", rt.ThreadName(other_tid), "\"");
  const std::string headline =
      absl::StrCat("thread ", tid, " \"", rt.ThreadName(tid), "\" ",
                   absl::StrReplaceAll(what, {{"{lock}", lock_label}, {"{other}", other}}));
  rt.writer().Write(
      [&](TraceWriter::Scope& out) {
        format::MisuseRecord record;
        record.kind = kind;
        record.tid = tid;
        record.instance = sync != nullptr ? out.Instance(*sync) : 0;
        record.other_tid = other_tid;
        record.stack_id = out.Stack({pcs, static_cast<size_t>(depth)});
        record.time_ns = rt.Now();
        record.detail_sid = out.String(headline);
        out.Add(record);
      },
      /*flush=*/true);
  if (print) {
    StderrLine(FormatMisuseReport(format::MisuseKindName(kind), headline, stack, symbols));
  }
  if (abort_now) {
    StderrLine("lockgraph: aborting (on_misuse=abort)");
    abort();
  }
}

void ReleasedByOtherThread(uint32_t owner, const internal::SyncHandle& sync) {
  ColdPath cold;
  cold.recorder().PostNotice(owner, sync.id);
}

void MarkSignal(ThreadState* ts, const internal::SyncHandle& sync) {
  auto& flags = const_cast<internal::SyncHandle&>(sync).flags;
  if ((flags.fetch_or(kHandleSignal, std::memory_order_relaxed) & kHandleSignal) != 0) return;
  ColdPath cold;
  ProcessRecorder& rt = cold.recorder();
  rt.checker().MarkSignal(sync.id);
  rt.writer().Write(
      [&](TraceWriter::Scope& out) {
        out.Add(format::SignalReleaseRecord{out.Instance(sync), CurrentTid(ts), rt.Now()});
      },
      /*flush=*/true);
}

SpawnPoint BeforeThreadStart() {
  ThreadState* ts = CurrentThread();
  if (ts == nullptr) return {};
  const SpawnPoint point{ts->tid, ts->segment};
  if (ts->events != nullptr) LogEvent(ts, format::EventOp::kSpawn, {});
  NextSegment(ts);
  // Full mode: the new thread's events cannot be replayed before this spawn is in the file,
  // and a parent that goes quiet (a main thread that only starts and joins workers) would
  // otherwise hold it until it exits, and the analyzer every block of its children.
  if (ts->events != nullptr) FlushEvents(ts);
  return point;
}

std::string SpawnToken() {
  const SpawnPoint point = BeforeThreadStart();
  if (point.parent == 0) return {};
  return absl::StrCat(getpid(), ":", ProcessRecorder::Get().start_realtime_ns(), ":",
                      point.parent, ":", point.segment);
}

void BeginThread(SpawnPoint from, std::string name) {
  if (t_thread != nullptr || t_exited) return;
  CreateState(from, std::move(name));
}

void AfterThreadJoin(uint32_t joined) {
  ThreadState* ts = CurrentThread();
  if (ts == nullptr || joined == 0) return;
  {
    ColdPath cold;
    ProcessRecorder& rt = cold.recorder();
    rt.writer().Write(
        [&](TraceWriter::Scope& out) {
          out.Add(format::ThreadJoinRecord{ts->tid, ts->segment, joined, rt.Now()});
        },
        /*flush=*/false);
    rt.checker().AddJoin(ts->tid, ts->segment, joined);
  }
  if (ts->events != nullptr) LogEvent(ts, format::EventOp::kJoin, {.object = joined});
  NextSegment(ts);
}

void AfterProcessJoin(uint64_t child_pid) {
  ThreadState* ts = CurrentThread();
  if (ts == nullptr || child_pid == 0) return;
  {
    // The online check has no order to add: it sees this process's dependencies only.
    ColdPath cold;
    ProcessRecorder& rt = cold.recorder();
    rt.writer().Write(
        [&](TraceWriter::Scope& out) {
          out.Add(format::ProcessJoinRecord{ts->tid, ts->segment, child_pid, rt.Now()});
        },
        /*flush=*/false);
  }
  if (ts->events != nullptr) LogEvent(ts, format::EventOp::kJoinProcess, {.object = child_pid});
  NextSegment(ts);
}

namespace {

void AtExit() {
  ColdPath cold;
  cold.recorder().AtExit(t_thread);
}
void BeforeFork() { ProcessRecorder::Get().BeforeFork(t_thread); }
void AfterForkInParent() { ProcessRecorder::Get().AfterForkInParent(t_thread); }
void AfterForkInChild() { ProcessRecorder::Get().AfterForkInChild(t_thread); }

// Runs when the library loads, on the main thread: the main thread becomes thread 1, and
// the exit and fork hooks are in place before the program starts threads.
__attribute__((constructor)) void InitAtLoad() {
  if (ProcessRecorder::Get().ClaimProcessHooks()) {
    pthread_atfork(BeforeFork, AfterForkInParent, AfterForkInChild);
    atexit(AtExit);
  }
  CurrentThread();
}

}  // namespace
}  // namespace lockgraph::runtime

