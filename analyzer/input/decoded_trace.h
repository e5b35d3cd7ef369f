// Trace records decoded and kept in file order, for a model to file later: the pieces that
// analyzer/input/trace_prefetcher.h parses on another thread (parsing one piece overlaps
// filing the one before), or a whole file at once (DecodeTraceFile, Model::AddDecodedTrace).
//
//   absl::StatusOr<DecodedTrace> decoded = DecodeTraceFile("a.lgtrace");
//   decoded->records.ForEach(
//       [&](const DependencyFields& r, std::span<const format::HeldLock> held) { ... },
//       [&](const DependencyCount& r) { ... },
//       [&](const format::Record& r) { ... });  // every other record
//
// Dependency records, nearly all of a large trace, are held flat: one array of them, one of
// their held locks. Decoding allocates nothing per record once the arrays have grown.
#ifndef LOCKGRAPH_ANALYZER_INPUT_DECODED_TRACE_H_
#define LOCKGRAPH_ANALYZER_INPUT_DECODED_TRACE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analyzer/input/trace_reader.h"
#include "common/trace_records.h"

namespace lockgraph::analyzer {

// A dependency record's fields but its held locks, which DecodedRecords keeps apart: plain
// data, so that the array of them grows by a copy, not a move of each record.
struct DependencyFields {
  uint64_t id = 0;
  uint64_t acquired = 0;
  uint64_t stack_id = 0;
  uint64_t time_ns = 0;
  uint32_t tid = 0;
  uint32_t segment = 0;
  uint8_t flags = 0;
};

// A dependency count record, by the place of its dependency among its file's dependency
// records (0: the first), as the reader found it (DependencyCountVisitor), not by its id.
struct DependencyCount {
  uint32_t dependency = 0;
  uint64_t count = 0;
};

class DecodedRecords {
 public:
  // Appends a copy of `record`, of a kind other than a dependency count.
  void Add(const format::Record& record);
  void AddDependency(const format::DependencyRecord& record);
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
  const DependencyFields& dependency(size_t i) const { return dependencies_[i]; }
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
  std::vector<DependencyFields> dependencies_;
  std::vector<size_t> held_ends_;  // by dependency: the end of its held locks in held_
  std::vector<format::HeldLock> held_;
  std::vector<DependencyCount> counts_;
  std::vector<format::Record> others_;
};

struct DecodedTrace {
  Trace trace;  // its definition tables and warnings; `records` is empty
  DecodedRecords records;
  uint64_t file_bytes = 0;  // the file's size
};

// Reads and parses a trace file, as ReadTraceFile does (the same errors and warnings), into
// memory.
absl::StatusOr<DecodedTrace> DecodeTraceFile(const std::string& path);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_INPUT_DECODED_TRACE_H_
