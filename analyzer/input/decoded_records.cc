#include "analyzer/input/decoded_records.h"

#include <cassert>
#include <variant>

namespace lockgraph::analyzer {

absl::Status DecodedRecords::DecodeDependency(absl::string_view payload) {
  format::DependencyHead& head = dependencies_.emplace_back();
  if (absl::Status status = format::DecodeDependencyAppending(payload, head, held_);
      !status.ok()) {
    dependencies_.pop_back();
    return status;
  }
  held_ends_.push_back(held_.size());
  order_.push_back(Kind::kDependency);
  return absl::OkStatus();
}

void DecodedRecords::DropLastDependency() {
  assert(!order_.empty() && order_.back() == Kind::kDependency);
  order_.pop_back();
  dependencies_.pop_back();
  held_ends_.pop_back();
  held_.resize(held_ends_.empty() ? 0 : held_ends_.back());
}

void DecodedRecords::AddCount(const format::DependencyCountRecord& r, uint32_t dependency) {
  order_.push_back(Kind::kCount);
  counts_.push_back({dependency, r.count});
}

void DecodedRecords::Add(const format::Record& record) {
  assert(!std::holds_alternative<format::DependencyRecord>(record) &&
         !std::holds_alternative<format::DependencyCountRecord>(record));
  order_.push_back(Kind::kOther);
  others_.push_back(record);
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

}  // namespace lockgraph::analyzer
