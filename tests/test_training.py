"""Training controls: early stopping, warm start, partial_fit, losses, callbacks, progress."""

import sys
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import r2_score
from skorch.callbacks import Callback, LRScheduler

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor

from .conftest import ESTIMATORS


def _data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 6, 2)
    y = X[:, -1, 0] - 0.5 * X[:, -3, 1] + 0.05 * rng.randn(n)
    return X, y


class EpochCounter(Callback):
    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += 1


class GradNormRecorder(Callback):
    def initialize(self):
        self.norms_ = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [p.grad for _, p in named_parameters if p.grad is not None]
        self.norms_.append(float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads]))))


def test_early_stopping_stops_on_a_plateau_and_keeps_the_best_epoch():
    X, y = _data()
    # Without the linear path: from a random start, some epoch is the best (the ridge
    # start wins on this linear target; see the test after the next).
    model = GRURegressor(
        max_epochs=300, early_stopping=True, n_iter_no_change=5, linear_window=0, random_state=0
    ).fit(X, y)
    scores = model.validation_scores_
    assert len(scores) == model.n_iter_ < 300
    assert model.best_loss_ is None
    best_epoch = scores.index(model.best_validation_score_) + 1
    # It stops after exactly n_iter_no_change epochs without an improvement of tol.
    assert model.n_iter_ == best_epoch + 5
    assert max(scores[best_epoch:]) < model.best_validation_score_ + model.tol
    # ... and keeps that epoch's weights, not the last epoch's (which scored less): the
    # tail (the last tenth of the 120 samples) scores best_validation_score_ again.
    assert scores[-1] < model.best_validation_score_ - 1e-3
    tail = slice(108, None)
    np.testing.assert_allclose(
        r2_score(y[tail], model.predict(X[tail])), model.best_validation_score_, rtol=1e-5
    )


def test_early_stopping_validates_on_the_tail_in_the_order_given():
    X, y = _data()
    model = LSTMRegressor(
        max_epochs=40, early_stopping=True, validation_fraction=0.25, random_state=0
    ).fit(X, y)
    tail = slice(90, None)  # the last quarter of the 120 samples
    # The restored weights are those that scored best_validation_score_ on the tail.
    np.testing.assert_allclose(
        r2_score(y[tail], model.predict(X[tail])), model.best_validation_score_, rtol=1e-5
    )
    batches = model.history_[-1, "batches"]
    assert sum(b["train_batch_size"] for b in batches if "train_batch_size" in b) == 90
    assert sum(b["valid_batch_size"] for b in batches if "valid_batch_size" in b) == 30


def test_early_stopping_needs_enough_samples():
    X, y = _data(n=8)
    with pytest.raises(ValueError, match="validation_fraction=0.1 on 8 samples"):
        GRURegressor(early_stopping=True).fit(X, y)


@pytest.mark.parametrize(("n", "held_out"), [(40, 0), (41, 5), (120, 12)])
def test_auto_early_stopping_holds_out_the_tail_from_five_samples(n, held_out):
    """The regressors' default: early stopping where the tail (a tenth, rounded up)
    holds 5 samples or more."""
    X, y = _data(n=n)
    model = GRURegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    assert (model.validation_scores_ is not None) == (held_out > 0)
    batches = model.history_[-1, "batches"]
    assert sum(b.get("valid_batch_size", 0) for b in batches) == held_out
    assert sum(b.get("train_batch_size", 0) for b in batches) == n - held_out


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_warm_start_continues_from_the_previous_weights(Estimator):
    X, y = _data(n=40)  # full-batch: no shuffling, so the runs can be compared exactly
    straight = Estimator(hidden_size=8, max_epochs=10, random_state=0).fit(X, y)
    warm = Estimator(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    warm.set_params(warm_start=True).fit(X, y)
    assert warm.n_iter_ == 10 and len(warm.loss_curve_) == 10
    np.testing.assert_allclose(warm.loss_curve_, straight.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(warm.predict(X), straight.predict(X), rtol=1e-5)
    cold = clone(warm).set_params(warm_start=False).fit(X, y)
    assert cold.n_iter_ == 5


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_warm_start_applies_every_changed_optimizer_setting(optimizer):
    X, y = _data(n=40)
    model = GRURegressor(hidden_size=8, max_epochs=2, optimizer=optimizer, warm_start=True)
    model.fit(X, y)
    steps = [float(s["step"]) for s in model.net_.optimizer_.state.values() if "step" in s]
    model.set_params(weight_decay=0.5, lr=0.05).fit(X, y)
    group = model.net_.optimizer_.param_groups[0]
    assert group["weight_decay"] == 0.5 and group["lr"] == 0.05
    if optimizer == "adam":  # the moments carry over: 2 + 2 steps
        state = model.net_.optimizer_.state.values()
        assert [float(s["step"]) for s in state] == [step + 2 for step in steps]


def test_warm_start_rejects_a_changed_network():
    X, y = _data(n=40)
    model = LSTMRegressor(hidden_size=8, max_epochs=2, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="structure must not change"):
        model.set_params(hidden_size=16).fit(X, y)
    model.set_params(hidden_size=8)
    with pytest.raises(ValueError, match="y has 2 output"):
        model.fit(X, np.c_[y, y])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_adds_exactly_one_epoch(Estimator):
    X, y = _data(n=40)
    model = Estimator(hidden_size=8, random_state=0)
    for epoch in range(1, 6):
        model.partial_fit(X, y)
        assert model.n_iter_ == epoch == len(model.loss_curve_)
    straight = Estimator(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    np.testing.assert_allclose(model.predict(X), straight.predict(X), rtol=1e-5)


def test_partial_fit_checks_features():
    X, y = _data(n=40)
    model = GRURegressor(hidden_size=4).partial_fit(X, y)
    with pytest.raises(ValueError, match="expecting 2 feature"):
        model.partial_fit(X[:, :, :1], y)


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber", "quantile"])
def test_each_loss_trains_and_honours_sample_weight(loss):
    X, y = _data(n=40)
    weight = np.random.RandomState(1).randint(0, 3, size=40)
    params = {"hidden_size": 8, "max_epochs": 30, "loss": loss, "random_state": 0}
    if loss == "quantile":
        params["quantile"] = 0.5
    weighted = LSTMRegressor(**params).fit(X, y, sample_weight=weight)
    repeated = LSTMRegressor(**params).fit(X.repeat(weight, axis=0), y.repeat(weight))
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))
    expected = {
        "squared_error": "MSELoss",
        "absolute_error": "L1Loss",
        "huber": "HuberLoss",
        "quantile": "PinballLoss",
    }
    assert type(weighted.net_.criterion_).__name__ == expected[loss]
    assert weighted.loss_curve_[-1] < weighted.loss_curve_[0]
    assert weighted.score(X, y) > 0.5


def test_absolute_error_is_robust_to_an_outlier():
    X, y = _data(n=60)
    y_outlier = y.copy()
    y_outlier[0] = 1000.0
    params = {"hidden_size": 8, "max_epochs": 60, "random_state": 0}
    clean = LSTMRegressor(**params).fit(X, y).predict(X[1:])
    squared = LSTMRegressor(**params).fit(X, y_outlier).predict(X[1:])
    absolute = LSTMRegressor(**params, loss="absolute_error").fit(X, y_outlier).predict(X[1:])
    assert np.abs(absolute - clean).mean() < np.abs(squared - clean).mean()


def test_clip_grad_norm_bounds_the_gradient():
    X, y = _data(n=40)
    y = 100.0 * y  # large errors, large gradients: not standardised away
    recorder = GradNormRecorder()
    params = {"standardize": False, "linear_window": 0}
    model = RNNRegressor(max_epochs=5, clip_grad_norm=0.5, callbacks=[recorder], **params)
    norms = dict(model.fit(X, y).net_.callbacks_)["GradNormRecorder"].norms_
    assert len(norms) == 5 and max(norms) <= 0.5 + 1e-4
    unclipped = RNNRegressor(max_epochs=1, callbacks=[GradNormRecorder()], **params).fit(X, y)
    assert dict(unclipped.net_.callbacks_)["GradNormRecorder"].norms_[0] > 0.5


def test_user_callbacks_are_called_on_a_copy():
    X, y = _data(n=40)
    counter = EpochCounter()
    model = GRURegressor(max_epochs=7, callbacks=[counter]).fit(X, y)
    assert dict(model.net_.callbacks_)["EpochCounter"].epochs_ == 7
    assert not hasattr(counter, "epochs_"), "the parameter itself is left untouched"
    assert model.get_params()["callbacks"][0] is counter


def test_lr_scheduler_callback():
    X, y = _data(n=40)
    scheduler = ("lr", LRScheduler(policy="StepLR", step_size=2, gamma=0.5))
    model = GRURegressor(max_epochs=6, lr=0.01, callbacks=[scheduler]).fit(X, y)
    assert model.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.01 * 0.5**3)


def test_verbose_zero_is_silent(capfd):
    X, y = _data(n=40)
    GRURegressor(max_epochs=3, early_stopping=True, n_iter_no_change=1).fit(X, y)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_verbose_one_shows_a_progress_bar_over_epochs(capfd):
    X, y = _data(n=40)
    GRURegressor(max_epochs=3, verbose=1).fit(X, y)
    out, err = capfd.readouterr()
    assert "3/3" in err and "epoch" in err and "loss=" in err  # short names: see the bar width
    assert out == ""


def test_verbose_two_prints_skorchs_epoch_table(capfd):
    X, y = _data(n=40)
    GRURegressor(max_epochs=3, verbose=2).fit(X, y)
    out, _ = capfd.readouterr()
    assert "epoch" in out and "train_loss" in out
    assert len([line for line in out.splitlines() if line.strip()[:1].isdigit()]) == 3


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_diverging_fit_raises_and_changes_nothing(Estimator):
    X, y = _data(n=40)
    params = {"optimizer": "sgd", "lr": 1e6, "max_epochs": 50, "random_state": 0}
    model = Estimator(**params)
    with pytest.raises(FloatingPointError, match="Training diverged.*lr=1000000.0.*clip_grad"):
        model.fit(X, 1e3 * y)
    assert not hasattr(model, "net_")
    fitted = Estimator(max_epochs=2, random_state=0).fit(X, y)
    before = fitted.predict(X)
    with pytest.raises(FloatingPointError):
        fitted.set_params(**params).fit(X, 1e3 * y)
    np.testing.assert_array_equal(fitted.predict(X), before)


def test_device_auto_and_unavailable_cuda():
    X, y = _data(n=40)
    model = GRURegressor(max_epochs=1, device="auto").fit(X, y)
    assert model.net_.device == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            GRURegressor(device="cuda").fit(X, y)


class TaskRecorder:
    """A scikit-learn callback (>= 1.9) that records the tasks it sees."""

    max_propagation_depth = 5

    def __init__(self):
        self.ended = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.ended.append((type(estimator).__name__, context.task_name))
        return False


def test_sklearn_callbacks_see_every_epoch():
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    X, y = _data(n=40)
    recorder = TaskRecorder()
    GRURegressor(max_epochs=4).set_callbacks(recorder).fit(X, y)
    assert recorder.ended.count(("GRURegressor", "epoch")) == 4
    assert recorder.ended[-1][0] == "GRURegressor"


class EpochEnds(Callback):
    """Counts the epochs that begin and end."""

    def initialize(self):
        self.begun_, self.ended_ = 0, 0
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.begun_ += 1

    def on_epoch_end(self, net, **kwargs):
        self.ended_ += 1


def test_every_callback_sees_the_epoch_that_early_stopping_ends(capsys):
    """Early stopping ends training at the end of an epoch: the callbacks after it (the
    user's, scikit-learn's, skorch's table) see that epoch end too."""
    X, y = _data(n=80)
    recorder = TaskRecorder()
    model = GRURegressor(
        max_epochs=50,
        lr=0.05,
        early_stopping=True,
        n_iter_no_change=2,
        verbose=2,
        callbacks=[("count", EpochEnds())],
        random_state=0,
    )
    if hasattr(model, "set_callbacks"):
        model.set_callbacks(recorder)
    model.fit(X, y)
    assert model.n_iter_ < 50  # stopped early
    counter = dict(model.net_.callbacks_)["count"]
    assert counter.begun_ == counter.ended_ == model.n_iter_
    table = [line for line in capsys.readouterr().out.splitlines() if line.strip()[:1].isdigit()]
    assert len(table) == model.n_iter_  # skorch's print log, one row an epoch
    if hasattr(model, "set_callbacks"):
        assert recorder.ended.count(("GRURegressor", "epoch")) == model.n_iter_


def test_a_failed_fit_ends_its_sklearn_callback_task():
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    X, y = _data(n=40)
    recorder = TaskRecorder()
    model = GRURegressor(max_epochs=3, lr=1e30, random_state=0).set_callbacks(recorder)
    with pytest.raises(FloatingPointError):
        model.fit(X, y)
    assert recorder.ended and recorder.ended[-1] == ("GRURegressor", "fit")


def test_a_validation_tail_of_zero_weights_turns_early_stopping_off():
    X, y = _data(n=100)
    weight = np.ones(100)
    weight[90:] = 0.0
    with pytest.warns(UserWarning, match="Early stopping is off for this fit.*sample_weight"):
        model = LSTMRegressor(max_epochs=3, random_state=0).fit(X, y, sample_weight=weight)
    assert model.validation_scores_ is None and model.n_iter_ == 3
    # the zero-weight tail weighs nothing: the same as fitting the rest unvalidated
    rest = LSTMRegressor(max_epochs=3, early_stopping=False, random_state=0).fit(X[:90], y[:90])
    np.testing.assert_allclose(model.predict(X), rest.predict(X), rtol=1e-6)


def test_the_fitted_net_holds_neither_the_estimator_nor_its_data():
    """The validation score is the estimator's method: the fitted net drops it, so that
    a net pickled alone carries no estimator (and no scores' offsets of the data)."""
    import pickle

    X, y = _data()
    model = LSTMRegressor(max_epochs=3, early_stopping=True, random_state=0).fit(X, y)
    assert dict(model.net_.callbacks_)["valid_score"].score is None
    assert b"LSTMRegressor" not in pickle.dumps(model.net_)


def test_sklearn_callbacks_on_a_grid_search_reach_each_fit():
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    from sklearn.model_selection import GridSearchCV

    X, y = _data(n=40)
    recorder = TaskRecorder()
    search = GridSearchCV(GRURegressor(max_epochs=2), {"hidden_size": [4, 8]}, cv=2)
    search.set_callbacks(recorder).fit(X, y)
    epochs = recorder.ended.count(("GRURegressor", "epoch"))
    assert epochs == 2 * (2 * 2 + 1)  # two epochs in each of 4 fits and the refit


class InterruptAt(Callback):
    """Raise KeyboardInterrupt, as Ctrl-C would, in the given epoch and batch."""

    def __init__(self, epoch, batch):
        self.epoch = epoch
        self.batch = batch

    def on_batch_end(self, net, training=False, **kwargs):
        batches = net.history[-1, "batches"]
        if training and len(net.history) == self.epoch and len(batches) == self.batch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_interrupted_fit_keeps_the_last_finished_epoch_and_says_so(Estimator):
    X, y = _data(n=80)
    params = {"hidden_size": 8, "batch_size": 16, "random_state": 0}
    with pytest.warns(UserWarning, match="interrupted during epoch 3.*epoch \\(2\\)"):
        interrupted = Estimator(max_epochs=10, callbacks=[InterruptAt(3, 2)], **params)
        interrupted.fit(X, y)
    assert interrupted.n_iter_ == 2 == len(interrupted.loss_curve_)
    two_epochs = Estimator(max_epochs=2, **params).fit(X, y)
    np.testing.assert_array_equal(interrupted.predict(X), two_epochs.predict(X))


@pytest.mark.parametrize("quantile", [0.1, 0.9])
def test_quantile_loss_predicts_that_quantile(quantile):
    rng = np.random.RandomState(0)
    X = rng.randn(400, 5, 1)
    y = X[:, -1, 0] + rng.randn(400)  # unit noise around a learnable mean
    model = GRURegressor(
        hidden_size=8,
        max_epochs=60,
        loss="quantile",
        quantile=quantile,
        early_stopping=False,  # R² would choose the epoch, not the pinball loss
        random_state=0,
    ).fit(X, y)
    below = np.mean(y <= model.predict(X))
    assert abs(below - quantile) < 0.05, below


def test_quantile_loss_needs_the_quantile():
    X, y = _data(n=20)
    with pytest.raises(ValueError, match="loss='quantile' needs the quantile"):
        GRURegressor(max_epochs=1, loss="quantile").fit(X, y)
    with pytest.raises(ValueError, match="quantile"):
        GRURegressor(max_epochs=1, loss="quantile", quantile=1.0).fit(X, y)


@pytest.mark.parametrize("optimizer", [torch.optim.LBFGS, torch.optim.Rprop])
def test_optimizers_without_weight_decay_train(optimizer):
    X, y = _data(n=40)
    # From a random start (the ridge start already fits this linear target).
    model = GRURegressor(
        hidden_size=8, max_epochs=5, optimizer=optimizer, linear_window=0, random_state=0
    )
    model.fit(X, y)
    assert type(model.net_.optimizer_) is optimizer
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    with pytest.raises(ValueError, match=f"{optimizer.__name__} takes no weight decay"):
        model.set_params(weight_decay=0.1).fit(X, y)


def test_a_callback_that_cannot_be_copied_is_named():
    import threading

    class Locked(Callback):
        def __init__(self):
            self.lock = threading.Lock()

    X, y = _data(n=20)
    with pytest.raises(TypeError, match=r"callbacks\[1\] \(.*Locked.*\) cannot be copied"):
        GRURegressor(max_epochs=1, callbacks=[EpochCounter(), Locked()]).fit(X, y)


def test_the_epoch_table_is_coloured_only_on_a_terminal(capsys, monkeypatch):
    X, y = _data(n=40)
    params = {"hidden_size": 4, "max_epochs": 3, "early_stopping": True, "verbose": 2}
    GRURegressor(**params).fit(X, y)
    piped = capsys.readouterr().out
    assert "valid_score" in piped and "\x1b[" not in piped
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    GRURegressor(**params).fit(X, y)
    assert "\x1b[" in capsys.readouterr().out  # skorch colours the best values there


def test_the_progress_bar_keeps_its_width_beside_long_losses(capsys):
    X, y = _data(n=40)
    GRURegressor(hidden_size=4, max_epochs=3, early_stopping=True, verbose=1).fit(X, y)
    last = capsys.readouterr().err.split("\r")[-1]
    assert "█" * 20 + "|" in last and "val_score=" in last


def test_early_stopping_keeps_the_ridge_start_when_no_epoch_beats_it():
    """The weights training starts from compete: a rate that only makes things worse
    ends where the ridge start put the network (its recurrent head at zero)."""
    X, y = _data()
    model = LSTMRegressor(
        lr=0.5, max_epochs=50, early_stopping=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    assert model.n_iter_ == 3  # three epochs without improving on the start
    module = model.net_.module_
    assert not module.head.weight.any() and not module.head.bias.any()
    tail = slice(108, None)
    np.testing.assert_allclose(
        r2_score(y[tail], model.predict(X[tail])), model.best_validation_score_, rtol=1e-5
    )
    assert model.best_validation_score_ > max(model.validation_scores_)


@pytest.mark.parametrize("relative_to", ["last", None])
def test_the_linear_path_starts_from_ridge_cv_on_the_standardised_last_steps(relative_to):
    """A new network predicts what RidgeCV (penalty by leave-one-out) on the steps the
    linear path reads predicts; training then moves both parts. Relative to the last
    value, the linear path reads each step minus the last one and learns the change
    from the last value."""
    from sklearn.linear_model import RidgeCV

    from sklearn_rnn._linear_start import RIDGE_ALPHAS

    X, y = _data()
    start = LSTMRegressor(
        lr=1e-12,
        max_epochs=1,
        early_stopping=False,
        relative_to=relative_to,
        linear_window=12,
        random_state=0,
    ).fit(X, y)
    last = X[:, -1, 0] if relative_to else 0.0  # y continues the first feature
    read = X - X[:, -1:] if relative_to else X
    n_read = X.shape[2]
    Xs = (read - start.input_mean_[:n_read]) / start.input_scale_[:n_read]
    ys = (y - last - start.target_mean_) / start.target_scale_
    ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(Xs.reshape(len(X), -1), ys)
    weight = start.net_.module_.linear.weight.detach().numpy()[0]
    # 12 steps of 2 features: the 6 steps before these sequences' start read zeros.
    assert not weight[:12].any()
    np.testing.assert_allclose(weight[12:], ridge.coef_, rtol=1e-4, atol=1e-5)
    expected = ridge.predict(Xs.reshape(len(X), -1)) * start.target_scale_ + start.target_mean_
    np.testing.assert_allclose(start.predict(X), expected + last, rtol=1e-4, atol=1e-4)


def _two_regimes(n):
    """Even rows continue the first feature, odd rows the second one before the last
    step, and weights (counts, or relative) that favour the even rows: a fit or score
    that ignores the weights differs plainly from one that weighs them."""
    rng = np.random.RandomState(0)
    X = rng.randn(n, 6, 2)
    even = np.arange(n) % 2 == 0
    y = np.where(even, X[:, -1, 0], X[:, -2, 1]) + 0.05 * rng.randn(n)
    weights = {"counts": np.where(even, 4.0, 1.0), "relative": np.where(even, 3.7, 0.4)}
    return X, y, weights


@pytest.mark.parametrize("kind", ["counts", "relative"])
def test_the_ridge_start_weighs_the_rows_as_ridge_cv_with_sample_weight(kind):
    """After duplicates are merged into weights, the ridge start fits RidgeCV with
    those weights (relative: a mean of one, as the penalty is chosen for)."""
    from sklearn.linear_model import RidgeCV

    from sklearn_rnn._linear_start import RIDGE_ALPHAS

    X, y, weights = _two_regimes(60)
    weight = weights[kind]
    start = LSTMRegressor(
        lr=1e-12,
        max_epochs=1,
        early_stopping=False,
        relative_to=None,
        linear_window=6,
        random_state=0,
    ).fit(X, y, sample_weight=weight)
    Xs = ((X - start.input_mean_) / start.input_scale_).reshape(len(X), -1)
    ys = (y - start.target_mean_) / start.target_scale_
    ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(Xs, ys, sample_weight=weight / weight.mean())
    unweighted = RidgeCV(alphas=RIDGE_ALPHAS).fit(Xs, ys)
    assert np.abs(ridge.coef_ - unweighted.coef_).max() > 0.1  # the weights matter here
    coef = start.net_.module_.linear.weight.detach().numpy()[0]
    np.testing.assert_allclose(coef, ridge.coef_, rtol=1e-4, atol=1e-5)
    expected = ridge.predict(Xs) * start.target_scale_ + start.target_mean_
    np.testing.assert_allclose(start.predict(X), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind", ["counts", "relative"])
@pytest.mark.parametrize(
    "params, kept",
    [
        ({"lr": 1e-12, "max_epochs": 3}, "start"),
        ({"lr": 0.1, "max_epochs": 20}, "start"),
        ({"linear_window": 0, "hidden_size": 8, "max_epochs": 10}, "epoch"),
    ],
    ids=["no epoch moves", "every epoch is worse", "an epoch is kept"],
)
def test_the_validation_score_weighs_the_held_out_rows(params, kept, kind):
    """Early stopping scores the held-out tail, the start and every epoch, with its
    rows' weights: the weighted R² of predict on the tail is best_validation_score_.
    Scored without the weights, the ridge start (R² below 0 unweighted, 0.65 or 0.83
    weighted) would lose to epochs that the weights make worse."""
    X, y, weights = _two_regimes(80)
    weight = weights[kind]
    model = GRURegressor(
        early_stopping=True, validation_fraction=0.25, n_iter_no_change=3, random_state=0, **params
    ).fit(X, y, sample_weight=weight)
    tail = slice(60, None)
    predicted = model.predict(X[tail])
    score = r2_score(y[tail], predicted, sample_weight=weight[tail])
    assert abs(score - r2_score(y[tail], predicted)) > 0.5  # the weights matter here
    np.testing.assert_allclose(model.best_validation_score_, score, rtol=1e-5)
    head = model.net_.module_.head
    if kept == "start":  # the ridge start: its recurrent head at zero
        assert not head.weight.any() and not head.bias.any()
    else:
        assert model.best_validation_score_ in model.validation_scores_
    if params.get("lr") == 1e-12:  # every epoch scores what the start scored
        np.testing.assert_allclose(model.validation_scores_, score, rtol=1e-5)


@pytest.mark.parametrize("kind", ["counts", "relative"])
def test_the_training_loss_is_the_weighted_mean_of_the_rows_losses(kind):
    """Counts repeat rows and relative weights weigh each row's loss: either way an
    epoch's loss is the weighted mean squared error (in the standardised units the
    network learns), here of a network that does not move (lr=1e-12), over one batch
    of the 60 rows or batches of their 150 repeats."""
    X, y, weights = _two_regimes(60)
    weight = weights[kind]
    model = GRURegressor(
        lr=1e-12, max_epochs=1, early_stopping=False, linear_window=0, random_state=0
    ).fit(X, y, sample_weight=weight)
    squared = ((model.predict(X) - y) / model.target_scale_) ** 2
    assert np.average(squared, weights=weight) < 0.5 * squared.mean()  # the weights matter
    np.testing.assert_allclose(model.loss_curve_[0], np.average(squared, weights=weight), rtol=1e-5)


@pytest.mark.parametrize(
    "lengths, patch_size",
    [([16, 5], 1), ([17, 5], 2), ([5, 40], 3), ([48, 48], 3), ([49], 4)],
)
def test_auto_patch_size_makes_the_longest_sequence_at_most_16_patches(lengths, patch_size):
    rng = np.random.RandomState(0)
    X = [rng.randn(n, 2) for n in lengths * 5]
    y = rng.randn(len(X))
    model = GRURegressor(hidden_size=4, max_epochs=1, relative_to="last").fit(X, y)
    assert model.patch_size_ == patch_size
    # each step: 2 features relative to the last value, and the 2 as they are
    assert model.net_.module_.rnn.input_size == 4 * patch_size
    assert GRURegressor(max_epochs=1, patch_size=7).fit(X, y).patch_size_ == 7


def test_a_continued_fit_keeps_the_patch_size():
    """The size "auto" chose at the first fit stays, even when later sequences are
    longer; a different explicit size would be a different network."""
    rng = np.random.RandomState(0)
    model = LSTMRegressor(hidden_size=4, max_epochs=1, warm_start=True)
    model.fit(rng.randn(20, 20, 1), rng.randn(20))
    assert model.patch_size_ == 2
    model.fit(rng.randn(20, 60, 1), rng.randn(20))
    assert model.patch_size_ == 2 and model.n_iter_ == 2
    model.partial_fit(rng.randn(20, 60, 1), rng.randn(20))
    assert model.patch_size_ == 2 and model.n_iter_ == 3
    model.set_params(patch_size=2).fit(rng.randn(20, 8, 1), rng.randn(20))
    with pytest.raises(ValueError, match="structure must not change"):
        model.set_params(patch_size=4).fit(rng.randn(20, 8, 1), rng.randn(20))


@pytest.mark.parametrize(
    "first, then", [(lambda y: y, lambda y: y[:, None]), (lambda y: y[:, None], lambda y: y)]
)
def test_a_continued_fit_refuses_another_shape_of_y(first, then):
    """predict returns y's shape at the first fit: a 1-D y then a (n, 1) one (or the
    reverse) would change what it returns, silently. The classifiers refuse it too."""
    X, y = _data(n=40)
    model = LSTMRegressor(hidden_size=4, random_state=0).partial_fit(X, first(y))
    shape = model.predict(X).shape
    with pytest.raises(ValueError, match="y is .-D, but the estimator was fitted with"):
        model.partial_fit(X, then(y))
    model.set_params(warm_start=True, max_epochs=1)
    with pytest.raises(ValueError, match="y is .-D, but the estimator was fitted with"):
        model.fit(X, then(y))
    assert model.predict(X).shape == shape and model.n_iter_ == 1


@pytest.mark.parametrize("continue_by", ["partial_fit", "warm_start"])
def test_a_continued_fit_on_a_dataframe_keeps_its_feature_names(continue_by):
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(40, 3), columns=["a", "b", "c"])
    y = rng.randn(40)
    model = RNNRegressor(hidden_size=4, max_epochs=1, warm_start=continue_by == "warm_start")
    for _ in range(2):
        if continue_by == "partial_fit":
            model.partial_fit(X, y)
        else:
            model.fit(X, y)
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "fitted without feature names" before the fix
        model.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        model.partial_fit(X[["c", "b", "a"]], y)


def test_a_stored_model_keeps_the_callbacks_parameter_not_the_trained_copies():
    """The documented rule: pickling keeps ``callbacks`` (the parameter) and drops the
    trained copies from ``net_.callbacks_``; the next fit trains a fresh copy."""
    import pickle

    X, y = _data(n=40)
    counter = EpochCounter()
    model = GRURegressor(hidden_size=4, max_epochs=3, callbacks=[("count", counter)])
    model.fit(X, y)
    assert dict(model.net_.callbacks_)["count"].epochs_ == 3
    restored = pickle.loads(pickle.dumps(model))
    assert "count" not in dict(restored.net_.callbacks_)
    assert isinstance(dict(restored.callbacks)["count"], EpochCounter)
    restored.set_params(warm_start=True, max_epochs=2).fit(X, y)
    assert dict(restored.net_.callbacks_)["count"].epochs_ == 2
    assert restored.n_iter_ == 5


@pytest.mark.parametrize("loss", ["absolute_error", "huber"])
def test_robust_losses_validate_by_the_absolute_error(loss):
    """A model of the absolute error (or Huber's loss) starts from the median and keeps
    the epoch whose absolute errors are smallest on the tail: scored by the D² absolute
    error, not R², which large errors dominate."""
    from sklearn.metrics import d2_absolute_error_score

    rng = np.random.RandomState(0)
    X = rng.randn(200, 6, 1)
    y = X[:, -1, 0] + rng.standard_t(1.5, size=200)  # heavy tails
    model = LSTMRegressor(loss=loss, early_stopping=True, random_state=0).fit(X, y)
    tail = slice(180, None)
    score = d2_absolute_error_score(y[tail], model.predict(X[tail]))
    assert model.best_validation_score_ == pytest.approx(score, abs=1e-5)
    assert r2_score(y[tail], model.predict(X[tail])) != pytest.approx(score, abs=1e-3)


@pytest.mark.parametrize("quantile", [0.1, 0.9])
def test_a_quantile_model_at_the_defaults_predicts_that_quantile(quantile):
    """The ridge start predicts the quantile (its intercept moved by the residuals'
    quantile) and early stopping scores the quantile (D² pinball): before, both bounds
    of an interval started at the mean and R² kept them there (sunspots: 90% intervals
    of width 5 that covered 15% of a holdout)."""
    from sklearn.metrics import d2_pinball_score

    rng = np.random.RandomState(0)
    X = rng.randn(300, 8, 1)
    y = X[:, -1, 0] + rng.randn(300)
    model = LSTMRegressor(loss="quantile", quantile=quantile, random_state=0).fit(X, y)
    assert model.validation_scores_ is not None  # the defaults stop early here
    below = np.mean(y <= model.predict(X))
    assert abs(below - quantile) < 0.08, below
    tail = slice(270, None)  # the held-out tenth
    score = d2_pinball_score(y[tail], model.predict(X[tail]), alpha=quantile)
    assert model.best_validation_score_ == pytest.approx(score, abs=1e-4)


def test_the_ridge_start_fits_the_complete_rows_when_they_are_enough():
    """Rows that start later read zeros before their start, so the ridge start fits the
    rows that fill the linear window; but not when they are fewer than twice the weights
    they would fit (the first folds of a search over a long window): every row counts."""
    from sklearn_rnn._linear_start import complete_rows

    many = np.array([24] * 30 + [10] * 5)
    assert complete_rows(many, 24, n_inputs=15).tolist() == list(range(30))
    assert complete_rows(many, 24, n_inputs=16) is None  # 30 rows for 16 weights
    few = np.array([24] * 6 + [10] * 23)
    assert complete_rows(few, 24, n_inputs=24) is None
    assert complete_rows(few, 24, n_inputs=3).tolist() == list(range(6))
    weight = np.ones(35)
    weight[:3] = 0  # rows that weigh nothing are no rows
    assert complete_rows(many, 24, weight, n_inputs=4).tolist() == list(range(3, 30))
    assert complete_rows(np.full(8, 24), 24, n_inputs=4) is None  # all complete
