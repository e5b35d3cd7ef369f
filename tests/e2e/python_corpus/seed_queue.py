# Producer and consumers over queue.Queue with task_done and join: clean.
import queue
import threading

jobs = queue.Queue(maxsize=4)
results_lock = threading.Lock()
results = []


def consume():
    while True:
        item = jobs.get()
        if item is None:
            jobs.task_done()
            return
        with results_lock:
            results.append(item * item)
        jobs.task_done()


consumers = [threading.Thread(target=consume, daemon=True) for _ in range(3)]
for c in consumers:
    c.start()
for i in range(50):
    jobs.put(i)
jobs.join()
for _ in consumers:
    jobs.put(None)
for c in consumers:
    c.join()
try:
    jobs.get(timeout=0.01)
except queue.Empty:
    pass
assert sorted(results) == [i * i for i in range(50)]
print("results", len(results))
