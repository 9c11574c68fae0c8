"""Loaders of the series in ``datasets/data``: numpy by default, pandas when asked."""

import csv
import gzip
import io
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


_JAPANESE_VOWELS_DESCR = """\
Japanese Vowels: speakers from utterances of /ae/
-------------------------------------------------

640 utterances of the vowel pair /ae/ by 9 Japanese male speakers, each a sequence of 7
to 29 frames of 12 LPC cepstrum coefficients (a 12-degree linear prediction analysis of
the recording). The task is to tell the speaker (1-9) from the utterance. The standard
split holds 270 training utterances (30 per speaker) and 370 test utterances (24 to 88
per speaker). Variable length and multivariate.

Source: UCI Machine Learning Repository, https://archive.ics.uci.edu/dataset/128,
licensed CC BY 4.0. M. Kudo, J. Toyama and M. Shimbo (1999), "Multidimensional curve
classification using passing-through regions", Pattern Recognition Letters 20(11-13),
1103-1111. Converted once from the copy in aeon's wheel
(``aeon/datasets/data/JapaneseVowels``) by ``scripts/convert_japanese_vowels.py``.
Reported accuracies on the test split: the original paper 0.941; 1-nearest-neighbour
with dynamic time warping 0.949; recent deep models about 0.99.
"""


def _read(filename):
    """The header and the rows of a shipped CSV file (gzip-compressed if its name says
    so)."""
    with resources.files(__package__).joinpath("data", filename).open("rb") as f:
        raw = gzip.GzipFile(fileobj=f) if filename.endswith(".gz") else f
        rows = list(csv.reader(io.TextIOWrapper(raw, encoding="utf-8")))
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


def load_japanese_vowels(*, as_3d=False):
    """Load the Japanese Vowels speaker data set in its standard split (270 / 370).

    Parameters
    ----------
    as_3d : bool, default=False
        If True, the sequences of each split are one 3-D array, shorter ones led by
        all-NaN frames (the estimators read them as sequences that start later),
        instead of a list of 2-D arrays.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X_train``, ``X_test``: lists of arrays of shape (n_frames_i, 12), float64
        (arrays of shape (270, 26, 12) and (370, 29, 12) with ``as_3d``);
        ``y_train``, ``y_test``: the speakers, integers 1-9; ``feature_names``:
        ``["c1", ..., "c12"]``; ``DESCR``: a description with the source and licence.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_japanese_vowels
    >>> vowels = load_japanese_vowels()
    >>> len(vowels.X_train), len(vowels.X_test), vowels.X_train[0].shape
    (270, 370, (20, 12))
    >>> sorted(set(vowels.y_train.tolist())) == list(range(1, 10))
    True
    """
    header, rows = _read("japanese_vowels.csv.gz")
    utterances = {"train": {}, "test": {}}
    for split, utterance, speaker, _frame, *values in rows:
        speaker_frames = utterances[split].setdefault(int(utterance), (int(speaker), []))
        speaker_frames[1].append(values)
    bunch = Bunch(feature_names=header[4:], DESCR=_JAPANESE_VOWELS_DESCR)
    for split, by_number in utterances.items():
        cases = [by_number[i] for i in range(len(by_number))]
        X = [np.asarray(frames, dtype=np.float64) for _, frames in cases]
        if as_3d:
            longest = max(len(seq) for seq in X)
            padded = np.full((len(X), longest, len(header) - 4), np.nan)
            for i, seq in enumerate(X):
                padded[i, longest - len(seq) :] = seq
            X = padded
        bunch[f"X_{split}"] = X
        bunch[f"y_{split}"] = np.array([speaker for speaker, _ in cases])
    return bunch


_M1_YEARLY_DESCR = """\
M1 yearly: 181 yearly series of the M1 forecasting competition
---------------------------------------------------------------

181 yearly series of 15 to 58 years, from seven domains (macro- and microeconomic,
industry, demographic), on scales from tenths to millions: the yearly part of the M1
competition, whose forecasts were judged on each series' last 6 years. A panel for one
model of many series; its statistical references (random walk with drift, ETS, Theta)
are well known.

Source: S. Makridakis, A. Andersen, R. Carbone, R. Fildes, M. Hibon, R. Lewandowski, J.
Newton, E. Parzen and R. Winkler (1982), "The accuracy of extrapolation (time series)
methods: results of a forecasting competition", Journal of Forecasting 1(2), 111-153; in
the version of the Monash Time Series Forecasting Archive (R. Godahewa, C. Bergmeir, G.
Webb, R. Hyndman and P. Montero-Manso, 2021), licensed CC BY 4.0. Converted once from
the copy in aeon's wheel by ``scripts/convert_m1_yearly.py``. The archive notes that the
last two digits of the 51st series' first year are missing (written as zeros).
"""


def load_m1_yearly(*, as_frame=False):
    """Load the 181 yearly series of the M1 forecasting competition (15 to 58 years).

    Parameters
    ----------
    as_frame : bool, default=False
        If True, ``frame`` is the panel as a long DataFrame with the columns
        ``unique_id``, ``ds`` (the year) and ``y``, as statsforecast and neuralforecast
        take it (needs pandas).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``series``: a dict of each series' values (float64, oldest first) by its name,
        ``"T1"`` to ``"T181"``; ``years``: a dict of each series' years; ``frame``: the
        long DataFrame or None; ``DESCR``: a description with the source and licence.
        Either ``series`` or ``frame`` goes to :func:`sklearn_rnn.frame_panel`.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_m1_yearly
    >>> m1 = load_m1_yearly()
    >>> len(m1.series), min(map(len, m1.series.values())), max(map(len, m1.series.values()))
    (181, 15, 58)
    """
    _, rows = _read("m1_yearly.csv.gz")
    series, years = {}, {}
    for name, year, value in rows:
        series.setdefault(name, []).append(float(value))
        years.setdefault(name, []).append(int(year))
    series = {name: np.asarray(values) for name, values in series.items()}
    years = {name: np.asarray(values) for name, values in years.items()}
    frame = None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(
            {
                "unique_id": [name for name in series for _ in series[name]],
                "ds": np.concatenate(list(years.values())),
                "y": np.concatenate(list(series.values())),
            }
        )
    return Bunch(series=series, years=years, frame=frame, DESCR=_M1_YEARLY_DESCR)
