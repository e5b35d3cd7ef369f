// lockgraph::Shared<T> — a variable whose reads and writes full mode records, so the analyzer
// can report data races on it: two accesses, at least one a write, that no synchronisation
// orders (docs/races.md). LOCKGRAPH_READ / LOCKGRAPH_WRITE annotate raw memory the same way.
//
//   lockgraph::Shared<int> hits{0, "hits"};
//   worker:  { std::lock_guard hold(mu); hits.update([](int& n) { ++n; }); }
//   main:    int total = hits.read();
//
//   LOCKGRAPH_WRITE(&buffer[i], sizeof buffer[i]);  buffer[i] = x;
//
// Shared<T> does not synchronise anything itself: it is the program's locks, signals and
// joins that must order the accesses. Outside full mode an access costs a thread-local load.
#ifndef LOCKGRAPH_SHARED_H_
#define LOCKGRAPH_SHARED_H_

#include <source_location>
#include <string_view>
#include <utility>

#include "lockgraph/internal/sync_handle.h"
#include "lockgraph/internal/template_hooks.h"

namespace lockgraph {

namespace internal {
inline constexpr uint8_t kSharedKind = 13;  // format::SyncKind::kShared
}  // namespace internal

template <class T>
class Shared {
 public:
  // `name` names the variable in reports; the declaration site is where it was constructed.
  explicit Shared(T value = T(), std::string_view name = {},
                  std::source_location site = std::source_location::current())
      : value_(std::move(value)) {
    internal::RegisterSync(handle_, internal::kSharedKind, name, site);
  }
  ~Shared() { internal::UnregisterSync(handle_); }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  // A copy of the value: one read.
  [[gnu::always_inline]] T read() const {
    internal::RecordSharedAccess(handle_, false);
    internal::NoTailCall();
    return value_;
  }
  // Replaces the value: one write.
  [[gnu::always_inline]] void write(T value) {
    internal::RecordSharedAccess(handle_, true);
    internal::NoTailCall();
    value_ = std::move(value);
  }
  // Calls f(const T&): one read.
  template <class F>
  [[gnu::always_inline]] decltype(auto) inspect(F&& f) const {
    internal::RecordSharedAccess(handle_, false);
    internal::NoTailCall();
    return std::forward<F>(f)(static_cast<const T&>(value_));
  }
  // Calls f(T&), which may modify the value: one write (a read-modify-write is a write).
  template <class F>
  [[gnu::always_inline]] decltype(auto) update(F&& f) {
    internal::RecordSharedAccess(handle_, true);
    internal::NoTailCall();
    return std::forward<F>(f)(value_);
  }

 private:
  T value_;
  internal::SyncHandle handle_;
};

}  // namespace lockgraph

// Annotate an access to raw memory; `size` bytes at `ptr`. Races on raw memory are found
// between accesses that start at the same address.
#define LOCKGRAPH_READ(ptr, size)                                  \
  do {                                                              \
    ::lockgraph::internal::RecordRawAccess((ptr), (size), false);   \
    ::lockgraph::internal::NoTailCall();                            \
  } while (0)
#define LOCKGRAPH_WRITE(ptr, size)                                 \
  do {                                                              \
    ::lockgraph::internal::RecordRawAccess((ptr), (size), true);    \
    ::lockgraph::internal::NoTailCall();                            \
  } while (0)

#endif  // LOCKGRAPH_SHARED_H_
