"""Sharing a fitted model without pickle: parameters and weights, loaded without code."""

import json
import numbers

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._base import _resolve_device

__all__ = ["load_model", "save_model"]

_FORMAT = "sklearn-rnn/1"


def _estimator_classes():
    from ._regressors import GRURegressor, LSTMRegressor, RNNRegressor

    return {cls.__name__: cls for cls in (RNNRegressor, LSTMRegressor, GRURegressor)}


def _plain(value, name):
    """``value`` if it is JSON data; a clear error otherwise."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v, name) for v in value]
    raise TypeError(
        f"{name}={value!r} cannot be saved without pickle; save_model stores plain "
        "values only (an optimizer or callbacks given as objects, or a RandomState, "
        "need pickle or joblib: see the notes of save_model)."
    )


def save_model(estimator, path):
    """Save a fitted recurrent regressor without pickle.

    The file holds the estimator's parameters and fitted attributes as JSON text and
    the network's weights as tensors, in PyTorch's format. :func:`load_model` reads it
    with ``torch.load(weights_only=True)``, which loads tensors and plain data only and
    never runs code from the file: unlike a pickle, a file from an untrusted source
    cannot take over the machine that loads it.

    Parameters
    ----------
    estimator : fitted RNNRegressor, LSTMRegressor or GRURegressor
        The model to save. Its parameters must be plain values: an ``optimizer`` given
        as a class, ``callbacks`` or a ``RandomState`` need pickle (or joblib).

    path : str or path-like
        The file to write.

    See Also
    --------
    load_model : Load a model saved by this function.

    Notes
    -----
    The saved model predicts exactly as the original did. It does not keep what only
    further training needs: the optimizer state and skorch's history (``history_`` is
    empty after loading; ``loss_curve_`` and the other fitted attributes are kept). To
    continue training a model later, pickle it with ``warm_start=True``, or fit anew.

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
    if name not in _estimator_classes():
        raise TypeError(f"save_model saves this package's regressors; got {name}.")
    params = {k: _plain(v, k) for k, v in estimator.get_params().items()}
    # The estimator's own fitted state, as pickle and skops keep it, less what only
    # further training needs (the optimizer state and the history).
    fitted = estimator._fitted_state(optimizer=False)
    weights = {k: torch.from_numpy(v) for k, v in fitted.pop("net")["module"].items()}
    # Arrays (column names, scaling statistics) become JSON lists.
    fitted = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in fitted.items()}
    fitted = {k: _plain(v, k) for k, v in fitted.items()}
    meta = {"format": _FORMAT, "estimator": name, "params": params, "fitted": fitted}
    torch.save({"meta": json.dumps(meta), "state_dict": weights}, path)


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
    estimator : RNNRegressor, LSTMRegressor or GRURegressor
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
    content = torch.load(path, map_location="cpu", weights_only=True)
    meta = json.loads(content["meta"])
    if meta.get("format") != _FORMAT:
        raise ValueError(f"{path} is not a model saved by save_model ({_FORMAT}).")
    estimator = _estimator_classes()[meta["estimator"]](**meta["params"])
    estimator.set_params(device=device)
    fitted = meta["fitted"]
    for key, types in estimator._fitted_attributes().items():
        types = types if isinstance(types, tuple) else (types,)
        if isinstance(fitted.get(key), list) and np.ndarray in types:
            dtype = object if key == "feature_names_in_" else np.float32
            fitted[key] = np.asarray(fitted[key], dtype=dtype)
    weights = {k: v.numpy() for k, v in content["state_dict"].items()}
    fitted["net"] = {"module": weights, "history": [], "optimizer": None}
    estimator._restore_fitted_state(fitted, device=_resolve_device(device))
    return estimator
