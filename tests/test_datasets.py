"""The shipped series load offline, as numpy or pandas."""

import numpy as np
import pytest

from sklearn_rnn.datasets import load_airline, load_sunspots


def test_sunspots():
    data = load_sunspots()
    assert data.data.shape == (309, 1) and data.data.dtype == np.float64
    assert data.time[0] == 1700 and data.time[-1] == 2008
    assert data.data[:3, 0].tolist() == [5.0, 11.0, 16.0]
    assert data.feature_names == ["sunspots"] and "public domain" in data.DESCR
    assert data.frame is None


def test_airline():
    data = load_airline()
    assert data.data.shape == (144, 1)
    assert str(data.time[0]) == "1949-01" and str(data.time[-1]) == "1960-12"
    assert data.data[:4, 0].tolist() == [112.0, 118.0, 132.0, 129.0]
    assert data.data[-1, 0] == 432.0
    assert "Box" in data.DESCR


@pytest.mark.parametrize("loader", [load_sunspots, load_airline])
def test_as_frame(loader):
    pd = pytest.importorskip("pandas")
    data = loader(as_frame=True)
    assert isinstance(data.data, pd.DataFrame) and data.data is data.frame
    assert list(data.data.columns) == data.feature_names
    np.testing.assert_array_equal(data.data.to_numpy(), loader().data)
