#include "tests/faults/fault_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace lockgraph::testing {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

std::string FaultProgram(const std::string& name) {
  return absl::StrCat(LOCKGRAPH_FAULT_PROGRAM_DIR, "/", name);
}

std::string FaultSource(const std::string& name) {
  return absl::StrCat(LOCKGRAPH_FAULT_SOURCE_DIR, "/programs/", name, ".cc");
}

std::string FaultSite(const std::string& name, const std::string& marker) {
  const int line = LineOf(FaultSource(name), marker);
  EXPECT_GT(line, 0) << "no line of " << FaultSource(name) << " holds \"" << marker << "\"";
  return absl::StrCat(FaultSource(name), ":", line);
}

ProcessResult RunUntilReadyThenSignal(const std::vector<std::string>& argv,
                                      const std::vector<std::string>& extra_env, int signal) {
  ProcessResult result;
  TempDir dir;
  const std::string err_path = dir.path() + "/stderr";
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return result;
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    bool replaced = false;
    for (const std::string& extra : extra_env) {
      replaced |= absl::StartsWith(entry, extra.substr(0, extra.find('=') + 1));
    }
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<std::string> args = argv;
  std::vector<char*> argv_c, envp;
  for (std::string& a : args) argv_c.push_back(a.data());
  argv_c.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv_c[0], &actions, nullptr, argv_c.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    ADD_FAILURE() << "cannot run " << argv[0] << ": " << strerror(rc);
    return result;
  }
  bool signalled = false;
  char buf[4096];
  for (;;) {
    pollfd fd = {out[0], POLLIN, 0};
    const int ready = poll(&fd, 1, 60'000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ADD_FAILURE() << "no progress in 60 s; stdout so far: " << result.stdout_text;
      kill(pid, SIGKILL);
      break;
    }
    const ssize_t n = read(out[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.stdout_text.append(buf, static_cast<size_t>(n));
    if (!signalled && absl::StrContains(result.stdout_text, "ready\n")) {
      kill(pid, signal);
      signalled = true;
    }
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  result.stderr_text = ReadFile(err_path);
  EXPECT_TRUE(signalled) << "the program never said it was ready";
  return result;
}

Analysis AnalyzeJson(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"analyze", "--format=json"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult run = RunLockgraph(argv);
  Analysis result{run.exit_code, run.stderr_text, json()};
  result.report = json::parse(run.stdout_text, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(result.report.is_object()) << "no JSON report: " << run.stderr_text;
  if (!result.report.is_object()) result.report = json::object();
  return result;
}

void ExpectCycleThenDeadlock(const json& report) {
  const json findings = report.value("findings", json::array());
  std::vector<std::string> kinds;
  for (const json& f : findings) kinds.push_back(f["kind"]);
  ASSERT_THAT(kinds, ElementsAre("deadlock")) << report.dump(2);
  const json& f = findings[0];
  std::vector<std::string> classes;
  for (const json& lock : f["locks"]) {
    classes.push_back(lock["class"]);
    EXPECT_EQ(lock["site"],
              FaultSite("cycle_then", "// lock: " + lock["class"].get<std::string>()));
  }
  EXPECT_THAT(classes, UnorderedElementsAre("A", "B"));
  std::vector<std::string> edges;
  for (const json& e : f["edges"]) {
    const std::string thread = e["thread"];  // thread N "name" ...
    const size_t open = thread.find('"'), close = thread.rfind('"');
    const std::string name = open != std::string::npos && close > open
                                 ? thread.substr(open + 1, close - open - 1)
                                 : thread;
    edges.push_back(absl::StrCat(e["from"].get<std::string>(), "->", e["to"].get<std::string>(),
                                 " by ", name, " held at ",
                                 e["held_site"].get<std::string>(), " taken at ",
                                 e["acquire_site"].get<std::string>()));
  }
  EXPECT_THAT(edges, UnorderedElementsAre(
                         absl::StrCat("A->B by forward held at ",
                                      FaultSite("cycle_then", "// held: A (forward)"),
                                      " taken at ", FaultSite("cycle_then", "// edge: A -> B")),
                         absl::StrCat("B->A by backward held at ",
                                      FaultSite("cycle_then", "// held: B (backward)"),
                                      " taken at ", FaultSite("cycle_then", "// edge: B -> A"))));
}

}  // namespace lockgraph::testing
