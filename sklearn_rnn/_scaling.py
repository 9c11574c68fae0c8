"""Scaling statistics over the observed steps of the internal form, and scaling."""

import numpy as np

from ._weights import relative_weights


def feature_statistics(X, lengths=None, sample_weight=None):
    """Weighted mean and standard deviation of each feature over the observed steps.

    Padding (steps at or after ``lengths``) is left out; each observed step counts with
    its sample's weight, so integer weights give the statistics of repeated samples.
    A feature with no spread gets a scale of 1, so standardising never divides by zero.
    Returns float32 arrays of shape (n_features,).
    """
    n_samples, n_steps, n_features = X.shape
    weight = np.ones(n_samples) if sample_weight is None else relative_weights(sample_weight)
    if lengths is None:
        step_weight = np.broadcast_to(weight[:, None], (n_samples, n_steps)).reshape(-1)
        return _weighted_moments(X.reshape(-1, n_features), step_weight)
    # The observed steps only: a few long sequences among short ones leave most of
    # the padded array empty.
    return _weighted_moments(X[_observed(X, lengths)], np.repeat(weight, lengths))


def _observed(X, lengths):
    """The mask of observed steps, (n_samples, n_timesteps), of the internal form."""
    return np.arange(X.shape[1]) < lengths[:, None]


def _weighted_moments(values, weight):
    """Weighted mean and standard deviation of each column of ``values``, in float32.

    Sums by numpy's own (pairwise) reductions rather than BLAS, whose result would
    depend on the number of threads.
    """
    total = weight.sum()
    weight = weight[:, None]
    mean = np.sum(weight * values, axis=0, dtype=np.float64) / total
    variance = np.sum(weight * np.square(values - mean), axis=0) / total
    scale = np.sqrt(variance)
    # Constant (or numerically constant) columns: scale 1, as StandardScaler does.
    scale[scale <= 10 * np.finfo(np.float32).eps * np.maximum(1.0, np.abs(mean))] = 1.0
    # Rounded to float32, the network's precision: sums over the same samples in
    # another order (or repeated samples against integer weights) differ in the last
    # bits of a float64, which would otherwise reach the predictions.
    return mean.astype(np.float32), scale.astype(np.float32)


def target_statistics(y, sample_weight=None):
    """Weighted mean and standard deviation of each column of a 2-D ``y`` (float32)."""
    weight = np.ones(len(y)) if sample_weight is None else relative_weights(sample_weight)
    return _weighted_moments(np.asarray(y, dtype=np.float64), weight)


def standardize(X, lengths, mean, scale, *, in_place=False):
    """``(X - mean) / scale`` as float32, with the padding kept at zero: a new array, or
    ``X`` itself with ``in_place`` (a float32 array of the caller's own, zero padding)."""
    if in_place:
        if lengths is None:
            X -= mean
            X /= scale
        else:
            observed = _observed(X, lengths)
            X[observed] = (X[observed] - mean) / scale
        return X
    if lengths is None:
        return ((X - mean) / scale).astype(np.float32, copy=False)
    observed = _observed(X, lengths)
    out = np.zeros(X.shape, dtype=np.float32)
    out[observed] = (X[observed] - mean) / scale
    return out
