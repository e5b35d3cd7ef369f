// Reading a Chrome Trace Event Format document (`lockgraph export --chrome`) in tests: events
// by phase and name, times in whole nanoseconds, and the rules viewers rely on.
//
//   nlohmann::json trace = nlohmann::json::parse(ReadFile(path));
//   EXPECT_THAT(NestingErrors(trace), IsEmpty());
//   for (const nlohmann::json& flow : EventsOf(trace, "s")) BoundSlice(trace, flow) ...
#ifndef LOCKGRAPH_TESTS_SUPPORT_CHROME_TRACE_CHECKS_H_
#define LOCKGRAPH_TESTS_SUPPORT_CHROME_TRACE_CHECKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace lockgraph::testing {

// A "ts" or "dur" (microseconds, three decimals) in nanoseconds.
int64_t Nanos(const nlohmann::json& micros);

// The events of phase `ph` ("X", "i", "s", "f", "M"), named `name` if it is not empty, in
// file order.
std::vector<nlohmann::json> EventsOf(const nlohmann::json& trace, const std::string& ph,
                                     const std::string& name = "");

// The tid of the thread that thread_name metadata names `name`: -1 if none, -2 if several.
int64_t ThreadId(const nlohmann::json& trace, const std::string& name);

// Breaks of the rules viewers need of complete slices ("X"), one line each (empty if none):
// on each track (pid, tid) a slice lies inside the slice open when it begins, or after it; no
// two slices of a track begin at the same time (viewers may nest those either way); no
// duration is negative.
std::vector<std::string> NestingErrors(const nlohmann::json& trace);

// The slice or instant a flow event ("s", "f") binds to in both Perfetto and chrome://tracing:
// the one on the flow's track that begins 1 ns before it, if it is an instant ("i") or a slice
// ("X") that still lasts at the flow's time. nullptr if there is none.
const nlohmann::json* BoundSlice(const nlohmann::json& trace, const nlohmann::json& flow);

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_SUPPORT_CHROME_TRACE_CHECKS_H_
