# The parent takes two multiprocessing Locks in one order before it starts a child (the start
# method is argv[1]), the child takes them in the other, and after the join the parent takes
# them in the child's order again: start and join order all three, nothing can deadlock.
import multiprocessing
import sys


def backward(journal, index):
    with index:
        with journal:
            pass


if __name__ == "__main__":
    context = multiprocessing.get_context(sys.argv[1] if len(sys.argv) > 1 else "fork")
    journal = context.Lock()
    index = context.Lock()
    with journal:
        with index:
            pass
    child = context.Process(target=backward, args=(journal, index))
    child.start()
    child.join()
    assert child.exitcode == 0
    with journal:
        with index:
            pass
