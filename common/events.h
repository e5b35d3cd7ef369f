// Full mode's events: what one thread did, in order, packed into the `events` bytes of an
// EventBlockRecord (common/trace_records.h). docs/trace-format.md, "Event blocks".
//
// Each event is `varint header` then its operands, all varints. The header is
// (ticks << 4) | op, where ticks is the time since the previous event of the block (the
// first: since the block's start) in units of 16 TSC ticks; the block carries the TSC rate.
//
//   uint8_t* p = buffer;
//   p = AppendEvent(p, EventOp::kAcquire, ticks, {.object = 7, .seq = 3});
//   ...
//   EventDecoder events(block.events);
//   Event e;
//   while (events.Next(e)) { ... }
//   if (!events.ok()) { /* corrupt: events.error() */ }
#ifndef LOCKGRAPH_COMMON_EVENTS_H_
#define LOCKGRAPH_COMMON_EVENTS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "common/varint.h"

namespace lockgraph::format {

// Operands by op: `object` is an instance id unless noted; `seq` pairs events across threads.
enum class EventOp : uint8_t {
  kAcquire = 0,       // object, seq: the seq-th acquisition of the lock (from 1)
  kAcquireFlags = 1,  // object, seq, flags (AcquireFlags; shared, try or timed)
  kRelease = 2,       // object: released the lock taken by this thread's last acquire of it
  kWait = 3,          // object, size: blocked on the object for `size` nanoseconds, ending
                      // now (the acquire, receive or timeout follows)
  kTimeout = 4,       // object: gave up waiting
  kSend = 5,          // object, seq: the seq-th signal of the object (Event::set, Queue::put,
                      // a signal semaphore's release, Condition::notify)
  kReceive = 6,       // object, seq: consumed or observed signal `seq` of the object
  kRead = 7,          // object (a Shared<T>), site (stack id)
  kWrite = 8,         // object, site
  kReadRaw = 9,       // object = address, size, site (LOCKGRAPH_READ)
  kWriteRaw = 10,     // object = address, size, site (LOCKGRAPH_WRITE)
  kSpawn = 11,        // object = 0: started a thread, whose ThreadStartRecord names this
                      // thread and the segment this event closes
  kJoin = 12,         // object = the joined thread's tid
  kJoinProcess = 13,  // object = the pid of the forked child process seen to end
                      // (lockgraph::Process::join; its ProcessJoinRecord names the segment)
};
inline constexpr uint8_t kMaxEventOp = 13;
inline constexpr int kEventTickShift = 4;  // a tick unit is 16 TSC ticks
// Upper bound of one encoded event: a header and three operands of 10 bytes, and a flags byte.
inline constexpr size_t kMaxEventBytes = 4 * kMaxVarintBytes + 2;

struct EventOperands {
  uint64_t object = 0;
  uint64_t seq = 0;
  uint8_t flags = 0;
  uint64_t size = 0;
  uint64_t site = 0;
};

struct Event {
  EventOp op = EventOp::kAcquire;
  uint64_t time = 0;  // tick units since the block's start
  EventOperands operands;
};

const char* EventOpName(EventOp op);

// Events that open a new segment of their thread in full mode (common/thread_order.h): the
// runtime bumps its segment right after them, so the analyzer can count segments.
inline bool OpensSegment(EventOp op) {
  return op == EventOp::kSend || op == EventOp::kReceive || op == EventOp::kSpawn ||
         op == EventOp::kJoin || op == EventOp::kJoinProcess;
}

// Writes one event at `out` (kMaxEventBytes must be free) and returns the end.
inline uint8_t* AppendEvent(uint8_t* out, EventOp op, uint64_t ticks,
                            const EventOperands& operands) {
  out += EncodeVarint((ticks << 4) | static_cast<uint8_t>(op), out);
  switch (op) {
    case EventOp::kAcquireFlags:
      out += EncodeVarint(operands.object, out);
      out += EncodeVarint(operands.seq, out);
      *out++ = operands.flags;  // < 128: one varint byte
      break;
    case EventOp::kAcquire:
    case EventOp::kSend:
    case EventOp::kReceive:
      out += EncodeVarint(operands.object, out);
      out += EncodeVarint(operands.seq, out);
      break;
    case EventOp::kRead:
    case EventOp::kWrite:
      out += EncodeVarint(operands.object, out);
      out += EncodeVarint(operands.site, out);
      break;
    case EventOp::kReadRaw:
    case EventOp::kWriteRaw:
      out += EncodeVarint(operands.object, out);
      out += EncodeVarint(operands.size, out);
      out += EncodeVarint(operands.site, out);
      break;
    case EventOp::kWait:
      out += EncodeVarint(operands.object, out);
      out += EncodeVarint(operands.size, out);
      break;
    default:  // kRelease, kTimeout, kSpawn, kJoin, kJoinProcess
      out += EncodeVarint(operands.object, out);
      break;
  }
  return out;
}

// Reads the events of one block, in order. Stops at the end or at the first malformed event
// (then ok() is false and error() says what and at which byte).
class EventDecoder {
 public:
  explicit EventDecoder(absl::string_view bytes) : reader_(bytes), size_(bytes.size()) {}
  bool Next(Event& event);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  bool Fail(const char* what);
  VarintReader reader_;
  size_t size_;
  uint64_t time_ = 0;
  std::string error_;
};

}  // namespace lockgraph::format

#endif  // LOCKGRAPH_COMMON_EVENTS_H_
