#include "lockgraph/condition.h"

#include "runtime/base/futex.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

using runtime::CurrentThread;
using runtime::OwnerId;

namespace {
constexpr uint8_t kConditionKind = static_cast<uint8_t>(format::SyncKind::kCondition);
}  // namespace

// A blocked waiter, on its own stack. notify() unlinks it before setting `signaled` to the
// number of the notify (never 0), so a waiter whose timeout expires knows, under waiters_mu_,
// whether it was notified first, and a full trace pairs the notify with the wait it ended.
struct Condition::Waiter {
  std::atomic<uint32_t> signaled{0};
  Waiter* next = nullptr;
  Waiter* prev = nullptr;
};

Condition::Condition(std::string_view name, std::source_location site)
    : own_lock_(std::make_unique<RLock>(name, site)), rlock_(own_lock_.get()) {
  internal::RegisterSync(handle_, kConditionKind, name, site);
}

Condition::Condition(Lock& lock, std::string_view name, std::source_location site)
    : lock_(&lock) {
  internal::RegisterSync(handle_, kConditionKind, name, site);
}

Condition::Condition(RLock& lock, std::string_view name, std::source_location site)
    : rlock_(&lock) {
  internal::RegisterSync(handle_, kConditionKind, name, site);
}

Condition::~Condition() { internal::UnregisterSync(handle_); }

void Condition::lock() {
  if (lock_ != nullptr) {
    lock_->Acquire(true, kForever, LOCKGRAPH_CALLER_PC());
  } else {
    rlock_->Acquire(true, kForever, LOCKGRAPH_CALLER_PC());
  }
}

bool Condition::try_lock() {
  return lock_ != nullptr ? lock_->Acquire(false, kForever, LOCKGRAPH_CALLER_PC())
                          : rlock_->Acquire(false, kForever, LOCKGRAPH_CALLER_PC());
}

bool Condition::acquire(bool blocking, std::chrono::nanoseconds timeout) {
  return lock_ != nullptr ? lock_->Acquire(blocking, timeout, LOCKGRAPH_CALLER_PC())
                          : rlock_->Acquire(blocking, timeout, LOCKGRAPH_CALLER_PC());
}

void Condition::unlock() {
  if (lock_ != nullptr) {
    lock_->unlock();
  } else {
    rlock_->unlock();
  }
}

bool Condition::is_owned() const {
  runtime::ThreadState* ts = CurrentThread();
  // A Lock is held by the caller if its held stack says so (or it cannot tell: the thread is
  // exiting, or holds more locks than it tracks).
  return lock_ != nullptr ? lock_->locked() && (ts == nullptr || ts->untracked > 0 ||
                                                runtime::IsHeldByCaller(ts, lock_->handle_))
                          : rlock_->is_owned();
}

bool Condition::HeldByCaller(const char* operation) {
  runtime::ThreadState* ts = CurrentThread();
  const bool held = is_owned();
  if (!held) {
    runtime::ReportMisuse(ts, &handle_, format::MisuseKind::kNotHeld, 0,
                          std::string("calls ") + operation +
                              "() on {lock} without holding its lock");
  }
  return held;
}

bool Condition::WaitFor(std::chrono::nanoseconds timeout) {
  return WaitUntilAt(internal::Deadline::After(timeout), LOCKGRAPH_CALLER_PC());
}

bool Condition::WaitUntil(internal::Deadline deadline) {
  return WaitUntilAt(deadline, LOCKGRAPH_CALLER_PC());
}

bool Condition::WaitUntilAt(internal::Deadline deadline, uintptr_t caller_pc) {
  if (!HeldByCaller("wait")) return false;
  Waiter self;
  {
    internal::RawMutexLock hold(waiters_mu_);
    self.prev = tail_;
    (tail_ != nullptr ? tail_->next : head_) = &self;
    tail_ = &self;
  }
  // Release every level of the lock; the re-acquisition below is recorded like any other.
  uint32_t depth = 0;
  if (lock_ != nullptr) {
    lock_->unlock();
  } else {
    depth = rlock_->ReleaseAll();
  }
  const int64_t start = internal::MonotonicNanos();
  bool notified = true;
  while (self.signaled.load(std::memory_order_acquire) == 0) {
    if (!runtime::FutexWait(self.signaled, 0, deadline)) {
      internal::RawMutexLock hold(waiters_mu_);
      if (self.signaled.load(std::memory_order_acquire) == 0) {
        (self.prev != nullptr ? self.prev->next : head_) = self.next;
        (self.next != nullptr ? self.next->prev : tail_) = self.prev;
        notified = false;
      }
      break;
    }
  }
  runtime::ThreadState* ts = CurrentThread();
  runtime::RecordContention(ts, handle_, internal::MonotonicNanos() - start, 0, 0, !notified,
                            caller_pc);
  if (notified) {
    runtime::LogSignal(ts, format::EventOp::kReceive, handle_,
                       self.signaled.load(std::memory_order_relaxed));
  }
  if (lock_ != nullptr) {
    lock_->Acquire(true, kForever, caller_pc);
  } else {
    rlock_->RestoreAll(depth, caller_pc);
  }
  return notified;
}

uint32_t Condition::NextNotify() {
  if (++notifies_ == 0) ++notifies_;  // 0 means "not notified"
  return notifies_;
}

void Condition::LogNotify(uint32_t seq) {
  runtime::ThreadState* ts = CurrentThread();
  runtime::LogSignal(ts, format::EventOp::kSend, handle_, seq);
}

void Condition::notify(int n) {
  if (!HeldByCaller("notify")) return;
  uint32_t seq = 0;
  {
    internal::RawMutexLock hold(waiters_mu_);
    if (head_ != nullptr && n > 0) seq = NextNotify();
    for (; n > 0 && head_ != nullptr; --n) {
      Waiter* waiter = head_;
      head_ = waiter->next;
      (head_ != nullptr ? head_->prev : tail_) = nullptr;
      // After this store the waiter may return and its node vanish; a wake on the address of
      // a vanished node is harmless (futex waiters re-check their word).
      waiter->signaled.store(seq, std::memory_order_release);
      runtime::FutexWake(waiter->signaled, 1);
    }
  }
  if (seq != 0) LogNotify(seq);
}

void Condition::notify_all() {
  if (!HeldByCaller("notify_all")) return;
  uint32_t seq = 0;
  {
    internal::RawMutexLock hold(waiters_mu_);
    if (head_ != nullptr) seq = NextNotify();
    while (head_ != nullptr) {
      Waiter* waiter = head_;
      head_ = waiter->next;
      waiter->signaled.store(seq, std::memory_order_release);
      runtime::FutexWake(waiter->signaled, 1);
    }
    tail_ = nullptr;
  }
  if (seq != 0) LogNotify(seq);
}

}  // namespace lockgraph
