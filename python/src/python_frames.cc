#include "python/src/python_frames.h"

#include <sched.h>

#include <atomic>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "lockgraph/internal/foreign_frames.h"
#include "python/src/frame_walk.h"

namespace lockgraph::python {
namespace {

constexpr int kOffsetShift = 47;
constexpr uintptr_t kCodeMask = (uintptr_t{1} << kOffsetShift) - 1;
constexpr uintptr_t kMaxOffset = 0xffff;

// What a pc's code object says, copied once (resolve may run without the GIL).
struct CodeInfo {
  std::string file;
  std::string function;
  bool internal = false;  // lockgraph's own Python code: left out of stacks
};

// A spin lock, not a pthread mutex: under `lockgraph run` the interposer would record it.
class SpinLock {
 public:
  void lock() {
    while (locked_.exchange(true, std::memory_order_acquire)) sched_yield();
  }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

SpinLock g_codes_mu;
absl::flat_hash_map<PyCodeObject*, const CodeInfo*>* g_codes = nullptr;  // never freed
std::vector<std::string>* g_internal = nullptr;

// The GIL guards this direct-mapped cache in front of g_codes: a repeated call site costs a
// load and a compare.
struct CacheSlot {
  PyCodeObject* code = nullptr;
  const CodeInfo* info = nullptr;
};
CacheSlot g_cache[4096];

std::string Utf8(PyObject* text) {
  if (text == nullptr || !PyUnicode_Check(text)) return "?";
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(text, &size);
  if (data == nullptr) {
    PyErr_Clear();
    return "?";
  }
  return std::string(data, static_cast<size_t>(size));
}

// The code object's info; the first time, keeps the code alive for good. GIL held.
const CodeInfo* Known(PyCodeObject* code) {
  CacheSlot& slot = g_cache[(reinterpret_cast<uintptr_t>(code) >> 4) & 4095];
  if (slot.code == code) return slot.info;
  const CodeInfo* info;
  {
    std::lock_guard<SpinLock> hold(g_codes_mu);
    auto [it, fresh] = g_codes->try_emplace(code, nullptr);
    if (fresh) {
      auto* made = new CodeInfo;
      made->file = Utf8(code->co_filename);
      made->function = Utf8(code->co_qualname);
      for (const std::string& prefix : *g_internal) {
        if (absl::StartsWith(made->file, prefix)) made->internal = true;
      }
      Py_INCREF(code);
      it->second = made;
    }
    info = it->second;
  }
  slot = {code, info};
  return info;
}

uintptr_t Encode(PyCodeObject* code, int offset) {
  const uintptr_t units = offset < 0 ? 0 : std::min<uintptr_t>(offset, kMaxOffset);
  return internal::kForeignPcBit | (units << kOffsetShift) |
         (reinterpret_cast<uintptr_t>(code) & kCodeMask);
}

bool HoldsGil() { return Py_IsInitialized() && PyGILState_Check(); }

int Capture(uintptr_t* pcs, int max_frames) {
  if (!HoldsGil()) return 0;
  constexpr int kMaxWalk = 128;
  PyCodeObject* codes[kMaxWalk];
  int offsets[kMaxWalk];
  const int n = lockgraph_walk_frames(codes, offsets, kMaxWalk);
  int out = 0;
  for (int i = 0; i < n && out < max_frames; ++i) {
    if (Known(codes[i])->internal) continue;
    pcs[out++] = Encode(codes[i], offsets[i]);
  }
  return out;
}

bool Resolve(uintptr_t pc, internal::ForeignFrame* frame) {
  auto* code = reinterpret_cast<PyCodeObject*>(pc & kCodeMask);
  const CodeInfo* info = nullptr;
  {
    std::lock_guard<SpinLock> hold(g_codes_mu);
    if (g_codes == nullptr) return false;
    auto it = g_codes->find(code);
    if (it == g_codes->end()) return false;
    info = it->second;
  }
  const int units = static_cast<int>((pc >> kOffsetShift) & kMaxOffset);
  frame->file = info->file;
  frame->function = info->function;
  // Reads the code's immutable line table only: safe without the GIL (the code lives on).
  const int line = PyCode_Addr2Line(code, units * 2);
  frame->line = line > 0 ? static_cast<uint32_t>(line) : 0;
  return true;
}

// A primitive is about to wait: let the other Python threads run meanwhile.
void* BeforeWait() {
  if (!HoldsGil()) return nullptr;
  return PyEval_SaveThread();
}

void AfterWait(void* token) {
  if (token != nullptr) PyEval_RestoreThread(static_cast<PyThreadState*>(token));
}

internal::ForeignRuntime g_python = {
    .language = "python",
    .capture = Capture,
    .resolve = Resolve,
    .before_wait = BeforeWait,
    .after_wait = AfterWait,
};

// The innermost frame of the program's own code (not lockgraph's Python files).
bool CallerFrame(PyCodeObject** code, int* offset, const CodeInfo** info) {
  if (lockgraph_current_frame(code, offset) == 0) return false;
  *info = Known(*code);
  if (!(*info)->internal) return true;
  constexpr int kMaxWalk = 16;
  PyCodeObject* codes[kMaxWalk];
  int offsets[kMaxWalk];
  const int n = lockgraph_walk_frames(codes, offsets, kMaxWalk);
  for (int i = 0; i < n; ++i) {
    const CodeInfo* known = Known(codes[i]);
    if (known->internal) continue;
    *code = codes[i];
    *offset = offsets[i];
    *info = known;
    return true;
  }
  return false;
}

}  // namespace

void InstallPythonFrames(const std::vector<std::string>& internal_prefixes) {
  if (g_codes != nullptr) return;
  g_codes = new absl::flat_hash_map<PyCodeObject*, const CodeInfo*>;
  g_internal = new std::vector<std::string>(internal_prefixes);
  // Under the LD_PRELOAD interposer: CPython's own locks and GIL are left alone.
  internal::FindCPythonNatives(g_python);
  internal::InstallForeignRuntime(&g_python);
}

uintptr_t CallerPc() {
  PyCodeObject* code;
  int offset;
  const CodeInfo* info;
  if (!CallerFrame(&code, &offset, &info)) return 0;
  return Encode(code, offset);
}

PythonSite CallerSite() {
  PyCodeObject* code;
  int offset;
  const CodeInfo* info;
  if (!CallerFrame(&code, &offset, &info)) return {};
  const int line = PyCode_Addr2Line(code, offset * 2);
  return {info->file.c_str(), line > 0 ? static_cast<uint32_t>(line) : 0,
          info->function.c_str(), code, offset};
}

}  // namespace lockgraph::python
