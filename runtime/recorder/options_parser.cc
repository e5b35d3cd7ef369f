// LOCKGRAPH_OPTIONS parsing: "key=value:key=value", as the sanitizers' *SAN_OPTIONS.
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lockgraph/options.h"

namespace lockgraph {
namespace {

template <typename Enum>
struct Choice {
  absl::string_view word;
  Enum value;
};

template <typename Enum, size_t N>
bool ParseChoice(absl::string_view value, const Choice<Enum> (&choices)[N], Enum& out) {
  for (const auto& choice : choices) {
    if (value == choice.word) {
      out = choice.value;
      return true;
    }
  }
  return false;
}

bool ParseBool(absl::string_view value, bool& out) {
  const std::string lower = absl::AsciiStrToLower(value);
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") {
    out = true;
  } else if (lower == "0" || lower == "false" || lower == "no" || lower == "off") {
    out = false;
  } else {
    return false;
  }
  return true;
}

bool ParseIntInRange(absl::string_view value, int lo, int hi, int& out) {
  int parsed;
  if (!absl::SimpleAtoi(value, &parsed) || parsed < lo || parsed > hi) return false;
  out = parsed;
  return true;
}

bool ParseNonNegativeDuration(absl::string_view value, std::chrono::nanoseconds& out) {
  absl::Duration d;
  if (value == "0") {
    d = absl::ZeroDuration();
  } else if (!absl::ParseDuration(value, &d) || d < absl::ZeroDuration() ||
             d == absl::InfiniteDuration()) {
    return false;
  }
  out = absl::ToChronoNanoseconds(d);
  return true;
}

constexpr Choice<Mode> kModes[] = {{"deps", Mode::kDeps}, {"full", Mode::kFull}};
constexpr Choice<OnCycle> kOnCycle[] = {
    {"report", OnCycle::kReport}, {"abort", OnCycle::kAbort}, {"ignore", OnCycle::kIgnore}};
constexpr Choice<OnMisuse> kOnMisuse[] = {{"report", OnMisuse::kReport},
                                          {"abort", OnMisuse::kAbort}};
constexpr Choice<OnDeadlock> kOnDeadlock[] = {
    {"exit", OnDeadlock::kExit}, {"abort", OnDeadlock::kAbort}, {"report", OnDeadlock::kReport}};

}  // namespace

void ParseOptions(std::string_view options_text, Options& options,
                  std::vector<std::string>& errors) {
  const absl::string_view text(options_text.data(), options_text.size());
  for (absl::string_view item : absl::StrSplit(text, ':', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      errors.push_back(absl::StrCat("'", item, "' is not key=value; ignored"));
      continue;
    }
    const absl::string_view key = absl::StripAsciiWhitespace(item.substr(0, eq));
    const absl::string_view value = absl::StripAsciiWhitespace(item.substr(eq + 1));
    bool ok = true;
    absl::string_view expected;
    if (key == "trace") {
      options.trace = std::string(value);
    } else if (key == "mode") {
      ok = ParseChoice(value, kModes, options.mode);
      expected = "deps or full";
    } else if (key == "on_cycle") {
      ok = ParseChoice(value, kOnCycle, options.on_cycle);
      expected = "report, abort or ignore";
    } else if (key == "on_misuse") {
      ok = ParseChoice(value, kOnMisuse, options.on_misuse);
      expected = "report or abort";
    } else if (key == "on_deadlock") {
      ok = ParseChoice(value, kOnDeadlock, options.on_deadlock);
      expected = "exit, abort or report";
    } else if (key == "deadlock_check") {
      ok = ParseNonNegativeDuration(value, options.deadlock_check);
      expected = "a duration such as 1s or 200ms, or 0 for no check";
    } else if (key == "long_wait") {
      ok = ParseNonNegativeDuration(value, options.long_wait);
      expected = "a duration such as 100ms, 2s or 500us";
    } else if (key == "stack_depth") {
      ok = ParseIntInRange(value, 1, 64, options.stack_depth);
      expected = "an integer from 1 to 64";
    } else if (key == "quiet") {
      ok = ParseBool(value, options.quiet);
      expected = "1 or 0";
    } else if (key == "hold_sample") {
      ok = ParseIntInRange(value, 1, 1 << 20, options.hold_sample);
      expected = "an integer from 1 to 1048576";
    } else if (key == "symbolizer") {
      options.symbolizer = std::string(value);
    } else {
      errors.push_back(absl::StrCat(
          "unknown option '", key,
          "' ignored (known: trace, mode, on_cycle, on_misuse, on_deadlock, deadlock_check, "
          "long_wait, stack_depth, quiet, hold_sample, symbolizer)"));
      continue;
    }
    if (!ok) {
      errors.push_back(absl::StrCat("bad value '", value, "' for ", key, " (expected ",
                                    expected, "); keeping the default"));
    }
  }
}

}  // namespace lockgraph
