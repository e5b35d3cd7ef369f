// The loaded ELF modules of this process (executable and shared libraries), so that a pc can
// be stored as (module, offset) and symbolized offline, whatever ASLR did.
//
//   ModuleMap& map = ...;
//   if (auto where = map.Find(pc)) { /* where->module, where->offset */ }
//
// Thread-safe. A pc outside every known module triggers one rescan (a library may have been
// dlopen'ed since); modules are never forgotten, so a (module, offset) stays valid.
#ifndef LOCKGRAPH_RUNTIME_TRACE_MODULE_MAP_H_
#define LOCKGRAPH_RUNTIME_TRACE_MODULE_MAP_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "runtime/base/runtime_mutex.h"
#include "runtime/trace/cxx_library_functions.h"

namespace lockgraph::runtime {

struct Module {
  uint32_t id = 0;  // from 1, in order of discovery
  std::string path;
  uint64_t load_bias = 0;
  std::string build_id;  // NT_GNU_BUILD_ID bytes
};

struct ModuleOffset {
  const Module* module;
  uint64_t offset;  // pc - load_bias
};

class ModuleMap {
 public:
  std::optional<ModuleOffset> Find(uintptr_t pc) ABSL_LOCKS_EXCLUDED(mu_);
  const Module* ById(uint32_t id) ABSL_LOCKS_EXCLUDED(mu_);
  // "libfoo.so+0x1a2b": the module's file name and the offset of the call before `pc` (a
  // return address), the same in every run of the same binary.
  std::string KeyFor(uintptr_t pc) ABSL_LOCKS_EXCLUDED(mu_);
  // The module whose loaded image (not its code: data, bss) holds `address`: a global or
  // static object. No rescan: a module is scanned when its first pc is looked up.
  std::optional<ModuleOffset> FindStatic(uintptr_t address) ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the call before `pc` (a return address) is in a function of the C++ library
  // (runtime/trace/cxx_library_functions.h). The first question about a module reads its symbols.
  bool InLibraryFunction(uintptr_t pc) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Range {
    uintptr_t begin, end;
    const Module* module;
  };
  void ScanLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static const Module* FindIn(const std::vector<Range>& ranges, uintptr_t address);
  const Module* FindLocked(uintptr_t pc) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return FindIn(ranges_, pc);
  }
  // Rescans once if `pc` is in no known module.
  std::optional<ModuleOffset> FindOffsetLocked(uintptr_t pc) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  RuntimeMutex mu_;
  std::deque<Module> modules_ ABSL_GUARDED_BY(mu_);  // deque: stable addresses
  std::vector<Range> ranges_ ABSL_GUARDED_BY(mu_);  // code, sorted by begin
  std::vector<Range> data_ranges_ ABSL_GUARDED_BY(mu_);  // the other segments, sorted
  // By module id - 1; null until the module is first asked about.
  std::vector<std::unique_ptr<CxxLibraryFunctions>> cxx_library_functions_ ABSL_GUARDED_BY(mu_);
  unsigned long long scanned_adds_ ABSL_GUARDED_BY(mu_) = 0;  // dlpi_adds at the last scan
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_TRACE_MODULE_MAP_H_
