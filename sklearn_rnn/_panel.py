"""Many series, one model: a panel framed in one call, and time splits within each series."""

from collections import Counter
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

    @property
    def horizon(self):
        """The number of future steps each row's target holds."""
        return self.future_time.shape[1]

    def time_split(self, n_splits=3, *, test_size=None):
        """A :class:`SeriesTimeSplit` for this panel's rows, whose gap keeps every test
        target out of training.

        A row's target holds its next ``horizon`` values, so the last ``horizon - 1``
        rows before a test block have targets inside it: the split leaves them out
        (``gap=horizon - 1``), as ``TimeSeriesSplit(gap=horizon - 1)`` does for one
        series.

        Parameters
        ----------
        n_splits : int, default=3
            Number of folds.
        test_size : int or None, default=None
            Rows of each series in each test block, as in :class:`SeriesTimeSplit`.

        Returns
        -------
        cv : SeriesTimeSplit
            Pass it as ``cv=`` with ``groups=panel.series``.
        """
        return SeriesTimeSplit(n_splits, test_size=test_size, gap=self.horizon - 1)

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
        horizon = self.horizon
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


def _target_position(columns, n_columns, target, where):
    """The position of the target among ``n_columns`` value columns named ``columns``
    (None for an array): one rule for every form. ``target`` is a name or a position;
    None means the column named "y", else the only column, else (an array) the first."""
    if target is None:
        if columns is None or n_columns == 1:
            return 0
        if "y" in columns:
            return columns.index("y")
        raise ValueError(
            f"{where} has several value columns ({columns}) and none is named 'y'; name "
            "the column to forecast with target=."
        )
    if isinstance(target, str):
        if columns is None:
            raise ValueError(
                f"target={target!r} names a column, but {where} has no column names: "
                "give the target's position, or a DataFrame (or a named pandas Series)."
            )
        if target not in columns:
            raise ValueError(
                f"target={target!r} is not a value column of {where} ({columns}); name "
                "the column to forecast with target=."
            )
        return columns.index(target)
    if not -n_columns <= target < n_columns:
        raise ValueError(f"target={target} is out of range for {where} ({n_columns} columns).")
    return target % n_columns


def _check_times(key, times):
    """Times of one series, sorted: one row a time."""
    repeated = times[1:] == times[:-1]
    if np.any(repeated):
        at = times[1:][repeated][0]
        raise ValueError(
            f"Series {key!r} has more than one row at time {at}: frame_panel takes one "
            "row a time step (aggregate repeated rows first)."
        )


def _as_series(data, id_column, time_column, target):
    """``[(id, times, values (n, n_features), target position)]`` from a long frame, a
    dict of series or a list of arrays, each series in the order of its times."""
    if hasattr(data, "groupby") and hasattr(data, "columns"):  # a long DataFrame
        for column in (id_column, time_column):
            if column not in data.columns:
                raise ValueError(
                    f"The frame has no column {column!r} (columns: {list(data.columns)}); "
                    "name its series and time columns with id_column= and time_column=."
                )
        missing = int(data[id_column].isna().sum())
        if missing:
            raise ValueError(
                f"{missing} row(s) of the frame have no series ({id_column!r} is missing): "
                "give every row its series, or drop those rows."
            )
        values = [c for c in data.columns if c not in (id_column, time_column)]
        position = _target_position(values, len(values), target, "the frame")
        values = [values[position]] + values[:position] + values[position + 1 :]
        frame = data.sort_values([id_column, time_column], kind="stable")
        out = []
        # observed=True: a categorical id's categories without rows are not series.
        for key, group in frame.groupby(id_column, sort=False, observed=True, dropna=False):
            times = group[time_column].to_numpy()
            _check_times(key, times)
            out.append((key, times, group[values].to_numpy(float), 0))
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
        times = None
        if hasattr(series, "index") and hasattr(series, "sort_index"):  # pandas
            series = series.sort_index(kind="stable")  # in the order of time
            times = np.asarray(series.index)
        columns = None
        if hasattr(series, "columns"):  # a DataFrame
            columns = list(series.columns)
        elif getattr(series, "name", None) is not None:  # a named pandas Series
            columns = [series.name]
        values = np.asarray(series, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(
                f"Series {key!r} has shape {values.shape}; each series is (n_times,) or "
                "(n_times, n_features)."
            )
        position = _target_position(columns, values.shape[1], target, f"series {key!r}")
        if times is None:
            times = np.arange(len(values))
        else:
            _check_times(key, times)
        out.append((key, times, values, position))
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
        each series); None keeps every row. At most ``history``. A model scaled by each window
        (``window_scale="changes"``) reads a window's scale from its steps: a few steps
        give a noisy scale.

    target : str, int or None, default=None
        The column to forecast, which the windows put first: a value column's name (of a
        long frame, or of each DataFrame in a dict) or its position among the value
        columns. None: the column named "y", else the only value column, else the first
        column of an array (named columns without "y" need ``target``).

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
    if min_history is not None and min_history > history:
        raise ValueError(
            f"min_history={min_history} is more than history={history}: a window holds "
            "at most history observed steps, so every row would be left out."
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
        future_time=_future_times(
            [times for _, _, times in last], horizon, [key for key, _, _ in last]
        ),
    )


def _future_times(all_times, horizon, keys):
    """The ``horizon`` times after each series' last, as an array (n_series, horizon).

    Dates step at the calendar frequency pandas infers from the series (yearly,
    monthly...), else at its last spacing; a series of one date, which has neither,
    takes the panel's: the frequency most of its other series have (the first seen of
    those as common), else their most common last spacing. Other times step at the last
    spacing (1 for a series of one time).
    """
    frequencies = [_frequency(times) for times in all_times]
    known = Counter(f for f in frequencies if f is not None)
    spacings = Counter(
        times[-1] - times[-2]
        for times in all_times
        if len(times) > 1 and np.issubdtype(np.asarray(times).dtype, np.datetime64)
    )
    out = []
    for key, times, frequency in zip(keys, all_times, frequencies, strict=True):
        dates = np.issubdtype(np.asarray(times).dtype, np.datetime64)
        step = times[-1] - times[-2] if len(times) > 1 else 1
        if dates and frequency is None and len(times) < 2:
            if known:
                frequency = known.most_common(1)[0][0]
            elif spacings:
                step = spacings.most_common(1)[0][0]
            else:
                raise ValueError(
                    f"Series {key!r} has one date, and no series of the panel has two: "
                    "its future dates are unknown. Give it more dates."
                )
        if frequency is not None:
            import pandas as pd  # dates come from pandas
            from pandas.tseries.frequencies import to_offset

            # Steps of the offset from the last date (pandas' date_range would first
            # move a date that is not on the offset's anchor to the next one).
            offset, last = to_offset(frequency), pd.Timestamp(times[-1])
            out.append(
                np.array([(last + k * offset).to_datetime64() for k in range(1, horizon + 1)])
            )
            continue
        out.append(np.array([times[-1] + step * k for k in range(1, horizon + 1)]))
    return np.array(out)


def _frequency(times):
    """The calendar frequency pandas infers from a series' dates, or None."""
    if not np.issubdtype(np.asarray(times).dtype, np.datetime64) or len(times) < 3:
        return None
    import pandas as pd  # dates come from pandas

    return pd.infer_freq(pd.DatetimeIndex(times))


class SeriesTimeSplit(BaseCrossValidator):
    """Time splits within each series of a panel: each fold tests every series' next
    block of latest rows and trains on the rows before it, as ``TimeSeriesSplit`` does
    for one series.

    The rows of each series (its ``groups`` value) are taken in the order given, oldest
    first, and cut into ``n_splits + 1`` blocks of ``test_size`` rows at its end (by
    default, an equal share of its rows); fold ``k`` tests block ``k + 1`` of every
    series and trains on the blocks before it, of every series, less the ``gap`` rows
    just before the test block. A series with too few rows for the test blocks (and
    the gap, and a row to train on) only ever trains. So
    ``GridSearchCV(..., cv=panel.time_split()).fit(X, y, groups=panel.series)`` tunes
    one model of many series without testing on the past of what it trained on, in
    any series.

    Parameters
    ----------
    n_splits : int, default=3
        Number of folds.

    test_size : int or None, default=None
        Rows of each series in each test block; None: each series' rows (less the gap)
        divided by ``n_splits + 1``, at least 1.

    gap : int, default=0
        Rows left out of training before each test block, in each series. A row of a
        panel framed with ``horizon`` steps holds the next ``horizon`` values as its
        target, so ``gap=horizon - 1`` keeps every test target out of training: what
        :meth:`Panel.time_split` sets (as ``TimeSeriesSplit``'s ``gap`` for one series).

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
        "gap": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, n_splits=3, *, test_size=None, gap=0):
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds, ``n_splits``."""
        self._check_params()
        return self.n_splits

    def _check_params(self):
        """The parameters' constraints, checked where they are used (as ``fit`` checks
        an estimator's): a clear error that names the parameter."""
        params = {"n_splits": self.n_splits, "test_size": self.test_size, "gap": self.gap}
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
        k, gap = self.n_splits, self.gap
        folds = [([], []) for _ in range(k)]
        series = _rows_of_each_group(groups)
        for rows in series:
            size = self.test_size or max((len(rows) - gap) // (k + 1), 1)
            if len(rows) <= k * size + gap:  # no row to train on before the first test
                for train, _ in folds:
                    train.append(rows)
                continue
            first = len(rows) - k * size
            for fold, (train, test) in enumerate(folds):
                start = first + fold * size
                train.append(rows[: start - gap])
                test.append(rows[start : start + size])
        if not folds[0][1]:
            size = "test_size=" + str(self.test_size) if self.test_size else "1 row"
            raise ValueError(
                f"SeriesTimeSplit(n_splits={k}, gap={gap}) would test nothing: a series "
                f"needs more than n_splits x test blocks ({size} each) + gap rows to be "
                f"tested, and the longest of the {len(series)} series has "
                f"{max(len(rows) for rows in series)}. "
                "Lower n_splits, test_size or gap."
            )
        for train, test in folds:
            yield np.sort(np.concatenate(train)), np.sort(np.concatenate(test))

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
