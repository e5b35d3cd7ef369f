#include "analyzer/filters/suppressions.h"

#include <fnmatch.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace lockgraph::analyzer {
namespace {

std::optional<FindingKind> KindNamed(absl::string_view word) {
  for (FindingKind kind : kAllFindingKinds) {
    if (word == FindingKindName(kind)) return kind;
  }
  return std::nullopt;
}

bool Glob(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

// The file part of a "file:line" site.
std::string SiteFile(const std::string& site) {
  const size_t colon = site.rfind(':');
  return colon == std::string::npos ? site : site.substr(0, colon);
}

}  // namespace

absl::StatusOr<Suppressions> Suppressions::Parse(absl::string_view text,
                                                 const std::string& name) {
  Suppressions result;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    Rule rule;
    if (words.size() == 2) {
      rule.kind = KindNamed(words[0]);
      if (!rule.kind) {
        return absl::InvalidArgumentError(absl::StrCat(
            name, ":", number, ": unknown finding kind '", words[0],
            "' (expected deadlock, potential, long-wait or misuse)"));
      }
      words.erase(words.begin());
    }
    const size_t colon = words.size() == 1 ? words[0].find(':') : absl::string_view::npos;
    if (colon == absl::string_view::npos || colon + 1 == words[0].size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ":", number, ": expected '[KIND] TYPE:GLOB', got '", line, "'"));
    }
    const absl::string_view type = words[0].substr(0, colon);
    if (type == "class") {
      rule.target = Target::kClass;
    } else if (type == "function") {
      rule.target = Target::kFunction;
    } else if (type == "file") {
      rule.target = Target::kFile;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(name, ":", number, ": unknown rule type '",
                                                     type, "' (expected class, function or file)"));
    }
    rule.glob = std::string(words[0].substr(colon + 1));
    result.rules_.push_back(std::move(rule));
  }
  return result;
}

absl::StatusOr<Suppressions> Suppressions::ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open suppressions file"));
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

bool Suppressions::RuleMatches(const Rule& rule, const Finding& finding) const {
  if (rule.kind && *rule.kind != finding.kind) return false;
  std::vector<const FindingStack*> stacks = {&finding.waiter_stack, &finding.holder_stack};
  for (const FindingEdge& edge : finding.edges) {
    stacks.push_back(&edge.held);
    stacks.push_back(&edge.acquire);
  }
  for (const FindingAccess& access : finding.accesses) stacks.push_back(&access.stack);
  switch (rule.target) {
    case Target::kClass:
      for (const FindingLock& lock : finding.locks) {
        if (Glob(rule.glob, lock.class_name)) return true;
      }
      return false;
    case Target::kFunction:
      for (const FindingStack* stack : stacks) {
        for (const SourceFrame& frame : stack->frames) {
          if (Glob(rule.glob, frame.function)) return true;
        }
      }
      return false;
    case Target::kFile:
      for (const FindingLock& lock : finding.locks) {
        if (Glob(rule.glob, SiteFile(lock.site))) return true;
      }
      for (const FindingStack* stack : stacks) {
        for (const SourceFrame& frame : stack->frames) {
          if (!frame.file.empty() && Glob(rule.glob, frame.file)) return true;
        }
      }
      return false;
  }
  return false;
}

bool Suppressions::Matches(const Finding& finding) const {
  for (const Rule& rule : rules_) {
    if (RuleMatches(rule, finding)) return true;
  }
  return false;
}

}  // namespace lockgraph::analyzer
