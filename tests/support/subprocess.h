// Runs a program to completion, capturing its output: how end-to-end tests run the examples,
// the lockgraph command and test programs the way a user would.
//
//   ProcessResult r = RunProcess({"/path/abba"}, {"LOCKGRAPH_OPTIONS=trace=/tmp/x/%p"});
//   EXPECT_EQ(r.exit_code, 0);  EXPECT_THAT(r.stderr_text, HasSubstr("lock-order cycle"));
#ifndef LOCKGRAPH_TESTS_SUPPORT_SUBPROCESS_H_
#define LOCKGRAPH_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace lockgraph::testing {

struct ProcessResult {
  int exit_code = -1;    // the exit status, or -1 if killed by a signal
  int signal = 0;        // the signal that killed it, 0 if it exited
  std::string stdout_text;
  std::string stderr_text;
};

// Runs argv[0] (a path) with the current environment plus `extra_env` ("KEY=VALUE", which
// replace variables of the same name), and waits for it.
// `cwd`, if not empty, is the child's working directory.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env = {},
                         const std::string& cwd = "");

// Like RunProcess, but reads stdout as it comes and sends `signal` to the process once it has
// printed a line "ready" (stderr goes to a file, read at the end). The child runs in a process
// group of its own: if no output comes for `stall_seconds`, the whole group is killed and the
// test fails, so a hang never stalls the suite. Fails the test too if "ready" never came.
ProcessResult RunAndSignalWhenReady(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& extra_env, int signal,
                                    int stall_seconds = 60);

// A program started in the background (a server the test talks to), in a process group of
// its own, its stdout and stderr in files. Whatever of the group still runs when the object
// goes is killed.
//
//   BackgroundProcess server({memcached, "-s", socket}, {}, dir + "/out", dir + "/err");
//   ... kill(server.pid(), SIGTERM); ASSERT_TRUE(server.WaitFor(std::chrono::seconds(60)));
//   EXPECT_EQ(server.result().exit_code, 0) << server.Stderr();
class BackgroundProcess {
 public:
  // `extra_env` as RunProcess's.
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::vector<std::string>& extra_env, const std::string& out_path,
                    const std::string& err_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // The process's id; -1 if it could not be started (start_error() says why).
  pid_t pid() const { return pid_; }
  const std::string& start_error() const { return start_error_; }
  // True once the process has ended, and result() says how; does not wait.
  bool Ended();
  // Waits up to `limit` for the process to end; false if it still runs.
  bool WaitFor(std::chrono::seconds limit);
  // Its exit code and signal, once it has ended (stdout and stderr stay in their files).
  const ProcessResult& result() const { return result_; }
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  bool ended_ = false;
  ProcessResult result_;
  std::string err_path_;
  std::string start_error_;
};

// The path of the executable `name` in $PATH, or "" if there is none.
std::string FindInPath(const std::string& name);

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_SUPPORT_SUBPROCESS_H_
