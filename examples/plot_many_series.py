"""
=======================================================
One model for 181 series: the M1 yearly competition
=======================================================

The yearly series of the M1 forecasting competition run from tenths to millions
and from 15 to 58 years. This example fits one LSTM to all of them: each row is
a window of one series, relative to its last value and divided by its own scale
(``window_scale="changes"``), so that series of any magnitude train together.
The last 6 years of every series are held out and forecast at once, beside the
random walk with drift (the last value plus the series' average change), the
strongest simple reference on this set.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import LSTMRegressor, frame_panel
from sklearn_rnn.datasets import load_m1_yearly

m1 = load_m1_yearly()
train = {name: values[:-6] for name, values in m1.series.items()}
test = {name: values[-6:] for name, values in m1.series.items()}

panel = frame_panel(train, horizon=6, history=10, min_history=10)
print(f"{len(panel.series_ids)} series, {len(panel.y)} training rows")
model = LSTMRegressor(window_scale="changes", random_state=0)
model.fit(panel.X, panel.y)
forecasts = dict(
    zip(panel.series_ids, model.predict(panel.X_last), strict=True)
)

# %%
# Mean MASE over the series: the error over the six years divided by each
# series' own in-sample error of the last value.


def mase(name, forecast):
    scale = np.mean(np.abs(np.diff(train[name])))
    return np.mean(np.abs(test[name] - forecast)) / scale


def drift(name):
    values = train[name]
    slope = (values[-1] - values[0]) / (len(values) - 1)
    return values[-1] + slope * np.arange(1, 7)


lstm = np.mean([mase(name, forecasts[name]) for name in train])
walk = np.mean([mase(name, drift(name)) for name in train])
print(f"mean MASE: one LSTM {lstm:.3f}, random walk with drift {walk:.3f}")

# %%
# Four series of very different sizes, their last years and the forecasts.
fig, axes = plt.subplots(2, 2, figsize=(9, 5.5))
for ax, name in zip(axes.flat, ["T2", "T60", "T120", "T170"], strict=True):
    years = m1.years[name]
    ax.plot(years, m1.series[name], color="black", label="truth")
    ax.plot(years[-6:], forecasts[name], "o-", color="C1", label="one LSTM")
    ax.plot(years[-6:], drift(name), "s--", color="C0", label="drift")
    ax.set_title(name, fontsize="medium")
axes[0, 0].legend(loc="upper left", fontsize="small")
fig.tight_layout()
plt.show()
