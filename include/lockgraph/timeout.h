// Timeouts of lockgraph's blocking calls: a std::chrono::nanoseconds, kForever for none.
//
//   lock.acquire(true, std::chrono::milliseconds(50));   // false after 50 ms
//   event.wait(lockgraph::kForever);                      // the default
//
// A negative timeout is treated as zero (one non-blocking attempt), as std::timed_mutex does.
#ifndef LOCKGRAPH_TIMEOUT_H_
#define LOCKGRAPH_TIMEOUT_H_

#include <chrono>

namespace lockgraph {

inline constexpr std::chrono::nanoseconds kForever = std::chrono::nanoseconds::max();

namespace internal {

// Converts any duration to nanoseconds, saturating at kForever instead of overflowing.
template <class Rep, class Period>
constexpr std::chrono::nanoseconds ToTimeout(const std::chrono::duration<Rep, Period>& d) {
  using Wide = std::chrono::duration<long double, std::nano>;
  const Wide wide = std::chrono::duration_cast<Wide>(d);
  if (wide >= Wide(static_cast<long double>(kForever.count()))) return kForever;
  if (wide <= Wide(0)) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<std::chrono::nanoseconds::rep>(wide.count()));
}

template <class Clock, class Duration>
std::chrono::nanoseconds UntilTimeout(const std::chrono::time_point<Clock, Duration>& t) {
  return ToTimeout(t - Clock::now());
}

}  // namespace internal
}  // namespace lockgraph

#endif  // LOCKGRAPH_TIMEOUT_H_
