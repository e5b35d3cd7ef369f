// Tests of common/source_frame.h: which frames are the library's, which are the user's, and
// how frames are printed.
#include "common/source_frame.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace {

using lockgraph::FirstUserFrame;
using lockgraph::FormatFrame;
using lockgraph::FrameSite;
using lockgraph::IsLibraryFrame;
using lockgraph::IsUserFrame;
using lockgraph::SourceFrame;
using lockgraph::UserFrameRange;

SourceFrame F(std::string function, std::string file = "", uint32_t line = 0,
              uint32_t column = 0, std::string module = "") {
  return SourceFrame{std::move(function), std::move(file), line, column, std::move(module)};
}

TEST(SourceFrame, LockgraphFramesAreLibraryFrames) {
  EXPECT_TRUE(IsLibraryFrame(F("lockgraph::Lock::lock()", "/work/main/runtime/lock.cc", 40)));
  EXPECT_TRUE(IsLibraryFrame(F("lockgraph::internal::OnAcquire(void*)")));
  EXPECT_FALSE(IsLibraryFrame(F("mylockgraph::Lock::lock()", "/src/a.cc", 3)));
  EXPECT_FALSE(IsLibraryFrame(F("transfer(lockgraph::Lock&, lockgraph::Lock&)", "/src/a.cc", 3)));
}

TEST(SourceFrame, StandardLibraryFramesAreLibraryFrames) {
  EXPECT_TRUE(IsLibraryFrame(F("std::mutex::lock()")));
  EXPECT_TRUE(IsLibraryFrame(F("std::lock_guard<std::mutex>::lock_guard(std::mutex&)")));
  EXPECT_TRUE(IsLibraryFrame(
      F("void std::lock<std::mutex, std::mutex>(std::mutex&, std::mutex&)")));
  EXPECT_TRUE(IsLibraryFrame(F("bool std::__atomic_base<int>::compare_exchange_strong()")));
  EXPECT_TRUE(IsLibraryFrame(F("__gnu_cxx::__mutex::lock()")));
  EXPECT_FALSE(IsLibraryFrame(F("stdio_helper()", "/src/a.cc", 3)));
  EXPECT_FALSE(IsLibraryFrame(F("mystd::lock()", "/src/a.cc", 3)));
}

TEST(SourceFrame, FramesInSystemHeadersAreLibraryFrames) {
  EXPECT_TRUE(IsLibraryFrame(F("operator()", "/usr/include/c++/12/bits/std_mutex.h", 100)));
  EXPECT_TRUE(IsLibraryFrame(F("??", "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr.h", 7)));
  EXPECT_FALSE(IsLibraryFrame(F("main", "/usr/local/include/foo.h", 1)));
  EXPECT_FALSE(IsLibraryFrame(F("main", "/home/u/usr/include/x.h", 1)));
  EXPECT_FALSE(IsLibraryFrame(F("main", "/src/main.cc", 12)));
}

TEST(SourceFrame, LockgraphTemplateFunctionsAreLibraryFrames) {
  EXPECT_TRUE(IsLibraryFrame(
      F("bool lockgraph::Lock::try_lock_for<long, std::ratio<1l, 1000l> >(std::chrono::"
        "duration<long, std::ratio<1l, 1000l> > const&)",
        "/work/main/include/lockgraph/lock.h", 45)));
  EXPECT_TRUE(IsLibraryFrame(F("void lockgraph::Queue<int>::put<int>(int&&)",
                               "/work/main/include/lockgraph/queue.h", 110)));
}

TEST(SourceFrame, UserFrameNeedsAFileOutsideTheCLibrary) {
  EXPECT_TRUE(IsUserFrame(F("transfer(Account&, Account&)", "/src/bank.cc", 42, 7)));
  EXPECT_TRUE(IsUserFrame(F("main", "bank.cc", 5)));
  EXPECT_FALSE(IsUserFrame(F("main")));                               // no file
  EXPECT_FALSE(IsUserFrame(F("??", "", 0, 0, "/bin/prog+0x1234")));  // no file, module only
  EXPECT_FALSE(IsUserFrame(F("start_thread", "./nptl/pthread_create.c", 442)));
  EXPECT_FALSE(IsUserFrame(F("std::thread::_M_run()", "/src/bank.cc", 1)));
  EXPECT_FALSE(IsUserFrame(F("lockgraph::Lock::lock()", "/work/main/runtime/lock.cc", 40)));
  EXPECT_FALSE(IsUserFrame(F("f()", "/usr/include/c++/12/thread", 82)));
}

TEST(SourceFrame, UserFrameRangeSpansFirstToLastUserFrame) {
  const std::vector<SourceFrame> frames = {
      F("lockgraph::Lock::lock()", "/work/main/runtime/lock.cc", 40),      // 0 library
      F("std::lock_guard<lockgraph::Lock>::lock_guard()", "/usr/include/c++/12/x.h", 5),
      F("transfer(Account&, Account&)", "/src/bank.cc", 42),               // 2 user
      F("std::function<void ()>::operator()()", "/usr/include/c++/12/f.h", 9),  // 3 library
      F("worker()", "/src/bank.cc", 60),                                   // 4 user
      F("start_thread", "./nptl/pthread_create.c", 442),                   // 5 libc
      F("clone3"),                                                         // 6 no file
  };
  EXPECT_EQ(UserFrameRange(frames), (std::pair<size_t, size_t>{2, 5}));
  EXPECT_EQ(FirstUserFrame(frames), 2u);
}

TEST(SourceFrame, UserFrameRangeWithoutUserFramesKeepsTheWholeStack) {
  const std::vector<SourceFrame> frames = {F("lockgraph::Lock::lock()"), F("std::mutex::lock()"),
                                           F("start_thread", "./nptl/pthread_create.c", 442)};
  EXPECT_EQ(UserFrameRange(frames), (std::pair<size_t, size_t>{0, 3}));
  EXPECT_EQ(FirstUserFrame(frames), 0u);
  EXPECT_EQ(UserFrameRange({}), (std::pair<size_t, size_t>{0, 0}));
  EXPECT_EQ(FirstUserFrame({}), 0u);
}

TEST(SourceFrame, UserFrameRangeOfASingleUserFrame) {
  const std::vector<SourceFrame> frames = {F("std::mutex::lock()"), F("main", "/src/m.cc", 3)};
  EXPECT_EQ(UserFrameRange(frames), (std::pair<size_t, size_t>{1, 2}));
  EXPECT_EQ(FirstUserFrame(frames), 1u);
}

TEST(SourceFrame, FormatFramePrintsFunctionFileAndLine) {
  EXPECT_EQ(FormatFrame(F("transfer(Account&, Account&)", "/src/bank.cc", 42, 7)),
            "transfer(Account&, Account&) /src/bank.cc:42");
  EXPECT_EQ(FormatFrame(F("??", "", 0, 0, "/usr/bin/prog+0x1234")),
            "?? (/usr/bin/prog+0x1234)");
  EXPECT_EQ(FormatFrame(F("main")), "main");
  // A file wins over a module.
  EXPECT_EQ(FormatFrame(F("f()", "a.cc", 1, 0, "/bin/x+0x1")), "f() a.cc:1");
}

TEST(SourceFrame, FormatFrameWithoutFunctionIsItsSite) {
  // A location of an imported trace: no function, only file and line.
  EXPECT_EQ(FormatFrame(F("", "trace.std", 120)), "trace.std:120");
  EXPECT_EQ(FrameSite(F("", "trace.std", 120)), "trace.std:120");
}

TEST(SourceFrame, FrameSiteIsFileAndLine) {
  EXPECT_EQ(FrameSite(F("transfer(Account&, Account&)", "/src/bank.cc", 42, 7)),
            "/src/bank.cc:42");
  EXPECT_EQ(FrameSite(F("??", "", 0, 0, "/usr/bin/prog+0x1234")), "?? (/usr/bin/prog+0x1234)");
  EXPECT_EQ(FrameSite(F("worker()")), "worker()");
}

}  // namespace
