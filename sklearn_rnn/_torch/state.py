"""The trained net as plain data (numpy arrays, lists, dicts) and back: what every
stored form of a fitted estimator holds of its network."""

import copy

import numpy as np
import torch
from skorch.history import History

from .dataset import as_tensor
from .training import GLOBAL_RNG_LOCK, build_net

__all__ = ["net_state", "restore_net"]


def net_state(net):
    """The net as plain data: weights (numpy), history (lists, dicts), optimizer state.

    The optimizer state (Adam's moments, twice the size of the weights) serves further
    training, not prediction; it is kept so that ``partial_fit`` or a warm start on a
    stored copy continues exactly as on the original (dask-ml's ``Incremental``
    pickles the estimator between blocks).
    """
    return {
        "module": {k: v.detach().cpu().numpy() for k, v in net.module_.state_dict().items()},
        "history": copy.deepcopy(list(net.history)),
        # Its per-weight state only: its settings come from the parameters on restoring.
        "optimizer": (
            {"state": _to_numpy(net.optimizer_.state_dict()["state"])}
            if net.optimizer_.state
            else None
        ),
    }


def restore_net(config, state):
    """A net of ``config`` holding what :func:`net_state` recorded, ready to predict."""
    net = build_net(config)
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):  # weights replaced below
        net.initialize()
    net.module_.load_state_dict({k: as_tensor(v) for k, v in state["module"].items()})
    if state.get("optimizer") is not None:
        # Its per-weight state (moments); its settings are those the parameters give,
        # as a continued fit sets them anyway (see _continue_from).
        fresh = net.optimizer_.state_dict()
        fresh["state"] = _to_torch(state["optimizer"]["state"])
        net.optimizer_.load_state_dict(fresh)
    net.history = History(copy.deepcopy(list(state.get("history") or [])))
    return net


def _to_numpy(obj):
    """Tensors to numpy arrays, recursively through dicts, lists and tuples."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu().numpy()
    if isinstance(obj, dict):
        return {k: _to_numpy(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_numpy(v) for v in obj)
    return obj


def _to_torch(obj):
    """Numpy arrays to tensors, recursively through dicts, lists and tuples."""
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(obj.copy())
    if isinstance(obj, dict):
        return {k: _to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_torch(v) for v in obj)
    return obj
