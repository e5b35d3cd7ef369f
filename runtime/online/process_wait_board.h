// The process wait board: what threads of every process of the user wait for among
// ProcessLocks, in POSIX shared memory ("/lockgraph.UID.waits"). A cycle of waits that
// crosses processes is invisible to each process's own published waits (live_deadlock.h);
// the board lets the live check, and the steering of `lockgraph confirm` (steering.h), see
// the other processes' threads. Locks are known by their global names (hashed): the only
// identity two processes share.
//
//   ProcessWaitBoard* board = ProcessWaitBoard::Get();   // null: no shared memory here
//   const int slot = board->Publish(entry);             // a thread that waits long
//   for (const BoardEntry& e : board->Snapshot()) ...   // every live process's entries
//   board->Retract(slot);
//
// A fixed array of slots, each claimed with a compare-and-swap and read with a sequence
// count (a torn read is retried or skipped), so no process can block another, even by dying
// in the middle: entries of dead processes are skipped and their slots reused.
#ifndef LOCKGRAPH_RUNTIME_ONLINE_PROCESS_WAIT_BOARD_H_
#define LOCKGRAPH_RUNTIME_ONLINE_PROCESS_WAIT_BOARD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockgraph::runtime {

struct BoardPage;  // the shared page (process_wait_board.cc)

// One published entry, as read or written.
struct BoardEntry {
  enum Kind : uint32_t { kWaiting = 1, kPaused = 2 };
  // Flags, set by any process: kReported — its process has reported the deadlock this entry
  // is in; kReleased — the steering lets this paused thread go.
  static constexpr uint32_t kReported = 1, kReleased = 2;
  static constexpr int kMaxHeld = 8;

  Kind kind = kWaiting;
  uint32_t pid = 0;
  uint32_t tid = 0;       // the recorder's thread id in its process
  uint64_t wants = 0;     // global-name hash of the lock it waits for
  std::vector<uint64_t> held;  // global-name hashes of the ProcessLocks it holds (kMaxHeld)
  std::string thread_name;     // shortened to fit
  std::string wants_name;      // the wanted lock's global name, shortened
  uint32_t flags = 0;
  int slot = -1;

  // An entry of this process's thread `tid` that waits for the lock `wants` (a global name).
  static BoardEntry Of(Kind kind, uint32_t tid, std::string_view thread_name,
                       std::string_view wants);
};

class ProcessWaitBoard {
 public:
  // The board, mapped on first use; null if it cannot be (no /dev/shm, a board of another
  // layout), which is said once on stderr.
  static ProcessWaitBoard* Get();

  // Publishes `entry` (its slot and flags are ignored); returns its slot, or -1 when the board
  // is full of live entries.
  int Publish(const BoardEntry& entry);
  void Retract(int slot);
  void SetFlags(int slot, uint32_t flags);  // ORs `flags` in
  uint32_t Flags(int slot) const;
  // The published entries of processes that are alive.
  std::vector<BoardEntry> Snapshot() const;

 private:
  explicit ProcessWaitBoard(BoardPage* page) : page_(page) {}
  BoardPage* const page_;
};

// A cycle through entries[self] among the entries of `kind` (t -> u: u holds what t waits
// for; paused entries already released are left out), as indices in cycle order starting at
// `self`; empty if none.
std::vector<size_t> BoardCycle(const std::vector<BoardEntry>& entries, size_t self,
                               BoardEntry::Kind kind);

// The hash by which the board knows a lock with this global name.
uint64_t BoardLockHash(std::string_view global_name);

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_ONLINE_PROCESS_WAIT_BOARD_H_
