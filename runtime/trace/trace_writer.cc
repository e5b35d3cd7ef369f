#include "absl/strings/string_view.h"
#include "runtime/trace/trace_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "lockgraph/internal/foreign_frames.h"
#include "runtime/base/stderr.h"
#include "runtime/recorder/foreign_runtime.h"

namespace lockgraph::runtime {

uint64_t TraceWriter::Scope::String(absl::string_view text) {
  if (text.empty()) return 0;
  auto [it, inserted] = writer_.strings_.try_emplace(text, 0);
  if (inserted) {
    it->second = writer_.strings_.size();
    format::EncodeRecord(format::StringRecord{it->second, std::string(text)}, writer_.buffer_);
  }
  return it->second;
}

uint64_t TraceWriter::Scope::Class(uint32_t id) {
  if (writer_.classes_.insert(id).second) {
    const ClassInfo& info = writer_.registry_.Class(id);
    format::ClassRecord record;
    record.id = id;
    record.name_sid = String(info.name);
    record.kind = info.kind;
    record.file_sid = String(info.file);
    record.line = info.line;
    record.function_sid = String(info.function);
    record.site_stack_id = !info.site_stack.empty() ? Stack(info.site_stack)
                           : info.site_pc != 0    ? Stack({&info.site_pc, 1})
                                                  : 0;
    record.origin = static_cast<uint8_t>(info.origin);
    if (info.origin == format::ClassOrigin::kStatic) {
      if (auto where = writer_.modules_.FindStatic(info.object_address)) {
        record.object_module = Module(*where->module);
        record.object_offset = where->offset;
      } else {
        record.origin = static_cast<uint8_t>(format::ClassOrigin::kSite);
      }
    }
    if (info.origin == format::ClassOrigin::kHeap) record.object_offset = info.object_offset;
    record.first_use_stack_id = Stack(info.first_use_stack);
    Add(record);
  }
  return id;
}

uint64_t TraceWriter::Scope::Instance(const internal::SyncHandle& handle) {
  if (writer_.instances_.insert(handle.id).second) {
    format::InstanceRecord record;
    record.id = handle.id;
    record.class_id = Class(handle.class_id);
    record.kind = static_cast<format::SyncKind>(handle.kind);
    record.file_sid = handle.site_pc == 0 ? String(handle.site_file) : 0;
    record.line = handle.site_pc == 0 ? handle.site_line : 0;
    record.name_sid = handle.named ? String(writer_.registry_.Class(handle.class_id).name) : 0;
    record.initial_value = handle.initial_value;
    // A preload object was first seen where its class was (an object's or an allocation
    // site's class: where its first object was).
    const ClassInfo& cls = writer_.registry_.Class(handle.class_id);
    record.site_stack_id =
        handle.site_pc == 0                          ? 0
        : cls.origin == format::ClassOrigin::kSite ? Stack(cls.site_stack)
                                                     : Stack(cls.first_use_stack);
    record.global_name_sid =
        String(absl::string_view(handle.global_name.data(), handle.global_name.size()));
    if ((handle.flags.load(std::memory_order_relaxed) & kHandleStatic) != 0) {
      if (auto where = writer_.modules_.FindStatic(reinterpret_cast<uintptr_t>(&handle))) {
        record.object_module = Module(*where->module);
        record.object_offset = where->offset;
      }
    }
    Add(record);
    const_cast<internal::SyncHandle&>(handle).flags.fetch_or(kHandleInTrace,
                                                             std::memory_order_relaxed);
  }
  return handle.id;
}

bool TraceWriter::Scope::EndInstance(uint64_t id, uint64_t time_ns) {
  if (writer_.instances_.erase(id) == 0) return false;
  Add(format::InstanceEndRecord{id, time_ns});
  return true;
}

uint64_t TraceWriter::Scope::Module(const runtime::Module& module) {
  if (writer_.modules_written_.insert(module.id).second) {
    format::ModuleRecord record;
    record.id = module.id;
    record.path_sid = String(module.path);
    record.load_bias = module.load_bias;
    record.build_id = module.build_id;
    Add(record);
  }
  return module.id;
}

format::Frame TraceWriter::Scope::ForeignFrame(uintptr_t pc) {
  internal::ForeignFrame frame;
  if (!ResolveForeignPc(pc, &frame)) return {0, pc};
  auto [it, inserted] = writer_.foreign_modules_.try_emplace(
      std::make_pair(frame.file, frame.function), 0);
  if (inserted) {
    it->second = TraceWriter::kFirstForeignModule + writer_.foreign_modules_.size() - 1;
    format::ModuleRecord record;
    record.id = it->second;
    record.path_sid = String(frame.file);
    record.build_id = absl::StrCat(format::kSourceModuleBuildIdPrefix,
                                   internal::InstalledForeignRuntime()->language);
    record.function_sid = String(frame.function);
    Add(record);
  }
  return {it->second, frame.line};
}

uint64_t TraceWriter::Scope::Stack(absl::Span<const uintptr_t> pcs) {
  if (pcs.empty()) return 0;
  auto [it, inserted] = writer_.stacks_.try_emplace(std::vector<uintptr_t>(pcs.begin(), pcs.end()), 0);
  if (inserted) {
    format::StackRecord record;
    record.id = writer_.stacks_.size();
    for (uintptr_t pc : pcs) {
      if (internal::IsForeignPc(pc)) {
        record.frames.push_back(ForeignFrame(pc));
        continue;
      }
      // Look up the call instruction (pc - 1): a return address may sit just past a module.
      if (auto where = writer_.modules_.Find(pc - 1)) {
        record.frames.push_back({Module(*where->module), where->offset + 1});
      } else {
        record.frames.push_back({0, pc});
      }
    }
    it->second = record.id;
    Add(record);
  }
  return it->second;
}

void TraceWriter::Scope::Add(const format::Record& record) {
  switch (format::TypeOf(record)) {
    case format::RecordType::kProcess:
    case format::RecordType::kString:
    case format::RecordType::kThreadStart:
    case format::RecordType::kThreadEnd:
    case format::RecordType::kThreadJoin:
    case format::RecordType::kRuntimeStats:
      break;
    default:
      writer_.has_content_ = true;
  }
  format::EncodeRecord(record, writer_.buffer_);
}

void TraceWriter::Scope::AddEventBlock(uint32_t tid, uint32_t segment, uint64_t start_ns,
                                       uint64_t tick_ps, uint64_t count,
                                       absl::string_view events) {
  writer_.has_content_ = true;
  format::EncodeEventBlock(tid, segment, start_ns, tick_ps, count, events, writer_.buffer_);
}

std::string TraceWriter::ExpandPath(const std::string& path_template, int pid,
                                    bool forked_child) {
  const std::string pid_text = absl::StrCat(pid);
  if (path_template.find("%p") != std::string::npos) {
    return absl::StrReplaceAll(path_template, {{"%p", pid_text}});
  }
  // Without %p a forked child must not overwrite its parent's file.
  return forked_child ? absl::StrCat(path_template, ".", pid_text) : path_template;
}

void TraceWriter::Start(const std::string& path_template, bool forked_child,
                        format::ProcessRecord process, absl::string_view exe,
                        absl::string_view options, absl::string_view version) {
  RuntimeMutexLock hold(mu_);
  CloseLocked();
  ResetDefinitionsLocked();
  buffer_.clear();
  has_content_ = false;
  recording_ = !path_template.empty();
  path_.clear();
  if (!recording_) return;
  path_ = ExpandPath(path_template, static_cast<int>(process.pid), forked_child);
  format::EncodeHeader(buffer_);
  Scope scope(*this);
  process.exe_sid = scope.String(exe);
  process.options_sid = scope.String(options);
  process.version_sid = scope.String(version);
  scope.Add(process);
}

void TraceWriter::Close() {
  RuntimeMutexLock hold(mu_);
  CloseLocked();
  recording_ = false;
}

void TraceWriter::CloseLocked() {
  FlushLocked();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

std::string TraceWriter::path() const {
  RuntimeMutexLock hold(mu_);
  return recording_ ? path_ : std::string();
}

void TraceWriter::Flush() {
  RuntimeMutexLock hold(mu_);
  FlushLocked();
}

void TraceWriter::SetWriteThrough() {
  RuntimeMutexLock hold(mu_);
  write_through_ = true;
  FlushLocked();
}

void TraceWriter::FlushLocked() {
  if (!recording_ || !has_content_ || buffer_.empty()) return;
  if (fd_ < 0) {
    fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return FailLocked("creating", errno);
  }
  absl::string_view data = buffer_;
  while (!data.empty()) {
    const ssize_t n = write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      FailLocked("writing", n < 0 ? errno : ENOSPC);
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
}

void TraceWriter::FailLocked(const char* what, int error) {
  StderrLine(absl::StrCat("lockgraph: ", what, " trace file ", path_, " failed: ",
                          strerror(error), "; running on without a trace"));
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  buffer_.clear();
  recording_ = false;
}

void TraceWriter::ResetDefinitionsLocked() {
  strings_.clear();
  stacks_.clear();
  instances_.clear();
  classes_.clear();
  modules_written_.clear();
  foreign_modules_.clear();
}

}  // namespace lockgraph::runtime
