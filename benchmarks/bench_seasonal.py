"""The README's search on monthly seasonal series, against RidgeCV on 13 and 24 lags.

Run by hand, not in CI (PBS comes from aeon's wheel)::

    pip install "torch==2.13.0" -e . aeon
    python benchmarks/bench_seasonal.py --json benchmarks/results_seasonal_cpu.json

For each series: ``frame_forecast(series, history=24)``, one step ahead, the first 80%
of the rows to train and the last 20% to score (MAE). The search is the README's, exactly
as written: ``make_pipeline(SlidingWindowTransformer(window_size=12), LSTMRegressor())``
tuned by ``GridSearchCV`` over ``window_size`` in (6, 12, 24) and ``hidden_size`` in
(16, 64) on ``TimeSeriesSplit(n_splits=3)``, ``random_state=seed``. References in the
same run: the seasonal naive forecast (the value 12 months before) and ``RidgeCV`` on the
13 and the 24 latest values (a year-on-year model needs lag 13).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMRegressor, SlidingWindowTransformer, frame_forecast
from sklearn_rnn.datasets import load_airline

HISTORY = 24
GRID = {
    "slidingwindowtransformer__window_size": [6, 12, 24],
    "lstmregressor__hidden_size": [16, 64],
}


def series():
    """name -> a monthly series."""
    out = {"airline": load_airline().data[:, 0]}
    try:
        import pandas as pd
        from aeon import datasets

        path = Path(datasets.__file__).parent / "data" / "PBS_dataset" / "PBS_dataset.csv"
        out["pbs"] = pd.read_csv(path)["Scripts"].to_numpy(dtype=float)
    except ImportError:
        print("aeon missing: PBS skipped", file=sys.stderr)
    return out


def scores(values, seeds, params):
    X, y = frame_forecast(values, history=HISTORY)
    cut = int(round(0.8 * len(X)))
    test = slice(cut, None)
    truth = y[test]
    row = {"seasonal_naive": mean_absolute_error(truth, values[cut - 11 : len(X) - 11])}
    for lags in (13, 24):
        Z = X[:, -lags:, 0]
        keep = ~np.isnan(Z[:cut]).any(axis=1)
        ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(Z[:cut][keep], y[:cut][keep])
        row[f"ridge_{lags}"] = mean_absolute_error(truth, ridge.predict(Z[test]))
    row["search"] = []
    for seed in seeds:
        pipe = make_pipeline(
            SlidingWindowTransformer(window_size=12), LSTMRegressor(random_state=seed, **params)
        )
        start = time.perf_counter()
        search = GridSearchCV(pipe, GRID, cv=TimeSeriesSplit(n_splits=3)).fit(X[:cut], y[:cut])
        row["search"].append(
            {
                "seed": seed,
                "mae": mean_absolute_error(truth, search.predict(X[test])),
                "best_params": search.best_params_,
                "seconds": time.perf_counter() - start,
            }
        )
        print(f"seed {seed}: {row['search'][-1]}", file=sys.stderr, flush=True)
    maes = [s["mae"] for s in row["search"]]
    row["search_mean"], row["search_spread"] = float(np.mean(maes)), float(np.ptp(maes))
    row["ratio_to_best_ridge"] = row["search_mean"] / min(row["ridge_13"], row["ridge_24"])
    return row


def summary(results):
    """One sentence a series, as the docs quote them."""
    return "; ".join(
        f"{name}, the search {row['search_mean']:.2f} ± {row['search_spread'] / 2:.2f} "
        f"against RidgeCV's {row['ridge_13']:.2f} on 13 lags and {row['ridge_24']:.2f} on 24 "
        f"({row['ratio_to_best_ridge']:.2f} of the better)"
        for name, row in results["series"].items()
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--params", type=json.loads, default={})
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    results = {"params": args.params, "seeds": args.seeds, "series": {}}
    for name, values in series().items():
        results["series"][name] = scores(values, args.seeds, args.params)
    print(summary(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1, default=float) + "\n")


if __name__ == "__main__":
    main()
