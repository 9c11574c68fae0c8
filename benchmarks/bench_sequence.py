"""Sequence regression at the defaults: a value that is a property of the whole sequence.

Run by hand, not in CI: the public sets need aeon (Covid3Month, CardanoSentiment) and
sktime (Tecator), and the Rocket reference aeon; the package depends on none of them::

    pip install "torch==2.13.0" -e . aeon sktime
    python benchmarks/bench_sequence.py --json benchmarks/results_sequence_cpu.json

Public sets (time series extrinsic regression, Tan et al. 2021; official train/test
splits): Tecator (fat content from a 100-wavelength absorbance spectrum), Covid3Month (a
death rate, in hundredths, from three months of daily case counts, in thousands),
CardanoSentiment (a sentiment score from 24 hours of two price features).

Synthetic tasks whose answer is known, 500 training and 500 test sequences, inputs and
targets each on their own scale (from 1e-3 to 1e4): the sum of 10 steps, their maximum,
the last step minus the first of a random walk, the frequency of a noisy sine over 50
steps, and the number of upward crossings of zero over 30 steps.

Models: LSTMRegressor and GRURegressor at their defaults (``random_state=seed``), against
the training mean, ``RidgeCV`` and a 200-tree random forest on the standardised
flattened sequences, and aeon's ``RocketRegressor`` (where aeon is installed). Scores:
RMSE and R² on the test split, per seed; the table shows the mean over seeds, the spread
(max - min), and each recurrent model's RMSE as a ratio to the best of the mean, Ridge
and the forest.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import sklearn_rnn

CELLS = {"lstm": "LSTMRegressor", "gru": "GRURegressor"}
N_SYNTHETIC = 500


# -- data -------------------------------------------------------------------------------


def _public():
    """name -> (X_train, y_train, X_test, y_test), X as (n, T, F)."""
    sets = {}
    try:
        from sktime.datasets import load_tecator

        parts = [load_tecator(split=s, return_type="numpy3D") for s in ("train", "test")]
        sets["tecator"] = _ours(*parts[0], *parts[1])
    except ImportError:
        print("sktime missing: Tecator skipped", file=sys.stderr)
    try:
        from aeon.datasets import load_cardano_sentiment, load_covid_3month

        for name, loader in [
            ("covid3month", load_covid_3month),
            ("cardano", load_cardano_sentiment),
        ]:
            parts = [loader(split=s) for s in ("train", "test")]
            sets[name] = _ours(*parts[0], *parts[1])
    except ImportError:
        print("aeon missing: Covid3Month and CardanoSentiment skipped", file=sys.stderr)
    return sets


def _ours(X_train, y_train, X_test, y_test):
    """aeon's and sktime's (n, channels, length) as (n, length, features)."""
    return (
        np.asarray(X_train, float).transpose(0, 2, 1),
        np.asarray(y_train, float),
        np.asarray(X_test, float).transpose(0, 2, 1),
        np.asarray(y_test, float),
    )


def _synthetic(task, n, rng):
    """(X, y) of one synthetic task: inputs and targets on their own scales."""
    if task == "sum":
        X = rng.randn(n, 10, 1)
        return 1e-3 * X, 1e2 * X.sum(axis=(1, 2))
    if task == "max":
        X = rng.randn(n, 10, 1)
        return 1e4 * X, 1e-2 * X.max(axis=(1, 2))
    if task == "last_minus_first":
        X = np.cumsum(rng.randn(n, 20, 1), axis=1)
        return X, 10 * (X[:, -1, 0] - X[:, 0, 0])
    if task == "sine_frequency":
        frequency = rng.uniform(0.02, 0.2, n)
        phase = rng.uniform(0, 2 * np.pi, n)
        t = np.arange(50)
        X = np.sin(2 * np.pi * frequency[:, None] * t + phase[:, None])
        X = X + 0.3 * rng.randn(n, 50)
        return 1e2 * X[:, :, None], frequency
    if task == "crossings":
        X = rng.randn(n, 30, 1)
        up = (X[:, :-1, 0] < 0) & (X[:, 1:, 0] >= 0)
        return 1e-3 * X, up.sum(axis=1).astype(float)
    raise ValueError(task)


SYNTHETIC = ["sum", "max", "last_minus_first", "sine_frequency", "crossings"]


def suite(names=None):
    """Every set: the synthetic ones (drawn once, seed 0) and the public ones."""
    sets = {}
    rng = np.random.RandomState(0)
    for task in SYNTHETIC:
        X, y = _synthetic(task, 2 * N_SYNTHETIC, rng)
        sets[task] = (X[:N_SYNTHETIC], y[:N_SYNTHETIC], X[N_SYNTHETIC:], y[N_SYNTHETIC:])
    sets.update(_public())
    return {k: v for k, v in sets.items() if not names or k in names}


# -- models -----------------------------------------------------------------------------


def _flat(model):
    return make_pipeline(
        FunctionTransformer(lambda X: X.reshape(len(X), -1)), StandardScaler(), model
    )


def references(seed):
    models = {
        "mean": lambda: DummyRegressor(),
        "ridge": lambda: _flat(RidgeCV(alphas=np.logspace(-3, 3, 13))),
        "forest": lambda: _flat(RandomForestRegressor(200, random_state=seed, n_jobs=1)),
    }
    try:
        from aeon.regression.convolution_based import RocketRegressor

        models["rocket"] = lambda: _Rocket(RocketRegressor(random_state=seed, n_jobs=1))
    except ImportError:
        pass
    return models


class _Rocket:
    """aeon's layout, (n, channels, length)."""

    def __init__(self, model):
        self.model = model

    def fit(self, X, y):
        self.model.fit(X.transpose(0, 2, 1), y)
        return self

    def predict(self, X):
        return self.model.predict(X.transpose(0, 2, 1))


def run(sets, seeds, cells, params):
    rows = []
    for name, (X_train, y_train, X_test, y_test) in sets.items():
        for seed in seeds:
            models = {
                c: lambda c=c, seed=seed: getattr(sklearn_rnn, CELLS[c])(
                    random_state=seed, **params
                )
                for c in cells
            }
            models.update(references(seed))
            row = {"dataset": name, "seed": seed}
            for model_name, make in models.items():
                start = time.perf_counter()
                model = make().fit(X_train, y_train)
                prediction = model.predict(X_test)
                row[model_name] = float(np.sqrt(mean_squared_error(y_test, prediction)))
                row[f"{model_name}_r2"] = float(r2_score(y_test, prediction))
                row[f"{model_name}_seconds"] = time.perf_counter() - start
                if hasattr(model, "representation_"):
                    row[f"{model_name}_form"] = model.representation_.describe(1)[0]
            rows.append(row)
            print(_brief(row), file=sys.stderr, flush=True)
    return rows


def _brief(row):
    scores = {k: round(v, 4) for k, v in row.items() if isinstance(v, float) and "_" not in k}
    return f"{row['dataset']} seed {row['seed']}: {scores}"


def table(rows, cells):
    """Per set: the mean RMSE (and spread over seeds) of each model, R² of the recurrent
    ones, and their RMSE as a ratio to the best of the mean, Ridge and the forest."""
    out = []
    for name in dict.fromkeys(r["dataset"] for r in rows):
        mine = [r for r in rows if r["dataset"] == name]
        entry = {"dataset": name}
        for model in [*cells, "mean", "ridge", "forest", "rocket"]:
            if model not in mine[0]:
                continue
            values = np.array([r[model] for r in mine])
            entry[model] = float(values.mean())
            entry[f"{model}_spread"] = float(values.max() - values.min())
            entry[f"{model}_r2"] = float(np.mean([r[f"{model}_r2"] for r in mine]))
        best = min(entry[m] for m in ("mean", "ridge", "forest"))
        for cell in cells:
            entry[f"{cell}_ratio"] = entry[cell] / best
            entry[f"{cell}_form"] = sorted({r.get(f"{cell}_form", "") for r in mine})
        out.append(entry)
    return out


def rst(summary, cells):
    """The table as reStructuredText (docs/user_guide/defaults.rst)."""
    models = [*cells, "mean", "ridge", "forest"]
    rocket = all("rocket" in e for e in summary)
    models += ["rocket"] if rocket else []
    header = ["set", *[m.upper() if m in cells else m for m in models]]
    header += [f"{c.upper()} / best" for c in cells] + [f"{c.upper()} R²" for c in cells]
    lines = [".. list-table::", "   :header-rows: 1", ""]
    lines.append("   * - " + "\n     - ".join(header))
    for e in summary:
        cells_text = [e["dataset"]]
        cells_text += [f"{e[m]:.4g} ± {e[m + '_spread'] / 2:.2g}" for m in models]
        cells_text += [f"{e[c + '_ratio']:.2f}" for c in cells]
        cells_text += [f"{e[c + '_r2']:.3f}" for c in cells]
        lines.append("   * - " + "\n     - ".join(cells_text))
    return "\n".join(lines)


# The candidates of the study that chose the regressors' n_iter_no_change: their entries
# in this file's "sequence_study" and in the quality results' "forecast_study_round5".
STUDY = {
    "n_iter_no_change=10 (before)": ("n_iter_no_change_10", "round5_n_iter_no_change_10"),
    "n_iter_no_change=20 (the default)": ("n_iter_no_change_20", "round5_n_iter_no_change_20"),
    "n_iter_no_change=30": ("n_iter_no_change_30", "round5_n_iter_no_change_30"),
    "lr=0.003": ("lr_0.003", "round5_lr_0.003_change_tolerance_2"),
}


def study_rst(sequence_results, quality_results):
    """The study of candidate defaults over both suites, as reStructuredText: the LSTM's
    RMSE on each sequence set over the best of the mean, Ridge and the forest, and its
    forecasts' geometric mean and worst row over the best simple forecast."""
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_quality

    sets = [
        e["dataset"] for e in sequence_results["sequence_study"]["n_iter_no_change_10"]["table"]
    ]
    header = ["candidate", *sets, "forecasts (geometric mean)", "worst forecast row"]
    lines = [".. list-table::", "   :header-rows: 1", ""]
    lines.append("   * - " + "\n     - ".join(header))
    for name, (sequence_key, forecast_key) in STUDY.items():
        table_rows = sequence_results["sequence_study"][sequence_key]["table"]
        ratios = {e["dataset"]: e["lstm_ratio"] for e in table_rows}
        forecast = quality_results["forecast_study_round5"][forecast_key]["forecast"]
        figures = bench_quality.summary_figures(forecast)["lstm"]["best"]
        cells = [name, *[f"{ratios[d]:.2f}" for d in sets]]
        cells += [f"{bench_quality.geometric_mean(figures):.3f}", f"{figures.max():.2f}"]
        lines.append("   * - " + "\n     - ".join(cells))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=list(CELLS))
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--params", type=json.loads, default={})
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--key", default="sequence_defaults", help="entry of the results file")
    parser.add_argument("--rst", action="store_true", help="print the docs' tables from --json")
    args = parser.parse_args(argv)
    if args.rst:
        stored = json.loads(args.json.read_text())
        results = stored[args.key]
        print(rst(results["table"], results["cells"]))
        quality = args.json.parent / "results_quality_cpu.json"
        print()
        print(study_rst(stored, json.loads(quality.read_text())))
        return
    import torch

    torch.set_num_threads(1)
    start = time.perf_counter()
    rows = run(suite(args.datasets), args.seeds, args.cells, args.params)
    result = {
        "params": args.params,
        "seeds": args.seeds,
        "cells": args.cells,
        "rows": rows,
        "table": table(rows, args.cells),
        "seconds": time.perf_counter() - start,
    }
    print(rst(result["table"], args.cells))
    if args.json is not None:
        stored = json.loads(args.json.read_text()) if args.json.exists() else {}
        stored["machine"] = f"{sys.platform}, torch {torch.__version__}, 1 thread"
        stored[args.key] = result
        args.json.write_text(json.dumps(stored, indent=1) + "\n")


if __name__ == "__main__":
    main()
