"""The recurrent network: one recurrent stack and a linear head, in PyTorch only."""

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
# Rows of each recurrent weight per hidden unit: the gates of the cell.
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}

# One layer in one direction, with given weights: the functions PyTorch's recurrent
# modules call themselves (as ``torch._VF.lstm`` and so on).
_LAYER_FUNCTIONS = {
    "LSTM": torch.lstm,
    "GRU": torch.gru,
    "RNN_TANH": torch.rnn_tanh,
    "RNN_RELU": torch.rnn_relu,
}

# In evaluation, every recurrent call runs at least this many rows (the longest ones):
# float32 products of fewer rows use other kernels and round differently, and a
# sequence's prediction must not depend on the sequences that share its batch (the
# predictions pad each batch to a multiple of 8 rows for the same reason).
EVAL_MIN_ROWS = 8


def segment_ends(lengths, min_rows=1):
    """Where to cut a batch of sequences of ``lengths`` (CPU tensor) into time segments.

    The ends are the lengths below which half, three quarters, ... of the sequences
    end (while at least ``min_rows`` sequences remain), and the longest length: each
    segment runs only the sequences that reach into it. When cutting would save less
    than a quarter of the row-steps of one run over the whole padded batch (lengths
    alike, as in bucketed batches), the one run is cheaper: ``[max(lengths)]``.
    """
    ascending = np.sort(lengths.numpy())
    n, longest = len(ascending), int(ascending[-1])
    ends, k = [], 1
    while (n >> k) >= max(min_rows, 1):
        end = int(ascending[n - (n >> k) - 1])
        if end < longest and (not ends or end > ends[-1]):
            ends.append(end)
        k += 1
    ends.append(longest)
    starts = np.array([0, *ends[:-1]])
    n_active = np.maximum(n - np.searchsorted(ascending, starts, side="right"), min(min_rows, n))
    work = int(n_active @ (np.array(ends) - starts))
    return ends if work < 0.75 * n * longest else [longest]


def _pool(outputs, lengths, readout):
    """The mean or the maximum of ``outputs`` (batch, time, features) over each
    sequence's first ``lengths`` steps (all steps when None).

    The mean is a running sum read at each sequence's last step, so it adds the same
    numbers in the same order whatever padding follows: a sequence's summary does not
    depend on the batch it is in.
    """
    if lengths is None:
        steps = outputs.shape[1]
        lengths = torch.full((len(outputs),), steps, dtype=torch.int64)
    n = lengths.to(outputs.device)
    rows = torch.arange(len(outputs), device=outputs.device)
    if readout == "mean":
        return outputs.cumsum(dim=1)[rows, n - 1] / n[:, None].to(outputs.dtype)
    valid = torch.arange(outputs.shape[1], device=outputs.device)[None, :] < n[:, None]
    return outputs.masked_fill(~valid[:, :, None], -torch.inf).amax(dim=1)


class RecurrentModule(nn.Module):
    """A recurrent stack that summarises each sequence (the output at its last valid step,
    or the mean or maximum of its outputs), a linear head on the summary, and beside them
    an optional linear path from the last steps.

    The constructor's arguments are kept in ``arguments`` (their one home: ``readout``,
    ``patch_size``, ``dropout``, ``linear_window`` and ``linear_features`` read them
    there), so that a network describes itself (:meth:`sizes_of`, :meth:`check_shapes`).

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        The recurrent cell.
    input_size : int
        Number of features per time step.
    output_size : int
        Number of outputs of the head (regression targets, or class scores).
    hidden_size : int
        Number of features in the hidden state.
    num_layers : int
        Number of stacked recurrent layers.
    bidirectional : bool
        Whether each layer also reads the sequence backwards. The head then sees the
        forward state after the last valid step and the backward state after the first.
    dropout : float
        Dropout probability on the outputs of each recurrent layer, the last one
        included (PyTorch's own ``dropout`` skips the last layer; here the summary
        state fed to the head is dropped out too, so one layer can be regularised).
    nonlinearity : {"tanh", "relu"}
        Activation of the plain RNN cell; ignored by LSTM and GRU.
    linear_window : int
        If positive, the last ``linear_window`` observed steps of each sequence also go
        through one linear map straight to the output, added to the recurrent head
        (the autoregressive "highway" of LSTNet, Lai et al. 2018). Steps before a
        sequence's start count as zeros.
    linear_features : int or None
        How many of each step's features, the first ones, the linear path reads (None:
        all). The regressors' relative inputs put each step relative to the last value
        first and the levels after: the linear path reads the relative ones.
    readout : {"last", "mean", "max"}
        How the top layer's outputs summarise a sequence for the head: the output at
        its last valid step (for a bidirectional stack, the backward direction's at the
        first), or their mean or maximum over its valid steps. Padding never enters.
    patch_size : int
        Consecutive steps joined into one step of the stack: a sequence of ``n`` steps
        is read as ``ceil(n / patch_size)`` patches, the last ending at its last step
        (the first completed with zeros before its start). The linear path reads the
        steps themselves.
    """

    def __init__(
        self,
        cell,
        input_size,
        output_size,
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        linear_window=0,
        readout="last",
        patch_size=1,
        linear_features=None,
    ):
        super().__init__()
        # What this network is, as its constructor was told (see ``sizes_of``).
        self.arguments = {
            "cell": cell,
            "input_size": input_size,
            "output_size": output_size,
            "hidden_size": hidden_size,
            "num_layers": num_layers,
            "bidirectional": bidirectional,
            "dropout": dropout,
            "nonlinearity": nonlinearity,
            "linear_window": linear_window,
            "readout": readout,
            "patch_size": patch_size,
            "linear_features": linear_features,
        }
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = _CELLS[cell](
            input_size=patch_size * input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=0.0,  # between layers: ours, from the module's generator (_drop)
            batch_first=True,
            **kwargs,
        )
        # Derived from the arguments: the directions, and the dropout between layers.
        self.num_directions = 2 if bidirectional else 1
        self.layer_dropout = dropout if num_layers > 1 else 0.0
        # Set by training: the dropout masks' source, so that no fit draws from torch's
        # process-wide generator while it trains (see _drop).
        self.generator = None
        self.head = nn.Linear(self.num_directions * hidden_size, output_size)
        linear_inputs = linear_window * (input_size if linear_features is None else linear_features)
        self.linear = nn.Linear(linear_inputs, output_size) if linear_window else None

    # The arguments that forward reads, from their one home.
    readout = property(lambda self: self.arguments["readout"])
    patch_size = property(lambda self: self.arguments["patch_size"])
    dropout = property(lambda self: self.arguments["dropout"])
    linear_window = property(lambda self: self.arguments["linear_window"])
    linear_features = property(lambda self: self.arguments["linear_features"])

    @staticmethod
    def sizes_of(shapes, patch_size=1, linear_features=None):
        """The constructor's size arguments of the network whose ``state_dict()`` has
        these ``shapes`` (a dict of name to shape), read from the tensors alone.

        Returns ``cell``, ``input_size``, ``output_size``, ``hidden_size``,
        ``num_layers``, ``bidirectional`` and ``linear_window``; ``patch_size`` is the
        number of steps each recurrent input holds. A value the tensors cannot give (a
        width that is no whole number of steps) is None. Raises ValueError when the
        recurrent or head weights are missing. :meth:`check_shapes` then says whether
        every tensor is the network's. ``linear_features``: as the constructor's, the
        features of a step that the linear path reads (None: all).
        """
        shapes = {k: tuple(v) for k, v in shapes.items()}
        try:
            rows, hidden = shapes["rnn.weight_hh_l0"]
            width = shapes["rnn.weight_ih_l0"][1]
            output_size = shapes["head.weight"][0]
        except (KeyError, ValueError, IndexError) as exc:
            raise ValueError("the recurrent or head weights are missing") from exc
        gates = {n: cell for cell, n in _GATES.items()}
        layers = {k.split("_l")[1].split("_")[0] for k in shapes if k.startswith("rnn.weight_ih_l")}
        input_size = width // patch_size if width % patch_size == 0 else None
        linear = shapes.get("linear.weight", (output_size, 0))[1]
        per_step = input_size if linear_features is None else linear_features
        if not linear:
            linear_window = 0
        elif per_step and linear % per_step == 0:
            linear_window = linear // per_step
        else:
            linear_window = None
        return {
            "cell": gates.get(rows // hidden if hidden and rows % hidden == 0 else None),
            "input_size": input_size,
            "output_size": output_size,
            "hidden_size": hidden,
            "num_layers": len(layers),
            "bidirectional": any(k.endswith("_reverse") for k in shapes),
            "linear_window": linear_window,
        }

    @classmethod
    def check_shapes(cls, shapes, **arguments):
        """A ValueError naming the first difference unless ``shapes`` (name to shape)
        are exactly the ``state_dict()`` shapes of ``cls(**arguments)``.

        The network is built on PyTorch's "meta" device, which allocates nothing, so
        sizes read from a file cost no memory before they are known to be the file's.
        """
        with torch.device("meta"):
            expected = {k: tuple(v.shape) for k, v in cls(**arguments).state_dict().items()}
        shapes = {k: tuple(v) for k, v in shapes.items()}
        missing = sorted(set(expected) - set(shapes))
        unexpected = sorted(set(shapes) - set(expected))
        if missing or unexpected:
            raise ValueError(f"weights missing {missing}, unexpected {unexpected}")
        for name, shape in expected.items():
            if shapes[name] != shape:
                raise ValueError(f"{name} has shape {shapes[name]}, not {shape}")

    def forward(self, X, lengths=None):
        """Map ``X`` of shape (batch, time, features) to (batch, output_size).

        ``lengths`` (a CPU int64 tensor) gives each sequence's number of valid leading
        steps; the rest is padding. ``None`` means every step is valid.

        With ``readout="last"``, a unidirectional stack runs over the padded batch, cut
        to its longest sequence, and each sequence's summary is the top layer's output
        at its own last valid step: a step's output depends only on the steps before
        it, so the padding after a sequence never reaches it. That costs the padding's
        steps but runs PyTorch's fast dense kernels; packed sequences are several times
        slower on a CPU, backward above all. A bidirectional stack runs its backward
        direction over each sequence reversed within its own length (see
        :meth:`_bidirectional_outputs`); on a GPU it packs the sequences, which cuDNN
        runs fast. The pooled readouts ("mean", "max") run the whole padded batch and
        pool each sequence's own steps (see :func:`_pool`).
        """
        recent = self._linear_window_steps(X, lengths) if self.linear is not None else None
        if self.patch_size > 1:
            X, lengths = self._patches(X, lengths)
        if self.training and self.layer_dropout:
            summary = self._summary_layer_by_layer(X, lengths)
        elif self.readout != "last":
            summary = _pool(self._all_outputs(X, lengths), lengths, self.readout)
        elif lengths is None:
            summary = self._final_states(X)
        elif self.num_directions == 1:
            summary = self._last_outputs(X, lengths)
        elif X.device.type == "cpu":
            summary = self._bidirectional_outputs(X, lengths, last_only=True)
        else:
            summary = self._final_states(X, lengths)
        summary = self._drop(summary, self.dropout)
        if recent is None:
            return self.head(summary)
        return self.head(summary) + self.linear(recent.flatten(1))

    def _drop(self, X, p):
        """Dropout with probability ``p`` in training, its masks drawn from
        ``self.generator`` (torch's global generator when none is set)."""
        if not self.training or not p:
            return X
        if self.generator is None:
            return nn.functional.dropout(X, p, training=True)
        keep = torch.empty_like(X).bernoulli_(1 - p, generator=self.generator)
        return X * keep / (1 - p)

    def _summary_layer_by_layer(self, X, lengths):
        """The summary in training with dropout between layers: the stack run one layer
        at a time, so that the dropout between them is ours (PyTorch's draws from the
        process-wide generator inside its kernel)."""
        if lengths is None:
            lengths = torch.full((len(X),), X.shape[1], dtype=torch.int64)
        if self.num_directions == 2:
            if self.readout == "last":
                return self._bidirectional_outputs(X, lengths, last_only=True)
            return _pool(self._bidirectional_outputs(X, lengths), lengths, self.readout)
        outputs = X[:, : int(lengths.max())]
        for layer in range(self.rnn.num_layers):
            outputs = self._layer(self._drop(outputs, self.layer_dropout * (layer > 0)), layer, "")
        if self.readout != "last":
            return _pool(outputs, lengths, self.readout)
        rows = torch.arange(len(X), device=X.device)
        return outputs[rows, lengths.to(X.device) - 1]

    def _patches(self, X, lengths):
        """Each sequence as patches of ``patch_size`` steps, the last ending at its last
        valid step: (batch, patches, patch_size * features), and the patch counts.

        Step ``q`` of patch ``j`` of a sequence of ``n`` steps in ``m = ceil(n / p)``
        patches is its step ``n - (m - j) * p + q``; the steps before its start are
        zeros, and so are the patches after its last (padding, as before).
        """
        p = self.patch_size
        batch, n_steps, n_features = X.shape
        if lengths is None:
            patches = -(-n_steps // p)
            zeros = X.new_zeros(batch, patches * p - n_steps, n_features)
            return torch.cat([zeros, X], dim=1).reshape(batch, patches, p * n_features), None
        counts = (lengths + p - 1) // p
        device = X.device
        n, m = lengths.to(device)[:, None, None], counts.to(device)[:, None, None]
        j = torch.arange(int(counts.max()), device=device)[None, :, None]
        index = n - (m - j) * p + torch.arange(p, device=device)[None, None, :]
        valid = ((index >= 0) & (index < n)).reshape(batch, -1, 1)
        index = index.clamp(0, n_steps - 1).reshape(batch, -1, 1).expand(-1, -1, n_features)
        steps = torch.gather(X, 1, index) * valid
        return steps.reshape(batch, -1, p * n_features), counts

    def _last_outputs(self, X, lengths):
        """The top layer's output at each sequence's last valid step (unidirectional).

        When the lengths differ widely, the batch runs in time segments, each over the
        sequences that reach into it (with the states carried from the segment
        before), so that a few long sequences do not make every short one compute
        their length too (see :func:`segment_ends`).
        """
        device = X.device
        min_rows = 1 if self.training else EVAL_MIN_ROWS
        ends = segment_ends(lengths, min_rows)
        if len(ends) == 1:
            outputs, _ = self.rnn(X[:, : ends[0]])
            return outputs[torch.arange(len(X), device=device), lengths.to(device) - 1]
        order = torch.argsort(lengths, descending=True, stable=True)  # longest first
        X, lengths = X[order.to(device)], lengths[order]
        last = X.new_zeros(len(X), self.rnn.hidden_size)
        state, start = None, 0
        for end in ends:
            n_active = max(int((lengths > start).sum()), min(min_rows, len(X)))
            if isinstance(state, tuple):  # an LSTM's (h, c): the rows that continue
                state = tuple(s[:, :n_active] for s in state)
            elif state is not None:
                state = state[:, :n_active]
            outputs, state = self.rnn(X[:n_active, start:end], state)
            rows = torch.nonzero((lengths > start) & (lengths <= end)).flatten()
            steps = lengths[rows] - 1 - start
            last[rows.to(device)] = outputs[rows.to(device), steps.to(device)]
            start = end
        unsorted = torch.empty_like(last)
        unsorted[order.to(device)] = last
        return unsorted

    def _bidirectional_outputs(self, X, lengths, last_only=False):
        """The top layer's outputs, both directions, layer by layer over the padded batch.

        The backward direction of each layer reads its input reversed within each
        sequence's length (padding stays behind), so that it starts at the sequence's
        own last step; its outputs are put back in time order for the next layer. The
        same index reverses and restores: step ``t`` of a sequence of length ``n`` is
        step ``n - 1 - t`` reversed, and padding steps stay where they are. With
        ``last_only``, the forward output at the last valid step and the backward one
        at the first: (batch, 2 * hidden); else (batch, time, 2 * hidden) in time order.
        """
        rnn, device = self.rnn, X.device
        X = X[:, : int(lengths.max())]  # the batch's own longest, not the data set's
        steps = torch.arange(X.shape[1], device=device)
        n = lengths.to(device)[:, None]
        reverse = torch.where(steps < n, n - 1 - steps, steps)[:, :, None]
        rows, last = torch.arange(len(X), device=device), n[:, 0] - 1
        inputs = X
        for layer in range(rnn.num_layers):
            if layer:
                inputs = self._drop(inputs, self.layer_dropout)
            forward = self._layer(inputs, layer, "")
            reversed_inputs = inputs.gather(1, reverse.expand(-1, -1, inputs.shape[2]))
            backward = self._layer(reversed_inputs, layer, "_reverse")  # reversed order
            if last_only and layer == rnn.num_layers - 1:
                return torch.cat([forward[rows, last], backward[rows, last]], dim=1)
            backward = backward.gather(1, reverse.expand(-1, -1, backward.shape[2]))
            inputs = torch.cat([forward, backward], dim=2)
        return inputs

    def _all_outputs(self, X, lengths):
        """The top layer's outputs at every step, (batch, time, directions * hidden), over
        the batch cut to its longest sequence; steps past a sequence's end are padding."""
        if lengths is None:
            return self.rnn(X)[0]
        if self.num_directions == 1:  # a step's output depends only on the steps before
            return self.rnn(X[:, : int(lengths.max())])[0]
        if X.device.type == "cpu":
            return self._bidirectional_outputs(X, lengths)
        packed = pack_padded_sequence(X, lengths, batch_first=True, enforce_sorted=False)
        return pad_packed_sequence(self.rnn(packed)[0], batch_first=True)[0]

    def layer_weights(self, layer, reverse=False):
        """One layer's weights in one direction, as PyTorch's cell functions take them:
        ``(weight_ih, weight_hh, bias_ih, bias_hh)``, each cell's gates stacked in
        PyTorch's order."""
        suffix = "_reverse" if reverse else ""
        names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
        return tuple(getattr(self.rnn, f"{name}_l{layer}{suffix}") for name in names)

    def _layer(self, X, layer, suffix):
        """Outputs of one layer of the stack in one direction over ``X``, from zeros."""
        rnn = self.rnn
        weights = list(self.layer_weights(layer, reverse=suffix == "_reverse"))
        zeros = X.new_zeros(1, len(X), rnn.hidden_size)
        state = (zeros, zeros) if rnn.mode == "LSTM" else zeros
        # (input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
        # batch_first), as the modules call them; the outputs come first.
        function = _LAYER_FUNCTIONS[rnn.mode]
        outputs = function(X, state, weights, rnn.bias, 1, 0.0, self.training, False, True)
        return outputs[0]

    def _final_states(self, X, lengths=None):
        """The top layer's final states: forward, and backward when bidirectional."""
        if lengths is not None:
            X = pack_padded_sequence(X, lengths, batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(X)
        if isinstance(h_n, tuple):  # LSTM returns (h_n, c_n)
            h_n = h_n[0]
        # h_n: (num_layers * num_directions, batch, hidden); keep the top layer.
        if self.num_directions == 1:
            return h_n[-1]
        return torch.cat([h_n[-2], h_n[-1]], dim=1)

    @torch.no_grad()
    def set_linear_path(self, coef, intercept):
        """Set the linear path to ``coef`` (inputs x outputs) and ``intercept``, and the
        recurrent head to zero: the network then predicts what that linear model does."""
        self.linear.weight.copy_(torch.as_tensor(coef).T)
        self.linear.bias.copy_(torch.as_tensor(intercept))
        self.head.weight.zero_()
        self.head.bias.zero_()

    @torch.no_grad()
    def linear_inputs(self, X, lengths=None):
        """What the linear path reads: (batch, linear_window * input_size)."""
        return self._linear_window_steps(X, lengths).flatten(1)

    def _linear_window_steps(self, X, lengths):
        """The last ``linear_window`` valid steps of each sequence, zeros before its start:
        the first ``linear_features`` features of each."""
        if self.linear_features is not None:
            X = X[:, :, : self.linear_features]
        k = self.linear_window
        batch, n_steps, n_features = X.shape
        if lengths is None:
            if n_steps >= k:
                return X[:, n_steps - k :]
            return torch.cat([X.new_zeros(batch, k - n_steps, n_features), X], dim=1)
        # Step j of the window is step lengths - k + j of the sequence (valid steps first).
        index = lengths.to(X.device)[:, None] - k + torch.arange(k, device=X.device)
        valid = (index >= 0)[:, :, None]
        steps = torch.gather(X, 1, index.clamp(min=0)[:, :, None].expand(-1, -1, n_features))
        return steps * valid
