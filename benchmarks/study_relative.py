"""How forecasts should see the level: the candidates measured for ``relative_to``.

Run by hand, in the quality benchmark's environment (see ``bench_quality.py``)::

    python benchmarks/study_relative.py --json study.json

On the quality benchmark's forecasting suite, rows and holdouts (12-step windows framed
with history, the last fifth of each series held out, one and six steps ahead, seeds 0-2),
each candidate below is an ``LSTMRegressor`` at the defaults of this release fitted on a
representation of the windows, or a linear model on it, or a choice between models:

- ``levels``: the windows and targets as they are (``relative_to=None``), standardised.
- ``last``: each window and its target minus the window's last value, then standardised
  (the spread of the changes over the training windows: one scale for the series).
- ``last_window_scale``: the same, each window also divided by its own spread of one-step
  changes (root mean square; at least a tenth of the series'), as a scale-free model of
  many series would need.
- ``mean_window_scale``: each window minus its mean, divided by its standard deviation
  (reversible instance normalisation, RevIN), its target likewise.
- ``+level``: the window's levels (standardised) beside it as a second feature of each
  step, read by the linear path and the recurrent part.
- ``relative_to_last``: the package's ``relative_to="last"`` (this release's default):
  ``last`` beside the levels, the linear path reading only the relative steps.
- ``ridge_*``: RidgeCV on the same representation (complete windows), no network.
- ``chosen_on_tail``: the better of ``relative_to="last"`` and ``relative_to=None`` by
  the early-stopping tail's score (their ``best_validation_score_``; the relative one
  where a series is too short to hold out a tail).
- ``simple_on_tail``: the one of naive, seasonal naive, Ridge on levels and Ridge on
  ``last`` with the smallest error on the last tenth of the training rows, refitted.

Each is compared with the best simple forecast of its row (naive, seasonal naive, RidgeCV
on levels); the summary gives the geometric mean of those ratios, the worst row and the
rows above 1 and 1.3.
"""

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
from bench_quality import (
    HOLDOUT,
    HORIZON,
    Lagged,
    best_simple_table,
    forecast_summary,
    forecasting_suite,
)
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error

from sklearn_rnn import LSTMRegressor, frame_forecast

# The penalties of the package's ridge start (RIDGE_ALPHAS at the time of the study).
RIDGE_ALPHAS = np.logspace(-2, 3, 11)

WINDOW = 12


class Represented:
    """``model`` fitted on windows re-expressed (``offset``, ``scale``, ``level``) and its
    predictions mapped back; ``model`` None: RidgeCV on the complete windows."""

    def __init__(self, offset, scale, level=False, seed=0, linear=False):
        self.offset, self.scale, self.level = offset, scale, level
        self.seed, self.linear = seed, linear

    def _transform(self, W):
        last = W[:, -1, :]
        offset = {"last": last, "mean": np.nanmean(W, axis=1), None: np.zeros_like(last)}
        offset = offset[self.offset]
        with np.errstate(all="ignore"):
            if self.scale == "series":
                scale = np.broadcast_to(self.series_scale_, last.shape)
            elif self.scale == "window_changes":
                scale = np.sqrt(np.nanmean(np.diff(W, axis=1) ** 2, axis=1))
            else:  # "window_std"
                scale = np.nanstd(W, axis=1)
        scale = np.where(np.isfinite(scale), scale, self.series_scale_)
        scale = np.maximum(scale, 0.1 * self.series_scale_)
        Z = (W - offset[:, None, :]) / scale[:, None, :]
        if self.level:
            Z = np.concatenate([Z, (W - self.mean_) / self.std_], axis=2)
        return Z, offset[:, [0]], scale[:, [0]]

    def fit(self, X, y):
        W = X[:, -WINDOW:]
        changes = np.diff(W, axis=1)
        self.series_scale_ = np.sqrt(np.nanmean(changes**2, axis=(0, 1)))
        self.mean_, self.std_ = np.nanmean(W, axis=(0, 1)), np.nanstd(W, axis=(0, 1))
        Z, offset, scale = self._transform(W)
        target = (np.asarray(y, float).reshape(len(y), -1) - offset) / scale
        if self.linear:
            complete = ~np.isnan(Z).any(axis=(1, 2))
            flat = Z[complete].reshape(complete.sum(), -1)
            self.model_ = RidgeCV(alphas=RIDGE_ALPHAS).fit(flat, target[complete])
        else:
            self.model_ = LSTMRegressor(relative_to=None, random_state=self.seed)
            self.model_.fit(Z, target)
        return self

    def predict(self, X):
        Z, offset, scale = self._transform(X[:, -WINDOW:])
        if self.linear:
            Z = np.nan_to_num(Z).reshape(len(Z), -1)
        return self.model_.predict(Z).reshape(len(Z), -1) * scale + offset


class ChosenOnTail:
    """The better of two regressors by their early-stopping tail's score."""

    def __init__(self, seed=0):
        self.seed = seed

    def fit(self, X, y):
        models = [
            LSTMRegressor(relative_to=r, random_state=self.seed).fit(X, y) for r in ("last", None)
        ]
        scores = [m.best_validation_score_ for m in models]
        self.model_ = models[1] if None not in scores and scores[1] > scores[0] else models[0]
        return self

    def predict(self, X):
        return self.model_.predict(X)


class SimpleOnTail:
    """The simple forecast with the smallest error on the last tenth of the training
    rows, refitted on them all."""

    def __init__(self, season=None):
        self.season = season

    def _candidates(self):
        candidates = {
            "naive": None,
            "ridge": lambda: Represented(None, "series", linear=True),
            "ridge_last": lambda: Represented("last", "series", linear=True),
        }
        if self.season is not None:
            candidates["seasonal_naive"] = None
        return candidates

    def _predict(self, name, model, X, horizon):
        if name == "naive":
            return np.repeat(X[:, -1, :1], horizon, axis=1)
        if name == "seasonal_naive":  # the value a season before each step
            steps = np.arange(1, horizon + 1) - self.season - 1
            return X[:, steps, 0]
        return model.predict(X)

    def fit(self, X, y):
        y = np.asarray(y, float).reshape(len(y), -1)
        cut = int(round(0.9 * len(X)))
        errors = {}
        for name, make in self._candidates().items():
            model = None if make is None else make().fit(X[:cut], y[:cut])
            prediction = self._predict(name, model, X[cut:], y.shape[1])
            errors[name] = mean_absolute_error(y[cut:], prediction)
        self.choice_ = min(errors, key=errors.get)
        make = self._candidates()[self.choice_]
        self.model_ = None if make is None else make().fit(X, y)
        self.horizon_ = y.shape[1]
        return self

    def predict(self, X):
        return self._predict(self.choice_, self.model_, X, self.horizon_)


def candidates(seed, season):
    return {
        "levels": lambda: LSTMRegressor(relative_to=None, random_state=seed),
        "last": lambda: Represented("last", "series", seed=seed),
        "last+level": lambda: Represented("last", "series", level=True, seed=seed),
        "last_window_scale": lambda: Represented("last", "window_changes", seed=seed),
        "last_window_scale+level": lambda: Represented(
            "last", "window_changes", level=True, seed=seed
        ),
        "mean_window_scale": lambda: Represented("mean", "window_std", seed=seed),
        "relative_to_last": lambda: LSTMRegressor(random_state=seed),
        "ridge_last": lambda: Represented("last", "series", linear=True),
        "ridge_last+level": lambda: Represented("last", "series", level=True, linear=True),
        "ridge_last_window_scale": lambda: Represented("last", "window_changes", linear=True),
        "chosen_on_tail": lambda: ChosenOnTail(seed),
        "simple_on_tail": lambda: SimpleOnTail(season),
    }


def run(seeds, datasets=None):
    rows = []
    for name, (series, target, season) in forecasting_suite().items():
        if datasets and name not in datasets:
            continue
        for horizon in (1, HORIZON):
            X, y = frame_forecast(series, horizon=horizon, target=target, history=WINDOW)
            y = np.asarray(y, float).reshape(len(X), -1)
            cut = int(round(len(X) * (1 - HOLDOUT)))
            test, truth = np.arange(cut, len(X)), y[cut:]
            fit_y = y[:cut, 0] if horizon == 1 else y[:cut]
            references = {
                "naive": mean_absolute_error(truth, np.repeat(X[test, -1, :1], horizon, 1))
            }
            if season is not None:
                steps = test[:, None] + 1 + np.arange(horizon)[None, :]
                references["seasonal_naive"] = mean_absolute_error(
                    truth, series[:, target][steps - season]
                )
            rows_2d, _ = frame_forecast(series, horizon=horizon, target=target)
            ridge = Lagged(RidgeCV()).fit(rows_2d[:cut], fit_y)
            prediction = ridge.predict_rows(rows_2d, test).reshape(truth.shape)
            references["ridge"] = mean_absolute_error(truth, prediction)
            for seed in seeds:
                row = {"dataset": name, "horizon": horizon, "seed": seed, **references}
                for model, make in candidates(seed, season).items():
                    fitted = make().fit(X[:cut], fit_y)
                    prediction = np.reshape(fitted.predict(X[test]), truth.shape)
                    row[model] = mean_absolute_error(truth, prediction)
                rows.append(row)
                print(name, horizon, seed, flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    rows = run(args.seeds, args.datasets)
    print(best_simple_table(rows))
    print()
    print(forecast_summary(rows))
    if args.json:
        args.json.write_text(json.dumps({"seeds": args.seeds, "forecast": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
