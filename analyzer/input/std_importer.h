// Imports traces in RAPID's STD text format — the format of the public benchmark traces of
// race and deadlock prediction papers — as lockgraph full-mode traces, so that one analysis
// (lock graph, witnesses, replay, race detector) judges them like traces of the runtime.
//
//   absl::StatusOr<StdImport> imported = ImportStdFile("account.std");  // a .lgtrace, in memory
//   RETURN_IF_ERROR(model.AddTraceBytes("account.std", std::move(imported->trace)));
//
// One event per line: `thread|op(arg)|location`, e.g. `T2|acq(L34)|120`. docs/std-import.md
// states the mapping: each STD thread a thread, each lock a lock instance of its own class
// (named by its id), each variable a Shared variable; dependencies are counted like the
// runtime counts them, and every event becomes a full-mode event. Locations become lines of a
// lines module (format::kLinesModuleBuildId), so reports print `file:location`.
//
// The input streams: memory grows with the distinct threads, locks, variables, locations and
// dependencies, plus a few bytes of encoded event per line (the in-memory trace).
// A malformed line, an unknown op or an event that breaks the thread discipline is an error
// naming the file and line. A line that breaks the lock discipline (a lock taken while another
// thread holds it, released by a thread that does not hold it) is repaired with a warning, as
// recordings of real runs have such lines; StdImportOptions::strict makes it an error too.
#ifndef LOCKGRAPH_ANALYZER_INPUT_STD_IMPORTER_H_
#define LOCKGRAPH_ANALYZER_INPUT_STD_IMPORTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lockgraph::analyzer {

enum class StdOp : uint8_t {
  kAcquire,    // acq(L)
  kRelease,    // rel(L)
  kRead,       // r(V)
  kWrite,      // w(V)
  kFork,       // fork(T)
  kJoin,       // join(T)
  kBegin,      // begin, begin(X): a transaction boundary, no synchronisation
  kEnd,        // end, end(X)
  kRequest,    // req(L): about to acquire L (deadlock benchmarks); its acq follows
  kWait,       // wait(L): Object.wait on monitor L
  kNotify,     // notify(L)
  kNotifyAll,  // notifyAll(L)
};

// "acq", "rel", ...: the op as STD spells it.
const char* StdOpName(StdOp op);

// One parsed line. The views point into the line.
struct StdEvent {
  absl::string_view thread;
  StdOp op = StdOp::kAcquire;
  absl::string_view arg;  // empty for begin and end
  uint32_t location = 0;
};

// Parses one line (without its newline). Spaces and tabs around each field and around the
// argument are ignored, and so is a trailing '\r'; ids are otherwise kept exactly as written
// (bare numbers of any length included). The error says what is wrong, not where: the caller
// adds the file and line.
absl::StatusOr<StdEvent> ParseStdLine(absl::string_view line);

// True for a line that holds no event (empty, or only spaces and tabs).
bool IsBlankStdLine(absl::string_view line);

struct StdImportStats {
  uint64_t lines = 0;   // all lines, blank ones included
  uint64_t events = 0;  // lines that held an event
  uint64_t threads = 0;
  uint64_t locks = 0;
  uint64_t variables = 0;
  uint64_t dependencies = 0;  // distinct ones, as written
  uint64_t repaired = 0;      // lines that broke the lock discipline, repaired
};

struct StdImportOptions {
  // Events are buffered per thread and written as blocks once all buffers together hold
  // `flush_bytes`: the replay holds about that much for threads that wait for later events.
  // Tests pass a small one to get many blocks.
  static constexpr size_t kFlushBytes = 1 << 20;
  size_t flush_bytes = kFlushBytes;
  // The first line that breaks the lock discipline is an error, as every other bad line is
  // (`--strict`). Otherwise such a line is repaired (docs/std-import.md, "Repairs"):
  //   - acq(L), or the return from wait(L), while thread U holds L: U releases L (every
  //     level) just before the line, in U's own events; U's later rel(L) is then a break too;
  //   - rel(L) by a thread that does not hold L: ignored.
  // A repair removes L from U's held locks: it can miss a lock-order edge or a gate lock, but
  // never adds one that is not in the file. For accesses, U's events before the line are
  // ordered before the acquisition, as by any release. A file without such lines imports to
  // the same trace either way.
  bool strict = false;
};

// Converts one STD trace, fed line by line, into the bytes of a lockgraph trace file.
// Not thread-safe. Cost per line: a few hash lookups; memory as in the file comment.
class StdImporter {
 public:
  // Repaired lines warned about one by one; those past it are counted in one warning.
  static constexpr size_t kMaxWarnings = 10;

  // `name` is the input's path: it names the input in errors and warnings, and is the file of
  // every location in reports.
  explicit StdImporter(std::string name, StdImportOptions options = {});
  ~StdImporter();
  StdImporter(const StdImporter&) = delete;
  StdImporter& operator=(const StdImporter&) = delete;

  // The next line (1-based numbering follows the calls). An error names the file and line;
  // the importer must not be used after one.
  absl::Status AddLine(absl::string_view line);
  // The trace; call once, after the last line.
  absl::StatusOr<std::string> Finish();

  const StdImportStats& stats() const;
  // One per repaired line ("FILE: line N: what was wrong: how it was repaired"), for the first
  // kMaxWarnings of them; after Finish, one more counting the rest, if any.
  const std::vector<std::string>& warnings() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

struct StdImport {
  std::string trace;  // the bytes of a lockgraph trace file
  StdImportStats stats;
  std::vector<std::string> warnings;  // StdImporter::warnings()
};

// Reads the STD file at `path` in chunks and imports it. Errors name the file (and line).
absl::StatusOr<StdImport> ImportStdFile(const std::string& path,
                                        const StdImportOptions& options = {});

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_STD_IMPORTER_H_
