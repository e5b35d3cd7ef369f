#include "common/thread_order.h"

#include <algorithm>
#include <limits>

namespace lockgraph {

void ThreadOrder::AddStart(uint32_t child, uint32_t parent, uint32_t parent_segment) {
  if (parent == 0 || parent == child) return;
  nodes_[parent].starts.emplace_back(parent_segment, child);
  nodes_[child].started_by.emplace_back(parent, parent_segment);
}

void ThreadOrder::AddJoin(uint32_t joiner, uint32_t joiner_segment, uint32_t joined) {
  if (joiner == joined) return;
  nodes_[joined].joined_by.emplace_back(joiner, joiner_segment);
  nodes_[joiner].joins.emplace_back(joiner_segment, joined);
}

void ThreadOrder::AddSignal(ThreadPoint from, ThreadPoint to) {
  if (from.thread == 0 || to.thread == 0 || from.thread == to.thread) return;
  std::vector<std::pair<uint32_t, ThreadPoint>>& out = nodes_[from.thread].signals;
  // Signals between two threads come in order: a later one from a later segment of the
  // sender into the same receiver segment adds nothing.
  if (!out.empty() && out.back().second.thread == to.thread &&
      out.back().second.segment <= to.segment && out.back().first >= from.segment) {
    return;
  }
  if (!out.empty() && out.back().second.thread == to.thread &&
      out.back().second.segment == to.segment && out.back().first <= from.segment) {
    out.back().first = from.segment;
    nodes_[to.thread].received.emplace_back(to.segment, from);  // the older one is weaker
    return;
  }
  out.emplace_back(from.segment, to);
  nodes_[to.thread].received.emplace_back(to.segment, from);
  ++signals_;
}

bool ThreadOrder::HappensBefore(ThreadPoint a, ThreadPoint b) const {
  if (a.thread == b.thread) return a.segment < b.segment;
  const absl::flat_hash_map<uint32_t, uint32_t> later = Later(a);
  auto it = later.find(b.thread);
  return it != later.end() && it->second <= b.segment;
}

absl::flat_hash_map<uint32_t, uint32_t> ThreadOrder::Later(ThreadPoint a) const {
  // reached[t] = the earliest segment of t that a happens before.
  absl::flat_hash_map<uint32_t, uint32_t> reached;
  std::vector<uint32_t> work;
  auto reach = [&](uint32_t thread, uint32_t segment) {
    auto [it, inserted] = reached.try_emplace(thread, segment);
    if (inserted) {
      work.push_back(thread);
    } else if (segment < it->second) {
      it->second = segment;
      work.push_back(thread);
    }
  };
  reach(a.thread, a.segment);
  // A start out of segment s orders segments <= s of the parent before the child, but the
  // walk may reach the parent at a later segment only; a join orders all of the joined thread.
  while (!work.empty()) {
    const uint32_t thread = work.back();
    work.pop_back();
    auto it = nodes_.find(thread);
    if (it == nodes_.end()) continue;
    const uint32_t from = reached[thread];
    for (auto [segment, child] : it->second.starts) {
      if (segment >= from) reach(child, 0);
    }
    for (auto [joiner, segment] : it->second.joined_by) reach(joiner, segment + 1);
    for (auto [segment, to] : it->second.signals) {
      if (segment >= from) reach(to.thread, to.segment);
    }
  }
  return reached;
}

absl::flat_hash_map<uint32_t, uint32_t> ThreadOrder::Earlier(ThreadPoint b) const {
  // reached[t] = the last segment of t that happens before b: Later's walk, run backwards.
  absl::flat_hash_map<uint32_t, uint32_t> reached;
  std::vector<uint32_t> work;
  auto reach = [&](uint32_t thread, uint32_t segment) {
    auto [it, inserted] = reached.try_emplace(thread, segment);
    if (inserted) {
      work.push_back(thread);
    } else if (segment > it->second) {
      it->second = segment;
      work.push_back(thread);
    }
  };
  reach(b.thread, b.segment);
  constexpr uint32_t kWholeThread = std::numeric_limits<uint32_t>::max();
  while (!work.empty()) {
    const uint32_t thread = work.back();
    work.pop_back();
    auto it = nodes_.find(thread);
    if (it == nodes_.end()) continue;
    const uint32_t until = reached[thread];
    // Every segment of a thread comes after its parent's segments up to the start.
    for (auto [parent, segment] : it->second.started_by) reach(parent, segment);
    for (auto [segment, joined] : it->second.joins) {
      if (segment < until) reach(joined, kWholeThread);
    }
    for (auto [segment, from] : it->second.received) {
      if (segment <= until) reach(from.thread, from.segment);
    }
  }
  return reached;
}

ThreadOrder::PointOrder ThreadOrder::OrderOf(ThreadPoint p) const {
  PointOrder order;
  order.point_ = p;
  order.later_ = Later(p);
  order.earlier_ = Earlier(p);
  return order;
}

bool ThreadOrder::PointOrder::Ordered(ThreadPoint q) const {
  if (q.thread == point_.thread) return q.segment != point_.segment;
  if (auto it = later_.find(q.thread); it != later_.end() && it->second <= q.segment) return true;
  auto it = earlier_.find(q.thread);
  return it != earlier_.end() && q.segment <= it->second;
}

}  // namespace lockgraph
