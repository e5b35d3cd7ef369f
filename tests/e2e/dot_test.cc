// `lockgraph analyze --format=dot` on corpus programs: Graphviz renders the graph (dot -Tsvg
// exits 0), and reading it back through Graphviz (dot -Tjson0) gives the classes, the orders
// with their counts and lines, and the cycle's orders highlighted; --cycles-only keeps only
// the cycles, and on a clean program is an empty graph that still renders.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::FindInPath;
using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::kCorpus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using json = ::nlohmann::json;

void RunQuietly(const std::string& name, const TempDir& dir) {
  const ProcessResult run = RunWithOptions(
      kCorpus.Program(name),
      absl::StrCat("quiet=1:trace=", dir.path(), "/", name, ".%p.lgtrace"));
  EXPECT_EQ(run.exit_code, 0) << name << ": " << run.stderr_text;
}

// The graph as Graphviz reads it: nodes by name, edges by "TAIL -> HEAD", each with its
// attributes (label, color, penwidth, ...).
struct Graph {
  std::map<std::string, json> nodes;
  std::map<std::string, json> edges;
  std::string label;
};

const std::string& Dot() {
  static const std::string* const dot = new std::string(FindInPath("dot"));
  return *dot;
}

// Renders `file` to SVG and reads it back as JSON; fails the test if Graphviz does not take
// it (or is missing: scripts/install-deps.sh installs graphviz).
Graph Render(const std::string& file) {
  Graph graph;
  if (Dot().empty()) {
    ADD_FAILURE() << "no dot in PATH (Debian: graphviz; scripts/install-deps.sh installs it)";
    return graph;
  }
  const std::string svg = file + ".svg";
  // An ASan build preloads its runtime into the programs tests start: not into Graphviz.
  const ProcessResult render = RunProcess({Dot(), "-Tsvg", file, "-o", svg}, {"LD_PRELOAD="});
  EXPECT_EQ(render.exit_code, 0) << render.stderr_text;
  EXPECT_EQ(render.stderr_text, "") << "Graphviz warned";
  EXPECT_THAT(ReadFile(svg), HasSubstr("<svg"));
  const ProcessResult read = RunProcess({Dot(), "-Tjson0", file}, {"LD_PRELOAD="});
  EXPECT_EQ(read.exit_code, 0) << read.stderr_text;
  const json j = json::parse(read.stdout_text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    ADD_FAILURE() << "dot -Tjson0 gave no JSON: " << read.stdout_text;
    return graph;
  }
  graph.label = j.value("label", "");
  std::vector<std::string> names;
  for (const json& node : j.value("objects", json::array())) {
    names.push_back(node["name"]);
    graph.nodes[node["name"]] = node;
  }
  for (const json& edge : j.value("edges", json::array())) {
    graph.edges[names[edge["tail"].get<size_t>()] + " -> " + names[edge["head"].get<size_t>()]] =
        edge;
  }
  return graph;
}

// `lockgraph analyze --format=dot -o OUT/NAME.dot ARGS... TRACES`, rendered.
Graph AnalyzeDot(const TempDir& traces, const TempDir& out, const std::string& name,
                 std::vector<std::string> args = {}, int exit_code = 1) {
  const std::string file = absl::StrCat(out.path(), "/", name, ".dot");
  args.insert(args.begin(), {"analyze", "--format=dot", "-o", file});
  args.push_back(traces.path());
  const ProcessResult run = RunLockgraph(args);
  EXPECT_EQ(run.exit_code, exit_code) << run.stderr_text;
  EXPECT_EQ(run.stderr_text, "");
  return Render(file);
}

std::vector<std::string> Keys(const std::map<std::string, json>& map) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : map) keys.push_back(key);
  return keys;
}

void ExpectHighlighted(const Graph& graph, const std::string& edge) {
  ASSERT_TRUE(graph.edges.contains(edge)) << edge;
  EXPECT_EQ(graph.edges.at(edge).value("color", ""), "red") << edge;
  EXPECT_EQ(graph.edges.at(edge).value("penwidth", ""), "3") << edge;
}

TEST(DotCli, TwoLockCycleIsTwoClassesWithBothOrdersHighlighted) {
  TempDir traces, out;
  RunQuietly("two_lock_cycle", traces);
  const Graph graph = AnalyzeDot(traces, out, "two");
  EXPECT_THAT(Keys(graph.nodes), ElementsAre("A", "B"));
  EXPECT_THAT(Keys(graph.edges), ElementsAre("A -> B", "B -> A"));
  ExpectHighlighted(graph, "A -> B");
  ExpectHighlighted(graph, "B -> A");
  EXPECT_EQ(graph.nodes.at("A").value("color", ""), "red");
  EXPECT_THAT(graph.nodes.at("A").value("label", ""),
              StartsWith(absl::StrCat("Lock \"A\"\\ntwo_lock_cycle.cc:",
                                      LineOf(kCorpus.Source("two_lock_cycle"), "// lock: A"))));
  // Each order: how often, which thread first, on which line.
  EXPECT_EQ(graph.edges.at("A -> B").value("label", ""),
            absl::StrCat("1 time\\n\"forward\" at two_lock_cycle.cc:",
                         LineOf(kCorpus.Source("two_lock_cycle"), "// edge: A -> B")));
  EXPECT_EQ(graph.edges.at("B -> A").value("label", ""),
            absl::StrCat("1 time\\n\"backward\" at two_lock_cycle.cc:",
                         LineOf(kCorpus.Source("two_lock_cycle"), "// edge: B -> A")));
  EXPECT_THAT(graph.label, HasSubstr("2 lock classes, 2 orders; 1 deadlock, 0 potential"));
}

TEST(DotCli, ThreeLockCycleHighlightsEveryOrderOfTheCycle) {
  TempDir traces, out;
  RunQuietly("three_lock_cycle", traces);
  const Graph graph = AnalyzeDot(traces, out, "three");
  EXPECT_THAT(Keys(graph.nodes), ElementsAre("A", "B", "C"));
  EXPECT_THAT(Keys(graph.edges), ElementsAre("A -> B", "B -> C", "C -> A"));
  for (const std::string edge : {"A -> B", "B -> C", "C -> A"}) ExpectHighlighted(graph, edge);
}

TEST(DotCli, CyclesOnlyLeavesOutTheOrdersOffTheCycle) {
  // The three-lock cycle and the ordered philosophers' forks, analyzed together.
  TempDir traces, out;
  RunQuietly("three_lock_cycle", traces);
  RunQuietly("dining_philosophers_ordered", traces);
  const Graph full = AnalyzeDot(traces, out, "full");
  EXPECT_EQ(full.nodes.size(), 8u) << "A, B, C and five forks";
  EXPECT_EQ(full.edges.size(), 8u) << "three cycle orders, five fork orders";
  size_t highlighted = 0;
  for (const auto& [name, edge] : full.edges) highlighted += edge.contains("color");
  EXPECT_EQ(highlighted, 3u);

  const Graph cycles = AnalyzeDot(traces, out, "cycles", {"--cycles-only"});
  EXPECT_THAT(Keys(cycles.nodes), ElementsAre("A", "B", "C"));
  EXPECT_THAT(Keys(cycles.edges), ElementsAre("A -> B", "B -> C", "C -> A"));
  EXPECT_THAT(cycles.label, HasSubstr("3 lock classes, 3 orders on reported cycles"));
}

TEST(DotCli, CleanProgramHasNoHighlightAndAnEmptyCyclesOnlyGraph) {
  TempDir traces, out;
  RunQuietly("gate_lock", traces);
  // gate -> A, gate -> B, and A, B both ways under the gate: a cycle ruled out.
  const Graph full = AnalyzeDot(traces, out, "gate", {}, /*exit_code=*/0);
  EXPECT_THAT(Keys(full.nodes), ElementsAre("A", "B", "gate"));
  EXPECT_THAT(Keys(full.edges), ElementsAre("A -> B", "B -> A", "gate -> A", "gate -> B"));
  for (const auto& [name, edge] : full.edges) EXPECT_FALSE(edge.contains("color")) << name;

  const Graph empty = AnalyzeDot(traces, out, "empty", {"--cycles-only"}, /*exit_code=*/0);
  EXPECT_THAT(empty.nodes, IsEmpty());
  EXPECT_THAT(empty.edges, IsEmpty());
  EXPECT_THAT(empty.label, HasSubstr("0 lock classes, 0 orders on reported cycles"));
}

TEST(DotCli, CyclesOnlyNeedsTheDotFormat) {
  TempDir traces;
  RunQuietly("two_lock_cycle", traces);
  const ProcessResult run = RunLockgraph({"analyze", "--cycles-only", traces.path()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.stdout_text, "");
  EXPECT_EQ(run.stderr_text, "lockgraph: --cycles-only: only with --format=dot\n");
}

}  // namespace
