#include "analyzer/findings/lock_labels.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/source_frame.h"

namespace lockgraph::analyzer {
namespace {

// Objects seen by the LD_PRELOAD interposer: their class is the site where they were first
// seen (module+offset as the key, resolved to a source line by Model::ResolveSites).
bool IsPreloadClass(const ModelClass& c) {
  return c.kind == format::SyncKind::kPthreadMutex || c.kind == format::SyncKind::kPthreadRwlock ||
         c.kind == format::SyncKind::kPosixSemaphore;
}

}  // namespace

bool IsSiteClass(const ModelClass& c) {
  return IsPreloadClass(c) || absl::StartsWith(c.name, absl::StrCat(c.file, ":", c.line));
}

std::string ClassLabel(const ModelClass& c) {
  const std::string kind(format::SyncKindName(c.kind));
  if (IsPreloadClass(c)) {
    if (c.file.empty()) return absl::StrCat(kind, " ", c.name);
    return absl::StrCat(kind, " first used at ", c.file, ":", c.line);
  }
  if (IsSiteClass(c)) return absl::StrCat(kind, " created at ", c.file, ":", c.line);
  return absl::StrCat(kind, " \"", c.name, "\"");
}

std::string ShortName(const ModelClass& c) {
  if (IsSiteClass(c) && !c.file.empty()) return absl::StrCat(Basename(c.file), ":", c.line);
  if (IsSiteClass(c)) return c.name;
  return absl::StrCat("\"", c.name, "\"");
}

std::string ClassToken(const ModelClass& c) {
  return IsSiteClass(c) ? absl::StrCat(Basename(c.file), "@", c.function) : c.name;
}

}  // namespace lockgraph::analyzer
