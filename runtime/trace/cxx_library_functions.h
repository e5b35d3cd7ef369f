// The C++ library's functions in one ELF file: std::mutex::lock, std::lock_guard's
// constructor, __gthread_mutex_lock and the rest of namespace std, by their symbols. The
// LD_PRELOAD interposer asks whether its caller is one of them: in an unoptimized build
// (or wherever the compiler did not inline them) the caller of pthread_mutex_lock is
// std::mutex::lock for every mutex, and the program's own line is further up the stack.
//
//   CxxLibraryFunctions functions = CxxLibraryFunctions::Load("/usr/bin/app");
//   if (functions.Contains(pc - load_bias)) { /* walk up one more frame */ }
//
// Reads .symtab, or .dynsym when the file is stripped; a file it cannot read has none.
#ifndef LOCKGRAPH_RUNTIME_TRACE_CXX_LIBRARY_FUNCTIONS_H_
#define LOCKGRAPH_RUNTIME_TRACE_CXX_LIBRARY_FUNCTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockgraph::runtime {

class CxxLibraryFunctions {
 public:
  static CxxLibraryFunctions Load(const std::string& path);
  // Whether the mangled symbol `name` is the C++ library's (namespace std or __gnu_cxx, or
  // libstdc++'s __gthread_* helpers).
  static bool IsLibrarySymbol(std::string_view name);

  // `address`: a virtual address of the file (a pc minus the module's load bias).
  bool Contains(uint64_t address) const;
  size_t size() const { return ranges_.size(); }

 private:
  struct Range {
    uint64_t begin, end;
  };
  std::vector<Range> ranges_;  // sorted by begin
};

}  // namespace lockgraph::runtime

#endif  // LOCKGRAPH_RUNTIME_TRACE_CXX_LIBRARY_FUNCTIONS_H_
