#include "analyzer/report/text_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace lockgraph::analyzer {
namespace {

const char* Severity(FindingKind kind) {
  return kind == FindingKind::kDeadlock || kind == FindingKind::kRace ||
                 kind == FindingKind::kMisuse
             ? "error"
             : "warning";
}

void AppendStack(std::string& out, const FindingStack& stack, const char* indent) {
  if (stack.frames.empty()) {
    absl::StrAppend(&out, indent, "(no stack)\n");
    return;
  }
  for (size_t i = 0; i < stack.frames.size(); ++i) {
    absl::StrAppend(&out, indent, "#", i, " ", FormatFrame(stack.frames[i]), "\n");
  }
  if (stack.folded != 0) {
    absl::StrAppend(&out, indent, "(", stack.folded, stack.folded == 1 ? " frame" : " frames",
                    " of the C++ library and lockgraph between these folded; --full-stacks "
                    "shows them)\n");
  }
}

std::string Or(const std::string& site, const char* fallback) {
  return site.empty() ? std::string(fallback) : site;
}

// How a cycle's edges are told: predicted ("holds ... and takes ..., this order: N times"), a
// deadlock that happened ("held ... and waited for ... when the deadlock happened"), or the
// hang of a steered run under a confirmed finding (the same, said once above the edges).
enum class EdgeTense { kPredicted, kHappened, kHang };

// Each edge: the thread, the lock it holds and where it took it, the next lock and where it
// takes (or waited for) it, with that stack.
void AppendEdges(std::string& out, const std::vector<FindingLock>& locks,
                 const std::vector<FindingEdge>& edges, EdgeTense tense,
                 const std::string& indent) {
  const bool predicted = tense == EdgeTense::kPredicted;
  for (const FindingEdge& edge : edges) {
    std::string how;
    if (edge.flags & format::kAcquireTimed) how = " (with a timeout)";
    if (edge.flags & format::kAcquireShared) how = " (shared)";
    absl::StrAppend(&out, indent, edge.thread.label(), predicted ? " holds " : " held ",
                    locks[edge.from].label,
                    edge.held_is_first_use ? " (taken inside the C++ library; first used at "
                                           : " (taken at ",
                    Or(edge.held.site(), "an unknown place"), ")\n", indent, "  and ",
                    predicted ? "takes " : "waited for ", locks[edge.to].label, how, " at ",
                    Or(edge.acquire.site(), "an unknown place"));
    if (predicted) {
      absl::StrAppend(&out, " (this order: ", edge.count,
                      edge.count == 1 ? " time):\n" : " times):\n");
    } else {
      absl::StrAppend(&out, tense == EdgeTense::kHappened ? " when the deadlock happened:\n"
                                                          : ":\n");
    }
    AppendStack(out, edge.acquire, absl::StrCat(indent, "    ").c_str());
  }
}

// What `lockgraph confirm` found.
void AppendConfirmation(std::string& out, const Finding& f) {
  const Finding::Confirmation& c = f.confirmation;
  if (!c.tried) return;
  if (!c.confirmed) {
    absl::StrAppend(&out, "    not reproduced in ", c.tries, c.tries == 1 ? " try" : " tries",
                    ": no run steered toward this cycle deadlocked\n");
  } else if (c.tries == 0) {
    absl::StrAppend(&out, "    confirmed: it happened in this run\n");
  } else {
    absl::StrAppend(&out, "    confirmed: the program deadlocked when steered toward this cycle "
                          "(steered run ", c.tries, "):\n");
    AppendEdges(out, c.hang_locks, c.hang, EdgeTense::kHang, "      ");
  }
}

void AppendCycle(std::string& out, const Finding& f) {
  for (const FindingLock& lock : f.locks) {
    // A class named by its site already says where it was made.
    if (lock.LabelHasSite()) {
      absl::StrAppend(&out, "    lock ", lock.label, "\n");
    } else {
      absl::StrAppend(&out, "    lock ", lock.label, ", ", lock.site_verb, " at ", lock.site, "\n");
    }
  }
  AppendEdges(out, f.locks, f.edges, f.observed ? EdgeTense::kHappened : EdgeTense::kPredicted,
              "    ");
  absl::StrAppend(&out, "    fix: ", f.fix, "\n");
  AppendConfirmation(out, f);
}

}  // namespace

std::string FormatDuration(uint64_t ns) {
  if (ns >= 1'000'000'000) return absl::StrFormat("%.2f s", ns / 1e9);
  if (ns >= 1'000'000) return absl::StrFormat("%.1f ms", ns / 1e6);
  if (ns >= 1'000) return absl::StrFormat("%.1f us", ns / 1e3);
  return absl::StrCat(ns, " ns");
}

std::string FormatTextReport(const Report& report, bool explain) {
  std::string out;
  for (const std::string& warning : report.warnings) {
    absl::StrAppend(&out, "lockgraph: warning: ", warning, "\n");
  }
  uint64_t counts[std::size(kAllFindingKinds)] = {}, suppressed = 0, baseline = 0;
  for (const Finding& f : report.findings) {
    if (f.suppressed) {
      ++suppressed;
      continue;
    }
    if (f.in_baseline) {
      ++baseline;
      continue;
    }
    ++counts[static_cast<int>(f.kind)];
    absl::StrAppend(&out, Or(f.location, "<unknown>"), ": ", Severity(f.kind), ": ", f.message,
                    " [", FindingKindName(f.kind), " ", f.id, "]\n");
    switch (f.kind) {
      case FindingKind::kDeadlock:
      case FindingKind::kPotential:
        AppendCycle(out, f);
        break;
      case FindingKind::kLongWait:
        absl::StrAppend(&out, "    ", f.waiter.label(), " waited at:\n");
        AppendStack(out, f.waiter_stack, "        ");
        if (f.holder.id != 0) {
          absl::StrAppend(&out, "    ", f.holder.label(), " held it, taken at:\n");
          AppendStack(out, f.holder_stack, "        ");
        }
        break;
      case FindingKind::kMisuse:
        AppendStack(out, f.waiter_stack, "        ");
        break;
      case FindingKind::kRace:
        if (!f.locks.empty()) absl::StrAppend(&out, "    variable ", f.locks[0].label, ", declared at ", f.locks[0].site, "\n");
        for (const FindingAccess& access : f.accesses) {
          absl::StrAppend(&out, "    ", access.thread.label(), access.write ? " writes" : " reads",
                          " at ", Or(access.stack.site(), "an unknown place"), ", holding ",
                          access.held.empty() ? "no lock" : absl::StrJoin(access.held, ", "),
                          ":\n");
          AppendStack(out, access.stack, "        ");
        }
        if (f.occurrences > 1) {
          absl::StrAppend(&out, "    (", f.occurrences, " racing pairs at these two places)\n");
        }
        break;
    }
  }
  if (explain) {
    for (const RuledOutCycle& r : report.ruled_out) {
      absl::StrAppend(&out, "lockgraph: ruled out", r.class_level ? " (class level)" : "",
                      ": cycle ", absl::StrJoin(r.locks, " -> "), ": ", r.reason, "\n");
    }
  }
  const Summary& s = report.summary;
  absl::StrAppend(&out, "lockgraph: ", counts[0], counts[0] == 1 ? " deadlock, " : " deadlocks, ",
                  counts[1], " potential, ", counts[2], counts[2] == 1 ? " race, " : " races, ",
                  counts[3], counts[3] == 1 ? " long wait, " : " long waits, ", counts[4],
                  " misuse");
  if (suppressed + baseline > 0) {
    absl::StrAppend(&out, " (and ", suppressed, " suppressed, ", baseline, " in the baseline)");
  }
  absl::StrAppend(&out, "; ", report.ruled_out.size(),
                  report.ruled_out.size() == 1 ? " cycle" : " cycles", " ruled out",
                  !report.ruled_out.empty() && !explain ? " (--explain lists them)" : "");
  if (s.cycles_not_searched > 0 || s.components_cut_short > 0) {
    absl::StrAppend(&out, "; ", s.cycles_not_searched, " cycles past --max-cycles not checked, ",
                    s.components_cut_short, " components searched only in part");
  }
  absl::StrAppend(&out, "; ", s.traces, s.traces == 1 ? " trace, " : " traces, ", s.threads,
                  " threads, ", s.locks, " locks, ", s.dependencies, " dependencies\n");
  return out;
}

std::string FormatStatsTable(const std::vector<ClassStatsRow>& rows) {
  std::string out = absl::StrFormat("%-32s %-16s %12s %10s %10s %10s %10s %10s %10s %10s\n",
                                    "class", "kind", "acquired", "contended", "wait total",
                                    "wait max", "wait p50", "wait p99", "hold total",
                                    "hold max");
  for (const ClassStatsRow& r : rows) {
    absl::StrAppendFormat(&out, "%-32s %-16s %12d %10d %10s %10s %10s %10s %10s %10s\n",
                          r.class_name, format::SyncKindName(r.kind), r.acquisitions,
                          r.contended, FormatDuration(r.wait_total_ns),
                          FormatDuration(r.wait_max_ns), FormatDuration(r.wait_p50_ns),
                          FormatDuration(r.wait_p99_ns), FormatDuration(r.hold_total_ns),
                          FormatDuration(r.hold_max_ns));
  }
  return out;
}

}  // namespace lockgraph::analyzer
