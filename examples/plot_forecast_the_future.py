"""
=======================================================
Forecasting the future: the next year, and the next ten
=======================================================

A forecaster is fitted on the whole history and asked what comes after its
last observation. This example forecasts the yearly sunspot numbers past 2008,
the last year shipped: one year ahead, then ten years ahead in the two usual
ways, direct (one model predicts all ten years at once, from
``frame_forecast(..., horizon=10)``) and recursive (the one-year model is
applied ten times, each forecast appended to the history it reads next).
"""

# %%
# One year ahead. ``frame_forecast`` pairs every year, with the 12 years up to
# it, with the next one's number; the model reads that window. Fitted on
# everything, it forecasts the year after the last from the window that ends at
# the last year: given the series, it builds the windows from its rows, and the
# last 12 rows are all it needs.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMRegressor, SlidingWindowTransformer, frame_forecast
from sklearn_rnn.datasets import load_sunspots

sunspots = load_sunspots()
series, years = sunspots.data, sunspots.time  # (n_years, 1), oldest first
window = 12


def forecaster():
    return make_pipeline(
        SlidingWindowTransformer(window_size=window),
        LSTMRegressor(random_state=0),
    )


# y[t] is the number of the year after row t
X, y = frame_forecast(series, history=window)
one_year = forecaster().fit(X, y)
next_year = one_year.predict(series[-window:])[-1]
print(f"{years[-1] + 1}: {next_year:.0f}")

# %%
# Ten years ahead, direct: ``y`` gets one column per year ahead, and the model
# predicts the ten at once from the last window. No forecast is fed back, so
# errors do not compound; each column is its own target.
horizon = 10
X, y = frame_forecast(series, horizon=horizon, history=window)
direct = forecaster().fit(X, y).predict(series[-window:])[-1]

# %%
# Ten years ahead, recursive: the one-year model, with its own forecast
# appended to the history before the next step. One model serves every horizon,
# and its errors feed into the steps after.
history = series.copy()
recursive = []
for _ in range(horizon):
    step = one_year.predict(history[-window:])[-1]
    recursive.append(step)
    history = np.vstack([history, [[step]]])

future = years[-1] + 1 + np.arange(horizon)
for year, d, r in zip(future, direct, recursive, strict=True):
    print(f"{year}: direct {d:6.1f}   recursive {r:6.1f}")

# %%
# Both climb out of the 2008 minimum into a new 11-year cycle, here of about
# the same height and timing. The history alone says little about a cycle's
# height: treat a ten-year forecast as the shape of a cycle, not as its numbers
# (see the prediction-interval example for how uncertain even one year ahead
# is).
fig, ax = plt.subplots(figsize=(9, 3.5))
ax.plot(years[-60:], series[-60:, 0], color="black", label="observed")
ax.plot(future, direct, "o-", color="C0", label="direct (horizon=10)")
ax.plot(
    future,
    recursive,
    "s--",
    color="C1",
    label="recursive (one year, 10 times)",
)
ax.plot(years[-1] + 1, next_year, "*", color="C3", ms=12, label="next year")
ax.set_xlabel("year")
ax.set_ylabel("sunspot number")
ax.legend(loc="upper left", fontsize="small")
fig.tight_layout()
