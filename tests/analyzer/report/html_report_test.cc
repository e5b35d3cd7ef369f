// The HTML reporter on reports built by hand: one self-contained page (nothing loaded from
// anywhere), every string from the traces escaped, one picture per cycle with a node per lock
// laid out without overlaps, both accesses of a race, the long-wait chart, the sortable
// statistics and the collapsed ruled-out cycles. tests/e2e/html_report_test.cc renders real
// reports in a browser.
#include "analyzer/report/html_report.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::lockgraph::SourceFrame;
using ::lockgraph::analyzer::ClassStatsRow;
using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingAccess;
using ::lockgraph::analyzer::FindingEdge;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::FindingLock;
using ::lockgraph::analyzer::FindingThread;
using ::lockgraph::analyzer::FormatHtmlReport;
using ::lockgraph::analyzer::HtmlEscape;
using ::lockgraph::analyzer::Report;
using ::lockgraph::analyzer::RuledOutCycle;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// ---- Building reports ----

FindingThread Thread(uint32_t id, const std::string& name) {
  FindingThread thread;
  thread.id = id;
  thread.pid = 4242;
  thread.name = name;
  return thread;
}

SourceFrame Frame(const std::string& function, const std::string& file, uint32_t line) {
  return SourceFrame{function, file, line, 0, ""};
}

// A cycle over locks named `names`: edge i, taken by thread "t<i>", goes from lock i to lock
// i+1 at line 100+i of cycle.cc, holding since line 50+i.
Finding Cycle(FindingKind kind, const std::vector<std::string>& names) {
  Finding f;
  f.kind = kind;
  f.id = absl::StrCat("LG-", kind == FindingKind::kDeadlock ? "d" : "p", names.size());
  f.message = absl::StrCat("lock-order cycle over ", names.size(), " locks");
  for (size_t i = 0; i < names.size(); ++i) {
    f.locks.push_back(FindingLock{names[i],
                                  absl::StrCat("Lock \"", names[i], "\""),
                                  absl::StrCat("/src/locks.cc:", 10 + i),
                                  {}});
    FindingEdge e;
    e.from = i;
    e.to = (i + 1) % names.size();
    e.thread = Thread(static_cast<uint32_t>(i + 2), absl::StrCat("t", i));
    e.held.frames = {Frame("Hold()", "/src/cycle.cc", static_cast<uint32_t>(50 + i))};
    e.acquire.frames = {Frame("Take()", "/src/cycle.cc", static_cast<uint32_t>(100 + i)),
                        Frame("main", "/src/main.cc", 7)};
    e.count = i + 1;
    f.edges.push_back(e);
  }
  f.location = f.edges.back().acquire.site();
  f.fix = "keep one order";
  return f;
}

Finding LongWait(const std::string& lock, uint64_t max_ns, uint64_t total_ns) {
  Finding f;
  f.kind = FindingKind::kLongWait;
  f.id = "LG-w-" + lock;
  f.message = "long wait on " + lock;
  f.locks = {FindingLock{lock, "Lock \"" + lock + "\"", "/src/wait.cc:3", {}}};
  f.waiter = Thread(3, "waiter");
  f.holder = Thread(2, "holder");
  f.waiter_stack.frames = {Frame("Wait()", "/src/wait.cc", 20)};
  f.holder_stack.frames = {Frame("Hold()", "/src/wait.cc", 12)};
  f.wait_max_ns = max_ns;
  f.wait_total_ns = total_ns;
  f.occurrences = 2;
  f.location = "/src/wait.cc:20";
  return f;
}

Finding Race() {
  Finding f;
  f.kind = FindingKind::kRace;
  f.id = "LG-r";
  f.message = "data race on \"counter\"";
  f.locks = {FindingLock{"counter", "Shared \"counter\"", "/src/race.cc:5", {}}};
  FindingAccess write, read;
  write.thread = Thread(2, "writer");
  write.write = true;
  write.stack.frames = {Frame("Bump()", "/src/race.cc", 30)};
  write.held = {"Lock \"m\""};
  read.thread = Thread(3, "reader");
  read.stack.frames = {Frame("Peek()", "/src/race.cc", 40)};
  f.accesses = {write, read};
  f.occurrences = 4;
  return f;
}

ClassStatsRow Stats(const std::string& name, uint64_t acquisitions, uint64_t wait_total_ns) {
  ClassStatsRow row;
  row.class_name = name;
  row.site = "/src/locks.cc:1";
  row.acquisitions = acquisitions;
  row.wait_total_ns = wait_total_ns;
  return row;
}

// ---- Reading the page ----

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// The elements `<tag ...>...</tag>` whose opening tag contains `marker`, whole (not nested).
std::vector<std::string> Elements(const std::string& html, const std::string& tag,
                                  const std::string& marker) {
  std::vector<std::string> out;
  const std::string open = "<" + tag, close = "</" + tag + ">";
  for (size_t at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const size_t tag_end = html.find('>', at);
    if (html.substr(at, tag_end - at).find(marker) == std::string::npos) continue;
    const size_t end = html.find(close, at);
    if (end == std::string::npos) break;
    out.push_back(html.substr(at, end + close.size() - at));
  }
  return out;
}

// The opening tags `<tag ...>` that contain `marker` (for elements without content).
std::vector<std::string> OpenTags(const std::string& html, const std::string& tag,
                                  const std::string& marker) {
  std::vector<std::string> out;
  for (size_t at = html.find("<" + tag); at != std::string::npos;
       at = html.find("<" + tag, at + 1)) {
    const std::string open = html.substr(at, html.find('>', at) + 1 - at);
    if (open.find(marker) != std::string::npos) out.push_back(open);
  }
  return out;
}

// The values of every `name="..."` attribute.
std::vector<std::string> AttributeValues(const std::string& html, const std::string& name) {
  std::vector<std::string> values;
  const std::string key = " " + name + "=\"";
  for (size_t at = html.find(key); at != std::string::npos; at = html.find(key, at + 1)) {
    const size_t start = at + key.size();
    values.push_back(html.substr(start, html.find('"', start) - start));
  }
  return values;
}

struct NodeBox {
  double x = 0, y = 0, width = 0;
};

std::vector<NodeBox> NodeBoxes(const std::string& svg) {
  std::vector<NodeBox> boxes;
  for (const std::string& node : Elements(svg, "g", "class=\"lg-node\"")) {
    NodeBox box;
    const std::string translate = AttributeValues(node, "transform").at(0);
    EXPECT_EQ(std::sscanf(translate.c_str(), "translate(%lf %lf)", &box.x, &box.y), 2) << translate;
    box.width = std::stod(AttributeValues(node, "width").at(0));
    boxes.push_back(box);
  }
  return boxes;
}

// ---- The page ----

Report Everything() {
  Report report;
  report.findings.push_back(Cycle(FindingKind::kDeadlock, {"A", "B", "C"}));
  report.findings.push_back(Cycle(FindingKind::kPotential, {"Checking", "Savings"}));
  report.findings.push_back(Race());
  report.findings.push_back(LongWait("resource", 500'000'000, 600'000'000));
  report.findings.push_back(LongWait("queue", 150'000'000, 150'000'000));
  Finding misuse;
  misuse.kind = FindingKind::kMisuse;
  misuse.id = "LG-m";
  misuse.message = "release of a lock not held";
  misuse.waiter = Thread(5, "sloppy");
  misuse.waiter_stack.frames = {Frame("Oops()", "/src/misuse.cc", 9)};
  report.findings.push_back(misuse);
  report.ruled_out.push_back({{"Lock \"g1\"", "Lock \"g2\""}, false, "gate lock \"g\" held"});
  report.stats = {Stats("resource", 2, 600'000'000), Stats("A", 10, 0), Stats("B", 3, 5),
                  Stats("/src/b.cc:3", 1, 0), Stats("io/disk", 1, 0)};
  report.summary.traces = 2;
  report.summary.threads = 7;
  report.summary.locks = 6;
  report.warnings = {"trace x.lgtrace ends at byte 12"};
  return report;
}

TEST(HtmlReport, IsOneSelfContainedPage) {
  const std::string html = FormatHtmlReport(Everything());
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_TRUE(absl::EndsWith(html, "</html>\n"));
  EXPECT_EQ(Count(html, "<style>"), 1);
  EXPECT_EQ(Count(html, "<script>"), 1);
  EXPECT_EQ(Count(html, "<script"), 1) << "no script is loaded from a file";
  // Nothing to fetch: no linked style sheets, images, frames, fonts or imports, and the only
  // links and references are to the page itself.
  for (const char* tag :
       {"<link", "<img", "<iframe", "<object", "<embed", "@import", "@font-face", " src="}) {
    EXPECT_EQ(Count(html, tag), 0) << tag;
  }
  for (const char* scheme : {"http://", "https://", "//cdn", "file:", "data:"}) {
    EXPECT_EQ(Count(html, scheme), 0) << scheme;
  }
  for (const std::string& href : AttributeValues(html, "href")) {
    EXPECT_THAT(href, StartsWith("#"));
  }
  for (size_t at = html.find("url("); at != std::string::npos; at = html.find("url(", at + 1)) {
    EXPECT_EQ(html.substr(at, 5), "url(#") << html.substr(at, 40);
  }
  EXPECT_THAT(html, HasSubstr("http-equiv=\"Content-Security-Policy\" content=\"default-src "
                              "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\""));
  EXPECT_EQ(html, FormatHtmlReport(Everything())) << "the same report gives the same page";
}

TEST(HtmlReport, EscapesEveryStringFromTheTraces) {
  // Each string the traces can carry, with markup, an entity and both quotes in it.
  const std::string evil = "x<b id=\"pwn\">&amp;'</b></script><script>alert(1)</script>";
  const std::string escaped = HtmlEscape(evil);
  EXPECT_EQ(escaped,
            "x&lt;b id=&quot;pwn&quot;&gt;&amp;amp;&#39;&lt;/b&gt;&lt;/script&gt;&lt;script&gt;"
            "alert(1)&lt;/script&gt;");
  Report report;
  Finding cycle = Cycle(FindingKind::kDeadlock, {evil + "1", evil + "2"});
  cycle.id = evil;
  cycle.message = evil;
  cycle.location = evil;
  cycle.fix = evil;
  cycle.locks[0].label = evil;  // not a recognised label form: the picture shows the class
  cycle.locks[1].site = evil;
  cycle.edges[0].thread.name = evil;
  cycle.edges[0].acquire.frames = {Frame(evil, "/src/" + evil + ".cc", 3)};
  cycle.edges[1].held.frames = {SourceFrame{evil, "", 0, 0, evil}};
  report.findings.push_back(cycle);
  Finding race = Race();
  race.accesses[0].held = {evil};
  race.accesses[1].thread.name = evil;
  report.findings.push_back(race);
  Finding wait = LongWait("w", 200'000'000, 200'000'000);
  wait.locks[0].label = evil;
  wait.message = evil;
  report.findings.push_back(wait);
  Finding suppressed = LongWait("s", 1, 1);
  suppressed.suppressed = true;
  suppressed.message = evil;
  report.findings.push_back(suppressed);
  report.ruled_out.push_back({{evil, evil}, true, evil});
  report.stats = {Stats(evil, 1, 1)};
  report.stats[0].site = evil;
  report.warnings = {evil};

  const std::string html = FormatHtmlReport(report);
  EXPECT_THAT(html, Not(HasSubstr("<b id=")));
  EXPECT_THAT(html, Not(HasSubstr("alert(1)</script>")));
  EXPECT_EQ(Count(html, "<script>"), 1);
  EXPECT_EQ(Count(html, "</script>"), 1);
  EXPECT_GE(Count(html, escaped), 15) << html;
  // In attributes too: the node's class key, the edge's thread, the finding's id.
  EXPECT_THAT(AttributeValues(html, "data-class"),
              ElementsAre(HtmlEscape(evil + "1"), HtmlEscape(evil + "2")));
  EXPECT_THAT(html, HasSubstr("data-thread=\"" + escaped + "\""));
  EXPECT_THAT(html, HasSubstr("data-id=\"" + escaped + "\""));
  // Every attribute value ends at its closing quote: no value holds a raw quote or bracket.
  for (const char* name : {"data-class", "data-thread", "data-id", "id", "aria-label"}) {
    for (const std::string& value : AttributeValues(html, name)) {
      EXPECT_THAT(value, Not(HasSubstr("<"))) << name;
      EXPECT_THAT(value, Not(HasSubstr(">"))) << name;
    }
  }
}

TEST(HtmlReport, DrawsOneCycleSvgPerCycleWithANodePerLock) {
  const std::string html = FormatHtmlReport(Everything());
  const std::vector<std::string> svgs = Elements(html, "svg", "class=\"lg-cycle\"");
  ASSERT_EQ(svgs.size(), 2u);
  EXPECT_EQ(Count(svgs[0], "class=\"lg-node\""), 3);
  EXPECT_EQ(Count(svgs[0], "<g class=\"lg-edge"), 3);
  EXPECT_THAT(svgs[0], HasSubstr("data-nodes=\"3\" data-edges=\"3\""));
  EXPECT_THAT(AttributeValues(svgs[0], "data-class"), ElementsAre("A", "B", "C"));
  EXPECT_EQ(Count(svgs[1], "class=\"lg-node\""), 2);
  EXPECT_EQ(Count(svgs[1], "<g class=\"lg-edge"), 2);
  EXPECT_THAT(AttributeValues(svgs[1], "data-class"), ElementsAre("Checking", "Savings"));
  // Each edge: its arrowhead, its thread and line in the label; the edge the finding points at
  // is the one drawn dashed.
  for (const std::string& svg : svgs) {
    const std::vector<std::string> markers = AttributeValues(svg, "marker-end");
    const std::vector<std::string> ids = AttributeValues(svg, "id");
    ASSERT_EQ(ids.size(), 1u);
    for (const std::string& marker : markers) EXPECT_EQ(marker, "url(#" + ids[0] + ")");
  }
  EXPECT_THAT(svgs[0], HasSubstr(">1 \u00b7 &quot;t0&quot;</tspan>"));
  EXPECT_THAT(svgs[0], HasSubstr(">cycle.cc:102</tspan>"));
  EXPECT_EQ(Count(svgs[0], "lg-edge-fix"), 1);
  EXPECT_THAT(Elements(svgs[0], "g", "lg-edge-fix")[0], HasSubstr("data-edge=\"2\""));
  // The stacks of every edge, side by side: held site and acquisition stack per column.
  const std::vector<std::string> deadlock = Elements(html, "article", "data-kind=\"deadlock\"");
  ASSERT_EQ(deadlock.size(), 1u);
  const std::vector<std::string> columns = Elements(deadlock[0], "section", "class=\"lg-col\"");
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_THAT(columns[1], HasSubstr("thread 3 &quot;t1&quot; (pid 4242)"));
  EXPECT_THAT(columns[1],
              HasSubstr("taken at <code title=\"/src/cycle.cc:51\">cycle.cc:51</code>"));
  EXPECT_THAT(columns[1], HasSubstr("at <code title=\"/src/cycle.cc:101\">cycle.cc:101</code> "
                                    "(this order 2 times)"));
  EXPECT_EQ(Count(columns[1], "<ol class=\"lg-stack\""), 2);
  EXPECT_THAT(columns[1],
              HasSubstr("<span class=\"lg-fn\">main</span> "
                        "<span class=\"lg-src\" title=\"/src/main.cc:7\">main.cc:7</span>"));
  EXPECT_THAT(deadlock[0], HasSubstr("<p class=\"lg-fix\"><b>Fix:</b> keep one order</p>"));
}

TEST(HtmlReport, CycleLocksSitOnACircleWithoutOverlapping) {
  for (size_t n : {2u, 3u, 5u, 8u}) {
    std::vector<std::string> names;
    for (size_t i = 0; i < n; ++i) {
      names.push_back(absl::StrCat(std::string(i % 2 == 0 ? 24 : 3, 'a' + i), i));
    }
    Report report;
    report.findings.push_back(Cycle(FindingKind::kDeadlock, names));
    const std::string html = FormatHtmlReport(report);
    const std::vector<std::string> svgs = Elements(html, "svg", "class=\"lg-cycle\"");
    ASSERT_EQ(svgs.size(), 1u);
    const std::vector<NodeBox> boxes = NodeBoxes(svgs[0]);
    ASSERT_EQ(boxes.size(), n);
    double cx = 0, cy = 0;
    for (const NodeBox& b : boxes) cx += b.x / n, cy += b.y / n;
    const double radius = std::hypot(boxes[0].x - cx, boxes[0].y - cy);
    double x0 = 0, y0 = 0, w = 0, h = 0;
    const std::string view_box = AttributeValues(svgs[0], "viewBox").at(0);
    ASSERT_EQ(std::sscanf(view_box.c_str(), "%lf %lf %lf %lf", &x0, &y0, &w, &h), 4);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_NEAR(std::hypot(boxes[i].x - cx, boxes[i].y - cy), radius, 0.5) << n << " " << i;
      // Inside the picture, and apart from every other lock (boxes are 40 high).
      EXPECT_GE(boxes[i].x - boxes[i].width / 2, x0);
      EXPECT_LE(boxes[i].x + boxes[i].width / 2, x0 + w);
      EXPECT_GE(boxes[i].y - 20, y0);
      EXPECT_LE(boxes[i].y + 20, y0 + h);
      for (size_t j = i + 1; j < n; ++j) {
        const bool apart_x =
            std::fabs(boxes[i].x - boxes[j].x) >= (boxes[i].width + boxes[j].width) / 2;
        const bool apart_y = std::fabs(boxes[i].y - boxes[j].y) >= 40;
        EXPECT_TRUE(apart_x || apart_y) << n << " locks: " << i << " and " << j << " overlap";
      }
    }
  }
}

TEST(HtmlReport, SummaryCountsOnlyFindingsThatCount) {
  Report report = Everything();
  report.findings[0].suppressed = true;   // the deadlock
  report.findings[4].in_baseline = true;  // one long wait
  const std::string html = FormatHtmlReport(report);
  EXPECT_THAT(html, HasSubstr("<title>lockgraph: 1 potential, 1 race, 1 long wait, 1 misuse"
                              "</title>"));
  EXPECT_THAT(html, HasSubstr("4 findings: 1 potential, 1 race, 1 long wait, 1 misuse (and 2 "
                              "suppressed or in the baseline)"));
  EXPECT_THAT(html, HasSubstr("data-kind=\"deadlock\" data-count=\"0\""));
  EXPECT_THAT(html, HasSubstr("data-kind=\"long-wait\" data-count=\"1\""));
  EXPECT_THAT(html, HasSubstr("<dt>traces</dt><dd>2</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>threads</dt><dd>7</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>locks</dt><dd>6</dd>"));
  EXPECT_THAT(html, HasSubstr("<li>warning: trace x.lgtrace ends at byte 12</li>"));
  // The two that do not count are kept, collapsed at the end and tagged.
  const size_t hidden = html.find("<section id=\"hidden\">");
  ASSERT_NE(hidden, std::string::npos);
  EXPECT_EQ(html.find("data-id=\"LG-d3\""), html.rfind("data-id=\"LG-d3\""));
  EXPECT_GT(html.find("data-id=\"LG-d3\""), hidden);
  EXPECT_GT(html.find("data-id=\"LG-w-queue\""), hidden);
  EXPECT_THAT(html.substr(hidden), HasSubstr("<span class=\"lg-tag\">suppressed</span>"));
  EXPECT_THAT(html.substr(hidden), HasSubstr("<span class=\"lg-tag\">in the baseline</span>"));
  EXPECT_THAT(html.substr(hidden), StartsWith("<section id=\"hidden\"><h2>Suppressed and "
                                              "baseline findings</h2>\n<details class="));
  // The chart counts only the long wait that counts.
  EXPECT_EQ(Count(html, "class=\"lg-bar\""), 1);
}

TEST(HtmlReport, EmptyReportSaysSo) {
  const std::string html = FormatHtmlReport(Report{});
  EXPECT_THAT(html, HasSubstr("<title>lockgraph: no findings</title>"));
  EXPECT_THAT(html, HasSubstr("class=\"lg-verdict lg-clean\">No findings"));
  EXPECT_THAT(html, HasSubstr("No cycle was ruled out."));
  EXPECT_THAT(html, HasSubstr("No lock statistics in these traces."));
  EXPECT_EQ(Count(html, "<article"), 0);
  EXPECT_EQ(Count(html, "<svg"), 0);
}

TEST(HtmlReport, RaceShowsBothAccessesSideBySide) {
  const std::string html = FormatHtmlReport(Everything());
  const std::vector<std::string> race = Elements(html, "article", "data-kind=\"race\"");
  ASSERT_EQ(race.size(), 1u);
  const std::vector<std::string> accesses = Elements(race[0], "section", "lg-access");
  ASSERT_EQ(accesses.size(), 2u);
  EXPECT_THAT(accesses[0], HasSubstr("data-write=\"1\""));
  EXPECT_THAT(accesses[0], HasSubstr("thread 2 &quot;writer&quot;"));
  EXPECT_THAT(accesses[0], HasSubstr("<span class=\"lg-rw lg-write\">write</span>"));
  EXPECT_THAT(accesses[0],
              HasSubstr("at <code title=\"/src/race.cc:30\">race.cc:30</code>, holding "
                        "<b>Lock &quot;m&quot;</b>:"));
  EXPECT_THAT(accesses[1], HasSubstr("data-write=\"0\""));
  EXPECT_THAT(accesses[1], HasSubstr("<span class=\"lg-rw lg-read\">read</span>"));
  EXPECT_THAT(accesses[1], HasSubstr("holding no lock:"));
  EXPECT_THAT(accesses[1], HasSubstr(">Peek()</span>"));
  EXPECT_THAT(race[0], HasSubstr("Variable <b>Shared &quot;counter&quot;</b>, declared at "
                                 "<code>/src/race.cc:5</code>"));
  EXPECT_THAT(race[0], HasSubstr("4 racing pairs"));
}

TEST(HtmlReport, LongWaitsAreBarsOnOneScale) {
  const std::string html = FormatHtmlReport(Everything());
  const std::vector<std::string> charts = Elements(html, "svg", "class=\"lg-chart\"");
  ASSERT_EQ(charts.size(), 1u);
  const std::vector<std::string> bars = Elements(charts[0], "g", "class=\"lg-bar\"");
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_THAT(bars[0], HasSubstr("data-max-ns=\"500000000\" data-total-ns=\"600000000\""));
  EXPECT_THAT(bars[0], HasSubstr(">resource \u2190 &quot;waiter&quot;</text>"));
  EXPECT_THAT(bars[0], HasSubstr(">max 500.0 ms \u00b7 total 600.0 ms (2 waits)</text>"));
  // The largest total spans the whole axis (480), the rest in proportion.
  auto width = [](const std::string& bar, const std::string& cls) {
    return std::stod(AttributeValues(OpenTags(bar, "rect", cls).at(0), "width").at(0));
  };
  EXPECT_DOUBLE_EQ(width(bars[0], "lg-bar-total"), 480);
  EXPECT_DOUBLE_EQ(width(bars[0], "lg-bar-max"), 400);
  EXPECT_DOUBLE_EQ(width(bars[1], "lg-bar-total"), 120);
  EXPECT_DOUBLE_EQ(width(bars[1], "lg-bar-max"), 120);
  // Each long wait also shows the waiter's and the holder's stacks side by side.
  const std::vector<std::string> waits = Elements(html, "article", "data-kind=\"long-wait\"");
  ASSERT_EQ(waits.size(), 2u);
  const std::vector<std::string> columns = Elements(waits[0], "section", "class=\"lg-col\"");
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_THAT(columns[0], AllOf(HasSubstr("&quot;waiter&quot;"), HasSubstr("/src/wait.cc:20")));
  EXPECT_THAT(columns[1], AllOf(HasSubstr("&quot;holder&quot;"), HasSubstr("/src/wait.cc:12")));
}

TEST(HtmlReport, MisuseIsListedWithItsStack) {
  const std::string html = FormatHtmlReport(Everything());
  const std::vector<std::string> misuse = Elements(html, "article", "data-kind=\"misuse\"");
  ASSERT_EQ(misuse.size(), 1u);
  EXPECT_THAT(misuse[0], HasSubstr("<h3>release of a lock not held</h3>"));
  EXPECT_THAT(misuse[0], HasSubstr("thread 5 &quot;sloppy&quot; (pid 4242), at"));
  EXPECT_THAT(misuse[0],
              HasSubstr("<span class=\"lg-src\" title=\"/src/misuse.cc:9\">misuse.cc:9</span>"));
}

TEST(HtmlReport, StatisticsTableSortsOnRawValues) {
  const std::string html = FormatHtmlReport(Everything());
  const std::vector<std::string> tables = Elements(html, "table", "lg-sortable");
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(Count(tables[0], "</th>"), 11);
  EXPECT_EQ(Count(tables[0], "data-type=\"num\""), 8);
  EXPECT_EQ(Count(tables[0], "<tr>"), 6);  // the header and five rows, in the report's order
  EXPECT_LT(tables[0].find("<td title=\"resource\">resource</td>"),
            tables[0].find("<td title=\"A\">A</td>"));
  // A class named by its site shows its file's name, the whole key as the tooltip.
  EXPECT_THAT(tables[0], HasSubstr("<td title=\"/src/b.cc:3\">b.cc:3</td>"));
  EXPECT_THAT(tables[0], HasSubstr("<td title=\"io/disk\">io/disk</td>"));
  // Durations read as text, sort by their nanoseconds.
  EXPECT_THAT(tables[0], HasSubstr("<td class=\"lg-num\" data-v=\"600000000\">600.0 ms</td>"));
  EXPECT_THAT(tables[0], HasSubstr("<td class=\"lg-num\" data-v=\"5\">5 ns</td>"));
  EXPECT_EQ(Count(tables[0], "<td class=\"lg-num\" data-v="), 5 * 8);
  EXPECT_THAT(html, HasSubstr("table.lg-sortable"));  // the script sorts them
  EXPECT_THAT(html, HasSubstr("th.addEventListener('click', sort)"));
}

TEST(HtmlReport, RuledOutCyclesAreCollapsedWithTheirReasons) {
  const std::string html = FormatHtmlReport(Everything());
  const std::vector<std::string> details = Elements(html, "details", "");
  ASSERT_EQ(details.size(), 1u);
  EXPECT_THAT(details[0], StartsWith("<details class=\"lg-card\"><summary>1 cycle that cannot "
                                     "deadlock, and why</summary>"));
  EXPECT_THAT(details[0], HasSubstr("<span class=\"lg-tag\">instance</span> Lock &quot;g1&quot; "
                                    "\u2192 Lock &quot;g2&quot;: gate lock &quot;g&quot; held"));
}

}  // namespace
