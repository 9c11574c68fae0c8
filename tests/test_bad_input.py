"""Bad input, systematically: generated inputs either fit and predict finite values or get
an error that names the problem; nothing the caller passed is ever modified."""

import copy
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.base import is_classifier

from sklearn_rnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    SlidingWindowTransformer,
)

FAST = {"hidden_size": 2, "max_epochs": 1, "random_state": 0}
DEFECTS = ["none", "leading_nan", "nan_inside", "partial_nan", "all_nan", "inf", "nan_in_y"]


@st.composite
def cases(draw):
    """An input and the error it deserves (None when it is valid)."""
    form = draw(st.sampled_from(["2d", "3d", "ragged"]))
    n = draw(st.sampled_from([0] + [1, 2, 3, 4, 5] * 4))  # empty input now and then
    n_features = 1 if form == "2d" else draw(st.integers(1, 3))
    dtype = draw(st.sampled_from(["float32", "float64"] * 3 + ["int64", "int8", "complex", "str"]))
    floating = dtype.startswith("float")
    defect = draw(st.sampled_from(DEFECTS)) if floating else "none"
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    lengths = [draw(st.integers(2, 5)) for _ in range(n)]
    if form != "ragged":
        lengths = [lengths[0]] * n if n else []
    seqs = [rng.randn(length, n_features) * 3 for length in lengths]
    y = rng.randn(n)
    expected = None
    if n and defect != "none":
        i = draw(st.integers(0, n - 1))
        if defect == "leading_nan":
            seqs[i][: draw(st.integers(1, lengths[i] - 1))] = np.nan
            expected = None  # a sequence that starts later, in every form
        elif defect == "nan_inside":
            seqs[i][-1] = np.nan  # after observed steps
            expected = "NaN"
        elif defect == "partial_nan":
            seqs[i][0, 0] = np.nan
            # of one feature (2-D lag columns among them), a whole step: a later start
            expected = "NaN" if n_features > 1 else None
        elif defect == "all_nan":
            seqs[i][:] = np.nan
            expected = "NaN"
        elif defect == "inf":
            seqs[i][rng.randint(lengths[i]), rng.randint(n_features)] = -np.inf
            expected = "infinity"
        elif defect == "nan_in_y":
            y[i] = np.nan
            expected = "NaN"
    if dtype == "complex":
        seqs = [s + 1j for s in seqs]
        expected = "[Cc]omplex"
    elif dtype == "str":
        seqs = [s.astype(str) for s in seqs]
        expected = "string"
    elif not floating:
        seqs = [s.astype(dtype) for s in seqs]
    if n == 0:
        expected = "0 sample"
    if form == "2d":
        X = np.stack(seqs)[:, :, 0] if n else np.empty((0, 3))
    elif form == "3d":
        X = np.stack(seqs) if n else np.empty((0, 3, n_features))
    else:
        X = seqs
    return form, X, y, expected


@pytest.mark.parametrize("Estimator", [RNNRegressor, LSTMRegressor, GRURegressor])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_generated_input_fits_or_gets_a_named_error(Estimator, case):
    _fits_or_names_the_error(Estimator, *case)


@pytest.mark.parametrize("Estimator", [RNNClassifier, LSTMClassifier, GRUClassifier])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_generated_input_to_classifiers_fits_or_gets_a_named_error(Estimator, case):
    """The same table with labels -1 and 1 (NaN stays NaN); one class is an error."""
    form, X, y, expected = case
    labels = np.sign(y)
    if expected is None and len(np.unique(labels)) < 2:
        expected = "only one class"
    _fits_or_names_the_error(Estimator, form, X, labels, expected)


def _fits_or_names_the_error(Estimator, form, X, y, expected):
    event(f"{form}: {'valid' if expected is None else 'error ' + expected}")
    X_before, y_before = copy.deepcopy(X), y.copy()
    model = Estimator(**FAST)
    if expected is None:
        prediction = model.fit(X, y).predict(X)
        assert prediction.shape == (len(y),)
        if is_classifier(model):
            assert set(prediction) <= set(y)
        else:
            assert np.isfinite(prediction).all()
    else:
        with pytest.raises((ValueError, TypeError), match=expected):
            model.fit(X, y)
        assert not hasattr(model, "net_")
    if isinstance(X, list):
        for after, before in zip(X, X_before, strict=True):
            np.testing.assert_array_equal(after, before)
    else:
        np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


SERIES = np.random.RandomState(0).randn(12, 2)
BAD_SERIES = [
    ("nan", np.where(np.arange(24).reshape(12, 2) == 5, np.nan, SERIES), "NaN"),
    ("inf", np.where(np.arange(24).reshape(12, 2) == 5, np.inf, SERIES), "infinity"),
    ("1-D", SERIES[:, 0], r"Expected 2D array.*series.reshape\(-1, 1\).*frame_forecast"),
    ("4-D", SERIES[:, :, None, None], "dim 4"),
    ("short windows", SERIES[:, None, :], "hold 1 steps, fewer than window_size=3"),
    ("empty", SERIES[:0], "0 sample"),
    ("strings", SERIES.astype(str), "string"),
    ("complex", SERIES + 1j, "[Cc]omplex"),
]


@pytest.mark.parametrize("flatten", [False, True])
@pytest.mark.parametrize("case, X, match", BAD_SERIES, ids=[c[0] for c in BAD_SERIES])
def test_bad_series_to_the_window_transformer(case, X, match, flatten):
    before = X.copy()
    transformer = SlidingWindowTransformer(window_size=3, flatten=flatten)
    with pytest.raises((ValueError, TypeError), match=match):
        transformer.fit(X)
    assert not hasattr(transformer, "n_features_in_")
    fitted = SlidingWindowTransformer(window_size=3, flatten=flatten).fit(SERIES)
    with pytest.raises((ValueError, TypeError), match=match):
        fitted.transform(X)
    np.testing.assert_array_equal(X, before)


def test_window_transformer_feature_mismatch():
    fitted = SlidingWindowTransformer(window_size=3).fit(SERIES)
    with pytest.raises(ValueError, match="X has 1 features, but SlidingWindowTransformer"):
        fitted.transform(SERIES[:, :1])


# -- errors that say what to do (a newcomer's first mistakes) ---------------------------


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRUClassifier])
def test_a_1d_series_points_to_the_framing(Estimator):
    with pytest.raises(ValueError, match="Expected 2D array, got 1D.*frame_forecast"):
        Estimator().fit(np.arange(10.0), np.arange(10) % 2)


def test_a_string_column_is_named():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"t": [1.0, 2.0, 3.0], "city": ["Paris", "Rome", "Oslo"]})
    named = "column 'city' of X is not numeric \\(it holds 'Paris'\\)"
    with pytest.raises(ValueError, match=named):
        LSTMRegressor().fit(frame, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=named):
        SlidingWindowTransformer().fit(frame)
    with pytest.raises(ValueError, match="column 1 of X is not numeric \\(it holds 'a'\\)"):
        LSTMRegressor().fit(np.array([[1, "a"], [2, "b"]], dtype=object), [1.0, 2.0])


@pytest.mark.parametrize("value, what", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_a_gap_in_a_series_says_where_and_what_to_do(value, what):
    series = np.arange(8.0).reshape(4, 2)
    series[2, 1] = value
    with pytest.raises(ValueError, match=f"contains {what} \\(row 2, column 1\\).*Fill gaps"):
        SlidingWindowTransformer(window_size=2).fit(series)


def test_a_window_longer_than_the_series_warns():
    series = np.arange(50.0).reshape(-1, 1)
    with pytest.warns(UserWarning, match="window_size=51 is longer than the series"):
        SlidingWindowTransformer(window_size=51).fit(series)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SlidingWindowTransformer(window_size=50).fit(series)
