"""The torch side: the network, its training and its predictions, in PyTorch and skorch.

The scikit-learn side (the estimators, ``_base.py`` and the families) validates and
represents the data, and meets this side at the names below, all on data in the
internal form (float32 ``(n_samples, n_timesteps, n_features)`` and ``lengths``):

- :func:`train` builds and trains a net from a :class:`NetConfig` (the network, its
  loss and optimizer) and a :class:`TrainConfig` (how to train), and :func:`summary`
  reads what the training recorded;
- :func:`forward` predicts with a trained net;
- :func:`net_state` and :func:`restore_net` turn a net into plain data and back (what
  pickle, skops and ``save_model`` store).

Modules, one concept each: ``network`` (the recurrent module), ``dataset`` (tensors and
batches), ``training`` (the skorch net, the loop, seeds, devices, optimizers),
``callbacks`` (what the loop adds to skorch's), ``prediction``, ``state`` (the net as
plain data), ``losses`` and ``threads`` (how many torch threads to use).
"""

from .losses import REGRESSION_LOSSES, LabelCrossEntropy, MultilabelLoss, PinballLoss
from .network import RecurrentModule
from .prediction import forward
from .state import net_state, restore_net
from .training import (
    OPTIMIZERS,
    NetConfig,
    TrainConfig,
    optimizer_class,
    optimizer_params,
    resolve_device,
    summary,
    train,
    validation_split_fits,
)

__all__ = [
    "OPTIMIZERS",
    "REGRESSION_LOSSES",
    "LabelCrossEntropy",
    "MultilabelLoss",
    "NetConfig",
    "PinballLoss",
    "RecurrentModule",
    "TrainConfig",
    "forward",
    "net_state",
    "optimizer_class",
    "optimizer_params",
    "resolve_device",
    "restore_net",
    "summary",
    "train",
    "validation_split_fits",
]
