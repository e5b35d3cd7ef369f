// trace_bytes: how many trace bytes full mode spends per event. Runs each shape of
// bench/full_mode_bench.cc N times in a lockgraph::Thread of its own, then reads the trace back
// with the analyzer's reader and prints, per shape, the events, their bytes (the `events`
// field of the event-block records) and the whole records' bytes (framing and block fields
// included).
//
//   LOCKGRAPH_OPTIONS=mode=full:trace=/tmp/tb.lgtrace bench/trace_bytes 1000000
//
// The shapes run at full speed, so most event headers hold a time delta under 128 TSC ticks
// (one byte); a program that works between its lock operations pays a byte more per event.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "analyzer/input/trace_reader.h"
#include "lockgraph/lockgraph.h"

namespace {

using lockgraph::analyzer::Trace;
using lockgraph::analyzer::TraceRecord;
namespace format = lockgraph::format;

struct Shape {
  const char* name;
  std::function<void(uint64_t)> run;  // n iterations
};

std::vector<Shape> Shapes() {
  return {
      {"OneLock", [](uint64_t n) {
         lockgraph::Lock mu("one");
         for (uint64_t i = 0; i < n; ++i) {
           mu.lock();
           mu.unlock();
         }
       }},
      {"NestedPair", [](uint64_t n) {
         lockgraph::Lock outer("outer"), inner("inner");
         for (uint64_t i = 0; i < n; ++i) {
           outer.lock();
           inner.lock();
           inner.unlock();
           outer.unlock();
         }
       }},
      {"LockedIncrement", [](uint64_t n) {
         lockgraph::Lock mu("counter-lock");
         lockgraph::Shared<int> counter{0, "counter"};
         for (uint64_t i = 0; i < n; ++i) {
           mu.lock();
           counter.update([](int& c) { ++c; });
           mu.unlock();
         }
       }},
      {"SharedRead", [](uint64_t n) {
         lockgraph::Shared<int> value{1, "read-value"};
         int sum = 0;
         for (uint64_t i = 0; i < n; ++i) sum += value.read();
         if (sum == 42) std::puts("");  // keeps the reads
       }},
      {"SharedWrite", [](uint64_t n) {
         lockgraph::Shared<int> value{0, "written-value"};
         for (uint64_t i = 0; i < n; ++i) value.write(static_cast<int>(i));
       }},
  };
}

struct Bytes {
  uint64_t blocks = 0;
  uint64_t events = 0;
  uint64_t event_bytes = 0;   // the events themselves
  uint64_t record_bytes = 0;  // whole records: framing, block fields and events
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 1000000;
  if (argc > 2 || (argc == 2 && !absl::SimpleAtoi(argv[1], &n))) {
    std::fprintf(stderr, "usage: LOCKGRAPH_OPTIONS=mode=full:trace=FILE trace_bytes [N]\n");
    return 2;
  }
  const lockgraph::Options options = lockgraph::CurrentOptions();
  if (options.mode != lockgraph::Mode::kFull || options.trace.empty() ||
      options.trace.find("%p") != std::string::npos) {
    std::fprintf(stderr, "trace_bytes: run with LOCKGRAPH_OPTIONS=mode=full:trace=FILE "
                         "(a path without %%p)\n");
    return 2;
  }
  // One thread per shape, one after the other: each shape's events are its thread's.
  const std::vector<Shape> shapes = Shapes();
  for (const Shape& shape : shapes) {
    lockgraph::Thread worker([&] { shape.run(n); }, shape.name);
    worker.start();
    worker.join();  // its blocks are in the file once it has ended
  }
  lockgraph::Flush();

  std::map<uint32_t, std::string> names;  // tid -> thread name
  std::map<uint32_t, Bytes> by_tid;
  uint64_t previous_offset = 0;
  uint32_t previous_block_tid = 0;
  auto close_block = [&](uint64_t end) {
    if (previous_block_tid != 0) by_tid[previous_block_tid].record_bytes += end - previous_offset;
    previous_block_tid = 0;
  };
  absl::StatusOr<Trace> trace = lockgraph::analyzer::ReadTraceFile(
      options.trace, [&](const Trace& t, const TraceRecord& r) {
        close_block(r.offset);
        if (const auto* start = std::get_if<format::ThreadStartRecord>(&r.record)) {
          names[start->tid] = t.String(start->name_sid);
        } else if (const auto* block = std::get_if<format::EventBlockRecord>(&r.record)) {
          Bytes& b = by_tid[block->tid];
          ++b.blocks;
          b.events += block->count;
          b.event_bytes += block->events.size();
          previous_offset = r.offset;
          previous_block_tid = block->tid;
        }
      });
  if (!trace.ok()) {
    std::fprintf(stderr, "trace_bytes: %s\n", std::string(trace.status().message()).c_str());
    return 2;
  }
  close_block(std::filesystem::file_size(options.trace));
  std::printf("| shape | iterations | events | event blocks | event bytes | bytes/event "
              "| record bytes/event |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Shape& shape : shapes) {
    for (const auto& [tid, b] : by_tid) {
      if (names[tid] != shape.name || b.events == 0) continue;
      std::printf("| %s | %llu | %llu | %llu | %llu | %.2f | %.2f |\n", shape.name,
                  static_cast<unsigned long long>(n), static_cast<unsigned long long>(b.events),
                  static_cast<unsigned long long>(b.blocks),
                  static_cast<unsigned long long>(b.event_bytes),
                  static_cast<double>(b.event_bytes) / static_cast<double>(b.events),
                  static_cast<double>(b.record_bytes) / static_cast<double>(b.events));
    }
  }
  return 0;
}
