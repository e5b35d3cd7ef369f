"""threading's and queue's primitives over lockgraph's runtime.

Each is the ``threading`` (or ``queue``) class of the same name, with its API and meaning,
recorded by lockgraph: lock orders, waits, misuse, thread start and join.
"""

import queue as _queue
import threading as _threading
import time as _time
import types as _types
import warnings as _warnings

from . import _lockgraph

# The originals, before lockgraph.install() replaces threading's names.
_Thread = _threading.Thread
_Barrier = _threading.Barrier

# queue's exceptions, for code that uses lockgraph in place of queue.
Empty = _queue.Empty
Full = _queue.Full
BrokenBarrierError = _threading.BrokenBarrierError

Lock = _lockgraph.Lock
RLock = _lockgraph.RLock


class Event(_lockgraph.Event):
    """threading.Event: ``set``, ``clear``, ``is_set``, ``wait(timeout=None)``."""

    def __init__(self, name=None):
        super().__init__(name)

    def isSet(self):
        _warnings.warn("isSet() is deprecated, use is_set() instead", DeprecationWarning,
                       stacklevel=2)
        return self.is_set()

    def __repr__(self):
        state = "set" if self.is_set() else "unset"
        return f"<{type(self).__module__}.{type(self).__qualname__} at {id(self):#x}: {state}>"


class Condition(_lockgraph.Condition):
    """threading.Condition: ``Condition(lock=None)``, an RLock of its own by default."""

    def __init__(self, lock=None, name=None):
        super().__init__(lock, name)

    def notifyAll(self):
        _warnings.warn("notifyAll() is deprecated, use notify_all() instead",
                       DeprecationWarning, stacklevel=2)
        self.notify_all()

    def __repr__(self):
        if self._lock is not None:
            lock = repr(self._lock)
        else:  # the condition's own RLock
            state = "locked" if self._is_owned() else "unlocked"
            lock = f"<{state} lockgraph.RLock object at {id(self):#x}>"
        return f"<Condition({lock})>"

    def wait_for(self, predicate, timeout=None):
        end = None if timeout is None else _time.monotonic() + timeout
        result = predicate()
        while not result:
            if end is not None:
                remaining = end - _time.monotonic()
                if remaining <= 0:
                    break
                self.wait(remaining)
            else:
                self.wait()
            result = predicate()
        return result


class Semaphore(_lockgraph._Semaphore):
    """threading.Semaphore: ``acquire(blocking=True, timeout=None)``, ``release(n=1)``."""

    def __init__(self, value=1, name=None):
        super().__init__(value, name, False)

    def __repr__(self):
        return (f"<{type(self).__module__}.{type(self).__qualname__} at {id(self):#x}: "
                f"value={self._value()}>")


class BoundedSemaphore(_lockgraph._Semaphore):
    """threading.BoundedSemaphore: a release above the initial value raises ValueError (and
    lockgraph reports it)."""

    def __init__(self, value=1, name=None):
        super().__init__(value, name, True)

    def __repr__(self):
        return (f"<{type(self).__module__}.{type(self).__qualname__} at {id(self):#x}: "
                f"value={self._value()}/{self._initial_value}>")


class Barrier(_Barrier):
    """threading.Barrier, whose condition is lockgraph's."""

    def __init__(self, parties, action=None, timeout=None, name=None):
        super().__init__(parties, action, timeout)
        self._cond = Condition(Lock(name), name)


class _StandsIn(type):
    """Metaclass of a class that stands in for a standard one once installed: instances and
    subclasses of the standard class pass isinstance/issubclass checks against it too
    (threading.main_thread() is a threading.Thread, queue.LifoQueue a queue.Queue)."""

    def __instancecheck__(cls, instance):
        return type.__instancecheck__(cls, instance) or isinstance(instance, cls._stands_for)

    def __subclasscheck__(cls, subclass):
        return type.__subclasscheck__(cls, subclass) or issubclass(subclass, cls._stands_for)


class Thread(_Thread, metaclass=_StandsIn):
    """threading.Thread (``target``, ``name``, ``daemon``, an overridden ``run``), whose start
    and join order the lock orders of its threads for lockgraph."""

    _stands_for = _Thread

    _lockgraph_spawn = (0, 0)
    _lockgraph_tid = 0

    def start(self):
        self._lockgraph_spawn = _lockgraph._before_thread_start()
        super().start()

    def _bootstrap_inner(self):
        parent, segment = self._lockgraph_spawn
        self._lockgraph_tid = _lockgraph._begin_thread(parent, segment, self.name)
        super()._bootstrap_inner()

    def join(self, timeout=None):
        super().join(timeout)
        if self._lockgraph_tid and not self.is_alive():
            _lockgraph._after_thread_join(self._lockgraph_tid)


class _QueueStandsIn(type(_lockgraph._Queue), _StandsIn):
    pass


class Queue(_lockgraph._Queue, metaclass=_QueueStandsIn):
    """queue.Queue: ``put``/``get`` with ``block`` and ``timeout`` (raising queue.Full and
    queue.Empty), ``task_done``, ``join``, ``qsize``, ``empty``, ``full``, ``maxsize``."""

    _stands_for = _queue.Queue

    def __init__(self, maxsize=0, name=None):
        super().__init__(maxsize, name)

    def put_nowait(self, item):
        return self.put(item, False)

    def get_nowait(self):
        return self.get(False)

    __class_getitem__ = classmethod(_types.GenericAlias)


# Reports and reprs name them as the package's: lockgraph.Barrier, lockgraph.Event, ...
for _class in (Condition, Semaphore, BoundedSemaphore, Barrier, Thread, Queue, Event):
    _class.__module__ = "lockgraph"
