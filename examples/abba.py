"""Two threads take two locks in opposite orders: the classic deadlock (ABBA), in plain
Python. The rotator waits for the deposit, for a second at most, so this run does not hang;
yet a deposit that takes longer deadlocks: each thread holds one lock and waits forever for
the other. Unchanged, under lockgraph, the cycle is reported with the four Python lines.

    lockgraph run -- python3 examples/abba.py       # or: python3 -m lockgraph examples/abba.py
    lockgraph confirm -- python3 examples/abba.py   # deadlocks it on purpose, and says so
"""
import threading

accounts = threading.Lock()
audit_log = threading.Lock()
first_done = threading.Event()


def deposit():
    with accounts:
        with audit_log:  # accounts -> audit_log
            print("deposit: took accounts, then audit_log")
    first_done.set()


def rotate():
    first_done.wait(1)  # sequences most runs, not all
    with audit_log:
        with accounts:  # audit_log -> accounts
            print("rotate: took audit_log, then accounts")


depositor = threading.Thread(target=deposit, name="depositor")
rotator = threading.Thread(target=rotate, name="rotator")
rotator.start()
depositor.start()
depositor.join()
rotator.join()
