// lockgraph::ProcessLock — a lock shared by processes, found by name (Python's
// multiprocessing.Lock, spelled like lockgraph::Lock).
//
//   lockgraph::ProcessLock journal("journal");     // every process that says "journal"
//   std::lock_guard hold(journal);                  // gets the same lock
//   ...
//   lockgraph::ProcessLock::unlink("journal");      // once no process needs it any more
//
// The lock is a robust, process-shared pthread mutex in POSIX shared memory, opened (and
// created by the first process to ask) with shm_open under a name derived from `name` and the
// user id (SharedMemoryName()). Processes forked after a ProcessLock was made share it too.
// The shared memory outlives the processes: unlink() removes the name; processes that have
// the lock keep it, and a ProcessLock made with the name afterwards is a new lock.
//
// Recorded like a Lock, with its name as its lock class and as its identity across processes:
// lock orders that two processes take on ProcessLocks of the same names meet in one lock
// graph when their traces are analyzed together (docs/processes.md).
//
// A holder that dies holding the lock does not block the others: the next acquisition gets
// the lock, reports it (misuse `owner-died`: what the lock guarded may be half-updated) and
// carries on. The lock belongs to the thread that took it: unlocking it from another thread
// or process is misuse (reported, and the lock stays held — unlike Python's, which anyone may
// release), and so is taking it again in the thread that holds it, which fails at once
// instead of waiting forever (lock() throws std::system_error, as std::mutex may).
// Cost: an uncontended lock+unlock is a pthread_mutex_trylock and unlock on the shared page,
// plus what a Lock records.
#ifndef LOCKGRAPH_PROCESS_LOCK_H_
#define LOCKGRAPH_PROCESS_LOCK_H_

#include <chrono>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/timeout.h"

namespace lockgraph {
namespace internal {
struct ProcessLockShared;  // the shared page (runtime/primitives/process_lock.cc)
}  // namespace internal

class ABSL_LOCKABLE ProcessLock {
 public:
  // Opens (or creates) the lock `name`, which must not be empty. Throws std::invalid_argument
  // for an empty name and std::system_error if the shared memory cannot be opened or mapped.
  explicit ProcessLock(std::string_view name,
                       std::source_location site = std::source_location::current());
  // Unmaps the lock; the lock itself lives on for the other processes (see unlink()).
  // Destroying it while this thread holds it is misuse: reported, and the lock is released.
  ~ProcessLock();
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;

  // Blocks until the lock is taken. Throws std::system_error if it cannot be: the calling
  // thread holds it already (resource_deadlock_would_occur, also reported as misuse), or the
  // lock is unusable (state_not_recoverable: a holder died and another program released it
  // without recovering it).
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
  // Never blocks; a successful try_lock joins the held set but can never close a cycle.
  bool try_lock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return TimedLock(internal::ToTimeout(timeout));
  }
  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return TimedLock(internal::UntilTimeout(deadline));
  }
  void unlock() ABSL_UNLOCK_FUNCTION();

  // Python spelling. acquire(false) is try_lock(); a timeout other than kForever bounds the
  // wait. Returns true if the lock was taken (false, never an exception, where lock() throws).
  bool acquire(bool blocking = true, std::chrono::nanoseconds timeout = kForever)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true);
  void release() ABSL_UNLOCK_FUNCTION() { unlock(); }

  // True if some thread of some process holds the lock (a snapshot).
  bool locked() const;
  const std::string& name() const { return name_; }

  // The POSIX shared memory object that holds the lock `name`:
  // "/lockgraph.<uid>.<name, with characters other than [A-Za-z0-9._-] as '_'>.<hash>".
  static std::string SharedMemoryName(std::string_view name);
  // Removes the shared memory object of the lock `name` (shm_unlink). True if it existed.
  static bool unlink(std::string_view name);

 private:
  bool TimedLock(std::chrono::nanoseconds timeout);
  // Takes the lock; false if it was not taken, with *error set when that was not a timeout
  // or a busy lock.
  bool Acquire(bool blocking, std::chrono::nanoseconds timeout, uintptr_t caller_pc,
               int* error);
  void ReportError(int error);

  std::string name_;
  internal::ProcessLockShared* shared_ = nullptr;
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_PROCESS_LOCK_H_
