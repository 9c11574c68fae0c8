"""Interrupted fits and concurrent use: the fitted state changes in one step, or not at all."""

import _thread
import gc
import os
import signal
import threading
import time
import warnings

import numpy as np
import pytest
from skorch.callbacks import Callback

from sklearn_rnn import GRURegressor, LSTMRegressor

from .conftest import ESTIMATORS

FITTED = ("net_", "history_", "n_iter_", "loss_curve_", "input_mean_", "target_mean_")


def _data(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 6, 2)
    return X, X[:, -1, 0] - 0.5 * X[:, -3, 1]


class InterruptIn(Callback):
    """Raise KeyboardInterrupt, as Ctrl-C would, after a batch of the given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            raise KeyboardInterrupt


def _snapshot(model):
    """Every attribute (by identity) and the net's weights and optimizer state (copied)."""
    attributes = dict(vars(model))
    net = getattr(model, "net_", None)
    if net is None:
        return attributes, None
    weights = {k: v.clone() for k, v in net.module_.state_dict().items()}
    moments = [t.clone() for s in net.optimizer_.state.values() for t in s.values()]
    return attributes, (weights, moments)


def _assert_unchanged(model, snapshot):
    attributes, tensors = snapshot
    assert vars(model).keys() == attributes.keys()
    for key, value in attributes.items():
        assert vars(model)[key] is value, key
    if tensors is not None:
        weights, moments = tensors
        for key, value in model.net_.module_.state_dict().items():
            assert value.equal(weights[key]), key
        now = [t for s in model.net_.optimizer_.state.values() for t in s.values()]
        assert len(now) == len(moments)
        assert all(a.equal(b) for a, b in zip(now, moments, strict=True))


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_interrupt_in_the_first_epoch_reraises_and_changes_nothing(Estimator, early_stopping):
    X, y = _data()
    model = Estimator(
        hidden_size=8,
        batch_size=16,
        early_stopping=early_stopping,
        callbacks=[InterruptIn(1)],
        random_state=0,
    )
    before = _snapshot(model)
    with pytest.raises(KeyboardInterrupt, match="epoch 1, the first of this fit"):
        model.fit(X, y)
    _assert_unchanged(model, before)
    assert not hasattr(model, "net_")


@pytest.mark.parametrize("warm_start", [False, True])
def test_interrupted_refit_leaves_the_fitted_estimator_as_it_was(warm_start):
    X, y = _data()
    model = LSTMRegressor(hidden_size=8, batch_size=16, max_epochs=3, random_state=0).fit(X, y)
    predictions = model.predict(X)
    # A warm start continues at epoch 4; a new fit starts at epoch 1.
    model.set_params(warm_start=warm_start, callbacks=[InterruptIn(4 if warm_start else 1)])
    before = _snapshot(model)
    with pytest.raises(KeyboardInterrupt, match="nothing was trained"):
        model.fit(X, y)
    _assert_unchanged(model, before)  # weights and Adam's moments included
    np.testing.assert_array_equal(model.predict(X), predictions)


def _consistent(model):
    """A fitted state that is all old or all new: its parts describe the same fit."""
    return (
        model.n_iter_ == len(model.loss_curve_) == len(model.history_)
        and model.history_ is model.net_.history
        and all(hasattr(model, name) for name in FITTED)
    )


def test_real_interrupts_at_random_moments_leave_old_or_new_state():
    """Ctrl-C (a SIGINT) at random moments of a refit: never a half-set estimator."""
    X, y = _data()
    model = GRURegressor(hidden_size=8, batch_size=16, max_epochs=4, random_state=0)
    model.fit(X, y)  # the first fit pays for warming up
    # The fit's duration spreads the moments over it: the fastest of three, after a
    # collection, so that a garbage-collection pause in one (after a thousand tests in
    # the same process) does not stretch it and put every moment after the fit.
    gc.collect()
    durations = []
    for _ in range(3):
        start = time.perf_counter()
        model.fit(X, y)
        durations.append(time.perf_counter() - start)
    duration = min(durations)
    rng = np.random.RandomState(0)
    outcomes = {"unchanged": 0, "refitted": 0, "kept epochs": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the "interrupted during epoch" warning
        # At least 40 moments, and more (up to 200) until each outcome happened twice:
        # on a loaded machine the fits under a timer run slower than the timed ones,
        # and a fixed number of moments can miss the fit's end.
        for attempt in range(200):
            if attempt >= 40 and min(outcomes.values()) >= 2:
                break
            before = _snapshot(model)
            timer = threading.Timer(rng.uniform(0, 1.5 * duration), _thread.interrupt_main)
            try:
                timer.start()
                try:
                    model.fit(X, y)
                finally:
                    timer.join()
            except KeyboardInterrupt:
                pass  # raised in fit, or just after it returned
            if model._fitted is before[0]["_fitted"]:  # the record a fit replaces
                _assert_unchanged(model, before)
                outcomes["unchanged"] += 1
            else:
                assert _consistent(model)
                outcomes["kept epochs" if model.n_iter_ < 4 else "refitted"] += 1
    # The moments were spread over the whole fit: each outcome happened.
    assert all(count > 0 for count in outcomes.values()), (outcomes, durations)


def test_predict_while_another_thread_refits_sees_one_consistent_state():
    """Fits alternate between one and two outputs; every prediction has either shape."""
    X, y = _data(n=40)
    Y = np.column_stack([y, -y])
    model = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    stop = threading.Event()
    errors = []

    def refit():
        try:
            for i in range(200):
                if stop.is_set():
                    return
                model.fit(X, Y if i % 2 == 0 else y)
        except Exception as exc:  # reported below
            errors.append(exc)

    worker = threading.Thread(target=refit)
    worker.start()
    shapes = set()
    try:
        deadline = time.perf_counter() + 3
        while worker.is_alive() and time.perf_counter() < deadline:
            shapes.add(model.predict(X).shape)
    finally:
        stop.set()
        worker.join()
    assert not errors, errors
    assert shapes <= {(40,), (40, 2)}, shapes
    assert len(shapes) == 2  # predictions did run between fits of both kinds


class SignalAt(Callback):
    """Send this process a real SIGINT (as Ctrl-C does) at the end of the given epoch,
    or of training; then fail, if asked to."""

    def __init__(self, epoch=None, error=False):
        self.epoch = epoch
        self.error = error

    def _signal(self):
        os.kill(os.getpid(), signal.SIGINT)
        if self.error:
            raise ValueError("the callback failed")

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            self._signal()

    def on_train_end(self, net, **kwargs):
        if self.epoch is None:
            self._signal()


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_ctrl_c_at_an_epochs_end_stops_training_there_and_says_so(early_stopping):
    X, y = _data()
    model = GRURegressor(
        hidden_size=4,
        max_epochs=6,
        early_stopping=early_stopping,
        callbacks=[SignalAt(2)],
        random_state=0,
    )
    with pytest.warns(UserWarning, match="interrupted at the end of epoch 2; it stopped there"):
        model.fit(X, y)
    assert model.n_iter_ == len(model.history_) == 2
    assert _consistent(model)
    model.set_params(callbacks=[SignalAt()])  # at training's end: the fit is complete
    with pytest.warns(UserWarning, match="interrupted at the end of epoch 6"):
        model.fit(X, y)
    assert model.n_iter_ == 6


def test_an_error_raised_while_a_ctrl_c_is_held_back_is_not_lost():
    X, y = _data()
    for callback in (SignalAt(2, error=True), SignalAt(error=True)):
        model = GRURegressor(hidden_size=4, max_epochs=4, callbacks=[callback], random_state=0)
        with pytest.raises(ValueError, match="the callback failed"):
            model.fit(X, y)
        assert not hasattr(model, "net_")
