// lockgraph::BoundedSemaphore — a Semaphore whose value may never exceed its initial value
// (Python's threading.BoundedSemaphore).
//
//   lockgraph::BoundedSemaphore pool(4);
//   pool.acquire();  ...  pool.release();
//   pool.release();  // over-release: reported as misuse, and the value stays at 4
#ifndef LOCKGRAPH_BOUNDED_SEMAPHORE_H_
#define LOCKGRAPH_BOUNDED_SEMAPHORE_H_

#include <cstdint>
#include <source_location>
#include <string_view>

#include "lockgraph/semaphore.h"

namespace lockgraph {

class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(int64_t value = 1, std::string_view name = {},
                            std::source_location site = std::source_location::current());

  // Releasing above the initial value is misuse (Python raises ValueError): it is reported
  // per on_misuse and no permit is added.
  void release(int64_t n = 1) override;
};

}  // namespace lockgraph

#endif  // LOCKGRAPH_BOUNDED_SEMAPHORE_H_
