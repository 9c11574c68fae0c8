"""Quality of the estimators at their defaults, beside reference models, over public data.

Run by hand, not in CI: it needs aeon (data sets, 1-NN DTW, MiniRocket), statsforecast
(ETS and Theta), and for the library set-ups skforecast and sktime, none of which the
package depends on::

    pip install "torch==2.13.0" -e . aeon statsforecast skforecast sktime
    python benchmarks/bench_quality.py --json benchmarks/results_quality_cpu.json

Forecasting (the shipped sunspots and airline series; Lynx, ShampooSales, PBS, Uschange
(five variables, forecasting consumption) and the four longest M1 yearly series from
aeon's wheel): ``frame_forecast(series, history=12)`` then, for the recurrent models,
``SlidingWindowTransformer(12) -> <Estimator>(random_state=seed)``, trained on the first
80% of the rows and scored by the MAE on the last 20% (each row with its full window),
one step ahead and as a direct 6-step forecast (MAE over the six steps). References in
the same run: naive (the last value), seasonal naive (the value a season before, monthly
series), RidgeCV and an MLPRegressor on the same 12 lags (rows with 12 complete lags), and
statsforecast's AutoETS and AutoTheta (season 12 for monthly series, else 1) on the same
rolling origins, refitted at every origin (``cross_validation(refit=True)``). The table
gives each model's ratio to RidgeCV and, per row, to the best of the simple forecasts
(naive, seasonal naive, RidgeCV). ``grid``: the small grid the docs recommend, framed once
with its largest window (24) and searched by GridSearchCV on TimeSeriesSplit(3) within
the training rows. Library set-ups: skforecast's ForecasterRecursive(lags=12) backtested
on the last 50 sunspot years in 10-step folds, and sktime's recursive
make_reduction(window_length=12) on the airline series (last 36 months, MAPE).

Classification (the shipped Japanese Vowels; ArrowHead, GunPoint and OSULeaf from
aeon's wheel, standard train/test splits): test accuracy of ``<Estimator>(random_state=
seed)``; references: 1-NN DTW, logistic regression on the flattened standardised
sequences, and MiniRocket where lengths are equal.

Every score is given per seed; the table shows the mean, the spread (max - min) and,
for forecasts, the ratio of the mean MAE to RidgeCV's. ``--params '{"lr": 0.001}'``
overrides parameters of every recurrent model, for studies of candidate defaults.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_rnn
from sklearn_rnn import SlidingWindowTransformer, frame_forecast
from sklearn_rnn.datasets import load_airline, load_japanese_vowels, load_sunspots

WINDOW = 12
HORIZON = 6
HOLDOUT = 0.2
# The grid the forecasting guide recommends, framed once with its largest window.
GRID = {"slidingwindowtransformer__window_size": [6, 12, 24], "estimator__hidden_size": [16, 64]}
# A grid for the classifiers (not yet recommended by the docs: --grid only).
CLASSIFIER_GRID = {"hidden_size": [32, 128], "readout": ["last", "mean"]}
CELLS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


# -- data -------------------------------------------------------------------------------


def _aeon_data():
    from aeon import datasets

    return Path(datasets.__file__).parent / "data"


def _m1_longest(n=4):
    """The ``n`` longest M1 yearly series (aeon's copy of the Monash archive)."""
    path = _aeon_data() / "m1_yearly_dataset" / "m1_yearly_dataset.tsf"
    series = []
    reading = False
    for line in path.read_text().splitlines():
        if line.startswith("@data"):
            reading = True
            continue
        if reading and line.strip():
            name, _, values = line.split(":", 2)
            series.append((name, np.array([float(v) for v in values.split(",")])))
    series.sort(key=lambda s: (-len(s[1]), s[0]))
    return series[:n]


def _csv(folder, column):
    """One column of a CSV file in aeon's data folder (read directly: aeon 1.6 deprecates
    the loaders of these series)."""
    import pandas as pd

    frame = pd.read_csv(_aeon_data() / folder / f"{folder}.csv")
    return frame[column].to_numpy(dtype=float)


def forecasting_suite():
    """name -> (series (n_times, n_features), target column, season length or None)."""
    import pandas as pd

    suite = {
        "sunspots": (load_sunspots().data, 0, None),
        "airline": (load_airline().data, 0, 12),
        "lynx": (_csv("Lynx", "0").reshape(-1, 1), 0, None),
        "shampoo": (_csv("ShampooSales", "Sales").reshape(-1, 1), 0, 12),
        "pbs": (_csv("PBS_dataset", "Scripts").reshape(-1, 1), 0, 12),
    }
    uschange = pd.read_csv(_aeon_data() / "Uschange" / "Uschange.csv")
    variables = ["Consumption", "Income", "Production", "Savings", "Unemployment"]
    suite["uschange"] = (uschange[variables].to_numpy(dtype=float), 0, None)
    for name, values in _m1_longest():
        suite[f"m1_{name.lower()}"] = (values.reshape(-1, 1), 0, None)
    return suite


def classification_suite():
    """name -> (X_train, y_train, X_test, y_test); X 3-D (n, T, F) or a list of (T_i, F)."""
    from aeon.datasets import load_arrow_head, load_gunpoint, load_osuleaf

    vowels = load_japanese_vowels()
    suite = {"japanese_vowels": (vowels.X_train, vowels.y_train, vowels.X_test, vowels.y_test)}
    for name, loader in [
        ("arrowhead", load_arrow_head),
        ("gunpoint", load_gunpoint),
        ("osuleaf", load_osuleaf),
    ]:
        X_train, y_train = loader(split="train")
        X_test, y_test = loader(split="test")
        # aeon: (n, channels, length); ours: (n, length, features)
        suite[name] = (
            X_train.transpose(0, 2, 1),
            np.asarray(y_train),
            X_test.transpose(0, 2, 1),
            np.asarray(y_test),
        )
    return suite


# -- models -----------------------------------------------------------------------------


def recurrent(cell, family, seed, params, window=WINDOW):
    estimator = getattr(sklearn_rnn, f"{CELLS[cell]}{family}")(random_state=seed, **params)
    if family == "Classifier":
        return estimator
    return Pipeline(
        [
            ("slidingwindowtransformer", SlidingWindowTransformer(window_size=window)),
            ("estimator", estimator),
        ]
    )


class Lagged:
    """``model`` on the flattened lags, fitted on the rows with a complete window."""

    def __init__(self, model, window=WINDOW):
        self.model, self.window = model, window

    def _lags(self, X):
        windows = SlidingWindowTransformer(window_size=self.window, flatten=True)
        return windows.fit_transform(X)

    def fit(self, X, y):
        Z = self._lags(X)
        keep = ~np.isnan(Z).any(axis=1)
        self.model.fit(Z[keep], y[keep])
        return self

    def predict_rows(self, X, rows):
        return self.model.predict(self._lags(X)[rows])


def mlp(seed):
    network = MLPRegressor(hidden_layer_sizes=(32,), max_iter=2000, random_state=seed)
    return TransformedTargetRegressor(
        make_pipeline(StandardScaler(), network), transformer=StandardScaler()
    )


# -- forecasting ------------------------------------------------------------------------


def statistical_references(series, target, season, horizon):
    """statsforecast's AutoETS and AutoTheta: MAE over the benchmark's rolling origins
    (its last fifth of the rows, each forecasting ``horizon`` steps), refitted at every
    origin."""
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta

    values = series[:, target]
    n_rows = len(values) - horizon
    cut = int(round(n_rows * (1 - HOLDOUT)))
    frame = pd.DataFrame({"unique_id": "series", "ds": np.arange(len(values)), "y": values})
    models = [AutoETS(season_length=season or 1), AutoTheta(season_length=season or 1)]
    forecaster = StatsForecast(models=models, freq=1, n_jobs=1)
    start = time.perf_counter()
    cv = forecaster.cross_validation(
        df=frame, h=horizon, step_size=1, n_windows=n_rows - cut, refit=True
    )
    seconds = time.perf_counter() - start
    # the same targets as frame_forecast's rows cut, cut + 1, ...
    _, y = frame_forecast(series, horizon=horizon, target=target)
    truth = np.asarray(y, dtype=float).reshape(n_rows, -1)[cut:]
    assert np.allclose(cv["y"].to_numpy().reshape(truth.shape), truth)
    return {
        "ets": float(np.mean(np.abs(cv["AutoETS"] - cv["y"]))),
        "theta": float(np.mean(np.abs(cv["AutoTheta"] - cv["y"]))),
        "statsforecast_seconds": seconds,
    }


def forecast_scores(series, target, season, horizon, models, references=None):
    """MAE on the last fifth of the rows for each model, and for the references.

    The recurrent models read 3-D rows framed with the largest window they may use
    (``history``, a model's attribute, default ``WINDOW``); the tabular references read
    the series' rows and window them themselves.
    """
    X, y = frame_forecast(series, horizon=horizon, target=target)
    y = np.asarray(y, dtype=float).reshape(len(X), -1)
    cut = int(round(len(X) * (1 - HOLDOUT)))
    test = np.arange(cut, len(X))
    truth = y[test]
    scores = {}
    last = series[: len(X), target][test]
    scores["naive"] = mean_absolute_error(truth, np.repeat(last[:, None], horizon, axis=1))
    if season is not None:
        # The value a season before each forecast step.
        values = series[:, target]
        steps = test[:, None] + 1 + np.arange(horizon)[None, :]
        scores["seasonal_naive"] = mean_absolute_error(truth, values[steps - season])
    fit_y = y[:cut, 0] if horizon == 1 else y[:cut]
    ridge = Lagged(RidgeCV()).fit(X[:cut], fit_y)
    scores["ridge"] = mean_absolute_error(truth, ridge.predict_rows(X, test).reshape(truth.shape))
    scores.update(references or {})
    windows = {}
    for name, make in models.items():
        start = time.perf_counter()
        if name.startswith("mlp"):
            model = Lagged(make()).fit(X[:cut], fit_y)
            prediction = model.predict_rows(X, test)
        else:
            model = make()
            history = getattr(model, "history", WINDOW)
            if history not in windows:
                windows[history], _ = frame_forecast(
                    series, horizon=horizon, target=target, history=history
                )
            model.fit(windows[history][:cut], fit_y)
            prediction = model.predict(windows[history][test])
        scores[name] = mean_absolute_error(truth, np.reshape(prediction, truth.shape))
        scores[f"{name}_seconds"] = time.perf_counter() - start
    return scores


def grid_search(make, grid=None):
    grid = GRID if grid is None else grid

    def build():
        search = GridSearchCV(make(), grid, cv=TimeSeriesSplit(n_splits=3))
        # every fold's rows carry the largest window
        search.history = max(grid.get("slidingwindowtransformer__window_size", [WINDOW]))
        return search

    return build


def run_forecasting(seeds, cells, params, grid, datasets=None, statistical=True, grid_params=None):
    rows = []
    for name, (series, target, season) in forecasting_suite().items():
        if datasets and name not in datasets:
            continue
        for horizon in (1, HORIZON):
            references = None  # the same for every seed
            if statistical:
                references = statistical_references(series, target, season, horizon)
            for seed in seeds:
                models = {"mlp": lambda seed=seed: mlp(seed)}
                for cell in cells:
                    models[cell] = lambda cell=cell, seed=seed: recurrent(
                        cell, "Regressor", seed, params
                    )
                if grid and horizon == 1:
                    models["lstm_grid"] = grid_search(
                        lambda seed=seed: recurrent("lstm", "Regressor", seed, params), grid_params
                    )
                scores = forecast_scores(series, target, season, horizon, models, references)
                rows.append({"dataset": name, "horizon": horizon, "seed": seed, **scores})
                print(_brief(rows[-1]), file=sys.stderr, flush=True)
    return rows


def run_libraries(seeds, params):
    """skforecast on sunspots and sktime on airline, at the defaults."""
    rows = []
    rows += _skforecast(seeds, params)
    rows += _sktime(seeds, params)
    return rows


def _skforecast(seeds, params):
    import pandas as pd
    from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster
    from skforecast.recursive import ForecasterRecursive

    values = load_sunspots().data[:, 0]
    y = pd.Series(values, index=pd.RangeIndex(len(values)), name="sunspots")
    fold = TimeSeriesFold(steps=10, initial_train_size=len(y) - 50, refit=False)

    def backtest(regressor):
        forecaster = ForecasterRecursive(regressor, lags=WINDOW)
        metric, _ = backtesting_forecaster(
            forecaster, y=y, cv=fold, metric="mean_absolute_error", show_progress=False
        )
        return float(np.asarray(metric)[0, -1] if hasattr(metric, "shape") else metric)

    return _library_rows("skforecast_sunspots", 10, seeds, params, backtest)


def _sktime(seeds, params):
    import pandas as pd
    from sktime.forecasting.compose import make_reduction
    from sktime.performance_metrics.forecasting import mean_absolute_percentage_error

    values = load_airline().data[:, 0]
    y = pd.Series(values, index=pd.period_range("1949-01", periods=len(values), freq="M"))
    train, test = y.iloc[:-36], y.iloc[-36:]
    horizon = np.arange(1, 37)

    def score(regressor):
        forecaster = make_reduction(regressor, window_length=WINDOW, strategy="recursive")
        forecaster.fit(train)
        return float(mean_absolute_percentage_error(test, forecaster.predict(fh=horizon)))

    return _library_rows("sktime_airline", 36, seeds, params, score)


def _library_rows(dataset, horizon, seeds, params, score):
    """Ridge (once: it has no seed) and the LSTM read both ways, scored by ``score``."""
    from sklearn.linear_model import Ridge

    ridge = score(Ridge())
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        scores = {"ridge": ridge}
        scores["lstm"] = score(sklearn_rnn.LSTMRegressor(random_state=seed, **params))
        scores["lstm_seconds"] = time.perf_counter() - start
        newest_first = dict(params, column_order="newest_first")
        scores["lstm_newest_first"] = score(
            sklearn_rnn.LSTMRegressor(random_state=seed, **newest_first)
        )
        rows.append({"dataset": dataset, "horizon": horizon, "seed": seed, **scores})
        print(_brief(rows[-1]), file=sys.stderr, flush=True)
    return rows


# -- classification ---------------------------------------------------------------------


def _flat(X, length):
    """Sequences as rows of a fixed length: each padded with its last step, flattened."""
    rows = []
    for x in X:
        x = np.asarray(x, dtype=float)
        pad = np.repeat(x[-1:], length - len(x), axis=0)
        rows.append(np.vstack([x, pad]).ravel())
    return np.array(rows)


def classification_references(X_train, y_train, X_test, y_test, seed):
    from aeon.classification.convolution_based import MiniRocketClassifier
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

    scores = {}
    equal = not isinstance(X_train, list) and not isinstance(X_test, list)
    length = max(len(x) for x in list(X_train) + list(X_test))
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    logistic.fit(_flat(X_train, length), y_train)
    scores["logistic"] = accuracy_score(y_test, logistic.predict(_flat(X_test, length)))

    def aeon_form(X):  # aeon: (n, channels, length), or a list of (channels, length_i)
        if equal:
            return np.asarray(X, dtype=float).transpose(0, 2, 1)
        return [np.asarray(x, dtype=float).T for x in X]

    knn = KNeighborsTimeSeriesClassifier(distance="dtw", n_neighbors=1)
    knn.fit(aeon_form(X_train), y_train)
    scores["dtw_1nn"] = accuracy_score(y_test, knn.predict(aeon_form(X_test)))
    if equal:
        rocket = MiniRocketClassifier(random_state=seed)
        rocket.fit(aeon_form(X_train), y_train)
        scores["minirocket"] = accuracy_score(y_test, rocket.predict(aeon_form(X_test)))
    return scores


def run_classification(seeds, cells, params, grid, datasets=None):
    rows = []
    for name, (X_train, y_train, X_test, y_test) in classification_suite().items():
        if datasets and name not in datasets:
            continue
        for seed in seeds:
            scores = classification_references(X_train, y_train, X_test, y_test, seed)
            for cell in cells:
                start = time.perf_counter()
                model = recurrent(cell, "Classifier", seed, params).fit(X_train, y_train)
                scores[cell] = model.score(X_test, y_test)
                scores[f"{cell}_seconds"] = time.perf_counter() - start
            if grid:
                search = GridSearchCV(
                    recurrent("lstm", "Classifier", seed, params),
                    CLASSIFIER_GRID,
                    cv=3,
                ).fit(X_train, y_train)
                scores["lstm_grid"] = search.score(X_test, y_test)
            rows.append({"dataset": name, "seed": seed, **scores})
            print(_brief(rows[-1]), file=sys.stderr, flush=True)
    return rows


# -- the table --------------------------------------------------------------------------


def _brief(row):
    return " ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in row.items()
        if not k.endswith("_seconds")
    )


def markdown(header, body):
    """A table as Markdown (what the script prints)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines)


def rst(header, body, indent=""):
    """A table as reStructuredText's list-table (what the docs show)."""
    lines = [f"{indent}.. list-table::", f"{indent}   :header-rows: 1", ""]
    for cells in [header, *body]:
        for k, cell in enumerate(cells):
            lines.append(f"{indent}   {'* -' if k == 0 else '  -'} {cell}".rstrip())
    return "\n".join(lines)


def table(rows, kind, form=markdown):
    """Per data set (and horizon), each model's mean, ± half its spread over seeds, and
    for forecasts its ratio to RidgeCV's mean."""
    models = _models(rows)
    header = ["data set", *([] if kind == "classify" else ["h"]), *models]
    body = []
    for (dataset, horizon), group in _groups(rows).items():
        cells = [dataset] + ([] if kind == "classify" else [str(horizon)])
        reference = np.mean([r["ridge"] for r in group]) if kind != "classify" else None
        for model in models:
            values = np.array([r[model] for r in group if model in r])
            if not len(values):
                cells.append("")
                continue
            text = f"{values.mean():.3g}"
            if np.ptp(values) > 0:
                text += f" ±{np.ptp(values) / 2:.2g}"
            if reference and model != "ridge":
                text += f" ({values.mean() / reference:.2f})"
            cells.append(text)
        body.append(cells)
    return form(header, body)


SIMPLE = ("naive", "seasonal_naive", "ridge")


def _groups(rows):
    groups = {}
    for row in rows:
        groups.setdefault((row["dataset"], row.get("horizon")), []).append(row)
    return groups


def _mean(group, model):
    return float(np.mean([r[model] for r in group if model in r]))


def summary_figures(rows):
    """Per model: its ratios to the best simple forecast of each row (naive, seasonal
    naive, RidgeCV), to RidgeCV, and to the better of AutoETS and AutoTheta, and its
    spread over seeds (max - min, as a fraction of the mean), row by row."""
    figures = {}
    for model in [m for m in _models(rows) if m not in SIMPLE]:
        best, ridge, stat, spread = [], [], [], []
        for group in _groups(rows).values():
            if not any(model in r for r in group):
                continue
            mae = _mean(group, model)
            simple = [_mean(group, m) for m in SIMPLE if any(m in r for r in group)]
            best.append(mae / min(simple))
            ridge.append(mae / _mean(group, "ridge"))
            if all("ets" in r for r in group):
                stat.append(mae / min(_mean(group, "ets"), _mean(group, "theta")))
            values = [r[model] for r in group if model in r]
            spread.append(np.ptp(values) / np.mean(values))
        figures[model] = {
            "best": np.array(best),
            "ridge": np.array(ridge),
            "statistical": np.array(stat),
            "spread": np.array(spread),
        }
    return figures


def forecast_summary(rows, form=markdown):
    """Per model: its ratio to the best simple forecast of each row (naive, seasonal
    naive, RidgeCV), as a geometric mean, the worst row and the rows above 1 and 1.3;
    its ratio to RidgeCV (geometric mean, rows above 1); its geometric mean beside the
    better of AutoETS and AutoTheta's; and the mean spread over seeds (max - min, as a
    fraction of the mean)."""
    header = [
        "model",
        "/ best simple (geometric mean)",
        "worst row",
        "rows > 1",
        "rows > 1.3",
        "/ RidgeCV (geometric mean)",
        "rows > RidgeCV",
        "/ better of ETS, Theta",
        "spread / mean",
    ]
    body = []
    for model, f in summary_figures(rows).items():
        statistical = f"{geometric_mean(f['statistical']):.2f}" if len(f["statistical"]) else ""
        body.append(
            [
                model,
                f"{geometric_mean(f['best']):.2f}",
                f"{f['best'].max():.2f}",
                f"{(f['best'] > 1).sum()} / {len(f['best'])}",
                f"{(f['best'] > 1.3).sum()}",
                f"{geometric_mean(f['ridge']):.2f}",
                f"{(f['ridge'] > 1).sum()}",
                statistical,
                f"{f['spread'].mean():.3f}",
            ]
        )
    return form(header, body)


def best_simple_table(rows, form=markdown):
    """Per row, each model's mean ratio to the best simple forecast, ± half the spread
    over seeds."""
    models = [m for m in _models(rows) if m not in SIMPLE]
    header = ["data set", "h", "best simple", *models]
    body = []
    for (dataset, horizon), group in _groups(rows).items():
        simple = {m: _mean(group, m) for m in SIMPLE if any(m in r for r in group)}
        name = min(simple, key=simple.get)
        cells = [dataset, str(horizon), name]
        for model in models:
            values = np.array([r[model] for r in group if model in r]) / simple[name]
            text = f"{values.mean():.2f}" if len(values) else ""
            if len(values) and np.ptp(values) > 0:
                text += f" ±{np.ptp(values) / 2:.2f}"
            cells.append(text)
        body.append(cells)
    return form(header, body)


def library_summary(rows, form=markdown):
    """Per set-up and model, the mean over seeds, its range, the spread (max - min) as a
    fraction of the mean, and the mean's ratio to Ridge's."""
    header = ["set-up", "model", "mean", "min - max", "spread / mean", "/ Ridge"]
    body = []
    for (dataset, _), group in _groups(rows).items():
        ridge = _mean(group, "ridge")
        for model in [m for m in _models(group) if m != "ridge"]:
            values = np.array([r[model] for r in group if model in r])
            body.append(
                [
                    dataset,
                    model,
                    f"{values.mean():.4g}",
                    f"{values.min():.4g} - {values.max():.4g}",
                    f"{np.ptp(values) / values.mean():.2f}",
                    f"{values.mean() / ridge:.2f}",
                ]
            )
    return form(header, body)


def geometric_mean(values):
    return float(np.exp(np.mean(np.log(values))))


# The references first, in this order, then the models in the order they ran.
_ORDER = ("naive", "seasonal_naive", "ridge", "ets", "theta", "mlp")


def _models(rows):
    models = []
    for row in rows:
        for k in row:
            if k not in ("dataset", "horizon", "seed") and not k.endswith("_seconds"):
                if k not in models:
                    models.append(k)
    rank = {name: i for i, name in enumerate(_ORDER)}
    return sorted(models, key=lambda m: (rank.get(m, len(rank)), models.index(m)))


def study_summary(variants, form=markdown):
    """One line a variant, ``{name: (rows, model)}``: the model's ratio to the best
    simple forecast (geometric mean, worst row, rows above 1.3), its rows above RidgeCV,
    and its mean spread over seeds."""
    header = ["variant", "/ best simple", "worst row", "rows > 1.3", "rows > RidgeCV", "spread"]
    body = []
    for name, (rows, model) in variants.items():
        f = summary_figures(rows)[model]
        body.append(
            [
                name,
                f"{geometric_mean(f['best']):.2f}",
                f"{f['best'].max():.2f}",
                f"{(f['best'] > 1.3).sum()} / {len(f['best'])}",
                f"{(f['ridge'] > 1).sum()}",
                f"{f['spread'].mean():.3f}",
            ]
        )
    return form(header, body)


def docs_tables(results):
    """The tables of docs/user_guide/defaults.rst, in reStructuredText, from a results
    file (``--rst``): the docs show what the file holds, and a test checks it."""
    forecast = results["forecast_defaults"]["forecast"]
    libraries = results["libraries_defaults"]["libraries"]
    study = results["forecast_study"]
    candidates = study["relative_candidates"]["forecast"]
    runs = {name: (run["forecast"], "lstm") for name, run in study["relative_to_and_lr"].items()}
    grids = {
        name: (run["forecast"], "lstm_grid")
        for name, run in results["forecast_grid_round4"].items()
    }
    return {
        "forecast": table(forecast, "forecast", form=rst),
        "best_simple": best_simple_table(forecast, form=rst),
        "summary": forecast_summary(forecast, form=rst),
        "candidates": study_summary(
            {m: (candidates, m) for m in _models(candidates) if m not in SIMPLE}, form=rst
        ),
        "relative_to_and_lr": study_summary(runs, form=rst),
        "grids": study_summary(grids, form=rst),
        "libraries": library_summary(libraries, form=rst),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=["forecast", "libraries", "classify", "all"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=list(CELLS))
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--params", type=json.loads, default={})
    parser.add_argument(
        "--class-attrs",
        type=json.loads,
        default={},
        help="private class attributes of both families, for studies",
    )
    parser.add_argument("--grid", action="store_true", help="also the recommended grid")
    parser.add_argument(
        "--no-statistical", action="store_true", help="without AutoETS and AutoTheta (faster)"
    )
    parser.add_argument(
        "--grid-params", type=json.loads, default=None, help="another grid, for studies"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--rst", type=Path, default=None, help="print the docs' tables from this results file"
    )
    args = parser.parse_args(argv)
    if args.rst:
        for name, text in docs_tables(json.loads(args.rst.read_text())).items():
            print(f"{name}:\n\n{text}\n")
        return
    suites = ["forecast", "libraries", "classify"] if args.suite in (None, "all") else [args.suite]
    warnings.filterwarnings("ignore", category=UserWarning)
    import sklearn_rnn

    for name, value in args.class_attrs.items():  # on the six estimators
        for estimator in (getattr(sklearn_rnn, c) for c in sklearn_rnn.__all__):
            if isinstance(estimator, type) and hasattr(estimator, "_cell"):
                setattr(estimator, name, value)
    torch_threads = __import__("torch").get_num_threads()
    results = {
        "params": args.params,
        "grid": args.grid_params or GRID if args.grid else None,
        "class_attrs": args.class_attrs,
        "seeds": args.seeds,
        "torch_threads": torch_threads,
    }
    for suite in suites:
        start = time.perf_counter()
        if suite == "forecast":
            rows = run_forecasting(
                args.seeds,
                args.cells,
                args.params,
                args.grid,
                args.datasets,
                statistical=not args.no_statistical,
                grid_params=args.grid_params,
            )
        elif suite == "libraries":
            rows = run_libraries(args.seeds, args.params)
        else:
            rows = run_classification(args.seeds, args.cells, args.params, args.grid, args.datasets)
        results[suite] = rows
        results[f"{suite}_seconds"] = time.perf_counter() - start
        print(f"\n## {suite} ({results[f'{suite}_seconds']:.0f} s)\n")
        print(table(rows, suite))
        if suite == "libraries":
            print()
            print(library_summary(rows))
        if suite == "forecast":
            print("\nRatio to the best simple forecast of each row:\n")
            print(best_simple_table(rows))
            print()
            print(forecast_summary(rows))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float) + "\n")


if __name__ == "__main__":
    main()
