#include "lockgraph/thread.h"

#include <climits>
#include <exception>

#include "absl/strings/str_cat.h"
#include "runtime/base/futex.h"
#include "runtime/base/stderr.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {

namespace {
constexpr uint32_t kNew = 0;
constexpr uint32_t kRunning = 1;
constexpr uint32_t kFinished = 2;

std::string DefaultName() {
  static std::atomic<int> counter{0};
  return absl::StrCat("Thread-", counter.fetch_add(1, std::memory_order_relaxed) + 1);
}
}  // namespace

Thread::Thread(std::function<void()> target, std::string name, std::source_location)
    : target_(std::move(target)), name_(name.empty() ? DefaultName() : std::move(name)) {}

Thread::Thread(std::string name, std::source_location site)
    : Thread(std::function<void()>(), std::move(name), site) {}

Thread::~Thread() {
  bool joinable;
  {
    internal::RawMutexLock hold(join_mu_);
    joinable = thread_.joinable();
  }
  if (joinable) JoinUntil(kForever);
}

void Thread::run() {
  if (target_) target_();
}

void Thread::start() {
  uint32_t expected = kNew;
  if (!state_.compare_exchange_strong(expected, kRunning, std::memory_order_acq_rel)) {
    runtime::ReportMisuse(runtime::CurrentThread(), nullptr, format::MisuseKind::kThreadApi, 0,
                          absl::StrCat("starts Thread \"", name_,
                                       "\" a second time (a thread can be started once); "
                                       "ignored"));
    return;
  }
  const runtime::SpawnPoint from = runtime::BeforeThreadStart();
  thread_ = std::thread([this, from] { Main(from.parent, from.segment); });
  // As Python's start(): return once the thread runs, so ident() and is_alive() hold.
  while (ident_.load(std::memory_order_acquire) == 0) {
    runtime::FutexWait(ident_, 0, internal::Deadline::Never());
  }
}

void Thread::Main(uint32_t parent, uint32_t parent_segment) {
  runtime::BeginThread({parent, parent_segment}, name_);
  ident_.store(runtime::OwnerId(runtime::CurrentThread()), std::memory_order_release);
  runtime::FutexWake(ident_, INT_MAX);
  try {
    run();
  } catch (const std::exception& e) {
    runtime::StderrLine(
        absl::StrCat("lockgraph: exception in thread \"", name_, "\": ", e.what()));
  } catch (...) {
    runtime::StderrLine(absl::StrCat("lockgraph: exception in thread \"", name_, "\""));
  }
  state_.store(kFinished, std::memory_order_release);
  runtime::FutexWake(state_, INT_MAX);
}

void Thread::join() {
  if (state_.load(std::memory_order_acquire) == kNew) {
    runtime::ReportMisuse(runtime::CurrentThread(), nullptr, format::MisuseKind::kThreadApi, 0,
                          absl::StrCat("joins Thread \"", name_,
                                       "\" before it was started; ignored"));
    return;
  }
  if (ident() == runtime::OwnerId(runtime::CurrentThread())) {
    runtime::ReportMisuse(runtime::CurrentThread(), nullptr, format::MisuseKind::kThreadApi, 0,
                          absl::StrCat("joins its own Thread \"", name_,
                                       "\", which would wait forever; ignored"));
    return;
  }
  JoinUntil(kForever);
}

bool Thread::join(std::chrono::nanoseconds timeout) {
  if (state_.load(std::memory_order_acquire) == kNew) return false;
  if (ident() == runtime::OwnerId(runtime::CurrentThread())) return false;
  return JoinUntil(timeout);
}

bool Thread::JoinUntil(std::chrono::nanoseconds timeout) {
  const internal::Deadline deadline = internal::Deadline::After(timeout);
  while (state_.load(std::memory_order_acquire) != kFinished) {
    if (!runtime::FutexWait(state_, kRunning, deadline) &&
        state_.load(std::memory_order_acquire) != kFinished) {
      return false;
    }
  }
  {
    internal::RawMutexLock hold(join_mu_);
    if (thread_.joinable()) thread_.join();
  }
  runtime::AfterThreadJoin(ident());
  return true;
}

bool Thread::is_alive() const { return state_.load(std::memory_order_acquire) == kRunning; }

}  // namespace lockgraph
