#include "analyzer/findings/lock_labels.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/source_frame.h"

namespace lockgraph::analyzer {
namespace {

// Objects seen by the LD_PRELOAD interposer: their class is the object in static storage, the
// allocation site, or the site where they were first seen (module offsets as the key,
// resolved to a variable or a source line by Model::ResolveSites).
bool IsPreloadClass(const ModelClass& c) {
  return c.kind == format::SyncKind::kPthreadMutex || c.kind == format::SyncKind::kPthreadRwlock ||
         c.kind == format::SyncKind::kPosixSemaphore;
}

}  // namespace

bool IsSiteClass(const ModelClass& c) {
  if (c.origin == format::ClassOrigin::kStatic) return c.variable.empty();
  return IsPreloadClass(c) || absl::StartsWith(c.name, absl::StrCat(c.file, ":", c.line));
}

std::string ClassLabel(const ModelClass& c) {
  const std::string kind(format::SyncKindName(c.kind));
  if (c.origin == format::ClassOrigin::kStatic) {
    if (!c.variable.empty()) return absl::StrCat(kind, " ", c.variable);
    if (c.file.empty()) return absl::StrCat(kind, " ", c.name);
    return absl::StrCat(kind, " ", c.name, " first used at ", c.file, ":", c.line);
  }
  if (c.origin == format::ClassOrigin::kHeap && !c.file.empty()) {
    // Without line tables the allocation is a function of a module: "in F (app+0x1a2b)".
    const std::string where =
        c.line != 0           ? absl::StrCat("at ", c.file, ":", c.line)
        : c.function.empty() ? absl::StrCat("at ", c.file)
                             : absl::StrCat("in ", c.function, " (", c.file, ")");
    if (c.object_offset == 0) return absl::StrCat(kind, " allocated ", where);
    return absl::StrCat(kind, " at offset ", c.object_offset, " of objects allocated ", where);
  }
  if (IsPreloadClass(c)) {
    if (c.file.empty()) return absl::StrCat(kind, " ", c.name);
    return absl::StrCat(kind, " first used at ", c.file, ":", c.line);
  }
  if (IsSiteClass(c)) return absl::StrCat(kind, " created at ", c.file, ":", c.line);
  return absl::StrCat(kind, " \"", c.name, "\"");
}

std::string ShortName(const ModelClass& c) {
  if (c.origin == format::ClassOrigin::kStatic && !c.variable.empty()) return c.variable;
  if (c.origin == format::ClassOrigin::kHeap && c.object_offset != 0 && !c.file.empty()) {
    return absl::StrCat(Basename(c.file), ":", c.line, "+", c.object_offset);
  }
  if (IsSiteClass(c) && !c.file.empty()) return absl::StrCat(Basename(c.file), ":", c.line);
  if (IsSiteClass(c)) return c.name;
  return absl::StrCat("\"", c.name, "\"");
}

std::string ClassToken(const ModelClass& c) {
  if (c.origin == format::ClassOrigin::kStatic) return c.name;  // the variable (or its key)
  if (c.origin == format::ClassOrigin::kHeap) {
    return absl::StrCat(Basename(c.file), "@", c.function, "+", c.object_offset);
  }
  return IsSiteClass(c) ? absl::StrCat(Basename(c.file), "@", c.function) : c.name;
}

std::string SiteVerb(const ModelClass& c) {
  if (c.origin == format::ClassOrigin::kStatic) return c.declared ? "declared" : "first used";
  if (c.origin == format::ClassOrigin::kHeap) return "allocated";
  return IsPreloadClass(c) ? "first used" : "created";
}

}  // namespace lockgraph::analyzer
