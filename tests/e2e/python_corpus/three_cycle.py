# Three threads, three locks, each thread takes two of them: a three-lock cycle.
import threading

first = threading.Lock()
second = threading.Lock()
third = threading.Lock()


def take(held, wanted, after):
    with held:  # takes its first lock
        with wanted:  # then its second
            pass
    after.release()


done = [threading.Semaphore(0) for _ in range(3)]
threads = [
    threading.Thread(target=take, args=(first, second, done[0]), name="one"),
    threading.Thread(target=take, args=(second, third, done[1]), name="two"),
    threading.Thread(target=take, args=(third, first, done[2]), name="three"),
]
for t, d in zip(threads, done):
    t.start()
    d.acquire()  # one thread at a time: this run does not hang
for t in threads:
    t.join()
