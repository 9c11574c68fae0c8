"""GridSearchCV with n_jobs=2 against n_jobs=1: parallel search must not be slower.

Each fit is a medium LSTM (2,000 x 30 x 4, hidden 32, batch 64, 3 epochs); the grid has
four candidates and three splits. Prints the wall time of each setting, the threads
torch uses inside a joblib worker, and the speed-up.
"""

import time

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.model_selection import GridSearchCV

from sklearn_rnn import LSTMRegressor


def _threads_in_worker():
    return torch.get_num_threads()


def main():
    rng = np.random.RandomState(0)
    X = rng.randn(2000, 30, 4).astype(np.float32)
    y = X[:, -1, 0] + 0.5 * X[:, 0, -1]
    grid = {"hidden_size": [16, 32], "lr": [1e-3, 3e-3]}
    model = LSTMRegressor(max_epochs=3, batch_size=64, random_state=0)
    print(f"torch threads in this process: {torch.get_num_threads()}")
    print(
        f"torch threads in a joblib worker (n_jobs=2): "
        f"{Parallel(n_jobs=2)(delayed(_threads_in_worker)() for _ in range(2))}"
    )
    times = {}
    for n_jobs in (1, 2, 1, 2):
        start = time.perf_counter()
        GridSearchCV(model, grid, cv=3, n_jobs=n_jobs).fit(X, y)
        times.setdefault(n_jobs, []).append(time.perf_counter() - start)
    best = {n_jobs: min(t) for n_jobs, t in times.items()}
    print(
        f"n_jobs=1: {best[1]:.1f} s   n_jobs=2: {best[2]:.1f} s   "
        f"speed-up: {best[1] / best[2]:.2f}x"
    )


if __name__ == "__main__":
    main()
