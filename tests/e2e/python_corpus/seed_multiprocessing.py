# Processes share a multiprocessing Lock and Queue (the start method is argv[1]): clean.
import multiprocessing
import sys


def work(lock, out, n):
    for i in range(n):
        with lock:
            out.put(i)


if __name__ == "__main__":
    context = multiprocessing.get_context(sys.argv[1] if len(sys.argv) > 1 else "fork")
    lock = context.Lock()
    out = context.Queue()
    workers = [context.Process(target=work, args=(lock, out, 5)) for _ in range(2)]
    for w in workers:
        w.start()
    got = sorted(out.get(timeout=30) for _ in range(10))
    for w in workers:
        w.join()
    assert got == sorted(list(range(5)) * 2), got
    assert all(w.exitcode == 0 for w in workers)
    print("got", len(got))
