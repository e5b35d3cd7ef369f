#include "lockgraph/process.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "runtime/base/foreign_wait.h"
#include "runtime/base/stderr.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph {
namespace {

std::string DefaultName() {
  static std::atomic<int> counter{0};
  return absl::StrCat("Process-", counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

timespec ToTimespec(int64_t ns) {
  timespec ts;
  ts.tv_sec = ns / 1000000000;
  ts.tv_nsec = ns % 1000000000;
  return ts;
}

void ReportApiMisuse(const std::string& what) {
  runtime::ReportMisuse(runtime::CurrentThread(), nullptr, format::MisuseKind::kThreadApi, 0,
                        what);
}

}  // namespace

Process::Process(std::function<void()> target, std::string_view name, std::source_location)
    : target_(std::move(target)), name_(name.empty() ? DefaultName() : std::string(name)) {}

Process::~Process() {
  if (!started_.load(std::memory_order_acquire) || getpid() != parent_pid_) return;
  if (!joined_.load(std::memory_order_acquire)) join();
  if (pidfd_ >= 0) close(pidfd_);
}

void Process::start() {
  bool expected = false;
  if (!started_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
    ReportApiMisuse(absl::StrCat("starts Process \"", name_,
                                 "\" a second time (a process can be started once); ignored"));
    return;
  }
  // The forking thread must be known to the recorder: the child's trace then continues it,
  // and the fork orders the parent's past before the child (process_recorder.cc, fork handlers).
  runtime::CurrentThread();
  std::fflush(nullptr);  // else the child would write the parent's buffered output again
  parent_pid_ = getpid();
  const pid_t child = fork();
  if (child < 0) {
    const int error = errno;
    started_.store(false, std::memory_order_release);
    throw std::system_error(error, std::generic_category(), "lockgraph::Process::start: fork");
  }
  if (child == 0) {
    pid_.store(getpid(), std::memory_order_release);
    RunChild();
  }
  // A pidfd waits for the child with a timeout; opened before anything can reap the child,
  // so it cannot name another process that reused the pid.
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  pid_.store(child, std::memory_order_release);
}

void Process::RunChild() {
  int code = 0;
  try {
    if (target_) target_();
  } catch (const std::exception& e) {
    runtime::StderrLine(absl::StrCat("lockgraph: exception in process \"", name_, "\" (pid ",
                                     getpid(), "): ", e.what()));
    code = 1;
  } catch (...) {
    runtime::StderrLine(absl::StrCat("lockgraph: exception in process \"", name_, "\" (pid ",
                                     getpid(), ")"));
    code = 1;
  }
  std::fflush(nullptr);
  {
    // What exit() would write: the thread's counts and events, the statistics, the buffer.
    runtime::ColdPath cold;
    cold.recorder().AtExit(runtime::t_thread);
  }
  _exit(code);
}

bool Process::Reap() const {
  internal::RawMutexLock hold(mu_);
  if (reaped_) return true;
  const pid_t pid = pid_.load(std::memory_order_acquire);
  for (;;) {
    int status = 0;
    const pid_t rc = waitpid(pid, &status, WNOHANG);
    if (rc == 0) return false;
    if (rc == pid) {
      if (WIFEXITED(status)) {
        exitcode_ = WEXITSTATUS(status);
      } else if (WIFSIGNALED(status)) {
        exitcode_ = -WTERMSIG(status);
      }
      reaped_ = true;
      return true;
    }
    if (errno == EINTR) continue;
    // ECHILD: reaped by another part of the program (waitpid(-1), SIGCHLD ignored), so it has
    // ended, but its status is lost.
    reaped_ = true;
    return true;
  }
}

bool Process::WaitForEnd(internal::Deadline deadline) const {
  const pid_t pid = pid_.load(std::memory_order_acquire);
  if (pidfd_ >= 0) {
    for (;;) {
      pollfd fd = {pidfd_, POLLIN, 0};
      timespec remaining;
      if (!deadline.never()) {
        const int64_t ns = deadline.monotonic_ns() - internal::MonotonicNanos();
        if (ns <= 0) return false;
        remaining = ToTimespec(ns);
      }
      int rc, error;
      {
        runtime::ForeignWait wait;
        rc = ppoll(&fd, 1, deadline.never() ? nullptr : &remaining, nullptr);
        error = errno;
      }
      if (rc > 0) return true;  // readable once the child has ended
      if (rc == 0) return false;
      if (error != EINTR) break;
    }
  }
  // No pidfd (a kernel before 5.3): wait without reaping, polling when there is a deadline.
  int64_t pause_ns = 100000;
  for (;;) {
    siginfo_t info = {};
    const int options = WEXITED | WNOWAIT | (deadline.never() ? 0 : WNOHANG);
    int rc, error;
    {
      runtime::ForeignWait wait;
      rc = waitid(P_PID, static_cast<id_t>(pid), &info, options);
      error = errno;
    }
    if (rc == 0 && info.si_pid != 0) return true;
    if (rc < 0 && error != EINTR) return true;  // ECHILD: it was reaped, so it has ended
    if (rc < 0) continue;
    const int64_t left = deadline.monotonic_ns() - internal::MonotonicNanos();
    if (left <= 0) return false;
    const timespec pause = ToTimespec(std::min(pause_ns, left));
    {
      runtime::ForeignWait wait;
      nanosleep(&pause, nullptr);
    }
    pause_ns = std::min<int64_t>(pause_ns * 2, 10000000);
  }
}

bool Process::join(std::chrono::nanoseconds timeout) {
  if (!started_.load(std::memory_order_acquire)) {
    ReportApiMisuse(
        absl::StrCat("joins Process \"", name_, "\" before it was started; ignored"));
    return false;
  }
  if (getpid() != parent_pid_) {
    ReportApiMisuse(absl::StrCat("joins Process \"", name_,
                                 "\" in another process than the one that started it (only "
                                 "its parent can wait for it); ignored"));
    return false;
  }
  const internal::Deadline deadline = internal::Deadline::After(timeout);
  while (!Reap()) {
    if (!WaitForEnd(deadline) && !Reap()) return false;
  }
  joined_.store(true, std::memory_order_release);
  runtime::AfterProcessJoin(static_cast<uint64_t>(pid()));
  return true;
}

bool Process::is_alive() const {
  if (!started_.load(std::memory_order_acquire)) return false;
  if (getpid() == pid()) return true;           // asked by the child itself
  if (getpid() != parent_pid_) return false;    // only the parent can wait for it
  return !Reap();
}

std::optional<int> Process::exitcode() const {
  if (!started_.load(std::memory_order_acquire) || getpid() != parent_pid_) return std::nullopt;
  Reap();
  internal::RawMutexLock hold(mu_);
  return exitcode_;
}

}  // namespace lockgraph
