// Writes this process's trace file (docs/trace-format.md): header, process record, then
// records as the recorder produces them, with strings, stacks, modules, classes and lock
// instances each defined once, just before their first use.
//
//   writer.Write([&](TraceWriter::Scope& out) {
//     format::DependencyRecord dep;
//     dep.acquired = out.Instance(lock_handle);
//     dep.stack_id = out.Stack(pcs);
//     out.Add(dep);
//   }, /*flush=*/true);
//
// Records are buffered; Write(..., flush=true) — used for dependencies, waits and misuse —
// writes them out at once, so a crash loses at most the records of that moment. The file is
// created at the first flush after the first lock-related record, so a process that never
// touches a lock leaves no file. A file that cannot be created or written (full disk) gives
// one warning and stops the trace; the program runs on.
// Thread-safe: one mutex, held while a record is built and written.
#ifndef LOCKGRAPH_RUNTIME_TRACE_TRACE_WRITER_H_
#define LOCKGRAPH_RUNTIME_TRACE_TRACE_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/trace_records.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/base/runtime_mutex.h"
#include "runtime/recorder/handle_flags.h"
#include "runtime/recorder/lock_registry.h"
#include "runtime/trace/module_map.h"

namespace lockgraph::runtime {

class TraceWriter {
 public:
  TraceWriter(ModuleMap& modules, LockRegistry& registry)
      : modules_(modules), registry_(registry) {}

  // Resolves ids (writing definitions as needed) and adds records, under the writer's lock.
  class Scope {
   public:
    uint64_t String(absl::string_view text) ABSL_NO_THREAD_SAFETY_ANALYSIS;
    uint64_t Instance(const internal::SyncHandle& handle) ABSL_NO_THREAD_SAFETY_ANALYSIS;
    // Ends an instance; false (nothing written) if it never was in this trace.
    bool EndInstance(uint64_t id, uint64_t time_ns) ABSL_NO_THREAD_SAFETY_ANALYSIS;
    uint64_t Stack(absl::Span<const uintptr_t> pcs) ABSL_NO_THREAD_SAFETY_ANALYSIS;
    uint64_t Class(uint32_t id) ABSL_NO_THREAD_SAFETY_ANALYSIS;
    void Add(const format::Record& record) ABSL_NO_THREAD_SAFETY_ANALYSIS;
    // Add(EventBlockRecord{...}) for events in the caller's buffer, without copying them.
    void AddEventBlock(uint32_t tid, uint32_t segment, uint64_t start_ns, uint64_t tick_ps,
                       uint64_t count, absl::string_view events) ABSL_NO_THREAD_SAFETY_ANALYSIS;

   private:
    friend class TraceWriter;
    explicit Scope(TraceWriter& writer) : writer_(writer) {}
    uint64_t Module(const runtime::Module& module) ABSL_NO_THREAD_SAFETY_ANALYSIS;
    // The frame of a hosted language's pc: a line of a source module (file, function).
    format::Frame ForeignFrame(uintptr_t pc) ABSL_NO_THREAD_SAFETY_ANALYSIS;
    TraceWriter& writer_;
  };

  // Starts the trace of this process: "%p" in the path becomes the pid; an empty path records
  // nothing. Writes out and closes the previous trace, if any.
  void Start(const std::string& path_template, bool forked_child, format::ProcessRecord process,
             absl::string_view exe, absl::string_view options, absl::string_view version)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Close() ABSL_LOCKS_EXCLUDED(mu_);
  // The file's path (it may not exist yet), empty if nothing is recorded.
  std::string path() const ABSL_LOCKS_EXCLUDED(mu_);

  template <typename Build>
  void Write(Build&& build, bool flush) ABSL_LOCKS_EXCLUDED(mu_) {
    RuntimeMutexLock hold(mu_);
    if (!recording_) return;
    Scope scope(*this);
    build(scope);
    if (flush || write_through_ || buffer_.size() >= kFlushThreshold) FlushLocked();
  }

  void Flush() ABSL_LOCKS_EXCLUDED(mu_);
  // From now on every record is written at once (after the process's exit flush, for locks
  // destroyed by static destructors).
  void SetWriteThrough() ABSL_LOCKS_EXCLUDED(mu_);

  // Given a path template, the path this process writes to.
  static std::string ExpandPath(const std::string& path_template, int pid, bool forked_child);

 private:
  static constexpr size_t kFlushThreshold = 64 * 1024;

  void FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CloseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ResetDefinitionsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FailLocked(const char* what, int error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ModuleMap& modules_;
  LockRegistry& registry_;
  mutable RuntimeMutex mu_;
  bool recording_ ABSL_GUARDED_BY(mu_) = false;  // started, and no error since
  bool has_content_ ABSL_GUARDED_BY(mu_) = false;  // a lock-related record was added
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  std::string path_ ABSL_GUARDED_BY(mu_);
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  bool write_through_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, uint64_t> strings_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::vector<uintptr_t>, uint64_t> stacks_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint64_t> instances_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint32_t> classes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint32_t> modules_written_ ABSL_GUARDED_BY(mu_);
  // Source modules of a hosted language, by (file, function); their ids follow
  // kFirstForeignModule, above every ModuleMap id.
  static constexpr uint64_t kFirstForeignModule = uint64_t{1} << 32;
  absl::flat_hash_map<std::pair<std::string, std::string>, uint64_t> foreign_modules_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_TRACE_TRACE_WRITER_H_
