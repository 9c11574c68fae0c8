"""
=======================================================
Prediction intervals for sunspots with quantile loss
=======================================================

``loss="quantile"`` trains a regressor to predict a quantile of the target
instead of its mean (the pinball loss, with the ``quantile`` parameter named as
in scikit-learn's ``HistGradientBoostingRegressor``). Two such models, for the
5% and the 95% quantiles, bound a 90% prediction interval. This example
forecasts the yearly sunspot numbers one year ahead, draws the interval over
the last 60 years (held out), and measures how often the truth falls inside it.
"""

# %%
# Frame the problem and fit the two quantile models (and one for the median) on
# the years before the holdout. Each reads a window of the last 12 years.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_rnn import LSTMRegressor, SlidingWindowTransformer, frame_forecast
from sklearn_rnn.datasets import load_sunspots

sunspots = load_sunspots()
X, y = frame_forecast(sunspots.data)
years = sunspots.time[1:]  # the year of each target
n_train = len(y) - 60


def quantile_model(quantile):
    return make_pipeline(
        SlidingWindowTransformer(window_size=12),
        LSTMRegressor(
            loss="quantile", quantile=quantile, lr=0.001, random_state=0
        ),
    ).fit(X[:n_train], y[:n_train])


predictions = {
    q: quantile_model(q).predict(X)[n_train:] for q in (0.05, 0.5, 0.95)
}

# %%
# Coverage on the holdout: the share of the 60 held-out years whose number lies
# between the two bounds. A 90% interval should hold about 54 of them; it holds
# 48 (80%). Quantiles fitted on the training years are those of the training
# errors, which are smaller than the errors on years the model has not seen, so
# the interval comes out narrower than its nominal level. Widening it until it
# covers 90% of a held-out tail of the training years (conformal calibration)
# corrects that.
truth = y[n_train:]
inside = (predictions[0.05] <= truth) & (truth <= predictions[0.95])
print(f"holdout coverage of the 90% interval: {inside.mean():.0%}")
print(f"({inside.sum()} of 60 holdout years)")
print(f"mean width: {np.mean(predictions[0.95] - predictions[0.05]):.1f}")

# %%
# The interval widens where the cycles peak, whose heights vary most, and
# narrows in the troughs, where the number is always close to zero.
fig, ax = plt.subplots(figsize=(9, 3.5))
ax.plot(years[n_train - 40 :], y[n_train - 40 :], color="black", label="truth")
ax.fill_between(
    years[n_train:],
    predictions[0.05],
    predictions[0.95],
    color="C0",
    alpha=0.3,
    label=f"90% interval (holdout coverage {inside.mean():.0%})",
)
ax.plot(years[n_train:], predictions[0.5], color="C0", label="median forecast")
ax.axvline(years[n_train], color="grey", linestyle=":")
ax.set_xlabel("year")
ax.set_ylabel("sunspot number")
ax.legend(loc="upper left", fontsize="small")
fig.tight_layout()
