"""The data layer: input forms to (padded float32, lengths), canonical training sets."""

import numpy as np
import pytest
import torch

from sklearn_rnn._inputs import _left_align, _ragged_to_array, is_ragged
from sklearn_rnn._torch.dataset import BatchIterator, SequenceDataset
from sklearn_rnn._torch.prediction import forward
from sklearn_rnn._weights import canonicalize


def test_leading_nan_rows_become_lengths_and_data_moves_to_the_start():
    X = np.arange(2 * 4 * 2, dtype=np.float32).reshape(2, 4, 2)
    X[0, :2] = np.nan
    before = X.copy()
    out, lengths = _left_align(X)
    np.testing.assert_array_equal(lengths, [2, 4])
    np.testing.assert_array_equal(out[0, :2], before[0, 2:])
    np.testing.assert_array_equal(out[0, 2:], 0.0)
    np.testing.assert_array_equal(out[1], before[1])
    np.testing.assert_array_equal(X, before, err_msg="input modified")


def test_common_leading_nan_is_trimmed_without_lengths():
    X = np.ones((3, 5, 1), dtype=np.float32)
    X[:, :2] = np.nan
    out, lengths = _left_align(X)
    assert lengths is None
    assert out.shape == (3, 3, 1)


def test_finite_input_is_returned_as_is():
    X = np.ones((3, 5, 2), dtype=np.float32)
    out, lengths = _left_align(X)
    assert out is X and lengths is None


@pytest.mark.parametrize(
    "where, message",
    [
        ((0, 2, slice(None)), "after the first observed"),
        ((0, 0, 0), "some but not all features"),
        ((1, slice(None), slice(None)), "every time step"),
    ],
)
def test_nan_other_than_leading_rows_is_an_error(where, message):
    X = np.ones((2, 4, 2), dtype=np.float32)
    X[where] = np.nan
    with pytest.raises(ValueError, match=message):
        _left_align(X)


def test_inf_is_an_error():
    X = np.ones((2, 4, 1), dtype=np.float32)
    X[1, 0, 0] = -np.inf
    with pytest.raises(ValueError, match="infinity"):
        _left_align(X)


def test_ragged_list_becomes_the_internal_form():
    seqs = [np.ones((2, 3)), np.full((4, 3), 2.0), np.ones((1, 3))]
    out, lengths = _ragged_to_array(seqs)
    assert out.shape == (3, 4, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(lengths, [2, 4, 1])
    for row, seq in zip(out, seqs, strict=True):  # each at the start, zeros after
        np.testing.assert_array_equal(row[: len(seq)], seq)
        assert (row[len(seq) :] == 0).all()
    # Leading NaN steps (a later start) are dropped, as in a 3-D array.
    seqs[1][:2] = np.nan
    out, lengths = _ragged_to_array(seqs)
    np.testing.assert_array_equal(lengths, [2, 2, 1])
    assert out.shape == (3, 2, 3) and (out[1] == 2).all()
    seqs[1][3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN inside a time step"):
        _ragged_to_array(seqs)


def test_ragged_detection():
    assert is_ragged([np.ones((2, 1)), np.ones((3, 1))])
    assert is_ragged([[1, 2], [1, 2, 3]])
    assert not is_ragged([np.ones((2, 1)), np.ones((2, 1))])
    assert not is_ragged([[1, 2], [3, 4]])
    assert not is_ragged(np.ones((2, 3, 1)))


def test_canonicalize_merges_repeats_into_weights_and_drops_zero_weights():
    rng = np.random.RandomState(0)
    X = rng.rand(5, 3, 1).astype(np.float32)
    y = rng.rand(5, 1).astype(np.float32)
    weights = np.array([2, 0, 1, 3, 1], dtype=float)
    repeated = canonicalize(
        X.repeat(weights.astype(int), axis=0), None, y.repeat(weights.astype(int), axis=0), None
    )
    perm = rng.permutation(5)
    weighted = canonicalize(X[perm], None, y[perm], weights[perm])
    for a, b in zip(repeated, weighted, strict=True):
        if a is None:
            assert b is None
        else:
            np.testing.assert_array_equal(a, b)
    assert repeated[0].shape[0] == 4  # the zero-weight sample is gone
    np.testing.assert_array_equal(np.sort(repeated[3]), [1, 1, 2, 3])


def test_canonicalize_keeps_distinct_targets_apart():
    X = np.zeros((2, 3, 1), dtype=np.float32)
    y = np.array([[0.0], [1.0]], dtype=np.float32)
    X_c, _, y_c, weight = canonicalize(X, None, y, None)
    assert X_c.shape[0] == 2 and weight is None


def test_batch_iterator_slices_every_sample_once_per_epoch():
    X = torch.arange(10, dtype=torch.float32).reshape(10, 1, 1)
    dataset = SequenceDataset(X, X[:, 0], lengths=torch.ones(10, dtype=torch.int64))
    iterator = BatchIterator(dataset, batch_size=4, shuffle=True, random_state=0)
    assert len(iterator) == 3
    epochs = [torch.cat([b[0]["X"].ravel() for b in iterator]) for _ in range(2)]
    for seen in epochs:
        assert sorted(seen.tolist()) == list(range(10))
    assert not torch.equal(epochs[0], epochs[1]), "a new permutation every epoch"
    batch, y = next(iter(iterator))
    torch.testing.assert_close(batch["X"][:, 0], y)  # X, y and lengths stay aligned
    assert batch["lengths"].device.type == "cpu"


def test_plain_batches_are_bare_tensors_and_prediction_batches_are_padded():
    X = torch.arange(10, dtype=torch.float32).reshape(10, 1, 1)
    batches = list(BatchIterator(SequenceDataset(X), batch_size=4))
    assert [len(b) for b, _ in batches] == [4, 4, 2]
    assert all(isinstance(b, torch.Tensor) for b, _ in batches)

    class Recorder:
        """A net that returns each sequence's last step and records its batches."""

        def __init__(self):
            self.batches = []

        def _set_training(self, training):
            pass

        def infer(self, batch):
            self.batches.append(batch)
            X = batch["X"] if isinstance(batch, dict) else batch
            return X[:, -1, :]

    X = np.arange(300, dtype=np.float32).reshape(300, 1, 1)
    net = Recorder()
    np.testing.assert_array_equal(forward(net, X, None), X[:, -1])
    assert [len(b) for b in net.batches] == [128, 128, 48]  # a multiple of 8 rows
    assert (net.batches[-1][44:] == 0).all()
    lengths = np.ones(3, dtype=np.int64)
    net = Recorder()
    forward(net, np.ones((3, 2, 1), np.float32), lengths)
    (batch,) = net.batches
    assert batch["X"].shape[0] == 8 and batch["lengths"].tolist() == [1, 1, 1] + [2] * 5


def test_canonical_order_survives_hash_collisions(monkeypatch):
    import sklearn_rnn._weights as data

    monkeypatch.setattr(data, "_row_hashes", lambda keys: np.zeros(len(keys), np.uint64))
    rng = np.random.RandomState(0)
    X = rng.rand(6, 2, 1).astype(np.float32)
    y = rng.rand(6, 1).astype(np.float32)
    weights = np.array([1, 2, 0, 1, 3, 1], dtype=float)
    perm = rng.permutation(6)
    a = canonicalize(X[perm], None, y[perm], weights[perm])
    b = canonicalize(
        X.repeat(weights.astype(int), axis=0), None, y.repeat(weights.astype(int), axis=0), None
    )
    for u, v in zip(a, b, strict=True):
        if u is None:
            assert v is None
        else:
            np.testing.assert_array_equal(u, v)


def test_row_hash_sees_every_bit_of_long_rows():
    # Rows of 5,000 64-bit words: the multiplier table (4,096) repeats, and every
    # multiplier must stay odd, or the top bit of a word would not reach the hash.
    from sklearn_rnn._weights import _row_hashes

    keys = np.zeros((2, 5000), dtype=np.uint64)
    keys[1, 4096] = np.uint64(1) << np.uint64(63)
    hashes = _row_hashes(keys.view(np.uint8))
    assert hashes[0] != hashes[1]


def test_feature_statistics_leave_out_padding_and_count_weights():
    from sklearn_rnn._scaling import feature_statistics

    rng = np.random.RandomState(0)
    X = rng.randn(5, 4, 2).astype(np.float32) * [3.0, 0.5] + [100.0, -2.0]
    lengths = np.array([4, 2, 3, 1, 4])
    X[np.arange(4) >= lengths[:, None]] = 0.0  # the internal form's zero padding
    weight = np.array([1.0, 2.0, 0.0, 3.0, 1.0])
    observed = np.concatenate(
        [np.repeat(X[i, : lengths[i]], int(w), axis=0) for i, w in enumerate(weight)]
    ).astype(np.float64)
    mean, scale = feature_statistics(X, lengths, weight)
    np.testing.assert_allclose(mean, observed.mean(axis=0), rtol=1e-6)  # float32
    np.testing.assert_allclose(scale, observed.std(axis=0), rtol=1e-6)


def test_constant_features_get_a_scale_of_one():
    from sklearn_rnn._scaling import feature_statistics, standardize

    X = np.full((3, 4, 2), 7.0, dtype=np.float32)
    X[:, :, 1] = np.arange(4)
    mean, scale = feature_statistics(X)
    assert scale[0] == 1.0 and scale[1] > 0
    out = standardize(X, None, mean, scale)
    assert np.isfinite(out).all() and (out[:, :, 0] == 0).all()


def test_standardize_keeps_padding_at_zero_and_leaves_x_alone():
    from sklearn_rnn._scaling import standardize

    X = np.ones((2, 3, 1), dtype=np.float32)
    X[1, 2] = 0.0
    before = X.copy()
    out = standardize(X, np.array([3, 2]), np.array([5.0]), np.array([2.0]))
    np.testing.assert_array_equal(out[:, :, 0], [[-2, -2, -2], [-2, -2, 0]])
    np.testing.assert_array_equal(X, before)


def test_shuffled_batches_of_ragged_sequences_are_bucketed_by_length():
    """Each epoch sees every sample once, in batches of similar lengths, in a new order."""
    from sklearn_rnn._torch.dataset import BatchIterator, SequenceDataset

    rng = np.random.RandomState(0)
    n, batch_size = 1000, 10
    lengths = torch.from_numpy(rng.randint(1, 200, n))
    dataset = SequenceDataset(torch.arange(n, dtype=torch.float32)[:, None, None], lengths=lengths)
    iterator = BatchIterator(dataset, batch_size, shuffle=True, random_state=0)
    epochs = []
    for _ in range(2):
        batches = [inputs for inputs, _ in iterator]  # one pass: one epoch
        epochs.append(torch.cat([inputs["X"].flatten() for inputs in batches]))
        spread = np.mean([int(b["lengths"].max() - b["lengths"].min()) for b in batches])
        assert spread < 20, spread  # random batches of 10 spread over ~160 steps
    for seen in epochs:
        assert sorted(seen.long().tolist()) == list(range(n))
    assert not torch.equal(epochs[0], epochs[1])


def test_a_one_feature_sequence_model_reads_2d_input_as_sequences():
    """Fitted on sequences of one feature (here ragged 1-D ones), a model reads an
    (n, T) array, or a list of equal-length 1-D sequences, as n sequences of T steps."""
    from sklearn_rnn import GRURegressor

    rng = np.random.RandomState(0)
    X = [rng.randn(n) for n in (5, 4, 3, 6) * 5]
    y = rng.randn(len(X))
    model = GRURegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    sequences = rng.randn(3, 5)
    expected = model.predict(sequences[:, :, None])
    np.testing.assert_array_equal(model.predict(sequences), expected)
    np.testing.assert_array_equal(model.predict(list(sequences)), expected)
    np.testing.assert_array_equal(model.predict([sequences[0]]), expected[:1])
    led = sequences.copy()
    led[0, :2] = np.nan  # a shorter sequence, as in 3-D input
    np.testing.assert_array_equal(model.predict(led)[:1], model.predict([sequences[0, 2:]]))
    model.partial_fit(sequences, expected)  # a continued fit reads it the same way
    with pytest.raises(ValueError, match="X is 2-D, but this GRURegressor was fitted on 3-D"):
        GRURegressor(max_epochs=1).fit(rng.randn(8, 4, 2), rng.randn(8)).predict(sequences)


@pytest.mark.parametrize("column_order", ["oldest_first", "newest_first"])
def test_a_lag_column_model_reads_a_list_of_sequences_of_different_lengths(column_order):
    """Fitted on a list of equal-length 1-D sequences (2-D lag columns), a model reads a
    list of different lengths, the same documented form: a shorter sequence is a row
    whose oldest steps are NaN (it starts later)."""
    from sklearn_rnn import GRURegressor

    rng = np.random.RandomState(0)
    X = [rng.randn(5) for _ in range(20)]
    model = GRURegressor(hidden_size=4, max_epochs=2, column_order=column_order, random_state=0)
    model.fit(X, rng.randn(20))
    assert model.n_features_in_ == 5  # lag columns
    short, full = rng.randn(3), rng.randn(5)
    # Each sequence in the model's column order, its missing oldest steps NaN.
    if column_order == "oldest_first":
        led = np.r_[np.nan, np.nan, short]
    else:
        led = np.r_[short, np.nan, np.nan]
    expected = model.predict(np.array([led, full]))
    np.testing.assert_array_equal(model.predict([short, full]), expected)
    # A full-length sequence reads the same in a ragged list as in an equal-length one.
    np.testing.assert_array_equal(model.predict([full, full]), expected[[1, 1]])
    with pytest.raises(ValueError, match=r"X\[0\] is an empty sequence"):
        model.predict([[], full])
    with pytest.raises(ValueError, match=r"X\[1\] has shape \(7,\).*at most 5 steps"):
        model.predict([short, rng.randn(7)])


def test_nan_in_the_newest_columns_names_the_column_order():
    from sklearn_rnn import GRURegressor

    X = np.random.RandomState(0).randn(10, 5)
    X[3, 1] = np.nan  # the second newest step of row 3
    model = GRURegressor(max_epochs=1, column_order="newest_first")
    with pytest.raises(ValueError, match="NaN in column 1 of row 3, newer than its oldest"):
        model.fit(X, np.ones(10))
    X[3, 1], X[3, 3:] = 0.0, np.nan  # the oldest steps: a sequence that starts later
    model.fit(X, np.ones(10))


def test_more_than_three_dimensions_are_refused_with_the_accepted_shapes():
    from sklearn_rnn import GRURegressor

    with pytest.raises(ValueError, match=r"X has 4 dimensions \(shape \(6, 3, 2, 2\)\).*2-D lag"):
        GRURegressor(max_epochs=1).fit(np.ones((6, 3, 2, 2)), np.ones(6))
