"""multiprocessing's Lock, RLock, Process and Queue over lockgraph's runtime.

A ProcessLock is lockgraph's process-shared lock: every process that has it (forked, or given
it as a Process argument under any start method) takes the same lock, and the lock orders of
all of them meet in one graph when their traces are analyzed together.
"""

import _thread
import atexit as _atexit
import itertools as _itertools
import multiprocessing as _mp
import multiprocessing.context as _mp_context
import multiprocessing.process as _mp_process
import multiprocessing.queues as _mp_queues
import os as _os
import sys as _sys
import threading as _threading

from . import _lockgraph
from . import _naming

_counter = _itertools.count(1)
# (creating pid, name) of the locks made here; a forked child inherits the parent's, and
# unlinks only its own when it exits.
_created = []


def _unlink_created():
    for pid, name in _created:
        if pid == _os.getpid():
            _lockgraph._unlink_process_lock(name)


_atexit.register(_unlink_created)


def _new_name(name):
    """(a name no other lock has, its class): the class is the program's name or the
    variable (else `lock`); the name adds this process and a counter."""
    if name is None:
        frame = _naming.program_frame()
        name = (frame is not None and _naming.caller_variable(frame)) or "lock"
    return f"{name}.{_os.getpid()}.{next(_counter)}", name


class ProcessLock:
    """multiprocessing.Lock: ``acquire(block=True, timeout=None)``, ``release()``."""

    def __init__(self, name=None, *, _open=None):
        if _open is not None:
            full_name, self._class = _open
            self._lock = _lockgraph._ProcessLock(full_name, self._class)
            return
        full_name, self._class = _new_name(name)
        self._lock = _lockgraph._ProcessLock(full_name, self._class)
        _created.append((_os.getpid(), full_name))

    @property
    def name(self):
        return self._lock.name

    def acquire(self, block=True, timeout=None):
        return self._lock.acquire(block, timeout)

    def release(self):
        self._lock.release()

    def __enter__(self):
        return self._lock.acquire(True, None)

    def __exit__(self, *args):
        self._lock.release()

    def __reduce__(self):  # to a spawned child: the same lock, by name
        return (_open_process_lock, (ProcessLock, self._lock.name, self._class))

    def __repr__(self):
        return f"<lockgraph.ProcessLock {self._lock.name!r}>"


class ProcessRLock(ProcessLock):
    """multiprocessing.RLock: a ProcessLock that its holding thread may take again."""

    def __init__(self, name=None, *, _open=None):
        super().__init__(name, _open=_open)
        self._owner = None
        self._count = 0

    def acquire(self, block=True, timeout=None):
        me = (_os.getpid(), _threading.get_ident())
        if self._owner == me:
            self._count += 1
            return True
        if not self._lock.acquire(block, timeout):
            return False
        self._owner, self._count = me, 1
        return True

    def release(self):
        if self._owner != (_os.getpid(), _threading.get_ident()):
            raise AssertionError("attempt to release recursive lock not owned by thread")
        self._count -= 1
        if self._count == 0:
            self._owner = None
            self._lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *args):
        self.release()

    def __reduce__(self):
        return (_open_process_lock, (ProcessRLock, self._lock.name, self._class))


def _open_process_lock(kind, name, class_name):
    return kind(_open=(name, class_name))


def _record_join(process):
    if process.exitcode is not None and process.pid:
        _lockgraph._after_process_join(process.pid)


class Process(_mp.Process):
    """multiprocessing.Process, whose start orders the parent's past before the child (under
    every start method but forkserver) and whose join orders the child before what the joining
    thread does next."""

    def start(self):
        if getattr(_mp_process.BaseProcess.start, "_lockgraph", False):
            return super().start()  # install() made every start say where it was
        return _patched_start(_mp.Process.start)(self)

    def join(self, timeout=None):
        super().join(timeout)
        _record_join(self)


class _Context:
    """The default multiprocessing context, with lockgraph's Lock and RLock."""

    def __init__(self, base):
        self._base = base

    def Lock(self):
        return ProcessLock()

    def RLock(self):
        return ProcessRLock()

    def __getattr__(self, attribute):
        return getattr(self._base, attribute)


class ProcessQueue(_mp_queues.Queue):
    """multiprocessing.Queue whose locks are lockgraph's ProcessLocks."""

    def __init__(self, maxsize=0, *, ctx=None):
        super().__init__(maxsize, ctx=_Context(ctx or _mp.get_context()))


def _patched_join(original):
    def join(self, timeout=None):
        original(self, timeout)
        _record_join(self)

    join._lockgraph = True
    return join


def _for_program(kind, original):
    """A context's Lock or RLock factory: lockgraph's for the program, multiprocessing's own
    for multiprocessing's (its Condition, Event and Queue need their semaphore locks)."""

    def factory(self):
        caller = _sys._getframe(1).f_code.co_filename
        if caller.startswith(_naming.MULTIPROCESSING_DIR):
            return original(self)
        return kind()

    factory._lockgraph = True
    return factory


# One start at a time sets LOCKGRAPH_SPAWNED_BY (not a recorded lock: lockgraph's own).
_spawning = _thread.allocate_lock()


def _start_method(process):
    method = getattr(type(process), "_start_method", None)
    return method or _mp.get_start_method(allow_none=True) or "fork"


def _patched_start(original):
    """Process.start that, for a child started by exec (spawn, and the forkserver process),
    tells it where it was started from, so the parent's past is ordered before it. A forked
    child is ordered by the fork itself."""

    def start(self):
        if _start_method(self) == "fork":
            return original(self)
        with _spawning:
            before = _os.environ.get("LOCKGRAPH_SPAWNED_BY")
            token = _lockgraph._spawn_token()
            if token:
                _os.environ["LOCKGRAPH_SPAWNED_BY"] = token
            try:
                return original(self)
            finally:
                if before is None:
                    _os.environ.pop("LOCKGRAPH_SPAWNED_BY", None)
                else:
                    _os.environ["LOCKGRAPH_SPAWNED_BY"] = before

    start._lockgraph = True
    return start


def install():
    """multiprocessing's Lock and RLock (every context) become lockgraph's; every
    Process.start by exec says where it was started from, and every Process.join is
    recorded."""
    context = _mp_context.BaseContext
    if not getattr(context.Lock, "_lockgraph", False):
        context.Lock = _for_program(ProcessLock, context.Lock)
        context.RLock = _for_program(ProcessRLock, context.RLock)
    _mp.Lock = _mp_context._default_context.Lock
    _mp.RLock = _mp_context._default_context.RLock
    if not getattr(_mp_process.BaseProcess.join, "_lockgraph", False):
        _mp_process.BaseProcess.join = _patched_join(_mp_process.BaseProcess.join)
        _mp_process.BaseProcess.start = _patched_start(_mp_process.BaseProcess.start)


for _class in (ProcessLock, ProcessRLock, Process, ProcessQueue):
    _class.__module__ = "lockgraph"
