"""to_onnx: onnxruntime's outputs equal predict's, on inputs unlike those of fit."""

import numpy as np
import pytest

from sklearn_rnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    to_onnx,
)

ort = pytest.importorskip("onnxruntime")

RNG = np.random.RandomState(0)
X = RNG.randn(60, 10, 2).astype(np.float32)
Y = X[:, -1, 0] + X[:, -3, 1]
# Not seen in fit: shorter and longer sequences, and a ragged batch (lengths 1 to 30).
LONG = RNG.randn(5, 25, 2).astype(np.float32)
SHORT = RNG.randn(5, 3, 2).astype(np.float32)
RAGGED = [RNG.randn(n, 2).astype(np.float32) for n in (3, 12, 7, 1, 30, 10)]


def _nan_led(sequences):
    """A ragged list as one array, rows that start later padded in front with NaN."""
    longest = max(len(s) for s in sequences)
    out = np.full((len(sequences), longest, sequences[0].shape[1]), np.nan, np.float32)
    for i, s in enumerate(sequences):
        out[i, longest - len(s) :] = s
    return out


def _run(model, X):
    session = ort.InferenceSession(
        to_onnx(model).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {"X": _nan_led(X) if isinstance(X, list) else X})


def _assert_exports_predict(model, inputs=(X, LONG, SHORT, RAGGED)):
    for X_new in inputs:
        outputs = _run(model, X_new)
        if hasattr(model, "classes_"):
            np.testing.assert_array_equal(outputs[0], model.predict(X_new))
            np.testing.assert_allclose(outputs[1], model.predict_proba(X_new), rtol=0, atol=1e-4)
        else:
            expected = model.predict(X_new)
            assert outputs[0].shape == expected.shape
            np.testing.assert_allclose(outputs[0], expected, rtol=0, atol=1e-4)


def _trained(Estimator, y, **params):
    """A model whose recurrent head matters: no linear path, no early stopping."""
    params = {"max_epochs": 5, "random_state": 0, "early_stopping": False, **params}
    if Estimator in (RNNRegressor, LSTMRegressor, GRURegressor):
        params.setdefault("linear_window", 0)
    model = Estimator(**params).fit(X, y)
    assert np.abs(model.net_.module_.head.weight.detach().numpy()).sum() > 0
    return model


@pytest.mark.parametrize("Estimator", [RNNRegressor, LSTMRegressor, GRURegressor])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"bidirectional": True},
        {"num_layers": 2, "bidirectional": True},
        {"readout": "mean"},
        {"readout": "max", "bidirectional": True},
        {"patch_size": 3},
        {"linear_window": 4},
    ],
    ids=["plain", "bidirectional", "2 layers", "mean", "max", "patches", "linear path"],
)
def test_onnxruntime_predicts_as_the_regressor(Estimator, params):
    _assert_exports_predict(_trained(Estimator, Y, **params))


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_onnxruntime_predicts_several_outputs_in_the_original_units(Estimator):
    targets = np.c_[Y, 3 * X[:, -2, 1]] * 100 + 5  # un-scaling inside the graph
    _assert_exports_predict(_trained(Estimator, targets, hidden_size=8, bidirectional=True))


@pytest.mark.parametrize("Estimator", [RNNRegressor, LSTMRegressor, GRURegressor])
@pytest.mark.parametrize(
    "params",
    [{}, {"bidirectional": True, "patch_size": 3}, {"linear_window": 4, "readout": "mean"}],
    ids=["plain", "bidirectional patches", "linear path"],
)
def test_relative_targets_are_exported(Estimator, params):
    """Learned relative to the last value: the graph reads each row relative to its last
    step beside the row, and adds back the last value of each output's feature (here
    the second feature for the first output, the first for the second)."""
    targets = np.c_[X[:, -1, 1] + 0.1 * X[:, -4, 0], X[:, -1, 0] - X[:, -2, 0]] * 50 + 3
    model = _trained(Estimator, targets, relative_to="last", **params)
    np.testing.assert_array_equal(model.relative_features_, [1, 0])
    _assert_exports_predict(model)


@pytest.mark.parametrize("Estimator", [RNNRegressor, LSTMRegressor, GRURegressor])
def test_an_output_of_each_form_is_exported(Estimator):
    """One output continues a feature (a change from its last value), the other is a
    property of the whole sequence in other units (a level): the graph adds the last
    value back to the first alone."""
    targets = np.c_[X[:, -1, 1] + 0.3 * (X[:, -1, 1] - X[:, -3, 1]), 1e-3 * X.sum(axis=(1, 2))]
    model = Estimator(max_epochs=5, random_state=0).fit(X, targets)
    np.testing.assert_array_equal(model.relative_features_, [1, -1])
    _assert_exports_predict(model)


def test_the_window_scale_floor_is_exported():
    """Windows almost flat (a step of 0.01 at 100) are scaled by the floor, in the graph
    as in predict."""
    walks = 100 + np.cumsum(RNG.randn(80, 12, 1), axis=1).astype(np.float32)
    model = GRURegressor(window_scale="changes", max_epochs=3, random_state=0)
    model.fit(walks, walks[:, -1, 0] + 1)
    flat = np.full((4, 12, 1), 100.0, np.float32)
    flat[:, 5, 0] = 100.01
    flat[1:, :3] = np.nan  # and rows that start later
    _assert_exports_predict(model, inputs=(walks[:10], flat))


def test_relu_and_the_default_linear_path_are_exported():
    model = RNNRegressor(nonlinearity="relu", max_epochs=5, random_state=0).fit(X, Y)
    _assert_exports_predict(model)


@pytest.mark.parametrize("Estimator", [RNNClassifier, LSTMClassifier, GRUClassifier])
@pytest.mark.parametrize("labels", ["str", "int", "bool"])
def test_onnxruntime_predicts_as_the_classifier(Estimator, labels):
    y = np.array(["a", "b", "c"])[(X[:, -1, 0] > 0).astype(int) + (X[:, -1, 1] > 1)]
    y = {"str": y, "int": (y == "a") * 7 - 2, "bool": y == "a"}[labels]
    model = Estimator(max_epochs=5, random_state=0).fit(X, y)  # defaults: both directions
    _assert_exports_predict(model)


def test_a_multilabel_classifier_is_exported():
    y = np.c_[X[:, -1, 0] > 0, X[:, -1, 1] > 0].astype(int)
    _assert_exports_predict(GRUClassifier(max_epochs=5, random_state=0).fit(X, y))


@pytest.mark.parametrize("relative_to", ["last", None])
@pytest.mark.parametrize("column_order", ["oldest_first", "newest_first"])
def test_a_model_of_lag_columns_takes_them_as_predict_does(column_order, relative_to):
    lags = RNG.randn(80, 12).astype(np.float32)
    model = GRURegressor(
        max_epochs=5,
        random_state=0,
        early_stopping=False,
        column_order=column_order,
        relative_to=relative_to,
    ).fit(lags, 2 * lags[:, -1] + lags[:, 3])
    later = lags[:9].copy()  # rows that start later: their oldest columns NaN
    later[:, : 4 if column_order == "oldest_first" else None] = np.nan
    if column_order == "newest_first":
        later[:, :8] = lags[:9, :8]
    _assert_exports_predict(model, inputs=[lags, lags[:7], later])


def test_to_onnx_refuses_what_it_cannot_export():
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import Ridge

    with pytest.raises(NotFittedError):
        to_onnx(LSTMRegressor())
    with pytest.raises(TypeError, match="exports this package's estimators; got Ridge"):
        to_onnx(Ridge().fit(X[:, :, 0], Y))
    with pytest.raises(ValueError, match="opset must be 18 or later"):
        to_onnx(LSTMRegressor(max_epochs=1).fit(X, Y), opset=13)


# -- skl2onnx: whole pipelines ------------------------------------------------------------


@pytest.fixture
def skl2onnx():
    module = pytest.importorskip("skl2onnx")
    from sklearn_rnn import register_onnx_converters

    register_onnx_converters()
    return module


def _series():
    from sklearn_rnn import frame_forecast
    from sklearn_rnn.datasets import load_sunspots

    X, y = frame_forecast(load_sunspots().data)
    return X.astype(np.float32), y


def _assert_pipeline_exported(skl2onnx, pipe, X):
    model = skl2onnx.to_onnx(pipe, X[:1], target_opset=18)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {session.get_inputs()[0].name: X})
    # sunspot numbers up to about 250: float32 rounding is about 1e-5 of them
    np.testing.assert_allclose(output.ravel(), pipe.predict(X), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_skl2onnx_converts_a_window_pipeline(skl2onnx, Estimator):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import SlidingWindowTransformer

    X, y = _series()
    pipe = make_pipeline(
        StandardScaler(),
        SlidingWindowTransformer(window_size=12),
        Estimator(max_epochs=5, bidirectional=Estimator is GRURegressor, random_state=0),
    ).fit(X[:-60], y[:-60])
    _assert_pipeline_exported(skl2onnx, pipe, X)  # the first rows' windows are NaN-led


@pytest.mark.parametrize("flatten", [False, True])
def test_skl2onnx_converts_a_pipeline_of_windows_with_history(skl2onnx, flatten):
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import SlidingWindowTransformer, frame_forecast
    from sklearn_rnn.datasets import load_sunspots

    X, y = frame_forecast(load_sunspots().data.astype(np.float32), history=24)
    last = (SimpleImputer(), Ridge()) if flatten else (GRURegressor(max_epochs=3, random_state=0),)
    pipe = make_pipeline(SlidingWindowTransformer(12, flatten=flatten), *last)
    _assert_pipeline_exported(skl2onnx, pipe.fit(X[:-60], y[:-60]), X)  # NaN-led rows too


def test_skl2onnx_converts_the_readmes_tabular_baseline(skl2onnx):
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import SlidingWindowTransformer

    X, y = _series()
    pipe = make_pipeline(SlidingWindowTransformer(12, flatten=True), SimpleImputer(), Ridge()).fit(
        X[:-60], y[:-60]
    )
    _assert_pipeline_exported(skl2onnx, pipe, X)


def test_skl2onnx_below_opset_18_is_refused_by_name(skl2onnx):
    X, y = _series()
    windows = np.lib.stride_tricks.sliding_window_view(X[:, 0], 6)[:, :, None]
    model = LSTMRegressor(max_epochs=1).fit(windows, y[5:])
    with pytest.raises(ValueError, match="need target_opset 18 or later; got 15"):
        skl2onnx.to_onnx(model, windows[:1], target_opset=15)
