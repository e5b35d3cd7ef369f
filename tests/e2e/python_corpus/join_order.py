# The second order starts only after the first thread was joined: they cannot overlap.
import threading

left = threading.Lock()
right = threading.Lock()


def forward():
    with left:
        with right:
            pass


def backward():
    with right:
        with left:
            pass


first = threading.Thread(target=forward)
first.start()
first.join()
second = threading.Thread(target=backward)
second.start()
second.join()
