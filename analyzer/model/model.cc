#include "analyzer/model/model.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "analyzer/input/id_table.h"
#include "analyzer/input/runtime_counters.h"
#include "analyzer/input/trace_prefetcher.h"
#include "analyzer/symbols/stack_symbolizer.h"
#include "common/source_frame.h"

namespace lockgraph::analyzer {

void ClassStatistics::Merge(const ClassStatistics& other) {
  acquisitions += other.acquisitions;
  contended += other.contended;
  wait_total_ns += other.wait_total_ns;
  wait_max_ns = std::max(wait_max_ns, other.wait_max_ns);
  hold_samples += other.hold_samples;
  hold_total_ns += other.hold_total_ns;
  hold_max_ns = std::max(hold_max_ns, other.hold_max_ns);
  for (size_t i = 0; i < wait_histogram.size(); ++i) wait_histogram[i] += other.wait_histogram[i];
}

std::span<HeldRef> HeldPool::Allocate(size_t n) {
  if (n == 0) return {};  // a trace may record a dependency with nothing held: no block needed
  if (blocks_.empty() || used_ + n > blocks_.back().size) {
    // A list longer than a block gets one of its own (the rest of the last one stays unused).
    const size_t size = std::max(n, kBlock);
    blocks_.push_back({std::unique_ptr<HeldRef[], FreeBlock>(static_cast<HeldRef*>(
                           ::operator new(size * sizeof(HeldRef)))),
                       size});
    used_ = 0;
  }
  HeldRef* start = blocks_.back().data.get() + used_;
  used_ += n;
  return {start, n};
}

HeldPool::Position HeldPool::end() const {
  return blocks_.empty() ? Position{} : Position{blocks_.size() - 1, used_};
}

std::span<HeldRef> HeldPool::MoveDown(std::span<const HeldRef> list, Position& to) {
  if (list.empty()) return {};
  // As Allocate placed it, in the first block from `to` with room: at the latest its own.
  while (to.used + list.size() > blocks_[to.block].size) {
    ++to.block;
    to.used = 0;
  }
  HeldRef* start = blocks_[to.block].data.get() + to.used;
  std::copy(list.begin(), list.end(), start);  // forward: start is not after list.data()
  to.used += list.size();
  return {start, list.size()};
}

void HeldPool::Truncate(Position end) {
  if (end.block >= blocks_.size()) return;
  blocks_.resize(end.block + 1);
  used_ = end.used;
}

namespace {

// Keeps a definition record in `trace`'s tables, where Model::TraceLoader looks them up: the
// kinds it reads later than their record (strings, classes), as the reader would have them by
// then. An instance's lock is made at its record.
void KeepDefinition(Trace& trace, const format::Record& record) {
  if (const auto* r = std::get_if<format::StringRecord>(&record)) {
    trace.strings.emplace(r->id, r->text);
  } else if (const auto* c = std::get_if<format::ClassRecord>(&record)) {
    trace.classes.emplace(c->id, *c);
  }
}

}  // namespace

// Files the records of one trace into the model, translating its ids into global ones.
class Model::TraceLoader {
 public:
  TraceLoader(Model& model, uint32_t trace_index)
      : model_(model),
        trace_(trace_index),
        first_dependency_(static_cast<uint32_t>(model.dependencies_.size())) {}

  void operator()(const Trace& trace, const TraceRecord& r) { Record(trace, r.record); }
  // What a reader of the trace for the loader is given: the loader as the visitor of its
  // dependency and count records (each count by its dependency's place in the file: the
  // loader keeps no table of dependency ids).
  ReadOptions Options() {
    return {.keep_instances = false,
            .dependencies =
                [this](const Trace& trace, uint64_t, const format::DependencyRecord& r) {
                  Record(trace, r);
                },
            .dependency_counts = [this](const Trace&, uint64_t,
                                        const format::DependencyCountRecord& r,
                                        uint32_t dependency) { AddCount(dependency, r.count); }};
  }
  void Record(const Trace& trace, const format::Record& record) {
    std::visit([&](const auto& r) { Record(trace, r); }, record);
  }
  template <typename R>
  void Record(const Trace& trace, const R& r) {
    ++model_.record_count_;
    Add(trace, r);
  }
  // Records decoded ahead, whose definitions are in `trace`. With `keep_definitions`, those
  // among them are added to `trace` as they come: a file in pieces, whose reader's tables
  // are still growing on another thread.
  void Records(const DecodedRecords& records, Trace& trace, bool keep_definitions) {
    // The ids a record names index tables of a trace's size, in no order: a cache miss each
    // on a large trace, asked for a few records ahead. A dependency's locks; a count record's
    // dependency, filed anywhere before it (they come at a thread's end).
    const size_t dependencies = records.dependency_count();
    size_t d = 0;  // dependency records filed
    const std::span<const DependencyCount> counts = records.counts();
    size_t c = 0;  // count records filed
    records.ForEach(
        [&](const format::DependencyHead& r, std::span<const format::HeldLock> held) {
          if (d + kLookahead < dependencies) {
            locks_.Prefetch(records.dependency(d + kLookahead).acquired);
            for (const format::HeldLock& h : records.held_of(d + kLookahead)) {
              locks_.Prefetch(h.instance);
            }
          }
          ++d;
          ++model_.record_count_;
          AddDependency(trace, r, held);
        },
        [&](const DependencyCount& r) {
          if (c + kLookahead < counts.size()) {
            // Its dependency may come between: not filed yet, nothing to ask for.
            const size_t later = first_dependency_ + counts[c + kLookahead].dependency;
            if (later < model_.dependencies_.size()) {
              __builtin_prefetch(&model_.dependencies_[later]);
            }
          }
          ++c;
          AddCount(r.dependency, r.count);
        },
        [&](const format::Record& r) {
          if (keep_definitions) KeepDefinition(trace, r);
          Record(trace, r);
        });
  }

  // Class statistics are cumulative snapshots: the last one of a class in a file counts.
  void FinishTrace() {
    for (auto& [class_id, stats] : last_stats_) model_.statistics_[class_id].Merge(stats);
    model_.lock_ids_.resize(trace_ + 1);
    model_.lock_ids_[trace_] = std::move(locks_);
  }
  // The trace's last runtime-statistics counters, by name.
  const std::vector<std::pair<std::string, uint64_t>>& runtime_counters() const {
    return runtime_counters_;
  }

 private:
  uint32_t Thread(const Trace& trace, uint32_t tid) {
    if (tid == 0) return 0;
    if (tid < thread_of_tid_.size() && thread_of_tid_[tid] != 0) return thread_of_tid_[tid];
    auto [it, inserted] = model_.thread_ids_.try_emplace({trace_, tid}, 0);
    if (inserted) {
      it->second = static_cast<uint32_t>(model_.threads_.size());
      model_.threads_.push_back({trace_, tid, absl::StrCat("thread-", tid)});
    }
    if (tid < kDenseTids) {
      if (tid >= thread_of_tid_.size()) thread_of_tid_.resize(tid + 1, 0);
      thread_of_tid_[tid] = it->second;
    }
    return it->second;
  }

  // The lock of one of the trace's instances: made at its instance record, which the reader
  // checks comes before any record naming it (so no table of the records is kept).
  uint32_t Lock(uint64_t instance) const {
    const uint32_t id = locks_.Get(instance);
    assert(id != 0);
    return id;
  }

  // The lock of instance record `record`, the first time the trace names it: by its record,
  // which comes before any other record naming it (the reader checks).
  uint32_t NewLock(const Trace& trace, const format::InstanceRecord& record) {
    const uint64_t instance = record.id;
    // An object shared by processes is the same lock in every trace that names it: the
    // first trace's instance stands for all (its class, its site).
    uint32_t* shared = nullptr;
    if (record.global_name_sid != 0) {
      auto [it, inserted] = model_.lock_by_global_name_.try_emplace(
          std::make_pair(record.kind, trace.String(record.global_name_sid)), 0);
      if (!inserted) {
        locks_.Insert(instance, it->second);
        return it->second;
      }
      shared = &it->second;
    }
    ModelLock lock;
    lock.trace = trace_;
    lock.instance = instance;
    lock.class_id = Class(trace, record.class_id);
    lock.kind = record.kind;
    lock.file = File(trace, record.file_sid);
    lock.line = record.line;
    lock.initial_value = record.initial_value;
    lock.site_stack_id = record.site_stack_id;
    if (record.object_module != 0) {
      lock.object_module = record.object_module;
      lock.object_offset = record.object_offset;
    }
    const uint32_t id = model_.end_lock();
    model_.locks_.push_back(std::move(lock));
    locks_.Insert(instance, id);
    if (shared != nullptr) *shared = id;
    return id;
  }

  // The model's class of the trace's class `id`; each looked up by name once per trace.
  uint32_t Class(const Trace& trace, uint64_t id) {
    if (const uint32_t known = classes_.Get(id); known != 0) return known;
    const format::ClassRecord& cls = trace.classes.at(id);
    const uint32_t class_id = model_.ClassFor(trace.String(cls.name_sid), cls, trace);
    classes_.Insert(id, class_id);
    return class_id;
  }

  // The model's copy of the trace's string `sid`, a file name: interned once per trace.
  absl::string_view File(const Trace& trace, uint64_t sid) {
    auto [it, inserted] = files_.try_emplace(sid);
    if (inserted) it->second = model_.Intern(trace.String(sid));
    return it->second;
  }

  StackRef Stack(uint64_t id) const { return StackRef{trace_, id}; }

  void Add(const Trace&, const format::ProcessRecord&) {}
  void Add(const Trace&, const format::StringRecord&) {}
  void Add(const Trace&, const format::ModuleRecord&) {}
  void Add(const Trace&, const format::StackRecord&) {}
  void Add(const Trace&, const format::ClassRecord&) {}
  void Add(const Trace& trace, const format::InstanceRecord& r) {
    if (locks_.Get(r.id) == 0) NewLock(trace, r);
  }
  void Add(const Trace&, const format::InstanceEndRecord&) {}
  void Add(const Trace& trace, const format::ThreadStartRecord& r) {
    uint64_t& start = model_.trace_start_ns_[trace_];
    start = std::min(start, r.time_ns);
    const uint32_t id = Thread(trace, r.tid);
    if (r.name_sid != 0) model_.threads_[id].name = trace.String(r.name_sid);
    const uint32_t parent = Thread(trace, r.parent_tid);
    model_.threads_[id].parent = parent;
    model_.threads_[id].parent_segment = r.parent_segment;
    model_.order_.AddStart(id, parent, r.parent_segment);
  }
  void Add(const Trace&, const format::ThreadEndRecord&) {}
  void Add(const Trace& trace, const format::ThreadJoinRecord& r) {
    model_.order_.AddJoin(Thread(trace, r.joiner), r.joiner_segment, Thread(trace, r.joined));
  }
  void Add(const Trace& trace, const format::ProcessJoinRecord& r) {
    model_.process_joins_.push_back(
        {trace_, Thread(trace, r.joiner), r.joiner_segment, r.child_pid, r.time_ns});
  }
  void Add(const Trace& trace, const format::DependencyRecord& r) {
    AddDependency(trace, r, r.held);
  }
  // `r`: a format::DependencyRecord or a DependencyHead, whose held locks are `held_locks`.
  template <typename D>
  void AddDependency(const Trace& trace, const D& r,
                     std::span<const format::HeldLock> held_locks) {
    ModelDependency dep;
    dep.thread = Thread(trace, r.tid);
    dep.segment = r.segment;
    dep.acquired = Lock(r.acquired);
    dep.flags = r.flags;
    dep.stack = Stack(r.stack_id);
    dep.time_ns = r.time_ns;
    const std::span<HeldRef> held = model_.held_pool_.Allocate(held_locks.size());
    for (size_t i = 0; i < held.size(); ++i) {
      const format::HeldLock& h = held_locks[i];
      held[i] = {Lock(h.instance), h.flags, h.stack_id};
    }
    dep.held = held;
    model_.dependencies_.push_back(dep);
    ++model_.dependencies_read_;
  }
  // Count records come apart (Options), by their dependency's place: never through here.
  void Add(const Trace&, const format::DependencyCountRecord&) {
    assert(false && "a count record without its dependency's place");
  }
  // Files a count record: `dependency` is the place of the counted dependency among the
  // trace's.
  void AddCount(uint32_t dependency, uint64_t count) {
    ++model_.record_count_;
    model_.dependencies_[first_dependency_ + dependency].count += count;
  }
  void Add(const Trace& trace, const format::LongWaitRecord& r) {
    model_.waits_.push_back({Thread(trace, r.tid), Lock(r.instance), r.wait_ns,
                             Thread(trace, r.holder_tid), Stack(r.waiter_stack),
                             Stack(r.holder_stack), (r.flags & format::kWaitTimedOut) != 0});
  }
  void Add(const Trace& trace, const format::MisuseRecord& r) {
    model_.misuses_.push_back({r.kind, Thread(trace, r.tid),
                               r.instance != 0 ? Lock(r.instance) : 0,
                               Thread(trace, r.other_tid), Stack(r.stack_id),
                               trace.String(r.detail_sid)});
  }
  void Add(const Trace& trace, const format::DeadlockRecord& r) {
    ModelObservedDeadlock deadlock;
    deadlock.time_ns = r.time_ns;
    for (const format::DeadlockThread& t : r.threads) {
      deadlock.threads.push_back({Thread(trace, t.tid), Lock(t.held), Stack(t.held_stack),
                                  Lock(t.waits_for), t.flags, Stack(t.wait_stack)});
    }
    model_.observed_deadlocks_.push_back(std::move(deadlock));
  }
  void Add(const Trace& trace, const format::ClassStatsRecord& r) {
    ClassStatistics& stats = last_stats_[Class(trace, r.class_id)];
    stats = ClassStatistics();
    stats.acquisitions = r.acquisitions;
    stats.contended = r.contended;
    stats.wait_total_ns = r.wait_total_ns;
    stats.wait_max_ns = r.wait_max_ns;
    stats.hold_samples = r.hold_samples;
    stats.hold_total_ns = r.hold_total_ns;
    stats.hold_max_ns = r.hold_max_ns;
    for (const auto& [bucket, count] : r.wait_histogram) {
      if (bucket < stats.wait_histogram.size()) stats.wait_histogram[bucket] += count;
    }
  }
  void Add(const Trace& trace, const format::SignalReleaseRecord& r) {
    model_.resident_lock(Lock(r.instance)).signal = true;
  }
  void Add(const Trace& trace, const format::RuntimeStatsRecord& r) {
    // Counters are cumulative: the last record of a trace has the final values.
    runtime_counters_.clear();
    for (const auto& [name_sid, value] : r.counters) {
      runtime_counters_.emplace_back(trace.String(name_sid), value);
    }
  }
  void Add(const Trace&, const format::EventBlockRecord&) { model_.has_events_ = true; }

  static constexpr size_t kLookahead = 8;  // records of a kind

  Model& model_;
  const uint32_t trace_;
  const uint32_t first_dependency_;  // the index of the trace's first dependency
  // Dense tables: a hash map lookup per held lock is a cache miss on large traces. The
  // reader has checked that every id is defined.
  IdTable<uint32_t> locks_;    // instance -> lock id
  IdTable<uint32_t> classes_;  // class id -> model class id
  absl::flat_hash_map<uint64_t, absl::string_view> files_;  // string id -> Intern'ed
  // The recorder numbers a process's threads from 1: thread ids of this trace's tids below
  // kDenseTids, by tid (0: not seen yet), in front of the model's map.
  static constexpr uint32_t kDenseTids = 1 << 16;
  std::vector<uint32_t> thread_of_tid_;
  absl::flat_hash_map<uint32_t, ClassStatistics> last_stats_;
  std::vector<std::pair<std::string, uint64_t>> runtime_counters_;  // (name, value)
};

absl::string_view Model::Intern(absl::string_view text) {
  if (text.empty()) return {};
  return *interned_.emplace(text).first;
}

uint32_t Model::ClassFor(const std::string& name, const format::ClassRecord& record,
                         const Trace& trace) {
  auto [it, inserted] = class_by_name_.try_emplace(name, 0);
  if (inserted) {
    it->second = static_cast<uint32_t>(classes_.size());
    const uint32_t index = static_cast<uint32_t>(traces_.size());
    ModelClass& c = classes_.emplace_back();
    c.name = name;
    c.kind = record.kind;
    c.file = trace.String(record.file_sid);
    c.line = record.line;
    c.function = trace.String(record.function_sid);
    c.site_stack = StackRef{index, record.site_stack_id};
    c.trace_keys = {name};
    c.origin = static_cast<format::ClassOrigin>(record.origin);
    // The record's object fields mean the object (static) or the offset in a block (heap).
    if (c.origin == format::ClassOrigin::kStatic) {
      c.object = ObjectRef{index, record.object_module, record.object_offset};
    } else if (c.origin == format::ClassOrigin::kHeap) {
      c.object_offset = record.object_offset;
    }
    c.first_use = StackRef{index, record.first_use_stack_id};
  }
  return it->second;
}

absl::Status Model::AddTraceFile(const std::string& path, const ReadProgress& progress) {
  return AddTrace([&](TraceLoader& loader) {
    return ReadTraceFile(
        path, [&](const Trace& t, const TraceRecord& r) { loader(t, r); }, progress,
        loader.Options());
  });
}

absl::Status Model::AddTraceBytes(const std::string& name, std::string bytes) {
  auto contents = std::make_shared<const std::string>(std::move(bytes));
  return AddTrace([&](TraceLoader& loader) -> absl::StatusOr<Trace> {
    absl::StatusOr<Trace> trace =
        ParseTrace(*contents, name, [&](const Trace& t, const TraceRecord& r) { loader(t, r); },
                   {}, loader.Options());
    if (trace.ok()) trace->contents = contents;
    return trace;
  });
}

absl::Status Model::AddDecodedTrace(DecodedTrace decoded) {
  return AddTrace([&](TraceLoader& loader) -> absl::StatusOr<Trace> {
    loader.Records(decoded.records, decoded.trace, false);
    decoded.records = {};  // freed before the trace joins the model
    return std::move(decoded.trace);
  });
}

absl::Status Model::AddPrefetchedTrace(TracePrefetcher& prefetcher, const std::string& path,
                                       const ReadProgress& progress) {
  std::optional<TracePrefetcher::Piece> piece = prefetcher.Next();
  if (!piece) return AddTraceFile(path, progress);
  if (piece->end && !piece->end->ok()) return piece->end->status();
  return AddTrace([&](TraceLoader& loader) -> absl::StatusOr<Trace> {
    // A file in one piece comes with its tables. Of a file in several, the reader's tables
    // are still growing on the other thread: the loader reads a copy of the definitions it
    // needs, kept here as the pieces bring them.
    const bool whole = piece->end.has_value();
    Trace definitions;
    Trace& trace = whole ? **piece->end : definitions;
    while (true) {
      loader.Records(piece->records, trace, !whole);
      prefetcher.Recycle(std::move(piece->records));
      if (progress) progress(piece->bytes_done, piece->file_bytes);
      if (piece->end) return std::move(*piece->end);
      piece = prefetcher.Next();
      if (!piece) return absl::InternalError(path + ": the rest of the file was not parsed");
    }
  });
}

absl::Status Model::AddTrace(const std::function<absl::StatusOr<Trace>(TraceLoader&)>& read) {
  const uint32_t index = static_cast<uint32_t>(traces_.size());
  trace_start_ns_.resize(index + 1, UINT64_MAX);
  TraceExtent extent;
  extent.first_dependency = static_cast<uint32_t>(dependencies_.size());
  last_trace_held_ = held_pool_.end();
  extent.first_lock = end_lock();
  extent.first_thread = static_cast<uint32_t>(threads_.size());  // the next thread's id
  last_trace_classes_ = classes_.size();
  last_trace_waits_ = waits_.size();
  last_trace_misuses_ = misuses_.size();
  last_trace_deadlocks_ = observed_deadlocks_.size();
  TraceLoader loader(*this, index);
  absl::StatusOr<Trace> trace = read(loader);
  if (!trace.ok()) {
    trace_start_ns_.resize(index);
    return trace.status();
  }
  loader.FinishTrace();
  for (const std::string& warning : trace->warnings) warnings_.push_back(warning);
  for (std::string& warning : RuntimeCounterWarnings(trace->path, loader.runtime_counters())) {
    warnings_.push_back(std::move(warning));
  }
  // Its instances and classes are in the model now (locks_, classes_): the largest tables of
  // a trace, kept for nothing. Stacks, modules and strings stay for the symbolizer.
  trace->instances = {};
  trace->classes = {};
  traces_.push_back(*std::move(trace));
  extent.end_dependency = static_cast<uint32_t>(dependencies_.size());
  extent.end_lock = end_lock();
  extent.end_thread = static_cast<uint32_t>(threads_.size());
  trace_extents_.push_back(extent);
  return absl::OkStatus();
}

void Model::KeepDependenciesOfLastTrace(const std::vector<uint32_t>& keep) {
  TraceExtent& extent = trace_extents_.back();
  uint32_t to = extent.first_dependency;
  // The trace's held lists follow those of the traces before, in the order of its
  // dependencies: the kept ones move down over the rest as their dependencies do.
  HeldPool::Position held_to = last_trace_held_;
  for (const uint32_t from : keep) {  // from >= to: each moves down, or stays
    ModelDependency& dep = dependencies_[to++];
    dep = dependencies_[from];
    dep.held = held_pool_.MoveDown(dep.held, held_to);
  }
  dependencies_.truncate(to);
  held_pool_.Truncate(held_to);
  extent.end_dependency = to;
}

bool Model::ShrinkLastTrace() {
  const TraceExtent& extent = trace_extents_.back();
  const uint32_t index = static_cast<uint32_t>(traces_.size() - 1);
  Trace& trace = traces_.back();
  // The trace's locks are resident: every trace before it dropped its own, or none did.
  const uint32_t first = extent.first_lock;
  std::vector<uint8_t> named(extent.end_lock - first, 0);
  // Each stack named is kept as it is met: a trace has a few thousand, named a million times.
  absl::flat_hash_map<uint64_t, format::StackRecord> kept_stacks;
  auto lock = [&](uint32_t id) {
    if (id >= first) named[id - first] = 1;
  };
  auto stack = [&](StackRef s) {
    if (s.trace != index || s.id == 0 || kept_stacks.contains(s.id)) return;
    if (auto it = trace.stacks.find(s.id); it != trace.stacks.end()) {
      kept_stacks.emplace(s.id, std::move(it->second));
    }
  };
  for (uint32_t d = extent.first_dependency; d < extent.end_dependency; ++d) {
    const ModelDependency& dep = dependencies_[d];
    lock(dep.acquired);
    stack(dep.stack);
    for (size_t h = 0; h < dep.held.size(); ++h) {
      lock(dep.held[h].lock);
      stack(dep.held_site(h));
    }
  }
  for (size_t i = last_trace_waits_; i < waits_.size(); ++i) {
    lock(waits_[i].lock);
    stack(waits_[i].waiter_stack);
    stack(waits_[i].holder_stack);
  }
  for (size_t i = last_trace_misuses_; i < misuses_.size(); ++i) {
    lock(misuses_[i].lock);
    stack(misuses_[i].stack);
  }
  for (size_t i = last_trace_deadlocks_; i < observed_deadlocks_.size(); ++i) {
    for (const ModelDeadlockThread& t : observed_deadlocks_[i].threads) {
      lock(t.held);
      lock(t.waits_for);
      stack(t.held_site);
      stack(t.wait_stack);
    }
  }
  for (size_t i = last_trace_classes_; i < classes_.size(); ++i) {
    stack(classes_[i].site_stack);
    stack(classes_[i].first_use);
  }

  // The resident locks below the trace's (the placeholder 0, the first time), which stay where
  // they are, then its own that are named, moved down over those that are not.
  for (uint32_t id = first_resident_lock_; id < first; ++id) kept_lock_ids_.push_back(id);
  const size_t kept_before = kept_lock_ids_.size();  // where the trace's first lock is
  size_t to = kept_before;
  for (uint32_t i = 0; i < named.size(); ++i) {
    if (named[i] == 0) continue;
    kept_lock_ids_.push_back(first + i);
    ModelLock& kept = locks_[to++];
    kept = locks_[kept_before + i];
    stack(kept.site_stack());
  }
  const bool dropped_locks = to - kept_before < named.size();
  first_resident_lock_ = extent.end_lock;
  locks_.truncate(to);
  lock_ids_.back() = {};

  absl::flat_hash_map<uint64_t, std::string> kept_strings;
  for (const auto& [id, module] : trace.modules) {
    for (const uint64_t sid : {module.path_sid, module.function_sid}) {
      if (auto it = trace.strings.find(sid); it != trace.strings.end()) {
        kept_strings.emplace(sid, it->second);
      }
    }
  }
  const bool dropped = dropped_locks || kept_stacks.size() < trace.stacks.size() ||
                       kept_strings.size() < trace.strings.size();
  trace.stacks = std::move(kept_stacks);
  trace.strings = std::move(kept_strings);
  return dropped;
}

const ModelLock& Model::KeptLock(uint32_t id) const {
  const auto it = std::lower_bound(kept_lock_ids_.begin(), kept_lock_ids_.end(), id);
  assert(it != kept_lock_ids_.end() && *it == id && "a dropped lock");
  if (it == kept_lock_ids_.end() || *it != id) return locks_[0];
  return locks_[it - kept_lock_ids_.begin()];
}

namespace {

// The start time of the process that started the one of `p` (by fork or exec), which tells
// apart processes that reused a pid: a forked child's process record carries its parent's.
uint64_t ParentStart(const format::ProcessRecord& p) {
  return p.spawned_by_realtime_ns != 0 ? p.spawned_by_realtime_ns : p.realtime_ns;
}

}  // namespace

void Model::Finish() {
  // A forked child's first thread continues its parent's forking thread (same tid), and a
  // process started by exec (spawned) begins with its thread 1 where the starting thread
  // was: either way the parent's past happens before all of the child.
  for (uint32_t child = 0; child < traces_.size(); ++child) {
    const format::ProcessRecord& p = traces_[child].process;
    if (p.parent_tid == 0) continue;
    for (uint32_t parent = 0; parent < traces_.size(); ++parent) {
      const format::ProcessRecord& q = traces_[parent].process;
      if (parent == child || q.pid != p.ppid || q.realtime_ns != ParentStart(p)) continue;
      auto from = thread_ids_.find({parent, p.parent_tid});
      auto to = thread_ids_.find({child, p.spawned_by_realtime_ns != 0 ? 1u : p.parent_tid});
      if (from != thread_ids_.end() && to != thread_ids_.end()) {
        order_.AddStart(to->second, from->second, p.parent_segment);
        threads_[to->second].parent = from->second;
        threads_[to->second].parent_segment = p.parent_segment;
      }
    }
  }
  OrderProcessJoins();
  JoinDeadlocksAcrossProcesses();
}

void Model::JoinDeadlocksAcrossProcesses() {
  // A deadlock across processes is written in parts: each process's trace holds its own
  // threads, each holding the lock the previous thread (maybe of another process) waits for.
  // ProcessLocks are one model lock in every trace, so the parts chain into the cycle.
  auto closed = [](const ModelObservedDeadlock& d) {
    const size_t n = d.threads.size();
    for (size_t i = 0; i < n; ++i) {
      if (d.threads[i].waits_for != d.threads[(i + 1) % n].held) return false;
    }
    return true;
  };
  if (std::all_of(observed_deadlocks_.begin(), observed_deadlocks_.end(), closed)) return;
  std::vector<ModelObservedDeadlock> whole;
  std::vector<ModelDeadlockThread> parts;
  std::vector<uint64_t> part_times;
  for (ModelObservedDeadlock& d : observed_deadlocks_) {
    if (closed(d)) {
      whole.push_back(std::move(d));
      continue;
    }
    for (ModelDeadlockThread& t : d.threads) {
      parts.push_back(std::move(t));
      part_times.push_back(d.time_ns);
    }
  }
  std::vector<bool> used(parts.size(), false);
  for (size_t start = 0; start < parts.size(); ++start) {
    if (used[start]) continue;
    // Follow "waits for what the next holds" from `start` until it comes back.
    std::vector<size_t> chain = {start};
    std::vector<bool> in_chain(parts.size(), false);
    in_chain[start] = true;
    bool back = false;
    while (!back) {
      size_t next = parts.size();
      for (size_t u = 0; u < parts.size(); ++u) {
        if (!used[u] && parts[u].held == parts[chain.back()].waits_for &&
            (u == start || !in_chain[u])) {
          next = u;
          if (u == start) break;
        }
      }
      if (next == parts.size()) break;
      if (next == start) {
        back = true;
      } else {
        chain.push_back(next);
        in_chain[next] = true;
      }
    }
    if (!back) continue;
    ModelObservedDeadlock joined;
    joined.time_ns = part_times[start];
    for (size_t i : chain) {
      used[i] = true;
      joined.threads.push_back(parts[i]);
    }
    whole.push_back(std::move(joined));
  }
  const size_t missing = static_cast<size_t>(std::count(used.begin(), used.end(), false));
  if (missing > 0) {
    AddWarning(absl::StrCat(
        missing, missing == 1 ? " thread" : " threads",
        " of a deadlock across processes whose other processes left no trace of it; not "
        "reported (analyze the traces of every process together)"));
  }
  observed_deadlocks_ = std::move(whole);
}

// A joined child process happened, all of it, before its joiner's next segment. The join
// names the child by pid, which the system reuses once the child is reaped: a child process is
// told apart by its parent (pid and start time), its pid and the fork (forking thread and
// segment, which no two forks share), and a join belongs to the child of that pid that began
// last before the join. A child that wrote several files (lockgraph::Configure) is ordered
// whole.
void Model::OrderProcessJoins() {
  if (process_joins_.empty()) return;
  struct Child {
    uint64_t start_ns = UINT64_MAX;
    std::vector<uint32_t> traces;
  };
  // (ppid, parent start, pid) -> (forking thread, its segment) -> the child's files.
  absl::flat_hash_map<std::tuple<uint64_t, uint64_t, uint64_t>,
                      absl::flat_hash_map<std::pair<uint32_t, uint32_t>, Child>>
      children;
  for (uint32_t t = 0; t < traces_.size(); ++t) {
    const format::ProcessRecord& p = traces_[t].process;
    if (p.parent_tid == 0) continue;
    Child& child = children[{p.ppid, ParentStart(p), p.pid}][{p.parent_tid, p.parent_segment}];
    child.start_ns = std::min(child.start_ns, trace_start_ns_[t]);
    child.traces.push_back(t);
  }
  std::vector<std::vector<uint32_t>> threads_of(traces_.size());
  for (uint32_t id = 1; id < threads_.size(); ++id) threads_of[threads_[id].trace].push_back(id);
  for (const ProcessJoin& join : process_joins_) {
    const format::ProcessRecord& parent = traces_[join.trace].process;
    auto forks = children.find({parent.pid, parent.realtime_ns, join.child_pid});
    if (forks == children.end() || join.joiner == 0) continue;
    const Child* joined = nullptr;
    for (const auto& [fork, child] : forks->second) {
      if (child.start_ns > join.time_ns) continue;  // forked after the join: a reused pid
      if (joined == nullptr || child.start_ns > joined->start_ns) joined = &child;
    }
    if (joined == nullptr) continue;
    for (uint32_t t : joined->traces) {
      for (uint32_t thread : threads_of[t]) order_.AddJoin(join.joiner, join.segment, thread);
    }
  }
}

uint32_t Model::ThreadId(uint32_t trace, uint32_t tid) const {
  auto it = thread_ids_.find({trace, tid});
  return it == thread_ids_.end() ? 0 : it->second;
}

void Model::AddRaces(std::vector<ModelRace> races) {
  for (ModelRace& race : races) races_.push_back(std::move(race));
}

void Model::ResolveSites(StackSymbolizer& symbolizer) {
  std::vector<StackRef> stacks;
  std::vector<ObjectRef> objects;
  for (const ModelClass& c : classes_) {
    if (c.file.empty() && c.site_stack.id != 0) stacks.push_back(c.site_stack);
    if (c.first_use.id != 0) stacks.push_back(c.first_use);
    if (c.origin == format::ClassOrigin::kStatic) objects.push_back(c.object);
  }
  auto note = [&](const ModelLock& l) {
    if (l.file.empty() && l.site_stack_id != 0) stacks.push_back(l.site_stack());
    if (l.object_module != 0) objects.push_back(l.object());
  };
  for (const ModelLock& l : locks_) note(l);
  symbolizer.Prefetch(stacks);
  symbolizer.PrefetchObjects(objects);
  // The first frame of the program itself: in an unoptimized build the interposer's caller
  // is std::mutex::lock or __gthread_mutex_lock, not the user's line.
  auto resolve = [&](StackRef stack, std::string& file, uint32_t& line, std::string* function) {
    const std::vector<SourceFrame> frames = symbolizer.Frames(stack);
    if (frames.empty()) return false;
    const SourceFrame& frame = frames[FirstUserFrame(frames)];
    file = frame.file.empty() ? frame.module : frame.file;
    line = frame.line;
    if (function != nullptr) *function = frame.function;
    return IsUserFrame(frame);
  };
  // Classes: one source line is one class, whatever path (inlined or not) led from it to the
  // C library. Preload classes that resolve to the same line (and, for heap classes, the
  // same offset in the block) merge; their key becomes it. An object in static storage is a
  // class of its own, named by its variable.
  std::vector<uint32_t> remap(classes_.size());
  absl::flat_hash_map<std::tuple<format::SyncKind, format::ClassOrigin, std::string, uint32_t,
                                 uint64_t>,
                      uint32_t>
      by_site;
  for (uint32_t id = 0; id < classes_.size(); ++id) {
    remap[id] = id;
    ModelClass& c = classes_[id];
    if (c.origin == format::ClassOrigin::kStatic) {
      const VariableName variable = symbolizer.Object(c.object);
      c.variable = variable.name;
      if (!variable.decl_file.empty() && variable.decl_line != 0) {
        c.file = variable.decl_file;
        c.line = variable.decl_line;
        c.declared = true;
      } else {
        resolve(c.first_use, c.file, c.line, &c.function);
      }
      // A later object built where the variable's first was: " #2" stays in its name.
      if (const size_t generation = c.name.rfind(" #");
          !c.variable.empty() && generation != std::string::npos) {
        c.variable += c.name.substr(generation);
      }
      if (!c.variable.empty()) c.name = c.variable;
      continue;
    }
    if (!c.ResolvedBySite()) continue;
    if (!resolve(c.site_stack, c.file, c.line, &c.function)) continue;
    c.name = absl::StrCat(c.file, ":", c.line);
    if (c.origin == format::ClassOrigin::kHeap && c.object_offset != 0) {
      absl::StrAppend(&c.name, "+", c.object_offset);
    }
    auto [it, inserted] =
        by_site.try_emplace({c.kind, c.origin, c.file, c.line, c.object_offset}, id);
    if (!inserted) remap[id] = it->second;
  }
  for (uint32_t id = 0; id < classes_.size(); ++id) {
    if (remap[id] == id) continue;
    std::vector<std::string>& keys = classes_[remap[id]].trace_keys;
    keys.insert(keys.end(), classes_[id].trace_keys.begin(), classes_[id].trace_keys.end());
    if (auto stats = statistics_.find(id); stats != statistics_.end()) {
      statistics_[remap[id]].Merge(stats->second);
      statistics_.erase(id);
    }
  }
  std::string file;
  auto relabel = [&](ModelLock& l) {
    l.class_id = remap[l.class_id];
    if (l.object_module != 0) l.variable = Intern(symbolizer.Object(l.object()).name);
    // An object in static storage is its class: its site is the variable's declaration.
    if (const ModelClass& c = classes_[l.class_id]; c.declared) {
      l.file = Intern(c.file);
      l.line = c.line;
      return;
    }
    if (!l.file.empty() || l.site_stack_id == 0) return;
    if (resolve(l.site_stack(), file, l.line, nullptr)) {
      l.file = Intern(file);
    } else {
      const ModelClass& c = classes_[l.class_id];  // its own site is in the C++ library
      l.file = Intern(c.file);
      l.line = c.line;
    }
  };
  for (size_t i = 0; i < locks_.size(); ++i) relabel(locks_[i]);
}

}  // namespace lockgraph::analyzer
