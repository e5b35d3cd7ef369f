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
// Deterministic for a given seed on any platform: the generator is SplitMix64, not <random>'s
// implementation-defined distributions.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/trace_format.h"
#include "common/trace_records.h"

namespace {

namespace format = lockgraph::format;

constexpr uint32_t kClassWindow = 8;    // an ordinary dependency's held classes lie this close
constexpr uint32_t kCaptureStacks = 16;  // distinct acquisition stacks
constexpr uint32_t kSiteStacks = 16;     // distinct one-frame "taken here" stacks
constexpr uint32_t kStackDepth = 12;

struct Flags {
  uint64_t locks = 100000;
  uint64_t classes = 1000;
  uint64_t deps = 1000000;
  uint64_t threads = 64;
  uint64_t cycles = 10;
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
    if (buffer_.size() >= (1u << 20)) Flush();
  }
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

constexpr char kUsage[] =
    "usage: gen_trace --out=FILE [--locks=100000] [--classes=1000] [--deps=1000000]\n"
    "                 [--threads=64] [--cycles=10] [--seed=1]\n";

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
    uint64_t* target = name == "locks"     ? &flags.locks
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
  if (flags.out.empty()) error = "--out is required";
  else if (flags.classes < 2 || flags.classes > flags.locks) error = "need 2 <= classes <= locks";
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
