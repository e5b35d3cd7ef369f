#include "analyzer/input/runtime_counters.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace lockgraph::analyzer {
namespace {

// What a count of each drop means for the analysis; the limits are the runtime's
// (runtime/recorder/thread_state.h kMaxHeld, runtime/recorder/lock_registry.h, runtime/online/online_checker.h).
struct DropCounter {
  absl::string_view name;
  absl::string_view meaning;  // follows "<count> "
};

constexpr DropCounter kDropCounters[] = {
    {"held_overflows",
     "acquisitions were made while their thread already held 64 locks; the runtime did not "
     "track those locks as held, so orders from them to locks taken while they were held are "
     "missing"},
    {"class_overflows",
     "lock classes beyond the runtime's limit of 4194304 were merged into one class; cycles "
     "among them may show as one class"},
    {"dropped_events",
     "full-mode events were dropped (logged for a trace file that lockgraph::Configure then "
     "replaced); races and signal orders among them are not seen"},
    {"online_dropped_dependencies",
     "dependencies were not checked by the online cycle check (its table was full); this "
     "analysis checked them all"},
};

}  // namespace

std::vector<std::string> RuntimeCounterWarnings(
    const std::string& trace_path,
    const std::vector<std::pair<std::string, uint64_t>>& counters) {
  std::vector<std::string> warnings;
  for (const DropCounter& drop : kDropCounters) {
    for (const auto& [name, value] : counters) {
      if (name != drop.name || value == 0) continue;
      warnings.push_back(
          absl::StrCat(trace_path, ": ", value, " ", drop.meaning, " (", drop.name, ")"));
    }
  }
  return warnings;
}

}  // namespace lockgraph::analyzer
