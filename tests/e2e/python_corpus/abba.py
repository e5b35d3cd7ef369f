# Two threads take two locks in opposite orders, one after the other: never hangs, but the
# orders can deadlock. lockgraph reports the cycle with the four lines below.
import threading
import time

accounts = threading.Lock()
audit_log = threading.Lock()


def deposit():
    with accounts:  # deposit holds accounts
        with audit_log:  # deposit takes audit_log
            pass


def rotate():
    time.sleep(0.1)  # keeps the run from deadlocking; the prediction needs no timing
    with audit_log:  # rotate holds audit_log
        with accounts:  # rotate takes accounts
            pass


depositor = threading.Thread(target=deposit, name="depositor")
rotator = threading.Thread(target=rotate, name="rotator")
depositor.start()
rotator.start()
depositor.join()
rotator.join()
