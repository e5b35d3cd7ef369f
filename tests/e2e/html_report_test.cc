// `lockgraph analyze --format=html` (and `run`) on real traces, and the page in a real
// browser: two corpus programs (three_lock_cycle: a deadlock over three locks; long_hold: a
// long wait) are traced into one directory and analyzed into one report, which headless
// Chromium then loads, runs and photographs.
//
// The browser is Debian's `chromium` (scripts/install-deps.sh installs it; LOCKGRAPH_CHROMIUM
// names another). Without it the browser tests are skipped, saying so. Each browser run is
// one process bounded by coreutils' `timeout` (which ends its whole process group), with its
// own HOME, XDG directories and --user-data-dir in a temporary directory, and no name
// resolution (--host-resolver-rules), so nothing reaches the network.
//
// How console errors are caught: chromium started with --enable-logging=stderr --v=0 writes
// every console message of the page to stderr as a line holding ":CONSOLE" (`[...:INFO:
// CONSOLE:12] "Uncaught TypeError: ...", source: file:///.../report.html (12)`): console.log,
// warn and error calls, uncaught exceptions, scripts that fail to parse, and loads the page's
// Content-Security-Policy refused (a fetch from the network would be one). The report writes
// nothing to the console, so any such line fails the test. Silence alone would also pass if
// the script never ran, so the check is paired with the page's own marker: the last statement
// of its script sets <html data-lg-ready="1">, which --dump-dom (the DOM after the scripts ran
// and the page loaded) must show. The same DOM proves the page parsed as intended: the cycle
// picture is there with one `lg-node` element per lock.
//
// The screenshot is a test artefact for people: ${build}/artifacts/report.png (and the page
// itself, report.html, next to it); the test checks it is a PNG of the window's size with
// more in it than a blank page.
#include "analyzer/report/html_report.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "analyzer/findings/finding.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::SourceFrame;
using ::lockgraph::analyzer::Finding;
using ::lockgraph::analyzer::FindingKind;
using ::lockgraph::analyzer::FindingLock;
using ::lockgraph::analyzer::FormatHtmlReport;
using ::lockgraph::analyzer::Report;
using ::lockgraph::testing::FindInPath;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::ReadFile;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::RunProcess;
using ::lockgraph::testing::RunWithOptions;
using ::lockgraph::testing::TempDir;
using ::lockgraph::testing::kCorpus;
using ::lockgraph::testing::kPreloadCorpus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int kBrowserTimeoutSeconds = 120;

// Every run: headless, no sandbox or GPU (containers, CI), nothing from the network or
// background services, and the page's console messages on stderr.
constexpr const char* kChromiumFlags[] = {
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--no-first-run", "--no-default-browser-check", "--disable-extensions",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--mute-audio", "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr", "--v=0"};

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// The value of attribute `name` in the first opening tag of `html` that holds `marker`.
std::string Attribute(const std::string& html, const std::string& marker, const std::string& name) {
  const size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = html.rfind('<', at);
  const std::string tag = html.substr(start, html.find('>', at) - start);
  const std::string key = " " + name + "=\"";
  const size_t value = tag.find(key);
  if (value == std::string::npos) return "";
  const size_t begin = value + key.size();
  return tag.substr(begin, tag.find('"', begin) - begin);
}

std::string FindChromium() {
  const char* chosen = getenv("LOCKGRAPH_CHROMIUM");
  if (chosen != nullptr && *chosen) return chosen;
  for (const char* name : {"chromium", "chromium-browser"}) {
    if (std::string found = FindInPath(name); !found.empty()) return found;
  }
  return "";
}

// Headless Chromium, one process per call, in a sandbox of directories of its own.
class HeadlessChromium {
 public:
  HeadlessChromium(std::string binary, std::string timeout)
      : binary_(std::move(binary)), timeout_(std::move(timeout)) {}

  struct Result {
    ProcessResult process;
    std::vector<std::string> console;  // the page's console messages (see the file comment)
  };

  // Loads `page` (a file) with the extra flags `flags`.
  Result Load(const std::string& page, const std::vector<std::string>& flags) {
    const std::string profile = absl::StrCat(dir_.path(), "/profile-", ++runs_);
    // `timeout` ends chromium and its helper processes (its process group) if it hangs.
    std::vector<std::string> argv = {timeout_, "--kill-after=10",
                                     std::to_string(kBrowserTimeoutSeconds), binary_,
                                     "--user-data-dir=" + profile};
    argv.insert(argv.end(), std::begin(kChromiumFlags), std::end(kChromiumFlags));
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back("file://" + std::filesystem::absolute(page).string());
    const std::string home = dir_.path() + "/home";
    Result result;
    // LD_PRELOAD: an AddressSanitizer build preloads its runtime into the programs tests
    // start (e2e_support.cc); the browser is not ours.
    result.process = RunProcess(argv, {"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config",
                                       "XDG_CACHE_HOME=" + home + "/.cache",
                                       "XDG_DATA_HOME=" + home + "/.local/share", "LD_PRELOAD="});
    for (absl::string_view line : absl::StrSplit(result.process.stderr_text, '\n')) {
      if (absl::StrContains(line, ":CONSOLE")) result.console.emplace_back(line);
    }
    return result;
  }

  // The DOM of `page` after its scripts ran.
  Result DumpDom(const std::string& page) { return Load(page, {"--dump-dom"}); }

 private:
  std::string binary_;
  std::string timeout_;
  TempDir dir_;
  int runs_ = 0;
};

// The browser tests: skipped, saying why, without chromium.
class HtmlReportInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string chromium = FindChromium();
    if (chromium.empty()) {
      GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it, or set "
                      "LOCKGRAPH_CHROMIUM): the HTML report is not checked in a browser";
    }
    const std::string timeout = FindInPath("timeout");
    ASSERT_FALSE(timeout.empty()) << "coreutils' timeout is not in PATH";
    browser_.emplace(chromium, timeout);
  }

  std::optional<HeadlessChromium> browser_;
};

std::string ProcessText(const ProcessResult& r) {
  return absl::StrCat("exit ", r.exit_code, " signal ", r.signal, "\nstderr:\n", r.stderr_text);
}

// three_lock_cycle and long_hold traced into `dir`, analyzed into `dir`/report.html.
std::string CorpusReport(const TempDir& dir) {
  for (const auto& [name, options] : std::vector<std::pair<std::string, std::string>>{
           {"three_lock_cycle", ":quiet=1"}, {"long_hold", ":quiet=1:long_wait=50ms"}}) {
    const ProcessResult run = RunWithOptions(
        kCorpus.Program(name), absl::StrCat("trace=", dir.path(), "/", name, ".%p.lgtrace", options));
    EXPECT_EQ(run.exit_code, 0) << name << ": " << run.stderr_text;
  }
  const std::string report = dir.path() + "/report.html";
  const ProcessResult analyze =
      RunLockgraph({"analyze", "--format=html", "--long-wait=100ms", "-o", report, dir.path()});
  EXPECT_EQ(analyze.exit_code, 1) << "the deadlock fails --fail-on=deadlock\n"
                                  << analyze.stderr_text;
  EXPECT_EQ(analyze.stdout_text, "") << "with -o, nothing on stdout";
  return report;
}

std::string ArtifactPath(const std::string& name) {
  std::error_code ignored;
  std::filesystem::create_directories(LOCKGRAPH_ARTIFACT_DIR, ignored);
  return absl::StrCat(LOCKGRAPH_ARTIFACT_DIR, "/", name);
}

// ---- The command ----

TEST(HtmlReportCommand, WritesOnePageWithTheCycleAndTheLongWait) {
  TempDir dir;
  const std::string html = ReadFile(CorpusReport(dir));
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<title>lockgraph: 1 deadlock, 1 long wait</title>"));
  EXPECT_EQ(Count(html, "<svg class=\"lg-cycle\""), 1);
  EXPECT_EQ(Attribute(html, "<svg class=\"lg-cycle\"", "data-nodes"), "3");
  EXPECT_EQ(Count(html, "class=\"lg-node\""), 3);
  EXPECT_EQ(Count(html, "class=\"lg-bar\""), 1);
  // The edges name the corpus's threads and its line, in the picture and in the columns.
  for (const char* thread : {"first", "second", "third"}) {
    EXPECT_THAT(html, HasSubstr(absl::StrCat("data-thread=\"", thread, "\"")));
  }
  const int line = lockgraph::testing::LineOf(
      kCorpus.Source("three_lock_cycle"), "// edge: outer -> inner");
  ASSERT_GT(line, 0);
  EXPECT_EQ(Count(html, absl::StrCat(">three_lock_cycle.cc:", line, "</tspan>")), 3);

  // Without -o, the page goes to stdout.
  const ProcessResult to_stdout =
      RunLockgraph({"analyze", "--format=html", "--long-wait=100ms", dir.path()});
  EXPECT_EQ(to_stdout.exit_code, 1) << to_stdout.stderr_text;
  EXPECT_EQ(to_stdout.stdout_text, html);
}

TEST(HtmlReportCommand, UnderRunToo) {
  TempDir dir;
  const std::string report = dir.path() + "/report.html";
  const ProcessResult run =
      RunProcess({LockgraphCommand(), "run", "--format=html", "-o", report, "--",
                  kPreloadCorpus.Program("two_lock_cycle")},
                 {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  const std::string html = ReadFile(report);
  EXPECT_THAT(html, HasSubstr("<title>lockgraph: 1 deadlock</title>"));
  EXPECT_EQ(Count(html, "<svg class=\"lg-cycle\""), 1);
  EXPECT_EQ(Count(html, "class=\"lg-node\""), 2);
  EXPECT_THAT(run.stderr_text, Not(HasSubstr("<html"))) << "the page went to -o only";
}

TEST(HtmlReportCommand, UnwritableOutputIsBadInput) {
  TempDir dir;
  RunWithOptions(kCorpus.Program("three_lock_cycle"),
                 absl::StrCat("quiet=1:trace=", dir.path(), "/t.%p.lgtrace"));
  const std::string missing_dir = dir.path() + "/no/such/dir/report.html";
  const ProcessResult analyze =
      RunLockgraph({"analyze", "--format=html", "-o", missing_dir, dir.path()});
  EXPECT_EQ(analyze.exit_code, 2);
  EXPECT_EQ(analyze.stderr_text, absl::StrCat("lockgraph: ", missing_dir,
                                              ": cannot write the report: No such file or "
                                              "directory\n"));
  // A directory where the file should be.
  const ProcessResult directory =
      RunLockgraph({"analyze", "--format=html", "-o", dir.path(), dir.path()});
  EXPECT_EQ(directory.exit_code, 2);
  EXPECT_THAT(directory.stderr_text,
              StartsWith(absl::StrCat("lockgraph: ", dir.path(), ": cannot write the report")));

  const ProcessResult run =
      RunProcess({LockgraphCommand(), "run", "--format=html", "-o", missing_dir, "--",
                  kPreloadCorpus.Program("two_lock_cycle")},
                 {"LOCKGRAPH_OPTIONS=quiet=1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.stderr_text,
              HasSubstr(absl::StrCat("lockgraph: ", missing_dir, ": cannot write the report")));
}

// ---- In the browser ----

TEST_F(HtmlReportInChromium, LoadsWithoutConsoleErrorsAndDrawsTheCycle) {
  TempDir dir;
  const std::string report = CorpusReport(dir);
  const HeadlessChromium::Result loaded = browser_->DumpDom(report);
  ASSERT_EQ(loaded.process.exit_code, 0) << ProcessText(loaded.process);
  EXPECT_THAT(loaded.console, IsEmpty()) << ProcessText(loaded.process);
  const std::string& dom = loaded.process.stdout_text;
  EXPECT_EQ(Attribute(dom, "<html", "data-lg-ready"), "1")
      << "the page's script did not run to its end:\n"
      << dom.substr(0, 400);
  // The rendered DOM, not the file: one cycle, its three locks, its three edges.
  EXPECT_EQ(Count(dom, "<svg class=\"lg-cycle\""), 1);
  EXPECT_EQ(Count(dom, "<g class=\"lg-node\""), 3);
  EXPECT_EQ(Count(dom, "<g class=\"lg-edge"), 3);
  std::vector<std::string> classes;
  for (size_t at = dom.find("<g class=\"lg-node\""); at != std::string::npos;
       at = dom.find("<g class=\"lg-node\"", at + 1)) {
    classes.push_back(Attribute(dom.substr(at), "<g class=\"lg-node\"", "data-class"));
  }
  EXPECT_THAT(classes, ElementsAre("A", "B", "C"));
  EXPECT_EQ(Count(dom, "<g class=\"lg-bar\""), 1);
  EXPECT_EQ(Count(dom, "<article class=\"lg-finding"), 2);
}

TEST_F(HtmlReportInChromium, SortsTheStatisticsTableOnClick) {
  TempDir dir;
  // The report with a probe after it (the parser puts it at the end of the body): it clicks
  // the "class" header twice and writes the row order before and after each click into
  // attributes of <html>.
  const std::string probe = dir.path() + "/probe.html";
  std::ofstream(probe) << ReadFile(CorpusReport(dir)) << R"(<script>
(function () {
  var table = document.querySelector('table.lg-sortable');
  var header = table.tHead.rows[0].cells[0];
  function order() {
    return Array.prototype.map.call(table.tBodies[0].rows,
                                    function (row) { return row.cells[0].textContent; }).join('|');
  }
  var root = document.documentElement;
  root.setAttribute('data-probe-before', order());
  header.click();
  root.setAttribute('data-probe-first', order());
  root.setAttribute('data-probe-first-sort', header.getAttribute('aria-sort'));
  header.click();
  root.setAttribute('data-probe-second', order());
  root.setAttribute('data-probe-second-sort', header.getAttribute('aria-sort'));
})();
</script>)";
  const HeadlessChromium::Result loaded = browser_->DumpDom(probe);
  ASSERT_EQ(loaded.process.exit_code, 0) << ProcessText(loaded.process);
  EXPECT_THAT(loaded.console, IsEmpty()) << ProcessText(loaded.process);
  const std::string& dom = loaded.process.stdout_text;
  ASSERT_EQ(Attribute(dom, "<html", "data-lg-ready"), "1");
  std::vector<std::string> before =
      absl::StrSplit(Attribute(dom, "<html", "data-probe-before"), '|');
  ASSERT_GE(before.size(), 4u) << "A, B, C and resource at least: " << dom.substr(0, 400);
  EXPECT_EQ(before.front(), "resource") << "the report's order: most waited for first";
  std::vector<std::string> ascending = before;
  std::sort(ascending.begin(), ascending.end(), [](std::string a, std::string b) {
    std::transform(a.begin(), a.end(), a.begin(), ::tolower);
    std::transform(b.begin(), b.end(), b.begin(), ::tolower);
    return a < b;
  });
  std::vector<std::string> descending(ascending.rbegin(), ascending.rend());
  EXPECT_EQ(Attribute(dom, "<html", "data-probe-first"), absl::StrJoin(ascending, "|"));
  EXPECT_EQ(Attribute(dom, "<html", "data-probe-first-sort"), "ascending");
  EXPECT_EQ(Attribute(dom, "<html", "data-probe-second"), absl::StrJoin(descending, "|"));
  EXPECT_EQ(Attribute(dom, "<html", "data-probe-second-sort"), "descending");
}

TEST_F(HtmlReportInChromium, HostileNamesStayText) {
  // Names that would be markup, or script, if they were not escaped.
  const std::string evil = "<img src=x onerror=\"console.error('injected')\">&'\"</script>";
  Report report;
  Finding f;
  f.kind = FindingKind::kDeadlock;
  f.id = evil;
  f.message = evil;
  f.location = evil;
  f.fix = evil;
  for (int i = 0; i < 2; ++i) {
    f.locks.push_back(FindingLock{evil + std::to_string(i), evil, evil, {}});
    lockgraph::analyzer::FindingEdge e;
    e.from = i;
    e.to = 1 - i;
    e.thread.name = evil;
    e.acquire.frames = {SourceFrame{evil, evil, 1, 0, ""}};
    e.count = 1;
    f.edges.push_back(e);
  }
  report.findings.push_back(f);
  report.warnings.push_back(evil);
  TempDir dir;
  const std::string page = dir.path() + "/hostile.html";
  std::ofstream(page) << FormatHtmlReport(report);
  const HeadlessChromium::Result loaded = browser_->DumpDom(page);
  ASSERT_EQ(loaded.process.exit_code, 0) << ProcessText(loaded.process);
  EXPECT_THAT(loaded.console, IsEmpty()) << ProcessText(loaded.process);
  const std::string& dom = loaded.process.stdout_text;
  EXPECT_EQ(Attribute(dom, "<html", "data-lg-ready"), "1");
  // Serializers escape < in attribute values or not (Chrome does since 138): a name that
  // became an element is an <img not at the start of an attribute value.
  EXPECT_EQ(Count(dom, "<img"), Count(dom, "=\"<img")) << "a name became an element";
  EXPECT_EQ(Count(dom, "<script"), 1);
  EXPECT_EQ(Count(dom, "<g class=\"lg-node\""), 2);
  EXPECT_GE(Count(dom, "&lt;img src=x onerror="), 5) << "the names are shown as text";
}

TEST_F(HtmlReportInChromium, Screenshot) {
  TempDir dir;
  const std::string report = CorpusReport(dir);
  const std::string html_copy = ArtifactPath("report.html");
  std::ofstream(html_copy, std::ios::binary | std::ios::trunc) << ReadFile(report);
  const std::string png = ArtifactPath("report.png");
  std::filesystem::remove(png);
  const HeadlessChromium::Result shot =
      browser_->Load(report, {"--screenshot=" + png, "--window-size=1280,2000"});
  ASSERT_EQ(shot.process.exit_code, 0) << ProcessText(shot.process);
  EXPECT_THAT(shot.console, IsEmpty()) << ProcessText(shot.process);
  std::cout << "screenshot of the HTML report: " << png << "\nthe report: " << html_copy << "\n";
  RecordProperty("screenshot", png);

  const std::string bytes = ReadFile(png);
  ASSERT_GE(bytes.size(), 24u) << png << " was not written";
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&bytes](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(16), 1280u);
  EXPECT_EQ(be32(20), 2000u);
  // A blank page of this size compresses to about 12 KB; this one has text and pictures.
  EXPECT_GT(bytes.size(), 40'000u) << png;
}

}  // namespace
