"""Duplicate samples merged into weights, one canonical order, and what weights mean."""

import numpy as np


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
