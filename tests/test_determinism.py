"""The same random_state gives the same model serially, in threads, processes and on Dask."""

import threading

import numpy as np
import pytest
from joblib import Parallel, delayed, parallel_backend
from sklearn.base import is_classifier
from sklearn.model_selection import GridSearchCV

from sklearn_rnn import GRUClassifier, GRURegressor, LSTMClassifier, LSTMRegressor


def _data(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(64, 6, 2)
    return X, X[:, -1, 0] - X[:, 0, 1]


def _fit_predict(params, seed=0, Estimator=LSTMRegressor):
    """A regressor's predictions, or a classifier's probabilities (labels: y's sign)."""
    X, y = _data(seed)
    if is_classifier(Estimator()):
        return Estimator(**params).fit(X, y > 0).predict_proba(X)
    return Estimator(**params).fit(X, y).predict(X)


FAMILIES = [LSTMRegressor, LSTMClassifier]


PARAMS = [
    {"hidden_size": 8, "max_epochs": 4, "batch_size": 16, "random_state": 0},
    {"hidden_size": 8, "max_epochs": 4, "batch_size": 16, "random_state": 1, "dropout": 0.3,
     "num_layers": 2},
]  # fmt: skip


@pytest.mark.parametrize("Estimator", FAMILIES)
def test_two_threads_fitting_at_once_do_not_disturb_each_other(Estimator):
    expected = [_fit_predict(p, seed=i, Estimator=Estimator) for i, p in enumerate(PARAMS)]

    def work(i, start, results):
        start.wait()
        results[i] = _fit_predict(PARAMS[i], seed=i, Estimator=Estimator)

    for _ in range(3):
        results = [None, None]
        start = threading.Barrier(2)
        threads = [threading.Thread(target=work, args=(i, start, results)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for got, want in zip(results, expected, strict=True):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("Estimator", FAMILIES)
def test_joblib_processes_give_the_serial_results(Estimator):
    serial = [_fit_predict(p, Estimator=Estimator) for p in PARAMS]
    parallel = Parallel(n_jobs=2)(delayed(_fit_predict)(p, Estimator=Estimator) for p in PARAMS)
    for got, want in zip(parallel, serial, strict=True):
        np.testing.assert_array_equal(got, want)


def test_grid_search_on_dask_gives_the_serial_results():
    """A regressor, a classifier, and one model of many series searched with the
    per-series time split (its groups passed to fit): on Dask as serially."""
    distributed = pytest.importorskip("distributed")
    from sklearn_rnn import LSTMRegressor, SeriesTimeSplit, frame_panel
    from sklearn_rnn.datasets import load_m1_yearly

    X, y = _data()
    grid = {"hidden_size": [4, 8], "dropout": [0.0, 0.2]}
    panel = frame_panel(load_m1_yearly().series, horizon=2, history=6, min_history=6)
    searches = {
        "regressor": (
            GridSearchCV(GRURegressor(max_epochs=3, random_state=0), grid, cv=2),
            (X, y),
            {},
        ),
        "classifier": (  # log loss: scores that differ with the last bit of a probability
            GridSearchCV(
                GRUClassifier(max_epochs=3, random_state=0), grid, cv=2, scoring="neg_log_loss"
            ),
            (X, np.where(y > 0, "up", "down")),
            {},
        ),
        "panel": (
            GridSearchCV(
                LSTMRegressor(window_scale="changes", max_epochs=2, random_state=0),
                {"hidden_size": [4, 8]},
                cv=SeriesTimeSplit(n_splits=2),
            ),
            (panel.X, panel.y),
            {"groups": panel.series},
        ),
    }
    serial = {
        name: search.fit(*data, **params).cv_results_["mean_test_score"]
        for name, (search, data, params) in searches.items()
    }
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
    ):
        with parallel_backend("dask"):
            on_dask = {
                name: search.set_params(n_jobs=-1)
                .fit(*data, **params)
                .cv_results_["mean_test_score"]
                for name, (search, data, params) in searches.items()
            }
    for name in searches:
        np.testing.assert_array_equal(on_dask[name], serial[name], err_msg=name)


def test_fits_with_dropout_run_at_once_in_two_threads():
    """Dropout draws from each net's own generator, so a fit with dropout holds no
    process-wide lock while it trains: each of two threads waits, inside its second
    epoch, until the other has finished an epoch too. With a lock around training the
    second fit could not start and the first would wait in vain."""
    from skorch.callbacks import Callback

    arrived = [threading.Event(), threading.Event()]

    class Meet(Callback):
        def __init__(self, me):
            self.me = me

        def on_epoch_end(self, net, **kwargs):
            arrived[self.me].set()
            if not arrived[1 - self.me].wait(timeout=20):
                raise AssertionError("the other fit never ran an epoch meanwhile")

    rng = np.random.RandomState(0)
    X, y = rng.randn(64, 6, 2), rng.randn(64)
    errors = []

    def work(me):
        try:
            LSTMRegressor(
                hidden_size=4, num_layers=2, dropout=0.3, max_epochs=2, random_state=me,
                callbacks=[("meet", Meet(me))],
            ).fit(X, y)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(me,)) for me in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
