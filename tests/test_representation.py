"""The representation: each output's form chosen from the data, held in one fitted object."""

import numpy as np
import pytest

from sklearn_rnn import GRURegressor, LSTMRegressor, frame_forecast
from sklearn_rnn._representation import (
    RELATIVE_FLOOR,
    Representation,
    choose_relative,
    window_scales,
)

from .conftest import stored_copies

FAST = {"hidden_size": 8, "max_epochs": 5, "random_state": 0}


def _walk(rng, n=300):
    return np.cumsum(rng.randn(n))


# -- the form of each output ------------------------------------------------------------


def test_a_target_that_continues_its_series_is_learned_as_a_change(rng):
    X, y = frame_forecast(_walk(rng), history=8)
    model = GRURegressor(**FAST).fit(X, y)
    np.testing.assert_array_equal(model.relative_features_, [0])
    assert model.representation_.describe(1) == ["change from the last value of feature 0"]


@pytest.mark.parametrize(
    "make_target",
    [
        lambda X: 1e-2 * X.sum(axis=(1, 2)),  # a sum, in other units than its steps
        lambda X: X[:, -1, 0] - X[:, 0, 0],  # the last step minus the first
        lambda X: 5e-3 * X[:, :, 0].mean(axis=1) + 0.01,  # in hundredths, input in thousands
    ],
    ids=["sum", "last minus first", "other scale"],
)
def test_a_property_of_the_whole_sequence_is_learned_as_a_level(make_target, rng):
    """No last value forecasts these targets: learned as changes from one, the linear
    path cannot represent them (R² 0.17 for a sum, orders of magnitude off for a target
    in other units). As levels, the ridge start on every step is exact."""
    X = 1e3 * rng.randn(400, 10, 1)
    y = make_target(X)
    train, test = slice(None, 300), slice(300, None)
    model = LSTMRegressor(**FAST).fit(X[train], y[train])
    assert model.relative_features_ is None
    assert model.representation_.describe(1) == ["level"]
    assert model.linear_window_ == 10  # every step of the window
    assert model.score(X[test], y[test]) > 0.999


def test_each_output_chooses_its_form(rng):
    walk = np.cumsum(rng.randn(400, 12), axis=1)[:, :, None]
    Y = np.c_[walk[:, -1, 0] + 0.1 * rng.randn(400), 1e-3 * walk.sum(axis=(1, 2))]
    model = LSTMRegressor(**FAST).fit(walk[:300], Y[:300])
    np.testing.assert_array_equal(model.relative_features_, [0, -1])
    # the linear path reads the levels too, so the level output is as exact as alone
    assert model.net_.module_.arguments["linear_features"] is None
    from sklearn.metrics import r2_score

    r2 = r2_score(Y[300:], model.predict(walk[300:]), multioutput="raw_values")
    assert r2[1] > 0.99 and r2[0] > 0.95
    model = LSTMRegressor(**FAST).fit(walk, Y)
    assert model.representation_.describe(2) == [
        "change from the last value of feature 0",
        "level",
    ]
    # the network reads the relative steps beside the levels; the level output is
    # decoded without a last value
    assert model.input_mean_.shape == (2,)
    with_zero_outputs = model.representation_.decode(
        np.zeros((400, 2), np.float32), {"last": walk[:, -1, :]}
    )
    np.testing.assert_allclose(
        with_zero_outputs, np.c_[walk[:, -1, 0], np.zeros(400)] + model.target_mean_, rtol=1e-6
    )


@pytest.mark.parametrize(
    "params",
    [{"lr": 1e-12, "max_epochs": 1}, {"window_scale": "changes", "max_epochs": 5}],
    ids=["ridge start", "window scale"],
)
def test_each_relative_output_moves_with_the_last_value_of_its_own_feature(params, rng):
    """Two outputs relative to different features (the second, then the first). What
    the network reads here does not change when a feature moves by a constant: the
    steps relative to the last one (the ridge start reads them alone, its recurrent
    head at zero; scaled by the window's changes, the network reads nothing else). So
    each output moves by that constant where its own feature moved, and not otherwise;
    and, scaled by the window, grows by a factor where its own feature did."""
    X = np.cumsum(rng.randn(80, 8, 2), axis=1)
    Y = np.c_[X[:, -1, 1], X[:, -1, 0] + 0.5 * (X[:, -1, 0] - X[:, -2, 0])]
    Y = Y + 0.1 * rng.randn(80, 2)
    model = LSTMRegressor(
        hidden_size=8, relative_to="last", early_stopping=False, random_state=0, **params
    ).fit(X, Y)
    np.testing.assert_array_equal(model.relative_features_, [1, 0])
    before = model.predict(X)
    for feature in (0, 1):
        shifted = X.copy()
        shifted[:, :, feature] += 3.0
        moved = model.predict(shifted) - before
        expected = np.where(model.relative_features_ == feature, 3.0, 0.0)
        np.testing.assert_allclose(moved, np.broadcast_to(expected, moved.shape), atol=1e-3)
        if "window_scale" in params:
            scaled = X.copy()
            scaled[:, :, feature] *= 4.0
            factor = np.where(model.relative_features_ == feature, 4.0, 1.0)
            np.testing.assert_allclose(model.predict(scaled), before * factor, rtol=1e-4)


def test_relative_to_forces_either_form(rng):
    X = 1e3 * rng.randn(100, 6, 1)
    y = 1e-2 * X.sum(axis=(1, 2))
    assert LSTMRegressor(**FAST, relative_to="last").fit(X, y).relative_features_.tolist() == [0]
    walk, target = frame_forecast(_walk(rng), history=6)
    assert LSTMRegressor(**FAST, relative_to=None).fit(walk, target).relative_features_ is None


def test_a_trending_series_stays_relative():
    """On the training range a model of levels is nearly as good as one of changes (its
    leave-one-out error 0.7 times as large), but only the change follows the trend
    beyond it: the change is kept unless the level is better by more than a factor of
    CHANGE_TOLERANCE."""
    rng = np.random.RandomState(0)
    series = 0.05 * np.arange(300.0) ** 1.3 + np.sin(np.arange(300) / 2) + 0.1 * rng.randn(300)
    X, y = frame_forecast(series, history=10)
    X, y = X[9:240], y[9:240]  # complete windows: the internal form is X itself
    assert choose_relative(X, None, y[:, None], relative_to="auto").tolist() == [0]


def test_samples_of_zero_weight_do_not_decide(rng):
    X, y = frame_forecast(_walk(rng), history=6)
    X, y = X[5:], y[5:]
    weight = np.ones(len(y))
    weight[-30:] = 0
    chosen = choose_relative(X, None, y[:, None], weight, relative_to="auto")
    np.testing.assert_array_equal(
        chosen, choose_relative(X[:-30], None, y[:-30, None], relative_to="auto")
    )


# -- the window's scale -------------------------------------------------------------------


def test_a_window_scale_has_a_floor():
    """A step of 0.01 in a series at 100 is read as a change of 1% of its level, not as
    one of 0.0014 (which made a scaled target near 700)."""
    flat = np.full((1, 8, 1), 100.0)
    flat[0, 3, 0] = 100.01
    assert window_scales(flat, None)[0, 0] == pytest.approx(RELATIVE_FLOOR * 100, rel=1e-4)
    moving = np.cumsum(np.full((1, 8, 1), 5.0), axis=1)
    assert window_scales(moving, None)[0, 0] == pytest.approx(5.0)
    assert window_scales(np.zeros((1, 4, 1)), None)[0, 0] == 1.0


def test_one_flat_series_does_not_move_the_others():
    from sklearn_rnn import frame_panel

    rng = np.random.RandomState(0)
    walks = {f"{i}": 100 + np.cumsum(rng.randn(80)) for i in range(4)}
    flat = 100 + np.r_[np.zeros(40), 0.01, np.zeros(39)]
    errors = {}
    for name, data in [("without", walks), ("with", {**walks, "flat": flat})]:
        panel = frame_panel(data, history=8, min_history=8)
        model = GRURegressor(window_scale="changes", random_state=0).fit(panel.X, panel.y)
        others = panel.series != "flat"
        errors[name] = np.abs(model.predict(panel.X[others]) - panel.y[others]).mean()
    assert errors["with"] < 1.2 * errors["without"]


# -- one fitted object ----------------------------------------------------------------------


def test_the_representation_is_stored_whole(tmp_path, rng):
    pytest.importorskip("skops.io")
    walk = np.cumsum(rng.randn(200, 10), axis=1)[:, :, None]
    Y = np.c_[walk[:, -1, 0], 1e-3 * walk.sum(axis=(1, 2))]
    model = GRURegressor(**FAST).fit(walk, Y)
    for restored in stored_copies(model, tmp_path):
        assert restored.representation_.state().keys() == model.representation_.state().keys()
        np.testing.assert_array_equal(restored.relative_features_, [0, -1])
        np.testing.assert_array_equal(restored.predict(walk), model.predict(walk))


def test_a_stored_state_from_before_the_choice_reads_as_it_did():
    """A relative model stored before the representation existed had no record of what
    its linear path read: the relative channels alone."""
    state = {
        "_tabular": False,
        "n_features_in_": 3,
        "relative_features_": np.array([1]),
        "_window_scale": None,
    }
    assert Representation.defaults_for(state, 3)["_linear_features"] == 3
    assert (
        Representation.defaults_for({**state, "relative_features_": None}, 3)["_linear_features"]
        is None
    )


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"relative_features": np.array([-1])}, "relative_features_ is array"),
        ({"relative_features": np.array([3])}, "not 1 feature index"),
        ({"input_scale": np.array([1.0, 0.0], np.float32)}, "input_scale_ is not positive"),
        ({"window_scale": "levels"}, "its _window_scale is 'levels'"),
        ({"linear_features": 5}, "its _linear_features is 5"),
        ({"scale_floor": 0.01}, "its _scale_floor is 0.01"),
    ],
)
def test_a_representation_that_no_fit_records_is_named(change, reason, rng):
    model = GRURegressor(**FAST, relative_to="last").fit(rng.randn(40, 6, 1), rng.randn(40))
    fields = {**vars(model.representation_), **change}
    assert model.representation_.check(1) is None
    assert reason in Representation(**fields).check(1)


def test_no_fit_records_a_window_scale_on_a_level_or_the_levels_linear_features(rng):
    model = LSTMRegressor(**FAST).fit(rng.randn(60, 6, 2), rng.randn(60, 2))
    fields = {**vars(model.representation_), "input_mean": None, "input_scale": None}
    mixed = {**fields, "relative_features": np.array([0, -1]), "linear_features": None}
    scaled = Representation(**{**mixed, "window_scale": "changes", "scale_floor": 0.01})
    assert "its _window_scale is 'changes'" in scaled.check(2)
    levels = Representation(**{**fields, "relative_features": None, "linear_features": 2})
    assert "its _linear_features is 2" in levels.check(2)


def test_a_window_scaled_state_from_before_the_floor_reads_without_it(rng):
    """Stored before the floor existed, a model scales its windows as it did then."""
    walks = 100 + np.cumsum(rng.randn(60, 8, 1), axis=1)
    model = GRURegressor(**FAST, window_scale="changes").fit(walks, walks[:, -1, 0] + 1)
    assert model.representation_.scale_floor == RELATIVE_FLOOR
    state = model.__getstate__()
    del state["_fitted_state"]["_scale_floor"]
    old = GRURegressor.__new__(GRURegressor)
    old.__setstate__(state)
    assert old.representation_.scale_floor == 0.0
    flat = np.full((2, 8, 1), 100.0)
    flat[:, 3] = 100.01
    # a change of 0.01 and back, over 7 steps: no floor
    scale = old.representation_.rows(flat, None)["scale"][:, 0]
    np.testing.assert_allclose(scale, 0.02 / 7, rtol=1e-3)
    assert not np.allclose(old.predict(flat), model.predict(flat))
    np.testing.assert_array_equal(old.predict(walks), old.predict(walks))
