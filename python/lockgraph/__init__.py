"""lockgraph for Python: deadlock prediction for threading, queue and multiprocessing.

Use its primitives directly (the ``threading`` API, recorded by lockgraph)::

    import lockgraph
    accounts = lockgraph.Lock()          # reports call it "accounts"
    with accounts: ...

or run an unmodified program under lockgraph, which replaces ``threading``'s, ``queue``'s and
``multiprocessing``'s primitives with these before the program's first line::

    lockgraph run -- python3 app.py      # the report comes on stderr
    python3 -m lockgraph app.py          # the same without the lockgraph command

Every lock order, wait and misuse is recorded with the Python lines that made it
(``app.py:12 in deposit``) into the process's lockgraph trace, which ``lockgraph analyze``
reads. Blocking calls let other Python threads run while they wait.
"""

from . import _lockgraph
from . import _naming

_lockgraph._install(list(_naming.INTERNAL_PREFIXES), _naming.variable_at)

from ._threads import (  # noqa: E402  (the runtime is installed first)
    Barrier,
    BoundedSemaphore,
    BrokenBarrierError,
    Condition,
    Empty,
    Event,
    Full,
    Lock,
    Queue,
    RLock,
    Semaphore,
    Thread,
)
from ._processes import Process, ProcessLock, ProcessQueue, ProcessRLock  # noqa: E402
from ._lockgraph import Shared, read, write  # noqa: E402
from ._install import install, installed  # noqa: E402

__all__ = [
    "Barrier",
    "BoundedSemaphore",
    "BrokenBarrierError",
    "Condition",
    "Empty",
    "Event",
    "Full",
    "Lock",
    "Process",
    "ProcessLock",
    "ProcessQueue",
    "ProcessRLock",
    "Queue",
    "RLock",
    "Semaphore",
    "Shared",
    "Thread",
    "install",
    "installed",
    "read",
    "write",
]
