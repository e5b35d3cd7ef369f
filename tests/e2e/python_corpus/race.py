# Two threads add to a shared total; with argv[1] == "locked" under a lock, else not: full
# mode reports the race on `total` only when nothing orders the two threads' accesses.
import sys
import threading

import lockgraph

total = lockgraph.Shared(0)
guard = lockgraph.Lock()
locked = len(sys.argv) > 1 and sys.argv[1] == "locked"
started = lockgraph.Barrier(2)


def add():
    started.wait()
    for _ in range(100):
        if locked:
            with guard:
                total.value = total.value + 1  # add updates total under guard
        else:
            total.value = total.value + 1  # add races on total


threads = [lockgraph.Thread(target=add, name=f"adder-{i}") for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("total", total.value)
