#include "analyzer/report/json_report.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/temp_dir.h"

namespace {

using ::lockgraph::SourceFrame;
using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingEdge;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::FindingLock;
using ::lockgraph::analyzer::FormatJsonReport;
using ::lockgraph::analyzer::Report;
using ::lockgraph::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

Report OneDeadlock() {
  Report report;
  Finding f;
  f.kind = FindingKind::kDeadlock;
  f.id = "LG-0000000000000001";
  f.message = "lock-order cycle between \"a\" and \"b\"";
  f.location = "/src/x.cc:20";
  f.locks = {FindingLock{"a", "Lock \"a\"", "/src/x.cc:3", {}},
             FindingLock{"b", "Lock \"b\"", "/src/x.cc:4", {}}};
  FindingEdge ab, ba;
  ab.from = 0, ab.to = 1, ab.count = 3;
  ab.thread.id = 2, ab.thread.pid = 7, ab.thread.name = "first";
  ab.held.frames = {SourceFrame{"f()", "/src/x.cc", 10, 0, ""}};
  ab.acquire.frames = {SourceFrame{"f()", "/src/x.cc", 11, 0, ""},
                       SourceFrame{"main", "/src/x.cc", 30, 0, ""}};
  ba.from = 1, ba.to = 0, ba.count = 1;
  f.edges = {ab, ba};
  f.fix = "keep one order";
  report.findings.push_back(f);
  report.ruled_out.push_back({{"Lock \"c\"", "Lock \"d\""}, false, "single thread"});
  return report;
}

TEST(JsonReport, HasTheDocumentedShape) {
  const nlohmann::json j = nlohmann::json::parse(FormatJsonReport(OneDeadlock()));
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["summary"]["findings"]["deadlock"], 1);
  EXPECT_EQ(j["summary"]["ruled_out"], 1);
  const nlohmann::json& f = j["findings"][0];
  EXPECT_EQ(f["id"], "LG-0000000000000001");
  EXPECT_EQ(f["kind"], "deadlock");
  EXPECT_EQ(f["locks"][0]["class"], "a");
  EXPECT_EQ(f["locks"][0]["site"], "/src/x.cc:3");
  const nlohmann::json& edge = f["edges"][0];
  EXPECT_EQ(edge["from"], "a");
  EXPECT_EQ(edge["to"], "b");
  EXPECT_EQ(edge["thread"], "thread 2 \"first\" (pid 7)");
  EXPECT_EQ(edge["held_site"], "/src/x.cc:10");
  EXPECT_EQ(edge["acquire_site"], "/src/x.cc:11");
  EXPECT_EQ(edge["stack"][1], "main /src/x.cc:30");
  EXPECT_EQ(edge["count"], 3);
  EXPECT_EQ(j["ruled_out"][0]["reason"], "single thread");
  EXPECT_EQ(j["ruled_out"][0]["locks"][1], "Lock \"d\"");
}

// Names come from traces as bytes; nlohmann::json throws on invalid UTF-8 unless told not to.
TEST(JsonReport, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  Report report = OneDeadlock();
  report.findings[0].locks[0].class_name = "caf\xe9";
  report.findings[0].edges[0].thread.name = "w\x96";
  report.warnings = {"t\xff.lgtrace: cut short"};
  const nlohmann::json j = nlohmann::json::parse(FormatJsonReport(report));
  EXPECT_EQ(j["findings"][0]["locks"][0]["class"], "caf\xef\xbf\xbd");
  EXPECT_EQ(j["findings"][0]["edges"][0]["thread"], "thread 2 \"w\xef\xbf\xbd\" (pid 7)");
  EXPECT_EQ(j["warnings"][0], "t\xef\xbf\xbd.lgtrace: cut short");
}

}  // namespace
