// Helpers of the stress tests: run a stress program with its trace in a directory, read what
// it printed (peak RSS, expected counts), and read its trace through the lockgraph command
// (`analyze --format=json`, and the runtime's drop counters from `dump`).
//
//   TempDir dir;
//   StressRun run = RunStress("many_locks", {"64", "20000"}, dir);
//   Analysis a = AnalyzeJson(run.trace);
#ifndef LOCKGRAPH_TESTS_STRESS_STRESS_SUPPORT_H_
#define LOCKGRAPH_TESTS_STRESS_STRESS_SUPPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace lockgraph::testing {

// True in a sanitizer build (LOCKGRAPH_SANITIZE): programs run 2-20x slower and their RSS
// includes shadow memory and quarantine, so tests pass smaller sizes and bound no memory.
constexpr bool kSanitized =
#ifdef LOCKGRAPH_STRESS_SANITIZED
    true;
#else
    false;
#endif

struct StressRun {
  ProcessResult process;
  std::string trace;    // the one trace file it wrote ("" if not exactly one)
  int64_t trace_bytes = -1;
  // "key=value" lines of its stdout (peak_rss_kb, and what each program prints).
  std::map<std::string, int64_t> values;
  double seconds = 0;  // wall time, for the log only: tests never assert on it
};

// Runs tests/stress/programs/`name` with `args` and LOCKGRAPH_OPTIONS
// "trace=DIR/NAME.%p.lgtrace:long_wait=3600s" plus `extra_options` (":key=value...").
// Fails the test unless it exits 0 with one trace.
StressRun RunStress(const std::string& name, const std::vector<std::string>& args,
                    const TempDir& dir, const std::string& extra_options = "");

struct Analysis {
  int exit_code = -1;
  nlohmann::json report;  // an empty object if stdout was not a JSON report
  std::string stderr_text;
};

// `lockgraph analyze --format=json PATH`.
Analysis AnalyzeJson(const std::string& path);

// The runtime's counters (held_overflows, cache_evictions, ...) from the trace's runtime-stats
// record, as `lockgraph dump` prints it; empty if there is none.
std::map<std::string, uint64_t> RuntimeCounters(const std::string& trace);

// The edges of a cycle finding as "FROM -> TO by THREAD" (the thread's name), in its order.
std::vector<std::string> Edges(const nlohmann::json& finding);

// The per-class statistics entry of `class_name` in the report ("stats"), or null.
nlohmann::json StatsOf(const nlohmann::json& report, const std::string& class_name);

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_STRESS_STRESS_SUPPORT_H_
