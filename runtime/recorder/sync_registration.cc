// Registration of instrumented objects: the wrappers' (lockgraph/internal/sync_handle.h) and
// the LD_PRELOAD interposer's (sync_registration.h).
#include "runtime/recorder/sync_registration.h"

#include "absl/functional/function_ref.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/fnv.h"
#include "common/source_frame.h"
#include "lockgraph/internal/sync_handle.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/foreign_runtime.h"
#include "runtime/recorder/recorder.h"
#include "runtime/trace/stack_capture.h"
#include "runtime/trace/trace_writer.h"

namespace lockgraph::internal {

void RegisterSync(SyncHandle& handle, uint8_t kind, std::string_view name,
                  const std::source_location& site) {
  runtime::ColdPath cold;
  runtime::LockRegistry& registry = cold.recorder().registry();
  handle.id = registry.NewInstanceId();
  const absl::string_view class_name(name.data(), name.size());
  if (const ForeignSite* foreign = runtime::ForeignSiteOfCaller()) {
    // Made by a hosted language (Python): its file and line are the site.
    const absl::string_view foreign_class(foreign->class_name.data(),
                                          foreign->class_name.size());
    handle.class_id = registry.InternForeign(static_cast<format::SyncKind>(kind),
                                             foreign_class.empty() ? class_name : foreign_class,
                                             *foreign, &handle.site_file);
    handle.site_line = foreign->line;
  } else {
    handle.class_id = registry.Intern(static_cast<format::SyncKind>(kind), class_name, site,
                                      &handle.site_file);
    handle.site_line = site.line();
  }
  handle.kind = kind;
  handle.named = !name.empty();
  // An unnamed lock in static storage (a global, or a member of one) is named by its
  // variable in reports.
  if (name.empty() &&
      cold.recorder().modules().FindStatic(reinterpret_cast<uintptr_t>(&handle))) {
    handle.flags.fetch_or(runtime::kHandleStatic, std::memory_order_relaxed);
  }
}

void UnregisterSync(SyncHandle& handle) {
  // Never recorded anywhere: nothing to end.
  if ((handle.flags.load(std::memory_order_relaxed) & runtime::kHandleRecorded) == 0) return;
  runtime::ColdPath cold;
  runtime::UnregisterSyncLocked(cold.recorder(), handle);
}

}  // namespace lockgraph::internal

namespace lockgraph::runtime {
namespace {

// How far up the stack a preload class looks for the program's own line, past
// std::mutex::lock, std::lock_guard, std::scoped_lock and the like when not inlined: a
// first try that is enough for the common wrappers (an unwind costs ~250 ns a frame), then
// a deeper one.
constexpr int kPreloadClassFramesFirst = 4;
constexpr int kPreloadClassFrames = 12;

// The frames that make the class of an object first seen at `site_pc`: that one return
// address, or — when it is in the C++ library — the stack up to the first frame that is not.
// Only the second case pays for an unwind.
int PreloadClassStack(ModuleMap& modules, uintptr_t site_pc, uintptr_t* stack) {
  stack[0] = site_pc;
  if (!modules.InLibraryFunction(site_pc)) return 1;
  for (int frames : {kPreloadClassFramesFirst, kPreloadClassFrames}) {
    const int depth = CaptureStack(stack, frames, site_pc);
    if (depth == 0 || stack[0] != site_pc) break;  // the unwind failed
    int n = 1;  // the frames up to the first one outside the library
    while (n < depth && modules.InLibraryFunction(stack[n - 1])) ++n;
    const bool found = !modules.InLibraryFunction(stack[n - 1]);
    if (found || depth < frames || frames == kPreloadClassFrames) return n;  // else: deeper
  }
  stack[0] = site_pc;
  return 1;
}

// "module+0xOFFSET" of the first frame, then a hash of the callers' module offsets: stable
// across runs of one binary, short enough for a report when there are no symbols.
std::string PreloadClassName(ModuleMap& modules, absl::Span<const uintptr_t> stack) {
  if (stack.empty()) return "unknown site";
  std::string name = modules.KeyFor(stack[0]);
  if (stack.size() == 1) return name;
  uint64_t hash = kFnv1a64Offset;
  for (uintptr_t pc : stack.subspan(1)) hash = Fnv1a64("<", Fnv1a64(modules.KeyFor(pc), hash));
  // Eight hex digits are enough to tell a site's callers apart: both halves folded in.
  absl::StrAppendFormat(&name, "/%08x", static_cast<uint32_t>(hash ^ (hash >> 32)));
  return name;
}

// The class the calling thread remembers for (pc, offset, kind), in its slot of
// ThreadState::object_classes; a thread without state remembers nothing.
class RememberedClass {
 public:
  RememberedClass(uintptr_t pc, uint32_t offset, format::SyncKind kind)
      : key_{.pc = pc, .offset = offset, .kind = static_cast<uint8_t>(kind)} {
    if (ThreadState* ts = t_thread) slot_ = &ts->object_classes[(pc ^ offset) % kObjectClassSlots];
  }
  // The class id, or 0 if the slot holds another class.
  uint32_t Find() const {
    return slot_ != nullptr && slot_->pc == key_.pc && slot_->offset == key_.offset &&
                   slot_->kind == key_.kind
               ? slot_->class_id
               : 0;
  }
  void Remember(uint32_t class_id) {
    if (slot_ == nullptr) return;
    *slot_ = key_;
    slot_->class_id = class_id;
  }

 private:
  ObjectClassSlot key_;
  ObjectClassSlot* slot_ = nullptr;
};

// The class of an object in a heap block or in static storage, or 0. `first_use` makes the
// stack of the object's first use, asked only when the class may be new: most new objects
// are of a class this thread saw before (a heap block's allocation site), and need no stack.
uint32_t ObjectClass(ProcessRecorder& rt, format::SyncKind kind, const PreloadObject& object,
                     absl::FunctionRef<absl::Span<const uintptr_t>()> first_use) {
  ModuleMap& modules = rt.modules();
  const uintptr_t address = reinterpret_cast<uintptr_t>(object.address);
  // A heap block is in no module's data: the allocation table answers first.
  if (object.allocation_pc != 0) {
    const uint32_t offset = static_cast<uint32_t>(address - object.allocation_block);
    RememberedClass remembered(object.allocation_pc, offset, kind);
    if (const uint32_t class_id = remembered.Find()) return class_id;
    // Made here, not inside the registry's callbacks: the unwind finds `site_pc` only
    // within a few frames of this one.
    const absl::Span<const uintptr_t> stack = first_use();
    const uint32_t class_id = rt.registry().InternHeapObject(
        kind, object.allocation_pc, offset,
        [&] {
          return absl::StrFormat("heap %s @%u", modules.KeyFor(object.allocation_pc), offset);
        },
        [&](ClassInfo& info) {
          info.origin = format::ClassOrigin::kHeap;
          info.object_offset = offset;
          info.site_pc = object.allocation_pc;
          info.site_stack.assign(1, object.allocation_pc);
          info.first_use_stack.assign(stack.begin(), stack.end());
        });
    remembered.Remember(class_id);
    return class_id;
  }
  if (object.on_stack) return 0;  // a local: neither heap nor static
  if (std::optional<ModuleOffset> where = modules.FindStatic(address)) {
    const absl::Span<const uintptr_t> stack = first_use();
    return rt.registry().InternPreloadObject(
        kind,
        absl::StrFormat("static %s+0x%x", Basename(where->module->path), where->offset),
        /*one_object=*/true, [&](ClassInfo& info) {
          info.origin = format::ClassOrigin::kStatic;
          info.object_address = address;
          info.first_use_stack.assign(stack.begin(), stack.end());
        });
  }
  return 0;
}

}  // namespace

void RegisterPreloadSyncLocked(ProcessRecorder& rt, internal::SyncHandle& handle,
                               format::SyncKind kind, const PreloadObject& object,
                               int32_t initial_value) {
  LockRegistry& registry = rt.registry();
  handle.id = registry.NewInstanceId();
  const uintptr_t site_pc = object.site_pc;
  uintptr_t stack[kPreloadClassFrames + kInternalFrames];
  int depth = -1;  // not made yet
  auto site = [&] {
    if (depth < 0) depth = PreloadClassStack(rt.modules(), site_pc, stack);
    return absl::Span<const uintptr_t>(stack, depth);
  };
  handle.class_id = ObjectClass(rt, kind, object, site);
  if (handle.class_id == 0) {
    // Classed by its first use: by that line alone unless it is in the C++ library, whose
    // classes depend on the callers' frames and are not cached.
    RememberedClass remembered(site_pc, kSiteClass, kind);
    handle.class_id = remembered.Find();
    if (handle.class_id == 0) {
      handle.class_id = registry.InternPreload(
          kind, site(), [&] { return PreloadClassName(rt.modules(), site()); });
      if (depth == 1 && stack[0] == site_pc) remembered.Remember(handle.class_id);
    }
  }
  handle.kind = static_cast<uint8_t>(kind);
  handle.named = false;
  handle.site_file = "";
  handle.site_line = 0;
  handle.site_pc = site_pc;
  handle.initial_value = initial_value;
  handle.flags.store(0, std::memory_order_relaxed);
  // A reused table entry is a new object: defined afresh for events, counted from 1.
  handle.acquisitions.store(0, std::memory_order_relaxed);
  handle.event_generation.store(0, std::memory_order_relaxed);
}

void UnregisterSyncLocked(ProcessRecorder& rt, internal::SyncHandle& handle) {
  const uint8_t flags = handle.flags.load(std::memory_order_relaxed);
  if ((flags & kHandleRecorded) == 0) return;
  rt.checker().RemoveLock(handle.id);
  if ((flags & runtime::kHandleInTrace) != 0) {
    rt.writer().Write(
        [&](runtime::TraceWriter::Scope& out) { out.EndInstance(handle.id, rt.Now()); },
        /*flush=*/false);
  }
}

}  // namespace lockgraph::runtime
