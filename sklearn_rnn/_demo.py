"""The demo behind ``python -m sklearn_rnn``: tune an LSTM forecaster on a shipped series.

For each series: frame one-step-ahead forecasting with 24 steps of history in every
row (the largest window searched, so that every fold's rows are complete), hold out the
last fifth, tune a ``SlidingWindowTransformer -> LSTMRegressor`` pipeline (the regressor
standardises its inputs and target itself) with ``GridSearchCV`` over the window size,
the number of hidden units and what the network learns (``relative_to``: the change
from the last value, or the level) on ``TimeSeriesSplit``, and compare its holdout error
with a naive last-value forecast, with Ridge on the same lags, and with Ridge whose
window is tuned by the same search.

The airline series grows, and its seasonal swings grow with it: in levels, the holdout
lies above everything seen in training, which no network with saturating units can
reach. As Box and Jenkins did, the demo models its logarithm's month-to-month change
(a stationary series) and adds the forecast change back to the last observed level.
"""

import os
import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._regressors import LSTMRegressor
from ._window import SlidingWindowTransformer, frame_forecast
from .datasets import load_airline, load_sunspots


class _Series(NamedTuple):
    loader: Callable
    log_change: bool  # model the change of the logarithm instead of the level
    step: str  # what one time step is
    unit: str  # the axis label of the values
    reading: str  # what the comparison with Ridge shows, and why


DATASETS = {
    "sunspots": _Series(
        load_sunspots,
        log_change=False,
        step="year",
        unit="sunspot number",
        reading=(
            "The cycles rise faster than they decay, differ in height and return to a\n"
            "long-run mean: a stationary series, whose level says where it goes next."
        ),
    ),
    "airline": _Series(
        load_airline,
        log_change=True,
        step="month",
        unit="passengers (thousands)",
        reading=(
            "In log changes the series is close to a linear seasonal autoregression, and\n"
            "short: Ridge captures nearly all of it. The LSTM's linear path starts from\n"
            "ridge regression, so it starts where Ridge ends."
        ),
    ),
}
WINDOW_SIZES = [6, 12, 24]
HIDDEN_SIZES = [16, 64]
# What the network learns: the change from the last value (the default), or the level.
RELATIVE_TO = ["last", None]


def _frame(series, log_change):
    """``X`` (each row's window of the largest size searched, so that every fold's rows
    keep their history), the modelled target, the truth, and a map from predictions to
    levels."""
    history = max(WINDOW_SIZES)
    if not log_change:
        X, y = frame_forecast(series, history=history)
        return X, y, y, lambda prediction, rows: prediction
    level = np.log(series[:, 0])
    # row t: the changes up to t; target: the next one
    X, change = frame_forecast(np.diff(level), history=history)
    last_level = level[1:-1]  # the level at row t, known when forecasting t + 1

    def to_level(prediction, rows):
        return np.exp(last_level[rows] + prediction)

    return X, change, series[2:, 0], to_level


def _search(estimator, grid, X, y):
    search = GridSearchCV(
        estimator,
        grid,
        cv=TimeSeriesSplit(n_splits=3),
        scoring="neg_mean_absolute_error",
        n_jobs=-1,
    )
    return search.fit(X, y)


def _ridge(window_size, alpha=1.0):
    """Ridge on flattened windows; partial windows filled with the (scaled) mean."""
    return TransformedTargetRegressor(
        regressor=make_pipeline(
            SlidingWindowTransformer(window_size, flatten=True),
            StandardScaler(),
            SimpleImputer(strategy="constant", fill_value=0.0, keep_empty_features=True),
            Ridge(alpha=alpha),
        ),
        transformer=StandardScaler(),
    )


def forecast_holdout(name, *, holdout_fraction=0.2, random_state=0):
    """Tune the LSTM pipeline on one shipped series and score it on the held-out end.

    Returns a dict with the series, the holdout predictions of each model, their mean
    absolute errors, the best parameters and the time taken.
    """
    start = time.perf_counter()
    series = DATASETS[name]
    dataset = series.loader()
    X, target, truth, to_level = _frame(dataset.data, series.log_change)
    time_of_truth = dataset.time[len(dataset.time) - len(truth) :]
    n_test = int(round(holdout_fraction * len(truth)))
    n_train = len(truth) - n_test
    train, test = slice(None, n_train), slice(n_train, None)

    lstm = make_pipeline(SlidingWindowTransformer(), LSTMRegressor(random_state=random_state))
    search = _search(
        lstm,
        {
            "slidingwindowtransformer__window_size": WINDOW_SIZES,
            "lstmregressor__hidden_size": HIDDEN_SIZES,
            "lstmregressor__relative_to": RELATIVE_TO,
        },
        X[train],
        target[train],
    )
    window_size = search.best_params_["slidingwindowtransformer__window_size"]
    ridge = _ridge(window_size).fit(X[train], target[train])
    ridge_search = _search(
        _ridge(window_size),
        {"regressor__slidingwindowtransformer__window_size": WINDOW_SIZES},
        X[train],
        target[train],
    )
    ridge_window = ridge_search.best_params_["regressor__slidingwindowtransformer__window_size"]

    # Each holdout row carries its own history; row t's window ends at t, before its
    # target at t + 1.
    naive = to_level(np.zeros(n_test), test) if series.log_change else X[test, -1, 0]
    predictions = {
        "naive (last value)": naive,
        f"Ridge on the same {window_size} lags": to_level(ridge.predict(X[test]), test),
        f"Ridge, tuned ({ridge_window} lags)": to_level(ridge_search.predict(X[test]), test),
        "LSTM, tuned": to_level(search.predict(X[test]), test),
    }
    return {
        "name": name,
        "step": series.step,
        "unit": series.unit,
        "reading": series.reading,
        "description": dataset.DESCR.splitlines()[0],
        "time": time_of_truth,
        "y": truth,
        "n_train": n_train,
        "predictions": predictions,
        "mae": {model: mean_absolute_error(truth[test], p) for model, p in predictions.items()},
        "best_params": {
            "window_size": window_size,
            "hidden_size": search.best_params_["lstmregressor__hidden_size"],
            "relative_to": search.best_params_["lstmregressor__relative_to"],
        },
        "modelled": "the change of the logarithm" if series.log_change else "the level",
        "seconds": time.perf_counter() - start,
    }


def _against_ridge(mae):
    """How the LSTM's holdout error compares with Ridge's on the same lags, in words."""
    ridge = next(value for model, value in mae.items() if model.startswith("Ridge on"))
    change = mae["LSTM, tuned"] / ridge - 1
    if abs(change) < 0.03:
        return f"the LSTM's error is within 3% of Ridge's on the same lags ({change:+.1%})"
    side = "below" if change < 0 else "above"
    return f"the LSTM's error is {abs(change):.0%} {side} Ridge's on the same lags"


def report(result):
    """The printed comparison for one series, and what it shows."""
    lines = [
        result["description"],
        f"  holdout: last {len(result['y']) - result['n_train']} {result['step']}s, "
        f"one ahead; modelled: {result['modelled']}",
        "  GridSearchCV (TimeSeriesSplit, 3 splits) chose "
        + ", ".join(f"{k}={v}" for k, v in result["best_params"].items()),
        f"  {'model':<28}{'holdout MAE':>12}{'vs naive':>10}",
    ]
    naive = result["mae"]["naive (last value)"]
    for model, mae in result["mae"].items():
        lines.append(f"  {model:<28}{mae:>12.2f}{mae / naive:>10.2f}")
    lines.append(
        "  (Ridge on the same lags reads the LSTM's chosen window; Ridge, tuned, chooses\n"
        "  its own by the same search: the rows are equal when both choose the same.)"
    )
    lines.append(f"  Here {_against_ridge(result['mae'])}.")
    lines.extend("  " + line for line in result["reading"].splitlines())
    lines.append(f"  ({result['seconds']:.0f} s)")
    return "\n".join(lines)


def plot(results, path):
    """Draw each series' holdout forecasts against the truth into a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = _figure(results)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _figure(results):
    """One panel a series: the holdout, and a quarter of its length before it."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(results), 1, figsize=(9, 3.8 * len(results)))
    for ax, result in zip(np.atleast_1d(axes), results, strict=True):
        n_train = result["n_train"]
        context = max(0, n_train - (len(result["y"]) - n_train) // 4)
        when = result["time"]
        ax.plot(when[context:], result["y"][context:], color="black", label="truth")
        # Ridge dashed over the LSTM, so that both show where they agree.
        styles = {"Ridge on": {"linestyle": "--", "zorder": 3}, "LSTM": {"linewidth": 2}}
        for model, prediction in result["predictions"].items():
            for prefix, style in styles.items():
                if model.startswith(prefix):
                    label = f"{model} (MAE {result['mae'][model]:.1f})"
                    ax.plot(when[n_train:], prediction, label=label, **style)
        ax.axvline(when[n_train], color="grey", linestyle=":", label="holdout starts")
        name = result["description"].split(",")[0]
        ax.set_title(f"{name}: {when[context]} to {when[-1]} shown, holdout from {when[n_train]}")
        ax.set_xlabel("year")
        ax.set_ylabel(result["unit"])
        ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return fig


def main(output="sklearn_rnn_forecast.png"):
    """Run the demo on every shipped series, print the comparison, plot the forecasts."""
    print(
        "sklearn-rnn demo: one-step-ahead forecasts of two real series\n"
        "(vs naive: the holdout MAE divided by that of repeating the last value)\n"
    )
    results = []
    for name in DATASETS:
        results.append(forecast_holdout(name))
        print(report(results[-1]) + "\n")
    try:
        plot(results, output)
    except ImportError:
        print("matplotlib is not installed; no plot (pip install 'sklearn-rnn[plot]').")
    else:
        print(f"Forecasts against the truth: {os.path.abspath(output)}")
    return results
