// gen_trace: writes one synthetic, valid trace file for benchmarking `lockgraph analyze`.
//
//   gen_trace --locks=100000 --deps=1000000 --threads=64 --cycles=10 --seed=1 --out=t.lgtrace
//
// The file looks like one process of a large program: `--locks` lock instances in `--classes`
// named classes, `--threads` threads (thread 1 "main" starts the others and joins them at the
// end), `--deps` distinct dependency records and, for about half of them, a dependency-count
// record at the owning thread's exit. Definitions (strings, classes, instances) come just
// before their first use, as the runtime writes them; the module and the stacks come first.
//
// Shape of the lock graph. Classes own contiguous ranges of lock ids and are ranked by index;
// an ordinary dependency holds 1-3 locks (60/30/10%) of distinct classes among the
// kClassWindow classes just below the acquired lock's class, in rank order. Every edge thus
// goes from a lower to a higher class, so the instance and class graphs are acyclic. Each of
// the `--cycles` injected cycles is a two-lock ABBA between two distinct threads on the last
// lock of class c and the first lock of class c+1: no path of ordinary edges runs between two
// neighbouring classes, so each cycle is its own two-node component and the analyzer must
// report exactly `--cycles` deadlocks (and no potential ones: each class cycle is the image of
// an instance cycle).
//
// Full mode (--events=N): one process recorded with mode=full, for timing the event replay.
//
//   gen_trace --events=100000000 --threads=8 --locks=1000 --races=10 --seed=1 --out=t.lgtrace
//
// Thread 1 ("main") spawns threads 2..T (a spawn event each, closing its segments 0..T-2);
// then all T threads run actions, one at a time in a random global schedule, until N events
// are written; then each worker ends and main joins it (a thread-join record and a join
// event). Each action is atomic in the schedule, so numbering every lock's acquisitions in
// schedule order gives a history the replay can run. An action is
//   - a critical section: one lock, or (1 in 5) one of the thread's kNestPatterns nested
//     pairs, taken in lock-index order (the lock graph is acyclic; a dependency record for each
//     pair the first time per thread segment, counts when the segment ends); 1 in 50
//     acquisitions is a try-lock; inside, 0-2 reads or writes (1 in 4) of Shared<int>
//     variables, variable k guarded by lock k, only while it is held;
//   - a hand-off (1 in kHandoffEvery, by a thread holding one of the kEventObjects tokens):
//     it writes the token's Shared<int> without a lock and sends on the token's Event; the
//     receiver, a random other thread, receives as its next action, then reads the variable.
//     The signal orders the two accesses: not a race.
// With --idle_main=1 main only spawns and joins, as many programs' main threads do: its
// spawns stay in its buffer until it ends, so the replay must hold the workers' blocks until
// then (docs/performance.md, "Full mode").
// So every access is ordered, and `--races` injected races are the only ones: race k is a
// variable written, without a lock, by two threads one right after the other in the
// schedule, at two sites of its own (one finding each). Events are encoded by AppendEvent
// into 64 KiB per-thread buffers written as event-block records when full, as the runtime
// does; ticks follow a simulated 2.56 GHz time stamp counter, 20-100 ticks per event.
//
// Deterministic for a given seed on any platform: the generator is SplitMix64, not <random>'s
// implementation-defined distributions.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/events.h"
#include "common/trace_format.h"
#include "common/trace_records.h"

namespace {

namespace format = lockgraph::format;

constexpr uint32_t kClassWindow = 8;    // an ordinary dependency's held classes lie this close
constexpr uint32_t kCaptureStacks = 16;  // distinct acquisition stacks
constexpr uint32_t kSiteStacks = 16;     // distinct one-frame "taken here" stacks
constexpr uint32_t kStackDepth = 12;

struct Flags {
  uint64_t events = 0;  // 0: a deps-mode trace; otherwise full mode, this many events
  uint64_t locks = 0;   // 0: 100000 (deps), 1000 (full)
  uint64_t classes = 1000;
  uint64_t deps = 1000000;
  uint64_t threads = 0;  // 0: 64 (deps), 8 (full)
  uint64_t cycles = 10;
  uint64_t races = 0;
  uint64_t idle_main = 0;  // full mode: 1 = main only spawns and joins the workers
  uint64_t seed = 1;
  std::string out;
};

// SplitMix64 (Steele, Lea, Flood 2014): small, fast and the same everywhere.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-32 here).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

 private:
  uint64_t state_;
};

// Buffers encoded records and writes them out in large blocks.
class TraceFile {
 public:
  explicit TraceFile(std::FILE* file) : file_(file) { format::EncodeHeader(buffer_); }

  void Add(const format::Record& record) {
    format::EncodeRecord(record, buffer_);
    ++records_;
    if (buffer_.size() >= (1u << 20)) Flush();
  }
  uint64_t records() const { return records_; }
  bool Close() {
    Flush();
    return !failed_ && std::fclose(file_) == 0;
  }

 private:
  void Flush() {
    failed_ |= std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size();
    buffer_.clear();
  }

  std::FILE* file_;
  std::string buffer_;
  uint64_t records_ = 0;
  bool failed_ = false;
};

class Generator {
 public:
  Generator(const Flags& flags, TraceFile& out)
      : flags_(flags),
        out_(out),
        random_(flags.seed),
        class_defined_(flags.classes, false),
        lock_defined_(flags.locks, false),
        class_name_sid_(flags.classes, 0) {}

  void Run() {
    Header();
    Threads();
    // Spread the injected dependencies through the file, as a late-found bug would be.
    std::vector<uint64_t> cycle_at;
    for (uint64_t k = 0; k < flags_.cycles; ++k) {
      cycle_at.push_back((k + 1) * flags_.deps / (flags_.cycles + 1));
    }
    size_t next_cycle = 0;
    while (dependency_records() < flags_.deps) {
      if (next_cycle < cycle_at.size() && dependency_records() >= cycle_at[next_cycle]) {
        InjectCycle(next_cycle++);
        continue;
      }
      OrdinaryDependency();
    }
    End();
  }

  uint64_t dependency_records() const { return next_dependency_ - 1; }
  uint64_t count_records() const { return count_records_; }

 private:
  struct Repeat {
    uint64_t dependency;
    uint64_t count;
  };
  // (tid, acquired, up to 3 held locks, padded with UINT64_MAX): what makes a dependency
  // record distinct in one segment.
  using DependencyKey = std::array<uint64_t, 5>;

  uint64_t String(std::string text) {
    out_.Add(format::StringRecord{.id = next_string_, .text = std::move(text)});
    return next_string_++;
  }

  void Header() {
    const uint64_t exe = String("/opt/synthetic/bin/server");
    const uint64_t options = String("trace=synthetic.lgtrace");
    const uint64_t version = String("lockgraph-runtime 0.1");
    out_.Add(format::ProcessRecord{.pid = 4242,
                                   .ppid = 1,
                                   .realtime_ns = 1'764'000'000'000'000'000ull,
                                   .monotonic_ns = 1'000'000'000ull,
                                   .exe_sid = exe,
                                   .options_sid = options,
                                   .version_sid = version});
    out_.Add(format::ModuleRecord{.id = 1, .path_sid = exe, .load_bias = 0x555555554000ull,
                                  .build_id = std::string(20, '\x5a')});
    file_sid_ = String("src/synthetic/server.cc");
    function_sid_ = String("void synthetic::Worker::Run()");
    // Captured stacks share their outer frames (main, thread start) like real ones.
    for (uint64_t s = 0; s < kCaptureStacks; ++s) {
      format::StackRecord stack{.id = next_stack_, .frames = {}};
      for (uint64_t f = 0; f < kStackDepth; ++f) {
        stack.frames.push_back({1, 0x10000 + (f < 4 ? s * 0x400 + f * 0x40 : f * 0x1000)});
      }
      out_.Add(stack);
      capture_stacks_.push_back(next_stack_++);
    }
    for (uint64_t s = 0; s < kSiteStacks; ++s) {
      out_.Add(format::StackRecord{.id = next_stack_, .frames = {{1, 0x20000 + s * 0x80}}});
      site_stacks_.push_back(next_stack_++);
    }
  }

  // Thread 1 ("main") starts threads 2..T in its segments 0..T-2 and takes its own locks in
  // segment T-1, so every thread can run alongside every other.
  void Threads() {
    for (uint32_t tid = 1; tid <= flags_.threads; ++tid) {
      const uint64_t name = String(tid == 1 ? "main" : absl::StrCat("worker-", tid - 1));
      out_.Add(format::ThreadStartRecord{.tid = tid,
                                         .parent_tid = tid == 1 ? 0u : 1u,
                                         .parent_segment = tid == 1 ? 0u : tid - 2,
                                         .name_sid = name,
                                         .os_tid = 4242 + tid - 1,
                                         .time_ns = Tick()});
    }
  }

  uint64_t Tick() { return time_ns_ += 500 + random_.Below(1000); }

  uint32_t Segment(uint32_t tid) const {
    return tid == 1 ? static_cast<uint32_t>(flags_.threads - 1) : 0;
  }

  uint64_t FirstLock(uint64_t cls) const { return cls * flags_.locks / flags_.classes; }
  uint64_t LockIn(uint64_t cls) {
    const uint64_t first = FirstLock(cls);
    return first + random_.Below(FirstLock(cls + 1) - first);
  }

  // Writes the class and instance records of lock `index` if this is its first use; returns
  // its instance id.
  uint64_t Instance(uint64_t index) {
    if (!lock_defined_[index]) {
      const uint64_t cls = ClassOf(index);
      if (!class_defined_[cls]) {
        class_name_sid_[cls] = String(absl::StrFormat("class-%04d", cls));
        out_.Add(format::ClassRecord{.id = cls + 1,
                                     .name_sid = class_name_sid_[cls],
                                     .kind = format::SyncKind::kLock,
                                     .file_sid = file_sid_,
                                     .line = static_cast<uint32_t>(100 + cls),
                                     .function_sid = function_sid_});
        class_defined_[cls] = true;
      }
      out_.Add(format::InstanceRecord{.id = index + 1,
                                      .class_id = cls + 1,
                                      .kind = format::SyncKind::kLock,
                                      .file_sid = file_sid_,
                                      .line = static_cast<uint32_t>(100 + cls),
                                      .name_sid = class_name_sid_[cls]});
      lock_defined_[index] = true;
    }
    return index + 1;
  }

  uint64_t ClassOf(uint64_t index) const {
    // The class whose range [FirstLock(c), FirstLock(c + 1)) holds `index`.
    uint64_t cls = index * flags_.classes / flags_.locks;
    while (FirstLock(cls + 1) <= index) ++cls;
    while (FirstLock(cls) > index) --cls;
    return cls;
  }

  // Writes a dependency of thread `tid` that holds `held` (lock indices, acquisition order)
  // and acquires `acquired`, unless that thread already recorded it.
  bool Dependency(uint32_t tid, const std::vector<uint64_t>& held, uint64_t acquired,
                  uint8_t flags) {
    DependencyKey key;
    key.fill(UINT64_MAX);
    key[0] = tid;
    key[1] = acquired;
    std::copy(held.begin(), held.end(), key.begin() + 2);
    if (!seen_.insert(key).second) return false;
    format::DependencyRecord dep;
    dep.id = next_dependency_;
    dep.tid = tid;
    dep.segment = Segment(tid);
    for (uint64_t h : held) {
      const uint64_t site = site_stacks_[random_.Below(site_stacks_.size())];
      dep.held.push_back({.instance = Instance(h), .flags = 0, .stack_id = site});
    }
    dep.acquired = Instance(acquired);
    dep.flags = flags;
    dep.stack_id = capture_stacks_[random_.Below(capture_stacks_.size())];
    dep.time_ns = Tick();
    out_.Add(dep);
    // About half the dependencies repeat; their counts are written when the thread exits.
    if (random_.Below(2) == 0) {
      repeats_[tid - 1].push_back({next_dependency_, 1 + random_.Below(1000)});
    }
    ++next_dependency_;
    return true;
  }

  void OrdinaryDependency() {
    std::vector<uint64_t> held_classes;
    uint64_t acquired_class = 0;
    uint32_t tid = 0;
    uint8_t flags = 0;
    std::vector<uint64_t> held;
    do {
      const uint64_t roll = random_.Below(10);
      const uint64_t count = std::min<uint64_t>(roll < 6 ? 1 : roll < 9 ? 2 : 3,
                                                flags_.classes - 1);
      acquired_class = count + random_.Below(flags_.classes - count);
      const uint64_t window = std::min<uint64_t>(kClassWindow, acquired_class);
      held_classes.clear();
      while (held_classes.size() < count) {
        const uint64_t c = acquired_class - 1 - random_.Below(window);
        if (std::find(held_classes.begin(), held_classes.end(), c) == held_classes.end()) {
          held_classes.push_back(c);
        }
      }
      std::sort(held_classes.begin(), held_classes.end());
      held.clear();
      for (uint64_t c : held_classes) held.push_back(LockIn(c));
      tid = static_cast<uint32_t>(1 + random_.Below(flags_.threads));
      flags = random_.Below(50) == 0 ? format::kAcquireTimed : 0;  // a few try_lock_for
    } while (!Dependency(tid, held, LockIn(acquired_class), flags));
  }

  // Cycle k: between the last lock of class c and the first of class c + 1, taken in both
  // orders by two threads that hold nothing else (no gate lock).
  void InjectCycle(uint64_t k) {
    const uint64_t stride = flags_.classes / (flags_.cycles + 1);
    const uint64_t c = (k + 1) * stride - 1;
    const uint64_t a = FirstLock(c + 1) - 1, b = FirstLock(c + 1);
    const uint32_t t1 = static_cast<uint32_t>(1 + (2 * k) % flags_.threads);
    const uint32_t t2 = static_cast<uint32_t>(1 + (2 * k + 1) % flags_.threads);
    // If an ordinary dependency of t1 already took a -> b, that record stands in.
    Dependency(t1, {a}, b, /*flags=*/0);
    Dependency(t2, {b}, a, /*flags=*/0);
  }

  // Each worker's counts and end, then main joins it; main ends last.
  void End() {
    uint32_t main_segment = Segment(1);
    for (uint32_t tid = 2; tid <= flags_.threads; ++tid) {
      ThreadExit(tid, Segment(tid));
      out_.Add(format::ThreadJoinRecord{
          .joiner = 1, .joiner_segment = main_segment++, .joined = tid, .time_ns = Tick()});
    }
    ThreadExit(1, main_segment);
  }

  void ThreadExit(uint32_t tid, uint32_t segment) {
    for (const Repeat& r : repeats_[tid - 1]) {
      out_.Add(format::DependencyCountRecord{.id = r.dependency, .count = r.count});
      ++count_records_;
    }
    out_.Add(format::ThreadEndRecord{.tid = tid, .segment = segment, .time_ns = Tick()});
  }

  const Flags& flags_;
  TraceFile& out_;
  Random random_;
  std::vector<bool> class_defined_;
  std::vector<bool> lock_defined_;
  std::vector<uint64_t> class_name_sid_;
  std::vector<uint64_t> capture_stacks_;
  std::vector<uint64_t> site_stacks_;
  std::vector<std::vector<Repeat>> repeats_ = std::vector<std::vector<Repeat>>(flags_.threads);
  absl::flat_hash_set<DependencyKey> seen_;  // written already
  uint64_t file_sid_ = 0;
  uint64_t function_sid_ = 0;
  uint64_t next_string_ = 1;
  uint64_t next_stack_ = 1;
  uint64_t next_dependency_ = 1;
  uint64_t count_records_ = 0;
  uint64_t time_ns_ = 0;
};

// ---- Full mode ----

constexpr uint32_t kNestPatterns = 4;     // nested lock pairs each thread takes
constexpr uint64_t kHandoffEvery = 1000;  // actions per hand-off, for a thread holding a token
constexpr uint64_t kEventObjects = 16;    // Events, each with a token and a hand-off variable
constexpr uint64_t kAccessSites = 16;     // read sites, and as many write sites
constexpr size_t kBlockBytes = 64 * 1024;  // the runtime's per-thread buffer (EventLog)
constexpr uint64_t kTickPs = 6250;        // one tick unit (16 TSC ticks) at 2.56 GHz

class FullGenerator {
 public:
  FullGenerator(const Flags& flags, TraceFile& out)
      : flags_(flags), out_(out), random_(flags.seed), acquisitions_(flags.locks, 0),
        sends_(kEventObjects, 0) {}

  void Run() {
    Header();
    Definitions();
    Spawn();
    std::vector<uint64_t> race_at;
    for (uint64_t k = 0; k < flags_.races; ++k) {
      race_at.push_back((k + 1) * flags_.events / (flags_.races + 1));
    }
    size_t next_race = 0;
    while (events_ < flags_.events) {
      if (next_race < race_at.size() && events_ >= race_at[next_race]) {
        InjectRace(next_race++);
        continue;
      }
      Thread& t = Actor();
      if (!t.receives.empty()) {
        Receive(t);
      } else if (!t.tokens.empty() && random_.Below(kHandoffEvery) == 0) {
        Handoff(t);
      } else {
        CriticalSection(t);
      }
    }
    while (next_race < race_at.size()) InjectRace(next_race++);
    End();
  }

  uint64_t events() const { return events_; }
  uint64_t blocks() const { return blocks_; }
  uint64_t dependency_records() const { return next_dependency_ - 1; }
  uint64_t instances() const { return next_instance_ - 1; }
  uint64_t handoffs() const { return handoffs_; }
  uint64_t accesses() const { return accesses_; }

 private:
  struct Dependency {
    uint64_t id = 0;
    uint64_t repeats = 0;  // since the record
  };
  struct Thread {
    uint32_t tid = 0;
    uint32_t segment = 0;
    uint32_t block_segment = 0;  // the segment at the block's first event
    uint64_t start_tsc = 0;      // the block's start
    uint64_t last_tsc = 0;       // what the next event's ticks count from
    uint64_t count = 0;          // events in the block
    size_t used = 0;
    std::vector<uint8_t> data = std::vector<uint8_t>(kBlockBytes);
    std::vector<std::pair<uint64_t, uint64_t>> nests;  // (outer, inner) lock indices
    std::vector<uint64_t> tokens;                      // Event objects it may send on
    std::deque<std::pair<uint64_t, uint64_t>> receives;  // (Event object, seq) sent to it
    // This segment's nested acquisitions: (outer, outer flags, inner, inner flags) packed.
    absl::flat_hash_map<uint64_t, Dependency> dependencies;
  };

  uint64_t String(std::string text) {
    out_.Add(format::StringRecord{.id = next_string_, .text = std::move(text)});
    return next_string_++;
  }
  uint64_t Stack(std::vector<format::Frame> frames) {
    out_.Add(format::StackRecord{.id = next_stack_, .frames = std::move(frames)});
    return next_stack_++;
  }
  // A three-frame access or acquisition site below a shared thread-start frame.
  uint64_t Site(uint64_t pc) { return Stack({{1, pc}, {1, 0x30000 + (pc & 0xf00)}, {1, 0x31000}}); }

  uint64_t Ns(uint64_t tsc) const {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(tsc) * kTickPs /
                                 (1000u << format::kEventTickShift));
  }

  void Header() {
    const uint64_t exe = String("/opt/synthetic/bin/server");
    const uint64_t options = String("mode=full:trace=synthetic.lgtrace");
    const uint64_t version = String("lockgraph-runtime 0.1");
    out_.Add(format::ProcessRecord{.pid = 4242,
                                   .ppid = 1,
                                   .mode = format::TraceMode::kFull,
                                   .realtime_ns = 1'764'000'000'000'000'000ull,
                                   .monotonic_ns = 1'000'000'000ull,
                                   .exe_sid = exe,
                                   .options_sid = options,
                                   .version_sid = version});
    out_.Add(format::ModuleRecord{.id = 1, .path_sid = exe, .load_bias = 0x555555554000ull,
                                  .build_id = std::string(20, '\x5a')});
    file_sid_ = String("src/synthetic/server.cc");
    function_sid_ = String("void synthetic::Worker::Run()");
    for (uint64_t s = 0; s < kAccessSites; ++s) {
      read_sites_.push_back(Site(0x10000 + s * 0x40));
      write_sites_.push_back(Site(0x11000 + s * 0x40));
      held_sites_.push_back(Stack({{1, 0x12000 + s * 0x40}}));
      acquire_sites_.push_back(Site(0x13000 + s * 0x40));
    }
    handoff_write_site_ = Site(0x14000);
    handoff_read_site_ = Site(0x14040);
    for (uint64_t k = 0; k < 2 * flags_.races; ++k) race_sites_.push_back(Site(0x20000 + k * 0x40));
  }

  uint64_t Class(const std::string& name, format::SyncKind kind, uint32_t line) {
    out_.Add(format::ClassRecord{.id = next_class_,
                                 .name_sid = String(name),
                                 .kind = kind,
                                 .file_sid = file_sid_,
                                 .line = line,
                                 .function_sid = function_sid_});
    return next_class_++;
  }
  uint64_t Instance(uint64_t class_id, format::SyncKind kind, uint32_t line) {
    out_.Add(format::InstanceRecord{.id = next_instance_,
                                    .class_id = class_id,
                                    .kind = kind,
                                    .file_sid = file_sid_,
                                    .line = line});
    return next_instance_++;
  }

  // Every object is defined up front (the runtime defines each just before its first event;
  // either is valid). Ten locks share a class, as do the ten variables they guard.
  void Definitions() {
    using format::SyncKind;
    uint64_t lock_class = 0, variable_class = 0;
    for (uint64_t i = 0; i < flags_.locks; ++i) {
      const uint32_t line = static_cast<uint32_t>(100 + i / 10);
      if (i % 10 == 0) {
        lock_class = Class(absl::StrFormat("lock-%04d", i / 10), SyncKind::kLock, line);
      }
      lock_ids_.push_back(Instance(lock_class, SyncKind::kLock, line));
    }
    for (uint64_t i = 0; i < flags_.locks; ++i) {
      const uint32_t line = static_cast<uint32_t>(5000 + i / 10);
      if (i % 10 == 0) {
        variable_class = Class(absl::StrFormat("guarded-%04d", i / 10), SyncKind::kShared, line);
      }
      variable_ids_.push_back(Instance(variable_class, SyncKind::kShared, line));
    }
    for (uint64_t j = 0; j < kEventObjects; ++j) {
      const uint32_t line = static_cast<uint32_t>(9000 + j);
      event_ids_.push_back(Instance(Class(absl::StrCat("ready-", j), SyncKind::kEvent, line),
                                    SyncKind::kEvent, line));
      handoff_ids_.push_back(Instance(
          Class(absl::StrCat("handed-off-", j), SyncKind::kShared, line), SyncKind::kShared, line));
    }
    for (uint64_t k = 0; k < flags_.races; ++k) {
      const uint32_t line = static_cast<uint32_t>(9500 + k);
      race_ids_.push_back(Instance(Class(absl::StrCat("racy-", k), SyncKind::kShared, line),
                                   SyncKind::kShared, line));
    }
  }

  // Main starts the workers: a spawn event each, closing the segment its child starts from.
  void Spawn() {
    threads_.resize(flags_.threads);
    for (uint32_t i = 0; i < threads_.size(); ++i) {
      Thread& t = threads_[i];
      t.tid = i + 1;
      for (uint32_t p = 0; p < kNestPatterns; ++p) {
        const uint64_t a = random_.Below(flags_.locks - 1);
        t.nests.emplace_back(a, a + 1 + random_.Below(flags_.locks - 1 - a));
      }
    }
    for (uint64_t j = 0; j < kEventObjects; ++j) {
      threads_[first_actor_ + j % (threads_.size() - first_actor_)].tokens.push_back(j);
    }
    Thread& main = threads_[0];
    main.start_tsc = main.last_tsc = tsc_;
    out_.Add(format::ThreadStartRecord{.tid = 1, .name_sid = String("main"), .os_tid = 4242,
                                       .time_ns = Ns(tsc_)});
    for (uint32_t i = 1; i < threads_.size(); ++i) {
      Thread& t = threads_[i];
      Event(main, format::EventOp::kSpawn, {});
      t.start_tsc = t.last_tsc = tsc_;
      out_.Add(format::ThreadStartRecord{.tid = t.tid,
                                         .parent_tid = 1,
                                         .parent_segment = main.segment,
                                         .name_sid = String(absl::StrCat("worker-", i)),
                                         .os_tid = 4242 + i,
                                         .time_ns = Ns(tsc_)});
      NextSegment(main);
    }
  }

  // A thread that runs actions: any, or with --idle_main=1 a worker.
  Thread& Actor() {
    return threads_[first_actor_ + random_.Below(threads_.size() - first_actor_)];
  }
  // Another one.
  Thread& OtherActor(const Thread& t) {
    const size_t actors = threads_.size() - first_actor_;
    return threads_[first_actor_ + (t.tid - first_actor_ + random_.Below(actors - 1)) % actors];
  }

  // Appends one event to the thread's buffer, writing the buffer out first if it is full.
  void Event(Thread& t, format::EventOp op, const format::EventOperands& operands) {
    if (kBlockBytes - t.used < format::kMaxEventBytes) WriteBlock(t);
    tsc_ += 20 + random_.Below(80);
    const uint64_t ticks = (tsc_ - t.last_tsc) >> format::kEventTickShift;
    t.last_tsc += ticks << format::kEventTickShift;
    t.used = static_cast<size_t>(
        format::AppendEvent(t.data.data() + t.used, op, ticks, operands) - t.data.data());
    ++t.count;
    ++events_;
  }

  void WriteBlock(Thread& t) {
    if (t.count != 0) {
      out_.Add(format::EventBlockRecord{
          .tid = t.tid,
          .segment = t.block_segment,
          .start_ns = Ns(t.start_tsc),
          .tick_ps = kTickPs,
          .count = t.count,
          .events = std::string(reinterpret_cast<const char*>(t.data.data()), t.used)});
      ++blocks_;
    }
    t.used = 0;
    t.count = 0;
    t.start_tsc = t.last_tsc;
    t.block_segment = t.segment;
  }

  // After a send, receive, spawn or join: the counts of the segment's dependencies (the
  // runtime writes them later, when its cache evicts them or the thread ends).
  void NextSegment(Thread& t) {
    WriteCounts(t);
    t.dependencies.clear();
    ++t.segment;
    if (t.count == 0) t.block_segment = t.segment;
  }

  void WriteCounts(Thread& t) {
    for (const auto& [key, dep] : t.dependencies) {
      if (dep.repeats != 0) {
        out_.Add(format::DependencyCountRecord{.id = dep.id, .count = dep.repeats});
      }
    }
  }

  // Thread t, holding `outer`, takes `inner`: a dependency record the first time in the
  // segment, as the runtime writes it (before the acquire event, which waits in the buffer).
  void NoteNested(Thread& t, uint64_t outer, uint8_t outer_flags, uint64_t inner,
                  uint8_t inner_flags) {
    const uint64_t key =
        (outer << 3 | outer_flags) * (flags_.locks << 3) + (inner << 3 | inner_flags);
    auto [it, inserted] = t.dependencies.try_emplace(key);
    if (!inserted) {
      ++it->second.repeats;
      return;
    }
    it->second.id = next_dependency_++;
    format::DependencyRecord dep;
    dep.id = it->second.id;
    dep.tid = t.tid;
    dep.segment = t.segment;
    dep.acquired = lock_ids_[inner];
    dep.flags = inner_flags;
    dep.held.push_back({.instance = lock_ids_[outer],
                        .flags = outer_flags,
                        .stack_id = held_sites_[random_.Below(held_sites_.size())]});
    dep.stack_id = acquire_sites_[random_.Below(acquire_sites_.size())];
    dep.time_ns = Ns(tsc_);
    out_.Add(dep);
  }

  void CriticalSection(Thread& t) {
    uint64_t held[2];
    uint8_t flags[2];
    size_t depth = 1;
    if (random_.Below(5) == 0) {
      const auto& [outer, inner] = t.nests[random_.Below(t.nests.size())];
      held[0] = outer;
      held[1] = inner;
      depth = 2;
    } else {
      held[0] = random_.Below(flags_.locks);
    }
    for (size_t i = 0; i < depth; ++i) {
      flags[i] = random_.Below(50) == 0 ? format::kAcquireTry : 0;
      if (i > 0) NoteNested(t, held[0], flags[0], held[i], flags[i]);
      Event(t, flags[i] != 0 ? format::EventOp::kAcquireFlags : format::EventOp::kAcquire,
            {.object = lock_ids_[held[i]], .seq = ++acquisitions_[held[i]], .flags = flags[i]});
    }
    for (uint64_t a = random_.Below(3); a > 0; --a) {
      const uint64_t variable = variable_ids_[held[random_.Below(depth)]];
      const bool write = random_.Below(4) == 0;
      Event(t, write ? format::EventOp::kWrite : format::EventOp::kRead,
            {.object = variable,
             .site = (write ? write_sites_ : read_sites_)[random_.Below(kAccessSites)]});
      ++accesses_;
    }
    for (size_t i = depth; i > 0; --i) {
      Event(t, format::EventOp::kRelease, {.object = lock_ids_[held[i - 1]]});
    }
  }

  // Writes the token's variable and sends it to a random other thread.
  void Handoff(Thread& t) {
    const uint64_t j = t.tokens.back();
    t.tokens.pop_back();
    Event(t, format::EventOp::kWrite, {.object = handoff_ids_[j], .site = handoff_write_site_});
    const uint64_t seq = ++sends_[j];
    Event(t, format::EventOp::kSend, {.object = event_ids_[j], .seq = seq});
    NextSegment(t);
    OtherActor(t).receives.emplace_back(j, seq);
    ++handoffs_;
    accesses_ += 2;
  }

  void Receive(Thread& t) {
    const auto [j, seq] = t.receives.front();
    t.receives.pop_front();
    Event(t, format::EventOp::kReceive, {.object = event_ids_[j], .seq = seq});
    NextSegment(t);
    Event(t, format::EventOp::kRead, {.object = handoff_ids_[j], .site = handoff_read_site_});
    t.tokens.push_back(j);
  }

  // Two threads write variable k, one right after the other, with no lock.
  void InjectRace(uint64_t k) {
    Thread& a = Actor();
    Thread& b = OtherActor(a);
    Event(a, format::EventOp::kWrite, {.object = race_ids_[k], .site = race_sites_[2 * k]});
    Event(b, format::EventOp::kWrite, {.object = race_ids_[k], .site = race_sites_[2 * k + 1]});
    accesses_ += 2;
  }

  // Hand-offs in flight are received; each worker's last block, counts and end, then main
  // joins it; main ends last.
  void End() {
    for (Thread& t : threads_) {
      while (!t.receives.empty()) Receive(t);
    }
    Thread& main = threads_[0];
    for (size_t i = 1; i < threads_.size(); ++i) {
      Thread& t = threads_[i];
      WriteBlock(t);
      WriteCounts(t);
      out_.Add(format::ThreadEndRecord{.tid = t.tid, .segment = t.segment, .time_ns = Ns(tsc_)});
      out_.Add(format::ThreadJoinRecord{
          .joiner = 1, .joiner_segment = main.segment, .joined = t.tid, .time_ns = Ns(tsc_)});
      Event(main, format::EventOp::kJoin, {.object = t.tid});
      NextSegment(main);
    }
    WriteBlock(main);
    WriteCounts(main);
    out_.Add(format::ThreadEndRecord{.tid = 1, .segment = main.segment, .time_ns = Ns(tsc_)});
  }

  const Flags& flags_;
  TraceFile& out_;
  Random random_;
  std::vector<Thread> threads_;
  const size_t first_actor_ = flags_.idle_main != 0 ? 1 : 0;  // threads_[0] is main
  std::vector<uint64_t> acquisitions_;  // by lock index: acquisitions so far (the last seq)
  std::vector<uint64_t> sends_;         // by Event object: sends so far
  std::vector<uint64_t> lock_ids_, variable_ids_, event_ids_, handoff_ids_, race_ids_;
  std::vector<uint64_t> read_sites_, write_sites_, held_sites_, acquire_sites_, race_sites_;
  uint64_t handoff_write_site_ = 0;
  uint64_t handoff_read_site_ = 0;
  uint64_t file_sid_ = 0;
  uint64_t function_sid_ = 0;
  uint64_t next_string_ = 1;
  uint64_t next_stack_ = 1;
  uint64_t next_class_ = 1;
  uint64_t next_instance_ = 1;
  uint64_t next_dependency_ = 1;
  uint64_t tsc_ = 2'560'000'000ull;  // one second after the process started
  uint64_t events_ = 0;
  uint64_t blocks_ = 0;
  uint64_t handoffs_ = 0;
  uint64_t accesses_ = 0;
};

constexpr char kUsage[] =
    "usage: gen_trace --out=FILE [--locks=100000] [--classes=1000] [--deps=1000000]\n"
    "                 [--threads=64] [--cycles=10] [--seed=1]\n"
    "       gen_trace --out=FILE --events=N [--locks=1000] [--threads=8] [--races=0]\n"
    "                 [--idle_main=0] [--seed=1]                       (full mode)\n";

bool ParseFlags(int argc, char** argv, Flags& flags, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (!absl::StartsWith(arg, "--") || eq == std::string::npos) {
      error = absl::StrCat("unexpected argument '", arg, "'");
      return false;
    }
    const std::string name = arg.substr(2, eq - 2), value = arg.substr(eq + 1);
    if (name == "out") {
      flags.out = value;
      continue;
    }
    uint64_t* target = name == "events"    ? &flags.events
                       : name == "races"   ? &flags.races
                       : name == "idle_main" ? &flags.idle_main
                       : name == "locks"   ? &flags.locks
                       : name == "classes" ? &flags.classes
                       : name == "deps"    ? &flags.deps
                       : name == "threads" ? &flags.threads
                       : name == "cycles"  ? &flags.cycles
                       : name == "seed"    ? &flags.seed
                                           : nullptr;
    if (target == nullptr) {
      error = absl::StrCat("unknown flag --", name);
      return false;
    }
    if (!absl::SimpleAtoi(value, target)) {
      error = absl::StrCat("--", name, ": '", value, "' is not a non-negative integer");
      return false;
    }
  }
  const bool full = flags.events != 0;
  if (flags.locks == 0) flags.locks = full ? 1000 : 100000;
  if (flags.threads == 0) flags.threads = full ? 8 : 64;
  if (flags.out.empty()) error = "--out is required";
  else if (full) {
    if (flags.locks < 2) error = "need locks >= 2";
    else if (flags.threads < 2 + (flags.idle_main != 0) || flags.threads > UINT32_MAX / 2) {
      error = "need threads >= 2 (3 with --idle_main=1)";
    } else if (flags.locks > (uint64_t{1} << 28)) {
      error = "need locks <= 2^28";
    }
  } else if (flags.classes < 2 || flags.classes > flags.locks) error = "need 2 <= classes <= locks";
  else if (flags.threads < 2 || flags.threads > UINT32_MAX / 2) error = "need threads >= 2";
  else if (flags.classes < 2 * (flags.cycles + 1)) error = "need classes >= 2 * (cycles + 1)";
  else if (flags.deps < 2 * (flags.cycles + 1)) error = "need deps >= 2 * (cycles + 1)";
  // Distinct ordinary dependencies must exist: leave the generator plenty of room.
  else if (flags.deps > flags.locks * flags.threads) error = "need deps <= locks * threads";
  return error.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, flags, error)) {
    std::fprintf(stderr, "gen_trace: %s\n%s", error.c_str(), kUsage);
    return 2;
  }
  std::FILE* file = std::fopen(flags.out.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "gen_trace: %s: cannot create: %s\n", flags.out.c_str(),
                 std::strerror(errno));
    return 2;
  }
  TraceFile out(file);
  if (flags.events != 0) {
    FullGenerator generator(flags, out);
    generator.Run();
    if (!out.Close()) {
      std::fprintf(stderr, "gen_trace: %s: write failed\n", flags.out.c_str());
      return 2;
    }
    // key=value, for bench/run_replay_bench.sh to check the analysis against.
    std::printf("%s: mode=full events=%llu blocks=%llu records=%llu threads=%llu "
                "instances=%llu locks=%llu dependencies=%llu handoffs=%llu accesses=%llu "
                "races=%llu\n",
                flags.out.c_str(), static_cast<unsigned long long>(generator.events()),
                static_cast<unsigned long long>(generator.blocks()),
                static_cast<unsigned long long>(out.records()),
                static_cast<unsigned long long>(flags.threads),
                static_cast<unsigned long long>(generator.instances()),
                static_cast<unsigned long long>(flags.locks),
                static_cast<unsigned long long>(generator.dependency_records()),
                static_cast<unsigned long long>(generator.handoffs()),
                static_cast<unsigned long long>(generator.accesses()),
                static_cast<unsigned long long>(flags.races));
    return 0;
  }
  Generator generator(flags, out);
  generator.Run();
  if (!out.Close()) {
    std::fprintf(stderr, "gen_trace: %s: write failed\n", flags.out.c_str());
    return 2;
  }
  std::printf("%s: %llu dependency records, %llu dependency-count records, %llu locks, "
              "%llu classes, %llu threads, %llu injected cycles\n",
              flags.out.c_str(), static_cast<unsigned long long>(generator.dependency_records()),
              static_cast<unsigned long long>(generator.count_records()),
              static_cast<unsigned long long>(flags.locks),
              static_cast<unsigned long long>(flags.classes),
              static_cast<unsigned long long>(flags.threads),
              static_cast<unsigned long long>(flags.cycles));
  return 0;
}
