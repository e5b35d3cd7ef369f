"""The lockgraph package keeps the threading, queue and multiprocessing APIs it stands in for.

Run by ctest (python_primitives) with the build tree's package on PYTHONPATH and no trace.
"""

import multiprocessing
import pickle
import queue
import threading
import time
import unittest

import lockgraph


class LockTest(unittest.TestCase):
    def test_acquire_release_and_locked(self):
        lock = lockgraph.Lock()
        self.assertFalse(lock.locked())
        self.assertTrue(lock.acquire())
        self.assertTrue(lock.locked())
        self.assertFalse(lock.acquire(False))
        self.assertFalse(lock.acquire(True, 0.01))
        self.assertFalse(lock.acquire(timeout=0))
        lock.release()
        self.assertFalse(lock.locked())

    def test_with(self):
        lock = lockgraph.Lock()
        with lock as taken:
            self.assertTrue(taken)
            self.assertTrue(lock.locked())
        self.assertFalse(lock.locked())

    def test_bad_arguments_raise_as_threading(self):
        lock = lockgraph.Lock()
        with self.assertRaises(ValueError):
            lock.acquire(False, 1)
        with self.assertRaises(ValueError):
            lock.acquire(True, -2)
        with self.assertRaises(TypeError):
            lock.acquire(1, 2, 3)
        with self.assertRaises(TypeError):
            lock.acquire(colour=1)
        with self.assertRaises(RuntimeError):
            lock.release()

    def test_another_thread_waits_until_release(self):
        lock = lockgraph.Lock()
        lock.acquire()
        got = []
        waiter = threading.Thread(target=lambda: got.append(lock.acquire(True, 30)))
        waiter.start()
        lock.release()
        waiter.join()
        self.assertEqual(got, [True])

    def test_waiting_lets_other_python_threads_run(self):
        # The waiter waits without the GIL: this thread keeps running Python meanwhile.
        lock = lockgraph.Lock()
        lock.acquire()
        waiter = threading.Thread(target=lambda: lock.acquire(True, 0.5))
        waiter.start()
        spins = 0
        while waiter.is_alive():
            spins += 1
        self.assertGreater(spins, 1000)
        waiter.join()
        lock.release()

    def test_a_holder_may_wait_for_another_thread_to_release(self):
        # A Lock used as a signal: its holder takes it again, another thread releases it.
        lock = lockgraph.Lock()
        ready = lockgraph.Event()

        def wait_for_release():
            lock.acquire()
            ready.set()
            lock.acquire()  # waits until the main thread releases it

        waiter = lockgraph.Thread(target=wait_for_release)
        waiter.start()
        ready.wait(30)
        lock.release()
        waiter.join(30)
        self.assertFalse(waiter.is_alive())
        self.assertTrue(lock.locked())

    def test_at_fork_reinit_frees_a_held_lock(self):
        for make in (lockgraph.Lock, lockgraph.RLock):
            lock = make()
            lock.acquire()
            lock._at_fork_reinit()
            self.assertTrue(lock.acquire(False))
            lock.release()

    def test_weakref_and_repr(self):
        import weakref

        lock = lockgraph.Lock()
        self.assertIs(weakref.ref(lock)(), lock)
        self.assertIn("unlocked", repr(lock))


class RLockTest(unittest.TestCase):
    def test_reentry_and_ownership(self):
        rlock = lockgraph.RLock()
        with rlock:
            with rlock:
                self.assertTrue(rlock._is_owned())
        self.assertFalse(rlock._is_owned())
        with self.assertRaises(RuntimeError):
            rlock.release()


class ConditionTest(unittest.TestCase):
    def test_wait_for_and_notify(self):
        items = []
        ready = lockgraph.Condition()

        def produce():
            with ready:
                items.append(1)
                ready.notify_all()

        producer = lockgraph.Thread(target=produce)
        with ready:
            producer.start()
            self.assertTrue(ready.wait_for(lambda: items, timeout=30))
        producer.join()

    def test_wait_times_out(self):
        ready = lockgraph.Condition(lockgraph.Lock())
        with ready:
            self.assertFalse(ready.wait(0.01))
            self.assertFalse(ready.wait_for(lambda: False, 0.01))

    def test_without_the_lock_raises(self):
        ready = lockgraph.Condition()
        with self.assertRaises(RuntimeError):
            ready.wait(0)
        with self.assertRaises(RuntimeError):
            ready.notify()

    def test_needs_a_lockgraph_lock(self):
        with self.assertRaises(TypeError):
            lockgraph.Condition(object())


class SemaphoreEventBarrierTest(unittest.TestCase):
    def test_semaphore(self):
        pool = lockgraph.Semaphore(2)
        self.assertTrue(pool.acquire())
        self.assertTrue(pool.acquire())
        self.assertFalse(pool.acquire(False))
        self.assertFalse(pool.acquire(timeout=0.01))
        pool.release(2)
        with pool:
            pass
        with self.assertRaises(ValueError):
            lockgraph.Semaphore(-1)

    def test_bounded_semaphore_over_release_raises(self):
        bounded = lockgraph.BoundedSemaphore(1)
        with self.assertRaises(ValueError):
            bounded.release()
        with bounded:
            pass

    def test_event(self):
        done = lockgraph.Event()
        self.assertFalse(done.wait(0.01))
        setter = lockgraph.Thread(target=done.set)
        setter.start()
        self.assertTrue(done.wait(30))
        self.assertTrue(done.is_set())
        done.clear()
        self.assertFalse(done.is_set())
        setter.join()

    def test_barrier(self):
        barrier = lockgraph.Barrier(3)
        indices = []
        threads = [lockgraph.Thread(target=lambda: indices.append(barrier.wait(30)))
                   for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(indices), [0, 1, 2])
        barrier.abort()
        with self.assertRaises(lockgraph.BrokenBarrierError):
            barrier.wait(1)


class ThreadTest(unittest.TestCase):
    def test_target_name_daemon_and_join(self):
        seen = []
        t = lockgraph.Thread(target=lambda x: seen.append((x, threading.current_thread().name)),
                             args=(7,), name="seven", daemon=True)
        self.assertTrue(t.daemon)
        t.start()
        t.join()
        self.assertFalse(t.is_alive())
        self.assertEqual(seen, [(7, "seven")])

    def test_subclass_run(self):
        class Worker(lockgraph.Thread):
            def run(self):
                self.result = 42

        w = Worker()
        w.start()
        w.join()
        self.assertEqual(w.result, 42)

    def test_start_twice_raises(self):
        t = lockgraph.Thread(target=lambda: None)
        t.start()
        with self.assertRaises(RuntimeError):
            t.start()
        t.join()


class QueueTest(unittest.TestCase):
    def test_put_get_full_empty(self):
        q = lockgraph.Queue(maxsize=1)
        self.assertEqual(q.maxsize, 1)
        self.assertTrue(q.empty())
        q.put("a")
        self.assertTrue(q.full())
        with self.assertRaises(queue.Full):
            q.put("b", timeout=0.01)
        with self.assertRaises(queue.Full):
            q.put_nowait("b")
        self.assertEqual(q.qsize(), 1)
        self.assertEqual(q.get(), "a")
        with self.assertRaises(queue.Empty):
            q.get(timeout=0.01)
        with self.assertRaises(lockgraph.Empty):
            q.get_nowait()

    def test_task_done_and_join(self):
        q = lockgraph.Queue()
        for i in range(5):
            q.put(i)

        def work():
            while True:
                q.get()
                q.task_done()

        lockgraph.Thread(target=work, daemon=True).start()
        q.join()
        with self.assertRaises(ValueError):
            q.task_done()

    def test_items_keep_their_identity(self):
        q = lockgraph.Queue()
        item = object()
        q.put(item)
        self.assertIs(q.get(), item)


class NamesTest(unittest.TestCase):
    def test_variable_at_reads_assignments(self):
        from lockgraph import _naming
        import dis

        code = compile("accounts = f()\nself.ledger = f()\nbox[0] = f()\n", "app.py", "exec")
        names = []
        for instruction in dis.get_instructions(code):
            if instruction.opname == "CALL":
                names.append(_naming.variable_at(code, instruction.offset))
        self.assertEqual(names, ["accounts", "self.ledger", None])

    def test_methods_and_functions_qualify_their_names(self):
        from lockgraph import _naming
        import dis

        source = ("class Bank:\n"
                  "    def __init__(self):\n"
                  "        self.ledger = f()\n"
                  "def worker():\n"
                  "    local = f()\n")
        module = compile(source, "app.py", "exec")
        codes = {c.co_qualname: c for c in module.co_consts if hasattr(c, "co_qualname")}
        init = [c for c in codes["Bank"].co_consts if hasattr(c, "co_qualname")][0]
        found = {}
        for code in (init, codes["worker"]):
            for instruction in dis.get_instructions(code):
                if instruction.opname == "CALL":
                    found[code.co_qualname] = _naming.variable_at(code, instruction.offset)
        self.assertEqual(found, {"Bank.__init__": "Bank.ledger", "worker": "worker.local"})


class ProcessTest(unittest.TestCase):
    def test_process_lock_is_shared_and_picklable(self):
        lock = lockgraph.ProcessLock()
        self.assertTrue(lock.acquire(True, 1))
        again = pickle.loads(pickle.dumps(lock))
        self.assertEqual(again.name, lock.name)
        self.assertFalse(again.acquire(True, 0.01))  # the same lock, held
        lock.release()

    def test_process_rlock_reenters(self):
        rlock = lockgraph.ProcessRLock()
        with rlock:
            with rlock:
                pass
        with self.assertRaises(AssertionError):
            rlock.release()

    def test_process_runs_and_joins(self):
        p = lockgraph.Process(target=time.sleep, args=(0,))
        p.start()
        p.join()
        self.assertEqual(p.exitcode, 0)

    def test_process_queue(self):
        q = lockgraph.ProcessQueue()
        q.put(3)
        self.assertEqual(q.get(timeout=30), 3)


class InstallTest(unittest.TestCase):
    def test_install_replaces_the_standard_names(self):
        lockgraph.install()
        lockgraph.install()  # twice is once
        self.assertTrue(lockgraph.installed())
        self.assertIs(threading.Lock, lockgraph.Lock)
        self.assertIs(threading.Thread, lockgraph.Thread)
        self.assertIs(queue.Queue, lockgraph.Queue)
        self.assertIsInstance(multiprocessing.Lock(), lockgraph.ProcessLock)
        # What the standard classes made still passes checks against them.
        self.assertIsInstance(threading.main_thread(), threading.Thread)
        self.assertIsInstance(queue.LifoQueue(), queue.Queue)
        self.assertTrue(issubclass(queue.PriorityQueue, queue.Queue))
        self.assertIsInstance(lockgraph.Queue(), queue.Queue)
        self.assertFalse(isinstance(object(), threading.Thread))
        # multiprocessing's own Condition keeps its semaphore lock.
        event = multiprocessing.Event()
        event.set()
        self.assertTrue(event.wait(1))


if __name__ == "__main__":
    unittest.main()
