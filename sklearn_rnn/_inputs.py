"""Every accepted input form to one internal form, validated.

The internal form of a set of sequences is a float32 array ``X`` of shape
``(n_samples, n_timesteps, n_features)`` whose valid steps are at the start of each
row (zeros after), plus ``lengths``, the number of valid steps per sample, or ``None``
when every sequence fills all ``n_timesteps`` (then no packing cost is paid).
"""

import contextlib
import numbers

import numpy as np
from sklearn.utils.validation import (  # sklearn private: _check_y, _get_feature_names
    _check_y,
    _get_feature_names,
    check_array,
    check_consistent_length,
    check_X_y,
    validate_data,
)


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


def _sequence(seq, i):
    """Sequence ``X[i]`` of a list, validated, as a 2-D (n_timesteps, n_features) array."""
    if type(seq) is np.ndarray and seq.dtype.kind == "f" and seq.ndim in (1, 2) and seq.size:
        # Fast path: a float array needs none of check_array's conversions (a tenth of
        # a millisecond a sequence); finiteness is checked afterwards.
        return seq.reshape(-1, 1) if seq.ndim == 1 else seq
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
    return seq


def _ragged_to_array(X):
    """A list of (n_timesteps_i, n_features) sequences in the internal form ``(X, lengths)``."""
    seqs = [_sequence(seq, i) for i, seq in enumerate(X)]
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


def _ragged_to_columns(estimator, X, n_columns, newest_first):
    """A list of 1-D sequences of different lengths, for a model of ``n_columns`` lag
    columns: one row each, in the model's column order (as a list of equal-length
    sequences is read), a shorter sequence's missing oldest steps NaN (it starts
    later): its first columns oldest first, its last ones newest first."""
    rows = np.full((len(X), n_columns), np.nan)
    for i, given in enumerate(X):
        if np.size(given) == 0:
            raise ValueError(f"X[{i}] is an empty sequence: a sequence needs a step.")
        seq = _sequence(given, i)
        if seq.shape[1] != 1 or len(seq) > n_columns:
            raise ValueError(
                f"X[{i}] has shape {np.shape(given)}, but this {type(estimator).__name__} was "
                f"fitted on 2-D input of {n_columns} time steps of one feature (a list "
                "of equal-length sequences): it reads sequences of one feature and at "
                f"most {n_columns} steps. To read sequences of any length, fit on a 3-D "
                "array or on a list of sequences of different lengths."
            )
        if newest_first:
            rows[i, : len(seq)] = seq[:, 0]
        else:
            rows[i, n_columns - len(seq) :] = seq[:, 0]
    return rows


def nan_layout(missing):
    """Where NaN lies in sequences, from their mask of missing values (n_samples,
    n_timesteps, n_features), by the rule that only whole leading time steps may be NaN
    (a sequence that starts later): each sample's number of leading all-NaN steps, and
    what the rule refuses: steps NaN in some features only (partial, (n_samples,
    n_timesteps)), samples with no observed step (empty, (n_samples,)), and all-NaN
    steps after a sample's first observed one (inside, (n_samples, n_timesteps))."""
    step_missing = missing.all(axis=2)
    partial = missing.any(axis=2) & ~step_missing
    n_timesteps = missing.shape[1]
    n_leading = np.where(step_missing.all(axis=1), n_timesteps, np.argmin(step_missing, axis=1))
    empty = n_leading == n_timesteps
    inside = step_missing & (np.arange(n_timesteps) >= n_leading[:, None])
    return n_leading, partial, empty, inside


def _left_align(X, newest_first=False):
    """Turn leading-NaN padding into lengths; raise on any other NaN or on inf.

    ``X`` is a float32 array (n_samples, n_timesteps, n_features), never modified;
    ``newest_first`` says that it came from 2-D columns given newest first (reversed
    here), for the messages. Returns the internal form ``(X, lengths)``.
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
    n_leading, partial, empty, inside = nan_layout(~finite)  # NaN only, from here on
    if partial.any():
        i, t = np.argwhere(partial)[0]
        raise ValueError(
            f"Input X contains NaN inside a time step (sample {i}, step {t} has NaN "
            "in some but not all features). Only whole leading time steps may be NaN, "
            "meaning that a sequence starts later."
        )
    if empty.any():
        raise ValueError(
            f"Input X contains NaN in every time step of sample {np.flatnonzero(empty)[0]}: "
            "a sequence needs at least one observed step."
        )
    if inside.any():
        i = np.flatnonzero(inside.any(axis=1))[0]
        if newest_first:
            column = X.shape[1] - 1 - int(np.flatnonzero(inside[i])[-1])
            raise ValueError(
                f"Input X contains NaN in column {column} of row {i}, newer than its "
                "oldest observed step (column_order='newest_first': the first column is "
                "the newest step). Only the oldest steps, the last columns, may be NaN "
                "(a sequence that starts later); impute or drop missing values inside "
                "a sequence."
            )
        raise ValueError(
            f"Input X contains NaN after the first observed time step of sample {i}. "
            "Only leading NaN time steps are allowed (a sequence that starts later); "
            "impute or drop missing values inside a sequence."
        )
    n_timesteps = X.shape[1]
    steps = np.arange(n_timesteps)
    lengths = n_timesteps - n_leading
    max_len = int(lengths.max())
    # Shift each sequence to the start of its row; what follows it is zero padding.
    index = np.minimum(steps[:max_len] + n_leading[:, None], n_timesteps - 1)
    out = np.take_along_axis(X, index[:, :, None], axis=1)
    out[steps[:max_len] >= lengths[:, None]] = 0.0
    if (lengths == max_len).all():
        return out, None
    return out, lengths.astype(np.int64)


def check_sequences(
    estimator, X, y="no_validation", *, form=None, y_numeric=True, newest_first=False
):
    """Validate ``X`` (and ``y``) in any accepted form; return the internal form.

    Nothing is set on ``estimator``: what ``fit`` must record is returned in ``info``.

    Parameters
    ----------
    estimator : estimator
        The estimator that validates: named in error messages, and, when ``form``
        is given, the one whose ``n_features_in_`` and ``feature_names_in_`` a 2-D
        ``X`` is checked against.
    X : array-like or list of array-like
        2-D (n_samples, n_timesteps), 3-D (n_samples, n_timesteps, n_features) or a
        list of (n_timesteps_i, n_features) sequences.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs) or None, \
            default="no_validation"
        Targets, validated with ``X`` unless "no_validation"; None is an error, as in
        scikit-learn's ``validate_data``.
    form : dict or None, default=None
        None in ``fit`` (the input form is recorded). Else the input form seen in
        ``fit``, ``{"tabular": bool, "n_features": int}``, that ``X`` must have.
    y_numeric : bool, default=True
        Whether ``y`` must be numeric (regression) or may hold labels of any kind.
    newest_first : bool, default=False
        Whether the columns of a 2-D ``X`` run from the newest time step to the oldest.

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
    if ragged and form is not None and form["tabular"]:
        # Fitted on a list of equal-length 1-D sequences (lag columns): a list of
        # different lengths is the same form, its shorter sequences starting later.
        X, ragged = _ragged_to_columns(estimator, X, form["n_features"], newest_first), False
    ndim = 3 if ragged else input_ndim(X)
    if form is not None and ndim == 2 and not form["tabular"] and form["n_features"] == 1:
        # A model of one-feature sequences reads (n, T) as n sequences of T steps: what a
        # list of equal-length 1-D sequences, or MAPIE's (1, n_features_in_) probe, means.
        X = check_array(X, dtype="numeric", ensure_all_finite=False, estimator=estimator)
        X, ndim = X[:, :, None], 3
    if ndim == 1:
        raise ValueError(
            "Expected 2D array, got 1D array instead. Reshape your data: a time series "
            "is framed first (frame_forecast(series) gives each time point's window and "
            "the next value, or put SlidingWindowTransformer before the estimator in a "
            "pipeline); one sequence is X.reshape(1, -1) (its steps as columns); one "
            "feature of many samples, X.reshape(-1, 1)."
        )
    if ndim > 3:
        raise ValueError(
            f"X has {ndim} dimensions (shape {np.shape(X)}); {type(estimator).__name__} "
            "takes 2-D lag columns (n_samples, n_timesteps), 3-D sequences (n_samples, "
            "n_timesteps, n_features) or a list of (n_timesteps_i, n_features) sequences."
        )
    if form is not None:
        _check_fitted_form(estimator, ndim, form)
    if ndim != 3:
        # Tabular input (or invalid dimensions, reported in scikit-learn's words):
        # each column is one time step of one feature, the oldest first once
        # ``newest_first`` columns are reversed; leading NaN columns of a row mean that
        # its sequence starts later.
        X, y, names = _check_tabular(estimator, X, y, form, y_numeric)
        with np.errstate(over="ignore"):  # reported below, with its place
            X3 = np.ascontiguousarray(X, dtype=np.float32)[:, :, None]
        if np.isinf(X3).any():  # finite in float64, beyond float32
            i, t, _ = np.argwhere(np.isinf(X3))[0]
            raise ValueError(
                f"Input X contains a value too large for float32 ({X[i, t]:g} in row {i}, "
                f"column {t}); the networks compute in float32, whose largest value is "
                f"{np.finfo(np.float32).max:.4g}. Scale X."
            )
        n_columns = X3.shape[1]
        if newest_first:
            X3 = np.ascontiguousarray(X3[:, ::-1])
        X3, lengths = _left_align(X3, newest_first=newest_first)
        if y is not None and y_numeric:
            _check_numeric_targets(y)
        info = {"tabular": True, "n_features": n_columns, "feature_names_in": names}
        return X3, lengths, y, info

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
    if form is not None and X3.shape[2] != form["n_features"]:
        raise ValueError(
            f"X has {X3.shape[2]} feature(s) per time step, but "
            f"{type(estimator).__name__} is expecting {form['n_features']} feature(s) "
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


@contextlib.contextmanager
def naming_non_numeric_columns(X):
    """scikit-learn's "could not convert string to float" names no column: say which."""
    try:
        yield
    except ValueError as exc:
        if "could not convert" not in str(exc) or getattr(X, "ndim", 2) != 2:
            raise
        columns = getattr(X, "columns", None)
        frame = X if columns is not None else None
        values = np.asarray(X, dtype=object) if frame is None else None
        names = list(columns) if columns is not None else list(range(values.shape[1]))
        for j, name in enumerate(names):
            column = frame[name] if frame is not None else values[:, j]
            try:
                np.asarray(column, dtype=np.float64)
            except (TypeError, ValueError):
                first = next(v for v in column if not _is_number(v))
                where = f"column {name!r}" if frame is not None else f"column {j}"
                raise ValueError(
                    f"{where} of X is not numeric (it holds {first!r}): the networks read "
                    "numbers only. Encode it first, for example with OneHotEncoder or "
                    "OrdinalEncoder in a ColumnTransformer, or drop it."
                ) from exc
        raise


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_tabular(estimator, X, y, form, y_numeric):
    """Validate a 2-D ``X`` (and ``y``) with scikit-learn's own checks and messages.

    In ``fit`` (``form`` None) ``check_X_y``, which sets nothing on the estimator, and
    the column names it would record; else ``validate_data`` with ``reset=False``, which
    checks ``n_features_in_`` and ``feature_names_in_`` and sets nothing either, and the
    fitted names (a continued fit keeps them).
    """
    # NaN is read afterwards (leading NaN: a sequence that starts later); infinity is not.
    kwargs = {"dtype": "numeric", "ensure_all_finite": "allow-nan"}
    no_y = isinstance(y, str) and y == "no_validation"
    if not no_y:
        kwargs.update(multi_output=True, y_numeric=y_numeric)
    with naming_non_numeric_columns(X):
        return _check_tabular_numeric(estimator, X, y, form, kwargs, no_y)


def _check_tabular_numeric(estimator, X, y, form, kwargs, no_y):
    if form is not None:  # the names checked against the fitted ones, which stay
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


def _check_fitted_form(estimator, ndim, form):
    """Sequences for a model fitted on tabular input, or the reverse, are an error."""
    name, n_features = type(estimator).__name__, form["n_features"]
    if form["tabular"] and ndim == 3:
        raise ValueError(
            f"X is a set of 3-D or ragged sequences, but this {name} was fitted on 2-D "
            f"input, read as {n_features} time steps of one feature. Pass a 2-D array of "
            f"shape (n_samples, {n_features})."
        )
    if not form["tabular"] and ndim == 2:
        raise ValueError(
            f"X is 2-D, but this {name} was fitted on 3-D or ragged sequences with "
            f"{n_features} feature(s) per time step. Pass X of shape (n_samples, "
            f"n_timesteps, {n_features}) or a list of (n_timesteps_i, {n_features}) arrays."
        )
