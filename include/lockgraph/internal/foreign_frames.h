// Not part of the C++ API: how a language hosted in the process (the Python package,
// python/) gives the recorder its own frames, sites and waits, so that a Python program's
// reports name `app.py:12 in deposit` instead of the interpreter's C frames.
//
// A foreign frame travels through the recorder as a *foreign pc*: a uintptr_t with bit 63 set
// (no user-space return address has it), which the language encodes and decodes itself.
//
//   internal::InstallForeignRuntime(&kPython);        // once, at import
//   internal::ForeignCall call(PythonPcOfCaller());   // around each call into a primitive:
//   lock.acquire();                                   // the held lock is "taken at" that pc
#ifndef LOCKGRAPH_INTERNAL_FOREIGN_FRAMES_H_
#define LOCKGRAPH_INTERNAL_FOREIGN_FRAMES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace lockgraph::internal {

inline constexpr uintptr_t kForeignPcBit = uintptr_t{1} << 63;
inline bool IsForeignPc(uintptr_t pc) { return (pc & kForeignPcBit) != 0; }

// What a foreign pc means: a line of a source file, in a function.
struct ForeignFrame {
  std::string file;
  std::string function;
  uint32_t line = 0;
};

struct ForeignRuntime {
  // The language's name in reports and traces ("python").
  const char* language = "";
  // Writes the calling thread's frames as foreign pcs, innermost first, and returns how many;
  // 0 when the thread runs no foreign code or cannot look now (the native stack is taken
  // instead). Called on the recorder's cold paths only: new dependencies, waits, misuse.
  int (*capture)(uintptr_t* pcs, int max_frames) = nullptr;
  // The frame of a foreign pc that capture or a ForeignCall gave. Any thread, any time.
  bool (*resolve)(uintptr_t pc, ForeignFrame* frame) = nullptr;
  // Around each wait of a primitive for another thread (never the recorder's own waits):
  // Python releases its interpreter lock here. before_wait's result goes to after_wait.
  void* (*before_wait)() = nullptr;
  void (*after_wait)(void* token) = nullptr;
  // Native functions that are the language's own lock implementation (CPython's
  // PyThread_acquire_lock_timed, PyThread_release_lock, ...), as [begin, end) address
  // ranges: the LD_PRELOAD interposer leaves the objects they use alone, since the language
  // records its program's locks itself and the rest are the interpreter's.
  const uintptr_t (*native_lock_code)[2] = nullptr;
  int native_lock_code_count = 0;
  // Memory whose pthread objects are the interpreter's own (CPython's _PyRuntime: the GIL's
  // mutexes), as [begin, end) ranges: the interposer leaves them alone too. The GIL is taken
  // at every switch between Python threads; recorded, its release-to-acquire order would
  // order every access of one thread before the next thread's and hide every data race.
  const uintptr_t (*native_objects)[2] = nullptr;
  int native_objects_count = 0;
};

// If this process is a CPython interpreter (its lock functions and _PyRuntime are exported),
// points `runtime`'s native_lock_code and native_objects at them and returns true.
bool FindCPythonNatives(ForeignRuntime& runtime);

// True if `pc` is in the installed language's native_lock_code.
bool InForeignLockCode(uintptr_t pc);
// True if `address` is in the installed language's native_objects.
bool InForeignObjects(const void* address);

// Installs `runtime` (which must outlive the process) for every thread; nullptr removes it.
void InstallForeignRuntime(const ForeignRuntime* runtime);
const ForeignRuntime* InstalledForeignRuntime();

// While alive, the primitives the calling thread calls take `pc` as where they were called:
// the site of a held lock, a lock's owner, the place of misuse.
void SetForeignCallerPc(uintptr_t pc);
class ForeignCall {
 public:
  explicit ForeignCall(uintptr_t pc) { SetForeignCallerPc(pc); }
  ~ForeignCall() { SetForeignCallerPc(0); }
  ForeignCall(const ForeignCall&) = delete;
  ForeignCall& operator=(const ForeignCall&) = delete;
};

// While alive, objects the calling thread constructs take this construction site instead of
// their C++ std::source_location; `class_name`, if not empty, is their class instead of the
// name their constructor got (a ProcessLock named "journal.4242.1" for its processes is of
// class "journal").
struct ForeignSite {
  std::string_view file;
  uint32_t line = 0;
  std::string_view function;
  std::string_view class_name;
};
void SetForeignSite(const ForeignSite* site);
class ForeignConstruction {
 public:
  explicit ForeignConstruction(const ForeignSite& site) { SetForeignSite(&site); }
  ~ForeignConstruction() { SetForeignSite(nullptr); }
  ForeignConstruction(const ForeignConstruction&) = delete;
  ForeignConstruction& operator=(const ForeignConstruction&) = delete;
};

// True while the calling thread runs the recorder's own code (its waits are the recorder's).
bool InsideRecorder();

// Names the calling thread in the trace (a thread the interposer saw start gets its name from
// the language later). Starts its recorder state if it has none yet.
void NameCurrentThread(std::string_view name);

}  // namespace lockgraph::internal

#endif  // LOCKGRAPH_INTERNAL_FOREIGN_FRAMES_H_
