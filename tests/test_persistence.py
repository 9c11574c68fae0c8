"""Pickle, joblib and the pickle-free format: identical predictions, small files."""

import io
import pickle

import joblib
import numpy as np
import pytest
import torch

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor, load_model, save_model

from .conftest import ESTIMATORS

MARKER = np.float32(1234.5678)  # a value that appears in the training data only


def _data(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 6, 2).astype(np.float32)
    y = X[:, -1, 0].copy()
    X[7, 3, 1] = MARKER
    y[11] = MARKER
    return X, y


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_round_trip_predicts_identically(Estimator, dump):
    X, y = _data()
    model = Estimator(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(model))
    else:
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        buffer.seek(0)
        restored = joblib.load(buffer)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.n_iter_ == 3 and restored.history_ is restored.net_.history


def test_pickles_hold_no_training_data_and_no_optimizer_state():
    X, y = _data()
    model = LSTMRegressor(hidden_size=8, max_epochs=3, early_stopping=True, random_state=0)
    model.fit(X, y)
    data = pickle.dumps(model)
    assert MARKER.tobytes() not in data
    assert len(model.net_.optimizer_.state) > 0, "the fitted estimator keeps its own"
    assert len(pickle.loads(data).net_.optimizer_.state) == 0
    bigger = LSTMRegressor(hidden_size=8, max_epochs=3, random_state=0).fit(*_data(n=600))
    assert len(pickle.dumps(bigger)) < 2 * len(data), "size does not grow with the data"


def test_warm_start_pickles_keep_the_optimizer_state_to_continue():
    X, y = _data()
    model = GRURegressor(hidden_size=8, max_epochs=3, warm_start=True, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert len(restored.net_.optimizer_.state) > 0
    restored.fit(X, y)
    model.fit(X, y)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pickle_free_format_round_trip(Estimator, tmp_path):
    X, y = _data()
    model = Estimator(hidden_size=8, max_epochs=3, bidirectional=True, random_state=0)
    model.fit(X, np.c_[y, -y])
    path = tmp_path / "model.pt"
    save_model(model, path)
    loaded = load_model(path)
    assert type(loaded) is Estimator
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.loss_curve_ == model.loss_curve_ and loaded.n_outputs_ == 2
    assert MARKER.tobytes() not in path.read_bytes()
    # Only tensors and plain data: loadable with PyTorch's code-free unpickler.
    assert set(torch.load(path, weights_only=True)) == {"meta", "state_dict"}


def test_pickle_free_format_keeps_the_input_form(tmp_path):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(np.random.RandomState(0).randn(30, 4), columns=list("abcd"))
    model = RNNRegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, X["d"])
    save_model(model, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    np.testing.assert_array_equal(loaded.feature_names_in_, list("abcd"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with pytest.raises(ValueError, match="fitted on 2-D input"):
        loaded.predict(X.to_numpy()[:, :, None])


def test_pickle_free_format_refuses_what_needs_pickle(tmp_path):
    X, y = _data()
    model = GRURegressor(max_epochs=1, optimizer=torch.optim.RMSprop).fit(X, y)
    with pytest.raises(TypeError, match="optimizer=.*cannot be saved without pickle"):
        save_model(model, tmp_path / "m.pt")
    with pytest.raises(ValueError, match="not a model saved by save_model"):
        torch.save({"meta": '{"format": "other"}', "state_dict": {}}, tmp_path / "x.pt")
        load_model(tmp_path / "x.pt")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_model_predicts_on_the_cpu_after_loading(tmp_path):
    X, y = _data()
    model = LSTMRegressor(max_epochs=2, device="cuda", random_state=0).fit(X, y)
    save_model(model, tmp_path / "m.pt")
    on_cpu = load_model(tmp_path / "m.pt", device="cpu")
    np.testing.assert_allclose(on_cpu.predict(X), model.predict(X), rtol=1e-4, atol=1e-5)
