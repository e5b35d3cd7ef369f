"""`with lock:` on an uncontended lock, in ns, for one kind of lock; run by
bench/run_python_bench.sh (each case in a process of its own).

    python3 bench/python_locks.py threading        # threading.Lock, plain Python
    python3 bench/python_locks.py lockgraph        # lockgraph.Lock (import lockgraph)
    python3 bench/python_locks.py threading-nested # two nested locks, and so on

A thread is started and joined first: a program that needs lockgraph has threads.
"""

import sys
import threading
import timeit

kind = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
number = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000

if kind.startswith("lockgraph"):
    import lockgraph

    make = lockgraph.Lock
else:
    make = threading.Lock  # lockgraph's when `lockgraph run` installed it

t = threading.Thread(target=lambda: None)
t.start()
t.join()

a, b = make(), make()
if kind.endswith("nested"):
    statement = "with a:\n    with b:\n        pass"
else:
    statement = "with a:\n    pass"

times = timeit.repeat(statement, number=number, repeat=rounds, globals={"a": a, "b": b})
best = sorted(times)[len(times) // 2] / number * 1e9
print(f"{best:.1f}")
