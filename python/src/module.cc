// _lockgraph: lockgraph's runtime for Python programs (python/lockgraph/ is the package
// around it). Lock and RLock are plain CPython types (fast_locks.cc); the rest are pybind11
// classes over the C++ primitives of include/lockgraph/. Every blocking call waits without
// the GIL (python_frames.cc), and every object made from Python is named and placed by the
// Python line that made it (creation.h).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "lockgraph/bounded_semaphore.h"
#include "lockgraph/condition.h"
#include "lockgraph/event.h"
#include "lockgraph/internal/foreign_frames.h"
#include "lockgraph/process_lock.h"
#include "lockgraph/queue.h"
#include "lockgraph/semaphore.h"
#include "lockgraph/shared.h"
#include "python/src/creation.h"
#include "python/src/fast_locks.h"
#include "python/src/python_frames.h"
#include "python/src/timeouts.h"
#include "runtime/recorder/recorder.h"

namespace py = pybind11;

namespace lockgraph::python {
namespace {

std::chrono::nanoseconds Timeout(const py::object& timeout) {
  std::chrono::nanoseconds out;
  if (!ParseTimeout(timeout.ptr(), /*minus_one_is_none=*/false, &out)) {
    throw py::error_already_set();
  }
  return out;
}

// A lock's acquire timeout: None or -1 for none (threading's and multiprocessing's spelling).
std::chrono::nanoseconds LockTimeout(const py::object& timeout) {
  std::chrono::nanoseconds out = kForever;
  if (!timeout.is_none() && !ParseTimeout(timeout.ptr(), /*minus_one_is_none=*/true, &out)) {
    throw py::error_already_set();
  }
  return out;
}

// threading's errors are RuntimeErrors.
[[noreturn]] void RaiseRuntimeError(const char* message) {
  PyErr_SetString(PyExc_RuntimeError, message);
  throw py::error_already_set();
}

// Condition and Event waits take a negative timeout as zero, as threading does.
std::chrono::nanoseconds WaitTimeout(const py::object& timeout) {
  if (!timeout.is_none() && PyFloat_AsDouble(timeout.ptr()) < 0) {
    if (PyErr_Occurred()) throw py::error_already_set();
    return std::chrono::nanoseconds(0);
  }
  return Timeout(timeout);
}

std::string NameOf(const py::object& name) {
  return name.is_none() ? std::string() : py::cast<std::string>(name);
}

// Where the calling Python line is, for the primitive called now.
struct At {
  internal::ForeignCall call{CallerPc()};
};

// ---- Condition ----------------------------------------------------------------------------

class PyCondition {
 public:
  PyCondition(py::object lock, py::object name) {
    Creation creation(NameOf(name));
    if (lock.is_none()) {
      condition_ = std::make_unique<Condition>(creation.name());
    } else if (Lock* l = AsLock(lock.ptr())) {
      condition_ = std::make_unique<Condition>(*l, creation.name());
    } else if (RLock* r = AsRLock(lock.ptr())) {
      condition_ = std::make_unique<Condition>(*r, creation.name());
    } else {
      throw py::type_error("lockgraph.Condition needs a lockgraph Lock or RLock (or None)");
    }
    lock_ = std::move(lock);  // keeps the lock alive as long as the condition
  }

  bool acquire(bool blocking, const py::object& timeout) {
    const std::chrono::nanoseconds t = LockTimeout(timeout);
    if (!blocking && t != kForever) {
      throw py::value_error("can't specify a timeout for a non-blocking call");
    }
    At at;
    return condition_->acquire(blocking, t);
  }
  // A release threading refuses is still made, so lockgraph reports the misuse.
  void release() {
    const bool owned = condition_->is_owned();
    condition_->release();
    if (!owned) RaiseRuntimeError("cannot release un-acquired lock");
  }
  bool enter() {
    At at;
    condition_->lock();
    return true;
  }
  bool wait(const py::object& timeout) {
    if (!condition_->is_owned()) {
      condition_->wait_for(std::chrono::nanoseconds(0));  // reported as misuse
      RaiseRuntimeError("cannot wait on un-acquired lock");
    }
    const std::chrono::nanoseconds t = WaitTimeout(timeout);
    At at;
    if (t == kForever) {
      condition_->wait();
      return true;
    }
    return condition_->wait_for(t);
  }
  void notify(int n) {
    NotifierOwnsOrRaise();
    condition_->notify(n);
  }
  void notify_all() {
    NotifierOwnsOrRaise();
    condition_->notify_all();
  }
  bool is_owned() const { return condition_->is_owned(); }
  py::object lock() const { return lock_; }

 private:
  // threading raises RuntimeError; lockgraph reports the misuse first.
  void NotifierOwnsOrRaise() {
    if (condition_->is_owned()) return;
    condition_->notify(0);  // reported as misuse
    RaiseRuntimeError("cannot notify on un-acquired lock");
  }

  py::object lock_;
  std::unique_ptr<Condition> condition_;
};

// ---- Semaphore, BoundedSemaphore ------------------------------------------------------------

class PySemaphore {
 public:
  PySemaphore(int64_t value, py::object name, bool bounded) : bounded_(bounded) {
    if (value < 0) throw py::value_error("semaphore initial value must be >= 0");
    Creation creation(NameOf(name));
    if (bounded) {
      semaphore_ = std::make_unique<BoundedSemaphore>(value, creation.name());
    } else {
      semaphore_ = std::make_unique<Semaphore>(value, creation.name());
    }
    initial_ = value;
  }
  bool acquire(bool blocking, const py::object& timeout) {
    if (!blocking && !timeout.is_none()) {
      throw py::value_error("can't specify timeout for non-blocking acquire");
    }
    const std::chrono::nanoseconds t = Timeout(timeout);
    At at;
    return semaphore_->acquire(blocking, t);
  }
  void release(int64_t n) {
    if (n < 1) throw py::value_error("n must be one or more");
    const bool over = bounded_ && semaphore_->value() + n > initial_;
    At at;
    semaphore_->release(n);  // an over-release is reported, and ignored
    if (over) throw py::value_error("Semaphore released too many times");
  }
  int64_t value() const { return semaphore_->value(); }
  int64_t initial_value() const { return initial_; }

 private:
  bool bounded_;
  int64_t initial_ = 0;
  std::unique_ptr<Semaphore> semaphore_;
};

// ---- Event ----------------------------------------------------------------------------------

class PyEvent {
 public:
  explicit PyEvent(py::object name) {
    Creation creation(NameOf(name));
    event_ = std::make_unique<Event>(creation.name());
  }
  void set() {
    At at;
    event_->set();
  }
  void clear() { event_->clear(); }
  bool is_set() const { return event_->is_set(); }
  bool wait(const py::object& timeout) {
    const std::chrono::nanoseconds t = WaitTimeout(timeout);
    At at;
    return event_->wait(t);
  }

 private:
  std::unique_ptr<Event> event_;
};

// ---- Queue ----------------------------------------------------------------------------------

class PyQueue {
 public:
  PyQueue(int64_t maxsize, py::object name) {
    Creation creation(NameOf(name));
    queue_ = std::make_unique<Queue<py::object>>(maxsize > 0 ? static_cast<size_t>(maxsize) : 0,
                                                 creation.name());
  }
  // Moved py::objects change no reference counts, so items travel without the GIL.
  void put(py::object item, bool block, const py::object& timeout) {
    const std::chrono::nanoseconds t = block ? Timeout(timeout) : std::chrono::nanoseconds(0);
    bool put;
    {
      At at;
      put = queue_->put(std::move(item), block, t);
    }
    if (!put) throw py::error_already_set(Raise("Full"));
    ++unfinished_;
  }
  py::object get(bool block, const py::object& timeout) {
    const std::chrono::nanoseconds t = block ? Timeout(timeout) : std::chrono::nanoseconds(0);
    std::optional<py::object> item;
    {
      At at;
      item = queue_->get(block, t);
    }
    if (!item) throw py::error_already_set(Raise("Empty"));
    return std::move(*item);
  }
  void task_done() {
    // Counted here too, under the GIL, to raise ValueError as queue.Queue does.
    const bool too_many = unfinished_ == 0;
    if (!too_many) --unfinished_;
    queue_->task_done();  // too many: reported by lockgraph, and ignored
    if (too_many) throw py::value_error("task_done() called too many times");
  }
  void join() {
    At at;
    queue_->join();
  }
  size_t qsize() const { return queue_->qsize(); }
  bool empty() const { return queue_->empty(); }
  bool full() const { return queue_->full(); }
  size_t maxsize() const { return queue_->maxsize(); }

 private:
  static py::error_already_set Raise(const char* what) {
    py::object error = py::module_::import("queue").attr(what);
    PyErr_SetNone(error.ptr());
    return py::error_already_set();
  }

  std::unique_ptr<Queue<py::object>> queue_;
  uint64_t unfinished_ = 0;
};

// ---- Shared, read, write: races on Python state (full mode) ------------------------------------

// A value whose reads and writes full mode records (lockgraph::Shared<T> for Python objects):
// two accesses, at least one a write, that no lock, signal or join orders are a race.
class PyShared {
 public:
  PyShared(py::object value, py::object name) : value_(std::move(value)) {
    Creation creation(NameOf(name));
    internal::RegisterSync(handle_, internal::kSharedKind, creation.name(),
                           std::source_location::current());
  }
  ~PyShared() { internal::UnregisterSync(handle_); }
  PyShared(const PyShared&) = delete;
  PyShared& operator=(const PyShared&) = delete;

  py::object get() {
    At at;
    internal::RecordSharedAccess(handle_, false);
    return value_;
  }
  void set(py::object value) {
    At at;
    internal::RecordSharedAccess(handle_, true);
    value_ = std::move(value);
  }
  // value = function(value): a read, then a write.
  py::object update(const py::function& function) {
    At at;
    internal::RecordSharedAccess(handle_, false);
    py::object updated = function(value_);
    internal::RecordSharedAccess(handle_, true);
    value_ = updated;
    return updated;
  }

 private:
  py::object value_;
  internal::SyncHandle handle_;
};

// lockgraph.read(obj) / lockgraph.write(obj): an access to `obj` (by its address, as
// LOCKGRAPH_READ/LOCKGRAPH_WRITE annotate C++ memory).
void RecordObjectAccess(const py::object& object, bool write) {
  At at;
  internal::RecordRawAccess(object.ptr(), 1, write);
}

// ---- ProcessLock ----------------------------------------------------------------------------

class PyProcessLock {
 public:
  // `name` is the lock's identity across processes; its class is `class_name` (the variable),
  // the same in every run.
  PyProcessLock(const std::string& name, const std::string& class_name) : name_(name) {
    Creation creation(name, class_name);
    lock_ = std::make_unique<ProcessLock>(name);
  }
  bool acquire(bool blocking, const py::object& timeout) {
    const std::chrono::nanoseconds t = LockTimeout(timeout);
    At at;
    return lock_->acquire(blocking, t);
  }
  void release() {
    At at;
    lock_->release();
  }
  bool locked() const { return lock_->locked(); }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::unique_ptr<ProcessLock> lock_;
};

// ---- threads and processes --------------------------------------------------------------------

py::tuple BeforeThreadStart() {
  const runtime::SpawnPoint point = runtime::BeforeThreadStart();
  return py::make_tuple(point.parent, point.segment);
}

// First thing in a new Python thread: its recorder state, ordered after its start, and its
// name. Returns its lockgraph thread id (what after_thread_join takes).
uint32_t BeginThread(uint32_t parent, uint32_t segment, const std::string& name) {
  runtime::BeginThread({parent, segment}, name);
  internal::NameCurrentThread(name);  // a thread the interposer saw start already had state
  return runtime::OwnerId(runtime::CurrentThread());
}

}  // namespace
}  // namespace lockgraph::python

PYBIND11_MODULE(_lockgraph, m) {
  using namespace lockgraph::python;
  m.doc() = "lockgraph's runtime for Python: see the lockgraph package";
  if (!AddFastLocks(m.ptr())) throw py::error_already_set();

  // Called once by the package: the path prefixes of code that is lockgraph's own (left out
  // of stacks and sites), and the function that names variables (lockgraph/_naming.py).
  m.def("_install", [](const std::vector<std::string>& internal_prefixes, py::object namer) {
    InstallPythonFrames(internal_prefixes);
    SetNamer(namer.ptr());
  });

  py::class_<PyCondition>(m, "Condition")
      .def(py::init<py::object, py::object>(), py::arg("lock") = py::none(),
           py::arg("name") = py::none())
      .def("acquire", &PyCondition::acquire, py::arg("blocking") = true,
           py::arg("timeout") = py::none())
      .def("release", &PyCondition::release)
      .def("__enter__", &PyCondition::enter)
      .def("__exit__", [](PyCondition& c, py::args) { c.release(); })
      .def("wait", &PyCondition::wait, py::arg("timeout") = py::none())
      .def("notify", &PyCondition::notify, py::arg("n") = 1)
      .def("notify_all", &PyCondition::notify_all)
      .def("_is_owned", &PyCondition::is_owned)
      .def_property_readonly("_lock", &PyCondition::lock);

  py::class_<PySemaphore>(m, "_Semaphore")
      .def(py::init<int64_t, py::object, bool>(), py::arg("value") = 1,
           py::arg("name") = py::none(), py::arg("bounded") = false)
      .def("acquire", &PySemaphore::acquire, py::arg("blocking") = true,
           py::arg("timeout") = py::none())
      .def("release", &PySemaphore::release, py::arg("n") = 1)
      .def("__enter__", [](PySemaphore& s) { return s.acquire(true, py::none()); })
      .def("__exit__", [](PySemaphore& s, py::args) { s.release(1); })
      .def("_value", &PySemaphore::value)
      .def_property_readonly("_initial_value", &PySemaphore::initial_value);

  py::class_<PyEvent>(m, "Event")
      .def(py::init<py::object>(), py::arg("name") = py::none())
      .def("set", &PyEvent::set)
      .def("clear", &PyEvent::clear)
      .def("is_set", &PyEvent::is_set)
      .def("wait", &PyEvent::wait, py::arg("timeout") = py::none())
      // threading's Event re-makes its condition's lock after fork; this one has no lock.
      .def("_at_fork_reinit", [](PyEvent&) {});

  py::class_<PyQueue>(m, "_Queue")
      .def(py::init<int64_t, py::object>(), py::arg("maxsize") = 0, py::arg("name") = py::none())
      .def("put", &PyQueue::put, py::arg("item"), py::arg("block") = true,
           py::arg("timeout") = py::none())
      .def("get", &PyQueue::get, py::arg("block") = true, py::arg("timeout") = py::none())
      .def("task_done", &PyQueue::task_done)
      .def("join", &PyQueue::join)
      .def("qsize", &PyQueue::qsize)
      .def("empty", &PyQueue::empty)
      .def("full", &PyQueue::full)
      .def_property_readonly("maxsize", &PyQueue::maxsize);

  py::class_<PyProcessLock>(m, "_ProcessLock")
      .def(py::init<const std::string&, const std::string&>(), py::arg("name"),
           py::arg("class_name") = "")
      .def("acquire", &PyProcessLock::acquire, py::arg("blocking") = true,
           py::arg("timeout") = py::none())
      .def("release", &PyProcessLock::release)
      .def("locked", &PyProcessLock::locked)
      .def_property_readonly("name", &PyProcessLock::name);
  py::class_<PyShared>(m, "Shared")
      .def(py::init<py::object, py::object>(), py::arg("value") = py::none(),
           py::arg("name") = py::none())
      .def_property("value", &PyShared::get, &PyShared::set)
      .def("update", &PyShared::update, py::arg("function"));
  m.def("read", [](const py::object& object) { RecordObjectAccess(object, false); },
        py::arg("object"));
  m.def("write", [](const py::object& object) { RecordObjectAccess(object, true); },
        py::arg("object"));

  m.def("_unlink_process_lock",
        [](const std::string& name) { return lockgraph::ProcessLock::unlink(name); });

  m.def("_before_thread_start", &BeforeThreadStart);
  m.def("_begin_thread", &BeginThread);
  m.def("_after_thread_join", [](uint32_t tid) { lockgraph::runtime::AfterThreadJoin(tid); });
  m.def("_spawn_token", []() { return lockgraph::runtime::SpawnToken(); });
  m.def("_after_process_join",
        [](uint64_t pid) { lockgraph::runtime::AfterProcessJoin(pid); });
}
