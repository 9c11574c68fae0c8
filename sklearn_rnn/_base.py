"""The shared base of the recurrent regressors: scikit-learn's face over a skorch net."""

import copy
import functools
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from skorch import NeuralNetRegressor

from ._data import (
    BatchIterator,
    SequenceDataset,
    as_tensor,
    canonicalize,
    check_sequences,
    input_ndim,
    is_ragged,
)
from ._network import RecurrentRegressorModule

# Predictions are computed in batches of exactly this many rows (the last one padded),
# so that a sample's prediction never depends on which other samples share its batch:
# float32 matrix products round differently for different batch shapes.
PREDICT_BATCH_SIZE = 128

# ``batch_size="auto"``: mini-batches of this size, or the whole set when smaller.
AUTO_BATCH_SIZE = 64

_OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}


class _SequenceNet(NeuralNetRegressor):
    """skorch's regressor, fed ``{"X", "lengths", "sample_weight"}`` batch dicts."""

    def infer(self, x, **fit_params):
        """Forward one batch: only ``X`` moves to the device; lengths stay on the CPU."""
        if not isinstance(x, Mapping):
            return super().infer(x, **fit_params)
        X = x["X"].to(self.device)
        return self.module_(X, x.get("lengths"), **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Mean loss over outputs, then the (weighted) mean over samples."""
        y_true = y_true.to(y_pred.device)
        loss = self.criterion_(y_pred, y_true)
        weight = X.get("sample_weight") if isinstance(X, Mapping) else None
        if weight is None:
            return loss.mean()
        weight = weight.to(loss.device)
        return (loss.mean(dim=1) * weight).sum() / weight.sum()


def _resolve_device(device):
    """``"auto"`` to ``"cuda"`` where available; any other value checked by torch."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device must be 'cpu', 'cuda', 'cuda:<index>', 'auto' or a torch.device; "
            f"got {device!r}."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; use device='cpu' or device='auto'."
        )
    return str(resolved)


def _seeds(random_state, n=2):
    """``n`` 32-bit seeds from ``random_state``, never touching global random state."""
    if random_state is None:
        sequence = np.random.SeedSequence()  # fresh OS entropy
    else:
        rng = check_random_state(random_state)
        sequence = np.random.SeedSequence(int(rng.randint(np.iinfo(np.int32).max)))
    return [int(s) for s in sequence.generate_state(n)]


class _SeededRNG:
    """Seed torch's generators for a block and give the caller's states back after it."""

    def __init__(self, seed, device):
        self.seed = seed
        cuda = torch.device(device).type == "cuda"
        self.devices = list(range(torch.cuda.device_count())) if cuda else []
        self._fork = None

    def __enter__(self):
        self._fork = torch.random.fork_rng(devices=self.devices)
        self._fork.__enter__()
        torch.default_generator.manual_seed(self.seed)
        if self.devices:
            torch.cuda.manual_seed_all(self.seed)
        return self

    def __exit__(self, *exc_info):
        return self._fork.__exit__(*exc_info)


class BaseRecurrentRegressor(RegressorMixin, BaseEstimator):
    """Everything the recurrent regressors share; subclasses name the cell in ``_cell``."""

    _cell = None

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_size=32,
        *,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        lr=0.01,
        max_epochs=100,
        batch_size="auto",
        optimizer="adam",
        weight_decay=0.0,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # -- scikit-learn API -------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Training sequences: a 3-D array; a 2-D array, read as one feature a time
            step; or a list of ``(n_timesteps_i, n_features)`` arrays of different
            lengths. Leading all-NaN time steps of a 3-D or list input mark a sequence
            that starts later.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss. An integer weight is
            equivalent to repeating the sample that many times.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X):
        """Predict the targets of sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Sequences in the form used in ``fit``. For 3-D and list input the number of
            time steps may differ from ``fit``; the number of features may not.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, shaped as the ``y`` given to ``fit``.
        """
        check_is_fitted(self)
        X, lengths, _, _ = self._validate(X, reset=False)
        n_samples = X.shape[0]
        # Pad to whole batches of PREDICT_BATCH_SIZE rows (see its comment).
        n_padded = -(-n_samples // PREDICT_BATCH_SIZE) * PREDICT_BATCH_SIZE
        if n_padded != n_samples:
            X = np.concatenate([X, np.zeros((n_padded - n_samples,) + X.shape[1:], X.dtype)])
            if lengths is not None:
                lengths = np.concatenate([lengths, np.full(n_padded - n_samples, X.shape[1])])
        dataset = SequenceDataset(
            as_tensor(X), lengths=None if lengths is None else torch.from_numpy(lengths)
        )
        y_pred = self.net_.forward(dataset)[:n_samples].numpy().astype(np.float64)
        return y_pred.ravel() if self._y_ndim == 1 else y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

    # -- internals --------------------------------------------------------------------

    def _validate(self, X, y="no_validation", *, reset):
        """The internal form of ``X`` (and ``y``), checked against the fitted input form.

        With ``reset=True`` nothing is set on ``self``: the input facts are returned in
        the ``info`` dict, to be stored only once the fit has succeeded.
        """
        owner = copy.copy(self) if reset else self
        if not reset:
            ndim = 3 if is_ragged(X) else input_ndim(X)
            if self._tabular and ndim == 3:
                raise ValueError(
                    f"X is a set of 3-D or ragged sequences, but this "
                    f"{type(self).__name__} was fitted on 2-D input, read as "
                    f"{self.n_features_in_} time steps of one feature. Pass a 2-D "
                    f"array of shape (n_samples, {self.n_features_in_})."
                )
            if not self._tabular and ndim == 2:
                raise ValueError(
                    f"X is 2-D, but this {type(self).__name__} was fitted on 3-D or "
                    f"ragged sequences with {self.n_features_in_} feature(s) per time "
                    "step. Pass X of shape (n_samples, n_timesteps, "
                    f"{self.n_features_in_}) or a list of (n_timesteps_i, "
                    f"{self.n_features_in_}) arrays."
                )
        X, lengths, y, info = check_sequences(
            owner,
            X,
            y,
            reset=reset,
            validate_2d=functools.partial(validate_data, owner),
        )
        if reset:
            info["feature_names_in"] = getattr(owner, "feature_names_in_", None)
        elif not self._tabular and info["n_features"] != self.n_features_in_:
            raise ValueError(
                f"X has {info['n_features']} feature(s) per time step, but "
                f"{type(self).__name__} is expecting {self.n_features_in_} feature(s) "
                "per time step as input."
            )
        return X, lengths, y, info

    def _module_params(self):
        """Parameters of the network beyond those the base class knows."""
        return {}

    def _fit(self, X, y, sample_weight):
        device = _resolve_device(self.device)
        optimizer = self.optimizer
        if isinstance(optimizer, str):
            optimizer = _OPTIMIZERS[optimizer]
        elif not issubclass(optimizer, torch.optim.Optimizer):
            raise ValueError(
                "optimizer must be 'adam', 'adamw', 'sgd' or a torch.optim.Optimizer "
                f"subclass; got {optimizer!r}."
            )
        X, lengths, y, info = self._validate(X, y, reset=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            if not sample_weight.sum() > 0:  # scikit-learn < 1.7 lets this through
                raise ValueError("Sample weights must contain at least one non-zero number.")
        X, lengths, y, sample_weight = canonicalize(X, lengths, y, sample_weight)

        init_seed, shuffle_seed = _seeds(self.random_state)
        n_samples = X.shape[0]
        batch_size = self.batch_size
        if batch_size == "auto":
            batch_size = min(AUTO_BATCH_SIZE, n_samples)
        net = _SequenceNet(
            module=RecurrentRegressorModule,
            module__cell=self._cell,
            module__input_size=X.shape[2],
            module__output_size=y.shape[1],
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            **{f"module__{k}": v for k, v in self._module_params().items()},
            criterion=torch.nn.MSELoss,
            criterion__reduction="none",
            optimizer=optimizer,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__random_state=shuffle_seed,
            iterator_valid=BatchIterator,
            iterator_valid__batch_size=PREDICT_BATCH_SIZE,
            dataset=SequenceDataset,
            train_split=None,
            verbose=self.verbose,
            device=device,
        )
        dataset = SequenceDataset(
            as_tensor(X).to(device),
            as_tensor(y).to(device),
            lengths=None if lengths is None else torch.from_numpy(lengths),
            sample_weight=None if sample_weight is None else as_tensor(sample_weight).to(device),
        )
        with _SeededRNG(init_seed, device):
            net.initialize()
            net.partial_fit(dataset, None)

        # Only now, with a trained net, does the estimator change.
        self.net_ = net
        self.n_features_in_ = info["n_features"]
        if info["feature_names_in"] is not None:
            self.feature_names_in_ = info["feature_names_in"]
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._tabular = info["tabular"]
        self._y_ndim = info["y_ndim"]
        self.n_outputs_ = y.shape[1]
        self.history_ = net.history
        self.n_iter_ = len(net.history)
        self.loss_curve_ = [float(loss) for loss in net.history[:, "train_loss"]]
        return self
