"""LossCurveDisplay draws what the estimator recorded."""

import pickle

import numpy as np
import pytest

from sklearn_rnn import GRURegressor, LossCurveDisplay

pytest.importorskip("matplotlib")


@pytest.fixture(autouse=True)
def _agg():
    import matplotlib

    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _data():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 5, 1)
    return X, X[:, -1, 0] + 0.1 * rng.randn(80)


def test_loss_curve_with_validation_and_best_epoch():
    X, y = _data()
    model = GRURegressor(max_epochs=30, early_stopping=True, n_iter_no_change=3, random_state=0)
    display = LossCurveDisplay.from_estimator(model.fit(X, y))
    np.testing.assert_allclose(display.lines_["loss"].get_ydata(), model.loss_curve_)
    np.testing.assert_allclose(
        display.lines_["validation_score"].get_ydata(), model.validation_scores_
    )
    best = display.lines_["best_epoch"].get_xdata()[0]
    assert model.validation_scores_[best - 1] == model.best_validation_score_
    assert display.ax_score_ is not None and display.ax_.get_xlabel() == "epoch"


def test_loss_curve_without_validation_marks_no_epoch():
    # Without early stopping the model keeps its last epoch, not the lowest-loss one:
    # a random loss curve whose minimum is not last shows the difference.
    import matplotlib.pyplot as plt

    X, y = _data()
    model = GRURegressor(max_epochs=10, lr=2.0, early_stopping=False, random_state=0).fit(X, y)
    assert int(np.argmin(model.loss_curve_)) + 1 != model.n_iter_
    _, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(model, ax=ax, color="red")
    assert display.ax_ is ax and display.ax_score_ is None
    assert display.lines_["loss"].get_color() == "red"
    assert display.best_epoch is None and "best_epoch" not in display.lines_


def test_loss_curve_after_a_warm_start_then_early_stopping():
    X, y = _data()
    model = GRURegressor(
        max_epochs=4,
        warm_start=True,
        early_stopping=False,
        linear_window=0,
        relative_to=None,
        random_state=0,
    )  # levels without the ridge start, so that an epoch of the continuation is the best
    model.fit(X, y)
    model.set_params(early_stopping=True, max_epochs=6, n_iter_no_change=2).fit(X, y)
    display = LossCurveDisplay.from_estimator(model)
    scores = display.lines_["validation_score"].get_ydata()
    assert len(scores) == len(model.loss_curve_) == model.n_iter_ > 4
    assert np.isnan(scores[:4]).all() and not np.isnan(scores[4:]).any()
    assert display.best_epoch > 4
    assert scores[display.best_epoch - 1] == model.best_validation_score_


def test_unfitted_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(GRURegressor())


def test_a_classifier_curve_names_its_score_accuracy():
    from sklearn_rnn import GRUClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(60, 5, 1)
    model = GRUClassifier(hidden_size=4, max_epochs=4, early_stopping=True, random_state=0)
    display = LossCurveDisplay.from_estimator(model.fit(X, X[:, -1, 0] > 0))
    assert display.score_name == "accuracy"
    assert display.ax_score_.get_ylabel() == "validation accuracy"
    assert display.lines_["validation_score"].get_label() == "validation accuracy"


@pytest.mark.parametrize(
    ("loss_curve", "validation_scores"),
    [
        (np.linspace(0.2, 1.0, 20), np.linspace(0.9, 0.1, 20)),  # loss highest at the right
        (np.linspace(1.0, 0.2, 20), np.linspace(0.1, 0.9, 20)),  # score highest at the right
        (np.full(20, 0.5), np.full(20, 0.8)),  # flat curves
        (np.linspace(0.179, 0.173, 20), np.linspace(0.881, 0.891, 20)),  # long tick labels
        (np.linspace(1.0, 0.2, 20), None),
    ],
)
def test_the_legend_and_labels_cover_no_curve(loss_curve, validation_scores):
    display = LossCurveDisplay(
        loss_curve=loss_curve, validation_scores=validation_scores, best_epoch=10
    ).plot()
    figure = display.figure_
    figure.canvas.draw()
    legend = display.ax_.get_legend().get_window_extent()
    for name, line in display.lines_.items():
        if name == "best_epoch":
            continue
        x, y = line.get_transform().transform(line.get_xydata()).T
        inside = (legend.x0 <= x) & (x <= legend.x1) & (legend.y0 <= y) & (y <= legend.y1)
        assert not np.any(inside), f"the legend covers the {name} curve"
    # Both y labels lie inside the figure.
    for ax in (display.ax_, display.ax_score_):
        if ax is not None:
            box = ax.yaxis.label.get_window_extent()
            assert 0 <= box.x0 and box.x1 <= figure.bbox.x1


def test_loss_curve_marks_the_start_when_no_epoch_beat_it():
    """Early stopping kept the ridge start: the mark is at epoch 0, before the curve."""
    X, y = _data()
    model = GRURegressor(  # levels, at a rate that makes every epoch worse than the start
        lr=0.5,
        max_epochs=20,
        early_stopping=True,
        n_iter_no_change=3,
        relative_to=None,
        random_state=0,
    ).fit(X, y)
    assert model.best_validation_score_ not in model.validation_scores_
    display = LossCurveDisplay.from_estimator(model)
    assert display.best_epoch == 0
    assert display.lines_["best_epoch"].get_xdata()[0] == 0


def test_a_tie_marks_the_epoch_early_stopping_kept_not_the_last_of_equals():
    """A tie is no improvement: skorch keeps the first weights with the best score (here
    epoch 1 of eleven that score 2/3 each), and the mark is there, not at the last
    epoch scoring as well; also after a pickle round trip, which keeps the history."""
    from sklearn_rnn import LSTMClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(60, 4, 1)
    y = (X[:, -1, 0] > 0).astype(int)
    model = LSTMClassifier(hidden_size=4, max_epochs=25, early_stopping=True, random_state=0)
    model.fit(X, y)
    scores = np.asarray(model.validation_scores_)
    kept = dict(model.net_.callbacks_)["early_stopping"].best_epoch_  # skorch restored
    last_tie = int(np.flatnonzero(scores == model.best_validation_score_)[-1]) + 1
    assert kept < last_tie, "no later epoch tied in this fit"
    assert LossCurveDisplay.from_estimator(model).best_epoch == kept
    restored = pickle.loads(pickle.dumps(model))
    assert LossCurveDisplay.from_estimator(restored).best_epoch == kept
