#include "common/events.h"

#include "absl/strings/str_cat.h"

namespace lockgraph::format {

const char* EventOpName(EventOp op) {
  switch (op) {
    case EventOp::kAcquire: return "acquire";
    case EventOp::kAcquireFlags: return "acquire";
    case EventOp::kRelease: return "release";
    case EventOp::kWait: return "wait";
    case EventOp::kTimeout: return "timeout";
    case EventOp::kSend: return "send";
    case EventOp::kReceive: return "receive";
    case EventOp::kRead: return "read";
    case EventOp::kWrite: return "write";
    case EventOp::kReadRaw: return "read-raw";
    case EventOp::kWriteRaw: return "write-raw";
    case EventOp::kSpawn: return "spawn";
    case EventOp::kJoin: return "join";
    case EventOp::kJoinProcess: return "join-process";
  }
  return "?";
}

bool EventDecoder::Fail(const char* what) {
  error_ = absl::StrCat(what, " at byte ", reader_.position(), " of ", size_);
  return false;
}

bool EventDecoder::Next(Event& event) {
  if (!error_.empty() || reader_.at_end()) return false;
  uint64_t header;
  if (!reader_.Read(header)) return Fail("truncated event header");
  const uint64_t op = header & 0xf;
  if (op > kMaxEventOp) return Fail(absl::StrCat("unknown event op ", op).c_str());
  event.op = static_cast<EventOp>(op);
  time_ += header >> 4;
  event.time = time_;
  event.operands = {};
  EventOperands& o = event.operands;
  bool read = reader_.Read(o.object);
  switch (event.op) {
    case EventOp::kAcquireFlags:
      read = read && reader_.Read(o.seq) && reader_.ReadAs(o.flags);
      break;
    case EventOp::kAcquire:
    case EventOp::kSend:
    case EventOp::kReceive:
      read = read && reader_.Read(o.seq);
      break;
    case EventOp::kRead:
    case EventOp::kWrite:
      read = read && reader_.Read(o.site);
      break;
    case EventOp::kReadRaw:
    case EventOp::kWriteRaw:
      read = read && reader_.Read(o.size) && reader_.Read(o.site);
      break;
    case EventOp::kWait:
      read = read && reader_.Read(o.size);
      break;
    default:
      break;
  }
  if (!read) return Fail(absl::StrCat("truncated ", EventOpName(event.op), " event").c_str());
  return true;
}

}  // namespace lockgraph::format
