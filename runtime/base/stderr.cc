#include "absl/strings/string_view.h"
#include "runtime/base/stderr.h"

#include <errno.h>
#include <unistd.h>

#include <string>

namespace lockgraph::runtime {

void StderrLine(absl::string_view text) {
  std::string line(text);
  if (line.empty() || line.back() != '\n') line.push_back('\n');
  absl::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = write(2, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace lockgraph::runtime
