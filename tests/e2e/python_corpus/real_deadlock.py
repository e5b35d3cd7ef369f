# Two threads really deadlock: each holds one lock and waits for the other's. lockgraph sees
# it happen, reports it with the Python lines, and ends the program instead of hanging.
import threading

north = threading.Lock()
south = threading.Lock()
both_hold = threading.Barrier(2)


def one():
    with north:
        both_hold.wait()
        with south:  # one waits for south
            pass


def two():
    with south:
        both_hold.wait()
        with north:  # two waits for north
            pass


threads = [threading.Thread(target=one, name="one"), threading.Thread(target=two, name="two")]
for t in threads:
    t.start()
for t in threads:
    t.join()
