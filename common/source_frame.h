// A symbolized stack frame, and the rules shared by the online report and the analyzer for
// showing one: which frames are the library's own, and how a frame is printed.
//
//   SourceFrame f{"transfer(Account&, Account&)", "/src/bank.cc", 42, 7};
//   FormatFrame(f);  // "transfer(Account&, Account&) /src/bank.cc:42"
#ifndef LOCKGRAPH_COMMON_SOURCE_FRAME_H_
#define LOCKGRAPH_COMMON_SOURCE_FRAME_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace lockgraph {

struct SourceFrame {
  std::string function;  // demangled; "??" if unknown
  std::string file;      // empty if unknown
  uint32_t line = 0;
  uint32_t column = 0;
  std::string module;    // set when file is unknown: "path+0xoffset"
};

// The frames of one address: an inlined call chain, innermost first.
using SymbolizedAddress = std::vector<SourceFrame>;

// True for frames of lockgraph itself and of the C++ standard library (std::lock_guard,
// std::scoped_lock, ...), and of Python's standard library (threading.py) and lockgraph's
// Python package (python/lockgraph/_*.py): a report names the first frame after them as
// the site. User code
// must not live in namespace lockgraph for this to hold.
bool IsLibraryFrame(const SourceFrame& frame);

// "function file:line", or "function (module+0xoffset)" without line information; "file:line"
// for a frame without a function (a line of an imported trace).
std::string FormatFrame(const SourceFrame& frame);

// The file name of a path, without its directories: "bank.cc" for "/src/bank.cc".
std::string Basename(absl::string_view path);

// True for a Python source file ("app.py", or a site "app.py:12"): reports then leave out
// C++-only advice (std::scoped_lock).
bool IsPythonSource(absl::string_view file_or_site);

// ", or take them together with std::scoped_lock" for C++ locks, nothing for Python's.
std::string TakeTogetherAdvice(bool python);

// "file:line" of a frame, or its FormatFrame() if it has no file.
std::string FrameSite(const SourceFrame& frame);

// A frame of the program itself: not a library frame, and with a source file that is not
// the C library's own ("./nptl/pthread_create.c").
bool IsUserFrame(const SourceFrame& frame);

// The user frames of a stack: from the first user frame to the last one. A stack without
// user frames is kept whole.
std::pair<size_t, size_t> UserFrameRange(const std::vector<SourceFrame>& frames);

// The index of the first user frame in `frames`, or 0 if there is none.
size_t FirstUserFrame(const std::vector<SourceFrame>& frames);

// A stack as reports show it: the user frames (UserFrameRange) without the library frames
// between them (std::function, std::invoke, std::_Bind, lockgraph::Thread's start: the call
// machinery from one frame of the program to the next). `folded` counts those left out
// between user frames.
struct ShownFrames {
  std::vector<SourceFrame> frames;
  size_t folded = 0;
};
ShownFrames FoldLibraryFrames(const std::vector<SourceFrame>& frames);

}  // namespace lockgraph

#endif  // LOCKGRAPH_COMMON_SOURCE_FRAME_H_
