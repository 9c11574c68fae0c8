"""Behaviour of RNNRegressor, LSTMRegressor and GRURegressor that users rely on."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone, is_classifier
from sklearn.metrics import r2_score

from sklearn_rnn import GRUClassifier, GRURegressor, LSTMRegressor, RNNRegressor

from .conftest import ESTIMATORS

FAST = {"hidden_size": 8, "max_epochs": 5, "random_state": 0}


def _sequences(rng, n=40, t=6, f=2):
    X = rng.randn(n, t, f)
    y = X[:, -1, 0] + 0.5 * X[:, -2, -1]
    return X, y


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_ragged_prediction_equals_single_sequence(Estimator, rng):
    X = [rng.randn(n, 2) for n in [3, 7, 5, 1, 7, 4]]
    y = rng.randn(6)
    model = Estimator(**FAST).fit(X, y)
    together = model.predict(X)
    alone = np.array([model.predict([seq])[0] for seq in X])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("readout", ["last", "mean", "max"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_ragged_prediction_does_not_depend_on_the_other_sequences(
    Estimator, bidirectional, readout, rng
):
    """Widely spread lengths (sorted, bucketed, cut into time segments): to the bit,
    whatever summarises a sequence."""
    lengths = np.r_[rng.randint(1, 6, 30), rng.randint(40, 200, 10)]
    X = [rng.randn(n, 2) for n in lengths]
    params = {"hidden_size": 8, "max_epochs": 2, "bidirectional": bidirectional}
    params["readout"] = readout
    model = Estimator(**params, random_state=0).fit(X, rng.randn(40))
    together = model.predict(X)
    np.testing.assert_array_equal(model.predict(X[::-1]), together[::-1])
    np.testing.assert_array_equal([model.predict([seq])[0] for seq in X], together)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_ragged_prediction_over_several_batches_equals_each_row_alone(Estimator, rng):
    """More ragged rows than one prediction batch (128): every batch reads each row's
    own length, as one row predicted alone does, to the bit."""
    X = [rng.randn(n, 2) for n in rng.randint(1, 13, 300)]
    model = Estimator(**FAST, linear_window=0).fit(X[:40], rng.randn(40))
    together = model.predict(X)
    np.testing.assert_array_equal([model.predict([seq])[0] for seq in X], together)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_leading_nan_rows_read_as_a_later_start(Estimator, rng):
    X, y = _sequences(rng)
    model = Estimator(**FAST).fit(X, y)
    padded = X[:3].copy()
    padded[0, :2] = np.nan
    padded[2, :4] = np.nan
    as_list = [X[0, 2:], X[1], X[2, 4:]]
    np.testing.assert_allclose(model.predict(padded), model.predict(as_list), rtol=1e-5)
    # ... and not as zeros or as the full sequence
    assert not np.allclose(model.predict(padded)[0], model.predict(X[:1])[0])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_at_another_sequence_length(Estimator, rng):
    X, y = _sequences(rng, t=6)
    model = Estimator(**FAST).fit(X, y)
    longer = rng.randn(5, 11, 2)
    shorter = rng.randn(5, 2, 2)
    assert model.predict(longer).shape == (5,)
    assert np.isfinite(model.predict(shorter)).all()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_two_d_input_is_one_feature_a_step(Estimator, rng):
    X = rng.randn(30, 5)
    y = X.sum(axis=1)
    tabular = Estimator(**FAST).fit(X, y)
    sequential = Estimator(**FAST).fit(X[:, :, np.newaxis], y)
    np.testing.assert_array_equal(tabular.predict(X), sequential.predict(X[:, :, None]))
    assert tabular.n_features_in_ == 5
    assert sequential.n_features_in_ == 1


def test_dataframe_input_records_feature_names(rng):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(rng.randn(20, 4), columns=["t-3", "t-2", "t-1", "t"])
    model = GRURegressor(**FAST).fit(X, rng.randn(20))
    np.testing.assert_array_equal(model.feature_names_in_, ["t-3", "t-2", "t-1", "t"])
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        from_array = model.predict(X.to_numpy())
    np.testing.assert_array_equal(model.predict(X), from_array)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X[["t", "t-1", "t-2", "t-3"]])
    model.fit(X.to_numpy(), rng.randn(20))
    assert not hasattr(model, "feature_names_in_")


@pytest.mark.parametrize(
    "y_shape, pred_shape", [((12,), (12,)), ((12, 1), (12, 1)), ((12, 3), (12, 3))]
)
def test_predictions_have_the_shape_of_y(y_shape, pred_shape, rng):
    X = rng.randn(12, 4, 2)
    model = LSTMRegressor(**FAST).fit(X, rng.randn(*y_shape))
    assert model.predict(X).shape == pred_shape
    assert model.n_outputs_ == (1 if len(y_shape) == 1 else y_shape[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int8])
def test_any_numeric_dtype_is_computed_in_float32(dtype, rng):
    X = rng.randint(-3, 4, size=(20, 5, 1))
    y = X.sum(axis=(1, 2)).astype(float)
    reference = RNNRegressor(**FAST).fit(X.astype(np.float32), y)
    model = RNNRegressor(**FAST).fit(X.astype(dtype), y)
    np.testing.assert_array_equal(model.predict(X.astype(dtype)), reference.predict(X))
    assert model.net_.module_.head.weight.dtype == torch.float32


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_integer_sample_weight_equals_repeated_samples_with_minibatches(Estimator, rng):
    X, y = _sequences(rng, n=30)
    weight = rng.randint(0, 4, size=30)
    # Early stopping holds out the last rows as given, repeated or not: off here.
    params = dict(FAST, batch_size=8, early_stopping=False)
    weighted = Estimator(**params).fit(X, y, sample_weight=weight)
    repeated = Estimator(**params).fit(X.repeat(weight, axis=0), y.repeat(weight))
    np.testing.assert_array_equal(weighted.predict(X), repeated.predict(X))


def test_sample_weight_changes_the_fit(rng):
    X, y = _sequences(rng, n=30)
    weight = np.ones(30)
    weight[:10] = 5.0
    plain = GRURegressor(**FAST).fit(X, y)
    weighted = GRURegressor(**FAST).fit(X, y, sample_weight=weight)
    assert not np.allclose(plain.predict(X), weighted.predict(X))


def test_fit_does_not_depend_on_sample_order(rng):
    X, y = _sequences(rng)
    perm = rng.permutation(len(y))
    a = LSTMRegressor(**FAST, batch_size=7).fit(X, y)
    b = LSTMRegressor(**FAST, batch_size=7).fit(X[perm], y[perm])
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_random_state_makes_fit_reproducible(Estimator, rng):
    X, y = _sequences(rng)
    params = dict(FAST, dropout=0.3, num_layers=2, batch_size=8)
    a = Estimator(**params).fit(X, y).predict(X)
    b = Estimator(**params).fit(X, y).predict(X)
    c = Estimator(**dict(params, random_state=1)).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    unseeded = [Estimator(**dict(params, random_state=None)).fit(X, y).predict(X) for _ in "ab"]
    assert not np.allclose(*unseeded)


def test_a_seeded_fit_leaves_global_random_state_alone(rng):
    X, y = _sequences(rng)
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()
    LSTMRegressor(**dict(FAST, dropout=0.5, random_state=0)).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    after = np.random.get_state()
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]


@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRUClassifier])
def test_random_state_none_draws_from_numpys_global_generator(Estimator, rng):
    """As in every scikit-learn estimator (``check_random_state(None)``): seeding numpy
    before an unseeded fit repeats it; torch's global generator is left alone."""
    X, y = _sequences(rng)
    if Estimator is GRUClassifier:
        y = y > np.median(y)
    outputs = []
    for seed in (7, 7, 8):
        np.random.seed(seed)
        torch.manual_seed(123)
        torch_state = torch.get_rng_state()
        model = Estimator(**dict(FAST, dropout=0.3, random_state=None)).fit(X, y)
        assert torch.equal(torch.get_rng_state(), torch_state)
        outputs.append(model.predict_proba(X) if is_classifier(model) else model.predict(X))
    np.testing.assert_array_equal(outputs[0], outputs[1])
    assert not np.allclose(outputs[0], outputs[2])


def test_fitted_attributes_record_training(rng):
    X, y = _sequences(rng)
    # From a random start (the ridge start already fits this linear target), at a rate
    # that learns it in 30 epochs.
    model = GRURegressor(hidden_size=8, max_epochs=30, lr=0.01, linear_window=0, random_state=0)
    model.fit(X, y)
    assert model.validation_scores_ is None  # 40 samples: too few to hold out 5
    assert model.n_iter_ == 30 == len(model.history_)
    assert len(model.loss_curve_) == 30
    assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]
    assert model.net_.module_.rnn.hidden_size == 8


@pytest.mark.parametrize(
    "params",
    [
        {"bidirectional": True},
        {"num_layers": 3, "dropout": 0.2},
        {"optimizer": "sgd", "lr": 0.05},
        {"optimizer": "adamw", "weight_decay": 0.1},
        {"optimizer": torch.optim.RMSprop},
        {"batch_size": 5},
    ],
)
def test_network_parameters_reach_the_net(params, rng):
    X, y = _sequences(rng)
    model = LSTMRegressor(**dict(FAST, **params)).fit(X, y)
    rnn = model.net_.module_.rnn
    assert rnn.bidirectional == params.get("bidirectional", False)
    assert rnn.num_layers == params.get("num_layers", 1)
    optimizer = params.get("optimizer", "adam")
    expected = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "adamw": torch.optim.AdamW}
    assert type(model.net_.optimizer_) is expected.get(optimizer, optimizer)
    group = model.net_.optimizer_.param_groups[0]
    assert group["weight_decay"] == params.get("weight_decay", 0.0)
    assert group["lr"] == params.get("lr", LSTMRegressor().lr)
    if "batch_size" in params:
        assert set(model.history_[-1, "batches", :, "train_batch_size"]) == {5}
    assert np.isfinite(model.predict(X)).all()


def test_relu_rnn(rng):
    X, y = _sequences(rng)
    model = RNNRegressor(**FAST, nonlinearity="relu").fit(X, y)
    assert model.net_.module_.rnn.nonlinearity == "relu"


def test_auto_batch_size_is_full_batch_for_small_data(rng):
    X, y = _sequences(rng, n=20)
    model = GRURegressor(**FAST).fit(X, y)
    assert model.history_[-1, "batches", :, "train_batch_size"] == [20]
    X, y = _sequences(rng, n=150)
    model = GRURegressor(**FAST, early_stopping=False).fit(X, y)
    assert model.history_[-1, "batches", :, "train_batch_size"] == [64, 64, 22]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_learns_a_lagged_sum(Estimator):
    rng = np.random.RandomState(42)
    X = rng.randn(400, 8, 1)
    y = X[:, -1, 0] + X[:, -3, 0]
    model = Estimator(random_state=0).fit(X[:300], y[:300])
    assert r2_score(y[300:], model.predict(X[300:])) > 0.9
    # The ridge start alone fits this linear target (R² 1.0 at lr=1e-12): without the
    # linear path the recurrent network must learn it (R² 0.997; untrained, about 0).
    recurrent = Estimator(linear_window=0, lr=0.03, max_epochs=40, random_state=0)
    recurrent.fit(X[:300], y[:300])
    assert r2_score(y[300:], recurrent.predict(X[300:])) > 0.9


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pickle_round_trip_predicts_the_same(Estimator, rng):
    X, y = _sequences(rng)
    model = Estimator(**FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    np.testing.assert_array_equal(clone(model).get_params()["hidden_size"], 8)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_prediction_does_not_depend_on_the_other_samples(Estimator, rng):
    X, y = _sequences(rng, n=300)
    model = Estimator(**FAST).fit(X, y)
    full = model.predict(X)
    for size in [1, 2, 3, 5, 8, 13, 64, 127, 129, 200]:
        rows = rng.choice(300, size=size, replace=False)
        np.testing.assert_array_equal(model.predict(X[rows]), full[rows], err_msg=f"{size}")


@pytest.mark.parametrize("Estimator", [*ESTIMATORS, GRUClassifier])
def test_a_misspelled_parameter_names_the_class_and_the_close_match(Estimator):
    """Python named the family's class that defines __init__ (BaseRecurrentRegressor)."""
    name = Estimator.__name__
    with pytest.raises(
        TypeError, match=rf"^{name}\(\) got .* 'hiden_size'\. Did you mean 'hidden_size'\?"
    ):
        Estimator(hiden_size=4)
    with pytest.raises(
        TypeError, match=rf"^{name}\(\) got an unexpected keyword argument 'foo'\. See"
    ):
        Estimator(foo=1)
    assert Estimator(8).hidden_size == 8  # positional use as before


@pytest.mark.parametrize(
    "other, ours",
    [("learning_rate_init", "lr"), ("max_iter", "max_epochs"), ("alpha", "weight_decay")],
)
def test_mlp_names_point_to_ours(other, ours):
    """The docs say the names follow MLPRegressor where scikit-learn has the word; where
    ours differ (skorch's and PyTorch's), the error names ours."""
    with pytest.raises(TypeError, match=rf"'{other}'\. Did you mean '{ours}'\?"):
        LSTMRegressor(**{other: 1})
    with pytest.raises(TypeError, match=rf"'{other}'\. Did you mean '{ours}'\?"):
        GRUClassifier(**{other: 1})


def test_one_distinct_sample_fits_without_warnings(rng):
    """The ridge start cannot choose its penalty by leave-one-out on one distinct
    sample (scikit-learn's RidgeCV divides by zero): it takes the strongest."""
    import warnings

    X = np.ones((5, 4, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GRURegressor(**FAST).fit(X, np.full(5, 3.0))
        single = GRURegressor(**FAST).fit(rng.randn(1, 4, 1), [2.0])
    np.testing.assert_allclose(model.predict(X[:1]), [3.0], rtol=1e-6)
    assert np.isfinite(single.predict(rng.randn(3, 4, 1))).all()


# -- targets relative to the last value ----------------------------------------------


def test_each_output_is_relative_to_the_feature_it_continues(rng):
    X = rng.randn(50, 8, 3)
    Y = np.c_[X[:, -1, 2] + 0.3 * rng.randn(50), X[:, -1, 0] - 0.2 * X[:, -2, 1], X[:, -1, 2]]
    model = GRURegressor(**FAST, relative_to="last").fit(X, Y)
    np.testing.assert_array_equal(model.relative_features_, [2, 0, 2])
    # the network reads the 3 features relative to the last step, then as they are;
    # the linear path the relative ones
    assert model.net_.module_.arguments["input_size"] == 6
    assert model.net_.module_.arguments["linear_features"] == 3
    assert model.input_mean_.shape == (6,)
    lags = rng.randn(50, 5)  # lag columns: one feature
    lagged = GRURegressor(**FAST, relative_to="last").fit(lags, lags[:, 0])
    assert lagged.relative_features_.tolist() == [0]
    levels = GRURegressor(**FAST, relative_to=None).fit(X, Y)
    assert levels.relative_features_ is None and levels.input_mean_.shape == (3,)
    assert levels.net_.module_.arguments["input_size"] == 3


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_an_output_of_zero_is_the_last_value_plus_the_mean_change(Estimator, rng):
    """What the network outputs is the standardised change from the last value of the
    output's feature: with its outputs at zero, a prediction is that last value moved
    by the mean change of the training targets."""
    X, y = _sequences(rng)
    model = Estimator(**FAST, relative_to="last").fit(X, y)
    module = model.net_.module_
    with torch.no_grad():
        for layer in (module.head, module.linear):
            layer.weight.zero_()
            layer.bias.zero_()
    expected = X[:, -1, 0].astype(np.float32) + model.target_mean_[0]
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-6)
    np.testing.assert_allclose(model.target_mean_, [np.mean(y - X[:, -1, 0])], rtol=1e-5)


def test_a_trend_beyond_the_training_range_is_followed():
    """A series that grows beyond anything seen in training: relative to the last value,
    the forecast follows it; on levels it does not (its linear path extrapolates, the
    network does not). "auto" keeps it relative."""
    rng = np.random.RandomState(0)
    series = 0.05 * np.arange(300.0) ** 1.3 + np.sin(np.arange(300) / 2) + 0.1 * rng.randn(300)
    from sklearn_rnn import frame_forecast

    X, y = frame_forecast(series, history=10)
    train, test = slice(None, 240), slice(240, None)
    naive = np.abs(X[test, -1, 0] - y[test]).mean()
    errors = {
        relative_to: np.abs(
            LSTMRegressor(random_state=0, relative_to=relative_to)
            .fit(X[train], y[train])
            .predict(X[test])
            - y[test]
        ).mean()
        for relative_to in ("last", None, "auto")
    }
    assert errors["last"] < 0.7 * naive  # the sine's swing is forecast, and the trend
    assert errors[None] > 1.5 * errors["last"]
    assert errors["auto"] == errors["last"]


def test_a_warm_start_keeps_relative_targets_or_levels(rng):
    X, y = _sequences(rng)
    for fitted, asked in [("last", None), (None, "last")]:
        model = GRURegressor(**FAST, relative_to=fitted, warm_start=True).fit(X, y)
        with pytest.raises(ValueError, match=f"relative_to={asked!r} asks otherwise"):
            model.set_params(relative_to=asked).fit(X, y)
        model.set_params(relative_to=fitted).fit(X, y)  # unchanged: continues
        assert model.n_iter_ == 2 * FAST["max_epochs"]


def test_a_warm_start_refuses_another_column_order(rng):
    """Fitted on lag columns in one order, a network continued on the other order would
    read time backwards (R² fell from 1.0 to -0.78): refused, as a changed standardize
    is. A new fit may change it; predict reads the columns as the fit did."""
    lags = rng.randn(60, 8)
    y = lags[:, -1] + 0.5 * lags[:, -2]
    model = GRURegressor(**FAST, warm_start=True).fit(lags, y)
    before = model.predict(lags)
    with pytest.raises(ValueError, match="'column_order': 'newest_first'"):
        model.set_params(column_order="newest_first").fit(lags, y)
    np.testing.assert_array_equal(model.predict(lags), before)  # as fitted
    model.set_params(warm_start=False).fit(lags[:, ::-1], y)  # a new network
    np.testing.assert_array_equal(model.predict(lags[:, ::-1]), before)


# -- 2-D lag columns whose first rows start later ------------------------------------


def test_flat_windows_straight_into_a_regressor_fit_and_predict_every_row():
    """SlidingWindowTransformer(flatten=True) gives the first rows of a series leading NaN
    lags: a regressor of 2-D lag columns reads them as sequences that start later, as it
    reads the same windows in 3-D, to the bit."""
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import SlidingWindowTransformer, frame_forecast
    from sklearn_rnn.datasets import load_sunspots

    X, y = frame_forecast(load_sunspots().data)
    flat = make_pipeline(SlidingWindowTransformer(12, flatten=True), LSTMRegressor(**FAST)).fit(
        X[:200], y[:200]
    )
    windows = make_pipeline(SlidingWindowTransformer(12), LSTMRegressor(**FAST))
    windows.fit(X[:200], y[:200])
    prediction = flat.predict(X)
    assert np.isfinite(prediction).all() and len(prediction) == len(X)
    np.testing.assert_array_equal(prediction, windows.predict(X))


@pytest.mark.parametrize("column_order", ["oldest_first", "newest_first"])
def test_leading_nan_columns_are_a_later_start_and_other_nan_an_error(column_order, rng):
    lags = rng.randn(40, 6)
    older = slice(0, 3) if column_order == "oldest_first" else slice(3, None)
    lags[:5, older] = np.nan  # the oldest three lags of five rows: not observed
    y = rng.randn(40)
    model = GRURegressor(**FAST, column_order=column_order).fit(lags, y)
    short = lags[:5, 3:] if column_order == "oldest_first" else lags[:5, :3][:, ::-1]
    # The same rows as NaN-led sequences of one feature (oldest first) train the same
    # network (2-D is one feature a step), which reads the short rows' three steps alone.
    oldest_first = lags if column_order == "oldest_first" else lags[:, ::-1]
    sequences = GRURegressor(**FAST).fit(oldest_first[:, :, None], y)
    predicted = model.predict(lags[:5])
    alone = sequences.predict([row[:, None] for row in short])
    assert alone.shape == predicted.shape
    np.testing.assert_allclose(predicted, alone, rtol=1e-5, atol=1e-6)
    as_zeros = np.nan_to_num(lags[:5])  # ... not as zeros before the row's start
    assert np.abs(model.predict(as_zeros) - predicted).min() > 1e-3
    newer = 5 if column_order == "oldest_first" else 0
    bad = lags.copy()
    bad[10, newer] = np.nan
    message = {  # each order's own words: newest first, the newer steps come first
        "oldest_first": "NaN after the first observed time step of sample 10",
        "newest_first": "NaN in column 0 of row 10, newer than its oldest observed step",
    }[column_order]
    with pytest.raises(ValueError, match=message):
        model.predict(bad)
    with pytest.raises(ValueError, match=message):
        GRURegressor(**FAST, column_order=column_order).fit(bad, rng.randn(40))
    bad = lags.copy()
    bad[7] = np.nan
    with pytest.raises(ValueError, match="NaN in every time step of sample 7"):
        model.predict(bad)
    bad[7] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        model.predict(bad)
