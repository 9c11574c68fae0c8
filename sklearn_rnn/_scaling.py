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


def last_steps(X, lengths):
    """The last observed step of each sequence of the internal form, (n_samples,
    n_features): the last value a forecast starts from."""
    if lengths is None:
        return X[:, -1, :]
    return X[np.arange(len(X)), lengths - 1]


def window_changes(X, lengths):
    """Each sequence's scale, (n_samples, n_features): the mean absolute change between
    its consecutive observed steps, feature by feature; where a sequence has no change
    (one step, or constant), the mean absolute value of its steps, and where that is zero
    too, 1. What a change from the last value is divided by when series of any magnitude
    train together."""
    n_samples, n_steps, n_features = X.shape
    X = X.astype(np.float64)
    changes = np.abs(np.diff(X, axis=1))  # (n, T - 1, F)
    levels = np.abs(X)
    if lengths is None:
        counted = np.full((n_samples, 1), n_steps - 1)
        mean_change = changes.sum(axis=1) / np.maximum(counted, 1)
        mean_level = levels.mean(axis=1)
    else:
        observed = _observed(X, lengths)[:, :, None]
        counted = (lengths - 1)[:, None]
        mean_change = (changes * observed[:, 1:]).sum(axis=1) / np.maximum(counted, 1)
        mean_level = (levels * observed).sum(axis=1) / lengths[:, None]
    scale = np.where(mean_change > 0, mean_change, mean_level)
    scale = np.where(scale > 0, scale, 1.0)
    return scale.astype(np.float32)


def relative_inputs(X, lengths, last, scale=None):
    """Each sequence relative to its last observed step, beside the sequence itself:
    float32 ``(n_samples, n_timesteps, 2 * n_features)``, the relative features first,
    padding kept at zero. With ``scale`` (n_samples, n_features), the relative steps
    divided by it, alone: ``(n_samples, n_timesteps, n_features)``."""
    relative = X - last[:, None, :]
    if scale is not None:
        relative /= scale[:, None, :]
    if lengths is not None:
        relative[~_observed(X, lengths)] = 0.0
    if scale is not None:
        return relative.astype(np.float32, copy=False)
    return np.concatenate([relative, X], axis=2).astype(np.float32, copy=False)
