"""
=======================================================
Forecasting several steps at once
=======================================================

``frame_forecast(series, horizon=h)`` pairs each row with the next ``h``
values; a regressor fitted on this 2-D target predicts all ``h`` steps at once
(direct multi-step forecasting), so no forecast error is fed back into the next
step. Here an LSTM forecasts the next six months of airline passengers. The
series trends upwards, beyond any level seen in training; at its defaults the
regressor learns each step as its change from the last observed value (the form
``relative_to="auto"`` chooses for a target that continues the series), so the
trend stays inside what it learned, and the raw numbers need no transformation.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMRegressor, SlidingWindowTransformer, frame_forecast
from sklearn_rnn.datasets import load_airline

airline = load_airline()
horizon = 6
# Row t: the 13 months up to t; y[t]: the next six months.
X, y = frame_forecast(airline.data, horizon=horizon, history=13)
n_train = len(y) - 24

model = make_pipeline(
    SlidingWindowTransformer(window_size=13), LSTMRegressor(random_state=0)
).fit(X[:n_train], y[:n_train])

# %%
# The error over the held-out rows, beside repeating the last value and the
# value a year before each month.
forecast = model.predict(X[n_train:])
last = np.repeat(X[n_train:, -1], horizon, axis=1)
a_year_before = X[n_train:, -12 : -12 + horizon, 0]
for name, values in [
    ("LSTM, direct", forecast),
    ("last value", last),
    ("a year before", a_year_before),
]:
    print(f"{name:>14}: MAE {mean_absolute_error(y[n_train:], values):.1f}")

# %%
# Six months forecast from four origins in the held-out period.
fig, ax = plt.subplots(figsize=(8, 3.5))
months = airline.time
ax.plot(months[-48:], airline.data[-48:, 0], color="black", label="truth")
for k, origin in enumerate(range(n_train, len(y), 6)):
    # the window that ends at the origin
    path = model.predict(X[origin : origin + 1])[0]
    when = months[origin + 1 : origin + 1 + horizon]
    label = "six-month forecast" if k == 0 else None
    ax.plot(when, path, color="C1", label=label)
ax.set_ylabel("passengers (thousands)")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
