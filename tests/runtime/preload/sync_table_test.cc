// The preload's identity table: an object keeps its entry while it lives; an object built
// where another was is a new entry (a new lock-graph node), whatever its tag bytes held.
#include "runtime/preload/sync_table.h"

#include <pthread.h>

#include <cstring>
#include <thread>

#include "gtest/gtest.h"
#include "runtime/recorder/cold_path.h"

namespace {

using ::lockgraph::format::SyncKind;
using ::lockgraph::preload::MutexTag;
using ::lockgraph::preload::PreloadSync;
using ::lockgraph::preload::SemaphoreTag;
using ::lockgraph::preload::SyncTable;
using ::lockgraph::runtime::ColdPath;

PreloadSync* Create(void* object, uint64_t* slot) {
  ColdPath cold;
  return SyncTable::Get().Create(cold.recorder(), object, slot, SyncKind::kPthreadMutex,
                                 /*site_pc=*/0x1000, /*recursive=*/false, -1);
}

TEST(SyncTable, AnObjectKeepsItsEntry) {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  EXPECT_EQ(SyncTable::Get().Find(&m, MutexTag(&m)), nullptr);
  PreloadSync* entry = Create(&m, MutexTag(&m));
  ASSERT_NE(entry, nullptr);
  EXPECT_NE(*MutexTag(&m), 0u);
  EXPECT_EQ(SyncTable::Get().Find(&m, MutexTag(&m)), entry);
  EXPECT_EQ(Create(&m, MutexTag(&m)), entry);  // found, not made again
  EXPECT_NE(entry->handle.id, 0u);
  EXPECT_EQ(entry->handle.site_pc, 0x1000u);
  // The mutex still works: the tag sits in bytes glibc does not use for it.
  ASSERT_EQ(pthread_mutex_lock(&m), 0);
  ASSERT_EQ(pthread_mutex_unlock(&m), 0);
  EXPECT_EQ(SyncTable::Get().Find(&m, MutexTag(&m)), entry);
}

TEST(SyncTable, AnObjectRebuiltAtTheSameAddressIsANewEntry) {
  alignas(pthread_mutex_t) unsigned char storage[sizeof(pthread_mutex_t)];
  auto* first = new (storage) pthread_mutex_t(PTHREAD_MUTEX_INITIALIZER);
  const uint64_t first_id = Create(first, MutexTag(first))->handle.id;
  auto* second = new (storage) pthread_mutex_t(PTHREAD_MUTEX_INITIALIZER);  // zeroes the tag
  EXPECT_EQ(SyncTable::Get().Find(second, MutexTag(second)), nullptr);
  PreloadSync* entry = Create(second, MutexTag(second));
  ASSERT_NE(entry, nullptr);
  EXPECT_NE(entry->handle.id, first_id);
}

TEST(SyncTable, ForgottenObjectHasNoEntry) {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  Create(&m, MutexTag(&m));
  {
    ColdPath cold;
    SyncTable::Get().Forget(cold.recorder(), &m, MutexTag(&m));
  }
  EXPECT_EQ(*MutexTag(&m), 0u);
  EXPECT_EQ(SyncTable::Get().Find(&m, MutexTag(&m)), nullptr);
}

TEST(SyncTable, GarbageOrCopiedTagsMatchNothing) {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  Create(&m, MutexTag(&m));
  pthread_mutex_t copy;
  std::memcpy(&copy, &m, sizeof(m));  // same tag, another address
  EXPECT_EQ(SyncTable::Get().Find(&copy, MutexTag(&copy)), nullptr);
  pthread_mutex_t garbage = PTHREAD_MUTEX_INITIALIZER;
  for (uint64_t tag : {0xdeadbeefdeadbeefull, 0x00000001ffffffffull, 0x0000000100000001ull}) {
    *MutexTag(&garbage) = tag;
    EXPECT_EQ(SyncTable::Get().Find(&garbage, MutexTag(&garbage)), nullptr) << tag;
  }
}

TEST(SyncTable, ThreadsRacingToMakeOneEntryShareIt) {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  PreloadSync* seen[2] = {};
  std::thread a([&] { seen[0] = Create(&m, MutexTag(&m)); });
  std::thread b([&] { seen[1] = Create(&m, MutexTag(&m)); });
  a.join();
  b.join();
  ASSERT_NE(seen[0], nullptr);
  EXPECT_EQ(seen[0], seen[1]);
}

TEST(SyncTable, SemaphoreTagIsOutsideItsCounter) {
  alignas(16) unsigned char sem[32] = {};
  PreloadSync* entry = Create(sem, SemaphoreTag(reinterpret_cast<sem_t*>(sem)));
  ASSERT_NE(entry, nullptr);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(sem[i], 0) << i;  // value and flags untouched
}

}  // namespace
