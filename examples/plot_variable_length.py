"""
=======================================================
Sequences of different lengths
=======================================================

Recurrent networks read sequences of any length. Pass a list of arrays of
different lengths: the estimators batch sequences of similar length together,
pad them, and read each sequence's prediction at its own last step, so that the
padding never reaches it.

The task: each sequence is a random walk of 5 to 40 steps, and the target is
the mean of its steps, which depends on every step and on the length.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import r2_score

from sklearn_rnn import GRURegressor

rng = np.random.RandomState(0)
lengths = rng.randint(5, 41, size=600)
X = [np.cumsum(rng.randn(n, 1), axis=0) / np.sqrt(n) for n in lengths]
y = np.array([seq.mean() for seq in X])

model = GRURegressor(hidden_size=32, max_epochs=60, random_state=0)
model.fit(X[:500], y[:500])
prediction = model.predict(X[500:])
print(f"R² on 100 held-out sequences: {r2_score(y[500:], prediction):.3f}")

# %%
# A sequence gets the same prediction in a batch of others as alone.
alone = np.array([model.predict([seq])[0] for seq in X[500:510]])
print(
    "largest difference, batch against alone:",
    np.abs(alone - prediction[:10]).max(),
)

# %%
# Prediction against truth, coloured by the sequence length.
fig, ax = plt.subplots(figsize=(5, 4))
points = ax.scatter(y[500:], prediction, c=lengths[500:], cmap="viridis")
ax.plot([y.min(), y.max()], [y.min(), y.max()], color="grey", linestyle=":")
fig.colorbar(points, label="sequence length")
ax.set_xlabel("true mean of the sequence")
ax.set_ylabel("prediction")
fig.tight_layout()
plt.show()
