#include "runtime/online/process_wait_board.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/fnv.h"
#include "runtime/base/stderr.h"
#include "runtime/online/waits_for_cycle.h"

namespace lockgraph::runtime {

namespace {
constexpr uint32_t kMagic = 0x4c475742;  // "LGWB": this layout, version 1
constexpr int kSlots = 256;
constexpr int kNameWords = 4;  // names are kept to 32 bytes
}  // namespace

// Every field is reached through std::atomic_ref: other processes change them at any time.
struct BoardSlot {
  uint32_t state;  // 0 free, 1 claimed (being written), 2 published
  uint32_t flags;
  uint64_t sequence;  // odd while the slot is written
  uint32_t pid;
  uint32_t tid;
  uint32_t kind;
  uint32_t held_count;
  uint64_t wants;
  uint64_t held[BoardEntry::kMaxHeld];
  uint64_t thread_name[kNameWords];
  uint64_t wants_name[kNameWords];
};

struct BoardPage {
  uint32_t magic;  // 0 until the first process has set it (the page starts zeroed)
  uint32_t slot_count;
  BoardSlot slots[kSlots];
};

namespace {

template <typename T>
std::atomic_ref<T> Atomic(T& field) {
  return std::atomic_ref<T>(field);
}

bool Alive(uint32_t pid) { return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

void StoreName(uint64_t (&words)[kNameWords], std::string_view name) {
  char bytes[sizeof(words)] = {};
  memcpy(bytes, name.data(), std::min(name.size(), sizeof(bytes) - 1));
  for (int i = 0; i < kNameWords; ++i) {
    uint64_t word;
    memcpy(&word, bytes + i * sizeof(word), sizeof(word));
    Atomic(words[i]).store(word, std::memory_order_relaxed);
  }
}

std::string LoadName(uint64_t (&words)[kNameWords]) {
  char bytes[sizeof(words)];
  for (int i = 0; i < kNameWords; ++i) {
    const uint64_t word = Atomic(words[i]).load(std::memory_order_relaxed);
    memcpy(bytes + i * sizeof(word), &word, sizeof(word));
  }
  bytes[sizeof(bytes) - 1] = '\0';
  return std::string(bytes);
}

BoardPage* MapBoard() {
  const std::string name = absl::StrFormat("/lockgraph.%d.waits", getuid());
  const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    StderrLine(absl::StrCat("lockgraph: cannot open the process wait board ", name, ": ",
                            strerror(errno), "; deadlocks across processes are not detected"));
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 ||
      (st.st_size < static_cast<off_t>(sizeof(BoardPage)) &&
       ftruncate(fd, sizeof(BoardPage)) != 0)) {
    close(fd);
    return nullptr;
  }
  void* memory = mmap(nullptr, sizeof(BoardPage), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (memory == MAP_FAILED) return nullptr;
  auto* page = static_cast<BoardPage*>(memory);
  uint32_t magic = 0;
  // A fresh page is zero: the first process marks it; any other magic is another layout.
  if (!Atomic(page->magic).compare_exchange_strong(magic, kMagic) && magic != kMagic) {
    StderrLine(absl::StrCat("lockgraph: ", name, " is not a wait board of this lockgraph "
                            "version; deadlocks across processes are not detected"));
    munmap(memory, sizeof(BoardPage));
    return nullptr;
  }
  return page;
}

}  // namespace

std::vector<size_t> BoardCycle(const std::vector<BoardEntry>& entries, size_t self,
                               BoardEntry::Kind kind) {
  auto eligible = [&](const BoardEntry& e) {
    return e.kind == kind && (e.flags & BoardEntry::kReleased) == 0;
  };
  if (self >= entries.size() || !eligible(entries[self])) return {};
  return WaitsForCycle(entries.size(), self, [&](size_t t, size_t u) {
    const BoardEntry& e = entries[u];
    return eligible(e) && std::find(e.held.begin(), e.held.end(), entries[t].wants) != e.held.end();
  });
}

BoardEntry BoardEntry::Of(Kind kind, uint32_t tid, std::string_view thread_name,
                          std::string_view wants) {
  BoardEntry entry;
  entry.kind = kind;
  entry.pid = static_cast<uint32_t>(getpid());
  entry.tid = tid;
  entry.wants = BoardLockHash(wants);
  entry.wants_name = std::string(wants);
  entry.thread_name = std::string(thread_name);
  return entry;
}

uint64_t BoardLockHash(std::string_view global_name) { return Fnv1a64(global_name) | 1; }

ProcessWaitBoard* ProcessWaitBoard::Get() {
  static ProcessWaitBoard* const board = [] {
    BoardPage* page = MapBoard();
    return page != nullptr ? new ProcessWaitBoard(page) : nullptr;
  }();
  return board;
}

int ProcessWaitBoard::Publish(const BoardEntry& entry) {
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < kSlots; ++i) {
      BoardSlot& s = page_->slots[i];
      uint32_t state = Atomic(s.state).load(std::memory_order_acquire);
      // The second pass takes over the slots of processes that died while published.
      if (state == 2 && pass == 1 && !Alive(Atomic(s.pid).load(std::memory_order_relaxed))) {
        if (!Atomic(s.state).compare_exchange_strong(state, 1)) continue;
      } else if (state != 0 || !Atomic(s.state).compare_exchange_strong(state, 1)) {
        continue;
      }
      Atomic(s.sequence).fetch_add(1, std::memory_order_acq_rel);  // odd: being written
      Atomic(s.flags).store(0, std::memory_order_relaxed);
      Atomic(s.pid).store(entry.pid, std::memory_order_relaxed);
      Atomic(s.tid).store(entry.tid, std::memory_order_relaxed);
      Atomic(s.kind).store(entry.kind, std::memory_order_relaxed);
      Atomic(s.wants).store(entry.wants, std::memory_order_relaxed);
      const uint32_t count =
          static_cast<uint32_t>(std::min<size_t>(entry.held.size(), BoardEntry::kMaxHeld));
      for (uint32_t h = 0; h < count; ++h) {
        Atomic(s.held[h]).store(entry.held[h], std::memory_order_relaxed);
      }
      Atomic(s.held_count).store(count, std::memory_order_relaxed);
      StoreName(s.thread_name, entry.thread_name);
      StoreName(s.wants_name, entry.wants_name);
      Atomic(s.sequence).fetch_add(1, std::memory_order_acq_rel);  // even: complete
      Atomic(s.state).store(2, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void ProcessWaitBoard::Retract(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  Atomic(page_->slots[slot].state).store(0, std::memory_order_release);
}

void ProcessWaitBoard::SetFlags(int slot, uint32_t flags) {
  if (slot < 0 || slot >= kSlots) return;
  Atomic(page_->slots[slot].flags).fetch_or(flags, std::memory_order_acq_rel);
}

uint32_t ProcessWaitBoard::Flags(int slot) const {
  if (slot < 0 || slot >= kSlots) return 0;
  return Atomic(page_->slots[slot].flags).load(std::memory_order_acquire);
}

std::vector<BoardEntry> ProcessWaitBoard::Snapshot() const {
  std::vector<BoardEntry> entries;
  for (int i = 0; i < kSlots; ++i) {
    BoardSlot& s = page_->slots[i];
    if (Atomic(s.state).load(std::memory_order_acquire) != 2) continue;
    const uint64_t before = Atomic(s.sequence).load(std::memory_order_acquire);
    if (before % 2 != 0) continue;
    BoardEntry e;
    e.slot = i;
    e.pid = Atomic(s.pid).load(std::memory_order_relaxed);
    e.tid = Atomic(s.tid).load(std::memory_order_relaxed);
    e.kind = static_cast<BoardEntry::Kind>(Atomic(s.kind).load(std::memory_order_relaxed));
    e.wants = Atomic(s.wants).load(std::memory_order_relaxed);
    const uint32_t count = std::min<uint32_t>(Atomic(s.held_count).load(std::memory_order_relaxed),
                                              BoardEntry::kMaxHeld);
    for (uint32_t h = 0; h < count; ++h) {
      e.held.push_back(Atomic(s.held[h]).load(std::memory_order_relaxed));
    }
    e.thread_name = LoadName(s.thread_name);
    e.wants_name = LoadName(s.wants_name);
    e.flags = Atomic(s.flags).load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (Atomic(s.sequence).load(std::memory_order_relaxed) != before ||
        Atomic(s.state).load(std::memory_order_relaxed) != 2) {
      continue;  // rewritten meanwhile: it was not a wait that lasted
    }
    if (!Alive(e.pid)) continue;
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace lockgraph::runtime
