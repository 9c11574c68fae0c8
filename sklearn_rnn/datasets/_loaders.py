"""Loaders of the series in ``datasets/data``: numpy by default, pandas when asked."""

import csv
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

_SUNSPOTS_DESCR = """\
Yearly sunspot numbers, 1700-2008
----------------------------------

309 yearly values of the sunspot number (solar activity), with its roughly 11-year
cycle of irregular amplitude. A classic series for nonlinear forecasting.

Source: National Geophysical Data Center (NOAA), as distributed with statsmodels
(``statsmodels.datasets.sunspots``), where it is marked public domain.
"""

_AIRLINE_DESCR = """\
Monthly airline passengers, 1949-1960
-------------------------------------

144 monthly totals of international airline passengers, in thousands, with an upward
trend and a yearly seasonality whose amplitude grows with the level.

Source: Box, G. E. P., Jenkins, G. M. and Reinsel, G. C. (1976), Time Series Analysis,
Forecasting and Control, Series G. A public record of the period, distributed with R
(``AirPassengers``) and many forecasting libraries.
"""


def _read(filename):
    with resources.files(__package__).joinpath("data", filename).open() as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _bunch(time, values, time_name, value_name, descr, as_frame):
    data = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    frame = None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame({value_name: data[:, 0]}, index=pd.Index(time, name=time_name))
        data = frame
    return Bunch(
        data=data,
        time=np.asarray(time),
        feature_names=[value_name],
        frame=frame,
        DESCR=descr,
    )


def load_sunspots(*, as_frame=False):
    """Load the yearly sunspot numbers, 1700-2008 (309 values).

    Parameters
    ----------
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame indexed by year (needs pandas).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data``: the series, shape (309, 1), oldest first; ``time``: the years;
        ``feature_names``: ``["sunspots"]``; ``frame``: the DataFrame or None;
        ``DESCR``: a description with the source.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_sunspots
    >>> sunspots = load_sunspots()
    >>> sunspots.data.shape, int(sunspots.time[0]), int(sunspots.time[-1])
    ((309, 1), 1700, 2008)
    """
    header, rows = _read("sunspots.csv")
    years = [int(year) for year, _ in rows]
    values = [float(value) for _, value in rows]
    return _bunch(years, values, header[0], header[1], _SUNSPOTS_DESCR, as_frame)


def load_airline(*, as_frame=False):
    """Load the monthly international airline passengers, 1949-1960 (144 values).

    Parameters
    ----------
    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame indexed by month (a ``PeriodIndex``;
        needs pandas).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data``: the series in thousands of passengers, shape (144, 1), oldest first;
        ``time``: the months as ``datetime64[M]``; ``feature_names``:
        ``["passengers"]``; ``frame``: the DataFrame or None; ``DESCR``: a description
        with the source.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_airline
    >>> airline = load_airline()
    >>> airline.data.shape, str(airline.time[0])
    ((144, 1), '1949-01')
    """
    header, rows = _read("airline.csv")
    months = np.array([month for month, _ in rows], dtype="datetime64[M]")
    values = [float(value) for _, value in rows]
    if as_frame:
        import pandas as pd

        months = pd.PeriodIndex(months.astype(str), freq="M")
    return _bunch(months, values, header[0], header[1], _AIRLINE_DESCR, as_frame)
