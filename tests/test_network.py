"""The PyTorch network alone: packing, padding and the head."""

import pytest
import torch

from sklearn_rnn._torch.network import RecurrentModule


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_reaches_the_output(cell, bidirectional):
    torch.manual_seed(0)
    module = RecurrentModule(
        cell,
        input_size=3,
        output_size=2,
        hidden_size=8,
        num_layers=2,
        bidirectional=bidirectional,
    ).eval()
    lengths = torch.tensor([5, 2, 7, 1])
    X = torch.randn(4, 7, 3)
    noisy = X.clone()
    for i, n in enumerate(lengths):
        noisy[i, n:] = 1e3 * torch.randn(7 - n, 3)  # garbage where padding is
    with torch.no_grad():
        batched = module(noisy, lengths)
        alone = torch.cat([module(X[i : i + 1, :n]) for i, n in enumerate(lengths)])
    torch.testing.assert_close(batched, alone, rtol=1e-5, atol=1e-6)


def test_equal_lengths_are_not_packed(monkeypatch):
    import sklearn_rnn._torch.network as network

    def fail(*args, **kwargs):
        raise AssertionError("packed although all lengths are equal")

    monkeypatch.setattr(network, "pack_padded_sequence", fail)
    module = RecurrentModule("lstm", input_size=1, output_size=1)
    assert module(torch.randn(3, 4, 1), None).shape == (3, 1)


def _outputs_and_gradients(module, forward, y):
    """The outputs of ``forward()`` and the gradients of their squared error to ``y``."""
    module.zero_grad()
    out = forward()
    torch.nn.functional.mse_loss(out, y).backward()
    return out.detach(), [p.grad.clone() for p in module.parameters()]


def _assert_same_outputs_and_gradients(got, want):
    torch.testing.assert_close(got[0], want[0], rtol=1e-5, atol=1e-6)
    for a, b in zip(got[1], want[1], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def _packed_outputs_and_gradients(module, X, lengths, y):
    """The reference: the stack run over packed sequences, then the head."""
    return _outputs_and_gradients(module, lambda: module.head(module._final_states(X, lengths)), y)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("spread", ["alike", "wide"])
def test_unidirectional_ragged_batches_run_unpacked_with_the_packed_gradients(
    cell, spread, monkeypatch
):
    """The fast path reads each sequence's last output: same outputs, same gradients.

    Lengths alike run as one padded batch; widely spread ones in time segments.
    """
    import sklearn_rnn._torch.network as network

    torch.manual_seed(0)
    module = RecurrentModule(cell, input_size=2, output_size=1, hidden_size=8, num_layers=2)
    if spread == "alike":
        lengths = torch.tensor([5, 4, 7, 6])
    else:
        lengths = torch.tensor([3, 60, 1, 2, 5, 4, 2, 30, 1, 3, 2, 100, 4, 3, 1, 2])
    assert len(network.segment_ends(lengths)) == (1 if spread == "alike" else 5)
    X, y = torch.randn(len(lengths), 102, 2), torch.randn(len(lengths), 1)  # padding for all

    packed = _packed_outputs_and_gradients(module, X, lengths, y)
    with monkeypatch.context() as patch:
        patch.setattr(network, "pack_padded_sequence", None)  # would fail if called
        fast = _outputs_and_gradients(module, lambda: module(X, lengths), y)
    _assert_same_outputs_and_gradients(fast, packed)


@pytest.mark.parametrize(
    ("cell", "options"),
    [("rnn", {}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}), ("gru", {})],
)
@pytest.mark.parametrize("num_layers", [1, 2])
def test_bidirectional_ragged_batches_run_unpacked_with_the_packed_gradients(
    cell, options, num_layers, monkeypatch
):
    """Each layer's backward direction reads every sequence reversed within its length:
    the outputs and gradients of packing, without packing (several times slower on CPU)."""
    import sklearn_rnn._torch.network as network

    torch.manual_seed(0)
    module = RecurrentModule(
        cell,
        input_size=2,
        output_size=1,
        hidden_size=8,
        num_layers=num_layers,
        bidirectional=True,
        **options,
    )
    lengths = torch.tensor([3, 9, 1, 2, 5, 4, 9, 7])
    X, y = torch.randn(len(lengths), 11, 2), torch.randn(len(lengths), 1)  # padding for all

    packed = _packed_outputs_and_gradients(module, X, lengths, y)
    with monkeypatch.context() as patch:
        patch.setattr(network, "pack_padded_sequence", None)  # would fail if called
        fast = _outputs_and_gradients(module, lambda: module(X, lengths), y)
    _assert_same_outputs_and_gradients(fast, packed)


def test_bidirectional_layers_run_only_to_the_batchs_longest_sequence(monkeypatch):
    module = RecurrentModule("gru", input_size=2, output_size=1, num_layers=2, bidirectional=True)
    steps, run_layer = [], module._layer

    def recording_layer(X, *args):
        steps.append(X.shape[1])
        return run_layer(X, *args)

    monkeypatch.setattr(module, "_layer", recording_layer)
    # A batch from a data set whose longest sequence has 500 steps: padding beyond 7.
    module(torch.randn(3, 500, 2), torch.tensor([4, 7, 2]))
    assert steps == [7, 7, 7, 7]  # two layers, two directions


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("readout", ["last", "mean"])
def test_dropout_between_layers_is_ours_and_applies_in_training_only(bidirectional, readout):
    """PyTorch's own inter-layer dropout draws from the process-wide generator inside
    its kernel; the module runs the stack a layer at a time in training instead, its
    masks drawn from the module's generator: the same seed gives the same masks, and
    torch's global generator is not used."""
    torch.manual_seed(0)
    module = RecurrentModule(
        "gru", input_size=2, output_size=1, hidden_size=8, num_layers=2,
        bidirectional=bidirectional, dropout=0.5, readout=readout,
    )  # fmt: skip
    assert module.rnn.dropout == 0 and module.layer_dropout == 0.5
    module.arguments["dropout"] = 0.0  # leave only the dropout between the layers
    lengths = torch.tensor([3, 6, 1, 4])
    X = torch.randn(4, 6, 2)
    with torch.no_grad():
        state = torch.get_rng_state()
        module.generator = torch.Generator().manual_seed(1)
        trained = [module(X, lengths) for _ in range(2)]
        module.generator = torch.Generator().manual_seed(1)
        again = module(X, lengths)
        assert torch.equal(torch.get_rng_state(), state)
        module._drop = lambda outputs, p: outputs  # the layer-by-layer path, unmasked,
        unmasked = module(X, lengths)  # is the stack's own
        module.eval()
        evaluated = module(X, lengths)
    assert not torch.equal(trained[0], trained[1])
    assert torch.equal(again, trained[0])
    torch.testing.assert_close(unmasked, evaluated, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_output_depends_on_the_last_step(cell):
    torch.manual_seed(0)
    module = RecurrentModule(cell, input_size=1, output_size=1, hidden_size=4).eval()
    X = torch.randn(1, 6, 1)
    changed = X.clone()
    changed[0, -1, 0] += 1.0
    with torch.no_grad():
        assert not torch.equal(module(X), module(changed))


def test_dropout_applies_with_one_layer():
    torch.manual_seed(0)
    module = RecurrentModule("gru", input_size=1, output_size=1, dropout=0.5)
    X = torch.randn(16, 4, 1)
    module.train()
    assert not torch.equal(module(X), module(X))
    module.eval()
    assert torch.equal(module(X), module(X))


def test_relu_nonlinearity_reaches_the_cell():
    module = RecurrentModule("rnn", 1, 1, nonlinearity="relu")
    assert module.rnn.nonlinearity == "relu"


@pytest.mark.parametrize("k", [1, 3, 6])
def test_linear_path_reads_the_last_observed_steps(k):
    torch.manual_seed(0)
    module = RecurrentModule("gru", input_size=2, output_size=1, linear_window=k).eval()
    lengths = torch.tensor([5, 2, 4])
    X = torch.randn(3, 5, 2)
    padded = X.clone()
    for i, n in enumerate(lengths):
        padded[i, n:] = 0.0  # the internal form: valid steps first, zeros after
    with torch.no_grad():
        batched = module(padded, lengths)
        alone = torch.cat([module(X[i : i + 1, :n]) for i, n in enumerate(lengths)])
        # The linear part on its own: the last k steps, zeros before the start.
        recent = torch.zeros(3, k, 2)
        for i, n in enumerate(lengths):
            m = min(k, int(n))
            recent[i, k - m :] = X[i, n - m : n]
        expected = module.linear(recent.flatten(1))
    torch.testing.assert_close(batched, alone, rtol=1e-5, atol=1e-6)
    module.head.weight.data.zero_()
    module.head.bias.data.zero_()
    with torch.no_grad():
        torch.testing.assert_close(module(padded, lengths), expected, rtol=1e-5, atol=1e-6)


def test_linear_path_off_by_default():
    module = RecurrentModule("lstm", input_size=1, output_size=1)
    assert module.linear is None


def _reference_summaries(module, X, lengths, readout):
    """Each sequence alone through the stack, its top-layer outputs pooled by hand."""
    summaries = []
    with torch.no_grad():
        for i, n in enumerate(lengths):
            outputs, _ = module.rnn(X[i : i + 1, :n])  # both directions, in time order
            pooled = outputs[0].mean(dim=0) if readout == "mean" else outputs[0].amax(dim=0)
            summaries.append(pooled)
    return torch.stack(summaries)


@pytest.mark.parametrize("readout", ["mean", "max"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_pooled_readout_is_over_the_valid_steps_only(readout, cell, bidirectional):
    """The mean and the max of the top layer's outputs over each sequence's own steps:
    garbage where padding is changes nothing, and nothing past a sequence's end counts."""
    torch.manual_seed(0)
    module = RecurrentModule(
        cell, input_size=3, output_size=2, hidden_size=8, num_layers=2,
        bidirectional=bidirectional, readout=readout,
    ).eval()  # fmt: skip
    lengths = torch.tensor([5, 2, 7, 1, 3, 6, 4, 7])
    X = torch.randn(len(lengths), 7, 3)
    noisy = X.clone()
    for i, n in enumerate(lengths):
        noisy[i, n:] = 1e3 * torch.randn(7 - n, 3)  # garbage where padding is
    with torch.no_grad():
        batched = module(noisy, lengths)
        want = module.head(_reference_summaries(module, X, lengths, readout))
    torch.testing.assert_close(batched, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("readout", ["mean", "max"])
def test_pooled_readout_of_equal_lengths_pools_every_step(readout):
    torch.manual_seed(0)
    module = RecurrentModule("gru", 2, 1, hidden_size=4, readout=readout).eval()
    X = torch.randn(8, 5, 2)
    with torch.no_grad():
        want = module.head(_reference_summaries(module, X, [5] * 8, readout))
        torch.testing.assert_close(module(X), want, rtol=1e-5, atol=1e-6)
        # and not the last step's output
        last = module.head(module.rnn(X)[0][:, -1])
        assert not torch.allclose(module(X), last)


def _patched_by_hand(X, lengths, p):
    """Each sequence's steps counted back from its end in patches of ``p`` (zeros
    before its start), then padded with zero patches to the batch's longest."""
    rows = []
    for x, n in zip(X, lengths, strict=True):
        m = -(-int(n) // p)
        steps = torch.cat([x.new_zeros(m * p - int(n), x.shape[1]), x[:n]])
        rows.append(steps.reshape(m, -1))
    return torch.nn.utils.rnn.pad_sequence(rows, batch_first=True), (lengths + p - 1) // p


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("readout", ["last", "mean", "max"])
def test_patches_are_read_as_steps_counted_back_from_each_end(cell, bidirectional, readout):
    """A network with patches of 3 steps of 2 features is the network without patches
    fed 6-feature steps built by hand; garbage where padding is changes nothing."""
    torch.manual_seed(0)
    kwargs = dict(hidden_size=5, num_layers=2, bidirectional=bidirectional, readout=readout)
    patched = RecurrentModule(cell, 2, 3, patch_size=3, **kwargs).eval()
    plain = RecurrentModule(cell, 6, 3, **kwargs).eval()
    plain.load_state_dict(patched.state_dict())
    lengths = torch.tensor([7, 1, 3, 9, 4, 6])
    X = torch.randn(len(lengths), 9, 2)
    noisy = X.clone()
    for i, n in enumerate(lengths):
        noisy[i, n:] = 1e3 * torch.randn(9 - n, 2)
    with torch.no_grad():
        got = patched(noisy, lengths)
        want = plain(*_patched_by_hand(X, lengths, 3))
        alone = torch.cat([patched(X[i : i + 1, :n]) for i, n in enumerate(lengths)])
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(alone, want, rtol=1e-5, atol=1e-6)


def test_the_linear_path_reads_steps_not_patches():
    torch.manual_seed(0)
    patched = RecurrentModule("gru", 2, 1, linear_window=4, patch_size=3).eval()
    plain = RecurrentModule("gru", 2, 1, linear_window=4).eval()
    for module in (patched, plain):
        module.head.weight.data.zero_()
    plain.linear.load_state_dict(patched.linear.state_dict())
    plain.head.bias.data.copy_(patched.head.bias.data)
    lengths = torch.tensor([5, 2, 8])
    X = torch.randn(3, 8, 2)
    with torch.no_grad():
        torch.testing.assert_close(patched(X, lengths), plain(X, lengths))


@pytest.mark.parametrize(
    "arguments",
    [
        {"cell": "lstm", "input_size": 3, "output_size": 2},
        {"cell": "gru", "input_size": 1, "output_size": 1, "num_layers": 3, "bidirectional": True},
        {"cell": "rnn", "input_size": 2, "output_size": 4, "hidden_size": 5, "linear_window": 6},
        {"cell": "lstm", "input_size": 2, "output_size": 1, "linear_window": 4, "patch_size": 3},
        {"cell": "gru", "input_size": 4, "output_size": 3, "hidden_size": 4, "patch_size": 2},
    ],
)
def test_the_network_reads_its_sizes_from_its_own_weights(arguments):
    module = RecurrentModule(**arguments)
    shapes = {k: v.shape for k, v in module.state_dict().items()}
    sizes = RecurrentModule.sizes_of(shapes, arguments.get("patch_size", 1))
    assert sizes == {k: module.arguments[k] for k in sizes}
    assert module.arguments == {**module.arguments, **arguments}
    RecurrentModule.check_shapes(shapes, **module.arguments)


def test_the_network_names_weights_that_are_not_its_own():
    module = RecurrentModule("lstm", input_size=2, output_size=1, num_layers=2)
    shapes = {k: v.shape for k, v in module.state_dict().items()}
    with pytest.raises(ValueError, match="missing \\['rnn.weight_hh_l1'\\]"):
        RecurrentModule.check_shapes(
            {k: s for k, s in shapes.items() if k != "rnn.weight_hh_l1"}, **module.arguments
        )
    with pytest.raises(ValueError, match="rnn.bias_hh_l1 has shape \\(64,\\), not \\(128,\\)"):
        RecurrentModule.check_shapes({**shapes, "rnn.bias_hh_l1": (64,)}, **module.arguments)
    # A GRU's weights hold three gates per unit, an LSTM's four, a plain RNN's one.
    gru = RecurrentModule("gru", input_size=2, output_size=1)
    assert (
        RecurrentModule.sizes_of({k: v.shape for k, v in gru.state_dict().items()})["cell"] == "gru"
    )
    with pytest.raises(ValueError, match="recurrent or head weights are missing"):
        RecurrentModule.sizes_of({k: s for k, s in shapes.items() if k != "head.weight"})
