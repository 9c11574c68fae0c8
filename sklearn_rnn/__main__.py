"""``python -m sklearn_rnn``: the tutorial's three examples, one estimator each.

Each network learns to continue the sequences 0.1..0.5, 0.2..0.6, 0.3..0.7 and 0.4..0.8
(targets 0.6 to 0.9), then predicts the value after 0.5..0.9, which is 1.0.
"""

import time

import numpy as np

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor


def main():
    starts = np.array([0.1, 0.2, 0.3, 0.4])
    X = starts[:, None] + 0.1 * np.arange(5)  # (4 sequences, 5 steps), one feature a step
    y = starts + 0.5
    X_next = np.array([[0.5, 0.6, 0.7, 0.8, 0.9]])
    print("The tutorial's examples: learn x(t+1) from x(t-4)..x(t), predict after 0.5..0.9")
    print(f"{'model':<15}{'prediction':>12}{'true':>8}{'train MSE':>12}{'seconds':>10}")
    for Estimator in (RNNRegressor, LSTMRegressor, GRURegressor):
        start = time.perf_counter()
        model = Estimator(hidden_size=10, lr=0.01, max_epochs=100, random_state=0).fit(X, y)
        seconds = time.perf_counter() - start
        prediction = model.predict(X_next)[0]
        print(
            f"{Estimator.__name__:<15}{prediction:>12.3f}{1.0:>8.3f}"
            f"{model.loss_curve_[-1]:>12.5f}{seconds:>10.2f}"
        )


if __name__ == "__main__":
    main()
