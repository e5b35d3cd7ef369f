#include "runtime/recorder/process_recorder.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bit>
#include <climits>
#include <new>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lockgraph/internal/raw_sync.h"
#include "runtime/base/signal_block.h"
#include "runtime/base/stderr.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::runtime {
namespace {

int64_t RealtimeNanos() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The calling thread's kernel id, in both of its state's fields.
void NoteKernelTid(ThreadState* ts) {
  ts->os_tid = static_cast<uint64_t>(syscall(SYS_gettid));
  ts->kernel_tid = static_cast<int32_t>(ts->os_tid);
}

// In a forked child: a lock shared by processes that the forking thread held stays held by
// the parent (a robust mutex belongs to the thread that took it), so the child's copy of the
// thread's held stack forgets it. Other locks are copied with the memory, held in the child.
void ForgetLocksOfTheParent(ThreadState* ts) {
  int kept = 0;
  for (int i = 0; i < ts->depth; ++i) {
    if (ts->held[i].sync->kind == static_cast<uint8_t>(format::SyncKind::kProcessLock)) continue;
    ts->held[kept] = ts->held[i];
    ts->hold_since[kept] = ts->hold_since[i];
    ++kept;
  }
  ts->depth = kept;
  RecomputeChains(ts, 0);
}

std::string ExecutablePath() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace

ProcessRecorder& ProcessRecorder::Get() {
  // Never destroyed: locks in static objects outlive every destructor order.
  alignas(ProcessRecorder) static unsigned char storage[sizeof(ProcessRecorder)];
  static ProcessRecorder* const runtime = new (storage) ProcessRecorder();
  return *runtime;
}

namespace {

// Where a process started by exec was started from, as its parent said in
// LOCKGRAPH_SPAWNED_BY ("ppid:realtime_ns:tid:segment", SpawnToken()); all 0 if it did not,
// or said it to another process (a grandchild inherits the variable; its ppid differs).
struct SpawnOrigin {
  uint64_t realtime_ns = 0;
  uint32_t tid = 0;
  uint32_t segment = 0;
};

SpawnOrigin SpawnedBy() {
  const char* text = getenv("LOCKGRAPH_SPAWNED_BY");
  if (text == nullptr) return {};
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  uint64_t ppid = 0;
  SpawnOrigin origin;
  if (parts.size() != 4 || !absl::SimpleAtoi(parts[0], &ppid) ||
      !absl::SimpleAtoi(parts[1], &origin.realtime_ns) ||
      !absl::SimpleAtoi(parts[2], &origin.tid) || !absl::SimpleAtoi(parts[3], &origin.segment) ||
      ppid != static_cast<uint64_t>(getppid()) || origin.tid == 0 || origin.realtime_ns == 0) {
    return {};
  }
  return origin;
}

}  // namespace

ProcessRecorder::ProcessRecorder() {
  start_monotonic_ns_ = internal::MonotonicNanos();
  start_tsc_ = ReadTsc();
  start_realtime_ns_ = RealtimeNanos();
  Options options;
  std::vector<std::string> errors;
  RuntimeMutexLock hold(options_mu_);
  if (const char* text = getenv("LOCKGRAPH_OPTIONS"); text != nullptr) {
    ParseOptions(text, options, errors);
    options_text_ = text;
  }
  for (const std::string& error : errors) {
    StderrLine(absl::StrCat("lockgraph: LOCKGRAPH_OPTIONS: ", error));
  }
  ApplyLocked(options);
  steering_ = SteeringFromEnvironment();
  const SpawnOrigin origin = SpawnedBy();
  StartTrace(/*forked_child=*/false, origin.tid, origin.segment, origin.realtime_ns);
}

void ProcessRecorder::ApplyLocked(const Options& options) {
  options_ = options;
  long_wait_ns_.store(options.long_wait.count(), std::memory_order_relaxed);
  hold_sample_.store(std::bit_ceil(static_cast<uint32_t>(options.hold_sample)),
                     std::memory_order_relaxed);
  stack_depth_.store(options.stack_depth, std::memory_order_relaxed);
  quiet_.store(options.quiet, std::memory_order_relaxed);
  on_cycle_.store(options.on_cycle, std::memory_order_relaxed);
  on_misuse_.store(options.on_misuse, std::memory_order_relaxed);
  on_deadlock_.store(options.on_deadlock, std::memory_order_relaxed);
  deadlock_check_ns_.store(options.deadlock_check.count(), std::memory_order_relaxed);
  full_mode_.store(options.mode == Mode::kFull, std::memory_order_relaxed);
}

TscClock ProcessRecorder::tsc_clock() const {
  const uint64_t now_tsc = ReadTsc();
  const int64_t now_ns = internal::MonotonicNanos() - start_monotonic_ns_;
  TscClock clock;
  clock.start_tsc = start_tsc_;
  if (now_tsc > start_tsc_ && now_ns > 0) {
    clock.ns_per_tsc = static_cast<double>(now_ns) / static_cast<double>(now_tsc - start_tsc_);
  }
  return clock;
}

void ProcessRecorder::StartTrace(bool forked_child, uint32_t parent_tid, uint32_t parent_segment,
                                 uint64_t spawned_by_realtime_ns) {
  format::ProcessRecord process;
  process.pid = static_cast<uint64_t>(getpid());
  process.ppid = static_cast<uint64_t>(getppid());
  process.parent_tid = parent_tid;
  process.parent_segment = parent_segment;
  process.spawned_by_realtime_ns = spawned_by_realtime_ns;
  process.mode = options_.mode == Mode::kFull ? format::TraceMode::kFull : format::TraceMode::kDeps;
  process.realtime_ns = static_cast<uint64_t>(start_realtime_ns_);
  process.monotonic_ns = static_cast<uint64_t>(start_monotonic_ns_);
  {
    // The new file must define its dependencies again before counting them.
    RuntimeMutexLock hold(deps_mu_);
    deps_.clear();
    trace_generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  writer_.Start(options_.trace, forked_child, process, ExecutablePath(), options_text_,
                kRuntimeVersion);
}

Options ProcessRecorder::options() const {
  RuntimeMutexLock hold(options_mu_);
  return options_;
}

void ProcessRecorder::Configure(const Options& options) {
  RuntimeMutexLock hold(options_mu_);
  const bool new_trace = options.trace != options_.trace;
  ApplyLocked(options);
  if (!new_trace) return;
  StartTrace(/*forked_child=*/false, 0, 0);
  // The new file starts with the threads alive now.
  // Every thread's cached dependencies belong to the closed file: their next use records them
  // again (NoteAcquire compares generations).
  const auto generation = static_cast<uint16_t>(trace_generation());
  RuntimeMutexLock threads(threads_mu_);
  for (const auto& [tid, entry] : threads_) {
    if (entry.state == nullptr) continue;
    entry.state->cache_generation.store(generation, std::memory_order_relaxed);
    WriteThreadStart(tid, entry);
  }
}

uint64_t ProcessRecorder::Now() const {
  return static_cast<uint64_t>(internal::MonotonicNanos() - start_monotonic_ns_);
}

void ProcessRecorder::WriteThreadStart(uint32_t tid, const ThreadEntry& entry) {
  writer_.Write(
      [&](TraceWriter::Scope& out) {
        format::ThreadStartRecord record;
        record.tid = tid;
        record.parent_tid = entry.parent;
        record.parent_segment = entry.parent_segment;
        record.name_sid = out.String(entry.name);
        record.os_tid = entry.os_tid;
        record.time_ns = Now();
        out.Add(record);
      },
      /*flush=*/false);
}

ThreadState* ProcessRecorder::NewThreadState(uint32_t parent, uint32_t parent_segment,
                                     std::string name) {
  auto* ts = new ThreadState;
  constexpr uint64_t kInitialCache = 256;
  ts->cache = std::make_unique<DependencySlot[]>(kInitialCache);
  ts->cache_mask = kInitialCache - 1;
  ts->hold_countdown = hold_sample();
  ts->cache_generation.store(static_cast<uint16_t>(trace_generation()), std::memory_order_relaxed);
  ts->steer = steering_ != nullptr;
  NoteKernelTid(ts);
  if (full_mode()) {
    ts->events = std::make_unique<EventLog>();
    ts->events->start_tsc = ts->events->last_tsc = ReadTsc();
    ts->event_generation = trace_generation();
  }
  ThreadEntry entry;
  {
    RuntimeMutexLock hold(threads_mu_);
    ts->tid = next_tid_++;
    if (name.empty()) name = absl::StrCat("thread-", ts->tid);
    ts->name = name;
    entry = ThreadEntry{ts, std::move(name), parent, parent_segment, ts->os_tid};
    threads_[ts->tid] = entry;
  }
  WriteThreadStart(ts->tid, entry);
  checker_.AddThreadStart(ts->tid, parent, parent_segment);
  return ts;
}

void ProcessRecorder::RetireThreadState(ThreadState* ts) {
  FlushThread(ts);
  writer_.Write(
      [&](TraceWriter::Scope& out) {
        out.Add(format::ThreadEndRecord{ts->tid, ts->segment, Now()});
      },
      /*flush=*/true);
  {
    RuntimeMutexLock hold(threads_mu_);
    threads_[ts->tid].state = nullptr;
  }
  delete ts;
}

void ProcessRecorder::RenameThread(ThreadState* ts, std::string name) {
  ThreadEntry entry;
  {
    RuntimeMutexLock hold(threads_mu_);
    auto it = threads_.find(ts->tid);
    if (it == threads_.end()) return;
    it->second.name = name;
    entry = it->second;
  }
  ts->name = std::move(name);
  WriteThreadStart(ts->tid, entry);  // same parent and segment: the reader keeps the last name
}

std::string ProcessRecorder::ThreadName(uint32_t tid) const {
  RuntimeMutexLock hold(threads_mu_);
  auto it = threads_.find(tid);
  return it != threads_.end() ? it->second.name : absl::StrCat("thread-", tid);
}

bool ProcessRecorder::ClaimDeadlockReport(std::vector<uint64_t> key) {
  RuntimeMutexLock hold(deadlocks_mu_);
  return reported_deadlocks_.insert(std::move(key)).second;
}

void ProcessRecorder::PostNotice(uint32_t owner, uint64_t instance) {
  auto post = [instance](ThreadState* ts) {
    RuntimeMutexLock notices(ts->notices_mu);
    ts->notices.push_back(instance);
    ts->has_notices.store(true, std::memory_order_release);
  };
  RuntimeMutexLock hold(threads_mu_);
  if (owner == 0) {
    for (auto& [tid, entry] : threads_) {
      if (entry.state != nullptr) post(entry.state);
    }
    return;
  }
  auto it = threads_.find(owner);
  if (it != threads_.end() && it->second.state != nullptr) post(it->second.state);
}

uint64_t ProcessRecorder::DependencyId(uint32_t tid, uint32_t segment, uint64_t key, bool* created) {
  RuntimeMutexLock hold(deps_mu_);
  auto [it, inserted] = deps_.try_emplace({tid, segment, key}, deps_.size() + 1);
  *created = inserted;
  return it->second;
}

void ProcessRecorder::FlushThread(ThreadState* ts) {
  if (ts->events != nullptr) FlushEventsLocked(ts);
  const uint32_t generation = trace_generation();
  writer_.Write(
      [&](TraceWriter::Scope& out) {
        for (uint64_t i = 0; i <= ts->cache_mask; ++i) {
          DependencySlot& slot = ts->cache[i];
          if (slot.key == 0 || slot.unflushed == 0 || slot.generation != generation) continue;
          out.Add(format::DependencyCountRecord{slot.dep_id, slot.unflushed});
          slot.unflushed = 0;
        }
      },
      /*flush=*/false);
  for (uint32_t id = 0; id < ts->class_capacity; ++id) {
    ThreadClassCounters& counters = ts->class_counters[id];
    if (counters.acquisitions == 0 && counters.hold_samples == 0) continue;
    ClassInfo& info = registry_.Class(id);
    info.acquisitions.fetch_add(counters.acquisitions, std::memory_order_relaxed);
    if (counters.hold_samples != 0) {
      info.AddHold(counters.hold_samples, counters.hold_total_ns, counters.hold_max_ns);
    }
    counters = ThreadClassCounters();
  }
}

void ProcessRecorder::WriteStatistics() {
  writer_.Write(
      [&](TraceWriter::Scope& out) {
        const uint32_t count = registry_.class_count();
        for (uint32_t id = 1; id <= count; ++id) {
          ClassInfo& info = registry_.Class(id);
          format::ClassStatsRecord record;
          record.acquisitions = info.acquisitions.load(std::memory_order_relaxed);
          record.contended = info.contended.load(std::memory_order_relaxed);
          if (record.acquisitions == 0 && record.contended == 0) continue;
          record.class_id = out.Class(id);
          record.wait_total_ns = info.wait_total_ns.load(std::memory_order_relaxed);
          record.wait_max_ns = info.wait_max_ns.load(std::memory_order_relaxed);
          record.hold_samples = info.hold_samples.load(std::memory_order_relaxed);
          record.hold_total_ns = info.hold_total_ns.load(std::memory_order_relaxed);
          record.hold_max_ns = info.hold_max_ns.load(std::memory_order_relaxed);
          for (uint32_t b = 0; b < format::kWaitBuckets; ++b) {
            const uint64_t n = info.wait_histogram[b].load(std::memory_order_relaxed);
            if (n != 0) record.wait_histogram.emplace_back(b, n);
          }
          out.Add(record);
        }
        format::RuntimeStatsRecord stats;
        const std::pair<const char*, uint64_t> counters[] = {
            {"held_overflows", held_overflows.load()},
            {"dropped_events", dropped_events.load()},
            {"cache_evictions", cache_evictions.load()},
            {"long_waits", long_waits.load()},
            {"dependency_cold_paths", dependency_cold_paths.load()},
            {"class_overflows", registry_.overflowed()},
            {"online_dropped_dependencies", checker_.dropped_dependencies()},
            {"online_truncated_searches", checker_.truncated_searches()},
        };
        for (const auto& [name, value] : counters) {
          stats.counters.emplace_back(out.String(name), value);
        }
        out.Add(stats);
      },
      /*flush=*/true);
}

void ProcessRecorder::AtExit(ThreadState* current) {
  if (current != nullptr) FlushThread(current);
  WriteStatistics();
  // Static destructors still to run may destroy locks: write those records at once.
  writer_.SetWriteThrough();
}

void ProcessRecorder::BeforeFork(ThreadState* current) {
  const sigset_t blocked = AsyncSignals();
  sigset_t saved;
  pthread_sigmask(SIG_BLOCK, &blocked, &saved);
  fork_mu_.Lock();  // waits until no thread is on a cold path
  fork_saved_signals_ = saved;
  if (current != nullptr && current->events != nullptr) FlushEventsLocked(current);
  writer_.Flush();  // nothing buffered may be written by both processes
  forking_tid_ = CurrentTid(current);
  forking_segment_ = current != nullptr ? current->segment : 0;
}

void ProcessRecorder::AfterForkInParent(ThreadState* current) {
  // The fork orders the parent's past before the child, like a thread start.
  if (current != nullptr) NextSegment(current);
  const sigset_t saved = fork_saved_signals_;
  fork_mu_.Unlock();
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
}

void ProcessRecorder::AfterForkInChild(ThreadState* current) {
  fork_mu_.Unlock();
  {
    // Only the forking thread exists here. The others' states are left alone: their
    // threads are gone, and their mutexes may look held.
    RuntimeMutexLock hold(threads_mu_);
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (current == nullptr || it->first != current->tid) {
        if (it->second.state != nullptr) forked_away_.push_back(it->second.state);
        threads_.erase(it++);
      } else {
        ++it;
      }
    }
  }
  // Counts so far belong to the parent, which writes them itself.
  registry_.ResetStatistics();
  if (current != nullptr) {
    for (uint64_t i = 0; i <= current->cache_mask; ++i) current->cache[i] = DependencySlot();
    current->cache_used = 0;
    for (uint32_t id = 0; id < current->class_capacity; ++id) {
      current->class_counters[id] = ThreadClassCounters();
    }
    current->notices_mu.~RuntimeMutex();
    new (&current->notices_mu) RuntimeMutex();
    current->notices.clear();
    current->has_notices.store(false, std::memory_order_relaxed);
    ForgetLocksOfTheParent(current);
    NextSegment(current);
    NoteKernelTid(current);
  }
  {
    RuntimeMutexLock hold(options_mu_);
    StartTrace(/*forked_child=*/true, forking_tid_, forking_segment_);
  }
  if (current != nullptr) {
    // The child's one thread caches for the child's file.
    current->cache_generation.store(static_cast<uint16_t>(trace_generation()),
                                    std::memory_order_relaxed);
    RuntimeMutexLock hold(threads_mu_);
    ThreadEntry& entry = threads_[current->tid];
    entry.parent = 0;  // the thread's start is in the parent's trace
    entry.parent_segment = 0;
    entry.os_tid = current->os_tid;
    WriteThreadStart(current->tid, entry);
    // Its events so far were written to the parent's trace (BeforeFork).
    if (current->events != nullptr) current->event_generation = trace_generation();
  }
  pthread_sigmask(SIG_SETMASK, &fork_saved_signals_, nullptr);
}

}  // namespace lockgraph::runtime
