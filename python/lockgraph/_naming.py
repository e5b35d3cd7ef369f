"""Names of primitives made from Python: the variable the making line assigns to.

``accounts = Lock()`` names the lock ``accounts``; ``self.ledger = Lock()`` in a method of
``Bank`` names it ``Bank.ledger``; a local ``lock = Lock()`` in ``worker`` is ``worker.lock``.
Anything else (an argument, a list element) has no name, and reports name it by its line.
The runtime asks once per call site (python/src/creation.cc).
"""

import bisect
import dis
import multiprocessing as _mp
import os as _os
import sys as _sys

# Where lockgraph's own Python code and multiprocessing's factories live: their frames are
# never the place of a lock or a finding (python/src/python_frames.cc skips them too).
MULTIPROCESSING_DIR = _os.path.dirname(_os.path.abspath(_mp.__file__)) + _os.sep
INTERNAL_PREFIXES = (_os.path.dirname(_os.path.abspath(__file__)) + _os.sep, MULTIPROCESSING_DIR)

_SKIPPED = {"CACHE", "EXTENDED_ARG", "NOP", "PRECALL"}
_LOADS = {"LOAD_FAST", "LOAD_NAME", "LOAD_GLOBAL", "LOAD_DEREF", "LOAD_CLOSURE"}
_instructions = {}  # code -> (instructions, their offsets)


def _listing(code):
    cached = _instructions.get(code)
    if cached is None:
        instructions = list(dis.get_instructions(code))
        cached = (instructions, [ins.offset for ins in instructions])
        _instructions[code] = cached
    return cached


def _next(instructions, i):
    """The index of the first real instruction from ``i`` on, or None."""
    while i < len(instructions) and instructions[i].opname in _SKIPPED:
        i += 1
    return i if i < len(instructions) else None


def _owner(code):
    """``Bank`` for a method ``Bank.__init__``; None for a function or a module."""
    qualname = getattr(code, "co_qualname", code.co_name)
    parts = qualname.split(".")
    if len(parts) < 2 or parts[-2] == "<locals>":
        return None
    return parts[-2]


def variable_at(code, offset):
    """The name the call at byte ``offset`` of ``code`` is stored in, or None."""
    try:
        instructions, offsets = _listing(code)
    except Exception:  # a code object dis cannot read: no name
        return None
    # The running instruction: the last one at or before `offset`, which may point into the
    # call's inline caches.
    i = bisect.bisect_right(offsets, offset) - 1
    if i < 0:
        return None
    j = _next(instructions, i + 1)
    if j is None:
        return None
    store = instructions[j]
    name = store.argval if isinstance(store.argval, str) else None
    if store.opname in ("STORE_NAME", "STORE_GLOBAL"):
        return name
    if store.opname in ("STORE_FAST", "STORE_DEREF"):
        function = getattr(code, "co_qualname", code.co_name)
        return f"{function}.{name}"
    if store.opname in _LOADS:
        k = _next(instructions, j + 1)
        attribute = instructions[k] if k is not None else None
        if attribute is None or attribute.opname != "STORE_ATTR":
            return None
        owner = store.argval
        if owner == "self" and _owner(code) is not None:
            owner = _owner(code)
        return f"{owner}.{attribute.argval}"
    return None


def caller_variable(frame):
    """The variable the line running in ``frame`` stores its call's result in, or None."""
    return variable_at(frame.f_code, frame.f_lasti)


def program_frame():
    """The innermost frame of the program's code, past INTERNAL_PREFIXES'."""
    frame = _sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(INTERNAL_PREFIXES):
        frame = frame.f_back
    return frame
