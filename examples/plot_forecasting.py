"""
=======================================================
Forecasting sunspots with a tuned LSTM pipeline
=======================================================

The yearly sunspot numbers rise and fall in cycles of about eleven years, each
of its own height. This example forecasts one year ahead with a
``SlidingWindowTransformer -> LSTMRegressor`` pipeline, tunes the window length
and the hidden size together with ``GridSearchCV`` on ``TimeSeriesSplit``, and
compares the holdout error with a naive forecast (the last value) and with
Ridge on the same lags. The regressor learns each year's change from the last
and standardises the raw sunspot numbers itself: no scaler in the pipeline.
"""

# %%
# Frame the problem: each row holds the 24 years up to it (the largest window
# searched, so that every fold of the search keeps its history) and is paired
# with the next year's value. The last 60 years are held out.
import matplotlib.pyplot as plt
from sklearn.compose import TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMRegressor, SlidingWindowTransformer, frame_forecast
from sklearn_rnn.datasets import load_sunspots

sunspots = load_sunspots()
X, y = frame_forecast(sunspots.data, history=24)
years = sunspots.time[1:]  # the year of each target
n_train = len(y) - 60

# %%
# Tune the window length and the network together.
lstm = make_pipeline(SlidingWindowTransformer(), LSTMRegressor(random_state=0))
search = GridSearchCV(
    lstm,
    {
        "slidingwindowtransformer__window_size": [6, 12, 24],
        "lstmregressor__hidden_size": [16, 32],
    },
    cv=TimeSeriesSplit(n_splits=3),
    scoring="neg_mean_absolute_error",
).fit(X[:n_train], y[:n_train])
window = search.best_params_["slidingwindowtransformer__window_size"]
hidden_size = search.best_params_["lstmregressor__hidden_size"]
print(f"chosen: window_size={window}, hidden_size={hidden_size}")

# %%
# A linear baseline on the same lags: the windows flattened into lag features,
# scaled, with the partial windows of the first years filled with the mean.
ridge = TransformedTargetRegressor(
    regressor=make_pipeline(
        SlidingWindowTransformer(window, flatten=True),
        StandardScaler(),
        SimpleImputer(
            strategy="constant", fill_value=0.0, keep_empty_features=True
        ),
        Ridge(),
    ),
    transformer=StandardScaler(),
).fit(X[:n_train], y[:n_train])

# %%
# Each holdout row carries its own history.
forecasts = {
    "naive (last value)": X[n_train:, -1, 0],
    f"Ridge on {window} lags": ridge.predict(X[n_train:]),
    "LSTM, tuned": search.predict(X[n_train:]),
}
for name, forecast in forecasts.items():
    print(f"{name:>20}: MAE {mean_absolute_error(y[n_train:], forecast):.1f}")

fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(years[n_train - 60 :], y[n_train - 60 :], color="black", label="truth")
for name, forecast in list(forecasts.items())[1:]:
    ax.plot(years[n_train:], forecast, label=name)
ax.axvline(years[n_train], color="grey", linestyle=":")
ax.set_xlabel("year")
ax.set_ylabel("sunspot number")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
