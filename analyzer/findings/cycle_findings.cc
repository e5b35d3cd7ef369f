#include "analyzer/findings/cycle_findings.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/findings/finding_id.h"
#include "analyzer/findings/lock_labels.h"
#include "common/source_frame.h"

namespace lockgraph::analyzer {
namespace {

// A cycle of Python locks: its advice leaves out C++'s std::scoped_lock.
bool PythonLocks(const Finding& finding) {
  for (const FindingLock& lock : finding.locks) {
    if (IsPythonSource(lock.site)) return true;
  }
  return false;
}

std::string JoinNames(const std::vector<std::string>& names) {
  if (names.size() <= 1) return absl::StrJoin(names, "");
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "), " and ",
                      names.back());
}

// Where a thread took a lock it holds: the one frame kept for it, or where the lock was first
// used when that frame is in the C++ library (an unoptimized build of std::mutex::lock under
// the preload).
FindingStack HeldStack(FindingParts& parts, uint32_t lock, StackRef site, bool* first_use) {
  FindingStack held = parts.Stack(site);
  *first_use = false;
  if (held.frames.empty() || !IsUserFrame(held.frames.front())) {
    // Where the lock was first used: its own stack (a preload object's), else its class's.
    const Model& model = parts.model();
    const ModelLock& l = model.lock(lock);
    FindingStack first =
        parts.Stack(l.site_stack_id != 0 ? l.site_stack() : model.lock_class(l.class_id).site_stack);
    if (!first.frames.empty()) {
      held = std::move(first);
      *first_use = true;
    }
  }
  return held;
}

// Two classes first used on one line: tell them apart by their keys.
void Disambiguate(std::vector<std::string>& names, const std::vector<FindingLock>& locks) {
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = i + 1; j < names.size(); ++j) {
      if (names[i] != names[j] || locks[i].class_name == locks[j].class_name) continue;
      names[i] = absl::StrCat(names[i], " (", locks[i].class_name, ")");
      names[j] = absl::StrCat(names[j], " (", locks[j].class_name, ")");
    }
  }
}

}  // namespace

Finding CycleFinding(FindingParts& parts, const LockGraph& graph, const JudgedCycle& cycle,
                     FindingKind kind) {
  const Model& model = parts.model();
  const size_t n = cycle.edges.size();
  // Start the cycle at its smallest class name, so that output does not depend on the
  // order the search found it in.
  size_t start = 0;
  for (size_t i = 1; i < n; ++i) {
    const auto& a = parts.ClassOf(graph, graph.edge(cycle.edges[i]).from).name;
    const auto& b = parts.ClassOf(graph, graph.edge(cycle.edges[start]).from).name;
    if (a < b) start = i;
  }
  Finding finding;
  finding.kind = kind;
  std::vector<std::string> names, tokens;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (start + k) % n;
    const GraphEdge& edge = graph.edge(cycle.edges[i]);
    const EdgeWitness& w = cycle.chosen(i);
    const ModelDependency& dep = model.dependencies()[w.dependency];
    finding.locks.push_back(parts.GraphLock(graph, edge.from));
    names.push_back(ShortName(parts.ClassOf(graph, edge.from)));
    tokens.push_back(ClassToken(parts.ClassOf(graph, edge.from)));
    FindingEdge out;
    out.from = k;
    out.to = (k + 1) % n;
    out.thread = parts.Thread(dep.thread);
    out.held = HeldStack(parts, dep.held[w.held_index].lock, dep.held_site(w.held_index),
                         &out.held_is_first_use);
    out.acquire = parts.Stack(dep.stack);
    out.flags = dep.flags;
    out.first_seen_ns = dep.time_ns;
    for (const EdgeWitness& any : edge.witnesses) {
      out.count += model.dependencies()[any.dependency].count;
    }
    finding.edges.push_back(std::move(out));
  }
  Disambiguate(names, finding.locks);
  finding.id = MakeFindingId(kind, tokens);
  const bool self = cycle.self();
  const bool one_class = std::all_of(names.begin(), names.end(),
                                     [&](const std::string& name) { return name == names[0]; });
  if (kind == FindingKind::kDeadlock && one_class) {
    finding.message = absl::StrCat("lock-order cycle between ", n, " locks of class ", names[0],
                                   ", taken in different orders");
  } else if (kind == FindingKind::kDeadlock) {
    finding.message = absl::StrCat("lock-order cycle between ", JoinNames(names));
  } else if (self) {
    finding.message = absl::StrCat(
        "possible lock-order cycle: two threads each nest two locks of class ", names[0],
        ", so they can take the same two locks in opposite orders");
  } else {
    finding.message = absl::StrCat("possible lock-order cycle between classes ",
                                   JoinNames(names),
                                   " (no run took both orders on the same locks)");
  }
  // Point at the least used order, the one to change; between equals, the newest.
  size_t rare = 0;
  for (size_t i = 1; i < n; ++i) {
    const FindingEdge& a = finding.edges[i];
    const FindingEdge& b = finding.edges[rare];
    if (a.count < b.count || (a.count == b.count && a.first_seen_ns > b.first_seen_ns)) rare = i;
  }
  finding.location = finding.edges[rare].acquire.site();
  if (finding.location.empty()) finding.location = finding.locks[0].site;
  std::vector<std::string> keep;
  for (size_t k = 1; k <= n; ++k) keep.push_back(names[(rare + k) % n]);
  const bool python = PythonLocks(finding);
  if (self || one_class) {
    finding.fix = absl::StrCat("order the locks of class ", names[0],
                               " the same way in every thread (e.g. by address or id)",
                               TakeTogetherAdvice(python));
  } else {
    finding.fix = absl::StrCat("keep one order (", absl::StrJoin(keep, " before "), ") and ",
                               "change the acquisition of ", names[(rare + 1) % n], " at ",
                               finding.location.empty() ? "its site" : finding.location,
                               TakeTogetherAdvice(python));
  }
  return finding;
}

Finding ObservedDeadlockFinding(FindingParts& parts, const ModelObservedDeadlock& deadlock) {
  const Model& model = parts.model();
  const size_t n = deadlock.threads.size();
  auto class_of = [&](size_t i) -> const ModelClass& {
    return model.lock_class(model.lock(deadlock.threads[i].held).class_id);
  };
  // Start at the smallest class name, as CycleFinding does.
  size_t start = 0;
  for (size_t i = 1; i < n; ++i) {
    if (class_of(i).name < class_of(start).name) start = i;
  }
  Finding finding;
  finding.kind = FindingKind::kDeadlock;
  finding.observed = true;
  std::vector<std::string> names, tokens;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (start + k) % n;
    const ModelDeadlockThread& t = deadlock.threads[i];
    finding.locks.push_back(parts.InstanceLock(model.lock(t.held)));
    names.push_back(ShortName(class_of(i)));
    tokens.push_back(ClassToken(class_of(i)));
    FindingEdge out;
    out.from = k;
    out.to = (k + 1) % n;
    out.thread = parts.Thread(t.thread);
    out.held = HeldStack(parts, t.held, t.held_site, &out.held_is_first_use);
    out.acquire = parts.Stack(t.wait_stack);
    out.flags = t.flags;
    out.first_seen_ns = deadlock.time_ns;
    out.count = 1;  // the wait happened once, and for good
    finding.edges.push_back(std::move(out));
  }
  Disambiguate(names, finding.locks);
  finding.id = MakeFindingId(FindingKind::kDeadlock, tokens);
  finding.location = finding.edges[0].acquire.site();
  if (finding.location.empty()) finding.location = finding.locks[0].site;
  if (n == 1) {
    finding.message = absl::StrCat("deadlock happened in this run: ",
                                   finding.edges[0].thread.label(), " waited for ", names[0],
                                   ", which it held itself");
    finding.fix = "release the lock before taking it again, or use a recursive lock (RLock, "
                  "std::recursive_mutex)";
  } else {
    finding.message = absl::StrCat("deadlock happened in this run: ", n,
                                   " threads waited for each other (lock-order cycle between ",
                                   JoinNames(names), ")");
    finding.fix = absl::StrCat("take these locks in one order everywhere (",
                               absl::StrJoin(names, " before "), ")",
                               TakeTogetherAdvice(PythonLocks(finding)));
  }
  return finding;
}

RuledOutCycle RuledOutFinding(FindingParts& parts, const LockGraph& graph,
                              const JudgedCycle& cycle) {
  const Model& model = parts.model();
  RuledOutCycle out;
  out.class_level = graph.level() == LockGraph::kClasses;
  for (size_t i = 0; i < (cycle.self() ? 1 : cycle.edges.size()); ++i) {
    out.locks.push_back(parts.GraphLock(graph, graph.edge(cycle.edges[i]).from).label);
  }
  switch (cycle.result.verdict) {
    case CycleVerdict::kSingleThread:
      out.reason = "single thread: no two threads take these orders";
      break;
    case CycleVerdict::kCannotBlock:
      out.reason = "shared (reader) acquisitions only: they do not block each other";
      break;
    case CycleVerdict::kGateLock: {
      const ModelLock& gate = model.lock(static_cast<uint32_t>(cycle.result.gate_lock));
      out.reason = absl::StrCat("gate lock ", ClassLabel(model.lock_class(gate.class_id)), " at ",
                                gate.file, ":", gate.line, " is held around every order");
      break;
    }
    case CycleVerdict::kOrdered:
      out.reason = model.order().has_signals()
                       ? "ordered by thread start/join or a signal the later thread waits "
                         "for (Event set/wait, Queue put/get, semaphore release/acquire, "
                         "notify/wait): the orders never run at the same time"
                       : "ordered by thread start/join: the orders never run at the same time";
      break;
    case CycleVerdict::kSearchLimit:
      out.reason = "not decided: the witness search hit its step limit";
      break;
    case CycleVerdict::kDeadlock:
      break;
  }
  return out;
}

}  // namespace lockgraph::analyzer
