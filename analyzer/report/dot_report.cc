#include "analyzer/report/dot_report.h"

#include <map>
#include <string_view>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/source_frame.h"

namespace lockgraph::analyzer {
namespace {

constexpr char kDeadlockColor[] = "red";
constexpr char kPotentialColor[] = "darkorange";

// A DOT quoted string. Labels and tooltips are escString: a backslash starts an escape
// (\n, \N, ...), so a literal one is doubled; a newline becomes the \n line break.
std::string DotQuote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// "two_lock_cycle.cc:18" for "/src/two_lock_cycle.cc:18".
std::string ShortSite(const std::string& site) { return Basename(site); }

std::string Times(uint64_t n) { return absl::StrCat(n, n == 1 ? " time" : " times"); }

// The cycles an order belongs to: the worst kind (deadlock before potential) and the ids.
struct CycleMark {
  FindingKind kind = FindingKind::kPotential;
  std::vector<std::string> ids;
};

using ClassPair = std::pair<std::string, std::string>;

std::map<ClassPair, CycleMark> CycleEdges(const Report& report) {
  std::map<ClassPair, CycleMark> marks;
  for (const Finding& f : report.findings) {
    if (!f.counts()) continue;
    if (f.kind != FindingKind::kDeadlock && f.kind != FindingKind::kPotential) continue;
    for (const FindingEdge& edge : f.edges) {
      CycleMark& mark = marks[{f.locks[edge.from].class_name, f.locks[edge.to].class_name}];
      if (mark.ids.empty() || f.kind < mark.kind) mark.kind = f.kind;
      if (mark.ids.empty() || mark.ids.back() != f.id) mark.ids.push_back(f.id);
    }
  }
  return marks;
}

const char* Color(FindingKind kind) {
  return kind == FindingKind::kDeadlock ? kDeadlockColor : kPotentialColor;
}

// The class label with the file's base name (the tooltip has the path), then the site of a
// named class; a class named by its site says where it was made already.
std::string NodeLabel(const OrderGraphNode& node) {
  for (std::string_view marker : {" created at ", " first used at ", " allocated at "}) {
    const size_t at = node.label.find(marker);
    if (at == std::string::npos) continue;
    const size_t site = at + marker.size();
    return absl::StrCat(node.label.substr(0, site), ShortSite(node.label.substr(site)));
  }
  if (node.site.empty()) return node.label;
  return absl::StrCat(node.label, "\n", ShortSite(node.site));
}

std::string ThreadName(const FindingThread& thread) {
  return thread.name.empty() ? absl::StrCat("thread ", thread.id)
                             : absl::StrCat("\"", thread.name, "\"");
}

std::string EdgeLabel(const OrderGraphEdge& edge) {
  std::string label = Times(edge.count);
  if (edge.site.empty()) return label;
  absl::StrAppend(&label, "\n");
  if (edge.threads > 1) absl::StrAppend(&label, edge.threads, " threads, first ");
  absl::StrAppend(&label, ThreadName(edge.thread), " at ", ShortSite(edge.site));
  return label;
}

}  // namespace

std::string FormatDotReport(const Report& report, const DotOptions& options) {
  const OrderGraph& graph = report.order_graph;
  const std::map<ClassPair, CycleMark> marks = CycleEdges(report);
  // Nodes on a cycle, with the worst kind of the cycles through them.
  std::map<size_t, FindingKind> cycle_nodes;
  std::vector<const CycleMark*> edge_marks(graph.edges.size(), nullptr);
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    const OrderGraphEdge& edge = graph.edges[e];
    auto it = marks.find({graph.nodes[edge.from].class_name, graph.nodes[edge.to].class_name});
    if (it == marks.end()) continue;
    edge_marks[e] = &it->second;
    for (size_t node : {edge.from, edge.to}) {
      auto [n, inserted] = cycle_nodes.try_emplace(node, it->second.kind);
      if (!inserted && it->second.kind < n->second) n->second = it->second.kind;
    }
  }
  size_t deadlocks = 0, potentials = 0;
  for (const Finding& f : report.findings) {
    if (!f.counts()) continue;
    deadlocks += f.kind == FindingKind::kDeadlock;
    potentials += f.kind == FindingKind::kPotential;
  }

  const size_t shown_nodes = options.cycles_only ? cycle_nodes.size() : graph.nodes.size();
  size_t shown_edges = 0;
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    shown_edges += !options.cycles_only || edge_marks[e] != nullptr;
  }
  std::string title = absl::StrCat(
      "lockgraph: ", shown_nodes, shown_nodes == 1 ? " lock class, " : " lock classes, ",
      shown_edges, shown_edges == 1 ? " order" : " orders",
      options.cycles_only ? " on reported cycles" : "", "; ", deadlocks,
      deadlocks == 1 ? " deadlock, " : " deadlocks, ", potentials, " potential");

  std::string out =
      "// The lock-order graph of lockgraph: render with  dot -Tsvg FILE -o graph.svg\n";
  absl::StrAppend(&out, "digraph lockgraph {\n");
  absl::StrAppend(&out, "  graph [label=", DotQuote(title),
                  ", labelloc=\"t\", rankdir=\"LR\", fontname=\"Helvetica\"];\n");
  absl::StrAppend(&out,
                  "  node [shape=\"box\", style=\"rounded\", fontname=\"Helvetica\", "
                  "fontsize=\"11\"];\n");
  absl::StrAppend(&out, "  edge [fontname=\"Helvetica\", fontsize=\"9\"];\n");
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const OrderGraphNode& node = graph.nodes[n];
    auto cycle = cycle_nodes.find(n);
    if (options.cycles_only && cycle == cycle_nodes.end()) continue;
    std::string tooltip = absl::StrCat("class ", node.class_name);
    if (!node.site.empty()) absl::StrAppend(&tooltip, ", first instance at ", node.site);
    absl::StrAppend(&out, "  ", DotQuote(node.class_name), " [label=", DotQuote(NodeLabel(node)),
                    ", tooltip=", DotQuote(tooltip));
    if (cycle != cycle_nodes.end()) {
      absl::StrAppend(&out, ", color=\"", Color(cycle->second), "\", penwidth=\"2\"");
    }
    absl::StrAppend(&out, "];\n");
  }
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    const OrderGraphEdge& edge = graph.edges[e];
    const CycleMark* mark = edge_marks[e];
    if (options.cycles_only && mark == nullptr) continue;
    const std::string& from = graph.nodes[edge.from].class_name;
    const std::string& to = graph.nodes[edge.to].class_name;
    std::string tooltip = absl::StrCat(graph.nodes[edge.from].label, " before ",
                                       graph.nodes[edge.to].label, ": ", Times(edge.count));
    if (!edge.site.empty()) {
      absl::StrAppend(&tooltip, "; first ", edge.thread.label(), " at ", edge.site);
    }
    if (mark != nullptr) {
      absl::StrAppend(&tooltip, "; on the cycle of ", FindingKindName(mark->kind), " ",
                      absl::StrJoin(mark->ids, ", "));
    }
    absl::StrAppend(&out, "  ", DotQuote(from), " -> ", DotQuote(to), " [label=", DotQuote(EdgeLabel(edge)),
                    ", tooltip=", DotQuote(tooltip));
    if (mark != nullptr) {
      absl::StrAppend(&out, ", color=\"", Color(mark->kind), "\", fontcolor=\"", Color(mark->kind),
                      "\", penwidth=\"3\"");
    }
    absl::StrAppend(&out, "];\n");
  }
  absl::StrAppend(&out, "}\n");
  return out;
}

}  // namespace lockgraph::analyzer
