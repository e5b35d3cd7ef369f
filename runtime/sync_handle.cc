// Registration of instrumented objects (lockgraph/internal/sync_handle.h).
#include "absl/strings/string_view.h"
#include "lockgraph/internal/sync_handle.h"

#include "runtime/cold_path.h"
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
  const uint8_t flags = handle.flags.load(std::memory_order_relaxed);
  if (flags == 0) return;  // never recorded anywhere: nothing to forget
  runtime::ColdPath cold;
  runtime::Runtime& rt = cold.runtime();
  rt.checker().RemoveLock(handle.id);
  if ((flags & runtime::kHandleInTrace) != 0) {
    rt.writer().Write(
        [&](runtime::TraceWriter::Scope& out) { out.EndInstance(handle.id, rt.Now()); },
        /*flush=*/false);
  }
}

}  // namespace lockgraph::internal
