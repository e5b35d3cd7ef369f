// Builds small trace files by hand, for analyzer tests that need exact inputs (threads,
// segments, held sets) without running a program.
//
//   TraceBuilder t;
//   t.Thread(2, "worker", /*parent=*/1, /*parent_segment=*/0);
//   t.Lock(1, "a");  t.Lock(2, "b");
//   t.Dependency(2, 0, {1}, 2);          // thread 2, segment 0, holds a, takes b
//   std::string path = t.WriteTo(dir);
#ifndef LOCKGRAPH_TESTS_ANALYZER_TRACE_BUILDER_H_
#define LOCKGRAPH_TESTS_ANALYZER_TRACE_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/events.h"
#include "common/trace_records.h"

namespace lockgraph::testing {

class TraceBuilder {
 public:
  explicit TraceBuilder(uint64_t pid = 100, uint64_t ppid = 1, uint32_t parent_tid = 0,
                        uint32_t parent_segment = 0, uint64_t realtime_ns = 1);
  // Any process record; `exe` (if not empty) becomes its executable path.
  TraceBuilder(format::ProcessRecord process, const std::string& exe);

  uint64_t String(const std::string& text);
  void Thread(uint32_t tid, const std::string& name, uint32_t parent = 0,
              uint32_t parent_segment = 0, uint64_t os_tid = 0, uint64_t time_ns = 0);
  // A lock instance of class `class_name` (a class per distinct name), constructed at
  // file:line.
  void Lock(uint64_t id, const std::string& class_name,
            format::SyncKind kind = format::SyncKind::kLock, const std::string& file = "a.cc",
            uint32_t line = 1, int64_t initial_value = 0);
  // An object shared by processes (ProcessLock, ProcessQueue): known everywhere by
  // `global_name`.
  void SharedLock(uint64_t id, const std::string& class_name, const std::string& global_name,
                  format::SyncKind kind = format::SyncKind::kProcessLock);
  // Returns the dependency id. `held_flags` applies to every held lock.
  uint64_t Dependency(uint32_t tid, uint32_t segment, std::vector<uint64_t> held,
                      uint64_t acquired, uint8_t flags = 0, uint8_t held_flags = 0);
  void Count(uint64_t dependency, uint64_t count);
  void Join(uint32_t joiner, uint32_t joiner_segment, uint32_t joined);
  void ProcessJoin(uint32_t joiner, uint32_t joiner_segment, uint64_t child_pid,
                   uint64_t time_ns);
  void LongWait(uint32_t tid, uint64_t lock, uint64_t wait_ns, uint32_t holder);
  void Misuse(format::MisuseKind kind, uint32_t tid, uint64_t lock, const std::string& detail);
  void Signal(uint64_t lock, uint32_t tid);
  void Stats(const std::string& class_name, format::ClassStatsRecord stats);
  // A full-mode event block of thread `tid`: each event's `time` is in ticks since `start_ns`
  // (increasing), a tick being `tick_ps` picoseconds.
  void Events(uint32_t tid, uint32_t segment, uint64_t start_ns,
              const std::vector<format::Event>& events, uint64_t tick_ps = 1000);
  void Add(const format::Record& record) { format::EncodeRecord(record, bytes_); }

  const std::string& bytes() const { return bytes_; }
  std::string WriteTo(const std::string& dir, const std::string& name = "t.lgtrace") const;

 private:
  uint64_t ClassId(const std::string& name, format::SyncKind kind, const std::string& file,
                   uint32_t line);

  std::string bytes_;
  absl::flat_hash_map<std::string, uint64_t> strings_;
  absl::flat_hash_map<std::string, uint64_t> classes_;
  uint64_t next_dependency_ = 1;
};

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_ANALYZER_TRACE_BUILDER_H_
