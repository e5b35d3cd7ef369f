#include "tests/runtime/trace_fixture.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace lockgraph::testing {

void TraceTest::SetUp() {
  options_ = CurrentOptions();
  options_.trace = dir_.path() + "/test.lgtrace";
  Configure(options_);
}

void TraceTest::TearDown() {
  Options defaults;
  defaults.trace = "";
  Configure(defaults);
}

void TraceTest::SetOptions(const Options& options) {
  options_ = options;
  options_.trace = dir_.path() + "/test.lgtrace";
  Configure(options_);
}

const analyzer::Trace& TraceTest::ReadBack() {
  Flush();
  absl::StatusOr<analyzer::Trace> trace = analyzer::ReadTraceFile(options_.trace);
  EXPECT_TRUE(trace.ok()) << trace.status();
  if (trace.ok()) trace_ = *std::move(trace);
  return trace_;
}

std::string LockName(const analyzer::Trace& trace, uint64_t instance) {
  auto it = trace.instances.find(instance);
  if (it == trace.instances.end()) return "?";
  return trace.String(trace.classes.at(it->second.class_id).name_sid);
}

std::vector<std::string> TraceTest::Dependencies(const analyzer::Trace& trace,
                                                 const std::string& prefix) const {
  std::vector<std::string> out;
  for (const format::DependencyRecord& dep : RecordsOf<format::DependencyRecord>(trace)) {
    std::vector<std::string> held;
    bool mine = absl::StartsWith(LockName(trace, dep.acquired), prefix);
    for (const format::HeldLock& h : dep.held) {
      const std::string name = LockName(trace, h.instance);
      mine &= absl::StartsWith(name, prefix);
      held.push_back(name.substr(std::min(prefix.size(), name.size())));
    }
    if (!mine) continue;
    out.push_back(absl::StrJoin(held, ", ") + " -> " +
                  LockName(trace, dep.acquired).substr(prefix.size()));
  }
  return out;
}

}  // namespace lockgraph::testing
