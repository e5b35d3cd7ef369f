#include "analyzer/analysis.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/wait_histogram.h"
#include "common/witness.h"

namespace lockgraph::analyzer {

const char* FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kDeadlock: return "deadlock";
    case FindingKind::kPotential: return "potential";
    case FindingKind::kRace: return "race";
    case FindingKind::kLongWait: return "long-wait";
    case FindingKind::kMisuse: return "misuse";
  }
  return "unknown";
}

std::string FindingStack::site() const {
  return frames.empty() ? std::string() : FrameSite(frames.front());
}

std::string FindingThread::label() const {
  return absl::StrCat("thread ", id, " \"", name, "\" (pid ", pid, ")");
}

namespace {

// 64-bit FNV-1a: a fixed function, so ids are the same in every build and run.
uint64_t Fnv1a(absl::string_view text, uint64_t hash = 0xcbf29ce484222325ull) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::string Basename(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == absl::string_view::npos ? path : path.substr(slash + 1));
}

// Objects seen by the LD_PRELOAD interposer: their class is the site where they were first
// seen (module+offset as the key, resolved to a source line by Model::ResolveSites).
bool IsPreloadClass(const ModelClass& c) {
  return c.kind == format::SyncKind::kPthreadMutex || c.kind == format::SyncKind::kPthreadRwlock ||
         c.kind == format::SyncKind::kPosixSemaphore;
}

// A class named by where it was made rather than by the program.
bool IsSiteClass(const ModelClass& c) {
  return IsPreloadClass(c) || absl::StartsWith(c.name, absl::StrCat(c.file, ":", c.line));
}

// What identifies a class in a finding id: its name, or for a class named by its
// construction site, the file's base name and the function (not the line, which moves).
std::string ClassToken(const ModelClass& c) {
  return IsSiteClass(c) ? absl::StrCat(Basename(c.file), "@", c.function) : c.name;
}

std::string ClassLabel(const ModelClass& c) {
  const std::string kind(format::SyncKindName(c.kind));
  if (IsPreloadClass(c)) {
    if (c.file.empty()) return absl::StrCat(kind, " ", c.name);
    return absl::StrCat(kind, " first used at ", c.file, ":", c.line);
  }
  if (IsSiteClass(c)) return absl::StrCat(kind, " created at ", c.file, ":", c.line);
  return absl::StrCat(kind, " \"", c.name, "\"");
}

// The short name used in messages: "accounts", or "bank.cc:12".
std::string ShortName(const ModelClass& c) {
  if (IsSiteClass(c) && !c.file.empty()) return absl::StrCat(Basename(c.file), ":", c.line);
  if (IsSiteClass(c)) return c.name;
  return absl::StrCat("\"", c.name, "\"");
}

std::string MakeId(FindingKind kind, std::vector<std::string> tokens) {
  std::sort(tokens.begin(), tokens.end());
  uint64_t hash = Fnv1a(FindingKindName(kind));
  for (const std::string& token : tokens) hash = Fnv1a(token, Fnv1a("|", hash));
  return absl::StrFormat("LG-%016x", hash);
}

std::string JoinNames(const std::vector<std::string>& names) {
  if (names.size() <= 1) return absl::StrJoin(names, "");
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "), " and ",
                      names.back());
}

class Analyzer {
 public:
  Analyzer(const Model& model, StackSymbolizer& symbolizer, const AnalysisOptions& options)
      : model_(model), symbolizer_(symbolizer), options_(options) {}

  Report Run() {
    const LockGraph instances = LockGraph::Build(model_, LockGraph::kInstances);
    const LockGraph classes = LockGraph::Build(model_, LockGraph::kClasses);
    std::vector<PendingCycle> cycles = Search(instances);
    std::vector<PendingCycle> class_cycles = Search(classes);
    Prefetch(cycles, class_cycles);

    absl::flat_hash_set<std::vector<uint32_t>> instance_class_sets;  // class sets seen
    for (const PendingCycle& cycle : cycles) {
      instance_class_sets.insert(ClassSet(instances, cycle));
      if (cycle.result.verdict == CycleVerdict::kDeadlock) {
        report_.findings.push_back(CycleFinding(instances, cycle, FindingKind::kDeadlock));
      } else {
        report_.ruled_out.push_back(RuledOut(instances, cycle));
      }
    }
    for (const PendingCycle& cycle : class_cycles) {
      // A class cycle that is the image of an instance cycle was judged there already.
      if (instance_class_sets.contains(ClassSet(classes, cycle))) continue;
      // Every unnamed member lock of an object built by one constructor gets that
      // constructor's site, so two locks of a site class nested may be two different members
      // (accounts, then audit_log): only a named class says they are one kind of lock.
      const uint32_t from = classes.edge(cycle.edges[0]).from;
      if (cycle.edges.size() == 2 && cycle.edges[0] == cycle.edges[1] &&
          IsSiteClass(model_.lock_class(from))) {
        ++report_.summary.unnamed_self_nesting;
        continue;
      }
      if (cycle.result.verdict == CycleVerdict::kDeadlock) {
        report_.findings.push_back(CycleFinding(classes, cycle, FindingKind::kPotential));
      } else {
        report_.ruled_out.push_back(RuledOut(classes, cycle));
      }
    }
    LongWaits();
    Misuses();
    Races();
    std::stable_sort(report_.findings.begin(), report_.findings.end(),
                     [](const Finding& a, const Finding& b) {
                       if (a.kind != b.kind) return a.kind < b.kind;
                       return a.location < b.location;
                     });
    report_.stats = ComputeClassStats(model_);
    if (options_.order_graph) report_.order_graph = BuildOrderGraph(classes);
    report_.warnings = model_.warnings();
    Summary& s = report_.summary;
    s.traces = model_.traces().size();
    s.records = model_.record_count();
    s.threads = model_.thread_count();
    s.locks = model_.lock_count();
    s.classes = model_.class_count();
    s.dependencies = model_.dependencies().size();
    return std::move(report_);
  }

 private:
  struct PendingCycle {
    std::vector<uint32_t> edges;  // graph edge ids; a self-edge appears twice
    std::vector<std::vector<EdgeWitness>> sources;
    WitnessResult result;
  };

  const std::vector<uint64_t>& HeldKeys(uint32_t dependency) {
    auto [it, inserted] = held_keys_.try_emplace(dependency);
    if (inserted) {
      for (const HeldRef& h : model_.dependencies()[dependency].held) it->second.push_back(h.lock);
    }
    return it->second;
  }

  std::vector<std::vector<WitnessCandidate>> Candidates(
      const std::vector<std::vector<EdgeWitness>>& sources) {
    std::vector<std::vector<WitnessCandidate>> candidates;
    for (const std::vector<EdgeWitness>& witnesses : sources) {
      std::vector<WitnessCandidate>& list = candidates.emplace_back();
      for (const EdgeWitness& w : witnesses) {
        const ModelDependency& dep = model_.dependencies()[w.dependency];
        list.push_back(WitnessCandidate{
            .where = {dep.thread, dep.segment},
            .held = HeldKeys(w.dependency),
            .acquire_shared = (dep.flags & format::kAcquireShared) != 0,
            .from_held_shared = (dep.held[w.held_index].flags & format::kAcquireShared) != 0,
        });
      }
    }
    return candidates;
  }

  // Every dependency that makes graph edge `e`, not only the witnesses the graph kept; one per
  // (thread, segment, held set, flags): the others are the same to the witness rules.
  // Cached by edge: each call scans every dependency.
  const std::vector<EdgeWitness>& AllWitnesses(const LockGraph& graph, uint32_t e) {
    auto [cached, inserted] = all_witnesses_.try_emplace(std::make_pair(graph.level(), e));
    if (!inserted) return cached->second;
    const GraphEdge& edge = graph.edge(e);
    auto node = [&](uint32_t lock) {
      return graph.level() == LockGraph::kInstances ? lock : model_.lock(lock).class_id;
    };
    std::vector<EdgeWitness>& all = cached->second;
    std::set<std::tuple<uint32_t, uint32_t, std::vector<uint64_t>, uint8_t, uint8_t>> seen;
    const std::vector<ModelDependency>& deps = model_.dependencies();
    for (uint32_t d = 0; d < deps.size(); ++d) {
      const ModelDependency& dep = deps[d];
      if ((dep.flags & format::kAcquireTry) != 0 || model_.lock(dep.acquired).signal ||
          node(dep.acquired) != edge.to) {
        continue;
      }
      for (uint32_t h = 0; h < dep.held.size(); ++h) {
        const uint32_t held = dep.held[h].lock;
        if (held == dep.acquired || model_.lock(held).signal || node(held) != edge.from) continue;
        if (seen.emplace(dep.thread, dep.segment, HeldKeys(d), dep.flags, dep.held[h].flags)
                .second) {
          all.push_back({d, h});
        }
      }
    }
    return all;
  }

  std::vector<PendingCycle> Search(const LockGraph& graph) {
    CycleSearch search(graph, options_.cycles);
    report_.summary.cycles_not_searched += search.cycles_not_kept();
    report_.summary.components_cut_short += search.components_cut_short();
    std::vector<PendingCycle> pending;
    for (std::vector<uint32_t> edges : search.cycles()) {
      // One thread cannot wait for itself: a self-edge (two locks of one class) needs a
      // second thread taking the same class order, so it is checked as a two-edge cycle.
      if (edges.size() == 1) edges.push_back(edges[0]);
      PendingCycle cycle;
      cycle.edges = edges;
      bool dropped = false;
      for (uint32_t e : edges) {
        cycle.sources.push_back(graph.edge(e).witnesses);
        dropped |= graph.edge(e).more_witnesses != 0;
      }
      cycle.result = FindWitness(Candidates(cycle.sources), model_.order());
      // The graph keeps a few witnesses per edge: the one that makes the cycle real may be
      // among those it only counted (after 100,000 threads that took A -> B one after the
      // other, a thread taking it beside one taking B -> A). Judge again with all of them.
      if (cycle.result.verdict != CycleVerdict::kDeadlock && dropped) {
        std::vector<std::vector<EdgeWitness>> all;
        for (uint32_t e : edges) all.push_back(AllWitnesses(graph, e));
        WitnessResult again = FindWitness(Candidates(all), model_.order());
        if (again.verdict == CycleVerdict::kDeadlock ||
            again.verdict == CycleVerdict::kSearchLimit) {
          cycle.sources = std::move(all);
          cycle.result = std::move(again);
        }
      }
      ++report_.summary.cycles_checked;
      pending.push_back(std::move(cycle));
    }
    return pending;
  }

  void Prefetch(const std::vector<PendingCycle>& a, const std::vector<PendingCycle>& b) {
    std::vector<StackRef> stacks;
    for (const auto* list : {&a, &b}) {
      for (const PendingCycle& cycle : *list) {
        if (cycle.result.verdict != CycleVerdict::kDeadlock) continue;
        for (size_t i = 0; i < cycle.edges.size(); ++i) {
          const EdgeWitness& w = cycle.sources[i][cycle.result.chosen[i]];
          const ModelDependency& dep = model_.dependencies()[w.dependency];
          stacks.push_back(dep.stack);
          stacks.push_back(dep.held[w.held_index].site);
        }
      }
    }
    for (const ModelWait& wait : model_.waits()) {
      if (wait.wait_ns < options_.long_wait_ns) continue;
      stacks.push_back(wait.waiter_stack);
      stacks.push_back(wait.holder_stack);
    }
    for (const ModelMisuse& misuse : model_.misuses()) stacks.push_back(misuse.stack);
    symbolizer_.Prefetch(stacks);
  }

  FindingStack Stack(StackRef ref) {
    FindingStack stack;
    const std::vector<SourceFrame> frames = symbolizer_.Frames(ref);
    const auto [first, end] = UserFrameRange(frames);
    stack.frames.assign(frames.begin() + first, frames.begin() + end);
    return stack;
  }

  // One lock instance as a finding names it: its class, and its own construction site.
  FindingLock InstanceLock(const ModelLock& lock) const {
    const ModelClass& cls = model_.lock_class(lock.class_id);
    return FindingLock{cls.name, ClassLabel(cls), absl::StrCat(lock.file, ":", lock.line),
                       lock.kind};
  }

  FindingThread Thread(uint32_t id) {
    FindingThread thread;
    if (id == 0) return thread;
    const ModelThread& t = model_.thread(id);
    thread.id = t.tid;
    thread.name = t.name;
    thread.pid = model_.traces()[t.trace].process.pid;
    return thread;
  }

  // The distinct classes of a cycle's nodes, sorted: an instance cycle over five forks of
  // one class and the class self-edge of that class are the same hazard.
  std::vector<uint32_t> ClassSet(const LockGraph& graph, const PendingCycle& cycle) {
    std::vector<uint32_t> classes;
    for (uint32_t e : cycle.edges) {
      const uint32_t node = graph.edge(e).from;
      classes.push_back(graph.level() == LockGraph::kInstances ? model_.lock(node).class_id
                                                               : node);
    }
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    return classes;
  }

  FindingLock Lock(const LockGraph& graph, uint32_t node) {
    FindingLock lock;
    if (graph.level() == LockGraph::kInstances) {
      const ModelLock& l = model_.lock(node);
      const ModelClass& c = model_.lock_class(l.class_id);
      lock.class_name = c.name;
      lock.label = ClassLabel(c);
      lock.site = absl::StrCat(l.file, ":", l.line);
      lock.kind = l.kind;
    } else {
      const ModelClass& c = model_.lock_class(node);
      lock.class_name = c.name;
      lock.label = ClassLabel(c);
      lock.site = absl::StrCat(c.file, ":", c.line);
      lock.kind = c.kind;
    }
    return lock;
  }

  const ModelClass& ClassOf(const LockGraph& graph, uint32_t node) {
    return model_.lock_class(graph.level() == LockGraph::kInstances ? model_.lock(node).class_id
                                                                     : node);
  }

  Finding CycleFinding(const LockGraph& graph, const PendingCycle& cycle, FindingKind kind) {
    const size_t n = cycle.edges.size();
    // Start the cycle at its smallest class name, so that output does not depend on the
    // order the search found it in.
    size_t start = 0;
    for (size_t i = 1; i < n; ++i) {
      const auto& a = ClassOf(graph, graph.edge(cycle.edges[i]).from).name;
      const auto& b = ClassOf(graph, graph.edge(cycle.edges[start]).from).name;
      if (a < b) start = i;
    }
    Finding finding;
    finding.kind = kind;
    std::vector<std::string> names, tokens;
    for (size_t k = 0; k < n; ++k) {
      const size_t i = (start + k) % n;
      const GraphEdge& edge = graph.edge(cycle.edges[i]);
      const EdgeWitness& w = cycle.sources[i][cycle.result.chosen[i]];
      const ModelDependency& dep = model_.dependencies()[w.dependency];
      finding.locks.push_back(Lock(graph, edge.from));
      names.push_back(ShortName(ClassOf(graph, edge.from)));
      tokens.push_back(ClassToken(ClassOf(graph, edge.from)));
      FindingEdge out;
      out.from = k;
      out.to = (k + 1) % n;
      out.thread = Thread(dep.thread);
      out.held = Stack(dep.held[w.held_index].site);
      if (out.held.frames.empty() || !IsUserFrame(out.held.frames.front())) {
        // The one frame kept for a held lock is in the C++ library (an unoptimized build of
        // std::mutex::lock under the preload): name where the lock was first used instead.
        const ModelLock& held = model_.lock(dep.held[w.held_index].lock);
        FindingStack first_use = Stack(model_.lock_class(held.class_id).site_stack);
        if (!first_use.frames.empty()) {
          out.held = std::move(first_use);
          out.held_is_first_use = true;
        }
      }
      out.acquire = Stack(dep.stack);
      out.flags = dep.flags;
      out.first_seen_ns = dep.time_ns;
      for (const EdgeWitness& any : graph.edge(cycle.edges[i]).witnesses) {
        out.count += model_.dependencies()[any.dependency].count;
      }
      finding.edges.push_back(std::move(out));
    }
    // Two classes first used on one line: tell them apart by their keys.
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        if (names[i] != names[j] || finding.locks[i].class_name == finding.locks[j].class_name) {
          continue;
        }
        names[i] = absl::StrCat(names[i], " (", finding.locks[i].class_name, ")");
        names[j] = absl::StrCat(names[j], " (", finding.locks[j].class_name, ")");
      }
    }
    finding.id = MakeId(kind, tokens);
    const bool self = n == 2 && cycle.edges[0] == cycle.edges[1];
    const bool one_class = std::all_of(names.begin(), names.end(),
                                       [&](const std::string& name) { return name == names[0]; });
    if (kind == FindingKind::kDeadlock && one_class) {
      finding.message = absl::StrCat("lock-order cycle between ", n, " locks of class ",
                                     names[0], ", taken in different orders");
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
    if (self || one_class) {
      finding.fix = absl::StrCat("order the locks of class ", names[0],
                                 " the same way in every thread (e.g. by address or id), or "
                                 "take them together with std::scoped_lock");
    } else {
      finding.fix = absl::StrCat("keep one order (", absl::StrJoin(keep, " before "), ") and ",
                                 "change the acquisition of ", names[(rare + 1) % n], " at ",
                                 finding.location.empty() ? "its site" : finding.location,
                                 ", or take them together with std::scoped_lock");
    }
    return finding;
  }

  // The class graph as the report shows it: classes with an order, by key; for each order,
  // its count, its threads and where the first of them took it.
  OrderGraph BuildOrderGraph(const LockGraph& classes) {
    OrderGraph out;
    std::vector<uint32_t> ids;
    std::vector<bool> used(classes.node_count() + 1, false);
    std::vector<StackRef> stacks;
    for (size_t e = 0; e < classes.edge_count(); ++e) {
      const GraphEdge& edge = classes.edge(e);
      used[edge.from] = used[edge.to] = true;
      if (!edge.witnesses.empty()) {
        stacks.push_back(model_.dependencies()[edge.witnesses[0].dependency].stack);
      }
    }
    for (uint32_t id = 1; id <= classes.node_count(); ++id) {
      if (used[id]) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
      return model_.lock_class(a).name < model_.lock_class(b).name;
    });
    std::vector<size_t> index(classes.node_count() + 1, 0);
    for (uint32_t id : ids) {
      const ModelClass& c = model_.lock_class(id);
      index[id] = out.nodes.size();
      out.nodes.push_back({c.name, ClassLabel(c),
                           c.file.empty() ? "" : absl::StrCat(c.file, ":", c.line), c.kind});
    }
    symbolizer_.Prefetch(stacks);
    for (size_t e = 0; e < classes.edge_count(); ++e) {
      const GraphEdge& edge = classes.edge(e);
      OrderGraphEdge order;
      order.from = index[edge.from];
      order.to = index[edge.to];
      order.count = edge.count;
      std::set<uint32_t> threads;
      for (const EdgeWitness& w : edge.witnesses) {
        threads.insert(model_.dependencies()[w.dependency].thread);
      }
      order.threads = threads.size();
      if (!edge.witnesses.empty()) {
        const ModelDependency& first = model_.dependencies()[edge.witnesses[0].dependency];
        order.thread = Thread(first.thread);
        order.site = Stack(first.stack).site();
      }
      out.edges.push_back(std::move(order));
    }
    std::sort(out.edges.begin(), out.edges.end(),
              [](const OrderGraphEdge& a, const OrderGraphEdge& b) {
                return std::tie(a.from, a.to) < std::tie(b.from, b.to);
              });
    return out;
  }

  RuledOutCycle RuledOut(const LockGraph& graph, const PendingCycle& cycle) {
    RuledOutCycle out;
    out.class_level = graph.level() == LockGraph::kClasses;
    const bool self = cycle.edges.size() == 2 && cycle.edges[0] == cycle.edges[1];
    for (size_t i = 0; i < (self ? 1 : cycle.edges.size()); ++i) {
      out.locks.push_back(Lock(graph, graph.edge(cycle.edges[i]).from).label);
    }
    switch (cycle.result.verdict) {
      case CycleVerdict::kSingleThread:
        out.reason = "single thread: no two threads take these orders";
        break;
      case CycleVerdict::kCannotBlock:
        out.reason = "shared (reader) acquisitions only: they do not block each other";
        break;
      case CycleVerdict::kGateLock: {
        const ModelLock& gate = model_.lock(static_cast<uint32_t>(cycle.result.gate_lock));
        out.reason = absl::StrCat("gate lock ", ClassLabel(model_.lock_class(gate.class_id)),
                                  " at ", gate.file, ":", gate.line,
                                  " is held around every order");
        break;
      }
      case CycleVerdict::kOrdered:
        out.reason = model_.order().has_signals()
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

  void LongWaits() {
    // One finding per lock class and waiting site.
    std::map<std::pair<uint32_t, std::string>, Finding> groups;
    for (const ModelWait& wait : model_.waits()) {
      if (wait.wait_ns < options_.long_wait_ns) continue;
      const ModelLock& lock = model_.lock(wait.lock);
      const ModelClass& cls = model_.lock_class(lock.class_id);
      FindingStack waiter = Stack(wait.waiter_stack);
      const std::string site = waiter.site();
      Finding& f = groups[{lock.class_id, site}];
      ++f.occurrences;
      f.wait_total_ns += wait.wait_ns;
      if (f.occurrences > 1 && wait.wait_ns <= f.wait_max_ns) continue;
      f.kind = FindingKind::kLongWait;
      f.wait_max_ns = wait.wait_ns;
      f.locks = {InstanceLock(lock)};
      f.waiter = Thread(wait.thread);
      f.holder = Thread(wait.holder);
      f.waiter_stack = std::move(waiter);
      f.holder_stack = Stack(wait.holder_stack);
      f.location = site.empty() ? f.locks[0].site : site;
      const std::string function =
          f.waiter_stack.frames.empty() ? "" : f.waiter_stack.frames.front().function;
      f.id = MakeId(FindingKind::kLongWait, {ClassToken(cls), function});
    }
    for (auto& [key, f] : groups) {
      f.message = absl::StrFormat(
          "long wait: %s waited %s for %s%s%s", f.waiter.label(), FormatMs(f.wait_max_ns),
          f.locks[0].label, f.holder.id != 0 ? absl::StrCat(", held by ", f.holder.label()) : "",
          f.occurrences > 1 ? absl::StrCat(" (longest of ", f.occurrences, " such waits)") : "");
      report_.findings.push_back(std::move(f));
    }
  }

  static std::string FormatMs(uint64_t ns) { return absl::StrFormat("%.1f ms", ns / 1e6); }

  void Misuses() {
    std::map<std::tuple<format::MisuseKind, uint32_t, std::string>, Finding> groups;
    for (const ModelMisuse& misuse : model_.misuses()) {
      FindingStack stack = Stack(misuse.stack);
      const std::string site = stack.site();
      const uint32_t class_id = misuse.lock != 0 ? model_.lock(misuse.lock).class_id : 0;
      Finding& f = groups[{misuse.kind, class_id, site}];
      if (++f.occurrences > 1) continue;
      f.kind = FindingKind::kMisuse;
      f.waiter = Thread(misuse.thread);
      f.holder = Thread(misuse.other);
      f.waiter_stack = std::move(stack);
      std::string token;
      if (misuse.lock != 0) {
        const ModelLock& lock = model_.lock(misuse.lock);
        const ModelClass& cls = model_.lock_class(lock.class_id);
        f.locks = {InstanceLock(lock)};
        token = ClassToken(cls);
      }
      f.location = !site.empty() ? site : (f.locks.empty() ? "" : f.locks[0].site);
      f.message = absl::StrCat(format::MisuseKindName(misuse.kind), ": ", misuse.detail);
      const std::string function =
          f.waiter_stack.frames.empty() ? "" : f.waiter_stack.frames.front().function;
      f.id = MakeId(FindingKind::kMisuse,
                    {std::string(format::MisuseKindName(misuse.kind)), token, function});
    }
    for (auto& [key, f] : groups) {
      if (f.occurrences > 1) absl::StrAppend(&f.message, " (", f.occurrences, " times)");
      report_.findings.push_back(std::move(f));
    }
  }

  // One finding per pair of access sites (the replay grouped them already).
  void Races() {
    std::vector<StackRef> stacks;
    for (const ModelRace& race : model_.races()) {
      stacks.push_back(race.first.site);
      stacks.push_back(race.second.site);
    }
    symbolizer_.Prefetch(stacks);
    for (const ModelRace& race : model_.races()) {
      Finding f;
      f.kind = FindingKind::kRace;
      f.occurrences = race.count;
      std::string what, token;
      if (race.variable != 0) {
        const ModelLock& var = model_.lock(race.variable);
        const ModelClass& cls = model_.lock_class(var.class_id);
        f.locks = {InstanceLock(var)};
        what = ShortName(cls);
        token = ClassToken(cls);
      } else {
        what = absl::StrFormat("%d bytes at 0x%x", race.size, race.address);
      }
      std::vector<std::string> held[2];
      int i = 0;
      for (const ModelAccess* access : {&race.first, &race.second}) {
        FindingAccess out;
        out.thread = Thread(access->thread);
        out.write = access->write;
        out.stack = Stack(access->site);
        for (uint32_t lock : access->held) {
          out.held.push_back(ClassLabel(model_.lock_class(model_.lock(lock).class_id)));
        }
        held[i++] = out.held;
        f.accesses.push_back(std::move(out));
      }
      std::vector<std::string> common;
      for (const std::string& lock : held[0]) {
        if (std::find(held[1].begin(), held[1].end(), lock) != held[1].end()) {
          common.push_back(lock);
        }
      }
      const FindingAccess& a = f.accesses[0];
      const FindingAccess& b = f.accesses[1];
      f.location = !b.stack.site().empty() ? b.stack.site() : a.stack.site();
      if (f.location.empty() && !f.locks.empty()) f.location = f.locks[0].site;
      f.message = absl::StrCat(
          "data race on ", what, ": ", a.thread.label(), a.write ? " writes" : " reads", " and ",
          b.thread.label(), b.write ? " writes" : " reads", " with nothing ordering them (",
          common.empty() ? "no common lock"
                         : absl::StrCat("both hold ", absl::StrJoin(common, ", "),
                                        ", one of them shared"),
          ")");
      auto site_token = [](const FindingAccess& x) {
        const std::string function = x.stack.frames.empty() ? "" : x.stack.frames.front().function;
        return absl::StrCat(x.write ? "w@" : "r@", function);
      };
      f.id = MakeId(FindingKind::kRace, {token, site_token(a), site_token(b)});
      report_.findings.push_back(std::move(f));
    }
  }

  const Model& model_;
  StackSymbolizer& symbolizer_;
  const AnalysisOptions& options_;
  Report report_;
  absl::flat_hash_map<uint32_t, std::vector<uint64_t>> held_keys_;
  absl::flat_hash_map<std::pair<LockGraph::Level, uint32_t>, std::vector<EdgeWitness>>
      all_witnesses_;
};

// The upper bound of the histogram bucket holding quantile q.
uint64_t Quantile(const std::array<uint64_t, format::kWaitBuckets>& histogram, uint64_t total,
                  double q) {
  if (total == 0) return 0;
  const uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total - 1)) + 1;
  uint64_t seen = 0;
  for (uint32_t b = 0; b < format::kWaitBuckets; ++b) {
    seen += histogram[b];
    if (seen >= rank) {
      return b + 1 < format::kWaitBuckets ? format::WaitBucketLowerBound(b + 1) - 1 : UINT64_MAX;
    }
  }
  return 0;
}

}  // namespace

std::vector<ClassStatsRow> ComputeClassStats(const Model& model) {
  std::vector<ClassStatsRow> rows;
  for (const auto& [class_id, s] : model.statistics()) {
    const ModelClass& c = model.lock_class(class_id);
    ClassStatsRow row;
    row.class_name = c.name;
    row.kind = c.kind;
    row.site = absl::StrCat(c.file, ":", c.line);
    row.acquisitions = s.acquisitions;
    row.contended = s.contended;
    row.wait_total_ns = s.wait_total_ns;
    row.wait_max_ns = s.wait_max_ns;
    uint64_t waits = 0;
    for (uint64_t n : s.wait_histogram) waits += n;
    row.wait_p50_ns = std::min(Quantile(s.wait_histogram, waits, 0.50), s.wait_max_ns);
    row.wait_p99_ns = std::min(Quantile(s.wait_histogram, waits, 0.99), s.wait_max_ns);
    row.hold_samples = s.hold_samples;
    row.hold_total_ns =
        s.hold_samples == 0
            ? 0
            : static_cast<uint64_t>(static_cast<double>(s.hold_total_ns) *
                                    static_cast<double>(std::max(s.acquisitions, s.hold_samples)) /
                                    static_cast<double>(s.hold_samples));
    row.hold_max_ns = s.hold_max_ns;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const ClassStatsRow& a, const ClassStatsRow& b) {
    if (a.wait_total_ns != b.wait_total_ns) return a.wait_total_ns > b.wait_total_ns;
    return a.class_name < b.class_name;
  });
  return rows;
}

Report Analyze(const Model& model, StackSymbolizer& symbolizer, const AnalysisOptions& options) {
  return Analyzer(model, symbolizer, options).Run();
}

}  // namespace lockgraph::analyzer
