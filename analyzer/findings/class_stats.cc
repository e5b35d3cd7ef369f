#include "analyzer/findings/class_stats.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/wait_histogram.h"

namespace lockgraph::analyzer {
namespace {

// The upper bound of the histogram bucket holding quantile q.
uint64_t Quantile(const std::array<uint64_t, format::kWaitBuckets>& histogram, uint64_t total,
                  double q) {
  if (total == 0) return 0;
  const uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total - 1)) + 1;
  uint64_t seen = 0;
  for (uint32_t b = 0; b < format::kWaitBuckets; ++b) {
    seen += histogram[b];
    if (seen >= rank) {
      return b + 1 < format::kWaitBuckets ? format::WaitBucketLowerBound(b + 1) - 1 : UINT64_MAX;
    }
  }
  return 0;
}

}  // namespace

std::vector<ClassStatsRow> ComputeClassStats(const Model& model) {
  std::vector<ClassStatsRow> rows;
  for (const auto& [class_id, s] : model.statistics()) {
    const ModelClass& c = model.lock_class(class_id);
    ClassStatsRow row;
    row.class_name = c.name;
    row.kind = c.kind;
    row.site = absl::StrCat(c.file, ":", c.line);
    row.acquisitions = s.acquisitions;
    row.contended = s.contended;
    row.wait_total_ns = s.wait_total_ns;
    row.wait_max_ns = s.wait_max_ns;
    uint64_t waits = 0;
    for (uint64_t n : s.wait_histogram) waits += n;
    row.wait_p50_ns = std::min(Quantile(s.wait_histogram, waits, 0.50), s.wait_max_ns);
    row.wait_p99_ns = std::min(Quantile(s.wait_histogram, waits, 0.99), s.wait_max_ns);
    row.hold_samples = s.hold_samples;
    row.hold_total_ns =
        s.hold_samples == 0
            ? 0
            : static_cast<uint64_t>(static_cast<double>(s.hold_total_ns) *
                                    static_cast<double>(std::max(s.acquisitions, s.hold_samples)) /
                                    static_cast<double>(s.hold_samples));
    row.hold_max_ns = s.hold_max_ns;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const ClassStatsRow& a, const ClassStatsRow& b) {
    if (a.wait_total_ns != b.wait_total_ns) return a.wait_total_ns > b.wait_total_ns;
    return a.class_name < b.class_name;
  });
  return rows;
}

}  // namespace lockgraph::analyzer
