"""Silent numeric failures: divergence after the last step, data beyond float32, weights."""

import numpy as np
import pytest
import torch

from sklearn_rnn import GRURegressor, LSTMRegressor

from .conftest import ESTIMATORS


def _data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5)
    return X, X[:, -1] - 0.5 * X[:, 1]


# -- divergence that no batch loss shows ---------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_divergence_in_the_last_step_is_an_error(Estimator):
    """lr=1e30 makes the weights huge in the only step; the loss before it was fine."""
    X, y = _data()
    model = Estimator(lr=1e30, max_epochs=1, random_state=0)
    with pytest.raises(FloatingPointError, match="Training diverged.*last batch.*lr=1e\\+30"):
        model.fit(X, y)
    assert not hasattr(model, "net_")


def test_overflowing_optimizer_state_is_an_error():
    """weight_decay=1e38: Adam's running averages overflow and the weights freeze."""
    X, y = _data()
    model = GRURegressor(weight_decay=1e38, max_epochs=3, random_state=0)
    with pytest.raises(FloatingPointError, match="optimizer's state.*weight_decay \\(now 1e\\+38"):
        model.fit(X, y)
    with pytest.raises(FloatingPointError, match="weight_decay"):
        GRURegressor(optimizer="sgd", weight_decay=1e38, max_epochs=3).fit(X, y)


def test_a_sane_fit_passes_the_final_check():
    X, y = _data()
    model = LSTMRegressor(max_epochs=5, random_state=0).fit(X, y)
    assert all(torch.isfinite(p).all() for p in model.net_.module_.parameters())


# -- data errors are data errors -----------------------------------------------------


def test_a_2d_value_beyond_float32_is_a_data_error_in_fit_and_predict():
    X, y = _data()
    bad = X.copy()
    bad[3, 2] = 1e39
    with pytest.raises(ValueError, match="X contains a value too large for float32 .*row 3, col"):
        GRURegressor(max_epochs=1).fit(bad, y)
    model = GRURegressor(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="too large for float32 \\(1e\\+39 in row 3, column 2"):
        model.predict(bad)
    with pytest.raises(ValueError, match="sample 3, step 2, feature 0"):
        GRURegressor(max_epochs=1).fit(bad[:, :, None], y)


@pytest.mark.parametrize("ndim", [2, 3])
def test_targets_beyond_float32_or_none_are_data_errors(ndim):
    X, y = _data()
    X = X if ndim == 2 else X[:, :, None]
    huge = y.copy()
    huge[4] = -1e39
    with pytest.raises(ValueError, match="y contains a value too large for float32 .*row 4"):
        GRURegressor(max_epochs=1).fit(X, huge)
    with pytest.raises(ValueError, match="too large.*row 4"):
        GRURegressor(max_epochs=1).fit(X, np.c_[y, huge])
    missing = np.array([*y[:-1], None], dtype=object)
    with pytest.raises(ValueError, match="y contains NaN \\(row 39; None in an object array"):
        GRURegressor(max_epochs=1).fit(X, missing)


@pytest.mark.parametrize("factor", [1e39, 1e-46, 1e300, 3.0, 2.0**-60])
def test_scaling_all_weights_does_not_change_the_model(factor):
    """Fractional weights are relative: no overflow or underflow, whatever their scale."""
    X, y = _data()
    weight = np.random.RandomState(1).uniform(0.5, 2.0, len(y))
    params = {"hidden_size": 8, "max_epochs": 5, "early_stopping": True, "random_state": 0}
    reference = GRURegressor(**params).fit(X, y, sample_weight=weight)
    scaled = GRURegressor(**params).fit(X, y, sample_weight=weight * factor)
    np.testing.assert_array_equal(scaled.predict(X), reference.predict(X))
    assert scaled.validation_scores_ == reference.validation_scores_


def test_huge_whole_number_weights_are_relative_not_counts():
    """Whole-number weights summing beyond 2**24 would make an endless epoch."""
    X, y = _data()
    counts = np.random.RandomState(1).randint(1, 4, len(y)).astype(float)
    params = {"hidden_size": 8, "max_epochs": 2, "batch_size": 8, "random_state": 0}
    huge = GRURegressor(**params).fit(X, y, sample_weight=counts * 1e30)
    assert len(huge.history_[-1, "batches"]) == 5  # one row per sample: 40 / 8
    fractional = GRURegressor(**params).fit(X, y, sample_weight=counts * 0.3)
    np.testing.assert_array_equal(huge.predict(X), fractional.predict(X))


# -- duplicate rows cost no optimizer steps ------------------------------------------


def _duplicated(n=1000, n_distinct=4):
    """A quantised sensor: n sequences, only n_distinct of them different."""
    rng = np.random.RandomState(0)
    X = rng.randn(n_distinct, 6, 1)[rng.randint(0, n_distinct, n)]
    return X, X[:, -1, 0] ** 2 + 0.5 * X[:, 0, 0]


def test_duplicate_rows_train_with_as_many_steps_as_rows():
    X, y = _duplicated()
    model = GRURegressor(max_epochs=20, linear_window=0, random_state=0).fit(X, y)
    assert len(model.history_[-1, "batches"]) == 16  # 1,000 rows in batches of 64
    # Merged into 4 weighted rows (one step an epoch) it reached R² 0.85.
    assert model.score(X, y) > 0.99


def test_whole_number_weights_are_counts_drawn_as_repeated_rows():
    """Counts give the batches that the repeated rows give: the same model, to the bit."""
    X, y = _duplicated(n=12, n_distinct=12)
    counts = np.arange(12) % 4  # zero weights included
    params = {"hidden_size": 8, "max_epochs": 3, "batch_size": 4, "random_state": 0}
    weighted = GRURegressor(**params).fit(X, y, sample_weight=counts)
    repeated = GRURegressor(**params).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert len(weighted.history_[-1, "batches"]) == 5  # 18 rows in batches of 4
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))


def test_errors_point_at_the_culprit_row_or_sequence():
    X, y = _data(n=20)
    y = y.copy()
    y[[7, 12]] = np.nan
    with pytest.raises(ValueError, match="y contains NaN \\(row 7 and 1 more\\)"):
        GRURegressor(max_epochs=1).fit(X, y)
    y[[7, 12]] = np.inf
    with pytest.raises(ValueError, match="y contains infinity \\(row 7 and 1 more\\)"):
        GRURegressor(max_epochs=1).fit(X[:, :, None], y)
    ragged = [np.ones((4, 1)), np.ones((3, 1)), np.ones((5, 2))]
    with pytest.raises(ValueError, match="\\[1, 2\\] features: X\\[0\\] has 1, X\\[2\\] has 2"):
        GRURegressor(max_epochs=1).fit(ragged, [1.0, 2.0, 3.0])
