# A cycle closed by Condition.wait: the waiter holds `ledger` while it waits, and the wait
# takes the condition's lock back while `ledger` is held; the notifier takes the condition's
# lock, then `ledger`. If the notifier comes while the waiter waits, both hang.
import threading

ready_lock = threading.Lock()
ready = threading.Condition(ready_lock)
ledger = threading.Lock()
notifier_done = threading.Event()


def waiter():
    notifier_done.wait()  # after the notifier: this run does not hang
    with ready:
        with ledger:
            ready.wait(0.05)  # the wait takes ready_lock back while holding ledger


def notifier():
    with ready:
        with ledger:  # notifier takes ledger holding ready_lock
            ready.notify_all()
    notifier_done.set()


threads = [threading.Thread(target=waiter, name="waiter"),
           threading.Thread(target=notifier, name="notifier")]
for t in threads:
    t.start()
for t in threads:
    t.join()
