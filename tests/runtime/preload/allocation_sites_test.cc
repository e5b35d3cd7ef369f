// The allocation table: a lock finds the block that holds it, at any offset up to
// kMaxLockOffset, and nothing outside a noted block.
#include "runtime/preload/allocation_sites.h"

#include <cstdint>
#include <cstdlib>

#include "gtest/gtest.h"

namespace lockgraph::preload {
namespace {

const void* Pc(uintptr_t value) { return reinterpret_cast<const void*>(value); }

TEST(AllocationSites, ALockFindsItsBlockAndTheCallThatAllocatedIt) {
  alignas(16) static char block[512];
  NoteAllocation(block, sizeof(block), Pc(0x1234));
  EXPECT_EQ(AllocationSite(block).pc, 0x1234u);
  EXPECT_EQ(AllocationSite(block + 40).pc, 0x1234u);
  EXPECT_EQ(AllocationSite(block + 40).block, reinterpret_cast<uintptr_t>(block));
  EXPECT_EQ(AllocationSite(block + 504).pc, 0x1234u);
}

TEST(AllocationSites, AnObjectPastTheEndOfTheNearestBlockBelowHasNone) {
  alignas(16) static char memory[256];
  NoteAllocation(memory, 64, Pc(0x42));
  EXPECT_EQ(AllocationSite(memory + 128).pc, 0u);
}

TEST(AllocationSites, TheLastAllocationAtAnAddressIsTheOneThatCounts) {
  alignas(16) static char block[64];
  NoteAllocation(block, sizeof(block), Pc(0x10));
  NoteAllocation(block, sizeof(block), Pc(0x20));  // freed and allocated again
  EXPECT_EQ(AllocationSite(block).pc, 0x20u);
}

TEST(AllocationSites, SmallBlocksAreNotNoted) {
  alignas(16) static char block[16];
  NoteAllocation(block, sizeof(block), Pc(0x99));  // smaller than any pthread object
  EXPECT_NE(AllocationSite(block).pc, 0x99u);
}

TEST(AllocationSites, ALockTooFarIntoItsBlockFallsBackToNone) {
  alignas(16) static char block[4 * kMaxLockOffset];
  NoteAllocation(block, sizeof(block), Pc(0x77));
  EXPECT_EQ(AllocationSite(block + kMaxLockOffset - 16).pc, 0x77u);
  EXPECT_EQ(AllocationSite(block + 2 * kMaxLockOffset).pc, 0u);
}

}  // namespace
}  // namespace lockgraph::preload
