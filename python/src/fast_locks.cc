#include "python/src/fast_locks.h"

#include <structmember.h>

#include <new>
#include <string>

#include "lockgraph/internal/foreign_frames.h"
#include "python/src/creation.h"
#include "python/src/python_frames.h"
#include "python/src/timeouts.h"

namespace lockgraph::python {
namespace {

// One object layout for both types: the lockgraph lock is built in place by __init__.
template <class L>
struct PyLockObject {
  PyObject_HEAD
  alignas(L) unsigned char storage[sizeof(L)];
  bool built;
  PyObject* weakrefs;
  L& lock() { return *std::launder(reinterpret_cast<L*>(storage)); }
};
using PyLock = PyLockObject<Lock>;
using PyRLock = PyLockObject<RLock>;

PyTypeObject* g_lock_type = nullptr;  // made once by AddFastLocks, never freed
PyTypeObject* g_rlock_type = nullptr;

template <class L>
PyLockObject<L>* Self(PyObject* self) {
  return reinterpret_cast<PyLockObject<L>*>(self);
}

template <class L>
int Init(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* keywords[] = {"name", nullptr};
  const char* name = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|z", const_cast<char**>(keywords), &name)) {
    return -1;
  }
  PyLockObject<L>* object = Self<L>(self);
  if (object->built) return 0;  // __init__ called again: the lock stays what it is
  Creation creation(name != nullptr ? name : "");
  new (object->storage) L(creation.name());
  object->built = true;
  return 0;
}

template <class L>
void Dealloc(PyObject* self) {
  PyLockObject<L>* object = Self<L>(self);
  if (object->weakrefs != nullptr) PyObject_ClearWeakRefs(self);
  if (object->built) object->lock().~L();  // a lock destroyed while held is reported
  PyTypeObject* type = Py_TYPE(self);
  type->tp_free(self);
  Py_DECREF(type);  // instances of heap types own a reference to their type
}

template <class L>
PyLockObject<L>* Built(PyObject* self) {
  PyLockObject<L>* object = Self<L>(self);
  if (!object->built) {
    PyErr_SetString(PyExc_RuntimeError, "lockgraph lock used before __init__");
    return nullptr;
  }
  return object;
}

// The arguments of acquire(blocking=True, timeout=-1), positional or by keyword.
bool ParseAcquireArgs(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                      PyObject** blocking, PyObject** timeout) {
  if (nargs > 2) {
    PyErr_Format(PyExc_TypeError, "acquire() takes at most 2 arguments (%zd given)", nargs);
    return false;
  }
  if (nargs > 0) *blocking = args[0];
  if (nargs > 1) *timeout = args[1];
  const Py_ssize_t nkw = kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t i = 0; i < nkw; ++i) {
    PyObject* key = PyTuple_GET_ITEM(kwnames, i);
    PyObject** slot = nullptr;
    if (PyUnicode_CompareWithASCIIString(key, "blocking") == 0) slot = blocking;
    if (PyUnicode_CompareWithASCIIString(key, "timeout") == 0) slot = timeout;
    if (slot == nullptr) {
      PyErr_Format(PyExc_TypeError, "acquire() got an unexpected keyword argument '%U'", key);
      return false;
    }
    if (*slot != nullptr) {
      PyErr_Format(PyExc_TypeError, "acquire() got multiple values for argument '%U'", key);
      return false;
    }
    *slot = args[nargs + i];
  }
  return true;
}

// acquire(blocking=True, timeout=-1), as threading's.
template <class L>
PyObject* Acquire(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  PyLockObject<L>* object = Built<L>(self);
  if (object == nullptr) return nullptr;
  PyObject* blocking_arg = nullptr;
  PyObject* timeout_arg = nullptr;
  if (!ParseAcquireArgs(args, nargs, kwnames, &blocking_arg, &timeout_arg)) return nullptr;
  int blocking = 1;
  if (blocking_arg != nullptr && (blocking = PyObject_IsTrue(blocking_arg)) < 0) return nullptr;
  std::chrono::nanoseconds timeout = kForever;
  if (timeout_arg != nullptr) {
    if (!ParseTimeout(timeout_arg, /*minus_one_is_none=*/true, &timeout)) return nullptr;
    if (!blocking && timeout != kForever) {
      PyErr_SetString(PyExc_ValueError, "can't specify a timeout for a non-blocking call");
      return nullptr;
    }
  }
  bool taken;
  {
    internal::ForeignCall call(CallerPc());
    taken = object->lock().acquire(blocking != 0, timeout);  // waits without the GIL
  }
  return PyBool_FromLong(taken);
}

template <class L>
PyObject* Enter(PyObject* self, PyObject*) {
  PyLockObject<L>* object = Built<L>(self);
  if (object == nullptr) return nullptr;
  {
    internal::ForeignCall call(CallerPc());
    object->lock().lock();
  }
  Py_RETURN_TRUE;
}

// Whether threading lets the caller release the lock: a Lock anyone holds, an RLock the
// caller owns; and threading's error when not.
bool Releasable(Lock& lock) { return lock.locked(); }
bool Releasable(RLock& lock) { return lock.is_owned(); }
template <class L>
constexpr const char* kNotReleasable =
    std::is_same_v<L, Lock> ? "release unlocked lock" : "cannot release un-acquired lock";

// release() and __exit__: a release threading refuses is still made, so lockgraph reports the
// misuse, and raises RuntimeError as threading does.
template <class L>
PyObject* Release(PyObject* self, PyObject*) {
  PyLockObject<L>* object = Built<L>(self);
  if (object == nullptr) return nullptr;
  const bool releasable = Releasable(object->lock());
  object->lock().unlock();
  if (!releasable) {
    PyErr_SetString(PyExc_RuntimeError, kNotReleasable<L>);
    return nullptr;
  }
  Py_RETURN_NONE;
}

PyObject* Locked(PyObject* self, PyObject*) {
  PyLock* object = Built<Lock>(self);
  if (object == nullptr) return nullptr;
  return PyBool_FromLong(object->lock().locked());
}

PyObject* IsOwned(PyObject* self, PyObject*) {
  PyRLock* object = Built<RLock>(self);
  if (object == nullptr) return nullptr;
  return PyBool_FromLong(object->lock().is_owned());
}

// After fork, threading makes the locks it keeps usable again in the child: free, and
// forgotten by a holder the child may not have.
template <class L>
PyObject* AtForkReinit(PyObject* self, PyObject*) {
  PyLockObject<L>* object = Built<L>(self);
  if (object == nullptr) return nullptr;
  object->lock().reinit();
  Py_RETURN_NONE;
}

template <class L>
PyObject* Repr(PyObject* self) {
  PyLockObject<L>* object = Self<L>(self);
  bool held = false;
  if (object->built) {
    if constexpr (std::is_same_v<L, Lock>) {
      held = object->lock().locked();
    } else {
      held = object->lock().is_owned();
    }
  }
  return PyUnicode_FromFormat("<%s %s object at %p>", held ? "locked" : "unlocked",
                              Py_TYPE(self)->tp_name, self);
}

PyMethodDef g_lock_methods[] = {
    {"acquire", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Acquire<Lock>)), METH_FASTCALL | METH_KEYWORDS,
     "acquire(blocking=True, timeout=-1) -> bool"},
    {"acquire_lock", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Acquire<Lock>)),
     METH_FASTCALL | METH_KEYWORDS, nullptr},
    {"release", Release<Lock>, METH_NOARGS, "release()"},
    {"release_lock", Release<Lock>, METH_NOARGS, nullptr},
    {"locked", Locked, METH_NOARGS, "locked() -> bool"},
    {"locked_lock", Locked, METH_NOARGS, nullptr},
    {"__enter__", Enter<Lock>, METH_NOARGS, nullptr},
    {"__exit__", Release<Lock>, METH_VARARGS, nullptr},
    {"_at_fork_reinit", AtForkReinit<Lock>, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr}};

PyMethodDef g_rlock_methods[] = {
    {"acquire", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Acquire<RLock>)), METH_FASTCALL | METH_KEYWORDS,
     "acquire(blocking=True, timeout=-1) -> bool"},
    {"release", Release<RLock>, METH_NOARGS, "release()"},
    {"_is_owned", IsOwned, METH_NOARGS, nullptr},
    {"__enter__", Enter<RLock>, METH_NOARGS, nullptr},
    {"__exit__", Release<RLock>, METH_VARARGS, nullptr},
    {"_at_fork_reinit", AtForkReinit<RLock>, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr}};

PyMemberDef g_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, 0, READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr}};

template <class L>
PyTypeObject* MakeType(const char* name, const char* doc, PyMethodDef* methods) {
  g_members[0].offset = offsetof(PyLockObject<L>, weakrefs);
  PyType_Slot slots[] = {
      {Py_tp_doc, const_cast<char*>(doc)},
      {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
      {Py_tp_init, reinterpret_cast<void*>(Init<L>)},
      {Py_tp_dealloc, reinterpret_cast<void*>(Dealloc<L>)},
      {Py_tp_repr, reinterpret_cast<void*>(Repr<L>)},
      {Py_tp_methods, methods},
      {Py_tp_members, g_members},
      {0, nullptr}};
  PyType_Spec spec = {name, static_cast<int>(sizeof(PyLockObject<L>)), 0,
                      Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, slots};
  return reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
}

}  // namespace

bool AddFastLocks(PyObject* module) {
  g_lock_type = MakeType<Lock>("lockgraph.Lock",
                               "Lock(name=None): threading.Lock, recorded by lockgraph.",
                               g_lock_methods);
  if (g_lock_type == nullptr) return false;
  g_rlock_type = MakeType<RLock>("lockgraph.RLock",
                                 "RLock(name=None): threading.RLock, recorded by lockgraph.",
                                 g_rlock_methods);
  if (g_rlock_type == nullptr) return false;
  // PyModule_AddObjectRef: the types keep the references they were made with.
  return PyModule_AddObjectRef(module, "Lock", reinterpret_cast<PyObject*>(g_lock_type)) == 0 &&
         PyModule_AddObjectRef(module, "RLock", reinterpret_cast<PyObject*>(g_rlock_type)) == 0;
}

Lock* AsLock(PyObject* object) {
  if (!PyObject_TypeCheck(object, g_lock_type)) return nullptr;
  PyLock* lock = Self<Lock>(object);
  return lock->built ? &lock->lock() : nullptr;
}

RLock* AsRLock(PyObject* object) {
  if (!PyObject_TypeCheck(object, g_rlock_type)) return nullptr;
  PyRLock* lock = Self<RLock>(object);
  return lock->built ? &lock->lock() : nullptr;
}

}  // namespace lockgraph::python
