// A test fixture that points the runtime's trace at a fresh file and reads it back with the
// analyzer's reader, so tests assert on exactly what was recorded.
//
//   TEST_F(TraceTest, Something) {
//     ... use locks named "Something.a" ...
//     const Trace& trace = ReadBack();
//     EXPECT_THAT(Dependencies(trace), ElementsAre("Something.a -> Something.b"));
//   }
#ifndef LOCKGRAPH_TESTS_RUNTIME_TRACE_FIXTURE_H_
#define LOCKGRAPH_TESTS_RUNTIME_TRACE_FIXTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/input/trace_reader.h"
#include "gtest/gtest.h"
#include "lockgraph/options.h"
#include "tests/support/temp_dir.h"

namespace lockgraph::testing {

// The class name of a lock instance.
std::string LockName(const analyzer::Trace& trace, uint64_t instance);

// The records of type T, in file order.
template <typename T>
std::vector<T> RecordsOf(const analyzer::Trace& trace) {
  std::vector<T> out;
  for (const analyzer::TraceRecord& r : trace.records) {
    if (const T* record = std::get_if<T>(&r.record)) out.push_back(*record);
  }
  return out;
}

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Changes options for this test (the trace path stays the fixture's).
  void SetOptions(const Options& options);
  Options options() const { return options_; }

  // Flushes the calling thread and reads the trace file.
  const analyzer::Trace& ReadBack();

  // "a, b -> c" for each dependency of the trace (held locks by class name, in order), in
  // file order; `prefix` keeps only those whose locks all start with it and strips it.
  std::vector<std::string> Dependencies(const analyzer::Trace& trace,
                                        const std::string& prefix) const;

 private:
  TempDir dir_;
  Options options_;
  analyzer::Trace trace_;
};

}  // namespace lockgraph::testing

#endif  // LOCKGRAPH_TESTS_RUNTIME_TRACE_FIXTURE_H_
