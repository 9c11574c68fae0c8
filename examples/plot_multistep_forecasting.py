"""
=======================================================
Forecasting several steps at once
=======================================================

``frame_forecast(series, horizon=h)`` pairs each row with the next ``h``
values; a regressor fitted on this 2-D target predicts all ``h`` steps at once
(direct multi-step forecasting), so no forecast error is fed back into the next
step. Here an LSTM forecasts the next six months of airline passengers,
modelled as the month-to-month change of the logarithm (the series trends
upwards, beyond any level seen in training).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMRegressor, SlidingWindowTransformer, frame_forecast
from sklearn_rnn.datasets import load_airline

airline = load_airline()
level = np.log(airline.data[:, 0])
change = np.diff(level).reshape(-1, 1)
horizon = 6
X, y = frame_forecast(change, horizon=horizon)  # y: the next six changes
n_train = len(y) - 24

model = TransformedTargetRegressor(
    regressor=make_pipeline(
        StandardScaler(),
        SlidingWindowTransformer(window_size=13),
        LSTMRegressor(random_state=0),
    ),
    transformer=StandardScaler(),
).fit(X[:n_train], y[:n_train])

# %%
# Forecast six months from four origins in the held-out period: the predicted
# changes accumulate on the last observed level.
fig, ax = plt.subplots(figsize=(8, 3.5))
months = airline.time
ax.plot(months[-48:], airline.data[-48:, 0], color="black", label="truth")
for k, origin in enumerate(range(n_train, len(y), 6)):
    # the last window ends at the origin
    changes = model.predict(X[: origin + 1])[-1]
    path = np.exp(level[origin + 1] + np.cumsum(changes))
    when = months[origin + 2 : origin + 2 + horizon]
    label = "six-month forecast" if k == 0 else None
    ax.plot(when, path, color="C1", label=label)
ax.set_ylabel("passengers (thousands)")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
