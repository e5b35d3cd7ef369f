// What names a class of the LD_PRELOAD interposer: the C++ library's functions are told apart
// from the program's (so that std::mutex::lock, out of line at -O0, is walked past), and the
// registry makes one class per first-use stack.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/recorder/lock_registry.h"
#include "runtime/trace/cxx_library_functions.h"
#include "runtime/trace/module_map.h"

namespace {

using ::lockgraph::format::SyncKind;
using ::lockgraph::runtime::CxxLibraryFunctions;
using ::lockgraph::runtime::LockRegistry;
using ::lockgraph::runtime::ModuleMap;

[[gnu::noinline]] int ProgramFunction(int x) { return x * 3 + 1; }

// A return address just inside `function` (the map looks at the call before a return address).
template <typename F>
uintptr_t ReturnAddressIn(F* function) {
  return reinterpret_cast<uintptr_t>(function) + 1;
}

TEST(CxxLibraryFunctions, MangledNamesOfTheCppLibrary) {
  for (const char* name :
       {"_ZNSt5mutex4lockEv", "_ZNSt10lock_guardISt5mutexEC2ERS0_",
        "_ZNKSt11unique_lockISt5mutexE9owns_lockEv", "_ZSt4lockISt5mutexS0_EvRT_RT0_",
        "_ZL20__gthread_mutex_lockP15pthread_mutex_t",
        "_ZN9__gnu_cxx13new_allocatorIcE8allocateEmPKv"}) {
    EXPECT_TRUE(CxxLibraryFunctions::IsLibrarySymbol(name)) << name;
  }
  for (const char* name : {"main", "_ZN12_GLOBAL__N_17ForwardEv", "_ZN7Account8TransferERS_l",
                           "pthread_mutex_lock", "_ZL6helperv", ""}) {
    EXPECT_FALSE(CxxLibraryFunctions::IsLibrarySymbol(name)) << name;
  }
}

TEST(CxxLibraryFunctions, ThisProgramsOwnFunctionsAreNotTheLibrarys) {
  ModuleMap modules;
  // std::min<long> is instantiated in this binary (its address is taken), as std::mutex::lock
  // is in a program built at -O0.
  const long& (*library_function)(const long&, const long&) = &std::min<long>;
  EXPECT_TRUE(modules.InLibraryFunction(ReturnAddressIn(library_function)));
  EXPECT_FALSE(modules.InLibraryFunction(ReturnAddressIn(&ProgramFunction)));
  EXPECT_EQ(ProgramFunction(1), 4);
}

TEST(CxxLibraryFunctions, FilesThatAreNotElfHaveNone) {
  EXPECT_EQ(CxxLibraryFunctions::Load("/nonexistent/lockgraph-test").size(), 0u);
  EXPECT_EQ(CxxLibraryFunctions::Load("/dev/null").size(), 0u);
  // An ELF header whose section table lies past the end of the file.
  char path[] = "/tmp/lockgraph-elf-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  char header[64];
  const int self = open("/proc/self/exe", O_RDONLY);
  ASSERT_EQ(read(self, header, sizeof(header)), static_cast<ssize_t>(sizeof(header)));
  close(self);
  ASSERT_EQ(write(fd, header, sizeof(header)), static_cast<ssize_t>(sizeof(header)));
  close(fd);
  EXPECT_EQ(CxxLibraryFunctions::Load(path).size(), 0u);
  unlink(path);
  EXPECT_GT(CxxLibraryFunctions::Load("/proc/self/exe").size(), 0u);
}

TEST(PreloadClasses, OneClassPerFirstUseStack) {
  LockRegistry registry;
  int names_made = 0;
  auto intern = [&](std::vector<uintptr_t> stack, std::string name) {
    return registry.InternPreload(SyncKind::kPthreadMutex, stack, [&] {
      ++names_made;
      return name;
    });
  };
  // Two mutexes first locked through one out-of-line std::mutex::lock (0x10), from two lines.
  const uint32_t a = intern({0x10, 0x20}, "app+0x10/aaaa");
  const uint32_t b = intern({0x10, 0x30}, "app+0x10/bbbb");
  EXPECT_NE(a, b);
  EXPECT_EQ(intern({0x10, 0x20}, "unused"), a);
  EXPECT_EQ(names_made, 2);  // a known stack is not named again
  // Another stack with a known name (the same code loaded at another address) is that class.
  EXPECT_EQ(intern({0x910, 0x920}, "app+0x10/aaaa"), a);
  EXPECT_EQ(registry.Class(a).site_stack, (std::vector<uintptr_t>{0x10, 0x20}));
  EXPECT_EQ(registry.Class(a).site_pc, 0x10u);
  EXPECT_EQ(registry.Class(b).name, "app+0x10/bbbb");
  EXPECT_TRUE(registry.Class(b).file.empty());
  // The same stack for another kind of object is another class.
  EXPECT_NE(registry.InternPreload(SyncKind::kPthreadRwlock, std::vector<uintptr_t>{0x10, 0x20},
                                   [] { return std::string("app+0x10/cccc"); }),
            a);
}

}  // namespace
