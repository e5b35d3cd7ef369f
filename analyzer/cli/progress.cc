#include "analyzer/cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace lockgraph::analyzer {

Progress::Progress() : enabled_(isatty(STDERR_FILENO) == 1), start_(absl::Now()) {
  int64_t ms;
  if (const char* env = getenv("LOCKGRAPH_PROGRESS_DELAY_MS");
      env != nullptr && absl::SimpleAtoi(env, &ms) && ms >= 0) {
    delay_ = absl::Milliseconds(ms);
  }
  last_ = absl::InfinitePast();
}

ReadProgress Progress::Reporter(std::string label, std::function<uint64_t()> records) {
  if (!enabled_) return {};
  return [this, label = std::move(label), records = std::move(records)](uint64_t done,
                                                                       uint64_t total) {
    Show(label, done, total, records ? records() : 0);
  };
}

namespace {

// "950", "12.3k", "4.56M".
std::string Count(double n) {
  if (n >= 1e6) return absl::StrFormat("%.2fM", n / 1e6);
  if (n >= 1e3) return absl::StrFormat("%.1fk", n / 1e3);
  return absl::StrFormat("%.0f", n);
}

}  // namespace

void Progress::Show(const std::string& label, uint64_t done, uint64_t total, uint64_t records) {
  const absl::Time now = absl::Now();
  if (now - start_ < delay_) return;
  if (done < total && now - last_ < absl::Milliseconds(100)) return;  // a step's end shows
  last_ = now;
  shown_ = true;
  const double percent = total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / total;
  // \r and "erase to the end of the line": the next update or Clear() overwrites it.
  const double seconds = absl::ToDoubleSeconds(now - start_);
  const std::string rate =
      records == 0 || seconds <= 0 ? "" : ", " + Count(records / seconds) + " records/s";
  std::fputs(absl::StrFormat("\rlockgraph: %s: %3.0f%% of %.1f MB%s\x1b[K", label, percent,
                             static_cast<double>(total) / 1e6, rate)
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

void Progress::Clear() {
  if (!shown_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace lockgraph::analyzer
