# Both orders happen under one gate lock: no deadlock is possible, nothing is reported.
import threading

gate = threading.Lock()
left = threading.Lock()
right = threading.Lock()


def forward():
    with gate:
        with left:
            with right:
                pass


def backward():
    with gate:
        with right:
            with left:
                pass


threads = [threading.Thread(target=forward), threading.Thread(target=backward)]
for t in threads:
    t.start()
for t in threads:
    t.join()
