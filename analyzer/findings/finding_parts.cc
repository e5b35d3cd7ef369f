#include "analyzer/findings/finding_parts.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/findings/lock_labels.h"

namespace lockgraph::analyzer {

FindingStack FindingParts::Stack(StackRef ref) {
  FindingStack stack;
  const std::vector<SourceFrame> frames = symbolizer_.Frames(ref);
  const auto [first, end] = UserFrameRange(frames);
  stack.frames.assign(frames.begin() + first, frames.begin() + end);
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
  return FindingLock{cls.name, ClassLabel(cls), absl::StrCat(lock.file, ":", lock.line),
                     lock.kind};
}

FindingLock FindingParts::GraphLock(const LockGraph& graph, uint32_t node) const {
  if (graph.level() == LockGraph::kInstances) return InstanceLock(model_.lock(node));
  const ModelClass& c = model_.lock_class(node);
  return FindingLock{c.name, ClassLabel(c), absl::StrCat(c.file, ":", c.line), c.kind};
}

const ModelClass& FindingParts::ClassOf(const LockGraph& graph, uint32_t node) const {
  return model_.lock_class(graph.level() == LockGraph::kInstances ? model_.lock(node).class_id
                                                                   : node);
}

}  // namespace lockgraph::analyzer
