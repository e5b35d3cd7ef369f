#include "common/source_frame.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace lockgraph {

namespace {

// The qualified name of a demangled function: llvm-symbolizer prints function templates
// with their return type first ("bool lockgraph::Lock::try_lock_for<int>(int const&)").
absl::string_view QualifiedName(absl::string_view function) {
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i < function.size(); ++i) {
    const char c = function[i];
    if (c == '<') ++depth;
    if (c == '>') --depth;
    if (depth != 0) continue;
    if (c == '(') break;
    if (c == ' ') start = i + 1;
  }
  return function.substr(start);
}

}  // namespace

bool IsLibraryFrame(const SourceFrame& frame) {
  const absl::string_view name = QualifiedName(frame.function);
  for (const char* prefix : {"lockgraph::", "std::", "__gnu_cxx::"}) {
    if (absl::StartsWith(name, prefix)) return true;
  }
  // lockgraph's own inline accessors (Shared<T>) may be named without their namespace.
  if (absl::StartsWith(frame.file, "/usr/include/") ||
      absl::StrContains(frame.file, "/include/lockgraph/")) {
    return true;
  }
  // Python's standard library (threading.py's Thread.run and _bootstrap, queue.py), and
  // lockgraph's own Python package; installed packages of the program's are its code.
  return (absl::StrContains(frame.file, "/lib/python3") &&
          !absl::StrContains(frame.file, "-packages/")) ||
         absl::StartsWith(frame.file, "<frozen ") || absl::StrContains(frame.file, "/lockgraph/_");
}

std::string FormatFrame(const SourceFrame& frame) {
  if (frame.file.empty()) {
    if (frame.module.empty()) return frame.function;
    return absl::StrCat(frame.function, " (", frame.module, ")");
  }
  if (frame.function.empty()) return absl::StrCat(frame.file, ":", frame.line);
  return absl::StrCat(frame.function, " ", frame.file, ":", frame.line);
}

std::string Basename(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == absl::string_view::npos ? path : path.substr(slash + 1));
}

bool IsPythonSource(absl::string_view file_or_site) {
  return absl::EndsWith(file_or_site, ".py") || absl::StrContains(file_or_site, ".py:");
}

std::string TakeTogetherAdvice(bool python) {
  return python ? std::string() : ", or take them together with std::scoped_lock";
}

std::string FrameSite(const SourceFrame& frame) {
  if (frame.file.empty()) return FormatFrame(frame);
  return absl::StrCat(frame.file, ":", frame.line);
}

bool IsUserFrame(const SourceFrame& frame) {
  return !IsLibraryFrame(frame) && !frame.file.empty() && !absl::StartsWith(frame.file, "./");
}

namespace {

// From the first frame that is `program`'s to the last one; nullopt if there is none.
std::optional<std::pair<size_t, size_t>> ProgramRange(const std::vector<SourceFrame>& frames,
                                                      bool (*program)(const SourceFrame&)) {
  size_t first = frames.size(), last = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (!program(frames[i])) continue;
    first = std::min(first, i);
    last = i;
  }
  if (first == frames.size()) return std::nullopt;
  return std::make_pair(first, last + 1);
}

// In a program without line tables: a named frame that is neither the C++ library's nor the
// C library's (thread start, clone).
bool IsProgramFrameWithoutLine(const SourceFrame& f) {
  return !IsLibraryFrame(f) && f.function != "??" && !absl::StartsWith(f.file, "./") &&
         !absl::StartsWith(f.function, "start_thread") && !absl::StartsWith(f.function, "clone");
}

}  // namespace

std::pair<size_t, size_t> UserFrameRange(const std::vector<SourceFrame>& frames) {
  return ProgramRange(frames, IsUserFrame).value_or(std::make_pair(size_t{0}, frames.size()));
}

size_t FirstUserFrame(const std::vector<SourceFrame>& frames) {
  return UserFrameRange(frames).first;
}

ShownFrames FoldLibraryFrames(const std::vector<SourceFrame>& frames) {
  ShownFrames shown;
  // The program's frames: those with a line, else (no line tables) its named frames. A
  // stack with neither is kept whole.
  std::optional<std::pair<size_t, size_t>> range = ProgramRange(frames, IsUserFrame);
  if (!range) range = ProgramRange(frames, IsProgramFrameWithoutLine);
  if (!range) {
    shown.frames = frames;
    return shown;
  }
  for (size_t i = range->first; i < range->second; ++i) {
    if (IsLibraryFrame(frames[i])) {
      ++shown.folded;
      continue;
    }
    shown.frames.push_back(frames[i]);
  }
  return shown;
}

}  // namespace lockgraph
