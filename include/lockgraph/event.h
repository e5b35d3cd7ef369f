// lockgraph::Event — a flag threads wait for (Python's threading.Event).
//
//   lockgraph::Event ready;
//   worker: ready.wait();        main: ready.set();
//
// wait() returns at once if the flag is set; set() wakes every waiter, and a waiter woken by
// a set() returns true even if clear() came right after, as in Python; clear() resets it.
#ifndef LOCKGRAPH_EVENT_H_
#define LOCKGRAPH_EVENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <source_location>
#include <string_view>

#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/timeout.h"

namespace lockgraph {

class Event {
 public:
  explicit Event(std::string_view name = {},
                 std::source_location site = std::source_location::current());
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void set();
  void clear();
  bool is_set() const { return flag_.load(std::memory_order_acquire) != 0; }
  // Blocks until the flag is set or the timeout passes; returns the flag.
  bool wait(std::chrono::nanoseconds timeout = kForever);

 private:
  void Received();  // full mode: logs the set() a successful wait() saw

  std::atomic<uint32_t> flag_{0};
  std::atomic<uint32_t> sets_{0};   // bumped by every set() before the flag: numbers it
  // Bumped by every set() after the flag: the futex word waiters sleep on. A waiter reads it
  // before it looks at the flag, so a set() whose flag it missed changes it before it sleeps.
  std::atomic<uint32_t> wakes_{0};
  std::atomic<uint32_t> waiters_{0};
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_EVENT_H_
