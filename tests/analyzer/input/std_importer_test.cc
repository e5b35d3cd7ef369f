// Tests of analyzer/input/std_importer.h: the parser of STD lines (every op, ids kept as written,
// whitespace, each malformed case), and the mapping of an STD trace onto the model — threads,
// fork/join orders, dependencies counted as the runtime counts them, locations as sites, the
// lock and thread discipline (errors naming the line; lines that break the lock discipline
// repaired with a bounded warning each, or errors when strict), req, wait and notify, races
// through the replay.
#include "analyzer/input/std_importer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/input/trace_reader.h"
#include "analyzer/model/model.h"
#include "analyzer/replay/event_replay.h"
#include "analyzer/symbols/stack_symbolizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace lockgraph::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

// ---- Parsing one line ----

StdEvent Parsed(absl::string_view line) {
  absl::StatusOr<StdEvent> e = ParseStdLine(line);
  EXPECT_TRUE(e.ok()) << line << ": " << e.status();
  return e.ok() ? *e : StdEvent();
}

std::string ParseError(absl::string_view line) {
  absl::StatusOr<StdEvent> e = ParseStdLine(line);
  EXPECT_FALSE(e.ok()) << line << " parsed";
  return e.ok() ? "" : std::string(e.status().message());
}

TEST(ParseStdLine, ReadsEveryOp) {
  const struct {
    const char* line;
    StdOp op;
    const char* name;
    const char* arg;
  } cases[] = {
      {"T2|acq(L34)|120", StdOp::kAcquire, "acq", "L34"},
      {"T2|rel(L34)|121", StdOp::kRelease, "rel", "L34"},
      {"T0|r(V123)|345", StdOp::kRead, "r", "V123"},
      {"T1|w(V234.23[0])|456", StdOp::kWrite, "w", "V234.23[0]"},
      {"T0|fork(T2)|123", StdOp::kFork, "fork", "T2"},
      {"T0|join(T2)|124", StdOp::kJoin, "join", "T2"},
      {"T1|begin|5", StdOp::kBegin, "begin", ""},
      {"T1|end|6", StdOp::kEnd, "end", ""},
      {"T1|req(L1)|7", StdOp::kRequest, "req", "L1"},
      {"T1|wait(L1)|8", StdOp::kWait, "wait", "L1"},
      {"T1|notify(L1)|9", StdOp::kNotify, "notify", "L1"},
      {"T1|notifyAll(L1)|10", StdOp::kNotifyAll, "notifyAll", "L1"},
  };
  for (const auto& c : cases) {
    const StdEvent e = Parsed(c.line);
    EXPECT_EQ(e.op, c.op) << c.line;
    EXPECT_STREQ(StdOpName(e.op), c.name) << c.line;
    EXPECT_EQ(e.arg, c.arg) << c.line;
  }
  const StdEvent acq = Parsed("T2|acq(L34)|120");
  EXPECT_EQ(acq.thread, "T2");
  EXPECT_EQ(acq.location, 120u);
}

TEST(ParseStdLine, BeginAndEndTakeAnOptionalArgument) {
  EXPECT_EQ(Parsed("T1|begin()|5").op, StdOp::kBegin);
  EXPECT_EQ(Parsed("T1|end(tx7)|6").op, StdOp::kEnd);
  EXPECT_TRUE(Parsed("T1|end(tx7)|6").arg.empty());
}

TEST(ParseStdLine, KeepsBareNumericIdsOfAnyLengthAsWritten) {
  const StdEvent fork = Parsed("0|fork(9)|1");
  EXPECT_EQ(fork.thread, "0");
  EXPECT_EQ(fork.arg, "9");
  // Past 2^32 and past 2^64: ids are names, never truncated.
  const StdEvent big = Parsed("4294967297|acq(18446744073709551617)|4294967295");
  EXPECT_EQ(big.thread, "4294967297");
  EXPECT_EQ(big.arg, "18446744073709551617");
  EXPECT_EQ(big.location, 4294967295u);
  EXPECT_EQ(Parsed("T1|w(007)|0").arg, "007");
}

TEST(ParseStdLine, IgnoresSpacesAroundFieldsAndACarriageReturn) {
  const StdEvent e = Parsed(" T1 \t| acq( L1 ) |  12 \r");
  EXPECT_EQ(e.thread, "T1");
  EXPECT_EQ(e.op, StdOp::kAcquire);
  EXPECT_EQ(e.arg, "L1");
  EXPECT_EQ(e.location, 12u);
  EXPECT_TRUE(IsBlankStdLine(""));
  EXPECT_TRUE(IsBlankStdLine(" \t\r"));
  EXPECT_FALSE(IsBlankStdLine("T1|begin|1"));
}

TEST(ParseStdLine, RejectsEveryMalformedLine) {
  EXPECT_THAT(ParseError("T1 acq(L1) 3"), HasSubstr("expected 3 fields"));
  EXPECT_THAT(ParseError("T1|acq(L1)"), HasSubstr("found 2"));
  EXPECT_THAT(ParseError("T1|acq(L1)|3|4"), HasSubstr("found 4"));
  EXPECT_THAT(ParseError("|acq(L1)|3"), HasSubstr("thread id is empty"));
  EXPECT_THAT(ParseError("T 1|acq(L1)|3"), HasSubstr("contains a space"));
  EXPECT_THAT(ParseError("T1||3"), HasSubstr("unknown op"));
  EXPECT_THAT(ParseError("T1|acq|3"), HasSubstr("acq needs an argument"));
  EXPECT_THAT(ParseError("T1|acq(L1|3"), HasSubstr("does not end with ')'"));
  EXPECT_THAT(ParseError("T1|acq()|3"), HasSubstr("acq() has no argument"));
  EXPECT_THAT(ParseError("T1|acq(L 1)|3"), HasSubstr("\"L 1\" contains a space"));
  EXPECT_THAT(ParseError("T1|acq(L1)|"), HasSubstr("location \"\" is not a number"));
  EXPECT_THAT(ParseError("T1|acq(L1)|x3"), HasSubstr("location \"x3\" is not a number"));
  EXPECT_THAT(ParseError("T1|acq(L1)|-3"), HasSubstr("location \"-3\" is not a number"));
  EXPECT_THAT(ParseError("T1|acq(L1)|4294967296"), HasSubstr("from 0 to 4294967295"));
}

TEST(ParseStdLine, RejectsUnknownOpsByName) {
  EXPECT_THAT(ParseError("T1|lock(L1)|3"), HasSubstr("unknown op \"lock\""));
  EXPECT_THAT(ParseError("T1|Acq(L1)|3"), HasSubstr("unknown op \"Acq\""));  // case matters
  EXPECT_THAT(ParseError("T1|sync(L1)|3"), HasSubstr("expected acq, rel, r, w, fork"));
}

// ---- Importing a trace ----

absl::StatusOr<std::string> Import(const std::vector<std::string>& lines,
                                   StdImportStats* stats = nullptr,
                                   StdImportOptions options = {}) {
  StdImporter importer("t.std", options);
  for (const std::string& line : lines) {
    if (absl::Status s = importer.AddLine(line); !s.ok()) return s;
  }
  absl::StatusOr<std::string> trace = importer.Finish();
  if (stats != nullptr) *stats = importer.stats();
  return trace;
}

std::string ImportError(const std::vector<std::string>& lines, StdImportOptions options = {}) {
  absl::StatusOr<std::string> trace = Import(lines, nullptr, options);
  EXPECT_FALSE(trace.ok()) << "imported: " << absl::StrJoin(lines, "\n");
  return trace.ok() ? "" : std::string(trace.status().message());
}

struct Imported {
  Model model;
  ReplayStats replay;
};

// The model of an STD trace, replayed as `lockgraph analyze` does.
std::unique_ptr<Imported> Load(const std::vector<std::string>& lines,
                               StdImportOptions options = {}) {
  auto out = std::make_unique<Imported>();
  absl::StatusOr<std::string> trace = Import(lines, nullptr, options);
  EXPECT_TRUE(trace.ok()) << trace.status();
  if (!trace.ok()) return out;
  absl::Status added = out->model.AddTraceBytes("t.std", *std::move(trace));
  EXPECT_TRUE(added.ok()) << added;
  out->model.Finish();
  EXPECT_TRUE(out->model.has_events());
  absl::Status replayed = ReplayEvents(out->model, &out->replay);
  EXPECT_TRUE(replayed.ok()) << replayed;
  EXPECT_THAT(out->model.warnings(), IsEmpty());
  return out;
}

uint32_t ThreadNamed(const Model& model, const std::string& name) {
  for (uint32_t id = 1; id <= model.thread_count(); ++id) {
    if (model.thread(id).name == name) return id;
  }
  ADD_FAILURE() << "no thread " << name;
  return 0;
}

std::string LockName(const Model& model, uint32_t lock) {
  return model.lock_class(model.lock(lock).class_id).name;
}

// "T1 holds [L1] takes L2 (segment 0, 3 times)"
std::string Describe(const Model& model, const ModelDependency& d) {
  std::vector<std::string> held;
  for (const HeldRef& h : d.held) held.push_back(LockName(model, h.lock));
  return absl::StrCat(model.thread(d.thread).name, " holds [", absl::StrJoin(held, ","),
                      "] takes ", LockName(model, d.acquired), " (segment ", d.segment, ", ",
                      d.count, d.count == 1 ? " time)" : " times)");
}

std::vector<std::string> Dependencies(const Model& model) {
  std::vector<std::string> out;
  for (const ModelDependency& d : model.dependencies()) out.push_back(Describe(model, d));
  return out;
}

std::string Site(const Model& model, StackRef stack) {
  StackSymbolizer symbolizer(model.traces(), std::nullopt);
  const std::vector<SourceFrame> frames = symbolizer.Frames(stack);
  return frames.empty() ? "" : FrameSite(frames[0]);
}

TEST(StdImporter, ThreadsAreNamedAsInTheFileAndForkAndJoinOrderThem) {
  auto r = Load({"T0|fork(T1)|1", "T1|acq(L1)|10", "T1|rel(L1)|11", "T0|join(T1)|2",
                 "T0|fork(T2)|3", "T2|acq(L1)|20", "T2|rel(L1)|21", "T9|acq(L1)|30",
                 "T9|rel(L1)|31"});
  const Model& m = r->model;
  ASSERT_EQ(m.thread_count(), 4u);
  const uint32_t t0 = ThreadNamed(m, "T0"), t1 = ThreadNamed(m, "T1"),
                 t2 = ThreadNamed(m, "T2"), t9 = ThreadNamed(m, "T9");
  EXPECT_EQ(m.thread(t1).parent, t0);
  EXPECT_EQ(m.thread(t9).parent, 0u);  // never forked: unordered
  // T0's past before the fork comes before T1; T1 before T0 after the join, so before T2.
  EXPECT_TRUE(m.order().HappensBefore({t0, 0}, {t1, 0}));
  EXPECT_TRUE(m.order().HappensBefore({t1, 0}, {t2, 0}));
  EXPECT_FALSE(m.order().Ordered({t9, 0}, {t1, 0}));
  EXPECT_FALSE(m.order().Ordered({t9, 0}, {t2, 0}));
  EXPECT_EQ(r->replay.unmatched, 0u);
}

TEST(StdImporter, BareNumericIdsBeyond32BitsStayDistinct) {
  // Truncated to 32 bits, threads 4294967297 and 1 (and the locks) would be one.
  auto r = Load({"4294967297|acq(18446744073709551617)|1", "4294967297|acq(1)|2",
                 "4294967297|rel(1)|3", "4294967297|rel(18446744073709551617)|4", "1|acq(1)|5",
                 "1|acq(18446744073709551617)|6", "1|rel(18446744073709551617)|7",
                 "1|rel(1)|8"});
  EXPECT_THAT(Dependencies(r->model),
              ElementsAre("4294967297 holds [18446744073709551617] takes 1 (segment 0, 1 time)",
                          "1 holds [1] takes 18446744073709551617 (segment 0, 1 time)"));
  EXPECT_EQ(r->model.lock_count(), 2u);
}

TEST(StdImporter, CountsADependencyOncePerThreadSegmentAndHeldSet) {
  std::vector<std::string> lines = {"T0|fork(T1)|1"};
  for (int i = 0; i < 3; ++i) {
    for (const char* l : {"T1|acq(A)|10", "T1|acq(B)|11", "T1|rel(B)|12", "T1|rel(A)|13"}) {
      lines.push_back(l);
    }
  }
  lines.push_back("T0|acq(A)|20");  // nothing held: no dependency
  lines.push_back("T0|rel(A)|21");
  auto r = Load(lines);
  EXPECT_THAT(Dependencies(r->model), ElementsAre("T1 holds [A] takes B (segment 0, 3 times)"));
  const ModelDependency& d = r->model.dependencies()[0];
  EXPECT_EQ(Site(r->model, d.stack), "t.std:11");
  EXPECT_EQ(Site(r->model, d.held_site(0)), "t.std:10");
  // Each lock is an instance of a class named by its id, first used at its first location.
  const ModelLock& a = r->model.lock(d.held[0].lock);
  EXPECT_EQ(r->model.lock_class(a.class_id).name, "A");
  EXPECT_EQ(a.kind, format::SyncKind::kLock);
  EXPECT_EQ(a.file, "t.std");
  EXPECT_EQ(a.line, 10u);
}

TEST(StdImporter, ForkAndJoinStartNewSegments) {
  auto r = Load({"T0|acq(A)|1", "T0|acq(B)|2", "T0|rel(B)|3", "T0|fork(T1)|4", "T0|acq(B)|5",
                 "T0|rel(B)|6", "T0|join(T1)|7", "T0|acq(B)|8", "T0|rel(B)|9", "T0|rel(A)|10"});
  EXPECT_THAT(Dependencies(r->model), ElementsAre("T0 holds [A] takes B (segment 0, 1 time)",
                                                  "T0 holds [A] takes B (segment 1, 1 time)",
                                                  "T0 holds [A] takes B (segment 2, 1 time)"));
}

TEST(StdImporter, ReentryIsNotRecordedAndNeedsAsManyReleases) {
  auto r = Load({"T1|acq(A)|1", "T1|acq(A)|2", "T1|acq(B)|3", "T1|rel(B)|4", "T1|rel(A)|5",
                 "T1|acq(C)|6", "T1|rel(C)|7", "T1|rel(A)|8", "T1|acq(C)|9", "T1|rel(C)|10"});
  // A is held once more after its inner release: C at 6 is taken under it, C at 9 is not.
  EXPECT_THAT(Dependencies(r->model), ElementsAre("T1 holds [A] takes B (segment 0, 1 time)",
                                                  "T1 holds [A] takes C (segment 0, 1 time)"));
  EXPECT_EQ(Site(r->model, r->model.dependencies()[0].held_site(0)), "t.std:1");
}

TEST(StdImporter, ALockAndAVariableWithOneIdAreToldApart) {
  auto r = Load({"T1|w(7)|1", "T1|acq(7)|2", "T1|acq(8)|3", "T1|rel(8)|4", "T1|rel(7)|5"});
  ASSERT_THAT(r->model.dependencies(), SizeIs(1));
  EXPECT_EQ(LockName(r->model, r->model.dependencies()[0].held[0].lock), "7 (lock)");
  EXPECT_EQ(LockName(r->model, r->model.dependencies()[0].acquired), "8");
}

TEST(StdImporter, AccessesWithNoCommonLockRaceWithBothLocations) {
  auto r = Load({"T0|fork(T1)|1", "T0|fork(T2)|2", "T1|w(V1)|30", "T2|r(V1)|40"});
  ASSERT_THAT(r->model.races(), SizeIs(1));
  const ModelRace& race = r->model.races()[0];
  EXPECT_EQ(LockName(r->model, race.variable), "V1");
  EXPECT_EQ(r->model.lock(race.variable).kind, format::SyncKind::kShared);
  EXPECT_EQ(r->model.thread(race.first.thread).name, "T1");
  EXPECT_TRUE(race.first.write);
  EXPECT_EQ(Site(r->model, race.first.site), "t.std:30");
  EXPECT_EQ(r->model.thread(race.second.thread).name, "T2");
  EXPECT_FALSE(race.second.write);
  EXPECT_EQ(Site(r->model, race.second.site), "t.std:40");
}

TEST(StdImporter, AccessesUnderACommonLockOrForkAndJoinDoNotRace) {
  auto r = Load({"T0|w(V1)|1", "T0|fork(T1)|2", "T0|fork(T2)|3", "T1|acq(L)|10",
                 "T1|w(V1)|11", "T1|rel(L)|12", "T2|acq(L)|20", "T2|r(V1)|21", "T2|rel(L)|22",
                 "T0|join(T1)|4", "T0|join(T2)|5", "T0|w(V1)|6"});
  EXPECT_THAT(r->model.races(), IsEmpty());
  EXPECT_EQ(r->replay.accesses, 4u);
}

TEST(StdImporter, ManyEventsSpanSeveralBlocksAndReplayInFull) {
  std::vector<std::string> lines = {"T0|fork(T1)|1", "T0|fork(T2)|2"};
  constexpr int kRounds = 20'000;
  for (int i = 0; i < kRounds; ++i) {
    const char* t = i % 2 == 0 ? "T1" : "T2";
    lines.push_back(absl::StrCat(t, "|acq(L)|10"));
    lines.push_back(absl::StrCat(t, "|w(V", i % 7, ")|11"));
    lines.push_back(absl::StrCat(t, "|rel(L)|12"));
  }
  constexpr size_t kFlush = 4096;
  StdImportStats stats;
  absl::StatusOr<std::string> bytes = Import(lines, &stats, {.flush_bytes = kFlush});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(stats.events, lines.size());
  EXPECT_EQ(stats.variables, 7u);
  int blocks = 0;
  ASSERT_TRUE(ParseTrace(*bytes, "t.std", [&](const Trace&, const TraceRecord& r) {
                blocks += std::holds_alternative<format::EventBlockRecord>(r.record);
              }).ok());
  EXPECT_GT(blocks, 20);
  auto r = Load(lines, {.flush_bytes = kFlush});
  EXPECT_EQ(r->replay.accesses, static_cast<uint64_t>(kRounds));
  EXPECT_EQ(r->replay.events, static_cast<uint64_t>(3 * kRounds + 2));
  EXPECT_EQ(r->replay.unmatched, 0u);
  EXPECT_THAT(r->model.races(), IsEmpty());
}

// ---- The discipline of locks and threads: errors name the line ----

TEST(StdImporter, MalformedLinesAreErrorsNamingTheirLine) {
  EXPECT_EQ(ImportError({"T1|acq(L1)|1", "", "T1|acq(L2)"}),
            "t.std: line 3: expected 3 fields thread|op(arg)|location, found 2");
  EXPECT_THAT(ImportError({"T1|acq(L1)|1", "T1|lock(L1)|2"}),
              StartsWith("t.std: line 2: unknown op \"lock\""));
}

TEST(StdImporter, BlankLinesHoldNoEventButAreCounted) {
  StdImportStats stats;
  ASSERT_TRUE(Import({"", "T1|acq(L1)|1", "  ", "T1|rel(L1)|2", "\r"}, &stats).ok());
  EXPECT_EQ(stats.lines, 5u);
  EXPECT_EQ(stats.events, 2u);
}

constexpr StdImportOptions kStrict = {.strict = true};

TEST(StdImporter, StrictReleasingALockNotHeldIsAnError) {
  EXPECT_EQ(ImportError({"T1|rel(L1)|1"}, kStrict),
            "t.std: line 1: rel(L1) by thread T1, which does not hold it");
  EXPECT_EQ(ImportError({"T1|acq(L1)|1", "T2|rel(L1)|2"}, kStrict),
            "t.std: line 2: rel(L1) by thread T2, which does not hold it: T1 holds it (since "
            "line 1)");
}

TEST(StdImporter, StrictTakingALockAnotherThreadHoldsIsAnError) {
  EXPECT_EQ(ImportError({"T1|acq(L1)|1", "T2|acq(L1)|2"}, kStrict),
            "t.std: line 2: acq(L1) by thread T2, but T1 holds it (since line 1)");
}

TEST(StdImporter, ThreadDisciplineErrorsNameTheirLine) {
  EXPECT_EQ(ImportError({"T0|fork(T0)|1"}), "t.std: line 1: thread T0 forks itself");
  EXPECT_EQ(ImportError({"T0|join(T0)|1"}), "t.std: line 1: thread T0 joins itself");
  EXPECT_EQ(ImportError({"T0|fork(T1)|1", "T0|fork(T1)|2"}),
            "t.std: line 2: fork(T1): it was forked already at line 1");
  EXPECT_EQ(ImportError({"T0|fork(T1)|1", "T1|begin|2", "T2|fork(T1)|3"}),
            "t.std: line 3: fork(T1): it was forked already at line 1");
  EXPECT_EQ(ImportError({"T1|begin|1", "T0|fork(T1)|2"}),
            "t.std: line 2: fork(T1): it has run already, from line 1");
  EXPECT_EQ(ImportError({"T0|join(T1)|1", "T0|fork(T1)|2"}),
            "t.std: line 2: fork(T1): it was joined already at line 1");
  EXPECT_EQ(ImportError({"T0|join(T1)|1", "T0|join(T1)|2"}),
            "t.std: line 2: join(T1): it was joined already at line 1");
  EXPECT_EQ(ImportError({"T0|fork(T1)|1", "T0|join(T1)|2", "T1|w(V)|3"}),
            "t.std: line 3: thread T1 runs after it was joined at line 2");
}

// ---- req, wait and notify ----

TEST(StdImporter, ARequestCountsItsDependencyOnceEvenWithoutItsAcquisition) {
  // T1 acquires after its request; T2's request is the last thing it did (the trace of a
  // deadlocked run ends there), and still counts, as the runtime records before blocking.
  auto r = Load({"T0|fork(T1)|1", "T0|fork(T2)|2", "T1|acq(A)|10", "T1|req(B)|11",
                 "T1|acq(B)|12", "T1|rel(B)|13", "T1|rel(A)|14", "T2|acq(B)|20",
                 "T2|req(A)|21"});
  EXPECT_THAT(Dependencies(r->model), ElementsAre("T1 holds [A] takes B (segment 0, 1 time)",
                                                  "T2 holds [B] takes A (segment 0, 1 time)"));
  EXPECT_EQ(Site(r->model, r->model.dependencies()[0].stack), "t.std:11");
}

TEST(StdImporter, ARequestNotFollowedByItsAcquisitionIsAnError) {
  EXPECT_EQ(ImportError({"T1|req(A)|1", "T2|acq(B)|2", "T1|acq(B)|3"}),
            "t.std: line 3: req(A) of thread T1 at line 1 is not followed by its acq(A): the "
            "thread's next event is acq(B)");
  EXPECT_THAT(ImportError({"T1|req(A)|1", "T1|end|2"}), HasSubstr("next event is end"));
}

// T1 and T2 take A and B in opposite orders; T2 waits on M for T1's notify first.
std::vector<std::string> CycleAfterWait(const std::string& notify) {
  return {"T0|fork(T1)|1", "T0|fork(T2)|2",
          "T2|acq(M)|20",  "T2|wait(M)|21",  // releases M, waits
          "T1|acq(A)|10",  "T1|acq(B)|11",  "T1|rel(B)|12", "T1|rel(A)|13",
          "T1|acq(M)|14",  "T1|" + notify + "(M)|15", "T1|rel(M)|16",
          "T2|rel(M)|22",  // woken, M taken again, released
          "T2|acq(B)|23",  "T2|acq(A)|24",  "T2|rel(A)|25", "T2|rel(B)|26"};
}

TEST(StdImporter, ANotifyOrdersTheWaitItEnds) {
  for (const std::string notify : {"notify", "notifyAll"}) {
    auto r = Load(CycleAfterWait(notify));
    const Model& m = r->model;
    EXPECT_EQ(r->replay.signal_orders, 1u) << notify;
    ASSERT_THAT(m.dependencies(), SizeIs(2));
    const ModelDependency& first = m.dependencies()[0];   // T1: A -> B
    const ModelDependency& second = m.dependencies()[1];  // T2: B -> A, after the wait
    EXPECT_EQ(Describe(m, second), "T2 holds [B] takes A (segment 1, 1 time)");
    EXPECT_TRUE(m.order().HappensBefore({first.thread, first.segment},
                                        {second.thread, second.segment}))
        << notify;
  }
}

TEST(StdImporter, AWaitReleasesItsMonitorAndTakesItBack) {
  // Another thread takes M while T2 waits; T2 holds M again (and N under it) after.
  auto r = Load({"T2|acq(N)|1", "T2|acq(M)|2", "T2|wait(M)|3", "T1|acq(M)|4",
                 "T1|notify(M)|5", "T1|rel(M)|6", "T2|acq(X)|7", "T2|rel(X)|8",
                 "T2|rel(M)|9", "T2|rel(N)|10"});
  // N -> M at 2, and again when the wait takes M back after the notify (the receive starts
  // segment 1); M is held again when X is taken.
  EXPECT_THAT(Dependencies(r->model), ElementsAre("T2 holds [N] takes M (segment 0, 1 time)",
                                                  "T2 holds [N] takes M (segment 1, 1 time)",
                                                  "T2 holds [N,M] takes X (segment 1, 1 time)"));
  EXPECT_EQ(Site(r->model, r->model.dependencies()[1].stack), "t.std:3");
}

TEST(StdImporter, ANotifyWithSeveralWaitersOrdersNone) {
  auto r = Load({"T1|acq(M)|1", "T1|wait(M)|2", "T2|acq(M)|3", "T2|wait(M)|4",
                 "T3|acq(M)|5", "T3|notify(M)|6", "T3|rel(M)|7", "T1|rel(M)|8"});
  EXPECT_EQ(r->replay.signal_orders, 0u);
}

TEST(StdImporter, AWaitOutsideItsMonitorIsOnlyAReceive) {
  // The trace releases and takes M itself around the wait.
  auto r = Load({"T1|acq(M)|1", "T1|rel(M)|2", "T1|wait(M)|3", "T2|acq(M)|4",
                 "T2|notify(M)|5", "T2|rel(M)|6", "T1|acq(M)|7", "T1|rel(M)|8"});
  EXPECT_EQ(r->replay.signal_orders, 1u);
  EXPECT_EQ(r->replay.unmatched, 0u);
}

TEST(StdImporter, StrictReturningFromAWaitWhileAnotherThreadHoldsTheMonitorIsAnError) {
  EXPECT_EQ(ImportError({"T1|acq(M)|1", "T1|wait(M)|2", "T2|acq(M)|3", "T1|rel(M)|4"}, kStrict),
            "t.std: line 4: thread T1 returns from wait(M) holding it again, but T2 holds it "
            "(since line 3)");
}

// ---- Lines that break the lock discipline: repaired with a warning unless strict ----

// The warnings of importing `lines` (which must import), and its stats.
std::vector<std::string> RepairWarnings(const std::vector<std::string>& lines,
                                        StdImportStats* stats = nullptr) {
  StdImporter importer("t.std");
  for (const std::string& line : lines) {
    absl::Status s = importer.AddLine(line);
    EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_TRUE(importer.Finish().ok());
  if (stats != nullptr) *stats = importer.stats();
  return importer.warnings();
}

TEST(StdImporter, ALockTakenWhileAnotherThreadHoldsItIsReleasedByTheHolderJustBefore) {
  const std::vector<std::string> lines = {
      "T1|acq(A)|1", "T1|acq(L)|2", "T2|acq(L)|3",  // T1 released L unrecorded (a wait)
      "T1|acq(B)|4", "T1|rel(B)|5", "T1|rel(L)|6",  // so this rel(L) is a break too
      "T1|rel(A)|7", "T2|rel(L)|8"};
  StdImportStats stats;
  EXPECT_THAT(RepairWarnings(lines, &stats),
              ElementsAre("t.std: line 3: acq(L) by thread T2, but T1 holds it (since line 2): "
                          "repaired as if T1 released it just before",
                          "t.std: line 6: rel(L) by thread T1, which does not hold it: T2 holds "
                          "it (since line 3): ignored"));
  EXPECT_EQ(stats.repaired, 2u);
  auto r = Load(lines);
  // B is taken without L: the repair adds no L -> B that the file does not show.
  EXPECT_THAT(Dependencies(r->model), ElementsAre("T1 holds [A] takes L (segment 0, 1 time)",
                                                  "T1 holds [A] takes B (segment 0, 1 time)"));
  // T1's release runs before T2's acquisition: nothing waits for a partner.
  EXPECT_EQ(r->replay.unmatched, 0u);
  EXPECT_EQ(r->replay.events, 8u);  // the 8 lines, less the ignored rel, plus T1's repaired one
}

TEST(StdImporter, TheRepairedReleaseOrdersTheHoldersPastBeforeTheAcquisition) {
  // As any release does: T1's write comes before T2's read under L.
  auto r = Load({"T0|fork(T1)|1", "T0|fork(T2)|2", "T1|acq(L)|10", "T1|w(V)|11",
                 "T2|acq(L)|20", "T2|r(V)|21", "T2|rel(L)|22"});
  EXPECT_THAT(r->model.races(), IsEmpty());
  EXPECT_EQ(r->replay.accesses, 2u);
  EXPECT_EQ(r->replay.unmatched, 0u);
}

TEST(StdImporter, AReleaseOfALockNotHeldIsIgnored) {
  const std::vector<std::string> lines = {"T1|rel(L1)|1", "T1|acq(L1)|2", "T1|acq(L2)|3",
                                          "T1|rel(L2)|4", "T1|rel(L1)|5"};
  EXPECT_THAT(RepairWarnings(lines),
              ElementsAre("t.std: line 1: rel(L1) by thread T1, which does not hold it: "
                          "ignored"));
  auto r = Load(lines);
  EXPECT_THAT(Dependencies(r->model), ElementsAre("T1 holds [L1] takes L2 (segment 0, 1 time)"));
  EXPECT_EQ(r->replay.events, 4u);
}

TEST(StdImporter, AReturnFromAWaitWhileAnotherThreadHoldsTheMonitorIsRepaired) {
  const std::vector<std::string> lines = {"T1|acq(M)|1", "T1|wait(M)|2", "T2|acq(M)|3",
                                          "T1|rel(M)|4", "T2|rel(M)|5"};
  EXPECT_THAT(RepairWarnings(lines),
              ElementsAre("t.std: line 4: thread T1 returns from wait(M) holding it again, but "
                          "T2 holds it (since line 3): repaired as if T2 released it just before",
                          "t.std: line 5: rel(M) by thread T2, which does not hold it: ignored"));
  EXPECT_EQ(Load(lines)->replay.unmatched, 0u);
}

TEST(StdImporter, ALineThatBreaksTheDisciplineTwiceIsOneRepairedLine) {
  // At line 5 T1 returns from its wait (M is T2's) and takes X (T3's).
  StdImportStats stats;
  EXPECT_THAT(RepairWarnings({"T1|acq(M)|1", "T1|wait(M)|2", "T2|acq(M)|3", "T3|acq(X)|4",
                              "T1|acq(X)|5"},
                             &stats),
              ElementsAre("t.std: line 5: thread T1 returns from wait(M) holding it again, but "
                          "T2 holds it (since line 3): repaired as if T2 released it just "
                          "before; acq(X) by thread T1, but T3 holds it (since line 4): repaired "
                          "as if T3 released it just before"));
  EXPECT_EQ(stats.repaired, 1u);
}

TEST(StdImporter, ALockHeldByAJoinedThreadIsReleasedAtItsEnd) {
  const std::vector<std::string> lines = {"T0|fork(T1)|1", "T1|acq(L)|10", "T0|join(T1)|2",
                                          "T0|acq(L)|3", "T0|rel(L)|4"};
  EXPECT_EQ(ImportError(lines, kStrict),
            "t.std: line 4: acq(L) by thread T0, but T1 holds it (since line 2)");
  EXPECT_THAT(RepairWarnings(lines),
              ElementsAre("t.std: line 4: acq(L) by thread T0, but T1 holds it (since line 2): "
                          "repaired as if T1 released it just before"));
  auto r = Load(lines);
  EXPECT_EQ(r->replay.unmatched, 0u);
  EXPECT_EQ(r->replay.events, 6u);  // T1's release comes before its end
}

TEST(StdImporter, RepairWarningsStopAtTenAndCountTheRest) {
  std::vector<std::string> lines;
  for (int i = 1; i <= 25; ++i) lines.push_back(absl::StrCat("T1|rel(L)|", i));
  StdImportStats stats;
  const std::vector<std::string> warnings = RepairWarnings(lines, &stats);
  EXPECT_EQ(stats.repaired, 25u);
  ASSERT_THAT(warnings, SizeIs(StdImporter::kMaxWarnings + 1));
  EXPECT_EQ(warnings[0], "t.std: line 1: rel(L) by thread T1, which does not hold it: ignored");
  EXPECT_THAT(warnings[9], StartsWith("t.std: line 10: "));
  EXPECT_EQ(warnings[10],
            "t.std: 15 more lines that break the lock discipline were repaired (not shown)");
}

TEST(StdImporter, AWellFormedTraceImportsTheSameStrictOrNot) {
  // Fork, join, wait, notify, req, a re-entry, and T1 ends holding A.
  std::vector<std::string> lines = CycleAfterWait("notify");
  for (const char* line : {"T1|acq(A)|30", "T1|req(B)|31", "T1|acq(B)|31", "T1|acq(A)|32",
                           "T1|rel(A)|33", "T1|rel(B)|34", "T0|join(T1)|3", "T0|join(T2)|4"}) {
    lines.push_back(line);
  }
  StdImportStats stats;
  absl::StatusOr<std::string> repairing = Import(lines, &stats);
  absl::StatusOr<std::string> strict = Import(lines, nullptr, kStrict);
  ASSERT_TRUE(repairing.ok()) << repairing.status();
  ASSERT_TRUE(strict.ok()) << strict.status();
  EXPECT_EQ(*repairing, *strict);
  EXPECT_EQ(stats.repaired, 0u);
  EXPECT_THAT(RepairWarnings(lines), IsEmpty());
}

// ---- Files ----

TEST(ImportStdFile, StreamsAFileWithoutFinalNewline) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/a.std";
  {
    std::string text;
    // About 2 MB: lines cross the 1 MiB chunks the file is read in.
    for (int i = 0; i < 100'000; ++i) absl::StrAppend(&text, "T1|acq(L", i % 3, ")|", i, "\n");
    text.resize(text.size() - 1);
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fwrite(text.data(), 1, text.size(), f);
    fclose(f);
  }
  // L0, L1, L2 are taken and never released; every later line is a re-entry.
  absl::StatusOr<StdImport> imported = ImportStdFile(path);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->stats.lines, 100'000u);
  EXPECT_EQ(imported->stats.locks, 3u);
  EXPECT_EQ(imported->stats.dependencies, 2u);  // L0 -> L1, [L0, L1] -> L2
  EXPECT_EQ(imported->stats.repaired, 0u);
  EXPECT_THAT(imported->warnings, IsEmpty());
}

TEST(ImportStdFile, ErrorsNameTheFileAndLine) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bad.std";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("T1|acq(L1)|1\nT1|rel(L1)|2\nT1|frob(L1)|3\n", f);
  fclose(f);
  absl::StatusOr<StdImport> imported = ImportStdFile(path);
  ASSERT_FALSE(imported.ok());
  EXPECT_THAT(std::string(imported.status().message()),
              StartsWith(path + ": line 3: unknown op \"frob\""));
  EXPECT_FALSE(ImportStdFile(dir.path() + "/missing.std").ok());

  // A line that breaks the lock discipline: a warning naming the file and line, or an error.
  const std::string repaired = dir.path() + "/repaired.std";
  f = fopen(repaired.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("T1|acq(L1)|1\nT2|acq(L1)|2\n", f);
  fclose(f);
  imported = ImportStdFile(repaired);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->stats.repaired, 1u);
  EXPECT_THAT(imported->warnings,
              ElementsAre(repaired + ": line 2: acq(L1) by thread T2, but T1 holds it (since "
                                     "line 1): repaired as if T1 released it just before"));
  EXPECT_EQ(ImportStdFile(repaired, kStrict).status().message(),
            repaired + ": line 2: acq(L1) by thread T2, but T1 holds it (since line 1)");
  EXPECT_THAT(std::string(ImportStdFile(dir.path()).status().message()),
              HasSubstr("is a directory"));
}

}  // namespace
}  // namespace lockgraph::analyzer
