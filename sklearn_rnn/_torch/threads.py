"""How many torch threads ``fit`` and ``predict`` use: the free cores, at most torch's own.

A small recurrent network is a long chain of tiny parallel regions (one per time step
and layer), each of which waits for all of its threads. When another process holds a
core, one of two threads is often descheduled and every region waits for it: measured
on 2 cores beside one busy process, fits ran 3.4-4.6x slower with two threads, and not
at all slower with one (``benchmarks/bench_threads.py``). So each ``fit`` and
``predict`` call counts the cores that other processes keep busy now and runs with at
most the remaining ones; on a quiet machine that is torch's own setting, unchanged.

The count is read on Linux from ``/proc`` (the runnable tasks of the system less this
process's own), at most once a second. On every system the number is also kept within
the CPUs this process may use as joblib counts them (``joblib.cpu_count``: the CPU
affinity, a container's CPU quota, ``LOKY_MAX_CPU_COUNT``): torch's default is the
machine's core count, which in a container limited to 2 CPUs of a 64-core host means
64 threads sharing 2 CPUs' worth of time. ``SKLEARN_RNN_NUM_THREADS`` (an integer)
fixes the number instead, and ``torch.set_num_threads`` (or joblib's per-worker limit)
caps it: the policy only ever lowers the number of threads.
"""

import contextlib
import math
import os
import threading
import time

import joblib
import torch

__all__ = ["ENV_VARIABLE", "free_cores", "thread_count", "thread_policy", "usable_cores"]

ENV_VARIABLE = "SKLEARN_RNN_NUM_THREADS"
_TTL = 1.0  # seconds a count of the free and usable cores is reused
_cache = {"time": -math.inf, "free": None, "usable": None}
_cache_lock = threading.Lock()


def _running_tasks():
    """Runnable tasks of the whole system, and of this process, now (Linux only)."""
    with open("/proc/loadavg") as f:
        system = int(f.read().split()[3].split("/")[0])
    own = 0
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        own += stat[stat.rindex(")") + 2] == "R"  # the state follows the name
    return system, own


def free_cores(samples=3, interval=5e-4):
    """Cores that no other process keeps busy, or None where that cannot be read.

    The fewest busy over a few samples, so that a passing task does not count.
    """
    try:
        cores = len(os.sched_getaffinity(0))
        busy = []
        for i in range(samples):
            if i:
                time.sleep(interval)
            system, own = _running_tasks()
            busy.append(max(system - own, 0))
    except (OSError, AttributeError, ValueError, IndexError):
        return None
    return max(cores - min(busy), 1)


def usable_cores():
    """The CPUs this process may use: affinity, CPU quota, ``LOKY_MAX_CPU_COUNT``.

    joblib's count (which scikit-learn's ``n_jobs=-1`` uses too); a quota of 1.5 CPUs
    counts as 2.
    """
    return joblib.cpu_count()


def _cores_cached():
    """``(free, usable)`` cores, counted at most once every ``_TTL`` seconds."""
    with _cache_lock:
        now = time.monotonic()
        if now - _cache["time"] > _TTL:
            _cache.update(free=free_cores(), usable=usable_cores(), time=now)
        return _cache["free"], _cache["usable"]


def thread_count(cap):
    """The number of threads to use, given torch's current setting ``cap``."""
    fixed = os.environ.get(ENV_VARIABLE, "").strip()
    if fixed:
        try:
            value = int(fixed)
        except ValueError:
            value = 0
        if value < 1:
            raise ValueError(
                f"The environment variable {ENV_VARIABLE} must be a positive integer "
                f"(the number of torch threads fit and predict use); got {fixed!r}."
            )
        return value
    free, usable = _cores_cached()
    limit = min(cap, usable)
    return limit if free is None else max(1, min(limit, free))


@contextlib.contextmanager
def thread_policy():
    """Run the block with :func:`thread_count` torch threads, then restore the setting.

    torch's thread count is per thread under OpenMP (its CPU builds' backend), and is
    restored to the same value by every block of the calling thread.
    """
    cap = torch.get_num_threads()
    n_threads = thread_count(cap)
    if n_threads == cap:
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(cap)
