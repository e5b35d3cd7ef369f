#include "analyzer/cli/run_command.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace lockgraph::cli {
namespace {

volatile sig_atomic_t g_child = 0;

// Signals lockgraph passes on to the program; the program handles or dies of them.
constexpr int kForwardedSignals[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};

void Forward(int signal) {
  if (g_child > 0) kill(static_cast<pid_t>(g_child), signal);
}

// Sets the signal handling of lockgraph while the program runs, and restores it after.
class SignalsWhileRunning {
 public:
  SignalsWhileRunning() {
    struct sigaction forward = {};
    forward.sa_handler = Forward;
    sigemptyset(&forward.sa_mask);
    forward.sa_flags = SA_RESTART;
    for (int s : kForwardedSignals) sigaction(s, &forward, &saved_[Index(s)]);
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    for (int s : kIgnored) sigaction(s, &ignore, &saved_[Index(s)]);
  }
  ~SignalsWhileRunning() {
    for (int s : kForwardedSignals) sigaction(s, &saved_[Index(s)], nullptr);
    for (int s : kIgnored) sigaction(s, &saved_[Index(s)], nullptr);
  }

 private:
  static constexpr int kIgnored[] = {SIGINT, SIGQUIT};
  static size_t Index(int s) { return static_cast<size_t>(s); }
  struct sigaction saved_[NSIG] = {};
};

std::string SelfDirectory() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  return std::filesystem::path(std::string(buf, static_cast<size_t>(n))).parent_path();
}

// Reaps the children lockgraph has left, the program's orphans, until there are none (true)
// or `until` passes (false). Polled: a process that never ends must not hold the report.
bool WaitForOrphans(std::chrono::steady_clock::time_point until) {
  for (;;) {
    const pid_t done = waitpid(-1, nullptr, WNOHANG);
    if (done > 0 || (done < 0 && errno == EINTR)) continue;
    if (done < 0) return errno == ECHILD;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

absl::StatusOr<std::string> FindPreloadLibrary() {
  std::vector<std::string> candidates;
  if (const char* env = getenv("LOCKGRAPH_PRELOAD"); env != nullptr && *env != '\0') {
    candidates.push_back(env);
  }
  // Installed: bin/lockgraph and lib/liblockgraph_preload.so (cmake/Install.cmake).
  candidates.push_back(SelfDirectory() + "/../" LOCKGRAPH_INSTALL_LIBDIR "/liblockgraph_preload.so");
  candidates.push_back(SelfDirectory() + "/../lib/liblockgraph_preload.so");
#ifdef LOCKGRAPH_BUILD_PRELOAD
  // The build tree's interposer, for the build tree's command only: an installed lockgraph
  // must not reach back into the directory it was built in.
  if (std::filesystem::path(SelfDirectory()) == std::filesystem::path(LOCKGRAPH_BUILD_CLI_DIR)) {
    candidates.push_back(LOCKGRAPH_BUILD_PRELOAD);
  }
#endif
  for (const std::string& path : candidates) {
    if (access(path.c_str(), R_OK) == 0) return std::filesystem::absolute(path).string();
  }
  return absl::NotFoundError(absl::StrCat(
      "cannot find liblockgraph_preload.so (looked at ", candidates.front(),
      "; set LOCKGRAPH_PRELOAD to its path)"));
}

std::string FindPythonBootstrap() {
  std::vector<std::string> candidates;
  if (const char* env = getenv("LOCKGRAPH_PYTHON_DIR"); env != nullptr && *env != '\0') {
    candidates.push_back(env);
  }
#ifdef LOCKGRAPH_INSTALL_PYTHONDIR
  candidates.push_back(SelfDirectory() + "/../" LOCKGRAPH_INSTALL_PYTHONDIR);
  if (std::filesystem::path(SelfDirectory()) == std::filesystem::path(LOCKGRAPH_BUILD_CLI_DIR)) {
    candidates.push_back(LOCKGRAPH_BUILD_PYTHON_DIR);
  }
#endif
  for (const std::string& path : candidates) {
    const std::string bootstrap = path + "/lockgraph/_bootstrap";
    if (access((bootstrap + "/sitecustomize.py").c_str(), R_OK) == 0) {
      return std::filesystem::weakly_canonical(bootstrap).string();
    }
  }
  return {};
}

absl::StatusOr<TemporaryDirectory> TemporaryDirectory::Create(const std::string& prefix) {
  const char* tmp = getenv("TMPDIR");
  std::string tmpl = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp", "/", prefix, "-XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::UnavailableError(absl::StrCat(tmpl, ": ", strerror(errno)));
  }
  return TemporaryDirectory(std::move(tmpl));
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code error;
  if (!path_.empty()) std::filesystem::remove_all(path_, error);
}

absl::StatusOr<RunResult> RunUnderPreload(const std::vector<std::string>& command,
                                          const std::string& trace_dir,
                                          const std::string& preload,
                                          const RunSettings& settings) {
  std::error_code error;
  if (!std::filesystem::create_directories(trace_dir, error) && error) {
    return absl::UnavailableError(absl::StrCat(trace_dir, ": ", error.message()));
  }
  std::vector<std::string> env;
  std::string preloads = preload, options;
  // Python programs install lockgraph's primitives before their first line (python/).
  const std::string bootstrap = FindPythonBootstrap();
  std::string python_path = bootstrap;
  for (char** e = environ; *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    if (!bootstrap.empty() && absl::StartsWith(entry, "PYTHONPATH=")) {
      if (entry.size() > 11) absl::StrAppend(&python_path, ":", entry.substr(11));
    } else if (absl::StartsWith(entry, "LD_PRELOAD=")) {
      // The user's preloads first: a sanitizer runtime must be, and a user's own interposer
      // should win over lockgraph's.
      preloads = absl::StrCat(entry.substr(11), ":", preload);
    } else if (absl::StartsWith(entry, "LOCKGRAPH_OPTIONS=")) {
      options = std::string(entry.substr(18));
    } else {
      env.emplace_back(entry);
    }
  }
  // The user's own options stay; the trace path is lockgraph's.
  // Absolute: the program may change its working directory before it writes (a test
  // harness that runs each test in a directory of its own does).
  const std::string absolute_dir = std::filesystem::absolute(trace_dir, error).string();
  absl::StrAppend(&options, options.empty() ? "" : ":", "trace=",
                  absolute_dir.empty() ? trace_dir : absolute_dir, "/%p.lgtrace");
  if (!settings.options.empty()) absl::StrAppend(&options, ":", settings.options);
  env.insert(env.end(), settings.env.begin(), settings.env.end());
  env.push_back("LD_PRELOAD=" + preloads);
  if (!bootstrap.empty()) {
    env.push_back("PYTHONPATH=" + python_path);
    // The preload leaves CPython's own locks alone from the start (sync_interposers.cc).
    env.push_back("LOCKGRAPH_PYTHON_BOOTSTRAP=" + bootstrap);
#ifdef LOCKGRAPH_PYTHON_VERSION  // the Python the package is built for, if built here
    env.push_back("LOCKGRAPH_PYTHON_VERSION=" LOCKGRAPH_PYTHON_VERSION);
#endif
  }
  env.push_back("LOCKGRAPH_OPTIONS=" + options);

  std::vector<char*> argv, envp;
  std::vector<std::string> args = command;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  // The processes the program starts and leaves running become lockgraph's children, not
  // init's, when their parent ends: lockgraph can wait for their traces (WaitForOrphans).
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  SignalsWhileRunning signals;
  // A signal to forward that comes before the child's pid is known waits, blocked, until it is.
  sigset_t forwarded, before;
  sigemptyset(&forwarded);
  for (int s : kForwardedSignals) sigaddset(&forwarded, s);
  sigprocmask(SIG_BLOCK, &forwarded, &before);
  pid_t pid;
  // The child starts with default signal handling, not lockgraph's, and lockgraph's old mask.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGQUIT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &before);
  short spawn_flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (settings.timeout_ms > 0) {
    posix_spawnattr_setpgroup(&attr, 0);  // its own group, to be killed whole
    spawn_flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr, spawn_flags);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  if (settings.program_stdout == RunSettings::Stdout::kDiscard) {
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  } else if (settings.program_stdout == RunSettings::Stdout::kToStderr) {
    posix_spawn_file_actions_adddup2(&files, STDERR_FILENO, STDOUT_FILENO);
  }
  const int rc = posix_spawnp(&pid, argv[0], &files, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc == 0) g_child = pid;
  sigprocmask(SIG_SETMASK, &before, nullptr);
  if (rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot run ", command[0], ": ", strerror(rc)));
  }
  int status = 0;
  RunResult result;
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(settings.timeout_ms);
  for (;;) {
    const pid_t done = waitpid(pid, &status, settings.timeout_ms > 0 ? WNOHANG : 0);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      g_child = 0;
      return absl::InternalError(absl::StrCat("waiting for ", command[0], ": ", strerror(errno)));
    }
    if (done == 0) {  // running on, with a timeout
      if (std::chrono::steady_clock::now() >= give_up && !result.timed_out) {
        result.timed_out = true;
        kill(-pid, SIGKILL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  g_child = 0;
  result.left_running = !WaitForOrphans(std::chrono::steady_clock::now() +
                                        std::chrono::milliseconds(kOrphanWaitMs));
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  }
  return result;
}

}  // namespace lockgraph::cli
