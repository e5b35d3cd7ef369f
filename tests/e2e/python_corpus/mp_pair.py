# Two processes take two multiprocessing Locks in opposite orders (the start method is
# argv[1]); the second starts its locks after the first has finished, so the run does not
# hang, but each trace holds one order and the merged graph a cycle.
import multiprocessing
import sys


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
    context = multiprocessing.get_context(sys.argv[1] if len(sys.argv) > 1 else "fork")
    journal = context.Lock()
    index = context.Lock()
    finished = context.Event()
    processes = [context.Process(target=forward, args=(journal, index, finished)),
                 context.Process(target=backward, args=(journal, index, finished))]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
