"""Predictions of a fixed set of fits, to check that a change of code moves none of them.

``python scripts/fingerprint.py save FILE`` fits each case (every family and cell, every
input form, multi-output, quantile, panel scaling, continued fits) and stores its
predictions, its stored forms' predictions and its fitted record; ``check FILE`` fits
them again and reports every difference (exact comparison). For reorganisations that
must not change behaviour; it runs in about a minute on 2 cores.
"""

import argparse
import pickle
import sys
import warnings

import numpy as np

import sklearn_rnn
from sklearn_rnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
    frame_forecast,
    frame_panel,
)
from sklearn_rnn.datasets import load_m1_yearly


def _cases():
    rng = np.random.RandomState(0)
    X3 = rng.randn(60, 8, 2)
    y = X3[:, -1, 0] - 0.5 * X3[:, -3, 1] + 0.1 * rng.randn(60)
    Y = np.column_stack([y, X3.sum(axis=(1, 2))])
    ragged = [rng.randn(n, 2) for n in rng.randint(3, 9, size=60)]
    y_ragged = np.array([s[:, 0].sum() for s in ragged])
    series = np.sin(np.arange(150) / 4) + 0.01 * np.arange(150) + 0.1 * rng.randn(150)
    X2, y2 = frame_forecast(series, history=12)
    X2 = X2[:, :, 0]
    labels = np.where(X3[:, :, 0].mean(axis=1) > 0, "up", "down")
    panel = frame_panel(load_m1_yearly().series, horizon=2, history=8, min_history=4)
    fast = {"hidden_size": 6, "max_epochs": 6, "random_state": 0}
    yield "lstm 3-D", LSTMRegressor(**fast), X3, y
    yield "gru multi-output", GRURegressor(**fast), X3, Y
    yield "rnn ragged", RNNRegressor(**fast, nonlinearity="relu"), ragged, y_ragged
    yield "lstm lag columns", LSTMRegressor(**fast), X2, y2
    yield "gru newest first", GRURegressor(**fast, column_order="newest_first"), X2[:, ::-1], y2
    yield "lstm level", LSTMRegressor(**fast, relative_to=None), X3, y
    yield "lstm last", LSTMRegressor(**fast, relative_to="last", linear_window=3), X3, y
    yield "lstm quantile", LSTMRegressor(**fast, loss="quantile", quantile=0.8), X3, y
    yield (
        "gru panel",
        GRURegressor(**fast, window_scale="changes", readout="mean"),
        panel.X,
        panel.y,
    )
    yield "lstm bidirectional", LSTMRegressor(**fast, bidirectional=True, num_layers=2), X3, y
    yield "lstm no early stopping", LSTMRegressor(**fast, early_stopping=False), X3, y
    yield "lstm classifier", LSTMClassifier(**fast), X3, labels
    yield "gru classifier ragged", GRUClassifier(**fast), ragged, y_ragged > 0
    yield "rnn classifier 2-D", RNNClassifier(**fast), X2, y2 > np.median(y2)


def _record(model, X):
    out = {"predict": np.asarray(model.predict(X))}
    if hasattr(model, "predict_proba"):
        out["proba"] = model.predict_proba(X)
    out["pickle"] = np.asarray(pickle.loads(pickle.dumps(model)).predict(X))
    out["n_iter"] = np.array([model.n_iter_])
    out["loss_curve"] = np.asarray(model.loss_curve_)
    for name in ("relative_features_", "linear_window_", "input_mean_", "target_mean_"):
        value = getattr(model, name, None)
        if value is not None:
            out[name] = np.asarray(value)
    try:
        import onnxruntime

        from sklearn_rnn import to_onnx

        session = onnxruntime.InferenceSession(to_onnx(model).SerializeToString())
        if isinstance(X, np.ndarray):
            feed = {session.get_inputs()[0].name: X.astype(np.float32)}
            out["onnx"] = session.run(None, feed)[0]
    except ImportError:
        pass
    return out


def _plain(value):
    """An array numpy stores without pickle (labels as strings)."""
    value = np.asarray(value)
    return value.astype(str) if value.dtype == object else value


def _run():
    results = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, model, X, y in _cases():
            model.fit(X, y)
            for key, value in _record(model, X).items():
                results[f"{name}/{key}"] = _plain(value)
            model.set_params(warm_start=True, max_epochs=2)
            model.fit(X, y)  # a continued fit
            results[f"{name}/warm predict"] = _plain(model.predict(X))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["save", "check"])
    parser.add_argument("file")
    args = parser.parse_args(argv)
    print(f"sklearn_rnn from {sklearn_rnn.__file__}")
    results = _run()
    if args.action == "save":
        np.savez(args.file, **results)
        print(f"{len(results)} arrays saved to {args.file}")
        return 0
    saved = np.load(args.file)
    differences = sorted(set(saved.files) ^ set(results))
    for key in sorted(set(saved.files) & set(results)):
        a, b = saved[key], results[key]
        if (
            a.shape != b.shape
            or a.dtype != b.dtype
            or not np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        ):
            differences.append(key)
    for key in differences:
        print("differs:", key)
    print(f"{len(results)} arrays, {len(differences)} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
