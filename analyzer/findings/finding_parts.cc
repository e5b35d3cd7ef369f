#include "analyzer/findings/finding_parts.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/findings/lock_labels.h"

namespace lockgraph::analyzer {

FindingStack FindingParts::Stack(StackRef ref) {
  FindingStack stack;
  std::vector<SourceFrame> frames = symbolizer_.Frames(ref);
  if (full_stacks_) {
    stack.frames = std::move(frames);
    return stack;
  }
  ShownFrames shown = FoldLibraryFrames(frames);
  stack.frames = std::move(shown.frames);
  stack.folded = shown.folded;
  return stack;
}

FindingThread FindingParts::Thread(uint32_t id) const {
  FindingThread thread;
  if (id == 0) return thread;
  const ModelThread& t = model_.thread(id);
  thread.id = t.tid;
  thread.name = t.name;
  thread.pid = model_.traces()[t.trace].process.pid;
  return thread;
}

FindingLock FindingParts::InstanceLock(const ModelLock& lock) const {
  const ModelClass& cls = model_.lock_class(lock.class_id);
  // An object in static storage is its class; any other preload object says where it was
  // first used (its class, where it was allocated).
  if (cls.origin == format::ClassOrigin::kStatic) return ClassLock(cls);
  FindingLock result{cls.name, ClassLabel(cls), absl::StrCat(lock.file, ":", lock.line),
                     lock.kind};
  // An unnamed wrapper lock in static storage: its variable, made at its class's site.
  if (!lock.variable.empty() && IsSiteClass(cls)) {
    result.label = absl::StrCat(format::SyncKindName(lock.kind), " ", lock.variable);
  }
  if (cls.origin == format::ClassOrigin::kHeap) result.site_verb = "first used";
  if (cls.origin == format::ClassOrigin::kSite) result.site_verb = SiteVerb(cls);
  return result;
}

FindingLock FindingParts::ClassLock(const ModelClass& c) const {
  FindingLock result{c.name, ClassLabel(c), absl::StrCat(c.file, ":", c.line), c.kind};
  result.site_verb = SiteVerb(c);
  return result;
}

FindingLock FindingParts::GraphLock(const LockGraph& graph, uint32_t node) const {
  if (graph.level() == LockGraph::kInstances) return InstanceLock(model_.lock(node));
  return ClassLock(model_.lock_class(node));
}

const ModelClass& FindingParts::ClassOf(const LockGraph& graph, uint32_t node) const {
  return model_.lock_class(graph.level() == LockGraph::kInstances ? model_.lock(node).class_id
                                                                   : node);
}

}  // namespace lockgraph::analyzer
