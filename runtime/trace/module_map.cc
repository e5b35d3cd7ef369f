#include "common/source_frame.h"
#include "runtime/trace/module_map.h"

#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>

namespace lockgraph::runtime {
namespace {

std::string ExecutablePath() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : std::string();
}

std::string BuildId(const dl_phdr_info* info) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
    const char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const char* name = p + sizeof(ElfW(Nhdr));
      const char* desc = name + ((note->n_namesz + 3) & ~3u);
      if (desc + note->n_descsz > end) break;
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0) {
        return std::string(desc, note->n_descsz);
      }
      p = desc + ((note->n_descsz + 3) & ~3u);
    }
  }
  return {};
}

// How many objects the dynamic linker has loaded so far: a rescan finds nothing new unless
// this changed.
unsigned long long LoadCount() {
  unsigned long long adds = 0;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t size, void* data) -> int {
        if (size >= offsetof(dl_phdr_info, dlpi_adds) + sizeof(info->dlpi_adds)) {
          *static_cast<unsigned long long*>(data) = info->dlpi_adds;
        }
        return 1;
      },
      &adds);
  return adds;
}

}  // namespace

void ModuleMap::ScanLocked() {
  scanned_adds_ = LoadCount();
  struct Context {
    ModuleMap* self;
    bool first;
  } context{this, true};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) -> int {
        auto* ctx = static_cast<Context*>(data);
        ModuleMap* self = ctx->self;
        const bool is_executable = ctx->first;
        ctx->first = false;
        std::string path = info->dlpi_name != nullptr ? info->dlpi_name : "";
        if (path.empty()) {
          if (!is_executable) return 0;  // the vDSO, with nothing to symbolize offline
          path = ExecutablePath();
        }
        for (const Module& m : self->modules_) {
          if (m.load_bias == info->dlpi_addr && m.path == path) return 0;
        }
        Module& module = self->modules_.emplace_back();
        module.id = static_cast<uint32_t>(self->modules_.size());
        module.path = std::move(path);
        module.load_bias = info->dlpi_addr;
        module.build_id = BuildId(info);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD) continue;
          const uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
          ((ph.p_flags & PF_X) != 0 ? self->ranges_ : self->data_ranges_)
              .push_back({begin, begin + ph.p_memsz, &module});
        }
        return 0;
      },
      &context);
  for (std::vector<Range>* ranges : {&ranges_, &data_ranges_}) {
    std::sort(ranges->begin(), ranges->end(),
              [](const Range& a, const Range& b) { return a.begin < b.begin; });
  }
}

const Module* ModuleMap::FindIn(const std::vector<Range>& ranges, uintptr_t address) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), address,
                             [](uintptr_t value, const Range& r) { return value < r.begin; });
  if (it == ranges.begin()) return nullptr;
  --it;
  return address < it->end ? it->module : nullptr;
}

std::optional<ModuleOffset> ModuleMap::FindStatic(uintptr_t address) {
  RuntimeMutexLock hold(mu_);
  if (ranges_.empty()) ScanLocked();
  const Module* module = FindIn(data_ranges_, address);
  if (module == nullptr) return std::nullopt;
  return ModuleOffset{module, address - module->load_bias};
}

std::optional<ModuleOffset> ModuleMap::Find(uintptr_t pc) {
  RuntimeMutexLock hold(mu_);
  return FindOffsetLocked(pc);
}

std::optional<ModuleOffset> ModuleMap::FindOffsetLocked(uintptr_t pc) {
  const Module* module = FindLocked(pc);
  if (module == nullptr && (ranges_.empty() || LoadCount() != scanned_adds_)) {
    ScanLocked();  // the first lookup, or a library was dlopen'ed since the last scan
    module = FindLocked(pc);
  }
  if (module == nullptr) return std::nullopt;
  return ModuleOffset{module, pc - module->load_bias};
}

std::string ModuleMap::KeyFor(uintptr_t pc) {
  char buf[64];
  std::optional<ModuleOffset> where = Find(pc - 1);
  if (!where) {
    snprintf(buf, sizeof(buf), "0x%lx", static_cast<unsigned long>(pc - 1));
    return buf;
  }
  snprintf(buf, sizeof(buf), "+0x%lx", static_cast<unsigned long>(where->offset));
  return Basename(where->module->path) + buf;
}

bool ModuleMap::InLibraryFunction(uintptr_t pc) {
  RuntimeMutexLock hold(mu_);
  std::optional<ModuleOffset> where = FindOffsetLocked(pc - 1);
  if (!where) return false;
  if (cxx_library_functions_.size() < modules_.size()) cxx_library_functions_.resize(modules_.size());
  std::unique_ptr<CxxLibraryFunctions>& functions = cxx_library_functions_[where->module->id - 1];
  if (functions == nullptr) {
    functions = std::make_unique<CxxLibraryFunctions>(CxxLibraryFunctions::Load(where->module->path));
  }
  return functions->Contains(where->offset);
}

const Module* ModuleMap::ById(uint32_t id) {
  RuntimeMutexLock hold(mu_);
  return id >= 1 && id <= modules_.size() ? &modules_[id - 1] : nullptr;
}

}  // namespace lockgraph::runtime
