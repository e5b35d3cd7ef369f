// Constants of the lockgraph trace file format, shared by the runtime's writer and the
// analyzer's reader. docs/trace-format.md describes the format byte by byte; keep the two in
// step (and bump kTraceVersion on any change a version-1 reader cannot skip).
//
// A file is a 16-byte header followed by records, each `varint type, varint length, payload`.
// Payload fields are varints unless said otherwise; a reader ignores bytes after the fields it
// knows, so new fields may be appended to a record without a version bump.
#ifndef LOCKGRAPH_COMMON_TRACE_FORMAT_H_
#define LOCKGRAPH_COMMON_TRACE_FORMAT_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace lockgraph::format {

inline constexpr char kTraceMagic[8] = {'L', 'G', 'T', 'R', 'A', 'C', 'E', '\0'};
inline constexpr uint32_t kTraceVersion = 1;
inline constexpr size_t kHeaderSize = 16;  // magic, u32 version, u32 flags (little-endian)
// A record larger than this is corrupt: no record the runtime writes comes near it.
inline constexpr uint64_t kMaxRecordSize = 16u << 20;
// The build_id of a module that is a text file, not an ELF object: a trace imported from
// another format (analyzer/input/std_importer.h) names the lines (locations) of its input file
// with it. A frame's offset in such a module is the line itself, printed as `path:offset`,
// never symbolized. Not a GNU build id: those are raw 16- or 20-byte hashes.
inline constexpr absl::string_view kLinesModuleBuildId = "lockgraph:lines";
// The build_id prefix of a module that is a source file of a language hosted in the process
// ("lockgraph:source:python"): a frame's offset is a line, the module's function_sid names
// the function; one module per (file, function). Printed as `function path:line`.
inline constexpr absl::string_view kSourceModuleBuildIdPrefix = "lockgraph:source:";
enum class RecordType : uint32_t {
  kProcess = 1,
  kString = 2,
  kModule = 3,
  kStack = 4,
  kClass = 5,
  kInstance = 6,
  kInstanceEnd = 7,
  kThreadStart = 8,
  kThreadEnd = 9,
  kThreadJoin = 10,
  kDependency = 11,
  kDependencyCount = 12,
  kLongWait = 13,
  kMisuse = 14,
  kClassStats = 15,
  kSignalRelease = 16,
  kRuntimeStats = 17,
  kEventBlock = 18,
  kProcessJoin = 19,
  kDeadlock = 20,
};

// What makes a class of the LD_PRELOAD interposer (docs/analysis.md, "Classes under the
// preload"); the wrappers' classes are kSite (a name or a construction site).
enum class ClassOrigin : uint8_t {
  kSite = 0,    // a name, a construction site, or (preload) the site of first use
  kStatic = 1,  // one object in static storage: ClassRecord::object_module/object_offset
  kHeap = 2,    // locks at one offset of blocks allocated at one site: site_stack, object_offset
};

// What kind of synchronisation object an instance or class is.
enum class SyncKind : uint8_t {
  kLock = 1,
  kRLock = 2,
  kSemaphore = 3,
  kBoundedSemaphore = 4,
  kEvent = 5,
  kCondition = 6,
  kQueue = 7,
  // Seen by the LD_PRELOAD interposer (std::mutex, std::shared_mutex, ... are these).
  kPthreadMutex = 8,
  kPthreadRwlock = 9,
  kPosixSemaphore = 10,
  // Shared between processes, identified by a global name (InstanceRecord::global_name_sid).
  kProcessLock = 11,
  kProcessQueue = 12,
  kShared = 13,  // a lockgraph::Shared<T> variable (full mode's race detection), not a lock
  kSharedLock = 14,  // lockgraph::SharedLock: reader-writer, readers take it with kAcquireShared
};

// How a lock was taken (DependencyRecord::flags, HeldLock::flags).
enum AcquireFlags : uint8_t {
  kAcquireTry = 1,     // try_lock: cannot block, so it never closes a cycle
  kAcquireTimed = 2,   // blocking with a timeout
  kAcquireShared = 4,  // shared (reader) mode
};

enum class MisuseKind : uint8_t {
  kReleaseUnheld = 1,      // release of a lock nobody holds
  kReleaseByNonOwner = 2,  // release by a thread other than the holder
  kSelfDeadlock = 3,       // re-acquiring a held non-recursive lock: waits forever
  kDestroyHeld = 4,        // destroying a lock that is held
  kOverRelease = 5,        // BoundedSemaphore released above its initial value
  kTaskDoneTooMany = 6,    // Queue::task_done called more often than items were put
  kThreadApi = 7,          // start() twice, join() before start(), a thread joining itself
  kNotHeld = 8,            // Condition wait/notify without holding its lock
  kOwnerDied = 9,          // a ProcessLock's holder process died holding it
  kReleaseWrongMode = 10,  // a SharedLock released in the mode it is not held in
};

enum class TraceMode : uint8_t { kDeps = 0, kFull = 1 };

absl::string_view RecordTypeName(RecordType type);
absl::string_view SyncKindName(SyncKind kind);
absl::string_view MisuseKindName(MisuseKind kind);
absl::string_view TraceModeName(TraceMode mode);

}  // namespace lockgraph::format

#endif  // LOCKGRAPH_COMMON_TRACE_FORMAT_H_
