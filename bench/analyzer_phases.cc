// Where `lockgraph analyze` spends its time and memory on a set of traces: reading them into
// the model, the instance and class lock graphs, the cycle verdicts. Prints the median of each
// phase over RUNS runs, in milliseconds, the resident memory after it (for the instance
// cycles, the most while a trace's graph was alive; first run), and the dependency records per
// second of the whole.
//
//   build/bench/analyzer_phases [--runs=5] [--streamed] [--parse-only] TRACE...
//
// --streamed: as `lockgraph analyze` reads trace files (analyzer/streamed_cycles.h): each
// trace's instance cycles judged, and its dependencies dropped, right after it is read, and
// of several files the next parsed on another thread meanwhile
// (analyzer/input/trace_prefetcher.h); then "read" is the reading alone (filing, and waiting
// for the parsing thread) and "instance cycles" the judging of each trace as it came.
//
// --parse-only: the parsing alone, as the prefetcher's thread does it (nothing filed).
//
// A benchmark, not a test (docs/performance.md, "The analyzer").
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "analyzer/filters/cycle_verdicts.h"
#include "analyzer/graph/lock_graph.h"
#include "analyzer/input/trace_prefetcher.h"
#include "analyzer/model/model.h"
#include "analyzer/streamed_cycles.h"

namespace {

using Clock = std::chrono::steady_clock;
using lockgraph::analyzer::CycleVerdicts;
using lockgraph::analyzer::LockGraph;
using lockgraph::analyzer::Model;
using lockgraph::analyzer::StreamedCycles;

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Resident memory now, in MiB.
double ResidentMib() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4096.0 / (1 << 20);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  bool streamed = false;
  bool parse_only = false;  // the parsing thread's work alone, nothing filed
  std::vector<std::string> traces;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--runs=")) {
      runs = std::atoi(arg.c_str() + 7);
    } else if (arg == "--streamed") {
      streamed = true;
    } else if (arg == "--parse-only") {
      parse_only = true;
    } else {
      traces.push_back(arg);
    }
  }
  if (traces.empty() || runs < 1) {
    std::fprintf(stderr,
                 "usage: analyzer_phases [--runs=5] [--streamed] [--parse-only] TRACE...\n");
    return 2;
  }
  // As lockgraph analyze does them (analyzer/analysis.cc): the instance graphs as
  // LockGraph::ForEachInstanceGraph gives them, each judged before the next is built.
  const char* names[] = {"read", "instance cycles", "class graph", "class verdicts", "total"};
  std::vector<std::vector<double>> phases(5);
  // Parsing alone, to tell it from filing: the prefetcher's thread parsing every piece, which
  // is handed back unfiled.
  std::vector<double> parse;
  std::vector<double> resident(5, 0);
  size_t dependencies = 0;
  for (int run = 0; run < runs; ++run) {
    const Clock::time_point p0 = Clock::now();
    {
      lockgraph::analyzer::TracePrefetcher parser(traces);
      for (size_t file = 0; file < traces.size();) {
        std::optional<lockgraph::analyzer::TracePrefetcher::Piece> piece = parser.Next();
        if (!piece) {
          ++file;
          continue;
        }
        if (piece->end) ++file;
        parser.Recycle(std::move(piece->records));
      }
    }
    parse.push_back(Ms(p0, Clock::now()));
    if (parse_only) continue;
    const Clock::time_point t0 = Clock::now();
    Model model;
    StreamedCycles stream({});
    double judging = 0;  // --streamed: the time in StreamedCycles::AfterTrace
    double instance_peak = 0;
    std::optional<lockgraph::analyzer::TracePrefetcher> prefetcher;
    if (streamed) prefetcher.emplace(traces);
    for (size_t t = 0; t < traces.size(); ++t) {
      const std::string& trace = traces[t];
      if (absl::Status s = prefetcher ? model.AddPrefetchedTrace(*prefetcher, trace)
                                      : model.AddTraceFile(trace);
          !s.ok()) {
        std::fprintf(stderr, "analyzer_phases: %s\n", std::string(s.message()).c_str());
        return 2;
      }
      if (streamed) {
        const Clock::time_point j0 = Clock::now();
        stream.AfterTrace(model, /*last=*/t + 1 == traces.size());
        judging += Ms(j0, Clock::now());
        if (run == 0) instance_peak = std::max(instance_peak, ResidentMib());
      }
    }
    if (streamed && !stream.active()) {
      std::fprintf(stderr, "analyzer_phases: --streamed: these traces are analyzed whole\n");
      return 2;
    }
    model.Finish();
    const Clock::time_point t1 = Clock::now();
    if (run == 0) resident[0] = ResidentMib();
    lockgraph::analyzer::Summary summary;
    if (!streamed) {
      LockGraph::ForEachInstanceGraph(model, [&](const LockGraph& instances) {
        CycleVerdicts(model).Judge(instances, {}, summary);
        if (run == 0) instance_peak = std::max(instance_peak, ResidentMib());
      });
    }
    const Clock::time_point t2 = Clock::now();
    if (run == 0) resident[1] = instance_peak;
    const LockGraph classes = streamed ? stream.TakeClassGraph(model)
                                       : LockGraph::Build(model, LockGraph::kClasses);
    const Clock::time_point t3 = Clock::now();
    if (run == 0) resident[2] = ResidentMib();
    CycleVerdicts(model, !streamed).Judge(classes, {}, summary);
    const Clock::time_point t4 = Clock::now();
    if (run == 0) resident[3] = resident[4] = ResidentMib();
    dependencies = model.dependencies_read();
    phases[0].push_back(Ms(t0, t1) - judging);
    phases[1].push_back(Ms(t1, t2) + judging);
    phases[2].push_back(Ms(t2, t3));
    phases[3].push_back(Ms(t3, t4));
    phases[4].push_back(Ms(t0, t4));
  }
  std::printf("%-15s %9.1f ms (of which parsing alone)\n", "read: parse", Median(parse));
  if (parse_only) return 0;
  for (int p = 0; p < 5; ++p) {
    std::printf("%-15s %9.1f ms %8.0f MiB resident after\n", names[p], Median(phases[p]),
                resident[p]);
  }
  std::printf("%zu dependencies, %.2fM dependency records/s\n", dependencies,
              dependencies / Median(phases[4]) / 1000.0);
  return 0;
}
