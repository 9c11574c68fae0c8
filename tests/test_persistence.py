"""Pickle, joblib and the pickle-free format: identical predictions, small files."""

import io
import os
import pickle
import stat
import warnings

import joblib
import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_rnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNRegressor,
    load_model,
    save_model,
)

from .conftest import ESTIMATORS, stored_copies

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


def test_pickles_hold_no_training_data_but_the_optimizer_state():
    X, y = _data()
    model = LSTMRegressor(hidden_size=8, max_epochs=3, early_stopping=True, random_state=0)
    model.fit(X, y)
    data = pickle.dumps(model)
    assert MARKER.tobytes() not in data
    restored = pickle.loads(data).net_.optimizer_.state_dict()["state"]
    original = model.net_.optimizer_.state_dict()["state"]
    assert len(restored) == len(original) > 0
    for index, entries in original.items():
        for key, value in entries.items():
            torch.testing.assert_close(restored[index][key], value)
    bigger = LSTMRegressor(hidden_size=8, max_epochs=3, random_state=0).fit(*_data(n=600))
    assert len(pickle.dumps(bigger)) < 2 * len(data), "size does not grow with the data"


@pytest.mark.parametrize("store", ["pickle", "skops", "save_model"])
@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRUClassifier])
def test_partial_fit_on_a_stored_copy_continues_as_the_original(Estimator, store, tmp_path):
    """dask-ml's Incremental pickles the estimator between blocks: the copy must keep
    what partial_fit needs (the optimizer's moments, the history that seeds the next
    epoch's shuffle), whatever warm_start says."""
    X, y = _data()
    if Estimator is GRUClassifier:
        y = y > 0
    model = Estimator(hidden_size=4, random_state=0)
    for _ in range(2):
        model.partial_fit(X, y, **({"classes": [False, True]} if y.dtype == bool else {}))
    if store == "pickle":
        copy = pickle.loads(pickle.dumps(model))
    elif store == "skops":
        sio = pytest.importorskip("skops.io")
        dumped = sio.dumps(model)
        copy = sio.loads(dumped, trusted=sio.get_untrusted_types(data=dumped))
    else:
        save_model(model, tmp_path / "m.pt")
        copy = load_model(tmp_path / "m.pt")
    for estimator in (model, copy):
        estimator.partial_fit(X, y)
    assert copy.n_iter_ == model.n_iter_ == 3
    output = "predict_proba" if Estimator is GRUClassifier else "predict"
    np.testing.assert_array_equal(getattr(copy, output)(X), getattr(model, output)(X))


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
    assert set(torch.load(path, weights_only=True)) == {"meta", "state_dict", "optimizer"}


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


def test_save_model_keeps_a_class_weight_dict_and_a_device(tmp_path):
    """A class_weight keyed by integer labels, and a torch.device, are parameters fit
    accepts: save_model stores them (the labels keep their type through JSON)."""
    X, _ = _data()
    y = (X[:, -1, 0] > 0).astype(int)
    model = GRUClassifier(
        max_epochs=1, class_weight={0: 1.0, 1: 2.0}, device=torch.device("cpu"), random_state=0
    ).fit(X, y)
    save_model(model, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    assert loaded.class_weight == {0: 1.0, 1: 2.0}
    assert all(type(k) is int for k in loaded.class_weight)
    assert loaded.device == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    names = GRUClassifier(max_epochs=1, class_weight={"a": 1.0, "b": 3.0}, random_state=0)
    names.fit(X, np.where(y, "a", "b"))
    save_model(names, tmp_path / "n.pt")
    assert load_model(tmp_path / "n.pt").class_weight == {"a": 1.0, "b": 3.0}


class RecordsNumpy(Callback):
    """Records numpy scalars and arrays in the history, and one object that is no data."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("np_score", np.float32(0.5))
        net.history.record("np_counts", np.arange(3))
        net.history.record("an_object", object())


def test_save_model_keeps_numpy_values_of_the_history_and_names_what_it_drops(tmp_path):
    X, y = _data()
    model = GRURegressor(max_epochs=2, callbacks=[RecordsNumpy()], random_state=0).fit(X, y)
    model.set_params(callbacks=None)  # objects: save_model refuses them as parameters
    with pytest.warns(UserWarning, match="dropped history entries .*'an_object'"):
        save_model(model, tmp_path / "m.pt")
    history = load_model(tmp_path / "m.pt").history_
    assert history[-1, "np_score"] == 0.5 and history[-1, "np_counts"] == [0, 1, 2]
    assert "batches" in history[-1] and "an_object" not in history[-1]
    assert history[:, "train_loss"] == pytest.approx(model.history_[:, "train_loss"])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_model_predicts_on_the_cpu_after_loading(tmp_path):
    X, y = _data()
    model = LSTMRegressor(max_epochs=2, device="cuda", random_state=0).fit(X, y)
    save_model(model, tmp_path / "m.pt")
    on_cpu = load_model(tmp_path / "m.pt", device="cpu")
    np.testing.assert_allclose(on_cpu.predict(X), model.predict(X), rtol=1e-4, atol=1e-5)


# -- skops: sharing without pickle ---------------------------------------------------


def _public(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("warm_start", [False, True])
def test_skops_round_trip_flags_only_the_public_class(Estimator, warm_start):
    sio = pytest.importorskip("skops.io")
    X, y = _data()
    model = Estimator(hidden_size=8, max_epochs=3, warm_start=warm_start, random_state=0)
    model.fit(X, y)
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted == [_public(Estimator)]
    assert MARKER.tobytes() not in data
    restored = sio.loads(data, trusted=untrusted)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.loss_curve_ == model.loss_curve_
    if warm_start:  # the optimizer state came along: continuing gives the same model
        # Without early stopping, which would keep the weights continued from whenever
        # no new epoch beat them: the three new epochs are kept, and they moved.
        before = model.predict(X)
        for fitted in (restored, model):
            fitted.set_params(early_stopping=False).fit(X, y)
        assert restored.n_iter_ == model.n_iter_ == 6
        assert np.abs(model.predict(X) - before).max() > 1e-3
        np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_skops_round_trip_of_a_pipeline():
    sio = pytest.importorskip("skops.io")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import SlidingWindowTransformer

    series = np.sin(np.arange(80) / 5.0).reshape(-1, 1) * 10
    pipe = make_pipeline(
        StandardScaler(),
        SlidingWindowTransformer(window_size=6),
        LSTMRegressor(hidden_size=8, max_epochs=3, random_state=0),
    ).fit(series[:-1], series[1:, 0])
    data = sio.dumps(pipe)
    untrusted = sio.get_untrusted_types(data=data)
    assert sorted(untrusted) == sorted([_public(SlidingWindowTransformer), _public(LSTMRegressor)])
    restored = sio.loads(data, trusted=untrusted)
    np.testing.assert_array_equal(restored.predict(series), pipe.predict(series))


PAYLOADS = {
    "bytes in place of the weights": lambda state, blob: state["_fitted_state"]["net"].update(
        module=blob
    ),
    "bytes as a fitted attribute": lambda state, blob: state["_fitted_state"].update(net_=blob),
    "bytes as the net itself": lambda state, blob: state.update(net_=blob),
}


@pytest.mark.parametrize("where", PAYLOADS)
def test_a_payload_in_a_skops_file_is_never_run(where, tmp_path, monkeypatch):
    sio = pytest.importorskip("skops.io")
    marker = tmp_path / "payload-ran"

    class Payload:  # unpickling this creates the marker file
        def __reduce__(self):
            return (open, (str(marker), "w"))

    blob = pickle.dumps(Payload())
    X, y = _data()
    model = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    honest = GRURegressor.__getstate__

    def crafted(self):
        state = honest(self)
        PAYLOADS[where](state, blob)
        return state

    monkeypatch.setattr(GRURegressor, "__getstate__", crafted)
    data = sio.dumps(model)
    monkeypatch.undo()
    # The bytes are data to skops: the file asks the user to trust our class only.
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted == [_public(GRURegressor)]
    with pytest.raises(ValueError, match="Not a (fitted )?state of GRURegressor"):
        sio.loads(data, trusted=untrusted)
    assert not marker.exists()
    pickle.loads(blob)  # the payload itself works: the test would have seen it run
    assert marker.exists()


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.update(predict="oops"), "unknown entries \\['predict'\\]"),
        (lambda s: s.pop("n_outputs_"), "missing \\['n_outputs_'\\]"),
        (lambda s: s.update(n_iter_="3"), "n_iter_ is a str"),
        (lambda s: s["net"]["module"].update(extra=[1.0]), "weights are not float arrays"),
        (lambda s: s["net"]["module"]["head.bias"].fill(np.nan), "head.bias are not finite"),
        (lambda s: s["net"]["module"]["rnn.weight_hh_l0"].fill(np.inf), "not finite"),
        (lambda s: s["net"]["module"]["linear.weight"].fill(-np.inf), "not finite"),
        (lambda s: s.update(input_mean_=s["input_mean_"][:1]), r"input_mean_ is float.*\(1,\)"),
        (lambda s: s.update(input_scale_=s["input_scale_"].astype(int)), "input_scale_ is int"),
        (lambda s: s["input_scale_"].fill(0), "input_scale_ is not positive"),
        (lambda s: s["input_scale_"].fill(-1), "input_scale_ is not positive"),
        (lambda s: s["input_mean_"].fill(np.nan), "input_mean_ is not finite"),
        (lambda s: s["target_scale_"].fill(np.inf), "target_scale_ is not finite"),
        (lambda s: s.update(target_mean_=np.zeros(3)), "target_mean_ is float64 of shape"),
        (lambda s: s.update(feature_names_in_=np.array(["a"], object)), "feature_names_in_"),
        (lambda s: s.update(_y_ndim=0), "a 0-D y with n_outputs_=1 is not one a fit records"),
        (lambda s: s.update(_y_ndim=7), "a 7-D y"),
        (lambda s: s.update(_column_order="sideways"), "_column_order is 'sideways'"),
        # a model of 3-D sequences has no column order
        (lambda s: s.update(_column_order="newest_first"), "_column_order is 'newest_first'"),
    ],
)
def test_pickled_fitted_state_is_checked(edit, message):
    X, y = _data()
    model = RNNRegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    state = model.__getstate__()
    edit(state["_fitted_state"])
    with pytest.raises(ValueError, match=message):
        RNNRegressor().__setstate__(state)  # skops restores through it too


# -- hostile and broken model files --------------------------------------------------


def _saved(tmp_path, **params):
    X, y = _data()
    model = GRURegressor(hidden_size=4, max_epochs=1, random_state=0, **params).fit(X, y)
    path = tmp_path / "model.pt"
    save_model(model, path)
    return model, path


def _rewrite(path, edit):
    import json

    content = torch.load(path, weights_only=True)
    meta = json.loads(content["meta"])
    edit(meta, content["state_dict"])
    torch.save({"meta": json.dumps(meta), "state_dict": content["state_dict"]}, path)


def _edit_network(meta, **changes):
    """Change the fitted architecture a model file records (a dict, as save_model
    writes one: its items under one key)."""
    ((key, items),) = meta["fitted"]["_network"].items()
    meta["fitted"]["_network"] = {key: [[k, changes.get(k, v)] for k, v in items]}


@pytest.mark.parametrize(
    "edit, named",
    [
        # the fitted record's architecture (the parameters are what a later fit reads)
        (lambda m, s: _edit_network(m, hidden_size=30000), "hidden_size=30000 against 4"),
        (lambda m, s: _edit_network(m, num_layers=100000), "num_layers=100000 against 1"),
        (lambda m, s: _edit_network(m, bidirectional=True), "bidirectional=True"),
        # the network reads each of 2 features relative to the last value and as is
        (lambda m, s: m["fitted"].update(n_features_in_=7), "input_size=14 against 4"),
        (
            lambda m, s: m["fitted"].update(  # a consistent 3-output target state
                n_outputs_=3,
                _y_ndim=2,
                target_mean_=[0.0] * 3,
                target_scale_=[1.0] * 3,
                relative_features_=[0] * 3,
            ),
            "n_outputs_=3 against 1",
        ),
        # the fitted record's window, not the parameter (which a later fit would read)
        (lambda m, s: m["fitted"].update(linear_window_=5), r"linear_window=5 against \d+"),
        (lambda m, s: m["fitted"].update(patch_size_=2), "input_size=4 against 2"),
    ],
)
def test_load_model_checks_the_parameters_against_the_tensors(tmp_path, monkeypatch, edit, named):
    from sklearn_rnn._torch import state as _state

    _, path = _saved(tmp_path)
    _rewrite(path, edit)
    monkeypatch.setattr(_state, "build_net", None)  # nothing may be built first
    with pytest.raises(ValueError, match=f"do not describe its weights.*{named}"):
        load_model(path)


@pytest.mark.parametrize(
    "Estimator, changed",
    [
        (LSTMRegressor, {"readout": "mean"}),
        (RNNRegressor, {"nonlinearity": "relu"}),
        (LSTMRegressor, {"hidden_size": 64}),
        (GRURegressor, {"num_layers": 2, "bidirectional": True, "dropout": 0.5}),
        (LSTMClassifier, {"readout": "max", "hidden_size": 16}),
    ],
)
def test_every_stored_form_rebuilds_the_fitted_network_whatever_the_parameters_say(
    tmp_path, Estimator, changed
):
    """The fitted record holds the whole architecture: after set_params, pickle, skops
    and save_model copies predict as the original does (its parameters are what the
    next fit reads)."""
    pytest.importorskip("skops.io")
    rng = np.random.RandomState(0)
    X = rng.randn(40, 6, 2)
    y = X[:, -1, 0] > 0 if Estimator is LSTMClassifier else X[:, -1, 0] + 0.3 * X[:, -2, 1]
    model = Estimator(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    expected = model.predict_proba(X) if Estimator is LSTMClassifier else model.predict(X)
    model.set_params(**changed)
    for restored in stored_copies(model, tmp_path):
        assert restored.get_params() == model.get_params()
        predicted = (
            restored.predict_proba(X) if Estimator is LSTMClassifier else restored.predict(X)
        )
        np.testing.assert_array_equal(predicted, expected)


def test_a_stored_architecture_is_checked_as_fit_checks_its_parameters(tmp_path):
    _, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: _edit_network(m, readout="median"))
    with pytest.raises(ValueError, match="its _network is not one fit accepts.*readout"):
        load_model(path)
    _, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: m["fitted"]["_network"].update(extra=[]))
    with pytest.raises(ValueError, match="its _network"):
        load_model(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"random bytes \x00\x01\x02" * 10,
        "truncated",
        "bare tensor",
        "no state_dict",
        "not json",
        "unknown estimator",
    ],
)
def test_load_model_says_when_a_file_is_not_a_model(tmp_path, content):
    _, path = _saved(tmp_path)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif content == "bare tensor":
        torch.save(torch.zeros(3), path)
    elif content == "no state_dict":
        torch.save({"meta": "{}"}, path)
    elif content == "not json":
        torch.save({"meta": "{not json", "state_dict": {}}, path)
    else:
        _rewrite(path, lambda m, s: m.update(estimator="Evil"))
    with pytest.raises(ValueError, match="is not a model saved by save_model"):
        load_model(path)


def test_load_model_accepts_only_known_fitted_attributes(tmp_path):
    _, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: m["fitted"].update(predict=1, __dict__={}))
    with pytest.raises(ValueError, match="unknown entries \\['__dict__', 'predict'\\]"):
        load_model(path)


def test_save_model_never_leaves_a_broken_file(tmp_path, monkeypatch):
    model, path = _saved(tmp_path)
    before = path.read_bytes()

    def failing_save(obj, f):
        f.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]  # no temporary left


def test_save_model_names_a_bad_destination(tmp_path, monkeypatch):
    model, _ = _saved(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_model(model, tmp_path / "missing" / "m.pt")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        save_model(model, tmp_path / "file" / "m.pt")
    import tempfile

    def denied(*args, **kwargs):  # as root, a read-only folder cannot be simulated
        raise PermissionError("denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(PermissionError, match="no permission to write in"):
        save_model(model, tmp_path / "m.pt")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_model_fitted_on_a_gpu_loads_on_the_cpu_where_there_is_none(tmp_path):
    """A model fitted with device="cuda" comes back on a machine without a GPU: pickle
    and skops load it on the CPU with a warning that says so (its device parameter as
    fitted), load_model on the device it is given (the CPU by default); each predicts
    as before. Fitted here on the CPU, its stored device set to "cuda": what is stored
    of a GPU model besides its weights, which are stored as arrays either way."""
    X, y = _data()
    model = LSTMRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    expected = model.predict(X)
    model.set_params(device="cuda")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pickled, loaded, from_skops = stored_copies(model, tmp_path)
    fallback = "fitted with device='cuda', which is not available here; it is loaded on the CPU"
    assert [fallback in str(w.message) for w in caught] == [True, True]  # pickle, skops
    assert pickled.device == from_skops.device == "cuda" and loaded.device == "cpu"
    for restored in (pickled, loaded, from_skops):
        assert {p.device.type for p in restored.net_.module_.parameters()} == {"cpu"}
        np.testing.assert_array_equal(restored.predict(X), expected)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_load_model_on_a_missing_gpu_says_what_fit_says(tmp_path):
    _, path = _saved(tmp_path)
    with pytest.raises(ValueError, match="CUDA is not available"):
        load_model(path, device="cuda")


# -- no training data stays reachable ------------------------------------------------


def _marked(n=60):
    """Float32 data with MARKER in a training row and in the validation tail (last 10%)."""
    X, y = _data(n)
    X[-2, 4, 0] = MARKER
    y[-3] = MARKER
    return X, y


def _dumps(model, path):
    """Every persistence path's bytes: pickle, joblib, skops (if installed), save_model."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    dumps = {"pickle": pickle.dumps(model), "joblib": buffer.getvalue()}
    try:
        import skops.io as sio
    except ImportError:  # an optional test dependency
        sio = None
    if sio is not None:
        dumps["skops"] = sio.dumps(model)
    save_model(model, path)
    dumps["save_model"] = path.read_bytes()
    return dumps


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_no_persistence_path_holds_training_data(early_stopping, standardize, tmp_path):
    X, y = _marked()
    model = LSTMRegressor(
        hidden_size=8,
        max_epochs=3,
        early_stopping=early_stopping,
        standardize=standardize,
        warm_start=True,  # the optimizer state is saved too
        random_state=0,
    ).fit(X, y)
    # The marker as the network saw it: raw, or standardised by the fitted statistics.
    markers = {MARKER, np.float64(MARKER)}
    if standardize:
        for mean, scale in [(model.input_mean_, model.input_scale_), (model.target_mean_, None)]:
            scale = model.target_scale_ if scale is None else scale
            markers |= {np.float32((MARKER - m) / s) for m, s in zip(mean, scale, strict=True)}
    for name, data in _dumps(model, tmp_path / "m.pt").items():
        for marker in markers:
            assert marker.tobytes() not in data, (name, marker)


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("view", [False, True])
def test_a_fitted_estimator_keeps_no_reference_to_the_data(early_stopping, view):
    """After ``del X``, the caller's array is freed, even when fit used it without a copy."""
    import gc
    import weakref

    X, y = _marked()
    base = np.concatenate([X, X[:5]])  # float32, C-contiguous: read without a copy
    X = base[:60] if view else base
    y = np.concatenate([y, y[:5]])[: len(X)]
    model = GRURegressor(
        hidden_size=4, max_epochs=2, early_stopping=early_stopping, standardize=False
    ).fit(X, y)
    alive = [weakref.ref(base), weakref.ref(y)]
    del X, y, base
    gc.collect()
    assert [ref() is None for ref in alive] == [True, True]
    assert model.predict(_data()[0]).shape == (60,)


def test_patches_survive_every_stored_form(tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 40, 2), rng.randn(30)
    model = LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    assert model.patch_size_ == 3
    save_model(model, tmp_path / "m.pt")
    for restored in (pickle.loads(pickle.dumps(model)), load_model(tmp_path / "m.pt")):
        assert restored.patch_size_ == 3
        np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_relative_targets_survive_every_stored_form(tmp_path):
    pytest.importorskip("skops.io")
    rng = np.random.RandomState(0)
    X = rng.randn(40, 6, 3)
    y = np.c_[X[:, -1, 2] + 0.1 * X[:, 0, 0], X[:, -1, 1]]  # continuing features 2 and 1
    model = GRURegressor(hidden_size=4, max_epochs=2, random_state=0, relative_to="last")
    model.fit(X, y)
    np.testing.assert_array_equal(model.relative_features_, [2, 1])
    for restored in stored_copies(model, tmp_path):
        np.testing.assert_array_equal(restored.relative_features_, [2, 1])
        assert restored.relative_features_.dtype.kind == "i"
        np.testing.assert_array_equal(restored.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "features, message",
    [
        (np.array([3]), "relative_features_ is array\\(\\[3\\]\\), not 1 feature index"),
        (np.array([-1]), "not 1 feature index\\(es\\) below 2"),
        (np.array([0, 1]), "not 1 feature index"),
        (np.array([0.0]), "not 1 feature index"),
        ([0], "relative_features_ is a list"),
    ],
)
def test_a_stored_state_names_features_it_has(features, message):
    X, y = _data()
    model = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    state = model.__getstate__()
    state["_fitted_state"]["relative_features_"] = features
    with pytest.raises(ValueError, match=message):
        GRURegressor().__setstate__(state)


@pytest.mark.parametrize("store", ["pickle", "save_model"])
def test_a_state_from_before_relative_targets_loads_as_levels(store, tmp_path):
    """Stored before relative_to existed, a model learned levels: it loads so, its
    parameter None, and a warm start continues it as levels."""
    import json

    X, y = _data()
    model = GRURegressor(hidden_size=4, max_epochs=1, relative_to=None, random_state=0)
    model.fit(X, y)
    if store == "pickle":
        state = model.__getstate__()
        del state["relative_to"], state["_fitted_state"]["relative_features_"]
        restored = GRURegressor.__new__(GRURegressor)
        restored.__setstate__(state)
    else:
        save_model(model, tmp_path / "m.pt")
        content = torch.load(tmp_path / "m.pt", weights_only=True)
        meta = json.loads(content["meta"])
        del meta["params"]["relative_to"], meta["fitted"]["relative_features_"]
        content["meta"] = json.dumps(meta)
        torch.save(content, tmp_path / "m.pt")
        restored = load_model(tmp_path / "m.pt")
    assert restored.relative_to is None and restored.relative_features_ is None
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    restored.set_params(warm_start=True).fit(X, y)  # continues as levels


def test_a_state_from_before_patches_loads_as_patches_of_one_step():
    X, y = _data()
    model = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    assert model.patch_size_ == 1
    state = model.__getstate__()
    del state["_fitted_state"]["patch_size_"]
    restored = GRURegressor.__new__(GRURegressor)
    restored.__setstate__(state)
    assert restored.patch_size_ == 1
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


@pytest.mark.parametrize("patch_size", [0, -1, 1.5, True, "2"])
def test_load_model_refuses_a_patch_size_that_is_not_a_positive_int(tmp_path, patch_size):
    _, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: m["fitted"].update(patch_size_=patch_size))
    with pytest.raises(ValueError, match="patch_size_ is .*not a positive int"):
        load_model(path)


@pytest.mark.parametrize(
    "edit, named",
    [
        ({"hiden_size": 4}, r"unknown parameters \['hiden_size'\] for GRURegressor"),
        ({"optimizer": "bogus"}, "parameters are invalid: The 'optimizer' parameter"),
        ({"lr": -1}, "parameters are invalid: The 'lr' parameter"),
        ({"max_epochs": -1}, "parameters are invalid: The 'max_epochs' parameter"),
        ({"max_epochs": True}, "parameters are invalid: The 'max_epochs' parameter"),
    ],
)
def test_stored_parameters_are_validated_as_fit_validates_them(tmp_path, edit, named):
    """A file's (or a pickle's) parameters never went through fit: they are checked as
    fit checks them, and refused with the file's name rather than failing later in
    torch or with a KeyError."""
    model, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: m["params"].update(edit))
    with pytest.raises(ValueError, match=f"{path.name} is not a model.*{named}"):
        load_model(path)
    if "hiden_size" in edit:
        return
    state = model.__getstate__()
    state.update(edit)
    with pytest.raises(ValueError, match="Not a state of GRURegressor: The"):
        GRURegressor.__new__(GRURegressor).__setstate__(state)


@pytest.mark.parametrize("y_ndim", [1, 0, 7])
def test_load_model_refuses_an_impossible_target_shape(tmp_path, y_ndim):
    """A 3-output model whose file says its y was 1-D (or 0-D, 7-D) would predict
    (90,) instead of (30, 3): refused by name."""
    X, _ = _data()
    model = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, X[:, -1])
    path = tmp_path / "model.pt"
    save_model(model, path)
    _rewrite(path, lambda m, s: m["fitted"].update(_y_ndim=y_ndim))
    with pytest.raises(ValueError, match=f"a {y_ndim}-D y with n_outputs_=2"):
        load_model(path)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.update(classes_=np.array([0])), "not 2 or more labels"),
        (lambda s: s.update(classes_=np.array([1, 1])), "repeats a label"),
        (lambda s: s.update(classes_=np.array([[0, 1]])), "has shape \\(1, 2\\)"),
    ],
)
def test_a_classifiers_stored_classes_are_checked(edit, message):
    X, _ = _data()
    model = GRUClassifier(hidden_size=4, max_epochs=1, random_state=0)
    model.fit(X, X[:, -1, 0] > 0)
    state = model.__getstate__()
    edit(state["_fitted_state"])
    with pytest.raises(ValueError, match=message):
        GRUClassifier().__setstate__(state)


@pytest.mark.parametrize(
    "edit, named",
    [
        (lambda m, s: s["rnn.weight_ih_l0"].fill_(float("nan")), "rnn.weight_ih_l0 are not finite"),
        (lambda m, s: s["head.weight"].fill_(float("inf")), "head.weight are not finite"),
        (lambda m, s: m["fitted"].update(input_scale_=[0] * 4), "input_scale_ is not positive"),
        (lambda m, s: m["fitted"].update(input_scale_=[1, 1, 1, -1]), "input_scale_ is not posi"),
        (lambda m, s: m["fitted"].update(input_mean_=[0.5]), "input_mean_ is float32 of shape"),
        (lambda m, s: m["fitted"].update(target_mean_=[float("-inf")]), "target_mean_ is not"),
    ],
)
def test_load_model_refuses_non_finite_or_misshapen_contents(tmp_path, edit, named):
    """A file that would load and then predict NaN, or broadcast a wrong statistic
    silently, is refused before anything is built."""
    _, path = _saved(tmp_path)
    _rewrite(path, edit)
    with pytest.raises(ValueError, match=named):
        load_model(path)


@pytest.mark.parametrize("labels", ["unicode", "object", "bool", "int"])
def test_load_model_keeps_the_labels_dtype(tmp_path, labels):
    """String labels fitted as an object array stay objects (JSON would make them <U),
    so predict returns what the original returned."""
    from sklearn_rnn import GRUClassifier

    X = np.random.RandomState(0).randn(30, 6, 2)
    y = {
        "unicode": np.array(["a", "b", "c"] * 10),
        "object": np.array(["a", "b", "c"] * 10, dtype=object),
        "bool": np.array([True, False, True] * 10),
        "int": np.arange(30) % 3,
    }[labels]
    model = GRUClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    save_model(model, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    assert loaded.classes_.dtype == model.classes_.dtype
    assert loaded.predict(X).dtype == model.predict(X).dtype


def test_load_model_refuses_weights_numpy_cannot_hold_and_zero_widths(tmp_path):
    _, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: s.update({"head.bias": s["head.bias"].to(torch.bfloat16)}))
    with pytest.raises(ValueError, match="not named float16, float32 or float64 tensors"):
        load_model(path)
    _, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: s.update({"rnn.weight_ih_l0": torch.zeros(12, 0)}))
    with pytest.raises(ValueError, match="do not describe its weights"):
        load_model(path)


def test_a_saved_model_gets_the_mode_of_any_new_file(tmp_path):
    previous = os.umask(0o022)
    try:
        _, path = _saved(tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644  # mkstemp alone gives 0600


# -- the network the parameters describe, in every stored form -------------------------


def _skops_edit(data, edit):
    """``data`` (skops bytes) with ``edit(schema, arrays)`` applied: ``schema`` the JSON
    tree, ``arrays`` a function from a node to its array, to fill in place."""
    import json
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(source.read("schema.json"))
    arrays = {}

    def array(node):
        if node["file"] not in arrays:
            arrays[node["file"]] = np.load(io.BytesIO(source.read(node["file"])))
        return arrays[node["file"]]

    edit(schema, array)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name == "schema.json":
                target.writestr(name, json.dumps(schema))
            elif name in arrays:
                buffer = io.BytesIO()
                np.save(buffer, arrays[name])
                target.writestr(name, buffer.getvalue())
            else:
                target.writestr(name, source.read(name))
    return out.getvalue()


def _skops_set(node, content):
    """A JSON value of the schema set to ``content`` (JSON text); a new id, since skops
    gives equal ids (small ints, shared strings) the object it loaded first."""
    node.update(content=content, __id__=node["__id__"] + 10**15)


def _skops_fitted(schema):
    return schema["content"]["content"]["_fitted_state"]["content"]


def _skops_weight(schema, name):
    net = _skops_fitted(schema)["net"]["content"]
    return net["module"]["content"][name]


@pytest.mark.parametrize(
    "edit, named",
    [
        (
            # the fitted architecture's hidden_size (the parameter sizes the next fit)
            lambda s, a: _skops_set(
                _skops_fitted(s)["_network"]["content"]["hidden_size"], "30000"
            ),
            "hidden_size=30000 against 4 in the tensors",
        ),
        (lambda s, a: s.update({"__class__": "LSTMRegressor"}), "cell='lstm' against 'gru'"),
        (lambda s, a: a(_skops_weight(s, "rnn.weight_ih_l0")).fill(np.nan), "are not finite"),
        (lambda s, a: a(_skops_weight(s, "head.weight")).fill(np.inf), "are not finite"),
        (lambda s, a: a(_skops_weight(s, "head.bias")).fill(-np.inf), "are not finite"),
        (lambda s, a: a(_skops_fitted(s)["input_scale_"]).fill(0), "input_scale_ is not positive"),
        (lambda s, a: a(_skops_fitted(s)["input_scale_"]).fill(-1), "input_scale_ is not pos"),
        (
            lambda s, a: _skops_set(s["content"]["content"]["max_epochs"], "-1"),
            "The 'max_epochs' parameter",
        ),
    ],
)
def test_skops_refuses_what_load_model_refuses(edit, named):
    """Issue 23's table, for skops: a file that would load and then predict NaN, or
    carry parameters fit refuses or that do not describe its weights, is refused."""
    sio = pytest.importorskip("skops.io")
    X, y = _data()
    model = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    data = _skops_edit(sio.dumps(model), edit)
    with pytest.raises(ValueError, match=named):
        sio.loads(data, trusted=sio.get_untrusted_types(data=data))


@pytest.mark.parametrize("store", ["pickle", "save_model"])
def test_weights_of_another_cell_are_refused_before_anything_is_built(store, tmp_path, monkeypatch):
    """A GRU's weights stored under LSTMRegressor's name: the tensors' gates say which
    cell they are (torch's size error from deep inside load_state_dict before)."""
    from sklearn_rnn._torch import state as _state

    X, y = _data()
    model = GRURegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    monkeypatch.setattr(_state, "build_net", None)  # nothing may be built first
    if store == "pickle":
        with pytest.raises(ValueError, match="Not a fitted state of LSTMRegressor: its fitted"):
            LSTMRegressor.__new__(LSTMRegressor).__setstate__(model.__getstate__())
        return
    monkeypatch.undo()
    save_model(model, tmp_path / "m.pt")
    _rewrite(tmp_path / "m.pt", lambda m, s: m.update(estimator="LSTMRegressor"))
    monkeypatch.setattr(_state, "build_net", None)
    with pytest.raises(ValueError, match="m.pt is not a model.*cell='lstm' against 'gru'"):
        load_model(tmp_path / "m.pt")


def test_weights_the_network_does_not_have_are_refused_by_name(tmp_path):
    _, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: s.pop("rnn.bias_hh_l0"))
    missing = r"not its network's: weights missing \['rnn.bias_hh_l0'\]"
    with pytest.raises(ValueError, match=missing):
        load_model(path)
    _, path = _saved(tmp_path)
    _rewrite(path, lambda m, s: s.update({"rnn.bias_hh_l0": torch.zeros(5)}))
    with pytest.raises(ValueError, match=r"rnn.bias_hh_l0 has shape \(5,\), not \(12,\)"):
        load_model(path)


def test_the_estimators_register_themselves_and_only_the_packages(tmp_path):
    import sklearn_rnn
    from sklearn_rnn._base import registered_estimators

    public = {
        name: getattr(sklearn_rnn, name)
        for name in sklearn_rnn.__all__
        if name.endswith(("Regressor", "Classifier"))
    }
    assert registered_estimators() == public and len(public) == 6

    class MyLSTM(LSTMRegressor):
        pass

    assert "MyLSTM" not in registered_estimators()
    X, y = _data()
    with pytest.raises(TypeError, match="saves this package's estimators; got MyLSTM"):
        save_model(MyLSTM(hidden_size=4, max_epochs=1).fit(X, y), tmp_path / "m.pt")
