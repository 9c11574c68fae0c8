"""Many series, one model: a panel framed in one call, and time splits within each series."""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils._param_validation import (  # private, see _base.py
    Interval,
    validate_parameter_constraints,
    validate_params,
)

from ._params import reject_booleans
from ._window import _windows

__all__ = ["Panel", "SeriesTimeSplit", "frame_panel"]


@dataclass
class Panel:
    """A panel of series framed for one model: what :func:`frame_panel` returns.

    Attributes
    ----------
    X : ndarray of shape (n_rows, history, n_features)
        Each row's window of the ``history`` most recent steps of its series, NaN before
        the series' first step; never across two series.
    y : ndarray of shape (n_rows,) or (n_rows, horizon)
        The target's next value, or next ``horizon`` values, after each row.
    series : ndarray of shape (n_rows,)
        The series of each row (``groups`` for :class:`SeriesTimeSplit`).
    time : ndarray of shape (n_rows,)
        The time of each row's last step: its forecast origin.
    X_last : ndarray of shape (n_series, history, n_features)
        Each series' last window, which ends at its last observation: what a model
        forecasts past the data from.
    series_ids : ndarray of shape (n_series,)
        The series, in the order of ``X_last``.
    last_time : ndarray of shape (n_series,)
        The time of each series' last observation.
    future_time : ndarray of shape (n_series, horizon)
        The times the forecasts from ``X_last`` are for: a series' last time plus 1 to
        ``horizon`` steps of its own spacing (its last two times' difference).
    """

    X: np.ndarray
    y: np.ndarray
    series: np.ndarray
    time: np.ndarray
    X_last: np.ndarray
    series_ids: np.ndarray
    last_time: np.ndarray
    future_time: np.ndarray

    def forecasts(self, y_pred, name="y"):
        """Forecasts from ``X_last`` in the long format (series, time, value).

        Parameters
        ----------
        y_pred : array-like of shape (n_series,) or (n_series, horizon)
            A model's predictions for ``X_last``.
        name : str, default="y"
            The name of the value column.

        Returns
        -------
        forecasts : pandas.DataFrame or dict of ndarray
            Columns ``unique_id``, ``ds`` and ``name``, one row a series and step (as
            statsforecast and neuralforecast write forecasts); a dict of the same
            arrays where pandas is not installed.
        """
        horizon = self.future_time.shape[1]
        y_pred = np.asarray(y_pred, dtype=float).reshape(len(self.series_ids), -1)
        if y_pred.shape[1] != horizon:
            raise ValueError(
                f"y_pred has {y_pred.shape[1]} value(s) a series; the panel was framed "
                f"for a horizon of {horizon}."
            )
        columns = {
            "unique_id": np.repeat(self.series_ids, horizon),
            "ds": self.future_time.ravel(),
            name: y_pred.ravel(),
        }
        try:
            import pandas as pd
        except ImportError:
            return columns
        return pd.DataFrame(columns)


def _as_series(data, id_column, time_column, target):
    """``[(id, times, values (n, n_features), target position)]`` from a long frame, a
    dict of series or a list of arrays."""
    if hasattr(data, "groupby") and hasattr(data, "columns"):  # a long DataFrame
        for column in (id_column, time_column):
            if column not in data.columns:
                raise ValueError(
                    f"The frame has no column {column!r} (columns: {list(data.columns)}); "
                    "name its series and time columns with id_column= and time_column=."
                )
        values = [c for c in data.columns if c not in (id_column, time_column)]
        if target is None:
            target = "y" if "y" in values else (values[0] if len(values) == 1 else None)
        if target not in values:
            raise ValueError(
                f"target={target!r} is not a value column of the frame ({values}); name the "
                "column to forecast with target=."
            )
        values = [target] + [c for c in values if c != target]  # the target first
        frame = data.sort_values([id_column, time_column], kind="stable")
        out = []
        for key, group in frame.groupby(id_column, sort=False):
            out.append((key, group[time_column].to_numpy(), group[values].to_numpy(float), 0))
        return out
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, (list, tuple)):
        items = list(enumerate(data))
    else:
        raise TypeError(
            "frame_panel takes a long DataFrame (series, time and value columns), a dict "
            f"of series or a list of arrays; got {type(data).__name__}."
        )
    out = []
    for key, series in items:
        times = np.asarray(series.index) if hasattr(series, "index") else None
        values = np.asarray(series, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(
                f"Series {key!r} has shape {values.shape}; each series is (n_times,) or "
                "(n_times, n_features)."
            )
        position = 0 if target is None else target
        if not -values.shape[1] <= position < values.shape[1]:
            raise ValueError(f"target={target} is out of range for series {key!r}.")
        times = np.arange(len(values)) if times is None else times
        out.append((key, times, values, position % values.shape[1]))
    return out


_FRAME_PANEL_CONSTRAINTS = {
    "data": [object],  # its forms are checked in _as_series
    "horizon": [Interval(Integral, 1, None, closed="left")],
    "history": [Interval(Integral, 1, None, closed="left")],
    "min_history": [Interval(Integral, 1, None, closed="left"), None],
    "target": [None, Integral, str],
    "id_column": [str],
    "time_column": [str],
}


@validate_params(_FRAME_PANEL_CONSTRAINTS, prefer_skip_nested_validation=True)
def frame_panel(
    data,
    *,
    horizon=1,
    history=12,
    min_history=None,
    target=None,
    id_column="unique_id",
    time_column="ds",
):
    """Frame many series for one model: windows within each series, their targets, the
    series of each row, and each series' last window.

    Each row is a time point of one series with its window of the ``history`` most
    recent steps of that series (NaN before the series' first step, never a step of
    another series) and the next value, or the next ``horizon`` values, of its target.
    Rows are ordered by their distance to their series' last row, oldest first, so that
    the last rows hold the latest time points of every series: early stopping's held-out
    tail (``validation_fraction``) and a :class:`~sklearn.model_selection.TimeSeriesSplit`
    fold then hold out each series' latest steps rather than the last series.
    :class:`SeriesTimeSplit` splits exactly so, series by series.

    Parameters
    ----------
    data : DataFrame, dict or list
        The series: a long DataFrame with a series column, a time column and value
        columns, as statsforecast, neuralforecast and skforecast write them; a dict of
        named series (arrays, pandas Series or DataFrames, their index the time); or a
        list of arrays. A series of several columns (exogenous features with the target)
        gives windows of several features.

    horizon : int, default=1
        Number of future steps to predict.

    history : int, default=12
        Steps in each window: the largest window a model or a search will read.

    min_history : int or None, default=None
        Rows whose window holds fewer observed steps are left out (the first rows of
        each series); None keeps every row. A model scaled by each window
        (``window_scale="changes"``) reads a window's scale from its steps: a few steps
        give a noisy scale.

    target : str, int or None, default=None
        The column to forecast: in a long frame a value column's name ("y" by default,
        or the only value column), which the windows put first; in a dict or list the
        position in each series (None: the first).

    id_column, time_column : str, default="unique_id" and "ds"
        The series and time columns of a long frame (statsforecast's names).

    Returns
    -------
    panel : Panel
        ``X``, ``y``, ``series`` and ``time`` of the rows, and ``X_last``, ``series_ids``,
        ``last_time`` and ``future_time`` of each series; ``panel.forecasts(y_pred)``
        puts the forecasts from ``X_last`` in the long format.

    See Also
    --------
    SeriesTimeSplit : Time splits within each series of a panel.
    frame_forecast : One series.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import frame_panel
    >>> panel = frame_panel({"a": np.arange(5.0), "b": 100 + np.arange(4.0)}, history=3)
    >>> panel.X.shape, panel.series.tolist()  # the latest row of each series last
    ((7, 3, 1), ['a', 'a', 'b', 'a', 'b', 'a', 'b'])
    >>> panel.y.tolist()
    [1.0, 2.0, 101.0, 3.0, 102.0, 4.0, 103.0]
    >>> panel.X_last[:, :, 0]
    array([[  2.,   3.,   4.],
           [101., 102., 103.]])
    """
    reject_booleans(
        "frame_panel",
        {"horizon": horizon, "history": history, "min_history": min_history},
        _FRAME_PANEL_CONSTRAINTS,
    )
    rows = []  # (distance to the series' last row, series order, X, y, id, time)
    last = []
    for order, (key, times, values, position) in enumerate(
        _as_series(data, id_column, time_column, target)
    ):
        if not np.isfinite(values).all():
            row = int(np.argwhere(~np.isfinite(values))[0][0])
            raise ValueError(
                f"Series {key!r} holds NaN or infinity (at step {row}): frame_panel windows "
                "complete series. Fill gaps first (pandas' interpolate or ffill)."
            )
        if len(values) == 0:
            raise ValueError(f"Series {key!r} is empty.")
        values = values[:, [position] + [c for c in range(values.shape[1]) if c != position]]
        windows = _windows(values, history)
        last.append((key, windows[-1], times))
        n_rows = len(values) - horizon
        if n_rows < 1:
            continue  # too short to learn from; still forecast from
        future = np.lib.stride_tricks.sliding_window_view(values[1:, 0], horizon)[:n_rows]
        keep = np.arange(n_rows)
        if min_history is not None:
            keep = keep[np.minimum(keep + 1, history) >= min_history]
        for t in keep:
            rows.append((n_rows - 1 - t, order, windows[t], future[t], key, times[t]))
    if not rows:
        raise ValueError(
            f"No series is longer than horizon={horizon} with min_history={min_history}: "
            "there is no row to learn from."
        )
    rows.sort(key=lambda row: (-row[0], row[1]))
    y = np.array([row[3] for row in rows])
    return Panel(
        X=np.stack([row[2] for row in rows]),
        y=y[:, 0] if horizon == 1 else y,
        series=np.array([row[4] for row in rows]),
        time=np.array([row[5] for row in rows]),
        X_last=np.stack([window for _, window, _ in last]),
        series_ids=np.array([key for key, _, _ in last]),
        last_time=np.array([times[-1] for _, _, times in last]),
        future_time=np.array([_future(times, horizon) for _, _, times in last]),
    )


def _future(times, horizon):
    """The ``horizon`` times after a series' last: of dates, at the calendar frequency
    pandas infers from them (yearly, monthly...); else at the last spacing (a step of 1
    for a series of one time)."""
    if np.issubdtype(np.asarray(times).dtype, np.datetime64) and len(times) > 2:
        import pandas as pd  # dates come from a frame

        index = pd.DatetimeIndex(times)
        frequency = pd.infer_freq(index)
        if frequency is not None:
            return pd.date_range(index[-1], periods=horizon + 1, freq=frequency)[1:].to_numpy()
    step = times[-1] - times[-2] if len(times) > 1 else 1
    return np.array([times[-1] + step * k for k in range(1, horizon + 1)])


class SeriesTimeSplit(BaseCrossValidator):
    """Time splits within each series of a panel: each fold tests every series' next
    block of latest rows and trains on the rows before it, as ``TimeSeriesSplit`` does
    for one series.

    The rows of each series (its ``groups`` value) are taken in the order given, oldest
    first, and cut into ``n_splits + 1`` blocks of ``test_size`` rows at its end (by
    default, an equal share of its rows); fold ``k`` tests block ``k + 1`` of every
    series and trains on the blocks before it, of every series. A series with too few
    rows for the test blocks only ever trains. So ``GridSearchCV(..., cv=SeriesTimeSplit(),
    ).fit(X, y, groups=panel.series)`` tunes one model of many series without testing on
    the past of what it trained on, in any series.

    Parameters
    ----------
    n_splits : int, default=3
        Number of folds.

    test_size : int or None, default=None
        Rows of each series in each test block; None: each series' rows divided by
        ``n_splits + 1``, at least 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import SeriesTimeSplit
    >>> groups = np.array(["a"] * 4 + ["b"] * 8)
    >>> for train, test in SeriesTimeSplit(n_splits=2).split(groups, groups=groups):
    ...     print(train.tolist(), test.tolist())
    [0, 1, 4, 5, 6, 7] [2, 8, 9]
    [0, 1, 2, 4, 5, 6, 7, 8, 9] [3, 10, 11]
    """

    _parameter_constraints: dict = {
        "n_splits": [Interval(Integral, 1, None, closed="left")],
        "test_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, n_splits=3, *, test_size=None):
        self.n_splits = n_splits
        self.test_size = test_size

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds, ``n_splits``."""
        self._check_params()
        return self.n_splits

    def _check_params(self):
        """The parameters' constraints, checked where they are used (as ``fit`` checks
        an estimator's): a clear error that names the parameter."""
        params = {"n_splits": self.n_splits, "test_size": self.test_size}
        name = type(self).__name__
        validate_parameter_constraints(self._parameter_constraints, params, name)
        reject_booleans(name, params, self._parameter_constraints)

    def split(self, X, y=None, groups=None):
        """Indices of each fold's training and test rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The rows (only their number is used).
        y : None
            Ignored.
        groups : array-like of shape (n_samples,)
            The series of each row, as ``Panel.series``.

        Yields
        ------
        train, test : ndarray
            Row indices, each in ascending order.
        """
        self._check_params()
        if groups is None:
            raise ValueError(
                "SeriesTimeSplit needs the series of each row: split(X, groups=series), "
                "or GridSearchCV(...).fit(X, y, groups=panel.series)."
            )
        groups = np.asarray(groups)
        if len(groups) != len(X):
            raise ValueError(f"groups has {len(groups)} rows, X has {len(X)}.")
        k = self.n_splits
        folds = [([], []) for _ in range(k)]
        for rows in _rows_of_each_group(groups):
            size = self.test_size or max(len(rows) // (k + 1), 1)
            if len(rows) <= k * size:  # no room to train before the first test block
                for train, _ in folds:
                    train.append(rows)
                continue
            first = len(rows) - k * size
            for fold, (train, test) in enumerate(folds):
                start = first + fold * size
                train.append(rows[:start])
                test.append(rows[start : start + size])
        empty = np.array([], dtype=np.intp)
        for train, test in folds:
            yield np.sort(np.concatenate(train)), np.sort(np.concatenate([empty, *test]))

    def _iter_test_indices(self, X=None, y=None, groups=None):  # BaseCrossValidator's
        for _, test in self.split(X, y, groups):
            yield test


def _rows_of_each_group(groups):
    """The row indices of each group (in the order given), the groups in the order they
    first appear: one pass over the rows, whatever the number of groups."""
    codes = {}
    inverse = np.array([codes.setdefault(g, len(codes)) for g in groups.tolist()], dtype=np.intp)
    order = np.argsort(inverse, kind="stable")
    return np.split(order, np.cumsum(np.bincount(inverse, minlength=len(codes)))[:-1])
