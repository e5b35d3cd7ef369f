// Thread start and join (pthread_create, pthread_join and friends, so std::thread too), which
// order threads for the analysis: everything a thread did before starting another happens
// before the new thread, and everything a joined thread did happens before its joiner goes on.
#include <errno.h>
#include <pthread.h>

#include "absl/container/flat_hash_map.h"
#include "runtime/preload/real_functions.h"
#include "runtime/recorder/cold_path.h"
#include "runtime/recorder/recorder.h"

namespace lockgraph::preload {
namespace {

// pthread_t -> recorder thread id, for joins. An entry goes at join or detach.
class StartedThreads {
 public:
  static StartedThreads& Get() {
    alignas(StartedThreads) static unsigned char storage[sizeof(StartedThreads)];
    static StartedThreads* const threads = new (storage) StartedThreads();
    return *threads;
  }

  void Add(pthread_t thread, uint32_t tid) {
    runtime::ColdPath cold;
    runtime::RuntimeMutexLock hold(mu_);
    tids_[thread] = tid;
  }

  uint32_t Take(pthread_t thread) {
    runtime::ColdPath cold;
    runtime::RuntimeMutexLock hold(mu_);
    auto it = tids_.find(thread);
    if (it == tids_.end()) return 0;
    const uint32_t tid = it->second;
    tids_.erase(it);
    return tid;
  }

 private:
  runtime::RuntimeMutex mu_;
  absl::flat_hash_map<pthread_t, uint32_t> tids_ ABSL_GUARDED_BY(mu_);
};

struct Start {
  void* (*routine)(void*);
  void* argument;
  runtime::SpawnPoint from;
};

void* StartThread(void* raw) {
  const Start start = *static_cast<Start*>(raw);
  delete static_cast<Start*>(raw);
  runtime::BeginThread(start.from, "");
  StartedThreads::Get().Add(pthread_self(), runtime::CurrentTid(runtime::CurrentThread()));
  return start.routine(start.argument);
}

void Joined(pthread_t thread) {
  if (runtime::t_runtime_depth != 0) return;
  if (const uint32_t tid = StartedThreads::Get().Take(thread); tid != 0) {
    runtime::AfterThreadJoin(tid);
  }
}

}  // namespace
}  // namespace lockgraph::preload

using lockgraph::preload::Real;
namespace preload = lockgraph::preload;
namespace runtime = lockgraph::runtime;

extern "C" {

int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*routine)(void*),
                   void* argument) {
  if (runtime::t_runtime_depth != 0) return Real().create(thread, attr, routine, argument);
  auto* start = new preload::Start{routine, argument, runtime::BeforeThreadStart()};
  const int rc = Real().create(thread, attr, preload::StartThread, start);
  if (rc != 0) delete start;
  return rc;
}

int pthread_join(pthread_t thread, void** result) {
  const int rc = Real().join(thread, result);
  if (rc == 0) preload::Joined(thread);
  return rc;
}

int pthread_tryjoin_np(pthread_t thread, void** result) {
  const int rc = Real().tryjoin_np(thread, result);
  if (rc == 0) preload::Joined(thread);
  return rc;
}

int pthread_timedjoin_np(pthread_t thread, void** result, const struct timespec* deadline) {
  const int rc = Real().timedjoin_np(thread, result, deadline);
  if (rc == 0) preload::Joined(thread);
  return rc;
}

int pthread_clockjoin_np(pthread_t thread, void** result, clockid_t clock,
                         const struct timespec* deadline) {
  const int rc = Real().clockjoin_np(thread, result, clock, deadline);
  if (rc == 0) preload::Joined(thread);
  return rc;
}

int pthread_detach(pthread_t thread) {
  const int rc = Real().detach(thread);
  // A detached thread is never joined: nothing orders its end.
  if (rc == 0 && runtime::t_runtime_depth == 0) preload::StartedThreads::Get().Take(thread);
  return rc;
}

}  // extern "C"
