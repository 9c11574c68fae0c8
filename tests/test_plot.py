"""LossCurveDisplay draws what the estimator recorded."""

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
    model = GRURegressor(max_epochs=30, early_stopping=True, n_iter_no_change=3).fit(X, y)
    display = LossCurveDisplay.from_estimator(model)
    np.testing.assert_allclose(display.lines_["loss"].get_ydata(), model.loss_curve_)
    np.testing.assert_allclose(
        display.lines_["validation_score"].get_ydata(), model.validation_scores_
    )
    best = display.lines_["best_epoch"].get_xdata()[0]
    assert model.validation_scores_[best - 1] == model.best_validation_score_
    assert display.ax_score_ is not None and display.ax_.get_xlabel() == "epoch"


def test_loss_curve_without_validation_marks_the_lowest_loss():
    import matplotlib.pyplot as plt

    X, y = _data()
    model = GRURegressor(max_epochs=10).fit(X, y)
    _, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(model, ax=ax, color="red")
    assert display.ax_ is ax and display.ax_score_ is None
    assert display.lines_["loss"].get_color() == "red"
    assert display.best_epoch == int(np.argmin(model.loss_curve_)) + 1


def test_unfitted_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(GRURegressor())
