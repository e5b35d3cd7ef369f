# One thread holds a lock while the other waits for it: a long wait, with both lines.
import threading

ledger = threading.Lock()
holding = threading.Event()


def hold():
    with ledger:  # hold takes ledger
        holding.set()
        threading.Event().wait(0.3)


def wait():
    holding.wait()
    with ledger:  # wait waits for ledger
        pass


threads = [threading.Thread(target=hold, name="holder"), threading.Thread(target=wait, name="waiter")]
for t in threads:
    t.start()
for t in threads:
    t.join()
