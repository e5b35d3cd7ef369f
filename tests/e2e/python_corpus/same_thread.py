# One thread takes both orders: it cannot deadlock with itself.
import threading

left = threading.Lock()
right = threading.Lock()


def both():
    with left:
        with right:
            pass
    with right:
        with left:
            pass


worker = threading.Thread(target=both)
worker.start()
worker.join()
