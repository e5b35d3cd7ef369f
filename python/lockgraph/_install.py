"""lockgraph.install(): an unmodified program's threading, queue and multiprocessing
primitives become lockgraph's.

Names are replaced in the modules themselves, so code that looks them up when it runs
(``threading.Lock()``, ``from threading import Lock`` in a module imported later, the
standard library's own ``threading.Condition()`` calls) gets lockgraph's. What was bound
before install() keeps the original: lockgraph installs itself before the program's first
line (``lockgraph run``, ``python3 -m lockgraph``).
"""

import queue as _queue
import threading as _threading

from . import _processes
from . import _threads

_installed = False


def install():
    """Replaces threading's Lock, RLock, Condition, Semaphore, BoundedSemaphore, Event,
    Barrier and Thread, queue.Queue, and multiprocessing's Lock and RLock; records every
    multiprocessing Process.join. Idempotent."""
    global _installed
    if _installed:
        return
    _threading.Lock = _threads.Lock
    _threading.RLock = _threads.RLock
    _threading.Condition = _threads.Condition
    _threading.Semaphore = _threads.Semaphore
    _threading.BoundedSemaphore = _threads.BoundedSemaphore
    _threading.Event = _threads.Event
    _threading.Barrier = _threads.Barrier
    _threading.Thread = _threads.Thread
    _queue.Queue = _threads.Queue
    _processes.install()
    _installed = True


def installed():
    """True once install() has run in this process."""
    return _installed
