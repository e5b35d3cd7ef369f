#include "tests/stress/stress_support.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace lockgraph::testing {

StressRun RunStress(const std::string& name, const std::vector<std::string>& args,
                    const TempDir& dir, const std::string& extra_options) {
  std::vector<std::string> argv = {absl::StrCat(LOCKGRAPH_STRESS_PROGRAM_DIR, "/", name)};
  argv.insert(argv.end(), args.begin(), args.end());
  StressRun run;
  const auto start = std::chrono::steady_clock::now();
  // No long waits: on a loaded machine a preempted holder makes waiters wait 100 ms and more,
  // a real finding but one that depends on timing, and not what these tests check.
  run.process = RunProcess(
      argv, {absl::StrCat("LOCKGRAPH_OPTIONS=trace=", dir.path(), "/", name,
                          ".%p.lgtrace:long_wait=3600s", extra_options)});
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(run.process.exit_code, 0)
      << name << " failed (signal " << run.process.signal << "): " << run.process.stderr_text;
  for (absl::string_view line : absl::StrSplit(run.process.stdout_text, '\n', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
    int64_t value;
    if (absl::SimpleAtoi(kv.second, &value)) run.values[kv.first] = value;
  }
  const std::vector<std::string> traces = dir.Files(".lgtrace");
  EXPECT_EQ(traces.size(), 1u) << name << " should write one trace";
  if (traces.size() == 1) {
    run.trace = traces[0];
    run.trace_bytes = static_cast<int64_t>(std::filesystem::file_size(run.trace));
  }
  // For the record (docs/reliability.md quotes these): never asserted.
  std::cout << "[ stress   ] " << name << " " << absl::StrJoin(args, " ") << ": "
            << run.seconds << " s, trace " << run.trace_bytes << " bytes, peak RSS "
            << (run.values.count("peak_rss_kb") ? run.values["peak_rss_kb"] : -1) << " kB\n";
  return run;
}

Analysis AnalyzeJson(const std::string& path) {
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult run = RunLockgraph({"analyze", "--format=json", path});
  std::cout << "[ stress   ] analyze: "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s\n";
  Analysis analysis{run.exit_code,
                    nlohmann::json::parse(run.stdout_text, nullptr, /*allow_exceptions=*/false),
                    run.stderr_text};
  EXPECT_TRUE(analysis.report.is_object())
      << "not a JSON report: " << run.stdout_text << run.stderr_text;
  if (!analysis.report.is_object()) analysis.report = nlohmann::json::object();
  return analysis;
}

std::map<std::string, uint64_t> RuntimeCounters(const std::string& trace) {
  const ProcessResult dump = RunLockgraph({"dump", trace});
  EXPECT_EQ(dump.exit_code, 0) << dump.stderr_text;
  std::map<std::string, uint64_t> counters;
  // "@OFFSET runtime-stats held_overflows=0 dropped_events=0 ..."
  for (absl::string_view line : absl::StrSplit(dump.stdout_text, '\n')) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
    if (words.size() < 2 || words[1] != "runtime-stats") continue;
    for (size_t i = 2; i < words.size(); ++i) {
      std::pair<std::string, std::string> kv = absl::StrSplit(words[i], absl::MaxSplits('=', 1));
      uint64_t value;
      if (absl::SimpleAtoi(kv.second, &value)) counters[kv.first] = value;
    }
  }
  return counters;
}

std::vector<std::string> Edges(const nlohmann::json& finding) {
  std::vector<std::string> edges;
  for (const nlohmann::json& e : finding.value("edges", nlohmann::json::array())) {
    // `thread 2 "deep" (pid 1234)` -> deep
    const std::string label = e.value("thread", "");
    const size_t open = label.find('"');
    const size_t close = label.rfind('"');
    const std::string name = open != std::string::npos && close > open
                                 ? label.substr(open + 1, close - open - 1)
                                 : label;
    edges.push_back(absl::StrCat(e.value("from", ""), " -> ", e.value("to", ""), " by ", name));
  }
  return edges;
}

nlohmann::json StatsOf(const nlohmann::json& report, const std::string& class_name) {
  for (const nlohmann::json& s : report.value("stats", nlohmann::json::array())) {
    if (s.value("class", "") == class_name) return s;
  }
  return nullptr;
}

}  // namespace lockgraph::testing
