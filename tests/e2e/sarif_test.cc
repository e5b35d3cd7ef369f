// `lockgraph analyze --format=sarif` (and `lockgraph run`) on corpus programs — a deadlock, a
// long wait, a misuse, a full-mode race: each log is valid against the OASIS SARIF 2.1.0
// schema, and names the rule, level, lines and threads the JSON report names; fingerprints
// are the stable ids; --suppressions, --baseline and --source-root show in the log.
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"
#include "tests/support/sarif_schema.h"

namespace {

using ::lockgraph::testing::LineOf;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::SarifSchemaErrors;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::Corpus;
using ::lockgraph::testing::kCorpus;
using ::lockgraph::testing::kFullCorpus;
using ::lockgraph::testing::kPreloadCorpus;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;
using json = ::nlohmann::json;

int Line(const Corpus& corpus, const std::string& name, const std::string& marker) {
  const int line = LineOf(corpus.Source(name), marker);
  EXPECT_GT(line, 0) << name << " has no line with " << marker;
  return line;
}

// Runs the corpus program with its trace in `dir` and the runtime options `extra`.
void RunTraced(const Corpus& corpus, const std::string& name, const TempDir& dir,
               const std::string& extra = "") {
  const ProcessResult run =
      RunWithOptions(corpus.Program(name),
                     absl::StrCat("quiet=1:trace=", dir.path(), "/", name, ".%p.lgtrace", extra));
  EXPECT_EQ(run.exit_code, 0) << name << ": " << run.stderr_text;
}

struct Sarif {
  std::string path;
  json log;
  int exit_code = -1;
};

// `lockgraph analyze --format=sarif -o OUT/NAME.sarif ARGS... TRACES`.
Sarif AnalyzeSarif(const TempDir& traces, const TempDir& out, const std::string& name,
                   std::vector<std::string> args = {}) {
  Sarif sarif;
  sarif.path = absl::StrCat(out.path(), "/", name, ".sarif");
  args.insert(args.begin(), {"analyze", "--format=sarif", "-o", sarif.path});
  args.push_back(traces.path());
  const ProcessResult run = RunLockgraph(args);
  sarif.exit_code = run.exit_code;
  EXPECT_EQ(run.stdout_text, "") << "the log goes to -o";
  sarif.log = json::parse(ReadFile(sarif.path), nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(sarif.log.is_object()) << "no SARIF log: " << run.stderr_text;
  if (!sarif.log.is_object()) sarif.log = json::object();
  return sarif;
}

const json& Results(const json& log) {
  static const json none = json::array();
  if (!log.contains("runs") || log["runs"].empty()) return none;
  return log["runs"][0]["results"];
}

int StartLine(const json& location) {
  return location["physicalLocation"]["region"].value("startLine", 0);
}

std::string Uri(const json& location) {
  return location["physicalLocation"]["artifactLocation"].value("uri", "");
}

// Related locations as "LINE: MESSAGE".
std::set<std::string> Related(const json& result) {
  std::set<std::string> out;
  for (const json& r : result.value("relatedLocations", json::array())) {
    out.insert(absl::StrCat(StartLine(r), ": ", r["message"]["text"].get<std::string>()));
  }
  return out;
}

std::string Fingerprint(const json& result) {
  return result["partialFingerprints"].value("lockgraph/v1", "");
}

// The JSON report of the same traces, for what both must agree on.
json AnalyzeJson(const TempDir& traces) {
  const ProcessResult run =
      RunLockgraph({"analyze", "--format=json", "--fail-on=never", traces.path()});
  return json::parse(run.stdout_text, nullptr, /*allow_exceptions=*/false);
}

TEST(SarifCli, CorpusLogsAreValidAndPointAtTheLines) {
  TempDir out, deadlock, wait, misuse, race;
  RunTraced(kCorpus, "two_lock_cycle", deadlock);
  RunTraced(kCorpus, "long_hold", wait, ":long_wait=50ms");
  RunTraced(kCorpus, "release_unheld", misuse);
  RunTraced(kFullCorpus, "race_counter", race, ":mode=full");
  const Sarif d = AnalyzeSarif(deadlock, out, "deadlock");
  const Sarif w = AnalyzeSarif(wait, out, "wait", {"--long-wait=100ms"});
  const Sarif m = AnalyzeSarif(misuse, out, "misuse");
  const Sarif r = AnalyzeSarif(race, out, "race", {"--fail-on=race"});
  EXPECT_EQ(SarifSchemaErrors({d.path, w.path, m.path, r.path}), "");
  // Exit codes as for any format: findings at or above --fail-on fail.
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_EQ(w.exit_code, 0);
  EXPECT_EQ(m.exit_code, 0);
  EXPECT_EQ(r.exit_code, 1);

  // The deadlock: the location is the newer order (backward's); both threads' edges are
  // related locations.
  ASSERT_THAT(Results(d.log), SizeIs(1));
  const json& cycle = Results(d.log)[0];
  EXPECT_EQ(cycle["ruleId"], "deadlock");
  EXPECT_EQ(cycle["level"], "error");
  EXPECT_THAT(cycle["message"]["text"].get<std::string>(),
              StartsWith("lock-order cycle between \"A\" and \"B\". Fix: "));
  const std::string name = "two_lock_cycle";
  ASSERT_THAT(cycle["locations"], SizeIs(1));
  EXPECT_EQ(Uri(cycle["locations"][0]), "file://" + kCorpus.Source(name));
  EXPECT_EQ(StartLine(cycle["locations"][0]), Line(kCorpus, name, "// edge: B -> A"));
  const std::set<std::string> related = Related(cycle);
  auto has = [&](const std::string& marker, const std::string& text) {
    const std::string entry = absl::StrCat(Line(kCorpus, name, marker), ": ", text);
    EXPECT_TRUE(related.contains(entry)) << entry << "\nnot in:\n" << json(related).dump(2);
  };
  const json report = AnalyzeJson(deadlock);
  ASSERT_THAT(report["findings"], SizeIs(1));
  std::string forward, backward;
  for (const json& edge : report["findings"][0]["edges"]) {
    (edge["from"] == "A" ? forward : backward) = edge["thread"];
  }
  EXPECT_THAT(forward, HasSubstr("\"forward\""));
  EXPECT_THAT(backward, HasSubstr("\"backward\""));
  has("// held: A (forward)", forward + " holds Lock \"A\", taken here");
  has("// edge: A -> B",
      forward + ", holding Lock \"A\", takes Lock \"B\" here (this order: 1 time)");
  has("// held: B (backward)", backward + " holds Lock \"B\", taken here");
  has("// edge: B -> A",
      backward + ", holding Lock \"B\", takes Lock \"A\" here (this order: 1 time)");
  has("// lock: A", "Lock \"A\", created here");
  EXPECT_EQ(Fingerprint(cycle), report["findings"][0]["id"]);
  EXPECT_THAT(cycle["codeFlows"][0]["threadFlows"], SizeIs(2));

  ASSERT_THAT(Results(w.log), SizeIs(1));
  const json& long_wait = Results(w.log)[0];
  EXPECT_EQ(long_wait["ruleId"], "long-wait");
  EXPECT_EQ(long_wait["level"], "warning");
  EXPECT_EQ(StartLine(long_wait["locations"][0]),
            Line(kCorpus, "long_hold", "// waiter: waits for resource"));
  std::set<int> lines;
  for (const json& rel : long_wait["relatedLocations"]) lines.insert(StartLine(rel));
  EXPECT_TRUE(lines.contains(Line(kCorpus, "long_hold", "// holder: takes resource")));

  ASSERT_THAT(Results(m.log), SizeIs(1));
  const json& wrong = Results(m.log)[0];
  EXPECT_EQ(wrong["ruleId"], "misuse");
  EXPECT_EQ(wrong["level"], "error");
  EXPECT_EQ(StartLine(wrong["locations"][0]),
            Line(kCorpus, "release_unheld", "// misuse: release unheld"));
  EXPECT_THAT(wrong["message"]["text"].get<std::string>(), StartsWith("release-unheld: "));

  ASSERT_THAT(Results(r.log), SizeIs(1));
  const json& data_race = Results(r.log)[0];
  EXPECT_EQ(data_race["ruleId"], "race");
  EXPECT_EQ(data_race["level"], "error");
  const json race_report = AnalyzeJson(race);
  ASSERT_THAT(race_report["findings"], SizeIs(1));
  const json& accesses = race_report["findings"][0]["accesses"];
  const std::set<std::string> race_related = Related(data_race);
  for (const auto& [i, marker] : std::vector<std::pair<int, std::string>>{
           {0, "race: first"}, {1, "race: second"}}) {
    const std::string entry =
        absl::StrCat(Line(kFullCorpus, "race_counter", marker), ": ",
                     accesses[i]["thread"]["label"].get<std::string>(),
                     " writes here, holding no lock");
    EXPECT_TRUE(race_related.contains(entry)) << entry << "\nnot in:\n"
                                              << json(race_related).dump(2);
  }
  EXPECT_EQ(Fingerprint(data_race), race_report["findings"][0]["id"]);
}

TEST(SarifCli, FingerprintsAreStableAcrossRunsAndLineMoves) {
  TempDir out, first, second, original, moved;
  RunTraced(kCorpus, "two_lock_cycle", first);
  RunTraced(kCorpus, "two_lock_cycle", second);
  const Sarif a = AnalyzeSarif(first, out, "first");
  const Sarif b = AnalyzeSarif(second, out, "second");
  ASSERT_THAT(Results(a.log), SizeIs(1));
  ASSERT_THAT(Results(b.log), SizeIs(1));
  EXPECT_THAT(Fingerprint(Results(a.log)[0]), StartsWith("LG-"));
  EXPECT_EQ(Fingerprint(Results(a.log)[0]), Fingerprint(Results(b.log)[0]));

  // transfer_swapped, and a copy with every line moved down: other lines, same fingerprint.
  RunTraced(kCorpus, "transfer_swapped", original);
  const ProcessResult run = RunWithOptions(
      LOCKGRAPH_MOVED_PROGRAM,
      absl::StrCat("quiet=1:trace=", moved.path(), "/transfer_swapped.%p.lgtrace"));
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const Sarif c = AnalyzeSarif(original, out, "original");
  const Sarif m = AnalyzeSarif(moved, out, "moved");
  ASSERT_THAT(Results(c.log), SizeIs(1));
  ASSERT_THAT(Results(m.log), SizeIs(1));
  EXPECT_NE(StartLine(Results(c.log)[0]["locations"][0]),
            StartLine(Results(m.log)[0]["locations"][0]));
  EXPECT_EQ(Fingerprint(Results(c.log)[0]), Fingerprint(Results(m.log)[0]));
  EXPECT_NE(Fingerprint(Results(c.log)[0]), Fingerprint(Results(a.log)[0]));
}

TEST(SarifCli, SuppressionsBaselinesAndSourceRoot) {
  TempDir traces, out;
  RunTraced(kCorpus, "two_lock_cycle", traces);
  const std::string rules = out.path() + "/lockgraph.supp";
  std::ofstream(rules) << "class:A\n";
  const Sarif suppressed = AnalyzeSarif(traces, out, "suppressed", {"--suppressions", rules});
  EXPECT_EQ(suppressed.exit_code, 0) << "a suppressed finding does not fail";
  ASSERT_THAT(Results(suppressed.log), SizeIs(1)) << "but it stays in the log";
  const json& s = Results(suppressed.log)[0];
  ASSERT_THAT(s["suppressions"], SizeIs(1));
  EXPECT_EQ(s["suppressions"][0]["kind"], "external");
  EXPECT_THAT(s["suppressions"][0]["justification"].get<std::string>(), HasSubstr(rules));
  EXPECT_FALSE(s.contains("baselineState"));

  const std::string base = out.path() + "/base.json";
  ASSERT_EQ(RunLockgraph({"analyze", "--format=json", "-o", base, traces.path()}).exit_code, 1);
  const Sarif known = AnalyzeSarif(traces, out, "known", {"--baseline", base});
  EXPECT_EQ(known.exit_code, 0);
  ASSERT_THAT(Results(known.log), SizeIs(1));
  EXPECT_EQ(Results(known.log)[0]["baselineState"], "unchanged");
  EXPECT_FALSE(Results(known.log)[0].contains("suppressions"));
  // Against the baseline of a clean program, the deadlock is new.
  TempDir clean;
  RunTraced(kCorpus, "gate_lock", clean);
  const std::string clean_base = out.path() + "/clean.json";
  ASSERT_EQ(RunLockgraph({"analyze", "--format=json", "-o", clean_base, clean.path()}).exit_code,
            0);
  const Sarif fresh = AnalyzeSarif(traces, out, "fresh", {"--baseline", clean_base});
  EXPECT_EQ(fresh.exit_code, 1);
  EXPECT_EQ(Results(fresh.log)[0]["baselineState"], "new");

  // Paths under --source-root are relative to it (with a trailing '/' or not).
  for (const std::string& root : {kCorpus.source_dir,
                                 kCorpus.source_dir + "/"}) {
    const Sarif rooted = AnalyzeSarif(traces, out, "rooted", {"--source-root", root});
    EXPECT_EQ(SarifSchemaErrors({rooted.path}), "");
    ASSERT_THAT(Results(rooted.log), SizeIs(1));
    const json& where = Results(rooted.log)[0]["locations"][0]["physicalLocation"];
    EXPECT_EQ(where["artifactLocation"]["uri"], "two_lock_cycle.cc");
    EXPECT_EQ(where["artifactLocation"]["uriBaseId"], "SRCROOT");
    EXPECT_EQ(rooted.log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"],
              absl::StrCat("file://", kCorpus.source_dir, "/"));
  }
}

TEST(SarifCli, RunWritesTheLogOfTheProgram) {
  TempDir out;
  const std::string log = out.path() + "/run.sarif";
  const ProcessResult run = RunProcess(
      {LockgraphCommand(), "run", "--format=sarif", "-o", log, "--",
       kPreloadCorpus.Program("two_lock_cycle")},
      {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(run.exit_code, 0) << "run's --fail-on is never by default: " << run.stderr_text;
  EXPECT_EQ(SarifSchemaErrors({log}), "");
  const json sarif = json::parse(ReadFile(log), nullptr, /*allow_exceptions=*/false);
  ASSERT_THAT(Results(sarif), SizeIs(1));
  EXPECT_EQ(Results(sarif)[0]["ruleId"], "deadlock");
  EXPECT_EQ(StartLine(Results(sarif)[0]["locations"][0]),
            LineOf(kPreloadCorpus.Source("two_lock_cycle"),
                   "// edge: B -> A"));
}

TEST(SarifCli, BadFormatAndSourceRootWithoutSarifAreUsageErrors) {
  TempDir traces;
  RunTraced(kCorpus, "two_lock_cycle", traces);
  const ProcessResult format = RunLockgraph({"analyze", "--format=sarif2", traces.path()});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_THAT(format.stderr_text, HasSubstr("sarif2"));
  EXPECT_EQ(format.stdout_text, "");
  const ProcessResult root =
      RunLockgraph({"analyze", "--format=json", "--source-root", "/src", traces.path()});
  EXPECT_EQ(root.exit_code, 2);
  EXPECT_EQ(root.stderr_text, "lockgraph: --source-root: only with --format=sarif\n");
}

}  // namespace
