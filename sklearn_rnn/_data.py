"""The data layer: every accepted input form to one internal form, and fast batching.

The internal form of a set of sequences is a float32 array ``X`` of shape
``(n_samples, n_timesteps, n_features)`` whose valid steps are at the start of each
row (zeros after), plus ``lengths``, the number of valid steps per sample, or ``None``
when every sequence fills all ``n_timesteps`` (then no packing cost is paid).
"""

import numbers

import numpy as np
import torch
from sklearn.utils.validation import (  # sklearn private: _check_y, _get_feature_names
    _check_y,
    _get_feature_names,
    check_array,
    check_consistent_length,
    check_X_y,
    validate_data,
)

__all__ = [
    "BatchIterator",
    "SequenceDataset",
    "as_tensor",
    "canonicalize",
    "check_sequences",
    "feature_statistics",
    "is_ragged",
    "relative_weights",
    "repeats_or_weights",
    "standardize",
    "target_statistics",
]


def is_ragged(X):
    """Whether ``X`` is a list or tuple of sequences that do not stack into one array."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    first = X[0]
    if isinstance(first, numbers.Number) or isinstance(first, (str, bytes)):
        return False
    shapes = set()
    for seq in X:
        shape = getattr(seq, "shape", None)
        if shape is None:
            try:
                shape = np.shape(seq)
            except ValueError:  # an inhomogeneous nested list is itself ragged
                return True
        shapes.add(tuple(shape))
    # Sequences of one shape stack into a 3-D (or 2-D) array; let the array path
    # handle them so that they get the same validation as an array.
    return len(shapes) > 1


def input_ndim(X):
    """Number of dimensions of an array-like, without copying arrays and frames."""
    ndim = getattr(X, "ndim", None)
    if isinstance(ndim, numbers.Integral):
        return int(ndim)
    return np.asarray(X).ndim


def _ragged_to_array(X):
    """A list of (n_timesteps_i, n_features) sequences in the internal form ``(X, lengths)``."""
    seqs = []
    for i, seq in enumerate(X):
        if type(seq) is np.ndarray and seq.dtype.kind == "f" and seq.ndim in (1, 2) and seq.size:
            # Fast path: a float array needs none of check_array's conversions (a
            # tenth of a millisecond a sequence); finiteness is checked afterwards.
            seqs.append(seq.reshape(-1, 1) if seq.ndim == 1 else seq)
            continue
        try:
            seq = check_array(
                seq,
                ensure_2d=False,
                allow_nd=True,
                dtype="numeric",
                ensure_all_finite=False,
                input_name=f"X[{i}]",
            )
        except ValueError as exc:
            raise ValueError(f"Sequence X[{i}] of the list X is invalid: {exc}") from exc
        if seq.ndim == 1:
            seq = seq.reshape(-1, 1)
        if seq.ndim != 2:
            raise ValueError(
                f"Each sequence in a list X must be 1-D (n_timesteps,) or 2-D "
                f"(n_timesteps, n_features); X[{i}] has shape {seq.shape}."
            )
        seqs.append(seq)
    n_features = {seq.shape[1] for seq in seqs}
    if len(n_features) > 1:
        counts = sorted(n_features)
        odd = next(i for i, seq in enumerate(seqs) if seq.shape[1] != seqs[0].shape[1])
        raise ValueError(
            f"All sequences in a list X must have the same number of features per "
            f"time step; found sequences with {counts} features: X[0] has "
            f"{seqs[0].shape[1]}, X[{odd}] has {seqs[odd].shape[1]}."
        )
    n_timesteps = max(seq.shape[0] for seq in seqs)
    shape = (len(seqs), n_timesteps, n_features.pop())
    # The internal form directly, each sequence at the start of its row: unless a
    # sequence holds NaN (leading steps of a later start, or an error), which the
    # NaN-led path below checks and aligns.
    with np.errstate(over="ignore"):  # beyond float32: reported by _left_align
        out = np.zeros(shape, dtype=np.float32)
        for i, seq in enumerate(seqs):
            out[i, : seq.shape[0]] = seq
        if np.isfinite(out).all():
            return out, np.array([seq.shape[0] for seq in seqs], dtype=np.int64)
        out = np.full(shape, np.nan, dtype=np.float32)
        for i, seq in enumerate(seqs):
            out[i, n_timesteps - seq.shape[0] :] = seq
    return _left_align(out)


def _left_align(X):
    """Turn leading-NaN padding into lengths; raise on any other NaN or on inf.

    ``X`` is a float32 array (n_samples, n_timesteps, n_features), never modified.
    Returns the internal form ``(X, lengths)``.
    """
    finite = np.isfinite(X)
    if finite.all():
        return X, None
    if np.isinf(X).any():
        i, t, f = np.argwhere(np.isinf(X))[0]
        raise ValueError(
            "Input X contains infinity or a value too large for dtype('float32') "
            f"(sample {i}, step {t}, feature {f}); the networks compute in float32, whose "
            f"largest value is {np.finfo(np.float32).max:.4g}."
        )
    missing = ~finite  # NaN only, from here on
    row_missing = missing.all(axis=2)
    partial = missing.any(axis=2) & ~row_missing
    if partial.any():
        i, t = np.argwhere(partial)[0]
        raise ValueError(
            f"Input X contains NaN inside a time step (sample {i}, step {t} has NaN "
            "in some but not all features). Only whole leading time steps may be NaN, "
            "meaning that a sequence starts later."
        )
    n_samples, n_timesteps, _ = X.shape
    n_leading = np.where(row_missing.all(axis=1), n_timesteps, np.argmin(row_missing, axis=1))
    empty = np.flatnonzero(n_leading == n_timesteps)
    if empty.size:
        raise ValueError(
            f"Input X contains NaN in every time step of sample {empty[0]}: a sequence "
            "needs at least one observed step."
        )
    steps = np.arange(n_timesteps)
    if (row_missing & (steps >= n_leading[:, None])).any():
        i = np.flatnonzero((row_missing & (steps >= n_leading[:, None])).any(axis=1))[0]
        raise ValueError(
            f"Input X contains NaN after the first observed time step of sample {i}. "
            "Only leading NaN time steps are allowed (a sequence that starts later); "
            "impute or drop missing values inside a sequence."
        )
    lengths = n_timesteps - n_leading
    max_len = int(lengths.max())
    # Shift each sequence to the start of its row; what follows it is zero padding.
    index = np.minimum(steps[:max_len] + n_leading[:, None], n_timesteps - 1)
    out = np.take_along_axis(X, index[:, :, None], axis=1)
    out[steps[:max_len] >= lengths[:, None]] = 0.0
    if (lengths == max_len).all():
        return out, None
    return out, lengths.astype(np.int64)


def check_sequences(estimator, X, y="no_validation", *, fitted=None, y_numeric=True):
    """Validate ``X`` (and ``y``) in any accepted form; return the internal form.

    Nothing is set on ``estimator``: what ``fit`` must record is returned in ``info``.

    Parameters
    ----------
    estimator : estimator
        The estimator that validates: named in error messages, and, when ``fitted``
        is given, the one whose ``n_features_in_`` and ``feature_names_in_`` a 2-D
        ``X`` is checked against.
    X : array-like or list of array-like
        2-D (n_samples, n_timesteps), 3-D (n_samples, n_timesteps, n_features) or a
        list of (n_timesteps_i, n_features) sequences.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs) or None, \
            default="no_validation"
        Targets, validated with ``X`` unless "no_validation"; None is an error, as in
        scikit-learn's ``validate_data``.
    fitted : dict or None, default=None
        None in ``fit`` (the input form is recorded). Else the input form seen in
        ``fit``, ``{"tabular": bool, "n_features": int}``, that ``X`` must have.
    y_numeric : bool, default=True
        Whether ``y`` must be numeric (regression) or may hold labels of any kind.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, n_features), float32
    lengths : ndarray of shape (n_samples,) or None
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs), or None
    info : dict
        ``{"tabular": bool, "n_features": int, "feature_names_in": ndarray or None}``.
    """
    if isinstance(X, (list, tuple)) and len(X) == 0:
        raise ValueError("Found an empty list X: 0 sample(s), while a minimum of 1 is required.")
    no_y = isinstance(y, str) and y == "no_validation"
    for name, value in [("X", X), ("y", None if no_y else y)]:
        if isinstance(value, np.ma.MaskedArray):
            raise ValueError(
                f"{name} is a masked array; its mask would be ignored. Fill the masked "
                f"values first: {name}.filled(np.nan) marks leading steps as missing (a "
                "sequence that starts later); elsewhere, impute or drop them."
            )
    if not no_y and y is not None:
        _name_missing_targets(y)
    ragged = is_ragged(X)
    ndim = 3 if ragged else input_ndim(X)
    if fitted is not None and ndim == 2 and not fitted["tabular"] and fitted["n_features"] == 1:
        # A model of one-feature sequences reads (n, T) as n sequences of T steps: what a
        # list of equal-length 1-D sequences, or MAPIE's (1, n_features_in_) probe, means.
        X = check_array(X, dtype="numeric", ensure_all_finite=False, estimator=estimator)
        X, ndim = X[:, :, None], 3
    if fitted is not None:
        _check_fitted_form(estimator, ndim, fitted)
    if ndim != 3:
        # Tabular input (or invalid dimensions, reported in scikit-learn's words):
        # each column is one time step of one feature.
        X, y, names = _check_tabular(estimator, X, y, fitted, y_numeric)
        with np.errstate(over="ignore"):  # reported below, with its place
            X3 = np.ascontiguousarray(X, dtype=np.float32)[:, :, None]
        if not np.isfinite(X3).all():  # finite in float64, beyond float32
            i, t, _ = np.argwhere(~np.isfinite(X3))[0]
            raise ValueError(
                f"Input X contains a value too large for float32 ({X[i, t]:g} in row {i}, "
                f"column {t}); the networks compute in float32, whose largest value is "
                f"{np.finfo(np.float32).max:.4g}. Scale X."
            )
        if y is not None and y_numeric:
            _check_numeric_targets(y)
        info = {"tabular": True, "n_features": X3.shape[1], "feature_names_in": names}
        return X3, None, y, info

    if ragged:
        X3, lengths = _ragged_to_array(X)
    elif (
        type(X) is np.ndarray
        and X.dtype in (np.float32, np.float64)
        and min(X.shape) > 0
        and X.flags.c_contiguous
    ):
        # Fast path, for prediction latency: a plain float array needs none of
        # check_array's conversions; finiteness is checked below as for any input.
        with np.errstate(over="ignore"):  # reported by _left_align, with its place
            X3 = X.astype(np.float32, copy=False)
    else:
        X3 = check_array(
            X,
            allow_nd=True,
            dtype="numeric",
            ensure_all_finite=False,
            estimator=estimator,
            input_name="X",
        )
        for axis, what in [(1, "time step"), (2, "feature")]:
            if X3.shape[axis] == 0:
                raise ValueError(
                    f"Found array with 0 {what}(s) (shape={X3.shape}) while a minimum "
                    "of 1 is required."
                )
        with np.errstate(over="ignore"):  # reported by _left_align, with its place
            X3 = np.ascontiguousarray(X3, dtype=np.float32)
    if no_y:
        y = None
    elif y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    else:
        # sklearn private: _check_y, the y half of check_X_y.
        y = _check_y(y, multi_output=True, y_numeric=y_numeric, estimator=estimator)
        check_consistent_length(X3, y)
        if y_numeric:
            _check_numeric_targets(y)
    if fitted is not None and X3.shape[2] != fitted["n_features"]:
        raise ValueError(
            f"X has {X3.shape[2]} feature(s) per time step, but "
            f"{type(estimator).__name__} is expecting {fitted['n_features']} feature(s) "
            "per time step as input."
        )
    if not ragged:
        X3, lengths = _left_align(X3)
    info = {"tabular": False, "n_features": X3.shape[2], "feature_names_in": None}
    return X3, lengths, y, info


def _name_missing_targets(y):
    """NaN or infinity in a float ``y``: say which rows (scikit-learn's check does not)."""
    try:
        values = np.asarray(y)
    except (TypeError, ValueError):
        return  # scikit-learn's own checks report it
    if values.dtype.kind != "f" or values.ndim not in (1, 2) or not len(values):
        return
    bad = ~np.isfinite(values.reshape(len(values), -1)).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        what = "NaN" if np.isnan(values[rows[0]]).any() else "infinity"
        more = f" and {len(rows) - 1} more" if len(rows) > 1 else ""
        raise ValueError(
            f"Input y contains {what} (row {rows[0]}{more}). Drop or impute the "
            "samples whose target is missing."
        )


def _check_numeric_targets(y):
    """Numeric targets must be finite in float32, the networks' precision.

    scikit-learn's checks let through ``None`` in an object array (it becomes NaN) and
    values finite in float64 but beyond float32.
    """
    values = np.asarray(y, dtype=np.float64)
    bad = ~(np.abs(values) <= np.finfo(np.float32).max)  # NaN too
    if not bad.any():
        return
    row = np.argwhere(bad)[0][0]
    value = values.reshape(len(values), -1)[row][bad.reshape(len(values), -1)[row]][0]
    if np.isnan(value):
        raise ValueError(
            f"Input y contains NaN (row {row}; None in an object array counts as NaN). "
            "Drop or impute the missing targets."
        )
    raise ValueError(
        f"Input y contains a value too large for float32 ({value:g} in row {row}); the "
        f"networks compute in float32, whose largest value is "
        f"{np.finfo(np.float32).max:.4g}. Scale y."
    )


def _check_tabular(estimator, X, y, fitted, y_numeric):
    """Validate a 2-D ``X`` (and ``y``) with scikit-learn's own checks and messages.

    In ``fit`` (``fitted`` None) ``check_X_y``, which sets nothing on the estimator, and
    the column names it would record; else ``validate_data`` with ``reset=False``, which
    checks ``n_features_in_`` and ``feature_names_in_`` and sets nothing either, and the
    fitted names (a continued fit keeps them).
    """
    kwargs = {"dtype": "numeric"}
    no_y = isinstance(y, str) and y == "no_validation"
    if not no_y:
        kwargs.update(multi_output=True, y_numeric=y_numeric)
    if fitted is not None:  # the names checked against the fitted ones, which stay
        names = getattr(estimator, "feature_names_in_", None)
        if no_y:
            return validate_data(estimator, X, reset=False, **kwargs), None, names
        X, y = validate_data(estimator, X, y, reset=False, **kwargs)
        return X, y, names
    names = _get_feature_names(X)  # sklearn private: what validate_data would record
    if no_y:
        return check_array(X, estimator=estimator, **kwargs), None, names
    X, y = check_X_y(X, y, estimator=estimator, **kwargs)
    return X, y, names


def _check_fitted_form(estimator, ndim, fitted):
    """Sequences for a model fitted on tabular input, or the reverse, are an error."""
    name, n_features = type(estimator).__name__, fitted["n_features"]
    if fitted["tabular"] and ndim == 3:
        raise ValueError(
            f"X is a set of 3-D or ragged sequences, but this {name} was fitted on 2-D "
            f"input, read as {n_features} time steps of one feature. Pass a 2-D array of "
            f"shape (n_samples, {n_features})."
        )
    if not fitted["tabular"] and ndim == 2:
        raise ValueError(
            f"X is 2-D, but this {name} was fitted on 3-D or ragged sequences with "
            f"{n_features} feature(s) per time step. Pass X of shape (n_samples, "
            f"n_timesteps, {n_features}) or a list of (n_timesteps_i, {n_features}) arrays."
        )


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


def standardize(X, lengths, mean, scale):
    """``(X - mean) / scale`` as a new float32 array, with the padding kept at zero."""
    if lengths is None:
        return ((X - mean) / scale).astype(np.float32, copy=False)
    observed = _observed(X, lengths)
    out = np.zeros(X.shape, dtype=np.float32)
    out[observed] = (X[observed] - mean) / scale
    return out


def canonicalize(X, lengths, y, sample_weight):
    """Merge identical samples and sort them into one canonical order.

    A sample that occurs ``k`` times becomes one sample whose weight is the sum of its
    ``k`` weights, and zero-weight samples are dropped. Samples are ordered by a hash of
    their bytes (ties by the bytes), which is fast and independent of the input order.
    Fitting on repeated samples and fitting with the equivalent integer
    ``sample_weight`` thus start from the same training set, in the same order, and give
    the same model to the last bit; and a fit does not depend on the order in which
    samples are given.

    Returns ``(X, lengths, y, sample_weight)``; ``sample_weight`` (float64) is ``None``
    when every weight is one. :func:`repeats_or_weights` says how training uses it.
    """
    n_samples = X.shape[0]
    # The canonical order: by a 64-bit hash of the row, ties broken by the row's bytes.
    hashes = _row_hashes(_row_bytes(X, lengths, y))
    order = np.argsort(hashes, kind="stable")
    sorted_hashes = hashes[order]
    if (sorted_hashes[1:] == sorted_hashes[:-1]).any():
        # Duplicates (or a rare hash collision): merge equal rows exactly, then order
        # the distinct rows (sorted by bytes) stably by hash.
        keys = _row_bytes(X, lengths, y)
        voids = keys.view(np.dtype((np.void, keys.shape[1]))).ravel()
        _, first, inverse = np.unique(voids, return_index=True, return_inverse=True)
        del keys, voids
        weight = np.ones(n_samples) if sample_weight is None else sample_weight
        merged = np.bincount(inverse.ravel(), weights=weight, minlength=len(first))
        by_hash = np.argsort(hashes[first], kind="stable")
        order, merged = first[by_hash], merged[by_hash]
    else:
        merged = np.ones(n_samples) if sample_weight is None else sample_weight[order]
    keep = merged > 0
    order, merged = order[keep], merged[keep]
    X, y = X[order], y[order]
    lengths = None if lengths is None else lengths[order]
    if lengths is not None and (lengths == X.shape[1]).all():
        lengths = None
    if np.all(merged == 1.0):
        return X, lengths, y, None
    return X, lengths, y, merged


# Whole-number weights summing to at most this many samples are counts (see
# repeats_or_weights). The bound keeps the repeated index (8 bytes a sample) and the
# length of an epoch sane for weights such as 1e30, which are then relative weights.
MAX_COUNTED_SAMPLES = 2**24


def repeats_or_weights(sample_weight):
    """How training uses the merged weights of :func:`canonicalize`: counts or weights.

    Whole-number weights (summing to at most ``MAX_COUNTED_SAMPLES``) are counts: each
    epoch draws its batches from an index that repeats each sample as often as its
    weight, exactly as if the sample occurred that many times, with an unweighted loss
    (so merged duplicates cost no optimizer steps). Other weights are relative: one row
    a sample, a weighted loss, and the weights rescaled to a mean of one (in float64,
    before the float32 cast, so that no weight overflows or underflows float32 and
    scaling all weights by a constant does not change the model).

    Returns ``(repeats, weights)``: int64 counts or None, float32 weights or None.
    """
    if sample_weight is None:
        return None, None
    if np.all(sample_weight == np.round(sample_weight)) and (
        sample_weight.sum() <= MAX_COUNTED_SAMPLES
    ):
        return sample_weight.astype(np.int64), None
    return None, relative_weights(sample_weight).astype(np.float32)


def relative_weights(sample_weight):
    """``sample_weight`` (float64, non-negative, not all zero) rescaled to a mean of one.

    First by the largest weight, so that the sum cannot overflow float64.
    """
    weight = sample_weight / sample_weight.max()
    return weight / weight.mean()


# Odd 64-bit multipliers of the row hash; fixed, so that the canonical order is too.
_HASH_MULTIPLIERS = np.random.default_rng(20261128).integers(
    0, 2**63, size=4096, dtype=np.uint64
) * np.uint64(2) + np.uint64(1)


def _row_bytes(X, lengths, y):
    """Each sample's X, y (and length) as one row of bytes, padded to 64-bit words."""
    n_samples = X.shape[0]
    parts = [X.reshape(n_samples, -1), y]
    if lengths is not None:
        parts.append(lengths.reshape(-1, 1))
    parts = [np.ascontiguousarray(part).view(np.uint8) for part in parts]
    n_bytes = sum(part.shape[1] for part in parts)
    parts.append(np.zeros((n_samples, -n_bytes % 8), dtype=np.uint8))
    return np.concatenate(parts, axis=1)


def _row_hashes(keys):
    """A 64-bit hash of each row of ``keys`` (uint8, a whole number of 64-bit words)."""
    words = keys.view(np.uint64)
    n_words = words.shape[1]
    multipliers = np.resize(_HASH_MULTIPLIERS, n_words)
    # Beyond 4,096 words the multipliers repeat, shifted by an even number: still odd.
    multipliers += np.uint64(2) * (np.arange(n_words, dtype=np.uint64) // len(_HASH_MULTIPLIERS))
    with np.errstate(over="ignore"):
        return (words * multipliers).sum(axis=1, dtype=np.uint64)  # modulo 2**64


def as_tensor(array):
    """A tensor over ``array`` without a copy where it is safe, else over a copy."""
    array = np.ascontiguousarray(array)
    if not array.flags.writeable:
        array = array.copy()
    return torch.from_numpy(array)


class SequenceDataset(torch.utils.data.Dataset):
    """Sequences held as whole tensors, so that a batch is one slice, not a collate.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_timesteps, n_features)
    y : torch.Tensor of shape (n_samples, n_outputs) or None
    lengths : torch.Tensor of shape (n_samples,), int64, on the CPU, or None
    sample_weight : torch.Tensor of shape (n_samples,) or None
    repeats : torch.Tensor of shape (n_samples,), int64, or None
        How many times each sample occurs (counts): the dataset then has
        ``repeats.sum()`` items, item ``i`` being sample ``index[i]`` where ``index``
        repeats each sample's position as often as its count.
    """

    def __init__(self, X, y=None, lengths=None, sample_weight=None, repeats=None):
        self.X = X
        self.y = y
        self.lengths = lengths
        self.sample_weight = sample_weight
        self.index = None
        if repeats is not None:
            self.index = torch.repeat_interleave(torch.arange(len(X)), repeats.cpu())

    def __len__(self):
        return len(self.X) if self.index is None else len(self.index)

    def item_lengths(self):
        """The number of valid steps of each item (repeats included), or None."""
        if self.lengths is None or self.index is None:
            return self.lengths
        return self.lengths[self.index]

    def take(self, index):
        """The batch at ``index`` (a slice or an index tensor) as ``(inputs, y)``.

        ``inputs`` is the ``X`` tensor when there are neither lengths nor weights, else
        a dict with ``"X"`` and whichever of ``"lengths"`` and ``"sample_weight"`` exist.
        """
        if self.index is not None:
            index = self.index[index.cpu() if isinstance(index, torch.Tensor) else index]
            if self.X.device.type != "cpu":
                index = index.to(self.X.device)
        if self.lengths is None and self.sample_weight is None:
            return self.X[index], (None if self.y is None else self.y[index])
        inputs = {"X": self.X[index]}
        if self.lengths is not None:
            # lengths stay on the CPU, where packing needs them.
            on_cpu = index.cpu() if isinstance(index, torch.Tensor) else index
            inputs["lengths"] = self.lengths[on_cpu]
        if self.sample_weight is not None:
            inputs["sample_weight"] = self.sample_weight[index]
        return inputs, (None if self.y is None else self.y[index])

    def __getitem__(self, i):
        return self.take(i)


class BatchIterator:
    """Mini-batches sliced from a :class:`SequenceDataset`; skorch's ``iterator_*``.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int
    shuffle : bool, default=False
        Draw a new permutation for every pass over the data.
    random_state : int, default=0
        Seed of the permutations.
    pad_to_multiple : int, default=1
        Pad the last batch with zero sequences to a multiple of this many rows (for
        prediction; :meth:`with_sizes` tells how many rows are real).

    Shuffled sequences of different lengths are bucketed: each pass draws a
    permutation, sorts each run of ``BUCKET_BATCHES`` batches of it by length, cuts
    the runs into batches and shuffles the batches. A batch then holds sequences of
    similar lengths, and little of its time goes to padding.
    """

    # How many batches' worth of shuffled sequences are sorted by length together:
    # enough for batches of similar lengths, few enough to keep the batches random.
    BUCKET_BATCHES = 16

    def __init__(self, dataset, batch_size, shuffle=False, random_state=0, pad_to_multiple=1):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(int(random_state))
        self.pad_to_multiple = pad_to_multiple

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        n_samples = len(self.dataset)
        batch_size = self.batch_size
        if self.shuffle and n_samples > batch_size:
            order = torch.randperm(n_samples, generator=self.generator)
            batches = list(torch.split(order, batch_size))
            lengths = self.dataset.item_lengths()
            if lengths is not None:
                batches = self._buckets(order, lengths)
            for batch in batches:
                if self.dataset.X.device.type != "cpu":
                    batch = batch.to(self.dataset.X.device)
                yield self.dataset.take(batch)
        else:
            # One batch, or no shuffling: plain slices are views, no copy at all.
            for start in range(0, n_samples, batch_size):
                yield self._padded(self.dataset.take(slice(start, start + batch_size)))

    def _buckets(self, order, lengths):
        """The batches of permutation ``order``, bucketed by length, in random order."""
        run = self.batch_size * self.BUCKET_BATCHES
        batches = []
        for chunk in torch.split(order, run):
            by_length = chunk[torch.argsort(lengths[chunk], stable=True)]
            batches.extend(torch.split(by_length, self.batch_size))
        shuffled = torch.randperm(len(batches), generator=self.generator)
        return [batches[i] for i in shuffled]

    def with_sizes(self):
        """Yield ``(batch, n_real_rows)``: the batches, and how many rows are not padding."""
        n_samples = len(self.dataset)
        for start, batch in zip(range(0, n_samples, self.batch_size), self, strict=True):
            yield batch, min(self.batch_size, n_samples - start)

    def _padded(self, batch):
        inputs, y = batch
        X = inputs["X"] if isinstance(inputs, dict) else inputs
        n_pad = -len(X) % self.pad_to_multiple
        if n_pad == 0:
            return batch
        X = torch.cat([X, X.new_zeros((n_pad,) + X.shape[1:])])
        if not isinstance(inputs, dict):
            return X, y
        inputs = dict(inputs, X=X)
        if "lengths" in inputs:
            full = torch.full((n_pad,), X.shape[1], dtype=inputs["lengths"].dtype)
            inputs["lengths"] = torch.cat([inputs["lengths"], full])
        return inputs, y
