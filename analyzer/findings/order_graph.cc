#include "analyzer/findings/order_graph.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/findings/lock_labels.h"

namespace lockgraph::analyzer {

OrderGraph BuildOrderGraph(FindingParts& parts, const LockGraph& classes) {
  const Model& model = parts.model();
  OrderGraph out;
  std::vector<uint32_t> ids;
  std::vector<bool> used(classes.last_node() + 1, false);
  std::vector<StackRef> stacks;
  for (size_t e = 0; e < classes.edge_count(); ++e) {
    const GraphEdge& edge = classes.edge(e);
    used[edge.from] = used[edge.to] = true;
    if (!edge.witnesses.empty()) {
      stacks.push_back(model.dependencies()[edge.witnesses[0].dependency].stack);
    }
  }
  for (uint32_t id = 1; id <= classes.last_node(); ++id) {
    if (used[id]) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
    return model.lock_class(a).name < model.lock_class(b).name;
  });
  std::vector<size_t> index(classes.last_node() + 1, 0);
  for (uint32_t id : ids) {
    const ModelClass& c = model.lock_class(id);
    index[id] = out.nodes.size();
    out.nodes.push_back({c.name, ClassLabel(c),
                         c.file.empty() ? "" : absl::StrCat(c.file, ":", c.line), c.kind});
  }
  parts.symbolizer().Prefetch(stacks);
  for (size_t e = 0; e < classes.edge_count(); ++e) {
    const GraphEdge& edge = classes.edge(e);
    OrderGraphEdge order;
    order.from = index[edge.from];
    order.to = index[edge.to];
    order.count = edge.count;
    std::set<uint32_t> threads;
    for (const EdgeWitness& w : edge.witnesses) {
      threads.insert(model.dependencies()[w.dependency].thread);
    }
    order.threads = threads.size();
    if (!edge.witnesses.empty()) {
      const ModelDependency& first = model.dependencies()[edge.witnesses[0].dependency];
      order.thread = parts.Thread(first.thread);
      order.site = parts.Stack(first.stack).site();
    }
    out.edges.push_back(std::move(order));
  }
  std::sort(out.edges.begin(), out.edges.end(),
            [](const OrderGraphEdge& a, const OrderGraphEdge& b) {
              return std::tie(a.from, a.to) < std::tie(b.from, b.to);
            });
  return out;
}

}  // namespace lockgraph::analyzer
