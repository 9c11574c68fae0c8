"""Coverage and width of 90% prediction intervals on the sunspots' last 60 years.

Four ways to put an interval around an LSTM's one-year-ahead forecast, all from
MAPIE (the well-kept library for conformal prediction) except the first:

- ``quantile pair``: two ``loss="quantile"`` models (0.05 and 0.95), uncalibrated;
- ``split conformal``: MAPIE's ``SplitConformalRegressor`` around the mean model
  (``prefit=True``), its residuals' quantile from a calibration block;
- ``CQR``: MAPIE's ``ConformalizedQuantileRegressor`` with the two quantile models
  and the median model (``prefit=True``), calibrated on the same block;
- ``ACI``: MAPIE's ``TimeSeriesRegressor(method="aci")`` around the mean model,
  started on the calibration block and adapted online after every holdout year
  (``gamma=0.05``), as a forecaster that learns each year's truth would run it.

Every model reads 12-year windows (2-D lag columns, oldest first) and is fitted on
the years before the calibration block (its last 60 years before the holdout), at the
defaults and, for a series whose spread follows its level, with ``relative_to=None``
(the models learn the level). The figures are means over seeds, with half the range.
Usage::

    python benchmarks/bench_intervals.py [--seeds 0 1 2 3 4] [--json out.json]
"""

import argparse
import json
import warnings

import numpy as np

from sklearn_rnn import LSTMRegressor, SlidingWindowTransformer, frame_forecast
from sklearn_rnn.datasets import load_sunspots

WINDOW = 12
HOLDOUT = 60
CALIBRATION = 60
LEVEL = 0.9


def sunspot_windows():
    """12-year windows (complete ones only) and the next year's number."""
    X, y = frame_forecast(load_sunspots().data)
    windows = SlidingWindowTransformer(window_size=WINDOW, flatten=True).fit_transform(X)
    return windows[WINDOW - 1 :], y[WINDOW - 1 :]


# The set-ups compared: the defaults, and the models learning the level.
SETUPS = {"defaults": {}, "relative_to=None": {"relative_to": None}}


def intervals(seed, params=None):
    """Each method's (lower, upper) on the holdout, and the holdout's truth."""
    from mapie.regression import (
        ConformalizedQuantileRegressor,
        SplitConformalRegressor,
        TimeSeriesRegressor,
    )

    X, y = sunspot_windows()
    fit_end = len(y) - HOLDOUT - CALIBRATION
    X_fit, y_fit = X[:fit_end], y[:fit_end]
    X_cal, y_cal = X[fit_end:-HOLDOUT], y[fit_end:-HOLDOUT]
    X_test, y_test = X[-HOLDOUT:], y[-HOLDOUT:]

    def model(**more):
        return LSTMRegressor(random_state=seed, **(params or {}), **more).fit(X_fit, y_fit)

    mean = model()
    quantiles = {q: model(loss="quantile", quantile=q) for q in (0.05, 0.5, 0.95)}
    out = {"quantile pair": (quantiles[0.05].predict(X_test), quantiles[0.95].predict(X_test))}
    split = SplitConformalRegressor(mean, confidence_level=LEVEL, prefit=True)
    _, bounds = split.conformalize(X_cal, y_cal).predict_interval(X_test)
    out["split conformal"] = (bounds[:, 0, 0], bounds[:, 1, 0])
    cqr = ConformalizedQuantileRegressor(
        [quantiles[0.05], quantiles[0.95], quantiles[0.5]], confidence_level=LEVEL, prefit=True
    )
    _, bounds = cqr.conformalize(X_cal, y_cal).predict_interval(X_test)
    out["CQR"] = (bounds[:, 0, 0], bounds[:, 1, 0])
    aci = TimeSeriesRegressor(mean, method="aci", cv="prefit").fit(X_cal, y_cal)
    lower, upper = np.empty(HOLDOUT), np.empty(HOLDOUT)
    for t in range(HOLDOUT):
        if t:  # the year before is known now: adapt the level to the misses so far
            aci.adapt_conformal_inference(
                X_test[t - 1 : t], y_test[t - 1 : t], gamma=0.05, confidence_level=LEVEL
            )
        _, bounds = aci.predict(
            X_test[t : t + 1], confidence_level=LEVEL, allow_infinite_bounds=True
        )
        lower[t], upper[t] = bounds[0, 0, 0], bounds[0, 1, 0]
    out["ACI"] = (lower, upper)
    return out, y_test


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    everything = {"seeds": args.seeds}
    for setup, params in SETUPS.items():
        results = {}
        for seed in args.seeds:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # MAPIE's notes on its own API
                out, truth = intervals(seed, params)
            for name, (lower, upper) in out.items():
                inside = (lower <= truth) & (truth <= upper)
                width = upper - lower
                row = results.setdefault(name, {"coverage": [], "width": []})
                row["coverage"].append(float(inside.mean()))
                width = np.median(width) if np.isinf(width).any() else width.mean()
                row["width"].append(float(width))
            print(
                f"{setup}, seed {seed}: "
                + ", ".join(
                    f"{n} {r['coverage'][-1]:.2f}/{r['width'][-1]:.0f}" for n, r in results.items()
                ),
                flush=True,
            )
        print(f"\n90% intervals, sunspots' last {HOLDOUT} years, {setup}, seeds {args.seeds}")
        print(summary(results))
        everything["results" if setup == "defaults" else setup] = results
    if args.json:
        with open(args.json, "w") as f:
            json.dump(everything, f, indent=1)


def rst_table(everything):
    """The forecasting guide's table of a results file (a test checks the guide shows it)."""
    setups = ["results", *[k for k in SETUPS if k != "defaults"]]
    header = ["Method"]
    for setup in ["defaults", *setups[1:]]:
        header += [f"Coverage, {setup}", "Mean width"]
    lines = [
        ".. list-table:: 90% intervals on the sunspots' last 60 years",
        "   :header-rows: 1",
        "",
    ]
    body = []
    for name in everything["results"]:
        cells = [name]
        for setup in setups:
            c = np.array(everything[setup][name]["coverage"])
            w = np.array(everything[setup][name]["width"])
            cells += [
                f"{c.mean():.2f} ± {np.ptp(c) / 2:.2f}",
                f"{w.mean():.0f} ± {np.ptp(w) / 2:.0f}",
            ]
        body.append(cells)
    for cells in [header, *body]:
        for k, cell in enumerate(cells):
            lines.append(f"   {'* -' if k == 0 else '  -'} {cell}")
    return "\n".join(lines)


def summary(results):
    """Each method's coverage and mean width: mean over seeds ± half the range."""
    lines = [f"{'method':18s}{'coverage':>18s}{'mean width':>18s}"]
    for name, row in results.items():
        c, w = np.array(row["coverage"]), np.array(row["width"])
        lines.append(
            f"{name:18s}{c.mean():12.3f} ±{np.ptp(c) / 2:.3f}{w.mean():12.1f} ±{np.ptp(w) / 2:.1f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
