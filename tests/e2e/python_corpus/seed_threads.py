# Threads started and joined, a counter under a lock: clean.
import threading

counter_lock = threading.Lock()
counter = 0


def work(n):
    global counter
    for _ in range(n):
        with counter_lock:
            counter += 1


threads = [threading.Thread(target=work, args=(1000,), name=f"worker-{i}") for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert counter == 4000, counter
print("counter", counter)
