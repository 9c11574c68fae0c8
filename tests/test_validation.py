"""Bad input gets a clear error, changes nothing, and never mutates the caller's data."""

import copy

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor

from .conftest import ESTIMATORS

FAST = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
rng = np.random.RandomState(0)
X3 = rng.randn(10, 5, 2)
X2 = rng.randn(10, 5)
Y = rng.randn(10)


def _with(array, index, value):
    array = array.copy()
    array[index] = value
    return array


BAD_FIT = [
    ("nan inside a sequence", _with(X3, (0, 3, slice(None)), np.nan), Y, "NaN"),
    ("nan in part of a step", _with(X3, (0, 0, 1), np.nan), Y, "NaN"),
    ("all-nan sequence", _with(X3, (2, slice(None)), np.nan), Y, "NaN"),
    # a row's leading NaN columns are a later start; NaN after them is not
    ("nan in 2-D X", _with(X2, (0, 2), np.nan), Y, "NaN after the first observed"),
    ("nan in y", X3, _with(Y, 3, np.nan), "NaN"),
    ("inf in X", _with(X3, (1, 1, 1), np.inf), Y, "infinity"),
    ("inf in 2-D X", _with(X2, (1, 1), -np.inf), Y, "infinity"),
    ("inf in y", X3, _with(Y, 0, np.inf), "infinity"),
    ("1-D X", X2[0], Y[:5], "Expected 2D array"),
    ("4-D X", X3[..., None], Y, "X has 4 dimensions .* takes 2-D lag columns"),
    ("no samples 2-D", X2[:0], Y[:0], "0 sample"),
    ("no samples 3-D", X3[:0], Y[:0], "0 sample"),
    ("empty list", [], [], "0 sample"),
    ("no time steps", X3[:, :0], Y, "0 time step"),
    ("strings", X2.astype(str), Y, "strings"),
    ("complex", X3 + 1j, Y, "[Cc]omplex"),
    ("inconsistent lengths", X3, Y[:7], "inconsistent numbers of samples"),
    ("ragged feature counts", [np.ones((3, 2)), np.ones((4, 3))], Y[:2], "same number of features"),
    ("ragged 3-D element", [np.ones((3, 2)), np.ones((4, 2, 1))], Y[:2], "must be 1-D"),
    ("ragged empty element", [np.ones((3, 2)), np.ones((0, 2))], Y[:2], "0 sample"),
    ("y None", X3, None, "requires y"),
    ("3-D y", X3, Y.reshape(10, 1, 1), "dim 3"),
]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("case, X, y, match", BAD_FIT, ids=[c[0] for c in BAD_FIT])
def test_bad_input_to_fit_names_the_problem(Estimator, case, X, y, match):
    X_before, y_before = copy.deepcopy(X), copy.deepcopy(y)
    estimator = Estimator(**FAST)
    with pytest.raises((ValueError, TypeError), match=match):
        estimator.fit(X, y)
    assert not hasattr(estimator, "net_") and not hasattr(estimator, "n_features_in_")
    _assert_same(X, X_before)
    _assert_same(y, y_before)


def _assert_same(a, b):
    if isinstance(b, list):
        assert len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v)
    elif b is not None:
        np.testing.assert_array_equal(a, b)


BAD_PREDICT = [
    ("other feature count", rng.randn(4, 5, 3), "3 feature\\(s\\) per time step.*expecting 2"),
    ("2-D after 3-D fit", X2, "fitted on 3-D"),
    ("nan inside a sequence", _with(X3, (0, 3, 0), np.nan), "NaN"),
    ("inf", _with(X3, (0, 0, 0), np.inf), "infinity"),
    ("no samples", X3[:0], "0 sample"),
    ("ragged feature counts", [np.ones((3, 2)), np.ones((4, 1))], "same number of features"),
]


@pytest.mark.parametrize("case, X, match", BAD_PREDICT, ids=[c[0] for c in BAD_PREDICT])
def test_bad_input_to_predict_names_the_problem(case, X, match):
    model = LSTMRegressor(**FAST).fit(X3, Y)
    with pytest.raises(ValueError, match=match):
        model.predict(X)


def test_tabular_model_rejects_other_forms():
    model = GRURegressor(**FAST).fit(X2, Y)
    with pytest.raises(ValueError, match="X has 4 features, but GRURegressor is expecting 5"):
        model.predict(X2[:, :4])
    with pytest.raises(ValueError, match="fitted on 2-D input"):
        model.predict(X3)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"hidden_size": 0}, "'hidden_size' parameter of LSTMRegressor must be an int"),
        ({"num_layers": 1.5}, "'num_layers'"),
        ({"dropout": 1.0}, "'dropout'"),
        ({"lr": 0}, "'lr'"),
        ({"batch_size": "big"}, "'batch_size'"),
        ({"optimizer": "lbfgs"}, "'optimizer'"),
        ({"weight_decay": -1}, "'weight_decay'"),
        ({"max_epochs": 0}, "'max_epochs'"),
    ],
)
def test_invalid_parameters(params, match):
    with pytest.raises(InvalidParameterError, match=match):
        LSTMRegressor(**params).fit(X3, Y)


def test_invalid_nonlinearity():
    with pytest.raises(InvalidParameterError, match="'nonlinearity'"):
        RNNRegressor(nonlinearity="sigmoid").fit(X3, Y)


def test_invalid_optimizer_class_and_device():
    with pytest.raises(ValueError, match="torch.optim.Optimizer subclass"):
        LSTMRegressor(optimizer=dict).fit(X3, Y)
    with pytest.raises(ValueError, match="device must be"):
        LSTMRegressor(device="gpu").fit(X3, Y)


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        (-np.ones(10), "Negative values"),
        (np.ones(3), "sample_weight.shape"),
        (np.zeros(10), "at least one non-zero"),
    ],
)
def test_bad_sample_weight(sample_weight, match):
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(**FAST).fit(X3, Y, sample_weight=sample_weight)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_failed_fit_leaves_a_fitted_estimator_as_it_was(Estimator):
    model = Estimator(**FAST).fit(X3, Y)
    before = model.predict(X3)
    net = model.net_
    for _, X, y, _ in BAD_FIT:
        with pytest.raises((ValueError, TypeError)):
            model.fit(X, y)
        assert model.net_ is net and model.n_features_in_ == 2
    np.testing.assert_array_equal(model.predict(X3), before)


def test_inputs_are_never_modified():
    X = rng.randn(8, 6, 2).astype(np.float32)
    X[0, :3] = np.nan  # a later start: left alone in the caller's array
    y = rng.randn(8, 2).astype(np.float32)
    weight = np.arange(1.0, 9.0)
    copies = X.copy(), y.copy(), weight.copy()
    model = LSTMRegressor(**FAST).fit(X, y, sample_weight=weight)
    model.predict(X)
    ragged = [X[1, :4].copy(), X[2].copy()]
    ragged_copy = copy.deepcopy(ragged)
    model.predict(ragged)
    for after, before in zip((X, y, weight), copies, strict=True):
        np.testing.assert_array_equal(after, before)
    _assert_same(ragged, ragged_copy)


def test_refit_on_sequences_forgets_the_column_names():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.randn(20, 4), columns=list("abcd"))
    model = GRURegressor(hidden_size=4, max_epochs=1).fit(frame, frame["d"])
    np.testing.assert_array_equal(model.feature_names_in_, list("abcd"))
    model.fit(rng.randn(20, 3, 2), rng.randn(20))
    assert model.n_features_in_ == 2
    assert not hasattr(model, "feature_names_in_")
    model.fit(frame.to_numpy(), frame["d"].to_numpy())  # 2-D without names
    assert model.n_features_in_ == 4 and not hasattr(model, "feature_names_in_")


@pytest.mark.parametrize("param", ["hidden_size", "batch_size", "max_epochs", "num_layers"])
def test_booleans_are_not_integers_here(param):
    X, y = np.random.RandomState(0).randn(10, 3, 1), np.arange(10.0)
    model = GRURegressor(max_epochs=1).set_params(**{param: True})
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter.*not a boolean"):
        model.fit(X, y)
    assert not hasattr(model, "net_")


def test_masked_arrays_are_refused_not_silently_unmasked():
    rng = np.random.RandomState(0)
    X = np.ma.masked_greater(rng.randn(10, 3, 1), 1.0)
    y = np.arange(10.0)
    with pytest.raises(ValueError, match="X is a masked array.*filled"):
        GRURegressor(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="y is a masked array"):
        GRURegressor(max_epochs=1).fit(X.filled(0.0), np.ma.masked_less(y, 2))
    model = GRURegressor(max_epochs=1).fit(X.filled(0.0), y)
    with pytest.raises(ValueError, match="X is a masked array"):
        model.predict(X)
