"""The training side's contract with skorch: what it replaces must still do what skorch does.

``_SequenceNet.train_step`` replaces skorch's ``NeuralNet.train_step`` (no closure, no
step accumulator) and ``_set_training`` overrides a private skorch method. These tests
fail loudly when skorch's own versions start doing something ours do not.
"""

import numpy as np
import pytest
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from sklearn_rnn._torch.network import RecurrentModule
from sklearn_rnn._torch.training import NetConfig, _dataset, _SequenceNet, build_net


class GradListener(Callback):
    def on_grad_computed(self, net, named_parameters, **kwargs):
        self.calls_ = getattr(self, "calls_", 0) + 1


class SkorchStep(_SequenceNet):
    """The same net with skorch's own train_step."""

    train_step = NeuralNet.train_step


def _train_recording(net_class, callbacks):
    config = NetConfig(
        module=RecurrentModule,
        module_params={"cell": "gru", "input_size": 2, "output_size": 1, "hidden_size": 4},
        criterion=torch.nn.MSELoss,
        optimizer=torch.optim.Adam,
        optimizer_params={"lr": 0.01, "weight_decay": 0.0},
    )
    rng = np.random.RandomState(0)
    X = rng.randn(20, 5, 2).astype(np.float32)
    y = X[:, -1, :1].copy()
    net = build_net(config, max_epochs=3, batch_size=8, callbacks=callbacks)
    net.__class__ = net_class
    calls = []
    notify = net.notify

    def recording_notify(name, **kwargs):
        calls.append(name)
        return notify(name, **kwargs)

    net.notify = recording_notify
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net.initialize()
        net.partial_fit(_dataset(X, None, y, None, "cpu"), None)
    weights = [p.detach().clone() for p in net.module_.parameters()]
    return calls, weights, list(net.history[:, "train_loss"])


def test_train_step_matches_skorch_hook_by_hook():
    ours = _train_recording(_SequenceNet, [GradListener()])
    skorch = _train_recording(SkorchStep, [GradListener()])
    assert ours[0] == skorch[0], "skorch's train_step now calls other hooks"
    assert ours[2] == skorch[2]
    for a, b in zip(ours[1], skorch[1], strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_train_step_without_gradient_listeners_only_skips_their_hook():
    ours = _train_recording(_SequenceNet, [])
    skorch = _train_recording(SkorchStep, [])
    assert [c for c in skorch[0] if c != "on_grad_computed"] == ours[0]
    assert "on_grad_computed" not in ours[0]
    assert ours[2] == skorch[2]


@pytest.mark.parametrize("name", ["_set_training", "get_train_step_accumulator"])
def test_skorch_still_has_what_the_fast_path_relies_on(name):
    assert hasattr(NeuralNet, name), f"skorch no longer has NeuralNet.{name}"
    accumulator = NeuralNet(
        RecurrentModule, criterion=torch.nn.MSELoss
    ).get_train_step_accumulator()
    assert type(accumulator).__name__ == "FirstStepAccumulator"
