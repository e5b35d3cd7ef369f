#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace lockgraph::testing {
namespace {

// The current environment with `extra_env` ("KEY=VALUE") replacing variables of its names.
std::vector<std::string> Environment(const std::vector<std::string>& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('=') + 1);
    bool replaced = false;
    for (const std::string& extra : extra_env) replaced |= absl::StartsWith(extra, key);
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return env;
}

// The null-terminated array of pointers into `strings` that posix_spawn takes for argv and
// envp; valid while `strings` lives unchanged.
std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Waits for `pid` and stores how it ended; with `options` WNOHANG, only if it has ended.
// False if it has not.
bool Reap(pid_t pid, ProcessResult& result, int options = 0) {
  int status = 0;
  pid_t reaped;
  while ((reaped = waitpid(pid, &status, options)) < 0 && errno == EINTR) {
  }
  if (reaped != pid) return false;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return true;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env, const std::string& cwd) {
  ProcessResult result;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.stderr_text = std::string("pipe: ") + strerror(errno);
    return result;
  }
  std::vector<std::string> env = Environment(extra_env);
  std::vector<std::string> argv_copy = argv;
  const std::vector<char*> envp = CStrings(env), args = CStrings(argv_copy);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.stderr_text = std::string("cannot run ") + argv[0] + ": " + strerror(rc);
    return result;
  }
  // Read both pipes until both close, so a chatty child never blocks on a full pipe.
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  Reap(pid, result);
  return result;
}

ProcessResult RunAndSignalWhenReady(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& extra_env, int signal,
                                    int stall_seconds) {
  ProcessResult result;
  const char* tmp = getenv("TMPDIR");
  std::string err_path = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                         "/lockgraph-stderr.XXXXXX";
  const int err_fd = mkstemp(err_path.data());
  int out[2];
  if (err_fd < 0 || pipe2(out, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "stderr file or pipe: " << strerror(errno);
    if (err_fd >= 0) close(err_fd);
    return result;
  }
  std::vector<std::string> env = Environment(extra_env);
  std::vector<std::string> argv_copy = argv;
  const std::vector<char*> envp = CStrings(env), args = CStrings(argv_copy);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  close(err_fd);
  if (rc != 0) {
    close(out[0]);
    unlink(err_path.c_str());
    ADD_FAILURE() << "cannot run " << argv[0] << ": " << strerror(rc);
    return result;
  }
  bool signalled = false;
  char buf[4096];
  for (;;) {
    pollfd fd = {out[0], POLLIN, 0};
    const int ready = poll(&fd, 1, stall_seconds * 1000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ADD_FAILURE() << "no progress in " << stall_seconds
                    << " s; stdout so far: " << result.stdout_text;
      kill(-pid, SIGKILL);
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
  Reap(pid, result);
  result.stderr_text = ReadFile(err_path);
  unlink(err_path.c_str());
  EXPECT_TRUE(signalled) << "the program never said it was ready";
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& extra_env,
                                     const std::string& out_path, const std::string& err_path)
    : err_path_(err_path) {
  std::vector<std::string> env = Environment(extra_env);
  std::vector<std::string> argv_copy = argv;
  const std::vector<char*> envp = CStrings(env), args = CStrings(argv_copy);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  const int rc = posix_spawn(&pid_, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    start_error_ = absl::StrCat("cannot run ", argv[0], ": ", strerror(rc));
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !ended_) {
    kill(-pid_, SIGKILL);
    Reap(pid_, result_);
  }
}

bool BackgroundProcess::Ended() {
  if (pid_ > 0 && !ended_) ended_ = Reap(pid_, result_, WNOHANG);
  return ended_;
}

bool BackgroundProcess::WaitFor(std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!Ended()) {
    if (pid_ <= 0 || std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::string BackgroundProcess::Stderr() const { return ReadFile(err_path_); }

std::string FindInPath(const std::string& name) {
  const char* path = getenv("PATH");
  if (path == nullptr) return "";
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    const std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace lockgraph::testing
