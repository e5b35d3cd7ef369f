#include "analyzer/input/decoded_trace.h"

#include <cassert>
#include <utility>
#include <variant>

namespace lockgraph::analyzer {

void DecodedRecords::AddDependency(const format::DependencyRecord& r) {
  order_.push_back(Kind::kDependency);
  dependencies_.push_back({.id = r.id,
                           .acquired = r.acquired,
                           .stack_id = r.stack_id,
                           .time_ns = r.time_ns,
                           .tid = r.tid,
                           .segment = r.segment,
                           .flags = r.flags});
  held_.insert(held_.end(), r.held.begin(), r.held.end());
  held_ends_.push_back(held_.size());
}

void DecodedRecords::AddCount(const format::DependencyCountRecord& r, uint32_t dependency) {
  order_.push_back(Kind::kCount);
  counts_.push_back({dependency, r.count});
}

void DecodedRecords::Add(const format::Record& record) {
  assert(!std::holds_alternative<format::DependencyCountRecord>(record));
  if (const auto* r = std::get_if<format::DependencyRecord>(&record)) {
    AddDependency(*r);
  } else {
    order_.push_back(Kind::kOther);
    others_.push_back(record);
  }
}

void DecodedRecords::Clear() {
  order_.clear();
  dependencies_.clear();
  held_ends_.clear();
  held_.clear();
  counts_.clear();
  others_.clear();
}

void DecodedRecords::ReserveLike(const DecodedRecords& other) {
  order_.reserve(other.order_.size());
  dependencies_.reserve(other.dependencies_.size());
  held_ends_.reserve(other.held_ends_.size());
  held_.reserve(other.held_.size());
  counts_.reserve(other.counts_.size());
  others_.reserve(other.others_.size());
}

absl::StatusOr<DecodedTrace> DecodeTraceFile(const std::string& path) {
  DecodedTrace decoded;
  absl::StatusOr<Trace> trace = ReadTraceFile(
      path, [&](const Trace&, const TraceRecord& r) { decoded.records.Add(r.record); },
      [&](uint64_t, uint64_t total) { decoded.file_bytes = total; },
      {.dependencies = [&](const Trace&, uint64_t, const format::DependencyRecord& r) {
         decoded.records.AddDependency(r);
       },
       .dependency_counts = [&](const Trace&, uint64_t, const format::DependencyCountRecord& r,
                                uint32_t dependency) { decoded.records.AddCount(r, dependency); }});
  if (!trace.ok()) return trace.status();
  decoded.trace = *std::move(trace);
  return decoded;
}

}  // namespace lockgraph::analyzer
