"""Many series, one model: frame_panel, SeriesTimeSplit, and window_scale."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sklearn_rnn import (
    GRURegressor,
    LSTMRegressor,
    SeriesTimeSplit,
    frame_forecast,
    frame_panel,
    load_model,
    save_model,
)
from sklearn_rnn.datasets import load_m1_yearly

FAST = {"hidden_size": 4, "max_epochs": 3, "random_state": 0}


def _series(rng):
    return {
        "small": 0.1 * (1 + np.cumsum(rng.rand(30))),
        "large": 1e6 * (1 + np.cumsum(rng.rand(20))),
        "short": np.arange(5.0),
    }


# -- frame_panel --------------------------------------------------------------------------


def test_each_series_is_framed_alone_and_rows_end_with_every_series_latest(rng):
    data = _series(rng)
    panel = frame_panel(data, horizon=2, history=4)
    for name, values in data.items():
        X, y = frame_forecast(values, horizon=2, history=4)
        rows = panel.series == name
        np.testing.assert_array_equal(panel.X[rows], X)  # no step of another series
        np.testing.assert_array_equal(panel.y[rows], y)
        np.testing.assert_array_equal(panel.time[rows], np.arange(len(y)))
        # the last window ends at the last observation, and the future follows it
        np.testing.assert_array_equal(
            panel.X_last[list(panel.series_ids).index(name), -1, 0], values[-1]
        )
    distance = np.array(
        [
            np.sum((panel.series == s) & (panel.time > t))
            for s, t in zip(panel.series, panel.time, strict=True)
        ]
    )
    assert (np.diff(distance) <= 0).all()  # oldest first: each series' latest rows last
    assert set(panel.series[-3:]) == {"small", "large", "short"}
    np.testing.assert_array_equal(panel.future_time[0], [30, 31])


def test_a_long_frame_a_dict_and_a_list_give_the_same_panel(rng):
    pd = pytest.importorskip("pandas")
    data = _series(rng)
    frame = pd.concat(
        [pd.DataFrame({"unique_id": k, "ds": np.arange(len(v)), "y": v}) for k, v in data.items()]
    ).sample(frac=1.0, random_state=0)  # in any order
    from_frame = frame_panel(frame, history=5)
    from_dict = frame_panel(data, history=5)
    from_list = frame_panel(list(data.values()), history=5)
    order = np.argsort(from_frame.series_ids)
    np.testing.assert_array_equal(
        from_frame.X_last[order], from_dict.X_last[np.argsort(from_dict.series_ids)]
    )
    for panel in (from_dict, from_list):
        assert panel.X.shape == from_frame.X.shape
    np.testing.assert_array_equal(from_dict.X, from_list.X)
    np.testing.assert_array_equal(from_dict.y, from_list.y)


def test_exogenous_columns_come_along_and_the_target_comes_first():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "unique_id": ["a"] * 6 + ["b"] * 6,
            "ds": list(range(6)) * 2,
            "price": np.arange(12.0),
            "sales": np.arange(12.0) * 10,
        }
    )
    panel = frame_panel(frame, target="sales", history=3)
    assert panel.X.shape[2] == 2
    np.testing.assert_array_equal(panel.X_last[0, :, 0], [30.0, 40.0, 50.0])  # sales first
    np.testing.assert_array_equal(panel.X_last[0, :, 1], [3.0, 4.0, 5.0])
    assert panel.y[panel.series == "a"].tolist() == [10.0, 20.0, 30.0, 40.0, 50.0]


def test_min_history_leaves_out_the_first_rows_of_each_series(rng):
    panel = frame_panel(_series(rng), history=6, min_history=6)
    assert (~np.isnan(panel.X[:, :, 0])).sum(axis=1).min() == 6
    assert "short" not in set(panel.series)  # too short to learn from
    assert "short" in set(panel.series_ids)  # still forecast from its last window
    assert np.isnan(panel.X_last[list(panel.series_ids).index("short"), 0, 0])


def test_forecasts_go_back_to_their_series_and_times():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "unique_id": ["a"] * 5 + ["b"] * 4,
            "ds": list(pd.date_range("2020", periods=5, freq="YS"))
            + list(pd.date_range("2021", periods=4, freq="YS")),
            "y": np.arange(9.0),
        }
    )
    panel = frame_panel(frame, horizon=2, history=3)
    forecasts = panel.forecasts([[1.0, 2.0], [3.0, 4.0]])
    assert forecasts["unique_id"].tolist() == ["a", "a", "b", "b"]
    assert [d.year for d in forecasts["ds"]] == [2025, 2026, 2025, 2026]
    assert forecasts["y"].tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="framed for a horizon of 2"):
        panel.forecasts([1.0, 2.0])


@pytest.mark.parametrize(
    "data, kwargs, match",
    [
        ({"a": np.array([1.0, np.nan, 3.0])}, {}, "Series 'a' holds NaN"),
        ({"a": np.ones((3, 2, 2))}, {}, "each series is"),
        ({"a": np.ones(2)}, {"horizon": 2}, "no row to learn from"),
        ("abc", {}, "frame_panel takes a long DataFrame"),
        ({"a": np.ones(5)}, {"history": 0}, "'history' parameter"),
    ],
)
def test_frame_panel_errors(data, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        frame_panel(data, **kwargs)


def test_a_frame_without_its_columns_says_which():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": ["a"] * 4, "ds": range(4), "y": np.arange(4.0)})
    with pytest.raises(ValueError, match="no column 'unique_id'.*id_column="):
        frame_panel(frame)
    assert frame_panel(frame, id_column="id", history=2).X.shape == (3, 2, 1)
    with pytest.raises(ValueError, match="target='z' is not a value column"):
        frame_panel(frame, id_column="id", target="z")


def test_min_history_above_history_is_refused_up_front():
    with pytest.raises(ValueError, match="min_history=8 is more than history=3"):
        frame_panel({"a": np.arange(20.0)}, history=3, min_history=8)


def test_every_form_frames_its_series_in_the_order_of_time():
    pd = pytest.importorskip("pandas")
    series = pd.Series([30.0, 10.0, 20.0, 40.0], index=[3, 1, 2, 4])
    frame = pd.DataFrame({"unique_id": "a", "ds": series.index, "y": series.to_numpy()})
    from_dict, from_frame = frame_panel({"a": series}, history=2), frame_panel(frame, history=2)
    assert from_dict.y.tolist() == from_frame.y.tolist() == [20.0, 30.0, 40.0]
    np.testing.assert_array_equal(from_dict.X, from_frame.X)
    assert from_dict.time.tolist() == from_frame.time.tolist() == [1, 2, 3]
    assert from_dict.last_time.tolist() == [4]


def test_column_names_pick_the_target_in_every_form_with_one_default():
    pd = pytest.importorskip("pandas")
    values = {"x": np.arange(6.0), "y": 100 + np.arange(6.0)}
    frame = pd.DataFrame({"unique_id": "a", "ds": range(6), **values})
    in_a_dict = {"a": pd.DataFrame(values)}
    for target in (None, "y", 1):  # the default is the column named "y"
        for data in (frame, in_a_dict):
            panel = frame_panel(data, history=2, target=target)
            assert panel.y.tolist() == [101.0, 102.0, 103.0, 104.0, 105.0]
            np.testing.assert_array_equal(panel.X[0], [[np.nan, np.nan], [100.0, 0.0]])
    for data in (frame, in_a_dict):
        assert frame_panel(data, history=2, target="x").y.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    unnamed = {"a": np.column_stack([values["x"], values["y"]])}
    assert frame_panel(unnamed, history=2).y.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(ValueError, match="none is named 'y'; name the column"):
        frame_panel({"a": pd.DataFrame({"u": values["x"], "v": values["y"]})})
    with pytest.raises(ValueError, match="has no column names"):
        frame_panel(unnamed, target="y")
    with pytest.raises(ValueError, match="target=2 is out of range"):
        frame_panel(in_a_dict, target=2)


def test_a_categorical_series_column_frames_the_series_it_holds():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "unique_id": pd.Categorical(["a"] * 4 + ["b"] * 4, categories=["a", "b", "c"]),
            "ds": list(range(4)) * 2,
            "y": np.arange(8.0),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas' FutureWarning on observed= included
        panel = frame_panel(frame[frame["ds"] > 0], history=2)
    assert panel.series_ids.tolist() == ["a", "b"]  # "c" has no rows: not a series
    frame["unique_id"] = frame["unique_id"].astype(object)
    frame.loc[2, "unique_id"] = None
    with pytest.raises(ValueError, match="1 row\\(s\\) of the frame have no series"):
        frame_panel(frame)


def test_a_series_of_one_date_takes_the_panels_frequency_and_repeated_times_are_refused():
    pd = pytest.importorskip("pandas")
    data = {
        "a": pd.Series(np.arange(6.0), index=pd.date_range("2020-01", periods=6, freq="MS")),
        "b": pd.Series([5.0], index=pd.DatetimeIndex(["2020-03-01"])),
    }
    panel = frame_panel(data, horizon=2, history=3)
    future = pd.DatetimeIndex(panel.future_time[1])
    assert future.tolist() == list(pd.to_datetime(["2020-04-01", "2020-05-01"]))
    # A date off the frequency's anchor steps from itself (a Wednesday, weekly on Sundays).
    weekly = pd.Series(np.arange(5.0), index=pd.date_range("2020-01-05", periods=5, freq="W-SUN"))
    wednesday = pd.Series([1.0], index=pd.DatetimeIndex(["2020-03-04"]))
    future = frame_panel({"a": weekly, "b": wednesday}, horizon=2, history=2).future_time[1]
    assert pd.DatetimeIndex(future).tolist() == list(pd.to_datetime(["2020-03-08", "2020-03-15"]))
    # As common frequencies: the first seen, whatever the hash seed.
    daily = pd.Series(np.arange(5.0), index=pd.date_range("2020-01-01", periods=5, freq="D"))
    future = frame_panel({"d": daily, "w": weekly, "b": wednesday}, horizon=1).future_time[2]
    assert pd.DatetimeIndex(future).tolist() == [pd.Timestamp("2020-03-05")]
    # No series with a frequency: the most common last spacing of those with two dates.
    two = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-03"]))
    future = frame_panel({"b": wednesday, "c": two}, horizon=1, history=3).future_time[0]
    assert pd.DatetimeIndex(future).tolist() == [pd.Timestamp("2020-03-06")]
    with pytest.raises(ValueError, match="one date, and no series of the panel has two"):
        frame_panel({"b": wednesday, "c": pd.Series([1.0, 2.0])}, history=3)
    frame = pd.DataFrame({"unique_id": "a", "ds": [1, 2, 3, 3, 4], "y": np.arange(5.0)})
    with pytest.raises(ValueError, match="Series 'a' has more than one row at time 3"):
        frame_panel(frame)
    with pytest.raises(ValueError, match="more than one row at time 3"):
        frame_panel({"a": pd.Series(np.arange(5.0), index=[1, 2, 3, 3, 4])})


# -- SeriesTimeSplit ----------------------------------------------------------------------


def test_each_fold_tests_every_series_latest_block_after_its_training_rows():
    groups = np.array(["a"] * 12 + ["b"] * 9 + ["c"] * 2)
    splits = list(SeriesTimeSplit(n_splits=3).split(groups, groups=groups))
    assert len(splits) == 3
    for fold, (train, test) in enumerate(splits):
        for series in ("a", "b"):
            rows = np.flatnonzero(groups == series)
            tested = np.intersect1d(test, rows)
            assert len(tested) == len(rows) // 4
            assert np.intersect1d(train, rows).max() < tested.min()  # the past only
            assert (
                tested.max() == rows[len(rows) - (3 - fold) * (len(rows) // 4) - 1 + len(rows) // 4]
            )
        assert not np.isin(np.flatnonzero(groups == "c"), test).any()  # too short: trains
    assert np.array_equal(splits[-1][1], np.r_[9:12, 19:21])
    with pytest.raises(ValueError, match="needs the series of each row"):
        next(SeriesTimeSplit().split(groups))


@pytest.mark.parametrize("gap", [0, 1, 3])
@pytest.mark.parametrize("test_size", [None, 2])
def test_on_one_series_the_split_is_time_series_split(gap, test_size):
    groups = np.zeros(17)
    ours = SeriesTimeSplit(n_splits=3, test_size=test_size, gap=gap)
    # By default a test block is an equal share of the rows the gap leaves.
    theirs = TimeSeriesSplit(n_splits=3, test_size=test_size or (17 - gap) // 4, gap=gap)
    for (train, test), (train_ref, test_ref) in zip(
        ours.split(groups, groups=groups), theirs.split(groups), strict=True
    ):
        np.testing.assert_array_equal(train, train_ref)
        np.testing.assert_array_equal(test, test_ref)


def test_the_panels_split_keeps_every_test_target_out_of_training():
    panel = frame_panel(load_m1_yearly().series, horizon=6, history=10)

    def targets(rows):
        """(series, time) of every value the rows' targets hold."""
        times = (panel.time[rows][:, None] + np.arange(1, 7)).ravel()
        return set(zip(np.repeat(panel.series[rows], 6).tolist(), times.tolist(), strict=True))

    def leaked(cv):
        folds = list(cv.split(panel.X, groups=panel.series))
        assert len(folds) == 3 and all(len(test) for _, test in folds)
        return [len(targets(train) & targets(test)) for train, test in folds]

    assert min(leaked(SeriesTimeSplit(n_splits=3))) > 0  # without the gap: leaks
    assert leaked(panel.time_split(n_splits=3)) == [0, 0, 0]
    assert panel.time_split(n_splits=3).gap == 5


def test_a_split_that_would_test_nothing_is_refused():
    groups = np.repeat(["a", "b"], 3)
    with pytest.raises(ValueError, match=r"n_splits=5, gap=0\) would test nothing.*has 3"):
        next(SeriesTimeSplit(n_splits=5).split(groups, groups=groups))
    with pytest.raises(ValueError, match="would test nothing"):
        next(SeriesTimeSplit(n_splits=1, gap=2).split(groups, groups=groups))
    assert len(list(SeriesTimeSplit(n_splits=1, gap=1).split(groups, groups=groups))) == 1


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_splits": 0}, "'n_splits' parameter of SeriesTimeSplit must be an int in the range"),
        ({"n_splits": True}, "'n_splits' parameter of SeriesTimeSplit must be an int, not a"),
        ({"test_size": 0}, "'test_size' parameter of SeriesTimeSplit"),
        ({"test_size": 1.5}, "'test_size' parameter of SeriesTimeSplit"),
        ({"gap": -1}, "'gap' parameter of SeriesTimeSplit"),
    ],
)
def test_the_series_split_checks_its_parameters(params, match):
    groups = np.array(["a"] * 8)
    with pytest.raises(ValueError, match=match):
        next(SeriesTimeSplit(**params).split(groups, groups=groups))
    with pytest.raises(ValueError, match=match):
        SeriesTimeSplit(**params).get_n_splits()


def test_a_grid_search_tunes_a_global_model_with_the_series_split():
    from sklearn.base import clone

    panel = frame_panel(load_m1_yearly().series, horizon=3, history=6, min_history=6)
    search = GridSearchCV(
        LSTMRegressor(window_scale="changes", max_epochs=2, random_state=0),
        {"hidden_size": [4, 8]},
        cv=SeriesTimeSplit(n_splits=2),
        n_jobs=2,
    ).fit(panel.X, panel.y, groups=panel.series)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.predict(panel.X_last).shape == (181, 3)
    # The first fold's score is the candidate's fitted on that fold's training rows of
    # every series and scored on its test rows: the search splits by the groups given.
    train, test = next(SeriesTimeSplit(n_splits=2).split(panel.X, groups=panel.series))
    fitted = clone(search.estimator).set_params(hidden_size=4)
    score = fitted.fit(panel.X[train], panel.y[train]).score(panel.X[test], panel.y[test])
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(score, rel=1e-5)


def test_each_fold_trains_on_every_row_before_its_test_blocks_and_short_series_always():
    """The training rows exactly: every row of each series before the fold's test block
    (the row just before it included), and every row of a series too short for test
    blocks in every fold; the rows interleaved as a panel gives them."""
    groups = np.array(list("abacabacababa"))
    a, b, c = (np.flatnonzero(groups == name) for name in "abc")
    assert (len(a), len(b), len(c)) == (7, 4, 2)
    # n_splits=2: blocks of 7 // 3 = 2 rows of "a" and 4 // 3 = 1 of "b"; "c" has
    # 2 rows, no more than its 2 blocks of 1 row would take: it only ever trains.
    expected = [
        (np.r_[a[:3], b[:2], c], np.r_[a[3:5], b[2:3]]),
        (np.r_[a[:5], b[:3], c], np.r_[a[5:7], b[3:4]]),
    ]
    folds = list(SeriesTimeSplit(n_splits=2).split(groups, groups=groups))
    assert len(folds) == 2
    for (train, test), (train_rows, test_rows) in zip(folds, expected, strict=True):
        np.testing.assert_array_equal(train, np.sort(train_rows))
        np.testing.assert_array_equal(test, np.sort(test_rows))
    assert folds[0][0].tolist() == [0, 1, 2, 3, 4, 5, 7]  # as written out
    assert folds[0][1].tolist() == [6, 8, 9]
    # test_size=1: blocks of 1 row of each series; "a" and "b" train longer before them.
    folds = list(SeriesTimeSplit(n_splits=2, test_size=1).split(groups, groups=groups))
    np.testing.assert_array_equal(folds[0][0], np.sort(np.r_[a[:5], b[:2], c]))
    np.testing.assert_array_equal(folds[1][0], np.sort(np.r_[a[:6], b[:3], c]))
    np.testing.assert_array_equal(folds[1][1], np.sort(np.r_[a[6], b[3]]))


# -- window_scale -------------------------------------------------------------------------


def test_series_a_million_times_apart_train_together():
    """Scaled by each window's changes, the same walk at 0.1 and at a million is one
    pattern: the forecasts of both are right in their own units."""
    rng = np.random.RandomState(0)
    walks = [
        np.cumsum(1 + 0.3 * np.sin(np.arange(60) / 2) + 0.05 * rng.randn(60)) for _ in range(6)
    ]
    data = {f"{i}": walk * scale for i, walk in enumerate(walks) for scale in [[0.1, 1e6][i % 2]]}
    panel = frame_panel(data, history=8, min_history=8)
    errors = {}
    for window_scale in ("changes", None):
        model = LSTMRegressor(window_scale=window_scale, random_state=0).fit(panel.X, panel.y)
        prediction = model.predict(panel.X)
        relative = np.abs(prediction - panel.y) / np.abs(panel.y)
        small = np.isin(panel.series, ["0", "2", "4"])
        errors[window_scale] = (relative[small].mean(), relative[~small].mean())
    assert max(errors["changes"]) < 0.02
    assert errors[None][0] > 10 * errors["changes"][0]  # one scale for all: the small are lost


def test_window_scale_needs_relative_targets_and_a_warm_start_keeps_it(rng):
    X, y = rng.randn(40, 6, 1), rng.randn(40)
    with pytest.raises(ValueError, match="window_scale='changes'.*needs relative_to='last'"):
        GRURegressor(**FAST, window_scale="changes", relative_to=None).fit(X, y)
    model = GRURegressor(**FAST, window_scale="changes", warm_start=True).fit(X, y)
    assert model.net_.module_.arguments["input_size"] == 1  # the scaled changes alone
    with pytest.raises(ValueError, match="fitted with window_scale='changes'"):
        model.set_params(window_scale=None).fit(X, y)


def test_a_window_scaled_model_stores_and_exports(tmp_path, rng):
    pytest.importorskip("onnxruntime")
    import onnxruntime as ort

    from sklearn_rnn import to_onnx

    X = np.cumsum(rng.randn(60, 8, 2), axis=1) * rng.uniform(1, 1e4, size=(60, 1, 1))
    X = X.astype(np.float32)
    y = X[:, -1, 1] + 0.5 * (X[:, -1, 1] - X[:, -2, 1])
    model = LSTMRegressor(
        window_scale="changes", early_stopping=False, linear_window=0, max_epochs=5, random_state=0
    ).fit(X, y)
    assert np.abs(model.net_.module_.head.weight.detach().numpy()).sum() > 0
    save_model(model, tmp_path / "m.pt")
    for restored in (pickle.loads(pickle.dumps(model)), load_model(tmp_path / "m.pt")):
        assert restored._window_scale == "changes"
        np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    session = ort.InferenceSession(
        to_onnx(model).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    later = X[:6].copy()
    later[0, :5] = np.nan  # starts later
    later[1, :7] = np.nan  # one step: no change to scale by
    later[2] = 0.0  # no change and no level: a scale of 1
    for inputs in (X, later):
        expected = model.predict(inputs)
        np.testing.assert_allclose(
            session.run(None, {"X": inputs})[0], expected, rtol=1e-4, atol=1e-3
        )


def test_a_stored_state_with_another_window_scale_is_refused(rng):
    X, y = rng.randn(40, 6, 1), rng.randn(40)
    model = GRURegressor(**FAST).fit(X, y)
    state = model.__getstate__()
    state["_fitted_state"]["_window_scale"] = "levels"
    with pytest.raises(ValueError, match="its _window_scale is 'levels'"):
        GRURegressor().__setstate__(state)
    del state["_fitted_state"]["_window_scale"]  # stored before it existed: no scaling
    restored = GRURegressor.__new__(GRURegressor)
    restored.__setstate__(state)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_skforecasts_multi_series_forecaster_without_the_series_column():
    """skforecast's encoding adds a series-id column, which a recurrent regressor would
    read as one more time step: with encoding=None (and no series scaling: the windows
    scale themselves) it passes the lags alone, newest first."""
    pd = pytest.importorskip("pandas")
    skforecast = pytest.importorskip("skforecast.recursive")
    rng = np.random.RandomState(0)
    series = {
        f"s{i}": pd.Series(10**i * np.cumsum(1 + rng.rand(40)), name=f"s{i}") for i in range(3)
    }
    regressor = LSTMRegressor(column_order="newest_first", window_scale="changes", **FAST)
    forecaster = skforecast.ForecasterRecursiveMultiSeries(
        regressor, lags=6, encoding=None, transformer_series=None
    )
    forecaster.fit(series=series)
    fitted = getattr(forecaster, "estimator", None) or forecaster.regressor  # 0.26 renamed it
    assert fitted.n_features_in_ == 6 and fitted._tabular  # six lags, no id column
    predictions = forecaster.predict(steps=3)
    assert len(predictions) == 9 and np.isfinite(predictions["pred"]).all()
    for name, values in series.items():  # each in its own units
        forecast = predictions[predictions["level"] == name]["pred"].to_numpy()
        assert np.all(np.abs(forecast / values.iloc[-1] - 1) < 0.5)
        # the first step: the regressor's prediction from the last six values, newest first
        lags = pd.DataFrame([values.to_numpy()[::-1][:6]], columns=fitted.feature_names_in_)
        assert forecast[0] == pytest.approx(fitted.predict(lags)[0], rel=1e-6)


def test_the_m1_panel_ships():
    m1 = load_m1_yearly()
    assert len(m1.series) == 181 and m1.series["T1"][0] == 3600.0
    assert {len(v) for v in m1.series.values()} >= {15, 58}
    assert all(len(m1.years[k]) == len(v) for k, v in m1.series.items())
