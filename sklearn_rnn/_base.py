"""The shared base of the recurrent regressors: scikit-learn's face over a skorch net."""

import collections
import contextlib
import copy
import functools
import pickle
import threading
import warnings
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping
from skorch.helper import predefined_split
from skorch.utils import TeeGenerator

from ._callbacks import (
    DivergenceCheck,
    EpochProgressBar,
    InterruptGuard,
    SklearnCallbackBridge,
    ValidationScore,
)
from ._data import (
    BatchIterator,
    SequenceDataset,
    as_tensor,
    canonicalize,
    check_sequences,
)
from ._network import RecurrentRegressorModule

# Predictions are computed in batches of this many rows (the fastest for an LSTM on a
# CPU), the last one padded to a multiple of PREDICT_ROW_MULTIPLE rows. float32 matrix
# products may round differently for very small batches (one or two rows use other
# kernels), so a sample predicted alone would differ in the last bit from the same
# sample predicted among others; with every batch at least 8 rows, a sample's
# prediction does not depend on which samples share its batch.
PREDICT_BATCH_SIZE = 128
PREDICT_ROW_MULTIPLE = 8

# ``batch_size="auto"``: mini-batches of this size, or the whole set when smaller.
AUTO_BATCH_SIZE = 64

_OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
_LOSSES = {
    "squared_error": torch.nn.MSELoss,
    "absolute_error": torch.nn.L1Loss,
    "huber": torch.nn.HuberLoss,
}
# What a warm start or partial_fit must find unchanged: it continues the same network.
_STRUCTURE = ("hidden_size", "num_layers", "bidirectional", "nonlinearity")

try:  # scikit-learn >= 1.9: callbacks set on the estimator or a meta-estimator
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # older scikit-learn: nothing to report to

    class CallbackSupportMixin:
        """Stand-in for scikit-learn's callback support where it does not exist."""

    def with_callbacks(method):
        return method


class _SequenceNet(NeuralNetRegressor):
    """skorch's regressor, fed ``{"X", "lengths", "sample_weight"}`` batch dicts.

    A batch of equal-length sequences without weights is the ``X`` tensor alone.

    Its per-batch bookkeeping is trimmed to what the estimator uses: skorch's epoch
    table is only set up when it is printed, and the module's train/eval mode is set
    when it changes rather than on every batch.
    """

    def get_default_callbacks(self):
        callbacks = super().get_default_callbacks()
        if not self.verbose:  # the table is built every epoch even when not printed
            callbacks = [(name, cb) for name, cb in callbacks if name != "print_log"]
        return callbacks

    def _set_training(self, training=True):
        if self.module_.training != training:
            super()._set_training(training)

    def train_step(self, batch, **fit_params):
        """One optimizer step, without the closure that only LBFGS-like optimizers need."""
        if isinstance(self.optimizer_, torch.optim.LBFGS):
            return super().train_step(batch, **fit_params)
        self.optimizer_.zero_grad()
        step = self.train_step_single(batch, **fit_params)
        if self._grad_callbacks:
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
        self.optimizer_.step()
        return step

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Note once whether any callback looks at gradients (clipping, for one)."""
        super().on_train_begin(net, X=X, y=y, **kwargs)
        self._grad_callbacks = any(
            type(cb).on_grad_computed is not Callback.on_grad_computed for _, cb in self.callbacks_
        )

    def infer(self, x, **fit_params):
        """Forward one batch: only ``X`` moves to the device; lengths stay on the CPU."""
        if not isinstance(x, Mapping):  # a batch of equal-length, unweighted sequences
            return self.module_(x.to(self.device), **fit_params)
        X = x["X"].to(self.device)
        return self.module_(X, x.get("lengths"), **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The mean loss, or with sample weights the weighted mean of per-sample losses."""
        y_true = y_true.to(y_pred.device)
        weight = X.get("sample_weight") if isinstance(X, Mapping) else None
        if weight is None:
            return self.criterion_(y_pred, y_true)
        # The same criterion without its reduction: one loss per sample and output.
        reduction = self.criterion_.reduction
        self.criterion_.reduction = "none"
        try:
            loss = self.criterion_(y_pred, y_true)
        finally:
            self.criterion_.reduction = reduction
        weight = weight.to(loss.device)
        return (loss.mean(dim=1) * weight).sum() / weight.sum()


class _PickledNet:
    """A net pickled on its own, so that its optimizer state could be left out."""

    def __init__(self, data):
        self.data = data


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


def _seeds(random_state, n=2, offset=0):
    """``n`` 32-bit seeds from ``random_state``, never touching global random state.

    ``offset`` (the number of epochs already trained) gives a continued fit seeds of
    its own, so its epochs do not replay the shuffles and dropout masks of earlier ones.
    """
    if random_state is None:
        sequence = np.random.SeedSequence()  # fresh OS entropy
    else:
        rng = check_random_state(random_state)
        entropy = int(rng.randint(np.iinfo(np.int32).max))
        sequence = np.random.SeedSequence([entropy, offset])
    return [int(s) for s in sequence.generate_state(n)]


# torch's global generator is shared by every thread of the process. Fits seed it for
# the weight initialisation (and, with dropout, draw from it during training), so those
# sections hold this lock: two estimators fitted at once in two threads then give the
# results each gives alone.
_GLOBAL_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def _seeded_rng(seed, device):
    """Seed torch's generators for a block and give the caller's states back after it.

    Holds the process-wide lock on torch's global generator for the whole block.
    """
    cuda = torch.device(device).type == "cuda"
    devices = list(range(torch.cuda.device_count())) if cuda else []
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=devices):
        torch.default_generator.manual_seed(seed)
        if devices:
            torch.cuda.manual_seed_all(seed)
        yield


class BaseRecurrentRegressor(CallbackSupportMixin, RegressorMixin, BaseEstimator):
    """Everything the recurrent regressors share; subclasses name the cell in ``_cell``."""

    _cell = None

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "loss": [StrOptions(set(_LOSSES))],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
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
        loss="squared_error",
        optimizer="adam",
        lr=0.01,
        weight_decay=0.0,
        max_epochs=100,
        batch_size="auto",
        clip_grad_norm=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        callbacks=None,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.loss = loss
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.clip_grad_norm = clip_grad_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # -- scikit-learn API -------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    @with_callbacks
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and targets ``y``.

        Trains a new network for ``max_epochs`` epochs (fewer with early stopping),
        or, with ``warm_start=True`` and an already fitted estimator, continues
        training the fitted network.

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
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    @with_callbacks
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, continuing from the current state.

        The first call initialises the network; later calls continue with the same
        weights and optimizer state. Early stopping does not apply.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Training sequences, in the form used in the first call.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        return self._fit(X, y, sample_weight, incremental=True)

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
        dataset = SequenceDataset(
            as_tensor(X), lengths=None if lengths is None else torch.from_numpy(lengths)
        )
        batches = BatchIterator(dataset, PREDICT_BATCH_SIZE, pad_to_multiple=PREDICT_ROW_MULTIPLE)
        with torch.no_grad():
            y_pred = [
                self.net_.evaluation_step(batch)[:n_rows].cpu()
                for batch, n_rows in batches.with_sizes()
            ]
        y_pred = torch.cat(y_pred).numpy().astype(np.float64)
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
        fitted = None if reset else {"tabular": self._tabular, "n_features": self.n_features_in_}
        X, lengths, y, info = check_sequences(
            owner,
            X,
            y,
            reset=reset,
            validate_2d=functools.partial(validate_data, owner),
            fitted=fitted,
        )
        info["feature_names_in"] = getattr(owner, "feature_names_in_", None)
        return X, lengths, y, info

    def _module_params(self):
        """Parameters of the network beyond those the base class knows."""
        return {}

    def _make_net(
        self,
        n_features,
        n_outputs,
        *,
        optimizer,
        device,
        max_epochs=1,
        batch_size=1,
        shuffle_seed=0,
        train_split=None,
        callbacks=None,
    ):
        """The skorch net for this estimator's parameters (not yet initialised)."""
        return _SequenceNet(
            module=RecurrentRegressorModule,
            module__cell=self._cell,
            module__input_size=n_features,
            module__output_size=n_outputs,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            **{f"module__{k}": v for k, v in self._module_params().items()},
            criterion=_LOSSES[self.loss],
            optimizer=optimizer,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__random_state=shuffle_seed,
            iterator_valid=BatchIterator,
            iterator_valid__batch_size=PREDICT_BATCH_SIZE,
            dataset=SequenceDataset,
            train_split=train_split,
            callbacks=callbacks,
            verbose=int(self.verbose >= 2),
            device=device,
        )

    def __getstate__(self):
        """Pickle without the optimizer's state unless ``warm_start`` asks to continue.

        The optimizer state (Adam's moments, twice the size of the weights) only serves
        further training; a fitted model that is shared to predict does not need it.
        """
        state = dict(super().__getstate__())  # for objects outside sklearn: __dict__ itself
        net = state.get("net_")
        if net is None or self.warm_start or not net.optimizer_.state:
            return state
        kept = net.optimizer_.state
        net.optimizer_.state = collections.defaultdict(dict)
        try:
            state["net_"] = _PickledNet(pickle.dumps(net))
        finally:
            net.optimizer_.state = kept
        del state["history_"]  # the net's own history, restored with it
        return state

    def __setstate__(self, state):
        if isinstance(state.get("net_"), _PickledNet):
            state["net_"] = pickle.loads(state["net_"].data)
            state["history_"] = state["net_"].history
        super().__setstate__(state)

    def _structure(self):
        """The network structure the parameters ask for."""
        return {k: v for k, v in self.get_params().items() if k in _STRUCTURE}

    def _fitted_structure(self):
        """The structure of the fitted network, read from the network itself."""
        rnn = self.net_.module_.rnn
        return {k: getattr(rnn, k) for k in self._structure()}

    def _continues(self, incremental):
        """Whether this fit continues the fitted network rather than starting anew."""
        try:
            check_is_fitted(self)
        except NotFittedError:
            return False
        return incremental or self.warm_start

    def _fit(self, X, y, sample_weight, *, incremental):
        device = _resolve_device(self.device)
        optimizer = self.optimizer
        if isinstance(optimizer, str):
            optimizer = _OPTIMIZERS[optimizer]
        elif not issubclass(optimizer, torch.optim.Optimizer):
            raise ValueError(
                "optimizer must be 'adam', 'adamw', 'sgd' or a torch.optim.Optimizer "
                f"subclass; got {optimizer!r}."
            )
        continues = self._continues(incremental)
        if continues and self._structure() != self._fitted_structure():
            raise ValueError(
                "A warm start or partial_fit continues the fitted network, so its "
                f"structure must not change: fitted with {self._fitted_structure()}, now "
                f"{self._structure()}. Set warm_start=False to train a new network."
            )
        X_orig, y_orig = X, y
        X, lengths, y, info = self._validate(X, y, reset=not continues)
        if continues and y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} output(s), but the fitted network predicts "
                f"{self.n_outputs_}; a warm start or partial_fit cannot change that."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            if not sample_weight.sum() > 0:  # scikit-learn < 1.7 lets this through
                raise ValueError("Sample weights must contain at least one non-zero number.")

        valid = None
        if self.early_stopping and not incremental:
            (X, lengths, y, sample_weight), valid = _split_tail(
                (X, lengths, y, sample_weight), self.validation_fraction
            )
        X, lengths, y, sample_weight = canonicalize(X, lengths, y, sample_weight)

        # A continuation draws new shuffles and dropout masks for its new epochs.
        offset = len(self.net_.history) if continues else 0
        init_seed, shuffle_seed = _seeds(self.random_state, offset=offset)
        n_samples = X.shape[0]
        batch_size = self.batch_size
        if batch_size == "auto":
            batch_size = min(AUTO_BATCH_SIZE, n_samples)
        max_epochs = 1 if incremental else self.max_epochs

        callbacks = [("interrupt_guard", InterruptGuard()), ("divergence", DivergenceCheck())]
        if self.clip_grad_norm is not None:
            callbacks.append(("clip_grad_norm", GradientNormClipping(self.clip_grad_norm)))
        if valid is not None:
            callbacks.append(("valid_score", ValidationScore()))
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_score",
                        lower_is_better=False,
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        threshold_mode="abs",
                        load_best=True,
                        sink=print if self.verbose else _silent,
                    ),
                )
            )
        if self.verbose == 1:
            callbacks.append(("progress_bar", EpochProgressBar(desc=type(self).__name__)))
        callback_context = None
        if hasattr(self, "_init_callback_context"):
            callback_context = self._init_callback_context(
                max_subtasks=None if valid is not None else max_epochs
            )
            callback_context.call_on_fit_task_begin(estimator=self, X=X_orig, y=y_orig)
            callbacks.append(
                ("sklearn_callbacks", SklearnCallbackBridge(callback_context, self, X_orig, y_orig))
            )
        # The user's callbacks are copied: fit must not change its parameters.
        callbacks += copy.deepcopy(self.callbacks or [])

        net = self._make_net(
            X.shape[2],
            y.shape[1],
            optimizer=optimizer,
            device=device,
            max_epochs=max_epochs,
            batch_size=batch_size,
            shuffle_seed=shuffle_seed,
            train_split=None if valid is None else predefined_split(_dataset(*valid, device)),
            callbacks=callbacks,
        )
        dataset = _dataset(X, lengths, y, sample_weight, device)
        with _seeded_rng(init_seed, device):
            net.initialize()
            if continues:
                _continue_from(net, self.net_, self.lr)
            # Dropout draws from the global generator: only then does training hold it.
            if self.dropout > 0:
                _train(net, dataset)
        if self.dropout == 0:
            _train(net, dataset)
        if callback_context is not None:
            callback_context.call_on_fit_task_end(estimator=self, X=X_orig, y=y_orig)

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
        self._set_training_attributes()
        return self

    def _set_training_attributes(self):
        """``n_iter_``, ``loss_curve_`` and friends, read from the net's history."""
        history = self.net_.history
        self.history_ = history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(loss) for loss in history[:, "train_loss"]]
        stopper = dict(self.net_.callbacks_).get("early_stopping")
        if stopper is not None:
            self.validation_scores_ = [
                row["valid_score"] for row in history if row.get("valid_score") is not None
            ]
            # The restored weights are those of the last epoch that improved by tol.
            self.best_validation_score_ = history[stopper.best_epoch_ - 1, "valid_score"]
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_, default=None)


def _train(net, dataset):
    """Train ``net``; a KeyboardInterrupt keeps the weights of the last finished epoch."""
    guard = dict(net.callbacks_)["interrupt_guard"]
    net.partial_fit(dataset, None)
    if guard.interrupted_:
        warnings.warn(
            f"Training was interrupted during epoch {guard.interrupted_}; the estimator "
            f"keeps the weights of the last finished epoch ({guard.interrupted_ - 1}).",
            UserWarning,
            stacklevel=3,
        )


def _silent(*args, **kwargs):
    """A sink that prints nothing."""


def _dataset(X, lengths, y, sample_weight, device):
    """A :class:`SequenceDataset` on ``device`` from the internal numpy form."""
    return SequenceDataset(
        as_tensor(X).to(device),
        as_tensor(y).to(device),
        lengths=None if lengths is None else torch.from_numpy(lengths),
        sample_weight=None if sample_weight is None else as_tensor(sample_weight).to(device),
    )


def _split_tail(arrays, fraction):
    """Split the last ``fraction`` of the samples, in the order given, off for validation.

    The tail, not a random subset: a model of a time series is validated on its future,
    and overlapping windows of neighbouring time points cannot leak into validation.
    """
    n_samples = arrays[0].shape[0]
    n_valid = int(np.ceil(fraction * n_samples))
    if n_valid < 2 or n_samples - n_valid < 1:
        raise ValueError(
            f"early_stopping with validation_fraction={fraction} on {n_samples} samples "
            f"leaves {n_valid} validation and {n_samples - n_valid} training samples; "
            "at least 2 and 1 are needed. Use more samples or a larger fraction."
        )
    cut = n_samples - n_valid
    head = tuple(None if a is None else a[:cut] for a in arrays)
    tail = tuple(None if a is None else a[cut:] for a in arrays)
    if tail[1] is not None and (tail[1] == tail[0].shape[1]).all():
        tail = (tail[0], None) + tail[2:]
    return head, tail


def _continue_from(net, fitted, lr):
    """Start ``net`` where ``fitted`` stopped: weights, optimizer state and history."""
    net.module_.load_state_dict(fitted.module_.state_dict())
    if type(net.optimizer_) is type(fitted.optimizer_):
        net.optimizer_.load_state_dict(fitted.optimizer_.state_dict())
        for group in net.optimizer_.param_groups:
            group["lr"] = lr
    net.history = copy.deepcopy(fitted.history)
