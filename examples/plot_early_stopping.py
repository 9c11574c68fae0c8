"""
=======================================================
Early stopping and the loss curve
=======================================================

A network trained too long on little data learns its noise. With
``early_stopping=True`` the estimator holds out the **last** tenth of the
samples (the tail of a series: its future) and stops when their R² stops
improving, keeping the weights of the best epoch.
:class:`~sklearn_rnn.LossCurveDisplay` draws the training loss, the validation
score and the epoch that was kept.

The network here is the LSTM alone (``linear_window=0``): with its default
linear path, started from ridge regression, it would begin at the linear fit
and have little left to learn, or to overfit, in this linear problem. It trains
at ``lr=0.01``, ten times the regressors' default, which keeps a network near
its ridge start: fast enough to overfit within a few dozen epochs.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import LossCurveDisplay, LSTMRegressor

rng = np.random.RandomState(0)
X = rng.randn(300, 10, 1)
# a signal, and noise
y = X[:, -1, 0] - 0.5 * X[:, -4, 0] + 0.5 * rng.randn(300)

model = LSTMRegressor(
    hidden_size=64,
    linear_window=0,
    lr=0.01,
    max_epochs=300,
    early_stopping=True,
    n_iter_no_change=15,
    random_state=0,
).fit(X, y)
print(f"stopped after {model.n_iter_} of 300 epochs")
print(f"best validation R²: {model.best_validation_score_:.3f}")

# %%
# The training loss keeps falling while the validation R² peaks and then
# declines: past the peak the network fits the noise of its training samples.
# The estimator keeps the weights of the marked epoch.
display = LossCurveDisplay.from_estimator(model)
plt.show()
