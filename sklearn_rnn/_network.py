"""The recurrent network: one recurrent stack and a linear head, in PyTorch only."""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentModule(nn.Module):
    """A recurrent stack read at the last valid step of each sequence, then a linear layer.

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
    ):
        super().__init__()
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = _CELLS[cell](
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            # PyTorch warns when dropout is set on a single layer; it would do nothing.
            dropout=dropout if num_layers > 1 else 0.0,
            batch_first=True,
            **kwargs,
        )
        self.num_directions = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.head = nn.Linear(self.num_directions * hidden_size, output_size)
        self.linear_window = linear_window
        self.linear = nn.Linear(linear_window * input_size, output_size) if linear_window else None

    def forward(self, X, lengths=None):
        """Map ``X`` of shape (batch, time, features) to (batch, output_size).

        ``lengths`` (a CPU int64 tensor) gives each sequence's number of valid leading
        steps; the rest is padding. ``None`` means every step is valid, and no packing
        cost is paid.
        """
        recent = self._last_steps(X, lengths) if self.linear is not None else None
        if lengths is not None:
            X = pack_padded_sequence(X, lengths, batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(X)
        if isinstance(h_n, tuple):  # LSTM returns (h_n, c_n)
            h_n = h_n[0]
        # h_n: (num_layers * num_directions, batch, hidden); keep the top layer.
        if self.num_directions == 1:
            last = h_n[-1]
        else:
            last = torch.cat([h_n[-2], h_n[-1]], dim=1)
        if self.dropout is not None:
            last = self.dropout(last)
        if recent is None:
            return self.head(last)
        return self.head(last) + self.linear(recent.flatten(1))

    @torch.no_grad()
    def set_linear_path(self, coef, intercept):
        """Set the linear path to ``coef`` (inputs x outputs) and ``intercept``, and the
        recurrent head to zero: the network then predicts what that linear model does."""
        self.linear.weight.copy_(torch.as_tensor(coef).T)
        self.linear.bias.copy_(torch.as_tensor(intercept))
        self.head.weight.zero_()
        self.head.bias.zero_()

    @torch.no_grad()
    def last_steps(self, X, lengths=None):
        """What the linear path reads: (batch, linear_window * input_size)."""
        return self._last_steps(X, lengths).flatten(1)

    def _last_steps(self, X, lengths):
        """The last ``linear_window`` valid steps of each sequence, zeros before its start."""
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
