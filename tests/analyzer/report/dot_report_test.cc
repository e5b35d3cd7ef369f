#include "analyzer/report/dot_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::lockgraph::analyzer::DotOptions;
using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingEdge;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::FindingLock;
using ::lockgraph::analyzer::FormatDotReport;
using ::lockgraph::analyzer::OrderGraph;
using ::lockgraph::analyzer::OrderGraphEdge;
using ::lockgraph::analyzer::OrderGraphNode;
using ::lockgraph::analyzer::Report;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

OrderGraphEdge Order(size_t from, size_t to, uint64_t count, const std::string& thread,
                     const std::string& site, uint64_t threads = 1) {
  OrderGraphEdge edge;
  edge.from = from;
  edge.to = to;
  edge.count = count;
  edge.threads = threads;
  edge.thread.id = 2;
  edge.thread.pid = 7;
  edge.thread.name = thread;
  edge.site = site;
  return edge;
}

// A <-> B taken both ways (a deadlock), and gate -> A, gate -> B by two threads.
Report GateAndCycle() {
  Report report;
  OrderGraph& graph = report.order_graph;
  graph.nodes = {OrderGraphNode{"A", "Lock \"A\"", "/src/x.cc:3", {}},
                 OrderGraphNode{"B", "Lock \"B\"", "/src/x.cc:4", {}},
                 OrderGraphNode{"gate", "Lock \"gate\"", "/src/x.cc:5", {}}};
  graph.edges = {Order(0, 1, 3, "forward", "/src/x.cc:18"),
                 Order(1, 0, 1, "backward", "/src/x.cc:24"),
                 Order(2, 0, 2, "gated", "/src/x.cc:30", 2),
                 Order(2, 1, 2, "gated", "/src/x.cc:31", 2)};
  Finding f;
  f.kind = FindingKind::kDeadlock;
  f.id = "LG-0000000000000001";
  f.locks = {FindingLock{"A", "Lock \"A\"", "/src/x.cc:3", {}},
             FindingLock{"B", "Lock \"B\"", "/src/x.cc:4", {}}};
  FindingEdge ab, ba;
  ab.from = 0, ab.to = 1;
  ba.from = 1, ba.to = 0;
  f.edges = {ab, ba};
  report.findings.push_back(f);
  return report;
}

::testing::Matcher<const std::string&> StartsWithEdge(const std::string& from,
                                                     const std::string& to) {
  return ::testing::StartsWith("  \"" + from + "\" -> \"" + to + "\" [");
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(DotReport, DrawsEveryClassAndOrderWithCountsAndFirstThread) {
  const std::string dot = FormatDotReport(GateAndCycle(), {});
  const std::vector<std::string> lines = Lines(dot);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[1], "digraph lockgraph {");
  EXPECT_EQ(lines.back(), "}");
  EXPECT_THAT(lines, Contains(HasSubstr("graph [label=\"lockgraph: 3 lock classes, 4 orders; "
                                        "1 deadlock, 0 potential\"")));
  EXPECT_THAT(lines, Contains("  \"gate\" [label=\"Lock \\\"gate\\\"\\nx.cc:5\", "
                              "tooltip=\"class gate, first instance at /src/x.cc:5\"];"));
  EXPECT_THAT(lines, Contains(AllOf(StartsWithEdge("gate", "A"),
                                    HasSubstr("label=\"2 times\\n2 threads, first \\\"gated\\\" "
                                              "at x.cc:30\""))));
  EXPECT_THAT(lines, Contains(AllOf(StartsWithEdge("A", "B"),
                                    HasSubstr("label=\"3 times\\n\\\"forward\\\" at x.cc:18\""),
                                    HasSubstr("first thread 2 \\\"forward\\\" (pid 7) at "
                                              "/src/x.cc:18"))));
}

TEST(DotReport, HighlightsTheOrdersAndClassesOfReportedCycles) {
  const std::vector<std::string> lines = Lines(FormatDotReport(GateAndCycle(), {}));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{"A", "B"},
                                                                                {"B", "A"}}) {
    EXPECT_THAT(lines, Contains(AllOf(StartsWithEdge(from, to), HasSubstr("color=\"red\""),
                                      HasSubstr("penwidth=\"3\""),
                                      HasSubstr("on the cycle of deadlock LG-0000000000000001"))))
        << from << " -> " << to;
  }
  EXPECT_THAT(lines, Contains(AllOf(StartsWithEdge("gate", "B"), Not(HasSubstr("color=")))));
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("  \"A\" [label="), HasSubstr("color=\"red\""))));
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("  \"gate\" [label="), Not(HasSubstr("color=")))));
}

TEST(DotReport, CyclesOnlyKeepsTheClassesAndOrdersOfCycles) {
  const std::string dot = FormatDotReport(GateAndCycle(), {.cycles_only = true});
  EXPECT_THAT(dot, Not(HasSubstr("\"gate\"")));
  EXPECT_THAT(dot, HasSubstr("2 lock classes, 2 orders on reported cycles"));
  EXPECT_THAT(dot, HasSubstr("  \"A\" -> \"B\" ["));
  EXPECT_THAT(dot, HasSubstr("  \"B\" -> \"A\" ["));
}

TEST(DotReport, CyclesOnlyWithoutCyclesIsAnEmptyGraph) {
  Report report = GateAndCycle();
  report.findings.clear();
  const std::string dot = FormatDotReport(report, {.cycles_only = true});
  EXPECT_THAT(Lines(dot),
              ElementsAre(HasSubstr("// "), "digraph lockgraph {",
                          HasSubstr("lockgraph: 0 lock classes, 0 orders on reported cycles; "
                                    "0 deadlocks, 0 potential"),
                          HasSubstr("  node ["), HasSubstr("  edge ["), "}"));
  EXPECT_THAT(Lines(FormatDotReport(Report(), {})),
              Contains(HasSubstr("0 lock classes, 0 orders;")));
}

TEST(DotReport, SuppressedCyclesAreNotHighlightedPotentialOnesAreOrange) {
  Report suppressed = GateAndCycle();
  suppressed.findings[0].suppressed = true;
  EXPECT_THAT(FormatDotReport(suppressed, {}), Not(HasSubstr("color=")));
  Report baseline = GateAndCycle();
  baseline.findings[0].in_baseline = true;
  EXPECT_THAT(FormatDotReport(baseline, {}), Not(HasSubstr("color=")));
  Report potential = GateAndCycle();
  potential.findings[0].kind = FindingKind::kPotential;
  const std::string dot = FormatDotReport(potential, {});
  EXPECT_THAT(dot, HasSubstr("color=\"darkorange\""));
  EXPECT_THAT(dot, Not(HasSubstr("color=\"red\"")));
  EXPECT_THAT(dot, HasSubstr("0 deadlocks, 1 potential"));
}

TEST(DotReport, ClassesNamedBySiteShowTheFileNameOnly) {
  Report report;
  report.order_graph.nodes = {
      OrderGraphNode{"/src/bank.cc:12", "Lock created at /src/bank.cc:12", "/src/bank.cc:12", {}},
      OrderGraphNode{"m.so+0x10", "pthread_mutex first used at /src/io.cc:7", "/src/io.cc:7", {}}};
  report.order_graph.edges = {Order(0, 1, 2, "t", "/src/bank.cc:40")};
  const std::string dot = FormatDotReport(report, {});
  EXPECT_THAT(dot, HasSubstr("  \"/src/bank.cc:12\" [label=\"Lock created at bank.cc:12\", "
                             "tooltip=\"class /src/bank.cc:12, first instance at "
                             "/src/bank.cc:12\"];"));
  EXPECT_THAT(dot, HasSubstr("  \"m.so+0x10\" [label=\"pthread_mutex first used at io.cc:7\""));
}

TEST(DotReport, QuotesAndBackslashesInNamesAreEscaped) {
  Report report;
  report.order_graph.nodes = {OrderGraphNode{"a\"b\\c", "Lock \"a\"b\\c\"", "", {}},
                              OrderGraphNode{"d", "Lock \"d\"", "", {}}};
  report.order_graph.edges = {Order(0, 1, 1, "t", "")};
  const std::string dot = FormatDotReport(report, {});
  EXPECT_THAT(dot, HasSubstr("  \"a\\\"b\\\\c\" -> \"d\" [label=\"1 time\""));
  EXPECT_THAT(dot, HasSubstr("  \"a\\\"b\\\\c\" [label=\"Lock \\\"a\\\"b\\\\c\\\"\""));
}

}  // namespace
