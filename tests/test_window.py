"""SlidingWindowTransformer and frame_forecast."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import SlidingWindowTransformer, frame_forecast


def test_row_t_holds_the_window_ending_at_t():
    series = np.arange(20.0).reshape(10, 2)
    windows = SlidingWindowTransformer(window_size=3).fit_transform(series)
    assert windows.shape == (10, 3, 2)
    for t in range(2, 10):
        np.testing.assert_array_equal(windows[t], series[t - 2 : t + 1])
    # partial windows: leading NaN rows, then the start of the series
    assert np.isnan(windows[0, :2]).all()
    np.testing.assert_array_equal(windows[0, 2], series[0])
    assert np.isnan(windows[1, 0]).all()
    np.testing.assert_array_equal(windows[1, 1:], series[:2])


def test_window_longer_than_the_series_is_all_partial():
    with pytest.warns(UserWarning, match="no window is complete"):
        windows = SlidingWindowTransformer(window_size=5).fit_transform(np.ones((3, 1)))
    assert windows.shape == (3, 5, 1)
    assert [int(np.isnan(w).sum()) for w in windows] == [4, 3, 2]


def test_flat_windows_and_their_names():
    series = np.arange(12.0).reshape(6, 2)
    transformer = SlidingWindowTransformer(window_size=2, flatten=True).fit(series)
    flat = transformer.transform(series)
    assert flat.shape == (6, 4)
    np.testing.assert_array_equal(flat[3], [4.0, 5.0, 6.0, 7.0])  # rows 2 then 3
    np.testing.assert_array_equal(
        transformer.get_feature_names_out(), ["x0_lag1", "x1_lag1", "x0_lag0", "x1_lag0"]
    )
    np.testing.assert_array_equal(
        transformer.get_feature_names_out(["a", "b"]), ["a_lag1", "b_lag1", "a_lag0", "b_lag0"]
    )


def test_sequence_mode_has_no_feature_names_and_keeps_3d_output():
    transformer = SlidingWindowTransformer(window_size=2).fit(np.ones((4, 1)))
    assert not hasattr(transformer, "get_feature_names_out")
    out = transformer.set_output(transform="pandas").transform(np.ones((4, 1)))
    assert isinstance(out, np.ndarray) and out.shape == (4, 2, 1)


def test_pandas_in_and_out():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"temp": np.arange(5.0), "wind": np.arange(5.0) * 10})
    transformer = SlidingWindowTransformer(window_size=2, flatten=True)
    out = transformer.set_output(transform="pandas").fit_transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["temp_lag1", "wind_lag1", "temp_lag0", "wind_lag0"]
    assert out.loc[3, "wind_lag1"] == 20.0
    series = pd.Series(np.arange(4.0), name="sales")
    windows = SlidingWindowTransformer(window_size=2).fit(series)
    np.testing.assert_array_equal(windows.feature_names_in_, ["sales"])
    assert windows.transform(series).shape == (4, 2, 1)


def test_pandas_output_configures_the_steps_before_the_windows():
    pd = pytest.importorskip("pandas")
    from sklearn import config_context
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import LSTMRegressor

    frame = pd.DataFrame({"a": np.sin(np.arange(40.0)), "b": np.cos(np.arange(40.0))})
    y = frame["a"].shift(-1).fillna(0.0)
    pipe = make_pipeline(
        StandardScaler(),
        SlidingWindowTransformer(4),
        LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0),
    )
    expected = pipe.fit(frame, y).predict(frame)
    pipe.set_output(transform="pandas")
    assert isinstance(pipe[0].transform(frame), pd.DataFrame)
    np.testing.assert_array_equal(pipe.fit(frame, y).predict(frame), expected)
    with config_context(transform_output="pandas"):
        pipe = make_pipeline(
            StandardScaler(),
            SlidingWindowTransformer(4),
            LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0),
        )
        np.testing.assert_array_equal(pipe.fit(frame, y).predict(frame), expected)


@pytest.mark.parametrize("dtype, expected", [(np.float32, np.float32), (np.int64, np.float64)])
def test_dtype(dtype, expected):
    out = SlidingWindowTransformer(window_size=2).fit_transform(np.ones((3, 1), dtype=dtype))
    assert out.dtype == expected


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[1.0], [np.nan], [3.0]]), "NaN"),
        (np.array([[1.0], [np.inf]]), "infinity"),
        (np.arange(3.0), "Expected 2D array"),
        (np.ones((3, 2, 2, 1)), "dim 4"),
        (np.ones((0, 1)), "0 sample"),
    ],
)
def test_bad_series(X, match):
    with pytest.raises(ValueError, match=match):
        SlidingWindowTransformer(window_size=2).fit(X)


@pytest.mark.parametrize("window_size", [0, -1, 2.5, "3"])
def test_bad_window_size(window_size):
    with pytest.raises(InvalidParameterError, match="'window_size' parameter"):
        SlidingWindowTransformer(window_size=window_size).fit(np.ones((3, 1)))


def test_transform_checks_the_feature_count():
    transformer = SlidingWindowTransformer(window_size=2).fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="X has 3 features"):
        transformer.transform(np.ones((3, 3)))


def test_frame_forecast_aligns_each_row_with_the_next_values():
    series = np.arange(10.0)
    X, y = frame_forecast(series)
    np.testing.assert_array_equal(X.ravel(), np.arange(9.0))
    np.testing.assert_array_equal(y, np.arange(1.0, 10.0))
    X, y = frame_forecast(series, horizon=3)
    assert X.shape == (7, 1) and y.shape == (7, 3)
    np.testing.assert_array_equal(y[4], [5.0, 6.0, 7.0])


def test_frame_forecast_target_column_and_pandas():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6.0) * 10}, index=list("uvwxyz"))
    X, y = frame_forecast(frame, horizon=2, target="b")
    assert list(X.index) == list("uvwx") and list(X.columns) == ["a", "b"]
    assert list(y.columns) == ["b+1", "b+2"]
    assert y.loc["w"].tolist() == [30.0, 40.0]
    X, y = frame_forecast(frame, target=0)
    assert isinstance(y, pd.Series) and y.name == "a" and y.loc["v"] == 2.0
    X_np, y_np = frame_forecast(frame.to_numpy(), target=-1)
    np.testing.assert_array_equal(y_np, frame["b"].to_numpy()[1:])
    # By default the column named "y", as frame_panel's default.
    _, y = frame_forecast(frame.rename(columns={"b": "y"}))
    assert y.name == "y" and y.loc["u"] == 10.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X": np.ones((5, 2))}, "pass target="),
        ({"X": np.ones((5, 2)), "target": 2}, "out of range"),
        ({"X": np.ones(3), "horizon": 3}, "at least horizon \\+ 1"),
        ({"X": np.ones(3), "horizon": 0}, "'horizon' parameter"),
    ],
)
def test_frame_forecast_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        frame_forecast(**kwargs)


@pytest.mark.parametrize("window_size, horizon", [(1, 1), (4, 1), (5, 3), (30, 2)])
def test_no_window_sees_its_target(window_size, horizon):
    series = np.arange(40.0)  # each value is its own time index
    X, y = frame_forecast(series, horizon=horizon)
    windows = SlidingWindowTransformer(window_size=window_size).fit_transform(X)
    latest_seen = np.nanmax(windows, axis=(1, 2))
    first_target = y if horizon == 1 else y[:, 0]
    assert (latest_seen < first_target).all()
    np.testing.assert_array_equal(latest_seen + 1, first_target)  # nothing is wasted


@pytest.mark.parametrize("flag", [True, np.True_])
def test_booleans_are_not_sizes(flag):
    """True is the integer 1 to Python; as a window size or a horizon it is a mistake,
    refused by name as the estimators refuse it."""
    series = np.arange(10.0).reshape(-1, 1)
    with pytest.raises(InvalidParameterError, match="'window_size' parameter of Sliding"):
        SlidingWindowTransformer(window_size=flag).fit(series)
    with pytest.raises(InvalidParameterError, match="'horizon' parameter of frame_forecast"):
        frame_forecast(series, horizon=flag)


def test_frame_forecast_with_history_gives_each_row_its_window():
    series = np.arange(20.0).reshape(10, 2)
    X, y = frame_forecast(series, horizon=2, target=1, history=4)
    assert X.shape == (8, 4, 2) and y.shape == (8, 2)
    for t in range(8):
        observed = series[max(0, t - 3) : t + 1]
        np.testing.assert_array_equal(X[t, 4 - len(observed) :], observed)
        assert np.isnan(X[t, : 4 - len(observed)]).all()  # NaN only before the start
        np.testing.assert_array_equal(y[t], series[t + 1 : t + 3, 1])
    # the same windows the transformer builds from the 2-D rows
    rows, _ = frame_forecast(series, horizon=2, target=1)
    np.testing.assert_array_equal(X, SlidingWindowTransformer(4).fit_transform(rows))


def test_frame_forecast_with_history_from_pandas():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6.0) * 10}, index=list("uvwxyz"))
    X, y = frame_forecast(frame, target="b", history=3)
    assert isinstance(X, np.ndarray) and X.shape == (5, 3, 2)
    assert isinstance(y, pd.Series) and list(y.index) == list("uvwxy")
    np.testing.assert_array_equal(X[-1], frame.to_numpy()[2:5])
    with pytest.raises(ValueError, match="column 'c' of X is not numeric"):
        frame_forecast(frame.assign(c=["p"] * 6), target="b", history=3)
    with pytest.raises(ValueError, match="NaN \\(row 2, column 0\\): frame_forecast"):
        frame_forecast(frame.assign(a=[0, 1, np.nan, 3, 4, 5.0]), target="b", history=3)


@pytest.mark.parametrize("history", [0, True, 2.0])
def test_frame_forecast_refuses_a_history_that_is_no_size(history):
    with pytest.raises(InvalidParameterError, match="'history' parameter of frame_forecast"):
        frame_forecast(np.arange(10.0), history=history)


@pytest.mark.parametrize("flatten", [False, True])
def test_windows_with_history_keep_their_last_steps_and_rows_stand_alone(flatten):
    """3-D rows depend on themselves alone: any subset, in any order, transforms as the
    same rows of the whole (the two properties a 2-D series cannot have)."""
    rng = np.random.RandomState(0)
    X, _ = frame_forecast(rng.randn(30, 2), target=0, history=8)
    transformer = SlidingWindowTransformer(window_size=5, flatten=flatten).fit(X)
    whole = transformer.transform(X)
    expected = X[:, -5:].reshape(len(X), -1) if flatten else X[:, -5:]
    np.testing.assert_array_equal(whole, expected)
    rows = rng.permutation(len(X))[:11]
    np.testing.assert_array_equal(transformer.transform(X[rows]), whole[rows])
    assert transformer.n_features_in_ == 2 and not hasattr(transformer, "feature_names_in_")
    if flatten:
        assert len(transformer.get_feature_names_out()) == 10


def test_a_fold_of_windows_with_history_is_the_same_rows_of_the_whole_series():
    """A TimeSeriesSplit test fold's first rows carry the history before the fold: they
    equal the same rows windowed from the whole series (a 2-D fold's do not)."""
    from sklearn.model_selection import TimeSeriesSplit

    series = np.arange(60.0).reshape(-1, 1)
    rows, _ = frame_forecast(series)
    windows, _ = frame_forecast(series, history=12)
    whole = SlidingWindowTransformer(window_size=12).fit_transform(rows)
    for train, test in TimeSeriesSplit(n_splits=3).split(rows):
        transformer = SlidingWindowTransformer(window_size=12).fit(windows[train])
        np.testing.assert_array_equal(transformer.transform(windows[test]), whole[test])
        fold_alone = SlidingWindowTransformer(window_size=12).fit(rows[train])
        assert np.isnan(fold_alone.transform(rows[test])[0, :-1]).all()  # no history


def test_a_model_fitted_on_windows_forecasts_past_the_data_from_the_series():
    """Fitted on windows with history, a pipeline still takes the 2-D series, whose last
    row's window is the forecast past the data."""
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import LSTMRegressor

    series = np.sin(np.arange(80.0) / 3).reshape(-1, 1)
    X, y = frame_forecast(series, history=10)
    model = make_pipeline(
        SlidingWindowTransformer(6), LSTMRegressor(hidden_size=4, max_epochs=3, random_state=0)
    ).fit(X, y)
    future = model.predict(series[-6:])[-1]
    last_window, _ = frame_forecast(np.vstack([series, [[0.0]]]), history=10)
    assert future == model.predict(last_window[-1:])[0]
    np.testing.assert_array_equal(model.predict(series)[: len(X)], model.predict(X))


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda X: X[:, -3:], "hold 3 steps, fewer than window_size=4"),
        (lambda X: np.where(np.arange(6)[None, :, None] == 3, np.nan, X), "NaN inside the window"),
        (lambda X: np.where(np.arange(2)[None, None, :] == 1, np.nan, X), "NaN inside"),
        (lambda X: np.full_like(X, np.nan), "NaN inside the window of row 0"),
        (lambda X: np.where(X == 5.0, np.inf, X), "infinity \\(row 2, step 5, feature 1"),
    ],
)
def test_bad_windows_with_history(change, match):
    X, _ = frame_forecast(np.arange(20.0).reshape(10, 2), target=0, history=6)
    bad = change(X)
    transformer = SlidingWindowTransformer(window_size=4).fit(X)
    with pytest.raises(ValueError, match=match):
        transformer.transform(bad)
    with pytest.raises(ValueError, match=match):
        SlidingWindowTransformer(window_size=4).fit(bad)
    with pytest.raises(ValueError, match="3 features per step, but .* expecting 2"):
        transformer.transform(np.concatenate([X, X[:, :, :1]], axis=2))
