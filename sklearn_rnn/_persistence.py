"""Sharing a fitted model without pickle: parameters and weights, loaded without code."""

import json
import numbers
import os
import tempfile
import warnings

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._base import registered_estimators
from ._fitted_state import NotAFittedState
from ._torch import resolve_device

__all__ = ["load_model", "save_model"]

_FORMAT = "sklearn-rnn/1"


# A dict is stored as its items, so that keys other than strings (a class_weight's
# labels) keep their type through JSON.
_DICT = "__dict_items__"


def _plain(value, name):
    """``value`` as JSON data (a device as its name, a dict as its items); a clear
    error for what has none."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v, name) for v in value]
    if isinstance(value, dict):
        return {_DICT: [[_plain(k, name), _plain(v, name)] for k, v in value.items()]}
    raise TypeError(
        f"{name}={value!r} cannot be saved without pickle: save_model stores numbers, "
        "strings, booleans, None, devices, and lists and dicts of them. Objects (an "
        "optimizer class, callbacks, a RandomState) need pickle or joblib: see the "
        "notes of save_model."
    )


def _from_plain(value):
    """What :func:`_plain` stored, dicts rebuilt from their items."""
    if isinstance(value, dict) and set(value) == {_DICT} and isinstance(value[_DICT], list):
        if not all(isinstance(item, list) and len(item) == 2 for item in value[_DICT]):
            raise ValueError("a dict's items are not pairs")
        return {_hashable(k): _from_plain(v) for k, v in value[_DICT]}
    if isinstance(value, list):
        return [_from_plain(v) for v in value]
    return value


def _hashable(key):
    if isinstance(key, (list, dict)):
        raise ValueError("a dict's key is not a number, string or boolean")
    return key


def save_model(estimator, path):
    """Save a fitted recurrent estimator (a regressor or a classifier) without pickle.

    The file holds the estimator's parameters and fitted attributes as JSON text and
    the network's weights as tensors, in PyTorch's format. :func:`load_model` reads it
    with ``torch.load(weights_only=True)``, which loads tensors and plain data only and
    never runs code from the file: unlike a pickle, a file from an untrusted source
    cannot take over the machine that loads it.

    Parameters
    ----------
    estimator : fitted RNNRegressor, LSTMRegressor, GRURegressor, RNNClassifier, \
            LSTMClassifier or GRUClassifier
        The model to save. Its parameters must be plain values: an ``optimizer`` given
        as a class, ``callbacks`` or a ``RandomState`` need pickle (or joblib).

    path : str or path-like
        The file to write.

    See Also
    --------
    load_model : Load a model saved by this function.

    Notes
    -----
    The saved model predicts exactly as the original did, and continues training as it
    would: the optimizer's state (Adam's moments, twice the size of the weights) and
    skorch's history are kept, so ``partial_fit`` or a warm start on the loaded model
    gives what they give on the original. Callbacks given as objects are not saved.

    Pickle (or joblib) stores everything, runs on any Python object, and is the right
    choice between processes and machines you trust (joblib workers, a Dask cluster).
    A pickle runs code when it is loaded, so load pickles from trusted sources only;
    share models with others through this function.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sklearn_rnn import GRURegressor, save_model, load_model
    >>> X = np.random.RandomState(0).randn(20, 4, 1)
    >>> model = GRURegressor(max_epochs=2, random_state=0).fit(X, X[:, -1, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
    >>> save_model(model, path)
    >>> bool(np.array_equal(load_model(path).predict(X), model.predict(X)))
    True
    """
    check_is_fitted(estimator)
    name = type(estimator).__name__
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if name not in registered_estimators():
        raise TypeError(f"save_model saves this package's estimators; got {name}.")
    params = {k: _plain(v, k) for k, v in estimator.get_params().items()}
    # The estimator's own fitted state, as pickle and skops keep it: the weights and
    # the optimizer's tensors as tensors, everything else as JSON.
    fitted = estimator._fitted_state()
    net = fitted.pop("net")
    weights = {k: torch.from_numpy(v) for k, v in net["module"].items()}
    optimizer = {}  # its per-weight state; its settings come from the parameters
    if net["optimizer"] is not None:
        for index, entries in net["optimizer"]["state"].items():
            for key, value in entries.items():
                optimizer[f"{index}.{key}"] = torch.from_numpy(np.asarray(value))
    labels = fitted.get("classes_")
    labels_dtype = labels.dtype.str if isinstance(labels, np.ndarray) else None
    # Arrays (column names, scaling statistics) become JSON lists.
    fitted = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in fitted.items()}
    fitted = {k: _plain(v, k) for k, v in fitted.items()}
    meta = {
        "format": _FORMAT,
        "estimator": name,
        "params": params,
        "fitted": fitted,
        "history": _plain_history(net["history"]),
        "classes_dtype": labels_dtype,
    }
    content = {"meta": json.dumps(meta), "state_dict": weights, "optimizer": optimizer}
    _write_atomically(content, path, folder)


_DROPPED = object()


def _plain_history(history):
    """skorch's history as JSON data: numbers (numpy's among them), booleans, strings,
    None, and lists and string-keyed dicts of them. What a callback recorded that has
    no such form is dropped, with a warning that names it."""
    dropped = set()
    rows = [_history_value(row, "", dropped) for row in history]
    if dropped:
        warnings.warn(
            "save_model dropped history entries that are no plain data (not numbers, "
            f"strings, booleans, None, or lists and dicts of them): {sorted(dropped)}. "
            "Pickle keeps them.",
            UserWarning,
            stacklevel=3,
        )
    return [row for row in rows if row is not _DROPPED]


def _history_value(value, path, dropped):
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, (np.generic, np.ndarray)) and value.dtype.kind in "biuf":
        return value.tolist()
    if isinstance(value, (list, tuple)):
        items = [_history_value(v, f"{path}[]", dropped) for v in value]
        return [v for v in items if v is not _DROPPED]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: _history_value(v, f"{path}.{k}".lstrip("."), dropped) for k, v in value.items()}
        return {k: v for k, v in items.items() if v is not _DROPPED}
    dropped.add(path or "a row")
    return _DROPPED


def _write_atomically(content, path, folder):
    """Write to a temporary file beside ``path``, then rename it: never a broken file."""
    if not os.path.exists(folder):
        raise FileNotFoundError(f"Cannot save the model to {path}: {folder} does not exist.")
    if not os.path.isdir(folder):
        raise NotADirectoryError(f"Cannot save the model to {path}: {folder} is not a folder.")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".sklearn-rnn-", suffix=".tmp")
    except PermissionError as exc:
        raise PermissionError(
            f"Cannot save the model to {path}: no permission to write in {folder}."
        ) from exc
    try:
        # mkstemp makes the file private (0600); a saved model gets the mode any new
        # file gets under the user's umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as f:
            torch.save(content, f)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def load_model(path, *, device="cpu"):
    """Load a model saved by :func:`save_model`, without running code from the file.

    Parameters
    ----------
    path : str or path-like
        The file written by :func:`save_model`.

    device : str, default="cpu"
        Where the loaded network predicts; the estimator's ``device`` parameter is set
        to it.

    Returns
    -------
    estimator : RNNRegressor, LSTMRegressor, GRURegressor, RNNClassifier, \
            LSTMClassifier or GRUClassifier
        The fitted model, predicting exactly as the saved one.

    See Also
    --------
    save_model : Save a fitted model without pickle, and why.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sklearn_rnn import LSTMRegressor, save_model, load_model
    >>> X = np.random.RandomState(0).randn(20, 4, 2)
    >>> model = LSTMRegressor(max_epochs=2, random_state=0).fit(X, X[:, -1, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
    >>> save_model(model, path)
    >>> loaded = load_model(path)
    >>> loaded
    LSTMRegressor(max_epochs=2, random_state=0)
    >>> loaded.n_features_in_
    2
    """
    device = resolve_device(device)  # the same error as fit's for a missing GPU
    meta, weights, optimizer = _read(path)
    estimator = _estimator_from_params(path, meta, device)
    fitted = meta["fitted"]
    for key, types in estimator._fitted_attributes().items():
        types = types if isinstance(types, tuple) else (types,)
        if isinstance(fitted.get(key), dict) and dict in types:  # as _plain stored it
            try:
                fitted[key] = _from_plain(fitted[key])
            except ValueError as exc:
                raise _not_a_model(path, f"its {key} is malformed: {exc}") from exc
        if isinstance(fitted.get(key), list) and np.ndarray in types:
            # Column names stay objects, labels take the type JSON gave them.
            dtype = {"feature_names_in_": object, "relative_features_": np.int64}
            dtype = dtype.get(key, np.float32)
            if key == "classes_":  # the labels' own dtype, so predict's stays the same
                dtype = _labels_dtype(path, meta.get("classes_dtype"))
            fitted[key] = np.asarray(fitted[key], dtype=dtype)
    fitted["net"] = {
        "module": weights,
        "history": meta.get("history") or [],
        "optimizer": _optimizer_state(path, optimizer, weights),
    }
    try:  # checked as pickle's and skops' states are, before anything is built
        estimator._restore_fitted_state(fitted, device=device)
    except NotAFittedState as exc:
        raise _not_a_model(path, exc.reason) from exc
    return estimator


def _labels_dtype(path, name):
    """The dtype the labels had (strings as ``<U`` or object, numbers, booleans), or None
    for files from before it was recorded (JSON's own types then)."""
    if name is None:
        return None
    try:
        dtype = np.dtype(name)
    except TypeError as exc:
        raise _not_a_model(path, f"its classes_dtype {name!r} is not a dtype") from exc
    if dtype.kind not in "UObiuf":
        raise _not_a_model(path, f"its classes_dtype {name!r} is not a labels' dtype")
    return dtype


def _estimator_from_params(path, meta, device):
    """The estimator the file names, with its parameters checked as ``fit`` checks them."""
    cls = registered_estimators()[meta["estimator"]]
    params = {**cls._earlier_params, **meta["params"]}  # saved before they existed
    unknown = sorted(set(params) - set(cls().get_params()))
    if unknown:
        raise _not_a_model(path, f"unknown parameters {unknown} for {cls.__name__}")
    try:
        params = {k: _from_plain(v) for k, v in params.items()}
    except (TypeError, ValueError) as exc:
        raise _not_a_model(path, f"its parameters are invalid: {exc}") from exc
    estimator = cls(**params).set_params(device=device)
    try:
        estimator._check_params()
    except ValueError as exc:  # scikit-learn's InvalidParameterError among them
        raise _not_a_model(path, f"its parameters are invalid: {exc}") from exc
    return estimator


def _not_a_model(path, why):
    """The one error of ``load_model`` for a file that is not a sklearn-rnn model."""
    return ValueError(
        f"{path} is not a model saved by save_model (a sklearn-rnn model file): {why}."
    )


# What numpy can hold too (bfloat16 cannot).
_FLOAT_DTYPES = (torch.float16, torch.float32, torch.float64)


def _read(path):
    """The file's JSON metadata and its weights as float arrays, or one clear error."""
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # truncated, empty, random bytes, another pickle...
        raise _not_a_model(path, f"it cannot be read as one ({type(exc).__name__})") from exc
    sections = set(content) if isinstance(content, dict) else set()
    if sections not in ({"meta", "state_dict"}, {"meta", "state_dict", "optimizer"}):
        raise _not_a_model(path, "it does not hold the 'meta' and 'state_dict' sections")
    try:
        meta = json.loads(content["meta"])
    except (TypeError, ValueError) as exc:
        raise _not_a_model(path, "its 'meta' section is not JSON") from exc
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise _not_a_model(path, f"its format is not {_FORMAT}")
    if meta.get("estimator") not in registered_estimators():
        raise _not_a_model(path, f"unknown estimator {meta.get('estimator')!r}")
    if not isinstance(meta.get("params"), dict) or not isinstance(meta.get("fitted"), dict):
        raise _not_a_model(path, "its parameters or fitted attributes are missing")
    tensors = {}
    for section in ("state_dict", "optimizer"):
        named = content.get(section, {})
        if not isinstance(named, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) and v.dtype in _FLOAT_DTYPES
            for k, v in named.items()
        ):
            raise _not_a_model(
                path, f"its {section} is not named float16, float32 or float64 tensors"
            )
        tensors[section] = {k: v.numpy() for k, v in named.items()}
    if not isinstance(meta.get("history", []), list):
        raise _not_a_model(path, "its history is not a list")
    return meta, tensors["state_dict"], tensors["optimizer"]


def _optimizer_state(path, tensors, weights):
    """The optimizer's per-weight state from the file's tensors, checked against the
    weights (one entry per weight, each of its shape or a scalar), or None."""
    if not tensors:
        return None
    shapes = [value.shape for value in weights.values()]
    state = {}
    for name, value in tensors.items():
        index, _, key = name.partition(".")
        if not index.isdigit() or int(index) >= len(shapes) or not key:
            raise _not_a_model(path, f"its optimizer state names an unknown weight ({name})")
        if value.shape not in (shapes[int(index)], ()):
            raise _not_a_model(
                path, f"its optimizer state {name} has shape {value.shape}, not its weight's"
            )
        state.setdefault(int(index), {})[key] = value
    return {"state": state}
