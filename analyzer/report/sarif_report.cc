#include "analyzer/report/sarif_report.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/findings/finding_places.h"
#include "nlohmann/json.hpp"

#ifndef LOCKGRAPH_VERSION
#error "LOCKGRAPH_VERSION is set by analyzer/CMakeLists.txt"
#endif

namespace lockgraph::analyzer {
namespace {

// Keys stay in the order written: a SARIF log reads top-down ($schema, version, runs).
using json = nlohmann::ordered_json;

constexpr char kSchemaUri[] =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
constexpr char kSourceRootId[] = "SRCROOT";

struct Rule {
  FindingKind kind;
  const char* name;
  const char* level;
  const char* short_description;
  const char* full_description;
  const char* help;
  std::vector<const char*> tags;
};

// One rule per finding kind, in kAllFindingKinds order: a result's ruleIndex is its kind.
const std::vector<Rule>& Rules() {
  static const auto* const rules = new std::vector<Rule>{
      {FindingKind::kDeadlock, "LockOrderDeadlock", "error",
       "Lock-order cycle: these locks can deadlock.",
       "Threads take the same locks in different orders, and nothing lockgraph sees (a gate "
       "lock held around every order, thread start and join, a signal in full mode) keeps the "
       "orders apart: in another schedule each thread holds a lock the next one waits for, "
       "and the program hangs.",
       "Take the locks in one order everywhere, or take them together with std::scoped_lock. "
       "The result points at the acquisition to change (the least used order); its related "
       "locations and code flow show, for each thread, where it took the lock it holds and "
       "where it takes the next one. See docs/reports.md and docs/analysis.md.",
       {"concurrency", "deadlock"}},
      {FindingKind::kPotential, "PotentialLockOrderDeadlock", "warning",
       "Lock classes taken in both orders: another run can deadlock.",
       "Locks of the same classes were taken in opposite orders, but no run took both orders "
       "on the same lock objects (like transfer(a, b) and transfer(b, a) on different "
       "accounts). Called with the same objects, the threads can deadlock.",
       "Order the locks of these classes the same way in every thread (for two locks of one "
       "class: by address or id), or take them together with std::scoped_lock. See "
       "docs/analysis.md.",
       {"concurrency", "deadlock"}},
      {FindingKind::kRace, "DataRace", "error",
       "Data race: two threads access a variable, one writes, nothing orders them.",
       "Two threads access the same lockgraph::Shared<T> variable or annotated memory, at "
       "least one of them writing, and no lock held by both, thread start or join, or signal "
       "orders the accesses (traces recorded with mode=full).",
       "Hold one lock at every access of the variable, or order the accesses with a join, "
       "an Event, a Queue, a Semaphore or a Condition. See docs/full-mode.md.",
       {"concurrency", "data-race"}},
      {FindingKind::kLongWait, "LongWait", "warning",
       "A thread waited long for a lock another thread held.",
       "A thread was blocked on a lock for at least the --long-wait threshold (100 ms unless "
       "set) while another thread held it: contention that stalls the program.",
       "Shorten the critical section of the holder (where it took the lock is a related "
       "location), or move slow work out of it. lockgraph stats shows the waits per lock "
       "class.",
       {"concurrency", "performance"}},
      {FindingKind::kMisuse, "LockMisuse", "error",
       "A lock was used against its contract.",
       "Releasing a lock that is not held or that another thread holds, taking a Lock this "
       "thread already holds (it waits forever), destroying a held lock, or releasing a "
       "BoundedSemaphore more often than it was acquired.",
       "Fix the call at the result's location; the message names the kind of misuse.",
       {"concurrency", "correctness"}},
  };
  return *rules;
}

// Percent-encodes what may not stand in a URI path (RFC 3986 pchar and '/'). ':' is encoded
// too, so that a relative path never reads as a scheme.
std::string EncodePath(absl::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (absl::ascii_isalnum(c) || absl::StrContains("-._~/!$&'()*+,;=@", static_cast<char>(c))) {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

class SarifWriter {
 public:
  explicit SarifWriter(const SarifOptions& options) : options_(options) {}

  json Log(const Report& report) {
    json results = json::array();
    for (const Finding& f : report.findings) results.push_back(Result(f));
    json run = {{"tool", {{"driver", Driver()}}}};
    if (!options_.source_root.empty()) {
      run["originalUriBaseIds"] = {
          {kSourceRootId, {{"uri", "file://" + EncodePath(options_.source_root)}}}};
    }
    json notifications = json::array();
    for (const std::string& warning : report.warnings) {
      notifications.push_back({{"message", {{"text", warning}}}, {"level", "warning"}});
    }
    json invocation = {{"executionSuccessful", true}};
    if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
    run["invocations"] = json::array({invocation});
    run["results"] = std::move(results);
    run["properties"] = RunProperties(report);
    return {{"$schema", kSchemaUri}, {"version", "2.1.0"}, {"runs", json::array({run})}};
  }

 private:
  static json Driver() {
    json rules = json::array();
    for (const Rule& rule : Rules()) {
      rules.push_back({
          {"id", FindingKindName(rule.kind)},
          {"name", rule.name},
          {"shortDescription", {{"text", rule.short_description}}},
          {"fullDescription", {{"text", rule.full_description}}},
          {"help", {{"text", rule.help}}},
          {"defaultConfiguration", {{"level", rule.level}}},
          {"properties", {{"tags", rule.tags}}},
      });
    }
    json driver = {{"name", "lockgraph"},
                   {"version", LOCKGRAPH_VERSION},
                   {"semanticVersion", LOCKGRAPH_VERSION}};
#ifdef LOCKGRAPH_HOMEPAGE_URL
    if (*LOCKGRAPH_HOMEPAGE_URL != '\0') driver["informationUri"] = LOCKGRAPH_HOMEPAGE_URL;
#endif
    driver["rules"] = std::move(rules);
    return driver;
  }

  static json RunProperties(const Report& report) {
    json counts = json::object();
    for (FindingKind kind : kAllFindingKinds) counts[FindingKindName(kind)] = 0;
    uint64_t suppressed = 0, baseline = 0;
    for (const Finding& f : report.findings) {
      if (f.counts()) {
        json& count = counts[FindingKindName(f.kind)];
        count = count.get<int>() + 1;
      }
      suppressed += f.suppressed;
      baseline += f.in_baseline && !f.suppressed;
    }
    const Summary& s = report.summary;
    return {{"lockgraph",
             {{"findings", counts},
              {"suppressed", suppressed},
              {"inBaseline", baseline},
              {"ruledOut", report.ruled_out.size()},
              {"traces", s.traces},
              {"threads", s.threads},
              {"locks", s.locks},
              {"dependencies", s.dependencies}}}};
  }

  json ArtifactLocation(const std::string& file) const {
    const std::string& root = options_.source_root;
    if (!root.empty() && absl::StartsWith(file, root) && file.size() > root.size()) {
      return {{"uri", EncodePath(absl::string_view(file).substr(root.size()))},
              {"uriBaseId", kSourceRootId}};
    }
    if (absl::StartsWith(file, "/")) return {{"uri", "file://" + EncodePath(file)}};
    return {{"uri", EncodePath(file)}};
  }

  // A location at `file:line` with a message; without a known line, the message alone.
  json Location(const std::string& file, uint32_t line, const std::string& message) const {
    json location = json::object();
    if (!file.empty() && line > 0) {
      location["physicalLocation"] = {{"artifactLocation", ArtifactLocation(file)},
                                      {"region", {{"startLine", line}}}};
    }
    if (!message.empty()) location["message"] = {{"text", message}};
    return location;
  }

  json SiteLocation(const std::string& site, const std::string& message) const {
    const auto parsed = ParseSite(site);
    return parsed ? Location(parsed->first, parsed->second, message) : Location("", 0, message);
  }

  json StackLocation(const FindingStack& stack, const std::string& message) const {
    if (stack.frames.empty()) return Location("", 0, message);
    const SourceFrame& top = stack.frames.front();
    return Location(top.file, top.line, message);
  }

  json Stack(const FindingStack& stack, const std::string& message) const {
    json frames = json::array();
    for (const SourceFrame& frame : stack.frames) {
      json location = Location(frame.file, frame.line, "");
      location["logicalLocations"] = json::array(
          {{{"fullyQualifiedName", frame.function}, {"kind", "function"}}});
      json out = {{"location", std::move(location)}};
      if (!frame.module.empty()) out["module"] = frame.module;
      frames.push_back(std::move(out));
    }
    return {{"message", {{"text", message}}}, {"frames", std::move(frames)}};
  }

  // Adds a related location (only those with a known line: the others say nothing more than
  // the message does).
  void Related(json& related, json location) const {
    if (!location.contains("physicalLocation")) return;
    location["id"] = related.size() + 1;
    related.push_back(std::move(location));
  }

  static std::string LockSiteMessage(const FindingLock& lock) {
    if (lock.LabelHasSite()) return lock.label;
    return absl::StrCat(lock.label, ", ", lock.site_verb, " here");
  }

  static json ThreadFlowLocation(json location, const char* kind, int order) {
    return {{"location", std::move(location)},
            {"kinds", json::array({kind})},
            {"executionOrder", order}};
  }

  // Cycles: for each edge, where its thread took the lock it holds and where it takes the
  // next; the code flow is the deadlock's schedule: every thread takes its first lock, then
  // each waits for its second.
  void Cycle(const Finding& f, json& result, json& related) const {
    json thread_flows = json::array();
    const int n = static_cast<int>(f.edges.size());
    for (int i = 0; i < n; ++i) {
      const FindingEdge& edge = f.edges[i];
      const std::string thread = edge.thread.label();
      const std::string& from = f.locks[edge.from].label;
      const std::string& to = f.locks[edge.to].label;
      const std::string held_message =
          edge.held_is_first_use
              ? absl::StrCat(thread, " holds ", from,
                             " (taken inside the C++ library; first used here)")
              : absl::StrCat(thread, " holds ", from, ", taken here");
      const std::string take_message =
          f.observed ? absl::StrCat(thread, ", holding ", from, ", waited for ", to,
                                    " here when the deadlock happened")
                     : absl::StrCat(thread, ", holding ", from, ", takes ", to,
                                    " here (this order: ", edge.count,
                                    edge.count == 1 ? " time)" : " times)");
      Related(related, StackLocation(edge.held, held_message));
      Related(related, StackLocation(edge.acquire, take_message));
      json take = ThreadFlowLocation(
          StackLocation(edge.acquire, absl::StrCat(thread, " takes ", to,
                                                   " and waits: the next thread holds it")),
          "acquire", n + i + 1);
      take["stack"] = Stack(edge.acquire, absl::StrCat(thread, " takes ", to));
      thread_flows.push_back(
          {{"message", {{"text", thread}}},
           {"locations",
            json::array({ThreadFlowLocation(
                             StackLocation(edge.held, absl::StrCat(thread, " takes ", from)),
                             "acquire", i + 1),
                         std::move(take)})}});
    }
    for (const FindingLock& lock : f.locks) {
      Related(related, SiteLocation(lock.site, LockSiteMessage(lock)));
    }
    result["codeFlows"] = json::array(
        {{{"message", {{"text", f.observed ? "each thread held one lock of the cycle and "
                                             "waited for the next: this happened in the run"
                                           : "each thread holds one lock of the cycle and "
                                             "waits for the next: none can go on"}}},
          {"threadFlows", std::move(thread_flows)}}});
    if (f.kind == FindingKind::kDeadlock) result["properties"]["observed"] = f.observed;
    if (f.confirmation.tried) {
      result["properties"]["confirmed"] = f.confirmation.confirmed;
      result["properties"]["confirmationTries"] = f.confirmation.tries;
    }
  }

  void Race(const Finding& f, json& result, json& related) const {
    if (!f.locks.empty()) {
      Related(related, SiteLocation(f.locks[0].site,
                                    absl::StrCat(f.locks[0].label, ", declared here")));
    }
    json thread_flows = json::array();
    int order = 0;
    for (const FindingAccess& access : f.accesses) {
      const std::string message = absl::StrCat(
          access.thread.label(), access.write ? " writes" : " reads", " here, holding ",
          access.held.empty() ? "no lock" : absl::StrJoin(access.held, ", "));
      Related(related, StackLocation(access.stack, message));
      json location = ThreadFlowLocation(StackLocation(access.stack, message), "memory", ++order);
      location["stack"] = Stack(access.stack, access.thread.label());
      thread_flows.push_back({{"message", {{"text", access.thread.label()}}},
                              {"locations", json::array({std::move(location)})}});
    }
    if (!thread_flows.empty()) {
      result["codeFlows"] = json::array(
          {{{"message", {{"text", "the two accesses, in the order they ran; nothing orders them"}}},
            {"threadFlows", std::move(thread_flows)}}});
    }
    if (f.occurrences >= 1) result["occurrenceCount"] = f.occurrences;
  }

  void LongWait(const Finding& f, json& result, json& related) const {
    const std::string lock = f.locks.empty() ? "the lock" : f.locks[0].label;
    const std::string waited = absl::StrFormat("%.1f ms", static_cast<double>(f.wait_max_ns) / 1e6);
    const std::string wait_message =
        absl::StrCat(f.waiter.label(), " waited ", waited, " here for ", lock);
    Related(related, StackLocation(f.waiter_stack, wait_message));
    json thread_flows = json::array();
    if (f.holder.id != 0) {
      const std::string hold_message =
          absl::StrCat(f.holder.label(), " took ", lock, " here and held it");
      Related(related, StackLocation(f.holder_stack, hold_message));
      json hold = ThreadFlowLocation(StackLocation(f.holder_stack, hold_message), "acquire", 1);
      hold["stack"] = Stack(f.holder_stack, f.holder.label());
      thread_flows.push_back({{"message", {{"text", f.holder.label()}}},
                              {"locations", json::array({std::move(hold)})}});
    }
    json wait = ThreadFlowLocation(StackLocation(f.waiter_stack, wait_message), "acquire", 2);
    wait["stack"] = Stack(f.waiter_stack, f.waiter.label());
    thread_flows.push_back({{"message", {{"text", f.waiter.label()}}},
                            {"locations", json::array({std::move(wait)})}});
    if (!f.locks.empty()) {
      Related(related, SiteLocation(f.locks[0].site, LockSiteMessage(f.locks[0])));
    }
    result["codeFlows"] = json::array(
        {{{"message", {{"text", "the holder keeps the lock while the waiter is blocked"}}},
          {"threadFlows", std::move(thread_flows)}}});
    if (f.occurrences >= 1) result["occurrenceCount"] = f.occurrences;
    result["properties"] = {{"waitMaxNs", f.wait_max_ns}, {"waitTotalNs", f.wait_total_ns}};
  }

  void Misuse(const Finding& f, json& result, json& related) const {
    if (!f.locks.empty()) {
      Related(related, SiteLocation(f.locks[0].site, LockSiteMessage(f.locks[0])));
    }
    result["stacks"] = json::array({Stack(f.waiter_stack, f.waiter.label())});
    if (f.occurrences >= 1) result["occurrenceCount"] = f.occurrences;
  }

  json Result(const Finding& f) const {
    const int index = static_cast<int>(f.kind);
    const Rule& rule = Rules()[index];
    std::string message = f.message;
    if (!f.fix.empty()) absl::StrAppend(&message, ". Fix: ", f.fix, ".");
    if (f.confirmation.tried && f.confirmation.confirmed && !f.observed) {
      absl::StrAppend(&message, " Confirmed: the program deadlocked when lockgraph confirm "
                                "steered it toward this cycle.");
    } else if (f.confirmation.tried && !f.confirmation.confirmed) {
      absl::StrAppend(&message, " Not reproduced in ", f.confirmation.tries,
                      f.confirmation.tries == 1 ? " try" : " tries", " of lockgraph confirm.");
    }
    json result = {{"ruleId", FindingKindName(f.kind)},
                   {"ruleIndex", index},
                   {"level", rule.level},
                   {"message", {{"text", message}}}};
    // Code scanning wants a location for every result: without any line, the function (or
    // the module and offset) that the finding's place names.
    json primary = SiteLocation(f.location, "");
    if (!primary.contains("physicalLocation")) {
      primary["logicalLocations"] = json::array(
          {{{"fullyQualifiedName", f.location.empty() ? std::string("unknown") : f.location}}});
    }
    result["locations"] = json::array({primary});
    result["partialFingerprints"] = {{"lockgraph/v1", f.id}};
    json related = json::array();
    switch (f.kind) {
      case FindingKind::kDeadlock:
      case FindingKind::kPotential:
        Cycle(f, result, related);
        break;
      case FindingKind::kRace:
        Race(f, result, related);
        break;
      case FindingKind::kLongWait:
        LongWait(f, result, related);
        break;
      case FindingKind::kMisuse:
        Misuse(f, result, related);
        break;
    }
    if (!related.empty()) result["relatedLocations"] = std::move(related);
    if (f.suppressed) {
      json suppression = {{"kind", "external"}, {"status", "accepted"}};
      suppression["justification"] =
          options_.suppressions_file.empty()
              ? std::string("matched a --suppressions rule")
              : absl::StrCat("matched a rule of ", options_.suppressions_file);
      result["suppressions"] = json::array({std::move(suppression)});
    }
    if (options_.baseline) result["baselineState"] = f.in_baseline ? "unchanged" : "new";
    return result;
  }

  const SarifOptions& options_;
};

}  // namespace

std::string FormatSarifReport(const Report& report, const SarifOptions& options) {
  // Names come from traces and may be any bytes: invalid UTF-8 becomes U+FFFD.
  return SarifWriter(options).Log(report).dump(2, ' ', false,
                                               nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace lockgraph::analyzer
