#include "absl/strings/string_view.h"
#include "runtime/recorder/lock_registry.h"

#include "absl/strings/str_cat.h"

namespace lockgraph::runtime {

void ClassInfo::AddWait(uint64_t ns) {
  contended.fetch_add(1, std::memory_order_relaxed);
  wait_total_ns.fetch_add(ns, std::memory_order_relaxed);
  AtomicMax(wait_max_ns, ns);
  wait_histogram[format::WaitBucket(ns)].fetch_add(1, std::memory_order_relaxed);
}

void ClassInfo::AddHold(uint64_t samples, uint64_t total_ns, uint64_t max_ns) {
  hold_samples.fetch_add(samples, std::memory_order_relaxed);
  hold_total_ns.fetch_add(total_ns, std::memory_order_relaxed);
  AtomicMax(hold_max_ns, max_ns);
}

void LockRegistry::ResetStatistics() {
  const uint32_t count = class_count();
  for (uint32_t id = 0; id <= count; ++id) {
    ClassInfo& info = Class(id);
    for (std::atomic<uint64_t>* counter :
         {&info.acquisitions, &info.contended, &info.wait_total_ns, &info.wait_max_ns,
          &info.hold_samples, &info.hold_total_ns, &info.hold_max_ns}) {
      counter->store(0, std::memory_order_relaxed);
    }
    for (auto& bucket : info.wait_histogram) bucket.store(0, std::memory_order_relaxed);
  }
}

LockRegistry::LockRegistry() {
  // Id 0 is "no class"; allocate the first chunk so that Class(0) is valid too.
  chunks_[0].store(new ClassInfo[kChunkSize], std::memory_order_release);
}

LockRegistry::~LockRegistry() {
  for (std::atomic<ClassInfo*>& chunk : chunks_) delete[] chunk.load(std::memory_order_relaxed);
  for (auto& [site, file] : files_) delete file;
}

uint32_t LockRegistry::AddLocked(format::SyncKind kind, std::string name, absl::string_view file,
                                 uint32_t line, absl::string_view function) {
  uint32_t id = count_.load(std::memory_order_relaxed) + 1;
  if (id >= kChunkSize * kMaxChunks) {
    overflowed_.fetch_add(1, std::memory_order_relaxed);
    return id - 1;
  }
  if (id % kChunkSize == 0) {
    chunks_[id / kChunkSize].store(new ClassInfo[kChunkSize], std::memory_order_release);
  }
  ClassInfo& info = Class(id);
  info.id = id;
  info.name = std::move(name);
  info.kind = kind;
  info.file = std::string(file);
  info.line = line;
  info.function = std::string(function);
  count_.store(id, std::memory_order_release);
  return id;
}

uint32_t LockRegistry::ClassOfKeyLocked(format::SyncKind kind, std::string key,
                                        absl::string_view file, uint32_t line,
                                        absl::string_view function) {
  // A class is one kind of object: a Condition and its own RLock, made at one site or with
  // one name, get two classes, the second marked with its kind.
  if (auto same = by_name_.find(key); same != by_name_.end() && Class(same->second).kind != kind) {
    absl::StrAppend(&key, " (", format::SyncKindName(kind), ")");
  }
  auto [named, fresh] = by_name_.try_emplace(key, 0);
  if (fresh) named->second = AddLocked(kind, std::move(key), file, line, function);
  return named->second;
}

uint32_t LockRegistry::Intern(format::SyncKind kind, absl::string_view name,
                              const std::source_location& site, const char** file_copy) {
  RuntimeMutexLock hold(mu_);
  if (file_copy != nullptr) {
    auto [it, fresh] = files_.try_emplace(site.file_name(), nullptr);
    if (fresh) it->second = new std::string(site.file_name());
    *file_copy = it->second->c_str();
  }
  const bool by_site = name.empty();
  if (by_site) {
    auto it = by_site_.find({site.file_name(), site.line(), site.column(), kind});
    if (it != by_site_.end()) return it->second;
  }
  const uint32_t id = ClassOfKeyLocked(
      kind, by_site ? absl::StrCat(site.file_name(), ":", site.line()) : std::string(name),
      site.file_name(), site.line(), site.function_name());
  if (by_site) by_site_[{site.file_name(), site.line(), site.column(), kind}] = id;
  return id;
}

uint32_t LockRegistry::InternForeign(format::SyncKind kind, absl::string_view name,
                                     const internal::ForeignSite& site,
                                     const char** file_copy) {
  RuntimeMutexLock hold(mu_);
  auto [copy, fresh_copy] = foreign_files_.try_emplace(std::string(site.file), nullptr);
  if (fresh_copy) copy->second = new std::string(site.file);
  if (file_copy != nullptr) *file_copy = copy->second->c_str();
  const absl::string_view file(site.file.data(), site.file.size());
  return ClassOfKeyLocked(kind, name.empty() ? absl::StrCat(file, ":", site.line) : std::string(name),
                          file, site.line,
                          absl::string_view(site.function.data(), site.function.size()));
}

uint32_t LockRegistry::InternPreload(format::SyncKind kind, absl::Span<const uintptr_t> stack,
                                     absl::FunctionRef<std::string()> name_of) {
  RuntimeMutexLock hold(mu_);
  std::pair<format::SyncKind, std::vector<uintptr_t>> key(kind, {stack.begin(), stack.end()});
  if (auto it = by_stack_.find(key); it != by_stack_.end()) return it->second;
  // A stack not seen in this process may still have a class: the same module offsets at
  // other addresses (a library loaded again elsewhere) make the same name.
  std::string name = name_of();
  auto [named, fresh] = by_name_.try_emplace(name, 0);
  if (fresh) {
    named->second = AddLocked(kind, std::move(name));
    ClassInfo& info = Class(named->second);
    info.file.clear();
    info.function.clear();
    info.site_pc = stack.empty() ? 0 : stack.front();
    info.site_stack.assign(stack.begin(), stack.end());
  }
  by_stack_.emplace(std::move(key), named->second);
  return named->second;
}

uint32_t LockRegistry::InternPreloadObjectLocked(format::SyncKind kind, std::string key,
                                                 bool one_object,
                                                 absl::FunctionRef<void(ClassInfo&)> fill) {
  if (one_object && by_name_.contains(key)) {
    int& last = generations_[key];  // the objects built there since the first
    last = last == 0 ? 2 : last + 1;
    absl::StrAppend(&key, " #", last);
  }
  // One allocation site may make objects with a mutex and a rwlock at one offset (a union, an
  // allocator's wrapper): a class is of one kind.
  if (auto same = by_name_.find(key); same != by_name_.end() && Class(same->second).kind != kind) {
    absl::StrAppend(&key, " (", format::SyncKindName(kind), ")");
  }
  auto [named, fresh] = by_name_.try_emplace(key, 0);
  if (fresh) {
    named->second = AddLocked(kind, key);
    ClassInfo& info = Class(named->second);
    info.file.clear();
    info.function.clear();
    fill(info);
  }
  return named->second;
}

uint32_t LockRegistry::InternPreloadObject(format::SyncKind kind, std::string key,
                                           bool one_object,
                                           absl::FunctionRef<void(ClassInfo&)> fill) {
  RuntimeMutexLock hold(mu_);
  return InternPreloadObjectLocked(kind, std::move(key), one_object, fill);
}

uint32_t LockRegistry::InternHeapObject(format::SyncKind kind, uintptr_t pc, uint32_t offset,
                                        absl::FunctionRef<std::string()> key_of,
                                        absl::FunctionRef<void(ClassInfo&)> fill) {
  RuntimeMutexLock hold(mu_);
  auto [it, fresh] = by_allocation_.try_emplace({kind, pc, offset}, 0);
  if (fresh) it->second = InternPreloadObjectLocked(kind, key_of(), /*one_object=*/false, fill);
  return it->second;
}

}  // namespace lockgraph::runtime
