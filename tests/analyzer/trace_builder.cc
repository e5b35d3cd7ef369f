#include "tests/analyzer/trace_builder.h"

#include <algorithm>
#include <fstream>

namespace lockgraph::testing {

TraceBuilder::TraceBuilder(uint64_t pid, uint64_t ppid, uint32_t parent_tid,
                           uint32_t parent_segment, uint64_t realtime_ns) {
  format::EncodeHeader(bytes_);
  format::ProcessRecord process;
  process.pid = pid;
  process.ppid = ppid;
  process.parent_tid = parent_tid;
  process.parent_segment = parent_segment;
  process.realtime_ns = realtime_ns;
  Add(process);
}

TraceBuilder::TraceBuilder(format::ProcessRecord process, const std::string& exe) {
  format::EncodeHeader(bytes_);
  if (!exe.empty()) process.exe_sid = String(exe);
  Add(process);
}

uint64_t TraceBuilder::String(const std::string& text) {
  auto [it, inserted] = strings_.try_emplace(text, strings_.size() + 1);
  if (inserted) Add(format::StringRecord{it->second, text});
  return it->second;
}

void TraceBuilder::Thread(uint32_t tid, const std::string& name, uint32_t parent,
                          uint32_t parent_segment, uint64_t os_tid, uint64_t time_ns) {
  format::ThreadStartRecord r;
  r.tid = tid;
  r.parent_tid = parent;
  r.parent_segment = parent_segment;
  r.name_sid = String(name);
  r.os_tid = os_tid;
  r.time_ns = time_ns;
  Add(r);
}

uint64_t TraceBuilder::ClassId(const std::string& name, format::SyncKind kind,
                               const std::string& file, uint32_t line) {
  auto [it, inserted] = classes_.try_emplace(name, classes_.size() + 1);
  if (!inserted) return it->second;
  format::ClassRecord c;
  c.id = it->second;
  c.name_sid = String(name);
  c.kind = kind;
  c.file_sid = String(file);
  c.line = line;
  c.function_sid = String("f()");
  Add(c);
  return c.id;
}

void TraceBuilder::Lock(uint64_t id, const std::string& class_name, format::SyncKind kind,
                        const std::string& file, uint32_t line, int64_t initial_value) {
  format::InstanceRecord r;
  r.id = id;
  r.class_id = ClassId(class_name, kind, file, line);
  r.kind = kind;
  r.file_sid = String(file);
  r.line = line;
  r.initial_value = initial_value;
  Add(r);
}

void TraceBuilder::SharedLock(uint64_t id, const std::string& class_name,
                              const std::string& global_name, format::SyncKind kind) {
  format::InstanceRecord r;
  r.id = id;
  r.class_id = ClassId(class_name, kind, "shared.cc", 1);
  r.kind = kind;
  r.file_sid = String("shared.cc");
  r.line = 1;
  r.name_sid = String(class_name);
  r.global_name_sid = String(global_name);
  Add(r);
}

uint64_t TraceBuilder::Dependency(uint32_t tid, uint32_t segment, std::vector<uint64_t> held,
                                  uint64_t acquired, uint8_t flags, uint8_t held_flags) {
  format::DependencyRecord r;
  r.id = next_dependency_++;
  r.tid = tid;
  r.segment = segment;
  r.acquired = acquired;
  r.flags = flags;
  for (uint64_t h : held) r.held.push_back({h, held_flags, 0});
  Add(r);
  return r.id;
}

void TraceBuilder::Count(uint64_t dependency, uint64_t count) {
  Add(format::DependencyCountRecord{dependency, count});
}

void TraceBuilder::Join(uint32_t joiner, uint32_t joiner_segment, uint32_t joined) {
  Add(format::ThreadJoinRecord{joiner, joiner_segment, joined, 0});
}

void TraceBuilder::ProcessJoin(uint32_t joiner, uint32_t joiner_segment, uint64_t child_pid,
                              uint64_t time_ns) {
  Add(format::ProcessJoinRecord{joiner, joiner_segment, child_pid, time_ns});
}

void TraceBuilder::LongWait(uint32_t tid, uint64_t lock, uint64_t wait_ns, uint32_t holder) {
  format::LongWaitRecord r;
  r.tid = tid;
  r.instance = lock;
  r.wait_ns = wait_ns;
  r.holder_tid = holder;
  Add(r);
}

void TraceBuilder::Misuse(format::MisuseKind kind, uint32_t tid, uint64_t lock,
                          const std::string& detail) {
  format::MisuseRecord r;
  r.kind = kind;
  r.tid = tid;
  r.instance = lock;
  r.detail_sid = String(detail);
  Add(r);
}

void TraceBuilder::Signal(uint64_t lock, uint32_t tid) {
  Add(format::SignalReleaseRecord{lock, tid, 0});
}

void TraceBuilder::Stats(const std::string& class_name, format::ClassStatsRecord stats) {
  stats.class_id = classes_.at(class_name);
  Add(stats);
}

void TraceBuilder::Events(uint32_t tid, uint32_t segment, uint64_t start_ns,
                          const std::vector<format::Event>& events, uint64_t tick_ps) {
  format::EventBlockRecord block;
  block.tid = tid;
  block.segment = segment;
  block.start_ns = start_ns;
  block.tick_ps = tick_ps;
  block.count = events.size();
  uint64_t last = 0;
  for (const format::Event& e : events) {
    uint8_t buffer[format::kMaxEventBytes];
    const uint8_t* end = format::AppendEvent(buffer, e.op, e.time - last, e.operands);
    last = e.time;
    block.events.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(end - buffer));
  }
  Add(block);
}

std::string TraceBuilder::WriteTo(const std::string& dir, const std::string& name) const {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes_;
  return path;
}

}  // namespace lockgraph::testing
