"""
=========================================================
Why LSTM and GRU exist: long-range dependencies
=========================================================

A plain recurrent network passes its gradient back through one multiplication
per time step, so over long sequences the gradient vanishes (or explodes) and
the network cannot learn what happened many steps ago. The LSTM's and the GRU's
gates let the gradient flow through an additive path instead. This example
shows it on the *adding problem* (Hochreiter & Schmidhuber, 1997): each
sequence carries random numbers and two markers, one in each half of the
sequence, and the target is the sum of the two marked numbers. The network must
remember a number seen up to a whole sequence ago.

The three networks get the same budget (32 hidden units, 40 epochs). Reading
every step (``patch_size=1``), the plain RNN fails as the sequences grow, while
the LSTM and the GRU still solve the task. At its defaults the RNN reads long
sequences in patches of several steps (``patch_size="auto"``: at most 16 steps
for the network), which shortens the path the gradient travels; it helps the
plain RNN on the longer sequences, without closing the gap.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import r2_score

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor

rng = np.random.RandomState(0)


def adding_problem(n_samples, length):
    """Values in [0, 1) and two markers; the target: the marked values' sum."""
    values = rng.uniform(0, 1, size=(n_samples, length))
    markers = np.zeros((n_samples, length))
    rows = np.arange(n_samples)
    markers[rows, rng.randint(0, length // 2, size=n_samples)] = 1
    markers[rows, rng.randint(length // 2, length, size=n_samples)] = 1
    return np.stack([values, markers], axis=2), (values * markers).sum(axis=1)


# %%
# Train each network on 1,200 sequences of each length and score it on 300
# others.
lengths = [10, 30, 60]
estimators = {
    "RNN, patch_size=1": (RNNRegressor, {"patch_size": 1}),
    "RNN": (RNNRegressor, {}),
    "LSTM": (LSTMRegressor, {}),
    "GRU": (GRURegressor, {}),
}
scores = {name: [] for name in estimators}
for length in lengths:
    X, y = adding_problem(1500, length)
    for name, (Estimator, params) in estimators.items():
        model = Estimator(
            hidden_size=32,
            lr=0.005,
            max_epochs=40,
            batch_size=32,
            random_state=0,
            **params,
        ).fit(X[:1200], y[:1200])
        scores[name].append(r2_score(y[1200:], model.predict(X[1200:])))
    print(
        f"length {length:>3}: "
        + ", ".join(f"{n} {s[-1]:.2f}" for n, s in scores.items())
    )

# %%
# R² on held-out sequences against the sequence length.
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, values in scores.items():
    style = "--" if "patch_size=1" in name else "-"
    ax.plot(lengths, values, style, marker="o", label=name)
ax.axhline(0.0, color="grey", linestyle=":", label="predicting the mean")
ax.set_xlabel("sequence length")
ax.set_ylabel("R² on held-out sequences")
ax.set_title("The adding problem")
ax.legend()
fig.tight_layout()
plt.show()
