// Shared by the stress programs: sizes from the command line (so a sanitizer build can run
// smaller ones), and the peak resident set size, printed for the test to bound.
#ifndef LOCKGRAPH_TESTS_STRESS_PROGRAMS_STRESS_PROGRAM_H_
#define LOCKGRAPH_TESTS_STRESS_PROGRAMS_STRESS_PROGRAM_H_

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace lockgraph::stress {

// argv[index] as a number, or `fallback` if there are fewer arguments.
inline long Arg(int argc, char** argv, int index, long fallback) {
  return index < argc ? std::strtol(argv[index], nullptr, 10) : fallback;
}

// Prints "peak_rss_kb=N": the process's high-water resident set (VmHWM), in kB.
inline void PrintPeakRss() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return;
  char line[256];
  while (std::fgets(line, sizeof(line), status) != nullptr) {
    long kb = 0;
    if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) std::printf("peak_rss_kb=%ld\n", kb);
  }
  std::fclose(status);
  std::fflush(stdout);
}

}  // namespace lockgraph::stress

#endif  // LOCKGRAPH_TESTS_STRESS_PROGRAMS_STRESS_PROGRAM_H_
