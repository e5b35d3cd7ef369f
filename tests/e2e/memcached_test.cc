// A real server nobody here wrote under `lockgraph run` (issue 17, item 5): Debian's
// memcached, with 4 worker threads, serving 4 clients at once on a unix socket. Its locks
// (item locks, LRU and slab locks, stats and connection-queue locks, all pthread mutexes) are
// nested on every store; the analyzer must find nothing in the trace (no lock-order cycle,
// no misuse, no long wait), and the trace must show that the locks were seen.
//
// The client is written here, deterministic: each thread sets, reads back, increments and
// deletes its own keys and increments one key all threads share, checking every reply. The
// test waits for the server by connecting to its socket until it accepts (a readiness wait,
// bounded), and stops it with SIGTERM, which memcached handles by exiting normally.
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_support.h"

namespace {

using ::lockgraph::testing::BackgroundProcess;
using ::lockgraph::testing::FindInPath;
using ::lockgraph::testing::Kinds;
using ::lockgraph::testing::LockgraphCommand;
using ::lockgraph::testing::ProcessResult;
using ::lockgraph::testing::RunLockgraph;
using ::lockgraph::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using json = ::nlohmann::json;

constexpr int kClients = 4;
constexpr int kRounds = 500;  // per client: set, get, incr, delete, and an incr of the shared key
// Bounds on waiting for the server, generous for a loaded machine: they only decide when a
// broken run fails, never what a passing run does.
constexpr auto kReadyLimit = std::chrono::seconds(60);
constexpr auto kExitLimit = std::chrono::seconds(120);
constexpr int kReplySeconds = 60;

// A connection to the server's unix socket: -1 if it does not accept one (yet).
int Connect(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  // A server that stops answering fails the client instead of hanging the test.
  timeval timeout{kReplySeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  return fd;
}

// One client connection speaking memcached's text protocol. The first failure is kept in
// `error` (client threads report it to the test's thread, which checks it).
class Client {
 public:
  explicit Client(int fd) : fd_(fd) {}
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` and expects the reply `expected` (whole lines, "\r\n" included): a
  // line, or for a get, each "VALUE" line with its data line, then "END".
  void Expect(const std::string& request, const std::string& expected) {
    if (!error.empty() || !Send(request)) return;
    std::string reply, line;
    for (;;) {
      if (!ReadLine(line)) {
        Fail(request, expected, reply + "<connection error: " + strerror(errno) + ">");
        return;
      }
      reply += line;
      if (!absl::StartsWith(line, "VALUE ")) break;
      if (!ReadLine(line)) {  // the value's data
        Fail(request, expected, reply + "<connection error: " + strerror(errno) + ">");
        return;
      }
      reply += line;
    }
    if (reply != expected) Fail(request, expected, reply);
  }

  // Sends `request` and expects a reply of one line holding a number.
  void ExpectNumber(const std::string& request) {
    if (!error.empty() || !Send(request)) return;
    std::string line;
    if (!ReadLine(line)) {
      Fail(request, "a number", std::string("<connection error: ") + strerror(errno) + ">");
      return;
    }
    const std::string digits = line.substr(0, line.size() - 2);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
      Fail(request, "a number", line);
    }
  }

  std::string error;

 private:
  bool Send(const std::string& request) {
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = absl::StrCat("cannot send ", Shown(request), ": ", strerror(errno));
        return false;
      }
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // The next line of the reply, with its "\r\n".
  bool ReadLine(std::string& line) {
    for (;;) {
      const size_t end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        line = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 2);
        return true;
      }
      char chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = ECONNRESET;
        return false;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  static std::string Shown(std::string text) {
    std::string shown;
    for (char c : text) shown += c == '\r' ? std::string("\\r") : c == '\n' ? "\\n" : std::string(1, c);
    return shown.size() > 200 ? shown.substr(0, 200) + "..." : shown;
  }

  void Fail(const std::string& request, const std::string& expected, const std::string& got) {
    error = absl::StrCat("request \"", Shown(request), "\": expected \"", Shown(expected),
                         "\", got \"", Shown(got), "\"");
  }

  int fd_;
  std::string buffer_;
};

// A value of 20 to about 1000 bytes, so that the items land in several slab classes.
std::string Value(int client, int round) {
  std::string value = absl::StrCat("value-", client, "-", round, "-");
  value.append(static_cast<size_t>(10 + (round * 37) % 1000), static_cast<char>('a' + round % 26));
  return value;
}

std::string Stored(const std::string& key, const std::string& value) {
  return absl::StrCat("set ", key, " 0 0 ", value.size(), "\r\n", value, "\r\n");
}

// One client's work: its own keys through their whole life, and the shared counter.
void ClientWork(int client, const std::string& socket_path, std::string& error) {
  const int fd = Connect(socket_path);
  if (fd < 0) {
    error = absl::StrCat("client ", client, " cannot connect: ", strerror(errno));
    return;
  }
  Client c(fd);
  const std::string counter = absl::StrCat("counter:", client);
  c.Expect(absl::StrCat("set ", counter, " 0 0 1\r\n0\r\n"), "STORED\r\n");
  for (int round = 0; round < kRounds && c.error.empty(); ++round) {
    const std::string key = absl::StrCat("key:", client, ":", round);
    const std::string value = Value(client, round);
    c.Expect(Stored(key, value), "STORED\r\n");
    c.Expect(absl::StrCat("get ", key, "\r\n"),
             absl::StrCat("VALUE ", key, " 0 ", value.size(), "\r\n", value, "\r\nEND\r\n"));
    c.Expect(absl::StrCat("incr ", counter, " 1\r\n"), absl::StrCat(round + 1, "\r\n"));
    c.ExpectNumber("incr shared 1\r\n");  // the other clients increment it too
    c.Expect(absl::StrCat("delete ", key, "\r\n"), "DELETED\r\n");
    c.Expect(absl::StrCat("get ", key, "\r\n"), "END\r\n");
  }
  c.Expect(absl::StrCat("get ", counter, "\r\n"),
           absl::StrCat("VALUE ", counter, " 0 ", std::to_string(kRounds).size(), "\r\n",
                        kRounds, "\r\nEND\r\n"));
  if (!c.error.empty()) error = absl::StrCat("client ", client, ": ", c.error);
}

TEST(PreloadRealServers, MemcachedServesFourClientsWithoutFindings) {
  const std::string memcached = FindInPath("memcached");
  if (memcached.empty()) GTEST_SKIP() << "memcached is not installed (scripts/install-deps.sh)";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string traces = dir.path() + "/traces";
  const std::string socket_path = dir.path() + "/memcached.sock";
  ASSERT_LT(socket_path.size(), sizeof(sockaddr_un::sun_path))
      << "the socket's path is too long for a unix socket: set TMPDIR to a shorter directory";

  // lockgraph's own report goes to a file: the server's stderr holds only the server's lines
  // and the runtime's online reports.
  std::vector<std::string> argv = {LockgraphCommand(), "run", "--trace-dir", traces,
                                   "-o", dir.path() + "/run_report.txt", "--",
                                   memcached, "-s", socket_path, "-t", "4"};
  if (geteuid() == 0) {
    argv.push_back("-u");  // memcached refuses to run as root unless told which user to be
    argv.push_back("root");
  }
  // A lock-order cycle or misuse would be memcached's at any speed; a wait over the default
  // 100 ms is what a loaded test machine does to any server, so waits count from 10 s.
  BackgroundProcess server(argv, {"LOCKGRAPH_OPTIONS=long_wait=10s"},
                           dir.path() + "/server.out", dir.path() + "/server.err");
  ASSERT_GT(server.pid(), 0) << server.start_error();

  // Ready once the socket accepts a connection.
  const auto deadline = std::chrono::steady_clock::now() + kReadyLimit;
  for (;;) {
    const int fd = Connect(socket_path);
    if (fd >= 0) {
      close(fd);
      break;
    }
    ASSERT_FALSE(server.Ended()) << "memcached under lockgraph run exited (status "
                                 << server.result().exit_code << ", signal "
                                 << server.result().signal
                                 << ") before it accepted a connection: " << server.Stderr();
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "memcached did not accept a connection on " << socket_path << " within "
        << kReadyLimit.count() << " s: " << server.Stderr();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  {
    const int fd = Connect(socket_path);
    ASSERT_GE(fd, 0) << "cannot connect again: " << strerror(errno);
    Client setup(fd);
    setup.Expect("set shared 0 0 1\r\n0\r\n", "STORED\r\n");
    ASSERT_THAT(setup.error, IsEmpty());
  }
  std::vector<std::string> errors(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(ClientWork, i, std::cref(socket_path), std::ref(errors[i]));
  }
  for (std::thread& t : clients) t.join();
  for (const std::string& error : errors) EXPECT_THAT(error, IsEmpty());
  {
    // Every client's increments of the shared key, none lost.
    const int fd = Connect(socket_path);
    ASSERT_GE(fd, 0) << "cannot connect again: " << strerror(errno);
    Client check(fd);
    const std::string total = std::to_string(kClients * kRounds);
    check.Expect("get shared\r\n",
                 absl::StrCat("VALUE shared 0 ", total.size(), "\r\n", total, "\r\nEND\r\n"));
    EXPECT_THAT(check.error, IsEmpty());
  }

  // SIGTERM to lockgraph, which passes it on; memcached exits normally, with status 0.
  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  ASSERT_TRUE(server.WaitFor(kExitLimit))
      << "lockgraph run did not exit within " << kExitLimit.count()
      << " s of SIGTERM: " << server.Stderr();
  EXPECT_EQ(server.result().signal, 0);
  EXPECT_EQ(server.result().exit_code, 0) << server.Stderr();
  const std::string server_stderr = server.Stderr();
  EXPECT_THAT(server_stderr, Not(HasSubstr("lock-order cycle")));
  EXPECT_THAT(server_stderr, Not(HasSubstr("lockgraph: WARNING")));

  // A trace of memcached's process (it does not fork without -d).
  std::vector<std::string> trace_files;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(traces, ignored)) {
    if (absl::EndsWith(entry.path().string(), ".lgtrace")) trace_files.push_back(entry.path());
  }
  ASSERT_FALSE(trace_files.empty()) << "no trace in " << traces << ": " << server_stderr;

  const ProcessResult analyzed =
      RunLockgraph({"analyze", "--format=json", "--fail-on=never", traces});
  ASSERT_EQ(analyzed.exit_code, 0) << analyzed.stderr_text;
  const json report = json::parse(analyzed.stdout_text, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object()) << analyzed.stdout_text << analyzed.stderr_text;
  if (!Kinds(report).empty()) {
    const ProcessResult text = RunLockgraph({"analyze", "--fail-on=never", traces});
    ADD_FAILURE() << "lockgraph found something in memcached:\n"
                  << text.stdout_text << text.stderr_text;
  }
  EXPECT_THAT(report["warnings"], IsEmpty());
  const json& summary = report["summary"];
  for (const char* field : {"threads", "locks", "classes", "dependencies"}) {
    ::testing::Test::RecordProperty(field, summary.value(field, -1));
  }
  EXPECT_EQ(summary.value("traces", -1), static_cast<int>(trace_files.size()));
  // The trace saw memcached's threads (main, 4 workers, and its maintenance threads), its
  // locks, and locks nested in one another: a clean report of locks it did not see would
  // prove nothing.
  EXPECT_GE(summary.value("threads", -1), 1 + 4) << summary.dump(2);
  EXPECT_GT(summary.value("locks", -1), 0) << summary.dump(2);
  EXPECT_GT(summary.value("dependencies", -1), 0) << summary.dump(2);
  // (Not the stats' acquisition counts: a thread's counts join the totals when it exits, and
  // memcached's workers are still running when it exits.)
}

}  // namespace
