// Suppressions: findings a team has decided to live with, by lock class, function or file.
//
//   # lines are "[KIND] TYPE:GLOB"; KIND (deadlock, potential, long-wait, misuse) limits a rule
//   class:legacy_cache*              any finding with a lock of a matching class
//   function:*ThirdParty::*          any finding with a stack frame in a matching function
//   file:*/vendor/*                  any finding with a frame or lock site in a matching file
//   long-wait class:io_*             only long waits on those classes
//
// Globs are shell patterns (fnmatch: *, ?, [...]). docs/reports.md documents the format.
#ifndef LOCKGRAPH_ANALYZER_FILTERS_SUPPRESSIONS_H_
#define LOCKGRAPH_ANALYZER_FILTERS_SUPPRESSIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analyzer/findings/finding.h"

namespace lockgraph::analyzer {

class Suppressions {
 public:
  // A malformed line is an error naming the file and line.
  static absl::StatusOr<Suppressions> Parse(absl::string_view text, const std::string& name);
  static absl::StatusOr<Suppressions> ReadFile(const std::string& path);

  bool Matches(const Finding& finding) const;
  size_t size() const { return rules_.size(); }

 private:
  enum class Target { kClass, kFunction, kFile };
  struct Rule {
    std::optional<FindingKind> kind;
    Target target;
    std::string glob;
  };
  bool RuleMatches(const Rule& rule, const Finding& finding) const;

  std::vector<Rule> rules_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_FILTERS_SUPPRESSIONS_H_
