// libFuzzer target: the suppressions parser (analyzer/filters/suppressions.h). An accepted file is
// also matched against a small deadlock finding (a class, a lock site, a frame), so every
// rule's glob runs.
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analyzer/filters/suppressions.h"
#include "analyzer/findings/finding.h"
#include "common/source_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<lockgraph::analyzer::Suppressions> suppressions =
      lockgraph::analyzer::Suppressions::Parse(text, "fuzz.supp");
  if (suppressions.ok()) {
    lockgraph::analyzer::Finding finding;
    finding.locks.push_back({.class_name = "cache_mu", .site = "src/cache.cc:12"});
    finding.waiter_stack.frames.push_back(
        {.function = "Cache::Evict()", .file = "src/cache.cc", .line = 40});
    (void)suppressions->Matches(finding);
  }
  return 0;
}
