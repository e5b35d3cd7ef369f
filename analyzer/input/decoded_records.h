// Trace records decoded and kept in file order, for a model to file later: the pieces that
// analyzer/input/trace_prefetcher.h parses on another thread (parsing one piece overlaps
// filing the one before), or a whole file at once (analyzer/input/decoded_trace.h).
//
//   DecodedRecords records;  // filled by a reader (ReadOptions::dependencies_into)
//   records.ForEach(
//       [&](const format::DependencyHead& r, std::span<const format::HeldLock> held) { ... },
//       [&](const DependencyCount& r) { ... },
//       [&](const format::Record& r) { ... });  // every other record
//
// Dependency records, nearly all of a large trace, are held flat: one array of them, one of
// their held locks, which the reader decodes them into. Decoding allocates nothing per record
// once the arrays have grown.
#ifndef LOCKGRAPH_ANALYZER_INPUT_DECODED_RECORDS_H_
#define LOCKGRAPH_ANALYZER_INPUT_DECODED_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/trace_records.h"

namespace lockgraph::analyzer {

// A dependency count record, by the place of its dependency among its file's dependency
// records (0: the first), as the reader found it (DependencyCountVisitor), not by its id.
struct DependencyCount {
  uint32_t dependency = 0;
  uint64_t count = 0;
};

class DecodedRecords {
 public:
  // Appends a copy of `record`, of a kind other than the two below.
  void Add(const format::Record& record);
  // Appends the dependency record of `payload`, decoded in place; on an error, nothing.
  absl::Status DecodeDependency(absl::string_view payload);
  // Removes the last record, a dependency (one the reader turned down).
  void DropLastDependency();
  void AddCount(const format::DependencyCountRecord& record, uint32_t dependency);

  // Calls, in file order, `dependency(fields, held)` for each dependency record,
  // `count(record)` for each dependency count record and `other(record)` for each of the rest.
  template <typename OnDependency, typename OnCount, typename OnOther>
  void ForEach(OnDependency&& dependency, OnCount&& count, OnOther&& other) const {
    size_t d = 0, c = 0, o = 0;
    for (const Kind kind : order_) {
      switch (kind) {
        case Kind::kDependency:
          dependency(dependencies_[d], held_of(d));
          ++d;
          break;
        case Kind::kCount:
          count(counts_[c++]);
          break;
        case Kind::kOther:
          other(others_[o++]);
          break;
      }
    }
  }

  size_t size() const { return order_.size(); }
  // The dependency records (fields, held locks) and the dependency count records, by their
  // place among those of their kind in file order: what ForEach gives later, to look ahead.
  size_t dependency_count() const { return dependencies_.size(); }
  const format::DependencyHead& dependency(size_t i) const { return dependencies_[i]; }
  std::span<const format::HeldLock> held_of(size_t i) const {
    const size_t begin = i == 0 ? 0 : held_ends_[i - 1];
    return std::span<const format::HeldLock>(held_).subspan(begin, held_ends_[i] - begin);
  }
  std::span<const DependencyCount> counts() const { return counts_; }
  // Empties it, keeping its memory for the records added next.
  void Clear();
  // Room for as many records of each kind as `other` holds: the next piece of a file is much
  // like the one before, and grows no further than it.
  void ReserveLike(const DecodedRecords& other);

 private:
  enum class Kind : uint8_t { kDependency, kCount, kOther };

  std::vector<Kind> order_;  // of every record
  std::vector<format::DependencyHead> dependencies_;
  std::vector<size_t> held_ends_;  // by dependency: the end of its held locks in held_
  std::vector<format::HeldLock> held_;
  std::vector<DependencyCount> counts_;
  std::vector<format::Record> others_;
};

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_DECODED_RECORDS_H_
