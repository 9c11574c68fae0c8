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


def test_japanese_vowels_standard_split_in_both_forms():
    from sklearn_rnn.datasets import load_japanese_vowels

    lists, arrays = load_japanese_vowels(), load_japanese_vowels(as_3d=True)
    assert (len(lists.X_train), len(lists.X_test)) == (270, 370)
    assert np.bincount(lists.y_train).tolist() == [0] + [30] * 9  # 30 per speaker
    lengths = [len(seq) for seq in lists.X_train + lists.X_test]
    assert (min(lengths), max(lengths)) == (7, 29)
    assert all(seq.shape[1] == 12 for seq in lists.X_train) and lists.feature_names[0] == "c1"
    assert "CC BY 4.0" in lists.DESCR
    for split in ("train", "test"):
        for seq, padded in zip(lists[f"X_{split}"], arrays[f"X_{split}"], strict=True):
            n_lead = len(padded) - len(seq)  # NaN-led: the utterance ends at the last row
            assert np.isnan(padded[:n_lead]).all()
            np.testing.assert_array_equal(padded[n_lead:], seq)
        np.testing.assert_array_equal(lists[f"y_{split}"], arrays[f"y_{split}"])
