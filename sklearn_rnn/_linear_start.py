"""The start of the linear path: ridge regression on the steps it reads.

A new regressor's network starts where a linear model on the same window ends: its
linear path at ``RidgeCV``'s solution (penalty by leave-one-out error, on the rows whose
windows fill the path), its recurrent head at zero. Early stopping then keeps that start
unless training beats it (see ``_torch/training.py``, which reads the path's inputs from
the network and sets its weights). In numpy and scikit-learn only.
"""

import numpy as np
from sklearn.linear_model import Ridge, RidgeCV
from threadpoolctl import threadpool_limits

from ._weights import relative_weights

__all__ = ["RIDGE_ALPHAS", "complete_rows", "ridge_start"]


# The penalties among which the linear path's ridge start chooses by leave-one-out
# error (on standardised inputs and targets: from nearly none to strong shrinkage). The
# smallest, 1e-4, lets a target that is an exact linear function of its window (a sum
# of steps) start within 1e-6 of its scale; 1e-2, the smallest before, left 2e-5.
RIDGE_ALPHAS = np.logspace(-4, 3, 15)


def ridge_start(Z, lengths, window, y, sample_weight, quantile=None):
    """The linear path's start: weights ``(inputs, outputs)`` and intercept, float32.

    scikit-learn's ``RidgeCV`` of ``y`` on ``Z``, the steps the linear path reads (its
    last ``window`` steps of each sequence, ``lengths`` long), its penalty chosen among
    ``RIDGE_ALPHAS`` by the efficient leave-one-out error, fitted on the rows whose
    sequences fill those steps (see :func:`complete_rows`). In float64 with one BLAS
    thread, so that the result does not depend on the number of threads (serial and
    parallel searches agree to the last bit). For a loss that estimates a ``quantile``
    of ``y`` (the pinball loss, the absolute error's median) the intercept moves by that
    quantile of the ridge's residuals: the start then predicts that quantile of a linear
    model, not the mean (two interval bounds both started at the mean, and kept there
    by early stopping, made an interval of width zero).
    """
    weight = None if sample_weight is None else relative_weights(sample_weight)
    complete = complete_rows(lengths, window, sample_weight, Z.shape[1])
    if complete is not None:
        Z, y = Z[complete], y[complete]
        weight = None if weight is None else relative_weights(weight[complete])
    if weight is not None:
        # Rounded to float32, the network's precision: weights that differ only in the
        # last bits of a float64 (0.3 and 1e30 times the same counts) give the same
        # start, which a small penalty would otherwise carry to the predictions.
        weight = weight.astype(np.float32).astype(np.float64)
    with threadpool_limits(limits=1, user_api="blas"):
        Z = Z.astype(np.float64)
        # One distinct sample leaves no other to validate on: no leave-one-out error to
        # choose by, and the strongest penalty (the weighted mean, in effect).
        ridge = Ridge(alpha=RIDGE_ALPHAS[-1]) if len(Z) < 2 else RidgeCV(alphas=RIDGE_ALPHAS)
        ridge.fit(Z, y.astype(np.float64), sample_weight=weight)
        residuals = y.reshape(len(y), -1) - ridge.predict(Z).reshape(len(y), -1)
    coef = np.atleast_2d(ridge.coef_).T  # (inputs, outputs)
    intercept = np.atleast_1d(ridge.intercept_)
    if quantile is not None:
        intercept = intercept + _weighted_quantile(residuals, quantile, weight)
    return coef.astype(np.float32), intercept.astype(np.float32)


# The ridge start fits the rows whose sequences fill the linear window when there are at
# least this many, and at least twice as many as the linear path has inputs: a row that
# starts later reads zeros before its start, which are no values of the series (the first
# rows of a series framed in windows), but a window's weights fitted on few more rows than
# they are many start from the penalty alone. (The README's search on the airline series:
# in TimeSeriesSplit(3)'s first two folds, 8 and 36 rows fill a 24-step window; fitted on
# them alone, that window's start lost to the 12-step one, which the search chose in two
# seeds of three, at 1.45 times the holdout error of RidgeCV on 24 lags; fitted on every
# row below 48 complete ones, the search chose 24 steps in every seed, at 1.09 times.)
MIN_COMPLETE_ROWS = 5


def complete_rows(lengths, window, sample_weight=None, n_inputs=0):
    """The rows whose sequences fill the last ``window`` steps, or None for all rows
    (every row is complete, or fewer are than ``MIN_COMPLETE_ROWS`` or than twice the
    ``n_inputs`` weights they would fit)."""
    if lengths is None:
        return None
    complete = lengths >= window
    if sample_weight is not None:
        complete &= sample_weight > 0
    if complete.all() or complete.sum() < max(MIN_COMPLETE_ROWS, 2 * n_inputs):
        return None
    return np.flatnonzero(complete)


def _weighted_quantile(values, quantile, weight=None):
    """Each column's ``quantile`` (the inverted empirical distribution: the smallest
    value whose cumulative weight reaches ``quantile`` of the total)."""
    weight = np.ones(len(values)) if weight is None else np.asarray(weight, np.float64)
    order = np.argsort(values, axis=0, kind="stable")
    cumulative = np.cumsum(weight[order], axis=0)
    rank = (cumulative < quantile * cumulative[-1]).sum(axis=0)
    return np.take_along_axis(values, order, axis=0)[
        np.minimum(rank, len(values) - 1), np.arange(values.shape[1])
    ]
