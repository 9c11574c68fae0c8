"""The thread policy: fewer torch threads when other processes hold cores, never more."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_rnn import GRURegressor
from sklearn_rnn._torch import threads as _threads

linux = pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="reads /proc")


class ThreadRecorder(Callback):
    def initialize(self):
        self.threads_ = set()
        return self

    def on_batch_begin(self, net, **kwargs):
        self.threads_.add(torch.get_num_threads())


@pytest.fixture
def policy(monkeypatch):
    """The automatic policy (the suite fixes the count), two torch threads, no cache."""
    monkeypatch.delenv(_threads.ENV_VARIABLE, raising=False)
    _threads._cache["time"] = -np.inf
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield monkeypatch
    torch.set_num_threads(threads)
    _threads._cache.update(time=-np.inf, free=None, usable=None)


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(40, 5, 1)
    return X, X[:, -1, 0]


def test_fit_and_predict_use_the_free_cores_and_restore_the_setting(policy):
    policy.setattr(_threads, "free_cores", lambda: 1)  # another process holds a core
    X, y = _data()
    recorder = ThreadRecorder()
    model = GRURegressor(max_epochs=2, batch_size=8, callbacks=[recorder]).fit(X, y)
    assert model.net_.callbacks_[-1][1].threads_ == {1}
    assert torch.get_num_threads() == 2
    calls = []
    set_num_threads = torch.set_num_threads
    policy.setattr(torch, "set_num_threads", lambda n: (calls.append(n), set_num_threads(n)))
    model.predict(X)
    assert calls == [1, 2]  # lowered for the call, then restored


def test_the_policy_only_ever_lowers_the_count(policy):
    policy.setattr(_threads, "usable_cores", lambda: 64)
    for free, cap, expected in [(8, 2, 2), (None, 2, 2), (1, 2, 1), (1, 1, 1), (3, 4, 3)]:
        _threads._cache["time"] = -np.inf
        policy.setattr(_threads, "free_cores", lambda free=free: free)
        assert _threads.thread_count(cap) == expected, (free, cap)


def test_the_count_stays_within_the_usable_cpus(policy):
    # A container limited to 2 CPUs of a 64-core host: torch's default is 64 threads,
    # and the host's cores are mostly free.
    for free, usable, cap, expected in [(60, 2, 64, 2), (None, 2, 64, 2), (1, 2, 64, 1)]:
        _threads._cache["time"] = -np.inf
        policy.setattr(_threads, "free_cores", lambda free=free: free)
        policy.setattr(_threads, "usable_cores", lambda usable=usable: usable)
        assert _threads.thread_count(cap) == expected, (free, usable, cap)


def test_joblibs_cpu_limit_is_respected_in_a_fit(policy):
    # LOKY_MAX_CPU_COUNT is one of the limits joblib's count reads (with the CPU
    # affinity and a cgroup CPU quota); no mock of the count itself.
    policy.setenv("LOKY_MAX_CPU_COUNT", "1")
    policy.setattr(_threads, "free_cores", lambda: None)  # however busy the machine is
    assert _threads.usable_cores() == 1
    X, y = _data()
    recorder = ThreadRecorder()
    model = GRURegressor(max_epochs=2, batch_size=8, callbacks=[recorder]).fit(X, y)
    assert model.net_.callbacks_[-1][1].threads_ == {1}
    assert torch.get_num_threads() == 2


def test_the_environment_variable_fixes_the_count(monkeypatch):
    monkeypatch.setenv(_threads.ENV_VARIABLE, "3")
    assert _threads.thread_count(1) == 3
    monkeypatch.setenv(_threads.ENV_VARIABLE, "many")
    with pytest.raises(ValueError, match="SKLEARN_RNN_NUM_THREADS must be a positive integer"):
        _threads.thread_count(2)
    X, y = _data()
    with pytest.raises(ValueError, match="SKLEARN_RNN_NUM_THREADS"):
        GRURegressor(max_epochs=1).fit(X, y)


@linux
def test_a_busy_process_takes_a_core():
    cores = len(os.sched_getaffinity(0))
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        assert _threads.free_cores() <= max(cores - 1, 1)
    finally:
        busy.kill()
        busy.wait()
