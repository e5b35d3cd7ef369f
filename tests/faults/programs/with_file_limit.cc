// with_file_limit BYTES PROGRAM ARGS...: runs PROGRAM with RLIMIT_FSIZE = BYTES and SIGXFSZ
// ignored, so a write past BYTES fails with EFBIG: a disk that fills at exactly BYTES, the
// same in every run (tests/faults use it when no small filesystem can be mounted).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: with_file_limit BYTES PROGRAM ARGS...\n");
    return 2;
  }
  const rlim_t bytes = std::strtoull(argv[1], nullptr, 10);
  const rlimit limit = {bytes, bytes};
  if (setrlimit(RLIMIT_FSIZE, &limit) != 0 || signal(SIGXFSZ, SIG_IGN) == SIG_ERR) {
    std::perror("with_file_limit");
    return 2;
  }
  execv(argv[2], argv + 2);
  std::perror(argv[2]);
  return 127;
}
