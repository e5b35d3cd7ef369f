// The hosted-language hooks of lockgraph/internal/foreign_frames.h: the installed runtime,
// the per-call foreign pc and construction site, and thread names given by the language.
#include "runtime/recorder/foreign_runtime.h"

#include <atomic>

#include "lockgraph/internal/foreign_frames.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::runtime {

constinit thread_local uintptr_t t_foreign_pc ABSL_ATTRIBUTE_INITIAL_EXEC = 0;

namespace {
std::atomic<const internal::ForeignRuntime*> g_foreign{nullptr};
std::atomic<ForeignInstallListener> g_listener{nullptr};
constinit thread_local const internal::ForeignSite* t_foreign_site = nullptr;

// True if `value` is in one of the [begin, end) `ranges`.
bool InRanges(const uintptr_t (*ranges)[2], int count, uintptr_t value) {
  for (int i = 0; i < count; ++i) {
    if (value >= ranges[i][0] && value < ranges[i][1]) return true;
  }
  return false;
}
}  // namespace

const internal::ForeignSite* ForeignSiteOfCaller() { return t_foreign_site; }

void SetForeignInstallListener(ForeignInstallListener listener) {
  g_listener.store(listener, std::memory_order_release);
}

bool ResolveForeignPc(uintptr_t pc, internal::ForeignFrame* frame) {
  const internal::ForeignRuntime* foreign = internal::InstalledForeignRuntime();
  return foreign != nullptr && foreign->resolve != nullptr && foreign->resolve(pc, frame);
}

}  // namespace lockgraph::runtime

namespace lockgraph::internal {

void InstallForeignRuntime(const ForeignRuntime* runtime) {
  runtime::g_foreign.store(runtime, std::memory_order_release);
  const runtime::ForeignInstallListener listener =
      runtime::g_listener.load(std::memory_order_acquire);
  if (runtime != nullptr && listener != nullptr) listener(*runtime);
}

const ForeignRuntime* InstalledForeignRuntime() {
  return runtime::g_foreign.load(std::memory_order_acquire);
}

bool InForeignLockCode(uintptr_t pc) {
  const ForeignRuntime* foreign = InstalledForeignRuntime();
  return foreign != nullptr &&
         runtime::InRanges(foreign->native_lock_code, foreign->native_lock_code_count, pc);
}

bool InForeignObjects(const void* address) {
  const ForeignRuntime* foreign = InstalledForeignRuntime();
  return foreign != nullptr && runtime::InRanges(foreign->native_objects,
                                                 foreign->native_objects_count,
                                                 reinterpret_cast<uintptr_t>(address));
}

void SetForeignCallerPc(uintptr_t pc) { runtime::t_foreign_pc = pc; }

void SetForeignSite(const ForeignSite* site) { runtime::t_foreign_site = site; }

bool InsideRecorder() { return runtime::t_runtime_depth > 0; }

void NameCurrentThread(std::string_view name) {
  runtime::ThreadState* ts = runtime::CurrentThread();
  if (ts == nullptr || name.empty() || ts->name == name) return;
  runtime::ColdPath cold;
  cold.recorder().RenameThread(ts, std::string(name));
}

}  // namespace lockgraph::internal
