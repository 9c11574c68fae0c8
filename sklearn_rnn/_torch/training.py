"""Training: the skorch net, its callbacks, seeding, continuation, devices, optimizers.

:func:`train` fits a net on data in the internal form (its linear path started by
``_linear_start``'s ridge regression) and :func:`summary` reads what the fit recorded.
Nothing here knows about scikit-learn's parameters or fitted attributes.

Private names of skorch used here (each checked by ``tests/test_training_side.py``):
``NeuralNet._set_training`` (overridden: the train/eval mode set only when it changes)
and the contract of ``NeuralNet.train_step`` (replaced by a closure-free version).
"""

import contextlib
import copy
import inspect
import signal
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback, GradientNormClipping
from skorch.helper import predefined_split
from skorch.utils import TeeGenerator, noop

from .._linear_start import ridge_start
from .._weights import canonicalize, relative_weights, repeats_or_weights
from .callbacks import (
    DivergenceCheck,
    EarlyStoppingFromStart,
    EpochProgressBar,
    InterruptGuard,
    SklearnCallbackBridge,
    TerminalPrintLog,
    ValidationScore,
)
from .dataset import BatchIterator, SequenceDataset, as_tensor
from .prediction import PREDICT_BATCH_SIZE, forward
from .threads import thread_policy

__all__ = [
    "OPTIMIZERS",
    "NetConfig",
    "TrainConfig",
    "build_net",
    "optimizer_class",
    "optimizer_params",
    "resolve_device",
    "summary",
    "train",
    "validation_split_fits",
]

# ``batch_size="auto"``: mini-batches of this size, or the whole set when smaller.
AUTO_BATCH_SIZE = 64


@dataclass(frozen=True)
class NetConfig:
    """What defines a network and its optimizer: enough to build the skorch net.

    ``module_params`` are the module's constructor arguments; ``optimizer_params`` the
    optimizer's (``lr`` included), every one of which a continued fit applies anew.
    """

    module: type
    module_params: dict
    criterion: type
    optimizer: type
    optimizer_params: dict
    device: str = "cpu"


@dataclass(frozen=True)
class TrainConfig:
    """How to train: epochs, batches, seeds, early stopping, callbacks, progress."""

    max_epochs: int
    batch_size: object = "auto"
    random_state: object = None
    clip_grad_norm: float | None = None
    validation_fraction: float | None = None  # None: no early stopping
    stratify: bool = False  # validate on a stratified shuffled split, not the tail
    n_iter_no_change: int = 10
    tol: float = 1e-4
    score: object = None  # score(y_true, y_pred, sample_weight) of a validation epoch
    init_linear: bool = False  # start a new net's linear path from ridge regression
    start_quantile: float | None = None  # ...moved to this quantile of its residuals
    verbose: int = 0
    name: str = ""
    callbacks: list = field(default_factory=list)


@contextlib.contextmanager
def _interrupts_held_back():
    """Hold a Ctrl-C (SIGINT) back while the block runs; yield a list that holds it,
    for the caller to act on when the block ended normally (an error raised by the
    block goes on as it is).

    Only where Python's own handler is installed and in the main thread (where signals
    are handled): a handler the user installed is left to do what it does.
    """
    received = []
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield received
        return
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


class _SequenceNet(NeuralNetRegressor):
    """skorch's net, fed ``{"X", "lengths", "sample_weight"}`` batch dicts.

    A batch of equal-length sequences without weights is the ``X`` tensor alone.

    Its per-batch bookkeeping is trimmed to what the estimators use: skorch's epoch
    table is only set up when it is printed, and the module's train/eval mode is set
    when it changes rather than on every batch.
    """

    def get_default_callbacks(self):
        callbacks = super().get_default_callbacks()
        if not self.verbose:  # the table is built every epoch even when not printed
            return [(name, cb) for name, cb in callbacks if name != "print_log"]
        return [(n, TerminalPrintLog() if n == "print_log" else cb) for n, cb in callbacks]

    def notify(self, method_name, **cb_kwargs):
        """skorch's notify, except that a callback stopping training at the end of an
        epoch (early stopping, a scikit-learn callback) lets every other callback see
        that epoch end first: the stop is raised after all of them ran.

        The end of an epoch and of training are bookkeeping that must run whole (the
        epoch's row of the history, the copy of its weights, their restoration): a
        Ctrl-C that arrives during either is held back until it is done. Then training
        stops after that epoch, as early stopping stops it, or has ended anyway; the
        epoch is recorded in ``interrupted_after_`` for the fit to warn about."""
        if method_name == "on_train_begin":
            self.interrupted_after_ = None
        if method_name not in ("on_epoch_end", "on_train_end"):
            return super().notify(method_name, **cb_kwargs)
        with _interrupts_held_back() as held:
            if method_name == "on_train_end":
                super().notify(method_name, **cb_kwargs)
            else:
                stop = self._notify_epoch_end(**cb_kwargs)
        if held:
            self.interrupted_after_ = len(self.history)
            stop = KeyboardInterrupt()
        if method_name == "on_epoch_end" and stop is not None:
            raise stop

    def _notify_epoch_end(self, **cb_kwargs):
        """Every callback's ``on_epoch_end``; the first stop any of them asked for."""
        self.on_epoch_end(self, **cb_kwargs)
        stop = None
        for _, callback in self.callbacks_:
            try:
                callback.on_epoch_end(self, **cb_kwargs)
            except KeyboardInterrupt as exc:  # skorch's way to end training
                stop = stop or exc
        return stop

    def _set_training(self, training=True):
        # skorch private: called before every batch; switching modes costs a walk
        # over all submodules, so only when the mode changes.
        if self.module_.training != training:
            super()._set_training(training)

    def train_step(self, batch, **fit_params):
        """One optimizer step, without the closure that only LBFGS-like optimizers need.

        skorch's own ``train_step`` wraps the same calls in a closure, feeds the step
        through ``get_train_step_accumulator`` and steps every optimizer of
        ``_optimizers``; for one optimizer that takes no closure, and skorch's default
        accumulator (the first step), this does the same without the closure or the
        accumulator. ``tests/test_training_side.py`` compares the two, hook by hook.
        """
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
        loss = loss.reshape(len(loss), -1).mean(dim=1)
        return (loss * weight).sum() / weight.sum()


def build_net(
    config, *, max_epochs=1, batch_size=1, shuffle_seed=0, valid=None, callbacks=(), verbose=0
):
    """The skorch net of ``config`` (not yet initialised)."""
    return _SequenceNet(
        module=config.module,
        **{f"module__{k}": v for k, v in config.module_params.items()},
        criterion=config.criterion,
        optimizer=config.optimizer,
        **{f"optimizer__{k}": v for k, v in config.optimizer_params.items() if k != "lr"},
        lr=config.optimizer_params["lr"],
        max_epochs=max_epochs,
        batch_size=batch_size,
        iterator_train=BatchIterator,
        iterator_train__shuffle=True,
        iterator_train__random_state=shuffle_seed,
        iterator_valid=BatchIterator,
        iterator_valid__batch_size=PREDICT_BATCH_SIZE,
        dataset=SequenceDataset,
        train_split=None if valid is None else predefined_split(valid),
        callbacks=list(callbacks),
        verbose=verbose,
        device=config.device,
    )


def train(
    config,
    options,
    X,
    lengths,
    y,
    sample_weight=None,
    *,
    previous=None,
    bridge=None,
    score_offset=None,
):
    """Train a net of ``config`` on data in the internal form; return it.

    Parameters
    ----------
    config : NetConfig
    options : TrainConfig
    X, lengths, y, sample_weight : ndarray
        The internal form (see ``_inputs.py``); ``y`` float32 of shape (n, n_outputs).
    previous : skorch net or None
        A fitted net to continue: its weights, optimizer state and history.
    bridge : tuple or None
        ``(context, estimator, X, y)`` for scikit-learn's callbacks (>= 1.9).
    score_offset : ndarray of shape (n_samples, n_outputs) or None
        Added to the targets and the outputs of the validation samples before they are
        scored, so that the score is that of ``y`` in the units a prediction has (an
        affine map of them): the offsets of targets learned relative to a value of
        their own row.

    The caller's objects are never changed; the net is trained on its own copies.
    """
    # A continuation draws new shuffles and dropout masks for its new epochs.
    offset = 0 if previous is None else len(previous.history)
    init_seed, shuffle_seed, split_seed, dropout_seed = _seeds(
        options.random_state, n=4, offset=offset
    )
    valid, score = None, options.score
    if options.validation_fraction is not None:
        (X, lengths, y, sample_weight, _), (*valid, offset) = _split_validation(
            (X, lengths, y, sample_weight, score_offset),
            options.validation_fraction,
            seed=split_seed if options.stratify else None,
        )
        if valid[3] is not None and not valid[3].any():
            warnings.warn(
                f"Early stopping is off for this fit: every sample held out for it (the "
                f"validation_fraction={options.validation_fraction} of the samples) has a "
                "sample_weight of 0, so none can be scored. Give them weight, or set "
                "early_stopping=False.",
                UserWarning,
                stacklevel=5,
            )
            valid = None  # nothing of the tail weighs in training either
        elif valid[3] is not None:  # weights of mean one, in float32
            valid[3] = relative_weights(valid[3]).astype(np.float32)
        if valid is not None and offset is not None:
            score = _offset_score(options.score, offset)
    X, lengths, y, sample_weight = canonicalize(X, lengths, y, sample_weight)
    repeats, weights = repeats_or_weights(sample_weight)
    batch_size = options.batch_size
    if batch_size == "auto":
        batch_size = min(AUTO_BATCH_SIZE, X.shape[0] if repeats is None else repeats.sum())
    net = build_net(
        config,
        max_epochs=options.max_epochs,
        batch_size=batch_size,
        shuffle_seed=shuffle_seed,
        valid=None if valid is None else _dataset(*valid, config.device),
        callbacks=_callbacks(options, score if valid is not None else None, bridge),
        verbose=int(options.verbose >= 2),
    )
    dataset = _dataset(X, lengths, y, weights, config.device, repeats=repeats)
    with thread_policy():
        with _seeded_rng(init_seed, config.device):  # the weights' initialisation
            net.initialize()
            if previous is not None:
                _continue_from(net, previous)
            elif options.init_linear and getattr(net.module_, "linear", None) is not None:
                _start_linear_path(net.module_, X, lengths, y, sample_weight, options)
            if valid is not None:
                _score_start(net, valid, score)
        # Dropout draws from the net's own generator: training holds no process-wide lock.
        net.module_.generator = torch.Generator(device=config.device).manual_seed(dropout_seed)
        try:
            _fit_epochs(net, dataset)
        finally:
            net.module_.generator = None
    _release_data(net)
    return net


def _start_linear_path(module, X, lengths, y, sample_weight, options):
    """The module's linear path at ridge regression on the steps it reads (see
    ``_linear_start.py``), its recurrent head at zero."""
    Z = module.linear_inputs(as_tensor(X), None if lengths is None else torch.from_numpy(lengths))
    coef, intercept = ridge_start(
        Z.numpy(), lengths, module.linear_window, y, sample_weight, options.start_quantile
    )
    module.set_linear_path(coef, intercept)


def _score_start(net, valid, score):
    """Give early stopping the validation score of the weights training starts from."""
    X, lengths, y, sample_weight = valid
    with torch.no_grad():
        y_pred = forward(net, X, lengths)
    stopper = dict(net.callbacks_)["early_stopping"]
    stopper.start_score = float(score(y, y_pred, sample_weight=sample_weight))


def _offset_score(score, offset):
    """``score`` of targets and outputs each moved by ``offset`` (one row a sample)."""

    def scored_with_offset(y_true, y_pred, sample_weight=None):
        return score(y_true + offset, y_pred + offset, sample_weight=sample_weight)

    return scored_with_offset


def _release_data(net):
    """Drop what the trained net holds of the training run: nothing of the caller's data
    may stay reachable from a fitted estimator (the validation tail can be a view of the
    caller's ``X``, the score holds its offsets), nor the early-stopping checkpoint's copy
    of the weights, nor the estimator (the score is its method: a net pickled alone
    would carry it)."""
    net.train_split = None
    callbacks = dict(net.callbacks_)
    if "early_stopping" in callbacks:
        callbacks["early_stopping"].best_model_weights_ = None
    if "valid_score" in callbacks:
        callbacks["valid_score"].score = None


def _callbacks(options, score, bridge):
    """The callbacks of one training run, in the order they must run; ``score`` the
    validation score, None without early stopping."""
    callbacks = [("interrupt_guard", InterruptGuard()), ("divergence", DivergenceCheck())]
    if options.clip_grad_norm is not None:
        callbacks.append(("clip_grad_norm", GradientNormClipping(options.clip_grad_norm)))
    if score is not None:
        callbacks.append(("valid_score", ValidationScore(score)))
        callbacks.append(
            (
                "early_stopping",
                EarlyStoppingFromStart(
                    monitor="valid_score",
                    lower_is_better=False,
                    patience=options.n_iter_no_change,
                    threshold=options.tol,
                    threshold_mode="abs",
                    load_best=True,
                    sink=print if options.verbose else noop,
                ),
            )
        )
    if options.verbose == 1:
        callbacks.append(("progress_bar", EpochProgressBar(desc=options.name)))
    if bridge is not None:
        callbacks.append(("sklearn_callbacks", SklearnCallbackBridge(*bridge)))
    for i, callback in enumerate(options.callbacks):
        # The user's callbacks are copied: a fit must not change its parameters.
        try:
            callbacks.append(copy.deepcopy(callback))
        except Exception as exc:
            raise TypeError(
                f"callbacks[{i}] ({callback!r}) cannot be copied ({exc}); each fit "
                "trains copies of the callbacks so that the parameter stays unchanged. "
                "Give a callback that holds no locks, open files or other uncopyable state."
            ) from exc
    return callbacks


def summary(net):
    """What a fit records of its training, read from the net: plain numbers and lists.

    ``validation_scores`` has one entry per epoch (NaN for epochs trained without
    early stopping), or is None when no epoch was validated; ``best_validation_score``
    is the score of the weights the net holds now; ``best_loss``, without early
    stopping, is the lowest training loss over the epochs (as ``MLPRegressor``'s: the
    net holds the last epoch's weights, whose loss may be higher).
    """
    history = net.history
    loss_curve = [float(loss) for loss in history[:, "train_loss"]]
    scores = [row.get("valid_score") for row in history]
    validated = any(score is not None for score in scores)
    stopper = dict(net.callbacks_).get("early_stopping")
    best_validation_score = None
    if stopper is not None and stopper.best_epoch_ == stopper.start_epoch_:
        best_validation_score = stopper.start_score  # no epoch beat the start
    elif stopper is not None and stopper.best_epoch_ is not None:
        # skorch restores the weights of the last epoch that improved by tol.
        best_validation_score = float(history[stopper.best_epoch_ - 1, "valid_score"])
    return {
        "n_iter": len(history),
        "loss_curve": loss_curve,
        "validation_scores": (
            [np.nan if s is None else float(s) for s in scores] if validated else None
        ),
        "best_validation_score": best_validation_score,
        "best_loss": None if stopper is not None else min(loss_curve, default=None),
    }


def _fit_epochs(net, dataset):
    """Train ``net``; a KeyboardInterrupt keeps the weights of the last finished epoch."""
    callbacks = dict(net.callbacks_)
    guard = callbacks["interrupt_guard"]
    net.partial_fit(dataset, None)
    callbacks["divergence"].check_final(net)
    if guard.interrupted_:
        warnings.warn(
            f"Training was interrupted during epoch {guard.interrupted_}; the estimator "
            f"keeps the weights of the last finished epoch ({guard.interrupted_ - 1}).",
            UserWarning,
            stacklevel=4,
        )
    elif getattr(net, "interrupted_after_", None):
        warnings.warn(
            f"Training was interrupted at the end of epoch {net.interrupted_after_}; it "
            "stopped there (with early stopping, at the best epoch's weights so far).",
            UserWarning,
            stacklevel=4,
        )


# -- optimizers -----------------------------------------------------------------------

# The optimizers ``optimizer`` names.
OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}


def optimizer_class(optimizer):
    """The optimizer's class: a name of ``OPTIMIZERS``, or a torch optimizer class."""
    if isinstance(optimizer, str):
        return OPTIMIZERS[optimizer]
    if not issubclass(optimizer, torch.optim.Optimizer):
        raise ValueError(
            "optimizer must be 'adam', 'adamw', 'sgd' or a torch.optim.Optimizer "
            f"subclass; got {optimizer!r}."
        )
    return optimizer


def optimizer_params(optimizer, lr, weight_decay):
    """``lr``, and ``weight_decay`` where the optimizer takes it (LBFGS does not)."""
    params = {"lr": lr}
    if "weight_decay" in inspect.signature(optimizer).parameters:
        params["weight_decay"] = weight_decay
    elif weight_decay:
        raise ValueError(
            f"weight_decay={weight_decay} was given, but {optimizer.__name__} "
            "takes no weight decay; set weight_decay=0 or choose another optimizer."
        )
    return params


# -- devices ---------------------------------------------------------------------------


def resolve_device(device):
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


# -- seeds, data, continuation -----------------------------------------------------------


def _seeds(random_state, n=2, offset=0):
    """``n`` 32-bit seeds from ``random_state``, as scikit-learn reads it.

    None draws from numpy's global generator, as every scikit-learn estimator does, so
    that ``np.random.seed`` before a fit makes it reproducible; torch's global
    generator is never the source. ``offset`` (the number of epochs already trained)
    gives a continued fit seeds of its own, so its epochs do not replay the shuffles
    and dropout masks of earlier ones.
    """
    rng = check_random_state(random_state)
    entropy = int(rng.randint(np.iinfo(np.int32).max))
    sequence = np.random.SeedSequence([entropy, offset])
    return [int(s) for s in sequence.generate_state(n)]


# torch's global generator is shared by every thread of the process. Fits seed it for
# the weight initialisation (dropout draws from each net's own generator), so that
# section holds this lock: two estimators fitted at once in two threads then give the
# results each gives alone.
GLOBAL_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def _seeded_rng(seed, device):
    """Seed torch's generators for a block and give the caller's states back after it.

    Holds the process-wide lock on torch's global generator for the whole block.
    """
    cuda = torch.device(device).type == "cuda"
    devices = list(range(torch.cuda.device_count())) if cuda else []
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=devices):
        torch.default_generator.manual_seed(seed)
        if devices:
            torch.cuda.manual_seed_all(seed)
        yield


def _dataset(X, lengths, y, sample_weight, device, repeats=None):
    """A :class:`SequenceDataset` on ``device`` from the internal numpy form."""
    return SequenceDataset(
        as_tensor(X).to(device),
        as_tensor(y).to(device),
        lengths=None if lengths is None else torch.from_numpy(lengths),
        sample_weight=None if sample_weight is None else as_tensor(sample_weight).to(device),
        repeats=None if repeats is None else torch.from_numpy(repeats),
    )


def validation_split_fits(n_samples, fraction, min_valid=2):
    """Whether holding out ``fraction`` of ``n_samples`` leaves ``min_valid`` samples to
    validate and 1 to train."""
    n_valid = int(np.ceil(fraction * n_samples))
    return n_valid >= min_valid and n_samples - n_valid >= 1


def _split_validation(arrays, fraction, seed=None):
    """Split ``fraction`` of the samples off for validation: ``(train, valid)``.

    Without ``seed``, the last samples in the order given: a model of a time series is
    validated on its future, and overlapping windows of neighbouring time points
    cannot leak into validation. With ``seed`` (the classifiers), a shuffled split
    stratified by the target rows, as ``MLPClassifier`` makes it (unstratified where a
    class has a single sample or the split is smaller than the number of classes).
    """
    n_samples = arrays[0].shape[0]
    n_valid = int(np.ceil(fraction * n_samples))
    if not validation_split_fits(n_samples, fraction):
        raise ValueError(
            f"early_stopping with validation_fraction={fraction} on {n_samples} samples "
            f"leaves {n_valid} validation and {n_samples - n_valid} training samples; "
            "at least 2 and 1 are needed. Use more samples or a larger fraction."
        )
    if seed is None:  # slices: views, no copy of the training data
        keep, held = slice(0, n_samples - n_valid), slice(n_samples - n_valid, None)
    else:
        _, strata, counts = np.unique(arrays[2], axis=0, return_inverse=True, return_counts=True)
        stratify = strata.ravel() if counts.min() >= 2 and n_valid >= len(counts) else None
        keep, held = train_test_split(
            np.arange(n_samples), test_size=n_valid, random_state=seed, stratify=stratify
        )
        keep, held = np.sort(keep), np.sort(held)
    head = tuple(None if a is None else a[keep] for a in arrays)
    tail = tuple(None if a is None else a[held] for a in arrays)
    if tail[1] is not None and (tail[1] == tail[0].shape[1]).all():
        tail = (tail[0], None) + tail[2:]
    return head, tail


def _continue_from(net, previous):
    """Start ``net`` where ``previous`` stopped: weights, optimizer state and history.

    The optimizer's moments carry over; its settings (``lr``, ``weight_decay`` and any
    other) are those of the new net, so that changed parameters take effect.
    """
    net.module_.load_state_dict(previous.module_.state_dict())
    if type(net.optimizer_) is type(previous.optimizer_):
        settings = [
            {k: v for k, v in group.items() if k != "params"}
            for group in net.optimizer_.param_groups
        ]
        # A deep copy: torch's load_state_dict keeps the given tensors where their
        # dtype and device fit, and training would then change the fitted net's state.
        net.optimizer_.load_state_dict(copy.deepcopy(previous.optimizer_.state_dict()))
        for group, fresh in zip(net.optimizer_.param_groups, settings, strict=True):
            group.update(fresh)
    net.history = copy.deepcopy(previous.history)
