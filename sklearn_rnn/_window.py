"""Sliding windows over a time series, and the framing of a forecasting problem."""

import warnings
from numbers import Integral

import numpy as np

# Private names of scikit-learn used here, as its own transformers use them:
# _fit_context (parameter validation), Interval and validate_params of
# _param_validation, _check_feature_names_in (input feature names for
# get_feature_names_out), and the _sklearn_output_config attribute of set_output.
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_array,
    check_is_fitted,
    validate_data,
)

from ._inputs import input_ndim, naming_non_numeric_columns, nan_layout
from ._params import reject_booleans

__all__ = ["SlidingWindowTransformer", "frame_forecast"]


def _as_2d_series(X):
    """A pandas Series becomes a one-column frame; everything else passes through."""
    if hasattr(X, "to_frame") and getattr(X, "ndim", None) == 1:
        return X.to_frame()
    return X


def _validate_series(transformer, X, reset):
    """A numeric 2-D series, or 3-D windows with history, as float32 (if given so) or
    float64; strings, NaN (but the leading steps of a window) and infinity are errors
    that say where. Checked before anything is recorded, so a refused input leaves
    nothing set."""
    X = _as_2d_series(X)
    ndim = input_ndim(X)
    if ndim == 3:
        return _validate_windows(transformer, X, reset)
    if ndim == 1:
        raise ValueError(
            "Expected 2D array, got 1D array instead. Reshape your data: "
            f"{type(transformer).__name__} takes a series as rows (oldest first) and "
            "its features as columns, so one series is series.reshape(-1, 1); or frame it "
            "with frame_forecast(series, history=k), which gives every row its window "
            "and the value that follows."
        )
    with naming_non_numeric_columns(X):
        if reset:
            values = check_array(X, dtype="numeric", ensure_all_finite=False, ensure_2d=False)
            _refuse_gaps(type(transformer).__name__, values)
        X = validate_data(transformer, X, reset=reset, dtype="numeric", ensure_all_finite=False)
    if not reset:
        _refuse_gaps(type(transformer).__name__, X)
    return X.astype(np.float32 if X.dtype == np.float32 else np.float64, copy=False)


def _validate_windows(transformer, X, reset):
    """3-D windows ``(n_rows, n_steps, n_features)``, each row its own history: NaN only
    as whole leading steps (before the series' start). ``fit`` records the number of
    features per step."""
    X = check_array(X, dtype="numeric", ensure_all_finite=False, allow_nd=True)
    name = type(transformer).__name__
    if X.shape[1] == 0 or X.shape[2] == 0:
        raise ValueError(f"Found windows of shape {X.shape}: at least one step and feature.")
    if not reset and X.shape[2] != transformer.n_features_in_:
        raise ValueError(
            f"X has {X.shape[2]} features per step, but {name} is expecting "
            f"{transformer.n_features_in_} features as input."
        )
    if X.shape[1] < transformer.window_size:
        raise ValueError(
            f"The windows given hold {X.shape[1]} steps, fewer than window_size="
            f"{transformer.window_size}: frame the series with at least as much history "
            f"(frame_forecast(series, history={transformer.window_size}))."
        )
    missing = np.isnan(X)
    if np.isinf(X).any():
        row, step, feature = np.argwhere(np.isinf(X))[0]
        raise ValueError(f"Input X contains infinity (row {row}, step {step}, feature {feature}).")
    if missing.any():
        _, partial, empty, inside = nan_layout(missing)
        refused = partial.any(axis=1) | empty | inside.any(axis=1)
        if refused.any():
            rows = np.flatnonzero(refused)
            raise ValueError(
                f"Input X contains NaN inside the window of row {rows[0]}: {name} takes "
                "windows whose only NaN are whole leading steps, before the series' start "
                "(as frame_forecast(series, history=k) gives them). Fill gaps first."
            )
    if reset:
        transformer.n_features_in_ = X.shape[2]
        if hasattr(transformer, "feature_names_in_"):
            del transformer.feature_names_in_
    return X.astype(np.float32 if X.dtype == np.float32 else np.float64, copy=False)


def _refuse_gaps(owner, values):
    """A clear error for NaN or infinity in a series: where, and how to fill it."""
    missing = ~np.isfinite(values)
    if missing.any() and values.ndim == 2:
        row, column = np.argwhere(missing)[0]
        what = "NaN" if np.isnan(values[row, column]) else "infinity"
        raise ValueError(
            f"Input X contains {what} (row {row}, column {column}): "
            f"{owner} windows a complete series. Fill gaps first "
            "(pandas' interpolate or ffill, or SimpleImputer before it in the pipeline). "
            "NaN is allowed only as the leading steps of a sequence given to the "
            "estimators directly, meaning that it starts later."
        )


class SlidingWindowTransformer(TransformerMixin, BaseEstimator):
    """Turn a time series into one window of recent history per time point.

    Row ``t`` of the output holds rows ``t - window_size + 1 .. t`` of the series, the
    oldest first. The first ``window_size - 1`` rows have less history than that: their
    windows begin with NaN time steps, which :class:`LSTMRegressor` and the other
    regressors of this package read as shorter sequences. Every row of the series keeps
    its row in the output, so a target ``y`` stays aligned with ``X`` and the transformer
    works inside a :class:`~sklearn.pipeline.Pipeline`, where ``window_size`` can be
    tuned by :class:`~sklearn.model_selection.GridSearchCV` with the network.

    It takes either form of a series:

    - a 2-D series ``(n_times, n_features)``: the windows are built from its rows, so
      a row's window depends on the rows before it, and a part of the series (a
      cross-validation fold) starts without history;
    - 3-D windows ``(n_rows, n_steps, n_features)`` that already carry each row's
      history, as ``frame_forecast(series, history=k)`` gives them: each row keeps its
      ``window_size`` most recent steps (``window_size`` at most ``k``). A row then
      depends on itself alone, so every fold's rows have their full history. Frame once
      with the largest window a search tries.

    Parameters
    ----------
    window_size : int, default=10
        Number of time steps in each window.

    flatten : bool, default=False
        If False, the output is 3-D, ``(n_times, window_size, n_features)``: sequences
        for the recurrent regressors. If True, it is 2-D,
        ``(n_times, window_size * n_features)``: lagged features for a tabular model
        (Ridge, gradient boosting) as a baseline in the same pipeline, with column names
        from :meth:`get_feature_names_out` and pandas output through ``set_output``.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (columns) of the series seen in ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the series' columns, when ``fit`` was given a DataFrame (or a named
        Series) with string column names.

    See Also
    --------
    frame_forecast : Align a series with the values that follow it, as ``X`` and ``y``.
    LSTMRegressor : A recurrent regressor that reads the windows.

    Notes
    -----
    From a 2-D series, a window depends on the rows before it by definition, so
    transforming a subset of rows or the rows in another order is not the same as
    transforming all of them and then selecting: scikit-learn's two checks that assume
    row independence cannot pass. When a pipeline predicts on a test period alone, the
    first ``window_size - 1`` test rows see only the history inside the test period.
    Windows framed with history (3-D input) have neither limitation: transforming any
    subset of rows, in any order, gives the same rows as transforming all of them.

    The series must not contain NaN or infinite values: impute them first. In 3-D
    windows, NaN may only fill whole leading steps (the steps before the series'
    start).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import SlidingWindowTransformer
    >>> series = np.arange(5.0).reshape(-1, 1)
    >>> SlidingWindowTransformer(window_size=3).fit_transform(series)[:, :, 0]
    array([[nan, nan,  0.],
           [nan,  0.,  1.],
           [ 0.,  1.,  2.],
           [ 1.,  2.,  3.],
           [ 2.,  3.,  4.]])
    >>> flat = SlidingWindowTransformer(window_size=2, flatten=True).fit(series)
    >>> flat.get_feature_names_out()
    array(['x0_lag1', 'x0_lag0'], dtype=object)

    Windows framed with four steps of history, of which each row keeps the last two:

    >>> from sklearn_rnn import frame_forecast
    >>> X, y = frame_forecast(series, history=4)
    >>> SlidingWindowTransformer(window_size=2).fit_transform(X)[:, :, 0]
    array([[nan,  0.],
           [ 0.,  1.],
           [ 1.,  2.],
           [ 2.,  3.]])
    """

    _parameter_constraints: dict = {
        "window_size": [Interval(Integral, 1, None, closed="left")],
        "flatten": ["boolean"],
    }

    def __init__(self, window_size=10, *, flatten=False):
        self.window_size = window_size
        self.flatten = flatten

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features (and their names) of the series.

        Parameters
        ----------
        X : array-like of shape (n_times, n_features) or (n_rows, n_steps, \
                n_features), or pandas Series
            The series, oldest row first; or windows with history, oldest step first.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        reject_booleans(type(self).__name__, vars(self), self._parameter_constraints)
        X = _validate_series(self, X, reset=True)
        if X.ndim == 2 and self.window_size > len(X):
            warnings.warn(
                f"window_size={self.window_size} is longer than the series ({len(X)} "
                "rows): no window is complete, every one begins with NaN steps.",
                UserWarning,
                stacklevel=2,
            )
        return self

    def transform(self, X):
        """Window the series.

        Parameters
        ----------
        X : array-like of shape (n_times, n_features) or (n_rows, n_steps, \
                n_features), or pandas Series
            The series, oldest row first, with the features seen in ``fit``; or windows
            with history (``n_steps`` at least ``window_size``), either form whichever
            ``fit`` saw.

        Returns
        -------
        windows : ndarray of shape (n_times, window_size, n_features) or \
                (n_times, window_size * n_features)
            Row ``t`` holds the series' rows ``t - window_size + 1 .. t``, NaN where
            those are before the start of the series (from 3-D input: the last
            ``window_size`` steps of row ``t``). 2-D when ``flatten=True``.
        """
        check_is_fitted(self)
        X = _validate_series(self, X, reset=False)
        window_size = self.window_size
        if X.ndim == 3:  # each row's own history: its most recent window_size steps
            windows = np.ascontiguousarray(X[:, X.shape[1] - window_size :])
            if self.flatten:
                return windows.reshape(len(X), -1)
            return windows
        windows = _windows(X, window_size)
        if self.flatten:
            return windows.reshape(len(X), -1)
        return windows

    def set_output(self, *, transform=None):
        """Set the output container of ``transform`` and ``fit_transform``.

        With ``flatten=True`` the 2-D lag features become a DataFrame (or polars
        frame) with the names of :meth:`get_feature_names_out`. With ``flatten=False``
        the output stays a 3-D numpy array, which no DataFrame can hold, whatever is
        set here: so ``Pipeline.set_output(transform="pandas")`` and
        ``config_context(transform_output="pandas")`` configure the steps before the
        windows (a ``StandardScaler`` gives a DataFrame, which this transformer takes)
        and leave the windows to the regressor.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            As in scikit-learn's ``set_output``; None leaves the configuration alone.

        Returns
        -------
        self : SlidingWindowTransformer
            The transformer.
        """
        if transform is None:
            return self
        # The attribute that scikit-learn's own set_output (unavailable without
        # get_feature_names_out) writes, and that its output wrapping reads.
        self._sklearn_output_config = {
            **getattr(self, "_sklearn_output_config", {}),
            "transform": transform,
        }
        return self

    @available_if(lambda self: self.flatten)
    def get_feature_names_out(self, input_features=None):
        """Names of the flattened columns: each input feature at each lag.

        Available with ``flatten=True`` only. Lag 0 is the row itself, lag
        ``window_size - 1`` the oldest row of the window; columns go from the oldest
        lag to lag 0, and within a lag through the features in input order.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; by default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"<feature>_lag<k>"`` for every lag and feature.
        """
        check_is_fitted(self)
        input_features = _check_feature_names_in(self, input_features)
        return np.asarray(
            [
                f"{feature}_lag{lag}"
                for lag in range(self.window_size - 1, -1, -1)
                for feature in input_features
            ],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


_FRAME_FORECAST_CONSTRAINTS = {
    "X": ["array-like"],
    "horizon": [Interval(Integral, 1, None, closed="left")],
    "target": [None, Integral, str],
    "history": [Interval(Integral, 1, None, closed="left"), None],
}


@validate_params(_FRAME_FORECAST_CONSTRAINTS, prefer_skip_nested_validation=True)
def frame_forecast(X, *, horizon=1, target=None, history=None):
    """Align a series with the values that follow each row: ``X`` and ``y`` to fit.

    Row ``t`` of the returned ``X`` is row ``t`` of the series; row ``t`` of ``y`` holds
    the target's values at ``t + 1, ..., t + horizon``. The last ``horizon`` rows of the
    series have no complete future and are dropped. A window that ends at row ``t`` (as
    :class:`SlidingWindowTransformer` builds) therefore never sees a value at or after
    the first one it must predict. With ``horizon > 1`` a regressor that accepts 2-D
    ``y`` forecasts all the steps at once (direct multi-step forecasting).

    With ``history=k``, row ``t`` of ``X`` is instead the window of the ``k`` most recent
    rows up to ``t``, ``(k, n_features)``, NaN only before the series' first row. Each
    row then carries its own history: any subset of rows (a cross-validation fold)
    keeps it, and a :class:`SlidingWindowTransformer` in a pipeline keeps the last
    ``window_size <= k`` steps of each, so that the window size stays tunable. This is
    the form to cross-validate and grid-search with; frame with the largest window the
    search tries. With ``horizon > 1``, the ``horizon - 1`` rows before a test fold hold
    some of its targets: cross-validate with ``TimeSeriesSplit(gap=horizon - 1)``.

    Parameters
    ----------
    X : array-like of shape (n_times,) or (n_times, n_features)
        The series, oldest row first; a pandas Series or DataFrame keeps its index.

    horizon : int, default=1
        Number of future steps to predict.

    target : int, str or None, default=None
        The column to forecast, by position or by name. None: the only column, or the
        column named "y" (as in :func:`frame_panel`).

    history : int or None, default=None
        If given, each row of ``X`` is the window of the ``history`` most recent rows of
        the series up to it (3-D), instead of the row alone.

    Returns
    -------
    X : ndarray or DataFrame of shape (n_times - horizon, n_features) or \
            (n_times - horizon, history, n_features)
        The inputs, in the type given (a 1-D input becomes one column); with
        ``history``, a 3-D array of windows, oldest step first.

    y : ndarray or pandas object of shape (n_times - horizon,) or \
            (n_times - horizon, horizon)
        The future values: 1-D when ``horizon=1``, else one column per step ahead
        (named ``"<target>+1"``, ... for pandas input).

    See Also
    --------
    SlidingWindowTransformer : Windows of recent history, one per row.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import frame_forecast
    >>> X, y = frame_forecast(np.arange(6.0), horizon=2)
    >>> X.ravel()
    array([0., 1., 2., 3.])
    >>> y
    array([[1., 2.],
           [2., 3.],
           [3., 4.],
           [4., 5.]])
    >>> X, y = frame_forecast(np.arange(6.0), history=3)
    >>> X[:, :, 0]
    array([[nan, nan,  0.],
           [nan,  0.,  1.],
           [ 0.,  1.,  2.],
           [ 1.,  2.,  3.],
           [ 2.,  3.,  4.]])
    """
    reject_booleans(
        "frame_forecast", {"horizon": horizon, "history": history}, _FRAME_FORECAST_CONSTRAINTS
    )
    X = _as_2d_series(X)
    is_frame = hasattr(X, "iloc")
    values = np.asarray(X)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
        X = values
    if values.ndim != 2:
        raise ValueError(f"Expected a series of shape (n_times, n_features); got {values.shape}.")
    n_times, n_features = values.shape
    if n_times <= horizon:
        raise ValueError(
            f"The series has {n_times} time step(s); at least horizon + 1 = {horizon + 1} "
            "are needed to frame one forecast."
        )
    columns = list(X.columns) if is_frame else list(range(n_features))
    if target is None:
        if n_features != 1 and "y" not in columns:
            named = "none is named 'y'" if is_frame else "no column names"
            raise ValueError(
                f"The series has {n_features} columns and {named}; pass target= to say "
                "which to forecast."
            )
        position = columns.index("y") if n_features != 1 else 0
    elif isinstance(target, str):
        if target not in columns:
            raise ValueError(f"target={target!r} is not a column of X; columns: {columns}.")
        position = columns.index(target)
    else:
        if not -n_features <= target < n_features:
            raise ValueError(f"target={target} is out of range for {n_features} column(s).")
        position = target % n_features
    series = values[:, position]
    future = np.lib.stride_tricks.sliding_window_view(series[1:], horizon)
    y = np.array(future[: n_times - horizon])
    if horizon == 1:
        y = y[:, 0]
    if history is not None:
        with naming_non_numeric_columns(X):
            numeric = check_array(values, dtype="numeric", ensure_all_finite=False)
        _refuse_gaps("frame_forecast", numeric)
        windows = _windows(numeric[: n_times - horizon], history)
    if is_frame:
        import pandas as pd  # a DataFrame was given, so pandas is there

        name = columns[position]
        index = X.index[: n_times - horizon]
        if horizon == 1:
            y = pd.Series(y, index=index, name=name)
        else:
            y = pd.DataFrame(y, index=index, columns=[f"{name}+{k}" for k in range(1, horizon + 1)])
        return (X.iloc[: n_times - horizon] if history is None else windows), y
    return (values[: n_times - horizon].copy() if history is None else windows), y


def _windows(series, window_size):
    """Row ``t``: rows ``t - window_size + 1 .. t`` of a 2-D series, NaN before its start
    (a new array, (n_times, window_size, n_features), in the series' float dtype)."""
    n_times, n_features = series.shape
    dtype = series.dtype if series.dtype.kind == "f" else np.float64
    padded = np.full((n_times + window_size - 1, n_features), np.nan, dtype=dtype)
    padded[window_size - 1 :] = series
    # (n_times, n_features, window_size) view -> (n_times, window_size, n_features)
    windows = np.lib.stride_tricks.sliding_window_view(padded, window_size, axis=0)
    return np.ascontiguousarray(windows.transpose(0, 2, 1))
