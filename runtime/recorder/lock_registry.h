// Lock classes and instance ids.
//
// A class is the set of locks that are logically the same: one explicit name, or one
// construction site. Its key is a string ("accounts", "src/bank.cc:42") so classes of different
// runs and processes merge. Each class also keeps the lock statistics of lockdep's lock_stat:
// acquisitions, contended acquisitions, wait and hold times.
//
//   uint32_t cls = registry.Intern(SyncKind::kLock, "", std::source_location::current());
//   registry.Class(cls).contended.fetch_add(1, std::memory_order_relaxed);
//
// Thread-safe. Class(id) is lock-free: classes live in fixed chunks that never move.
#ifndef LOCKGRAPH_RUNTIME_RECORDER_LOCK_REGISTRY_H_
#define LOCKGRAPH_RUNTIME_RECORDER_LOCK_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <source_location>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/trace_format.h"
#include "common/wait_histogram.h"
#include "lockgraph/internal/foreign_frames.h"
#include "runtime/base/runtime_mutex.h"

namespace lockgraph::runtime {

struct ClassInfo {
  uint32_t id = 0;
  std::string name;  // the class key
  format::SyncKind kind = format::SyncKind::kLock;
  std::string file;  // site of the first instance
  uint32_t line = 0;
  std::string function;
  // Preload classes (no source location): the stack that makes the class, innermost first,
  // and its first frame. The first frames may be the C++ library's (std::mutex::lock in an
  // unoptimized build); the analyzer names the class by the first frame of the program.
  uintptr_t site_pc = 0;
  std::vector<uintptr_t> site_stack;
  // Preload classes of an object (kStatic: object_address is it) or of an allocation site
  // (kHeap: site_stack is the allocation, object_offset the lock's offset in the block), and
  // where their first object was first used (format::ClassOrigin).
  format::ClassOrigin origin = format::ClassOrigin::kSite;
  uintptr_t object_address = 0;
  uint32_t object_offset = 0;
  std::vector<uintptr_t> first_use_stack;

  // Statistics, updated on slow paths and when threads exit; read when the trace is flushed.
  std::atomic<uint64_t> acquisitions{0};
  std::atomic<uint64_t> contended{0};
  std::atomic<uint64_t> wait_total_ns{0};
  std::atomic<uint64_t> wait_max_ns{0};
  std::atomic<uint64_t> hold_samples{0};
  std::atomic<uint64_t> hold_total_ns{0};
  std::atomic<uint64_t> hold_max_ns{0};
  std::atomic<uint64_t> wait_histogram[format::kWaitBuckets] = {};

  void AddWait(uint64_t ns);
  void AddHold(uint64_t samples, uint64_t total_ns, uint64_t max_ns);
};

// Raises `target` to at least `value`.
inline void AtomicMax(std::atomic<uint64_t>& target, uint64_t value) {
  uint64_t current = target.load(std::memory_order_relaxed);
  while (current < value &&
         !target.compare_exchange_weak(current, value, std::memory_order_relaxed)) {
  }
}

class LockRegistry {
 public:
  static constexpr uint32_t kChunkSize = 1024;
  static constexpr uint32_t kMaxChunks = 4096;  // 4M classes

  LockRegistry();
  // Only registries of tests are destroyed: the runtime's lives until the process ends.
  ~LockRegistry();
  LockRegistry(const LockRegistry&) = delete;
  LockRegistry& operator=(const LockRegistry&) = delete;

  // The class of a new object: `name` if not empty, else "file:line" of the site; if that
  // key is already a class of another kind, the key gets " (Kind)" appended. Cost: a hash
  // lookup under a mutex. Beyond capacity new classes map to the last one (counted).
  // `file_copy`, if not null, is set to a copy of site.file_name() that lives as long as the
  // registry (the site's own strings are unmapped with the module that made the object).
  uint32_t Intern(format::SyncKind kind, absl::string_view name,
                  const std::source_location& site, const char** file_copy = nullptr)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The same for an object a hosted language made (lockgraph/internal/foreign_frames.h): its
  // site is the language's file and line.
  uint32_t InternForeign(format::SyncKind kind, absl::string_view name,
                         const internal::ForeignSite& site, const char** file_copy)
      ABSL_LOCKS_EXCLUDED(mu_);

  ClassInfo& Class(uint32_t id) {
    return chunks_[id / kChunkSize].load(std::memory_order_acquire)[id % kChunkSize];
  }
  // Ids run from 1 to class_count().
  uint32_t class_count() const { return count_.load(std::memory_order_acquire); }
  uint64_t overflowed() const { return overflowed_.load(std::memory_order_relaxed); }

  // The class of an object seen by the LD_PRELOAD interposer: the stack where it was first
  // seen, innermost first. One return address is not enough: when std::mutex::lock is not
  // inlined (always at -O0) it is the caller of pthread_mutex_lock for every mutex.
  // `name_of` names a new class (stable across runs of one binary); classes with one name
  // are one class.
  uint32_t InternPreload(format::SyncKind kind, absl::Span<const uintptr_t> stack,
                         absl::FunctionRef<std::string()> name_of) ABSL_LOCKS_EXCLUDED(mu_);

  // The class of an interposed object in static storage or in a heap block, by `key` (which
  // says which object, or which allocation site and offset: stable across runs of a binary).
  // `fill` fills a new class's origin fields. `one_object`: the key names one object, and a
  // new object built where it was (placement new into a static buffer) is a class of its own,
  // the key followed by " #2", " #3", ...: objects that never coexist are never a cycle.
  uint32_t InternPreloadObject(format::SyncKind kind, std::string key, bool one_object,
                               absl::FunctionRef<void(ClassInfo&)> fill) ABSL_LOCKS_EXCLUDED(mu_);
  // The class of a lock at `offset` in a heap block allocated by the call returning to `pc`:
  // a hash lookup when this process has seen it; else InternPreloadObject(kind, key_of()).
  uint32_t InternHeapObject(format::SyncKind kind, uintptr_t pc, uint32_t offset,
                            absl::FunctionRef<std::string()> key_of,
                            absl::FunctionRef<void(ClassInfo&)> fill) ABSL_LOCKS_EXCLUDED(mu_);

  // Zeroes every class's statistics (in a forked child: the parent reports its own).
  void ResetStatistics();

  uint64_t NewInstanceId() { return next_instance_.fetch_add(1, std::memory_order_relaxed); }

 private:
  uint32_t AddLocked(format::SyncKind kind, std::string name, absl::string_view file = {},
                     uint32_t line = 0, absl::string_view function = {})
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The class of `key` (a name, or "file:line"), made at that site if new; a key another kind
  // has already gets " (Kind)" appended.
  uint32_t ClassOfKeyLocked(format::SyncKind kind, std::string key, absl::string_view file,
                            uint32_t line, absl::string_view function)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t InternPreloadObjectLocked(format::SyncKind kind, std::string key, bool one_object,
                                     absl::FunctionRef<void(ClassInfo&)> fill)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  RuntimeMutex mu_;
  absl::flat_hash_map<std::string, uint32_t> by_name_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::pair<format::SyncKind, std::vector<uintptr_t>>, uint32_t> by_stack_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::tuple<format::SyncKind, uintptr_t, uint32_t>, uint32_t> by_allocation_
      ABSL_GUARDED_BY(mu_);
  // Keys of one object: the last generation (#2, #3, ...) made at that address.
  absl::flat_hash_map<std::string, int> generations_ ABSL_GUARDED_BY(mu_);
  // Sites seen before, by source_location's (stable) file pointer, line, column and kind.
  absl::flat_hash_map<std::tuple<const char*, uint32_t, uint32_t, format::SyncKind>, uint32_t>
      by_site_
      ABSL_GUARDED_BY(mu_);
  // Copies of site file names, by the site's pointer (as by_site_); never freed.
  absl::flat_hash_map<const char*, const std::string*> files_ ABSL_GUARDED_BY(mu_);
  // Copies of foreign site file names, by name; never freed.
  absl::flat_hash_map<std::string, const std::string*> foreign_files_ ABSL_GUARDED_BY(mu_);
  std::atomic<ClassInfo*> chunks_[kMaxChunks] = {};
  std::atomic<uint32_t> count_{0};
  std::atomic<uint64_t> overflowed_{0};
  std::atomic<uint64_t> next_instance_{1};
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_RECORDER_LOCK_REGISTRY_H_
