# A pool of three connections guarded by Semaphore(3), six threads; an Event starts them;
# a Barrier lines them up; an RLock taken twice; a Condition hands over a flag: clean.
import threading

slots = threading.Semaphore(3)
start = threading.Event()
line_up = threading.Barrier(6)
stats = threading.RLock()
in_use = 0
most = 0
flag = threading.Condition()
handed = []


def note(delta):
    global in_use, most
    with stats:
        with stats:
            in_use += delta
            most = max(most, in_use)


def client():
    start.wait()
    line_up.wait()
    with slots:
        note(1)
        note(-1)
    with flag:
        handed.append(1)
        flag.notify_all()


clients = [threading.Thread(target=client) for _ in range(6)]
for c in clients:
    c.start()
start.set()
with flag:
    flag.wait_for(lambda: len(handed) == 6, timeout=10)
for c in clients:
    c.join()
assert most <= 3, most
print("most", most)
