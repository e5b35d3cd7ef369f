# mp_pair.py written with lockgraph's primitives: two processes take two ProcessLocks in
# opposite orders (the start method is argv[1]).
import multiprocessing
import sys

import lockgraph


def forward(journal, index, finished):
    with journal:  # forward holds journal
        with index:  # forward takes index
            pass
    finished.set()


def backward(journal, index, finished):
    finished.wait(30)
    with index:  # backward holds index
        with journal:  # backward takes journal
            pass


if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1] if len(sys.argv) > 1 else "fork")
    journal = lockgraph.ProcessLock()
    index = lockgraph.ProcessLock()
    finished = multiprocessing.Event()
    processes = [lockgraph.Process(target=forward, args=(journal, index, finished)),
                 lockgraph.Process(target=backward, args=(journal, index, finished))]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
