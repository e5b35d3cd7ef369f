// Registration of instrumented objects (lockgraph/internal/sync_handle.h).
#include "absl/strings/string_view.h"
#include "lockgraph/internal/sync_handle.h"

#include "runtime/cold_path.h"
#include "runtime/preload_sync.h"
#include "runtime/recorder.h"
#include "runtime/trace_writer.h"

namespace lockgraph::internal {

void RegisterSync(SyncHandle& handle, uint8_t kind, std::string_view name,
                  const std::source_location& site) {
  runtime::ColdPath cold;
  runtime::LockRegistry& registry = cold.runtime().registry();
  handle.id = registry.NewInstanceId();
  handle.class_id = registry.Intern(static_cast<format::SyncKind>(kind),
                                    absl::string_view(name.data(), name.size()), site);
  handle.kind = kind;
  handle.named = !name.empty();
  handle.site = site;
}

void UnregisterSync(SyncHandle& handle) {
  if (handle.flags.load(std::memory_order_relaxed) == 0) return;  // never recorded anywhere
  runtime::ColdPath cold;
  runtime::UnregisterSyncLocked(cold.runtime(), handle);
}

}  // namespace lockgraph::internal

namespace lockgraph::runtime {

void RegisterPreloadSyncLocked(Runtime& rt, internal::SyncHandle& handle,
                               format::SyncKind kind, uintptr_t site_pc, int32_t initial_value) {
  LockRegistry& registry = rt.registry();
  handle.id = registry.NewInstanceId();
  handle.class_id = registry.InternPreload(kind, rt.modules().KeyFor(site_pc), site_pc);
  handle.kind = static_cast<uint8_t>(kind);
  handle.named = false;
  handle.site = std::source_location();
  handle.site_pc = site_pc;
  handle.initial_value = initial_value;
  handle.flags.store(0, std::memory_order_relaxed);
}

void UnregisterSyncLocked(Runtime& rt, internal::SyncHandle& handle) {
  const uint8_t flags = handle.flags.load(std::memory_order_relaxed);
  if (flags == 0) return;
  rt.checker().RemoveLock(handle.id);
  if ((flags & runtime::kHandleInTrace) != 0) {
    rt.writer().Write(
        [&](runtime::TraceWriter::Scope& out) { out.EndInstance(handle.id, rt.Now()); },
        /*flush=*/false);
  }
}

}  // namespace lockgraph::runtime
