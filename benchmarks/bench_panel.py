"""One model, many series: the M1 yearly panel, beside the statistical forecasts.

Run by hand, with statsforecast (the references) and skforecast (its multi-series
forecaster), which the package does not depend on::

    pip install "torch==2.13.0" -e . statsforecast skforecast
    python benchmarks/bench_panel.py --json benchmarks/results_panel_cpu.json

The M1 yearly series (181, of 15 to 58 years; ``sklearn_rnn.datasets.load_m1_yearly``): the
last 6 years of each are held out and forecast at once from the years before (direct,
``horizon=6``). Scores: mean MASE (the MAE over the 6 years divided by the series' own
in-sample MAE of the last value, lag 1) and mean sMAPE over the series.

- ``naive``, ``drift``, ``ets``, ``theta``: statsforecast's ``Naive``,
  ``RandomWalkWithDrift``, ``AutoETS`` and ``AutoTheta``, one model a series.
- ``ridge``: RidgeCV on the same windows as the recurrent models read, each scaled as
  they scale it (relative to its last value, over its mean absolute change).
- ``lstm``, ``gru``: the documented recipe, one model for all the series:
  ``frame_panel(series, horizon=6, history=10, min_history=10)`` then
  ``<Cell>Regressor(window_scale="changes", random_state=seed).fit(panel.X, panel.y)``,
  forecasting ``panel.X_last``; seeds 0-2. Seconds: framing, fitting and forecasting.
- ``skforecast_lstm``: skforecast's ``ForecasterRecursiveMultiSeries`` (10 lags,
  recursive) with an ``LSTMRegressor`` set up as the guide says (``encoding=None``, no
  series scaling, ``column_order="newest_first"``, ``window_scale="changes"``; seed 0),
  on the 170 series long enough for 10 lags, beside ``lstm_same_series``: the recipe's
  LSTM (seed 0) scored on the same 170.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

import sklearn_rnn
from sklearn_rnn import frame_panel
from sklearn_rnn.datasets import load_m1_yearly

HORIZON = 6
HISTORY = 10


def scores(train, test, forecasts):
    """Mean MASE and sMAPE of ``forecasts`` ({name: 6 values}) over the series."""
    mase, smape = [], []
    for name, values in forecasts.items():
        truth = test[name]
        scale = np.mean(np.abs(np.diff(train[name])))
        mase.append(np.mean(np.abs(truth - values)) / scale)
        smape.append(np.mean(200 * np.abs(truth - values) / (np.abs(truth) + np.abs(values))))
    return {"mase": float(np.mean(mase)), "smape": float(np.mean(smape))}


def statistical(train):
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, Naive, RandomWalkWithDrift

    frame = pd.concat(
        [
            pd.DataFrame({"unique_id": name, "ds": np.arange(len(v)), "y": v})
            for name, v in train.items()
        ]
    )
    models = {
        "naive": Naive(),
        "drift": RandomWalkWithDrift(),
        "ets": AutoETS(season_length=1),
        "theta": AutoTheta(season_length=1),
    }
    out = {}
    for name, model in models.items():
        start = time.perf_counter()
        forecast = StatsForecast(models=[model], freq=1, n_jobs=1).forecast(df=frame, h=HORIZON)
        column = [c for c in forecast.columns if c not in ("unique_id", "ds")][0]
        out[name] = (
            {k: g[column].to_numpy() for k, g in forecast.groupby("unique_id")},
            time.perf_counter() - start,
        )
    return out


def recipe(train, make):
    """The documented recipe: frame the panel, fit one model, forecast every series."""
    start = time.perf_counter()
    panel = frame_panel(train, horizon=HORIZON, history=HISTORY, min_history=HISTORY)
    model = make().fit(panel.X, panel.y)
    forecasts = dict(zip(panel.series_ids, model.predict(panel.X_last), strict=True))
    return forecasts, time.perf_counter() - start


class RidgeOnScaledWindows:
    """RidgeCV on each window relative to its last value, over its scale (as the
    recurrent models with ``window_scale="changes"`` read it), predicting the scaled
    change."""

    def fit(self, X, y):
        from sklearn.linear_model import RidgeCV

        Z, last, scale = self._scaled(X)
        self.model_ = RidgeCV(alphas=np.logspace(-2, 3, 11)).fit(Z, (y - last) / scale)
        return self

    def predict(self, X):
        Z, last, scale = self._scaled(X)
        return self.model_.predict(Z) * scale + last

    @staticmethod
    def _scaled(X):
        """Each window relative to its last value, over its scale: the mean absolute
        change of its observed steps, at least 1% of their mean absolute level (as
        ``window_scale="changes"`` scales them), else that level, else 1."""
        values = X[:, :, 0]
        observed = ~np.isnan(values)
        lengths = observed.sum(axis=1)
        left = np.zeros_like(values)  # each window's observed steps first
        for i, row in enumerate(values):
            left[i, : lengths[i]] = row[observed[i]]
        last = left[np.arange(len(left)), lengths - 1][:, None]
        observed_left = np.arange(values.shape[1]) < lengths[:, None]
        changes = np.abs(np.diff(left, axis=1)) * observed_left[:, 1:]
        mean_change = changes.sum(axis=1) / np.maximum(lengths - 1, 1)
        mean_level = (np.abs(left) * observed_left).sum(axis=1) / lengths
        scale = np.maximum(mean_change, 0.01 * mean_level)
        scale = np.where(scale > 0, scale, mean_level)
        scale = np.where(scale > 0, scale, 1.0).astype(np.float32).astype(float)[:, None]
        Z = np.where(observed, (values - last) / scale, 0.0)
        return Z, last, scale


def skforecast_set_ups(train, seed):
    import pandas as pd
    from skforecast.recursive import ForecasterRecursiveMultiSeries

    # Every series ends at the same index, so that each is forecast from its last year.
    end = max(len(v) for v in train.values())
    series = {
        name: pd.Series(v, index=pd.RangeIndex(end - len(v), end), name=name)
        for name, v in train.items()
    }
    set_ups = {
        "skforecast_lstm": lambda: ForecasterRecursiveMultiSeries(
            sklearn_rnn.LSTMRegressor(
                column_order="newest_first", window_scale="changes", random_state=seed
            ),
            lags=HISTORY,
            encoding=None,
            transformer_series=None,
        ),
    }
    out = {}
    for name, make in set_ups.items():
        start = time.perf_counter()
        forecaster = make()
        # series shorter than the lags and the horizon cannot train: skforecast needs them
        long_enough = {k: v for k, v in series.items() if len(v) > HISTORY + 1}
        forecaster.fit(series=long_enough)
        predictions = forecaster.predict(steps=HORIZON)
        column = "pred" if "pred" in predictions.columns else predictions.columns[-1]
        out[name] = (
            {k: g[column].to_numpy() for k, g in predictions.groupby("level")},
            time.perf_counter() - start,
        )
    return out


def rst_table(results):
    """The guide's table of a results file (a test checks that the guide shows it): per
    model, the mean MASE over seeds (± half the range), the mean sMAPE, the seconds and
    the number of series scored."""
    groups = {}
    for row in results["rows"]:
        groups.setdefault(row["model"], []).append(row)
    lines = [".. list-table:: M1 yearly, last 6 years", "   :header-rows: 1", ""]
    header = ["method", "mean MASE", "mean sMAPE", "seconds", "series"]
    body = []
    for model, group in groups.items():
        mase = np.array([r["mase"] for r in group])
        text = f"{mase.mean():.3f}" + (f" ± {np.ptp(mase) / 2:.3f}" if len(group) > 1 else "")
        smape = np.mean([r["smape"] for r in group])
        seconds = np.mean([r["seconds"] for r in group])
        body.append([model, text, f"{smape:.2f}", f"{seconds:.1f}", str(group[0]["n_series"])])
    for cells in [header, *body]:
        for k, cell in enumerate(cells):
            lines.append(f"   {'* -' if k == 0 else '  -'} {cell}")
    return "\n".join(lines)


def framing_seconds(series, repeats=(1, 10, 100)):
    """Seconds ``frame_panel`` takes on the panel repeated 1, 10 and 100 times (the
    copies as series of their own): the framing should grow linearly with the panel."""
    out = {}
    for k in repeats:
        panel = {f"{name}.{copy}": v for copy in range(k) for name, v in series.items()}
        start = time.perf_counter()
        frame_panel(panel, horizon=HORIZON, history=HISTORY, min_history=HISTORY)
        out[k] = time.perf_counter() - start
        print(f"framing {k:>4d}x ({len(panel)} series): {out[k]:.2f} s", flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--no-skforecast", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    data = load_m1_yearly().series
    train = {name: v[:-HORIZON] for name, v in data.items()}
    test = {name: v[-HORIZON:] for name, v in data.items()}
    rows = []

    def record(model, seed, forecasts, seconds):
        row = {"model": model, "seed": seed, "seconds": seconds, "n_series": len(forecasts)}
        row.update(scores(train, test, forecasts))
        rows.append(row)
        print(
            f"{model:18s} seed {seed!s:4s} MASE {row['mase']:.3f}  sMAPE {row['smape']:.2f}"
            f"  {seconds:.1f} s  ({len(forecasts)} series)",
            flush=True,
        )

    for name, (forecasts, seconds) in statistical(train).items():
        record(name, None, forecasts, seconds)
    forecasts, seconds = recipe(train, RidgeOnScaledWindows)
    record("ridge", None, forecasts, seconds)
    for seed in args.seeds:
        for cell in ("LSTM", "GRU"):
            estimator = getattr(sklearn_rnn, f"{cell}Regressor")

            def make(estimator=estimator, seed=seed):
                return estimator(window_scale="changes", random_state=seed)

            forecasts, seconds = recipe(train, make)
            record(cell.lower(), seed, forecasts, seconds)
    if not args.no_skforecast:
        seed = args.seeds[0]
        for name, (forecasts, seconds) in skforecast_set_ups(train, seed).items():
            record(name, seed, forecasts, seconds)
        ours, seconds = recipe(
            train, lambda: sklearn_rnn.LSTMRegressor(window_scale="changes", random_state=seed)
        )
        same = {name: ours[name] for name in forecasts}
        record("lstm_same_series", seed, same, seconds)
    summary = {}
    for row in rows:
        summary.setdefault(row["model"], []).append(row)
    print(f"\n{'model':18s}{'MASE':>16s}{'sMAPE':>16s}{'seconds':>10s}")
    for model, group in summary.items():
        mase = np.array([r["mase"] for r in group])
        smape = np.array([r["smape"] for r in group])
        seconds = np.mean([r["seconds"] for r in group])
        spread = f" ±{np.ptp(mase) / 2:.3f}" if len(group) > 1 else ""
        print(f"{model:18s}{mase.mean():10.3f}{spread:>6s}{smape.mean():16.2f}{seconds:10.1f}")
    framing = framing_seconds(train)
    if args.json:
        results = {"seeds": args.seeds, "rows": rows, "framing_seconds": framing}
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
