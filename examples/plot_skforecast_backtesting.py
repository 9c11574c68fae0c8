"""
==============================================================
Recursive multi-step forecasts with skforecast, backtested
==============================================================

Forecasting libraries already run recursive, direct and backtested forecasts
with any scikit-learn regressor, so sklearn-rnn does not write its own: this
example hands an ``LSTMRegressor`` to `skforecast <https://skforecast.org>`_'s
``ForecasterRecursive``, which feeds it the last 12 yearly sunspot numbers as
lag features and, to forecast several years ahead, feeds each forecast back in
as the newest lag. Both the LSTM and Ridge on the same lags are backtested over
the last 60 years: one year at a time, and five years at a time (each fold
forecasts the next 1 to 5 years from the years before). The regressor
standardises the raw lags itself, so no scaler is needed.

skforecast orders its lag columns newest first (``lag_1``, ``lag_2``, ...),
while a recurrent network reads the columns of a 2-D input as time steps,
oldest first, and summarises the sequence at its last step.
``column_order="newest_first"`` tells the regressor so; without it the network
reads time backwards.
"""

# %%
# The series, and one backtest per model and horizon: the model is fitted once
# on the years before the holdout, then forecasts every holdout year from the
# years before it.
import matplotlib.pyplot as plt
import pandas as pd
from skforecast.model_selection import TimeSeriesFold, backtesting_forecaster
from skforecast.recursive import ForecasterRecursive
from sklearn.linear_model import Ridge

from sklearn_rnn import LSTMRegressor
from sklearn_rnn.datasets import load_sunspots

sunspots = load_sunspots()
y = pd.Series(sunspots.data[:, 0], name="sunspots")
n_train = len(y) - 60

models = {
    "Ridge": Ridge(),
    "LSTM": LSTMRegressor(column_order="newest_first", random_state=0),
}


def backtest(model, steps):
    forecaster = ForecasterRecursive(model, lags=12)
    cv = TimeSeriesFold(steps=steps, initial_train_size=n_train, refit=False)
    mae, predictions = backtesting_forecaster(
        forecaster=forecaster,
        y=y,
        cv=cv,
        metric="mean_absolute_error",
        show_progress=False,
    )
    return float(mae.iloc[0, 0]), predictions["pred"].to_numpy()


results = {
    (name, steps): backtest(model, steps)
    for name, model in models.items()
    for steps in (1, 5)
}
for (name, steps), (mae, _) in results.items():
    print(f"{name:<6} up to {steps} year(s) ahead: holdout MAE {mae:.1f}")

# %%
# The forecasts made five years at a time against the truth. Within each fold,
# the second to fifth years are forecast from forecasts fed back as lags.
years = sunspots.time[n_train:]
fig, ax = plt.subplots(figsize=(9, 3.5))
ax.plot(years, y[n_train:], color="black", label="truth")
for name in models:
    mae, predictions = results[(name, 5)]
    ax.plot(
        years, predictions, label=f"{name}, 1 to 5 years ahead (MAE {mae:.1f})"
    )
ax.set_xlabel("year")
ax.set_ylabel("sunspot number")
ax.legend(loc="upper left", fontsize="small")
fig.tight_layout()
