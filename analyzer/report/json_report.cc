#include "analyzer/report/json_report.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace lockgraph::analyzer {
namespace {

using nlohmann::json;

json Frames(const FindingStack& stack) {
  json frames = json::array();
  for (const SourceFrame& frame : stack.frames) frames.push_back(FormatFrame(frame));
  return frames;
}

json Thread(const FindingThread& thread) {
  return {{"id", thread.id}, {"pid", thread.pid}, {"name", thread.name}, {"label", thread.label()}};
}

json LocksJson(const std::vector<FindingLock>& finding_locks) {
  json locks = json::array();
  for (const FindingLock& lock : finding_locks) {
    locks.push_back({{"class", lock.class_name},
                     {"label", lock.label},
                     {"kind", std::string(format::SyncKindName(lock.kind))},
                     {"site", lock.site},
                     {"site_is", lock.site_verb}});
  }
  return locks;
}

json EdgesJson(const std::vector<FindingLock>& locks, const std::vector<FindingEdge>& finding_edges) {
  json edges = json::array();
  for (const FindingEdge& edge : finding_edges) {
    edges.push_back({
        {"from", locks[edge.from].class_name},
        {"to", locks[edge.to].class_name},
        {"thread", edge.thread.label()},
        {"thread_id", edge.thread.id},
        {"pid", edge.thread.pid},
        {"held_site", edge.held.site()},
        {"held_site_is_first_use", edge.held_is_first_use},
        {"acquire_site", edge.acquire.site()},
        {"held_stack", Frames(edge.held)},
        {"stack", Frames(edge.acquire)},
        {"try", (edge.flags & format::kAcquireTry) != 0},
        {"timed", (edge.flags & format::kAcquireTimed) != 0},
        {"shared", (edge.flags & format::kAcquireShared) != 0},
        {"count", edge.count},
    });
  }
  return edges;
}

json FindingJson(const Finding& f) {
  json out = {
      {"id", f.id},
      {"kind", FindingKindName(f.kind)},
      {"message", f.message},
      {"location", f.location},
      {"suppressed", f.suppressed},
      {"in_baseline", f.in_baseline},
  };
  out["locks"] = LocksJson(f.locks);
  out["edges"] = EdgesJson(f.locks, f.edges);
  if (!f.fix.empty()) out["fix"] = f.fix;
  if (f.kind == FindingKind::kDeadlock) out["observed"] = f.observed;
  if (f.confirmation.tried) {
    out["confirmed"] = f.confirmation.confirmed;
    json confirmation = {{"tries", f.confirmation.tries}};
    if (f.confirmation.confirmed) {
      confirmation["locks"] = LocksJson(f.confirmation.hang_locks);
      confirmation["edges"] = EdgesJson(f.confirmation.hang_locks, f.confirmation.hang);
    }
    out["confirmation"] = std::move(confirmation);
  }
  if (f.kind == FindingKind::kLongWait) {
    out["wait_max_ns"] = f.wait_max_ns;
    out["wait_total_ns"] = f.wait_total_ns;
    out["occurrences"] = f.occurrences;
    out["waiter"] = {{"thread", Thread(f.waiter)}, {"stack", Frames(f.waiter_stack)}};
    out["holder"] = {{"thread", Thread(f.holder)}, {"stack", Frames(f.holder_stack)}};
  }
  if (f.kind == FindingKind::kRace) {
    out["occurrences"] = f.occurrences;
    json accesses = json::array();
    for (const FindingAccess& access : f.accesses) {
      accesses.push_back({{"thread", Thread(access.thread)},
                          {"write", access.write},
                          {"site", access.stack.site()},
                          {"stack", Frames(access.stack)},
                          {"held", access.held}});
    }
    out["accesses"] = std::move(accesses);
  }
  if (f.kind == FindingKind::kMisuse) {
    out["occurrences"] = f.occurrences;
    out["thread"] = Thread(f.waiter);
    out["stack"] = Frames(f.waiter_stack);
  }
  return out;
}

}  // namespace

std::string FormatJsonReport(const Report& report) {
  json findings = json::array();
  json counts = {{"deadlock", 0}, {"potential", 0}, {"race", 0}, {"long-wait", 0}, {"misuse", 0}};
  uint64_t suppressed = 0, baseline = 0;
  for (const Finding& f : report.findings) {
    findings.push_back(FindingJson(f));
    if (f.counts()) counts[FindingKindName(f.kind)] = counts[FindingKindName(f.kind)].get<int>() + 1;
    suppressed += f.suppressed;
    baseline += f.in_baseline && !f.suppressed;
  }
  json ruled_out = json::array();
  for (const RuledOutCycle& r : report.ruled_out) {
    ruled_out.push_back({{"locks", r.locks},
                         {"level", r.class_level ? "class" : "instance"},
                         {"reason", r.reason}});
  }
  json stats = json::array();
  for (const ClassStatsRow& s : report.stats) {
    stats.push_back({{"class", s.class_name},
                     {"kind", std::string(format::SyncKindName(s.kind))},
                     {"site", s.site},
                     {"acquisitions", s.acquisitions},
                     {"contended", s.contended},
                     {"wait_total_ns", s.wait_total_ns},
                     {"wait_max_ns", s.wait_max_ns},
                     {"wait_p50_ns", s.wait_p50_ns},
                     {"wait_p99_ns", s.wait_p99_ns},
                     {"hold_samples", s.hold_samples},
                     {"hold_total_ns", s.hold_total_ns},
                     {"hold_max_ns", s.hold_max_ns}});
  }
  const Summary& s = report.summary;
  json out = {
      {"schema_version", kJsonSchemaVersion},
      {"tool", "lockgraph 0.1"},
      {"summary",
       {{"findings", counts},
        {"suppressed", suppressed},
        {"in_baseline", baseline},
        {"ruled_out", report.ruled_out.size()},
        {"traces", s.traces},
        {"records", s.records},
        {"threads", s.threads},
        {"locks", s.locks},
        {"classes", s.classes},
        {"dependencies", s.dependencies},
        {"cycles_checked", s.cycles_checked},
        {"cycles_not_searched", s.cycles_not_searched},
        {"components_cut_short", s.components_cut_short},
        {"unnamed_self_nesting", s.unnamed_self_nesting}}},
      {"findings", std::move(findings)},
      {"ruled_out", std::move(ruled_out)},
      {"stats", std::move(stats)},
      {"warnings", report.warnings},
  };
  // Names come from traces and may be any bytes: invalid UTF-8 becomes U+FFFD.
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace lockgraph::analyzer
