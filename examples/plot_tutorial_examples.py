"""
=======================================================
The tutorial's three networks: RNN, LSTM and GRU
=======================================================

This project grew from a tutorial whose three examples, small PyTorch scripts,
train a plain RNN, an LSTM and a GRU to continue a rising sequence: from
0.1..0.5 predict 0.6, from 0.2..0.6 predict 0.7, and so on, with the same
settings (10 hidden units, Adam with learning rate 0.01, 100 epochs of
full-batch training on the squared error). Then each predicts the value after
0.5..0.9, which is 1.0.

Four training sequences are very little data: the answer 1.0 lies outside the
range of the training targets. The tutorial's own model (``relative_to=None,
standardize=False, linear_window=0``) extrapolates a little short of it, by an
amount that varies with the seed. At the default settings the estimators learn
the target as its change from the last value, standardise inputs and target,
and add a linear path from the last steps, started from ridge regression: they
land on 1.0.
"""

# %%
# The data: four sequences of five steps, one feature a step, as a 2-D array.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor

X = np.array(
    [
        [0.1, 0.2, 0.3, 0.4, 0.5],
        [0.2, 0.3, 0.4, 0.5, 0.6],
        [0.3, 0.4, 0.5, 0.6, 0.7],
        [0.4, 0.5, 0.6, 0.7, 0.8],
    ]
)
y = np.array([0.6, 0.7, 0.8, 0.9])
X_next = np.array([[0.5, 0.6, 0.7, 0.8, 0.9]])

# %%
# Fit each network with five seeds, as the tutorial's model and at the
# defaults, and predict the next value.
estimators = {"RNN": RNNRegressor, "LSTM": LSTMRegressor, "GRU": GRURegressor}
settings = {
    "tutorial's model": {
        "relative_to": None,
        "standardize": False,
        "linear_window": 0,
    },
    "defaults": {},
}
predictions = {}
for setting, extra in settings.items():
    for name, Estimator in estimators.items():
        predictions[setting, name] = [
            Estimator(
                hidden_size=10,
                lr=0.01,
                max_epochs=100,
                random_state=seed,
                **extra,
            )
            .fit(X, y)
            .predict(X_next)[0]
            for seed in range(5)
        ]
        values = ", ".join(f"{p:.3f}" for p in predictions[setting, name])
        print(f"{setting:>16} {name:>4}: {values}")

# %%
# Plot the predictions against the true next value.
fig, ax = plt.subplots(figsize=(7, 3.5))
for i, ((setting, name), values) in enumerate(predictions.items()):
    color = "C0" if setting == "defaults" else "C1"
    label = setting if name == "RNN" else None
    ax.scatter(
        np.full(len(values), i), values, color=color, alpha=0.8, label=label
    )
ax.axhline(1.0, color="black", linestyle="--", label="true next value")
ax.set_xticks(range(len(predictions)), [name for _, name in predictions])
ax.set_ylabel("prediction after 0.5..0.9")
ax.set_title("The tutorial's examples, five seeds each")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
