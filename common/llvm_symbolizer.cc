#include "absl/strings/string_view.h"
#include "common/llvm_symbolizer.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace lockgraph {
namespace {

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// "file:line:column" (the file may itself contain ':').
SourceFrame ParseLocation(std::string function, absl::string_view location) {
  SourceFrame frame;
  frame.function = std::move(function);
  std::vector<absl::string_view> parts = absl::StrSplit(location, ':');
  if (parts.size() >= 3) {
    uint32_t line = 0, column = 0;
    if (absl::SimpleAtoi(parts[parts.size() - 2], &line) &&
        absl::SimpleAtoi(parts.back(), &column)) {
      const size_t file_len = location.size() - parts[parts.size() - 2].size() -
                              parts.back().size() - 2;
      frame.file = std::string(location.substr(0, file_len));
      frame.line = line;
      frame.column = column;
    }
  }
  if (frame.file == "??" || frame.line == 0) {
    frame.file.clear();
    frame.line = frame.column = 0;
  }
  return frame;
}

}  // namespace

std::optional<LlvmSymbolizer> LlvmSymbolizer::Find(absl::string_view preferred) {
  if (preferred == "none") return std::nullopt;
  if (!preferred.empty()) {
    if (IsExecutable(std::string(preferred))) return LlvmSymbolizer(std::string(preferred));
    return std::nullopt;
  }
  if (const char* path = getenv("PATH"); path != nullptr) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      for (const char* name : {"llvm-symbolizer", "llvm-symbolizer-14", "llvm-symbolizer-15",
                               "llvm-symbolizer-16"}) {
        std::string candidate = absl::StrCat(dir, "/", name);
        if (IsExecutable(candidate)) return LlvmSymbolizer(std::move(candidate));
      }
    }
  }
  for (int version = 20; version >= 11; --version) {
    std::string candidate = absl::StrCat("/usr/lib/llvm-", version, "/bin/llvm-symbolizer");
    if (IsExecutable(candidate)) return LlvmSymbolizer(std::move(candidate));
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<SymbolizedAddress>> ParseSymbolizerOutput(absl::string_view output,
                                                                      size_t expected) {
  std::vector<SymbolizedAddress> result;
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  SymbolizedAddress current;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      if (!current.empty()) result.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (i + 1 >= lines.size() || lines[i + 1].empty()) {
      return absl::DataLossError(absl::StrCat("llvm-symbolizer output line ", i + 1,
                                              ": a function without a location"));
    }
    current.push_back(ParseLocation(std::string(lines[i]), lines[i + 1]));
    ++i;
  }
  if (!current.empty()) result.push_back(std::move(current));
  if (result.size() != expected) {
    return absl::DataLossError(absl::StrCat("llvm-symbolizer answered for ", result.size(),
                                            " addresses, expected ", expected));
  }
  return result;
}

absl::StatusOr<std::vector<SymbolizedAddress>> LlvmSymbolizer::Symbolize(
    const std::string& module_path, absl::Span<const uint64_t> addresses) const {
  if (addresses.empty()) return std::vector<SymbolizedAddress>();
  // Input through an unlinked temporary file rather than a pipe: no SIGPIPE, no pipe deadlock.
  const char* tmpdir = getenv("TMPDIR");
  std::string tmpl = absl::StrCat(tmpdir != nullptr && *tmpdir ? tmpdir : "/tmp",
                                  "/lockgraph-symbolize-XXXXXX");
  Fd input(mkostemp(tmpl.data(), O_CLOEXEC));
  if (input.get() < 0) {
    return absl::UnavailableError(absl::StrCat("cannot create ", tmpl, ": ", strerror(errno)));
  }
  unlink(tmpl.c_str());
  std::string text;
  for (uint64_t address : addresses) absl::StrAppendFormat(&text, "0x%x\n", address);
  if (!WriteAll(input.get(), text) || lseek(input.get(), 0, SEEK_SET) != 0) {
    return absl::UnavailableError("cannot write the symbolizer's input");
  }

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::UnavailableError(absl::StrCat("pipe: ", strerror(errno)));
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);

  std::vector<std::string> args = {binary_, absl::StrCat("--obj=", module_path),
                                   "--functions=linkage", "--demangle", "--inlines"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (absl::StartsWith(*e, "LD_PRELOAD=") || absl::StartsWith(*e, "LOCKGRAPH_OPTIONS=")) {
      continue;
    }
    envp.push_back(*e);
  }
  envp.push_back(nullptr);

  pid_t pid;
  const int rc = posix_spawn(&pid, binary_.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot run ", binary_, ": ", strerror(rc)));
  }
  write_end.Reset();
  std::string output;
  char buf[8192];
  for (;;) {
    const ssize_t n = read(read_end.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ParseSymbolizerOutput(output, addresses.size());
}

}  // namespace lockgraph
