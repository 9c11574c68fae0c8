"""The scikit-learn face shared by every recurrent estimator, whatever its family.

An estimator validates its input, hands data in the internal form to the training side
(``_training.train``) and records what comes back, in one step. A family (regressors in
``_regressors.py``) supplies what differs: the loss, the targets' encoding and
decoding, the validation score and its tags.

Private names of scikit-learn used here: ``sklearn.base._fit_context`` (how
scikit-learn's own estimators validate their parameters), ``Interval`` and
``StrOptions`` of ``sklearn.utils._param_validation`` (the vocabulary of
``_parameter_constraints``), ``_check_sample_weight``, and the callback API of
scikit-learn >= 1.9 (``_init_callback_context``, its documented developer hook).
"""

import contextlib
import difflib
import functools
import inspect
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ._inputs import check_sequences
from ._network import RecurrentModule
from ._params import reject_booleans
from ._scaling import feature_statistics, last_steps, standardize
from ._training import (
    NetConfig,
    TrainConfig,
    forward,
    net_state,
    restore_net,
    summary,
    train,
    validation_split_fits,
)

# early_stopping="auto" holds out a tail for early stopping when it has at least this
# many samples (from 41 samples at the default validation_fraction=0.1, the tail being
# rounded up): on fewer, the validation score is too noisy to choose an epoch by. The
# quality benchmark (docs/user_guide/defaults.rst) measured the gain on series of 45 to
# 300 points.
AUTO_MIN_VALIDATION = 5


class NotAFittedState(ValueError):
    """A stored fitted state (from pickle, skops or a model file) that is not one a fit
    of this estimator records: ``reason`` says why, so that a model file's loader can
    name the file."""

    def __init__(self, estimator, reason):
        super().__init__(f"Not a fitted state of {estimator}: {reason}.")
        self.reason = reason


# The package's estimators by name, each registered by its class statement (see
# BaseRecurrentEstimator.__init_subclass__): what save_model and load_model know.
_ESTIMATORS = {}


def registered_estimators():
    """The package's estimator classes by name: every family's estimator of a cell."""
    return dict(_ESTIMATORS)


# The names other libraries give to parameters that have another name here:
# scikit-learn's MLPRegressor and MLPClassifier above all, whose vocabulary the
# estimators follow where scikit-learn has the word.
_OTHER_NAMES = {
    "learning_rate_init": "lr",
    "learning_rate": "lr",
    "max_iter": "max_epochs",
    "epochs": "max_epochs",
    "n_epochs": "max_epochs",
    "hidden_layer_sizes": "hidden_size",
    "hidden_dim": "hidden_size",
    "n_layers": "num_layers",
    "alpha": "weight_decay",
    "seed": "random_state",
}


def _naming_unknown_parameters(init):
    """``init``, whose error for an unknown keyword names the estimator's own class (not
    the family's that defines ``__init__``) and the closest parameter name, as Python
    does for a misspelled attribute, or the parameter that another library's name (such
    as ``MLPRegressor``'s ``learning_rate_init``) is here. The signature, which
    ``get_params`` reads, is ``init``'s (through ``__wrapped__``)."""
    parameters = [p for p in inspect.signature(init).parameters if p != "self"]
    known = frozenset(parameters)  # clone constructs often: a set lookup per keyword

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        unknown = [name for name in kwargs if name not in known]
        if unknown:
            name = type(self).__name__
            other = _OTHER_NAMES.get(unknown[0])
            close = [other] if other in known else []
            close = close or difflib.get_close_matches(unknown[0], parameters, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"{name}() got an unexpected keyword argument {unknown[0]!r}.{hint} "
                f"See {name}().get_params() for its parameters."
            )
        init(self, *args, **kwargs)

    return __init__


_OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}

# What a warm start or partial_fit must find unchanged: it continues the same network.
_STRUCTURE = (
    "hidden_size",
    "num_layers",
    "bidirectional",
    "nonlinearity",
    "linear_window",
    "readout",
    "patch_size",
)

try:  # scikit-learn >= 1.9: callbacks set on the estimator or a meta-estimator
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # older scikit-learn: nothing to report to

    class CallbackSupportMixin:
        """Stand-in for scikit-learn's callback support where it does not exist."""

    def with_callbacks(method):
        return method


# Parameter texts that every family's docstring shares, kept here once.
READOUT_DOC = """\
    readout : {{"last", "mean", "max"}}, default="last"
        How the top layer's outputs summarise a sequence for the head: the output at
        its last valid step (a bidirectional network: the forward direction's there and
        the backward direction's at the first step), or their mean or maximum over the
        valid steps. Padding never enters any of them, so a sequence gets the same
        summary alone or in a ragged batch.
        {advice}
"""

# Parameter texts both families share, each written once (the families' own texts,
# and those with a family's advice, are in their modules; see also the *_DOC texts).
PARAMETER_DOCS = {
    "dropout": """\
    dropout : float, default=0.0
        Dropout probability on the output of every recurrent layer, the last one
        included, during training. A remedy for overfitting.
""",
    "optimizer": """\
    optimizer : {"adam", "adamw", "sgd"} or torch.optim.Optimizer subclass, \
default="adam"
        The optimizer, by name or as a class taking ``(params, lr=..., weight_decay=...)``.
""",
    "lr": """\
    lr : float, default=0.01
        Learning rate of the optimizer. Too high a rate makes training diverge.
""",
    "weight_decay": """\
    weight_decay : float, default=0.0
        L2 penalty (decoupled for "adamw"), a remedy for overfitting.
""",
    "batch_size": """\
    batch_size : int or "auto", default="auto"
        Samples per mini-batch. "auto" uses ``min(64, n_samples)``, so a small data
        set is trained full-batch.
""",
    "clip_grad_norm": """\
    clip_grad_norm : float or None, default=None
        If set, gradients are rescaled so that their total norm does not exceed it:
        the remedy for exploding gradients on long sequences.
""",
    "n_iter_no_change": """\
    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` before early stopping.
""",
    "tol": """\
    tol : float, default=1e-4
        Smallest improvement of the validation {score} that counts, for early stopping.
""",
    "warm_start": """\
    warm_start : bool, default=False
        If True, ``fit`` on a fitted estimator continues training its network (weights
        and optimizer state) for ``max_epochs`` more epochs, instead of starting anew.
        A continued fit (and ``partial_fit``) keeps the scaling statistics of the first.
""",
    "device": """\
    device : str or torch.device, default="cpu"
        Where the network trains and predicts: "cpu", "cuda", "cuda:<index>" or
        "auto" (CUDA where available). A fitted model unpickles and predicts on a
        machine without a GPU.
""",
    "verbose": """\
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar over epochs with the latest losses;
        2 or more prints skorch's table of losses per epoch.
""",
    "hidden_size": """\
    hidden_size : int, default=32
        Number of features in the hidden state. More units fit more complex dynamics
        and cost time in proportion to their square.
""",
    "callbacks": """\
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Added to the callbacks the estimator sets up itself (for example
        ``skorch.callbacks.LRScheduler`` or ``Checkpoint``). They are copied at each
        fit; the trained copies are in ``net_.callbacks_`` until the estimator is
        stored. A pickle or skops file keeps this parameter, not the trained copies
        (the fitted state is plain data): a restored model's ``net_.callbacks_`` holds
        the estimator's own callbacks only, and its next fit copies these again.
        ``save_model`` refuses callbacks given as objects.
""",
    "random_state": """\
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling of mini-batches and dropout.
        Pass an int for identical results across calls. None draws the seeds from
        numpy's global generator, as scikit-learn's estimators do (so
        ``np.random.seed`` before ``fit`` makes it repeatable); torch's global
        generator is left as it was.
""",
    "num_layers": """\
    num_layers : int, default=1
        Number of stacked recurrent layers.
""",
}


# The parameters that close both families' lists, in that order.
CLOSING_PARAMETERS = (
    "n_iter_no_change",
    "tol",
    "warm_start",
    "callbacks",
    "random_state",
    "device",
    "verbose",
)


def parameter_docs(*names, score=None):
    """The shared texts of ``names``, in that order, a blank line between them;
    ``score`` names the validation score in ``tol``'s text."""
    texts = [PARAMETER_DOCS[name] for name in names]
    return "\n".join(text.replace("{score}", score or "score") for text in texts)


NOTES_DOC = """\
    Inputs of every form are converted to one padded float32 tensor plus sequence
    lengths. Sequences shorter than the longest (a list of different lengths, or 3-D
    rows that begin with all-NaN time steps) are read at their own last real step, so
    padding never reaches a prediction: a unidirectional network reads each sequence's
    output there (batches of similar lengths, no packing); a bidirectional one runs its
    backward direction over each sequence reversed within its own length (on a GPU it
    packs them, which cuDNN runs fast).

    A sample that occurs several times in the training set is merged into one sample
    whose weight is its count, and samples are put in a canonical order before
    training. Whole-number weights are counts: each epoch draws its mini-batches from
    an index that repeats each sample as often as its count, so fitting on repeated
    samples and fitting with the equivalent integer ``sample_weight`` give identical
    models, with as many optimizer steps as rows. Other weights are relative (a
    weighted mean of the losses; scaling them all changes nothing). Without early
    stopping, the order of the training samples does not change the result; with it,
    {held_out}.

    Predictions are computed in batches padded with zero sequences to a multiple of 8
    rows (the smallest products use other kernels, which round differently), so a
    sample's prediction does not depend on the other samples passed with it.
"""

PATCH_SIZE_DOC = """
    patch_size : int or "auto", default="auto"
        Consecutive time steps joined into one step of the network: a sequence of
        ``n`` steps is read as ``ceil(n / patch_size)`` patches of ``patch_size *
        n_features`` values, the last patch ending at its last step (the first one
        completed with zeros before its start: the training mean when standardised).
        A long sequence is then a short one, which a recurrent network learns far
        better: on the quality benchmark's sequences of 150 to 427 steps, accuracy
        went from chance level to that of 1-NN DTW. "auto" chooses, at the first fit,
        the smallest size that makes the longest training sequence at most 16
        patches (1 for up to 16 steps, so forecasting windows of up to 16 lags are
        read step by step); ``patch_size_`` holds the size used, which a warm start
        or ``partial_fit`` keeps. The linear path reads the steps themselves.
"""

COLUMN_ORDER_DOC = """\
    column_order : {"oldest_first", "newest_first"}, default="oldest_first"
        The time order of the columns of a 2-D ``X`` (each column one time step). The
        network reads sequences oldest first; "newest_first" reverses the columns
        first, for lag matrices built newest first, as skforecast's
        ``ForecasterRecursive`` and sktime's reductions pass them. Ignored for 3-D and
        list input, whose time axis is explicit.
"""


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


class BaseRecurrentEstimator(CallbackSupportMixin, BaseEstimator):
    """Everything the recurrent estimators share; a family supplies its targets and loss.

    A family subclass defines ``__init__`` (its parameters), ``_criterion``,
    ``_encode_targets``, ``_decode_outputs``, ``_validation_score``,
    ``_output_size`` and ``_target_attributes``; an estimator names its cell in
    ``_cell``.
    """

    _cell = None
    # Whether ``y`` must be numeric (regression) or may hold labels of any kind.
    _y_numeric = True
    # The fitted attributes every family has, with their types; a family adds its
    # target's in ``_target_attributes``. This one table serves fit, pickle, skops and
    # save_model; a stored state with anything else, or another type, is refused.
    _common_attributes = {
        "n_features_in_": Integral,
        "feature_names_in_": np.ndarray,
        "n_iter_": Integral,
        "loss_curve_": list,
        "best_loss_": (Real, type(None)),
        "validation_scores_": (list, type(None)),
        "best_validation_score_": (Real, type(None)),
        "_tabular": bool,
        # The column order a model of 2-D lag columns was fitted with (None: 3-D input).
        "_column_order": (str, type(None)),
        "input_mean_": (np.ndarray, type(None)),
        "input_scale_": (np.ndarray, type(None)),
        "patch_size_": Integral,
    }
    _target_attributes = {}
    # What a stored state from an earlier release lacks, and what it meant then: fitted
    # attributes, and parameters (their values that behave as that release did).
    _fitted_defaults = {"patch_size_": 1, "_column_order": None}
    _earlier_params = {}
    # Whether a new network's linear path starts from ridge regression on the targets.
    _init_linear = False
    # Whether early stopping validates on a stratified shuffled split (classification)
    # rather than on the tail of the data in its order (a series' future).
    _stratified_validation = False
    # patch_size="auto" joins consecutive steps into patches so that the longest
    # training sequence is at most this many patches long. On the quality benchmark's
    # UCR sets (150 to 427 steps) 16 took an LSTM from chance level to about 1-NN DTW's
    # accuracy; 8, 24 and 32 did worse on average (docs/user_guide/defaults.rst).
    _auto_patch_steps = 16

    def __init_subclass__(cls, **kwargs):
        # An estimator of this package (a family's class naming a cell) registers
        # itself for the model files; a user's subclass is theirs to store.
        super().__init_subclass__(**kwargs)
        if cls._cell is not None and cls.__module__.startswith(__package__ + "."):
            _ESTIMATORS[cls.__name__] = cls
            cls.__init__ = _naming_unknown_parameters(cls.__init__)

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "readout": [StrOptions({"last", "mean", "max"})],
        "patch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "linear_window": [Interval(Integral, 0, None, closed="left")],
        "standardize": ["boolean"],
        "column_order": [StrOptions({"oldest_first", "newest_first"})],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    @classmethod
    def _fitted_attributes(cls):
        """Every fitted attribute but the network (``net_``, ``history_``): name -> type."""
        return {**cls._common_attributes, **cls._target_attributes}

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
            Non-negative weights of the samples in the loss. Whole-number weights are
            counts: a weight of 3 is exactly the sample repeated three times. Other
            weights are relative: scaling all of them does not change the model.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    @with_callbacks
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, continuing any earlier training.

        The first call builds the network; later calls continue it, whatever
        ``warm_start`` says. Early stopping is not used.

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
        fitted = self._fitted_view()
        return fitted._decode_outputs(*fitted._forward(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def __sklearn_is_fitted__(self):
        """Fitted when a fit has recorded its network (``check_is_fitted`` asks this,
        instead of listing every attribute of the estimator on each prediction)."""
        return "net_" in vars(self)

    # -- fitting: validate, train, record -----------------------------------------------

    def _fit(self, X, y, sample_weight, *, incremental, **target_options):
        self._check_no_booleans()
        device = _resolve_device(self.device)
        continues = self._continues(incremental)
        if continues:
            self._check_structure_unchanged()
        X_given, y_given = X, y
        X, lengths, y, info = self._check_sequences(
            X, y, form=self._input_form() if continues else None
        )
        sample_weight = self._check_sample_weight(sample_weight, X)
        last = last_steps(X, lengths)
        y, target_state, sample_weight = self._encode_targets(
            y, sample_weight, continues=continues, last=last, **target_options
        )
        given = X
        X = self._network_inputs(X, lengths, last, target_state)
        scaling = self._input_scaling(X, lengths, sample_weight, continues=continues)
        if scaling["input_mean_"] is not None:  # in place where X is a new array already
            mean, scale = scaling["input_mean_"], scaling["input_scale_"]
            X = standardize(X, lengths, mean, scale, in_place=X is not given)
        record = {
            "n_features_in_": info["n_features"],
            "feature_names_in_": info["feature_names_in"],
            "_tabular": info["tabular"],
            "_column_order": self.column_order if info["tabular"] else None,
            "patch_size_": self.patch_size_ if continues else self._auto_patch_size(X, lengths),
            **scaling,
            **target_state,
        }
        config = self._net_config(record, device)
        options = self._train_config(incremental, n_samples=len(X))
        with self._sklearn_callbacks(X_given, y_given, options) as bridge:
            net = train(
                config,
                options,
                X,
                lengths,
                y,
                sample_weight,
                previous=self.net_ if continues else None,
                bridge=bridge,
                score_offset=self._score_offset(last, target_state),
            )
        self._set_fitted({**record, **{f"{k}_": v for k, v in summary(net).items()}}, net)
        return self

    def _continues(self, incremental):
        """Whether this fit continues the fitted network rather than starting anew."""
        try:
            check_is_fitted(self)
        except NotFittedError:
            return False
        return incremental or self.warm_start

    def _check_structure_unchanged(self):
        structure = {k: v for k, v in self.get_params().items() if k in _STRUCTURE}
        fitted = {k: self.net_.module_.arguments[k] for k in structure}
        structure["standardize"] = self.standardize
        fitted["standardize"] = self.input_mean_ is not None
        if self._column_order is not None:  # how 2-D lag columns are read
            structure["column_order"] = self.column_order
            fitted["column_order"] = self._column_order
        if structure["patch_size"] == "auto":  # resolved by the first fit, kept since
            structure["patch_size"] = fitted["patch_size"]
        if structure != fitted:
            raise ValueError(
                "A warm start or partial_fit continues the fitted network, so its "
                f"structure must not change: fitted with {fitted}, now {structure}. Set "
                "warm_start=False to train a new network."
            )
        self._check_reading_unchanged()

    def _check_reading_unchanged(self):
        """A family's check that a continued fit reads its data as the first did."""

    def _input_scaling(self, X, lengths, sample_weight, *, continues):
        """Each feature's mean and scale over the observed steps, or the fitted ones.

        A continued fit keeps the statistics it started with: the network learned
        on inputs scaled by them.
        """
        if continues:
            return {"input_mean_": self.input_mean_, "input_scale_": self.input_scale_}
        if not self.standardize:
            return {"input_mean_": None, "input_scale_": None}
        mean, scale = feature_statistics(X, lengths, sample_weight)
        return {"input_mean_": mean, "input_scale_": scale}

    def _check_sample_weight(self, sample_weight, X):
        if sample_weight is None:
            return None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        if not sample_weight.sum() > 0:  # scikit-learn < 1.7 lets this through
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return sample_weight

    @contextlib.contextmanager
    def _sklearn_callbacks(self, X, y, options):
        """scikit-learn's callbacks (>= 1.9) around training: each epoch a subtask."""
        if not hasattr(self, "_init_callback_context"):
            yield None
            return
        early = options.validation_fraction is not None
        context = self._init_callback_context(max_subtasks=None if early else options.max_epochs)
        context.call_on_fit_task_begin(estimator=self, X=X, y=y)
        try:
            yield (context, self, X, y)
        finally:  # a failed fit ends its task too
            context.call_on_fit_task_end(estimator=self, X=X, y=y)

    def _check_params(self):
        """The parameter validation of ``fit``: scikit-learn's constraints, no booleans
        for ints. For stored models, whose parameters were not set through ``fit``."""
        self._validate_params()
        self._check_no_booleans()

    def _check_no_booleans(self):
        """Booleans are integers to Python, not sizes or counts here: a clear error."""
        reject_booleans(type(self).__name__, vars(self), self._parameter_constraints)

    def _optimizer_params(self, optimizer):
        """``lr``, and ``weight_decay`` where the optimizer takes it (LBFGS does not)."""
        params = {"lr": self.lr}
        if "weight_decay" in inspect.signature(optimizer).parameters:
            params["weight_decay"] = self.weight_decay
        elif self.weight_decay:
            raise ValueError(
                f"weight_decay={self.weight_decay} was given, but {optimizer.__name__} "
                "takes no weight decay; set weight_decay=0 or choose another optimizer."
            )
        return params

    def _optimizer_class(self):
        if isinstance(self.optimizer, str):
            return _OPTIMIZERS[self.optimizer]
        if not issubclass(self.optimizer, torch.optim.Optimizer):
            raise ValueError(
                "optimizer must be 'adam', 'adamw', 'sgd' or a torch.optim.Optimizer "
                f"subclass; got {self.optimizer!r}."
            )
        return self.optimizer

    def _module_params(self):
        """Parameters of the network beyond those every cell has (``nonlinearity``)."""
        return {}

    def _start_quantile(self):
        """The quantile of the targets that the linear start predicts (None: the mean)."""
        return None

    def _auto_patch_size(self, X, lengths):
        """``patch_size``, "auto" resolved: patches of as many steps as make the
        longest training sequence at most ``_auto_patch_steps`` patches long."""
        if self.patch_size != "auto":
            return int(self.patch_size)
        longest = X.shape[1] if lengths is None else int(lengths.max())
        return max(1, -(-longest // self._auto_patch_steps))

    def _network_features(self, state):
        """The features of a step that the network reads, and how many of them (the
        first) its linear path reads (None: all), for a fitted ``state``."""
        return (1 if state["_tabular"] else state["n_features_in_"]), None

    def _score_offset(self, last, target_state):
        """What moves the network's targets to an affine map of ``y`` for the validation
        score (see ``_training.train``), per sample; None where they are one already."""
        return None

    def _network_inputs(self, X, lengths, last, target_state):
        """What the network reads of sequences in the internal form (a family may add
        features; ``last`` is each sequence's last observed step)."""
        return X

    def _network_arguments(self, state, output_size):
        """The network's constructor arguments: the parameters', with the sizes a fitted
        state gives (``n_features_in_``, ``_tabular``, ``patch_size_`` and the family's
        target attributes; that of a fit under way or a stored one) and
        ``output_size``."""
        input_size, linear_features = self._network_features(state)
        return {
            "cell": self._cell,
            "input_size": input_size,
            "linear_features": linear_features,
            "output_size": output_size,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "linear_window": self.linear_window,
            "readout": self.readout,
            "patch_size": state["patch_size_"],
            **self._module_params(),
        }

    def _net_config(self, state, device):
        """The network and optimizer that the parameters and a fitted ``state`` ask for.

        ``state`` holds the fitted attributes that size the network (see
        :meth:`_network_arguments`) and the family's target attributes
        (``_encode_targets``'s, or a stored state's): they size the output and may
        choose the loss.
        """
        optimizer = self._optimizer_class()
        return NetConfig(
            module=RecurrentModule,
            module_params=self._network_arguments(state, self._output_size(state)),
            criterion=self._criterion(state),
            optimizer=optimizer,
            optimizer_params=self._optimizer_params(optimizer),
            device=device,
        )

    def _train_config(self, incremental, n_samples):
        """How to train, from the parameters; ``partial_fit`` runs one epoch, unvalidated."""
        early_stopping = self.early_stopping
        if isinstance(early_stopping, str):  # "auto": where the tail is large enough
            early_stopping = validation_split_fits(
                n_samples, self.validation_fraction, min_valid=AUTO_MIN_VALIDATION
            )
        return TrainConfig(
            max_epochs=1 if incremental else self.max_epochs,
            batch_size=self.batch_size,
            random_state=self.random_state,
            clip_grad_norm=self.clip_grad_norm,
            validation_fraction=(
                self.validation_fraction if early_stopping and not incremental else None
            ),
            stratify=self._stratified_validation,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            score=self._validation_score,
            init_linear=self._init_linear,
            start_quantile=self._start_quantile(),
            verbose=self.verbose,
            name=type(self).__name__,
            callbacks=list(self.callbacks or []),
        )

    def _check_sequences(self, X, y="no_validation", *, form=None, order=None):
        """The internal form of ``X`` (and ``y``); 2-D columns put oldest first, read in
        ``order`` (by default ``column_order``)."""
        X, lengths, y, info = check_sequences(self, X, y, form=form, y_numeric=self._y_numeric)
        if info["tabular"] and (order or self.column_order) == "newest_first":
            X = np.ascontiguousarray(X[:, ::-1])  # the network reads the oldest first
        return X, lengths, y, info

    def _input_form(self):
        return {"tabular": self._tabular, "n_features": self.n_features_in_}

    def _forward(self, X):
        """The network's raw outputs for ``X``, validated against the fitted input form,
        and each sequence's last observed step."""
        # As fitted: a changed column_order takes effect at the next fit.
        X, lengths, _, _ = self._check_sequences(
            X, form=self._input_form(), order=self._column_order
        )
        last = last_steps(X, lengths)
        inputs = self._network_inputs(X, lengths, last, vars(self))
        if self.input_mean_ is not None:  # in place where the inputs are a new array
            inputs = standardize(
                inputs, lengths, self.input_mean_, self.input_scale_, in_place=inputs is not X
            )
        return forward(self.net_, inputs, lengths), last

    # -- fitted state: one record, shared by fit, pickle, skops and save_model ---------

    def _set_fitted(self, record, net):
        """Replace the fitted state by ``record`` (attribute -> value) and ``net``.

        In one step: the instance's attribute dict is replaced by a new one, never
        changed in place. An interrupt (Ctrl-C) then leaves the old state or the new
        one, never a mix, and :meth:`_fitted_view` gives ``predict`` a consistent
        state while another thread refits the estimator.
        """
        record = {k: v for k, v in record.items() if v is not None or k != "feature_names_in_"}
        fitted = set(self._fitted_attributes()) | {"net_", "history_"}
        state = {k: v for k, v in vars(self).items() if k not in fitted}
        state.update(record, net_=net, history_=net.history)
        self.__dict__ = state

    def _fitted_view(self):
        """The estimator as fitted now, unaffected by a fit finishing meanwhile.

        A view sharing the instance's current attribute dict, which a fit replaces
        rather than changes (see :meth:`_set_fitted`).
        """
        view = object.__new__(type(self))
        view.__dict__ = self.__dict__
        return view

    def _fitted_state(self):
        """The fitted state as plain data: attributes, and the net's weights, history and
        optimizer state."""
        state = {k: getattr(self, k) for k in self._fitted_attributes() if hasattr(self, k)}
        state["net"] = net_state(self.net_)
        return state

    def _restore_fitted_state(self, state, device=None):
        """Rebuild the net from :meth:`_fitted_state`'s record and set the fitted state.

        Only the known attributes, of their types, are accepted; the weights must be
        arrays. Nothing in the state is ever unpickled or called.
        """
        if isinstance(state, dict):  # saved before these attributes existed
            state = {**self._fitted_defaults, **state}
        self._check_fitted_state(state)
        state = dict(state)
        if device is None:
            device = self._device_for_loading()
        net = restore_net(self._net_config(state, device), state.pop("net"))
        self._set_fitted(state, net)

    def _check_fitted_state(self, state):
        """A clear error (:class:`NotAFittedState`) unless ``state`` is what
        :meth:`_fitted_state` records for a network these parameters describe: its
        entries and their types, the family's target attributes, the weights, and the
        input's statistics, in that order."""
        self._check_entries(state)
        self._check_target_state(state)
        self._check_weights(state)
        self._check_input_state(state)

    def _check_entries(self, state):
        """Every fitted attribute and nothing else, each of its type; a positive patch."""
        name = type(self).__name__
        if not isinstance(state, dict):
            raise NotAFittedState(name, f"{type(state).__name__} found")
        types = self._fitted_attributes()
        unknown = sorted(set(state) - set(types) - {"net"})
        required = (set(types) - {"feature_names_in_"}) | {"net"}
        missing = sorted(required - set(state))
        if unknown or missing:
            raise NotAFittedState(name, f"unknown entries {unknown}, missing {missing}")
        patch_size = state["patch_size_"]
        if not isinstance(patch_size, Integral) or isinstance(patch_size, bool) or patch_size < 1:
            raise NotAFittedState(name, f"its patch_size_ is {patch_size!r}, not a positive int")
        for key, value in state.items():
            if key != "net" and not isinstance(value, types[key]):
                raise NotAFittedState(name, f"{key} is a {type(value).__name__}")
        order = state["_column_order"]
        if order not in (None, "oldest_first", "newest_first") or (
            order is not None and not state["_tabular"]
        ):
            raise NotAFittedState(name, f"its _column_order is {order!r}")

    def _check_weights(self, state):
        """Finite float arrays, the network's tensors of the sizes the state gives."""
        name = type(self).__name__
        net = state["net"]
        module = net.get("module") if isinstance(net, dict) else None
        if not isinstance(module, dict) or not all(
            isinstance(k, str) and isinstance(v, np.ndarray) and v.dtype.kind == "f"
            for k, v in module.items()
        ):
            raise NotAFittedState(name, "the weights are not float arrays")
        if not isinstance(net.get("history", []), list) or not isinstance(
            net.get("optimizer"), (dict, type(None))
        ):
            raise NotAFittedState(name, "malformed history or optimizer")
        self._check_network_shapes(state, {k: v.shape for k, v in module.items()})
        for key, values in module.items():
            if not np.isfinite(values).all():
                raise NotAFittedState(name, f"the weights {key} are not finite")

    def _check_input_state(self, state):
        """The input's statistics (one per feature the network reads) and names."""
        step_features, _ = self._network_features(state)
        self._check_statistics(state, ("input_mean_", "input_scale_"), step_features)
        names = state.get("feature_names_in_")
        if names is not None and names.shape != (state["n_features_in_"],):
            raise NotAFittedState(
                type(self).__name__,
                f"feature_names_in_ has shape {names.shape}, not ({state['n_features_in_']},)",
            )

    def _check_network_shapes(self, state, shapes):
        """The parameters and the fitted state must describe the network whose weights
        have these ``shapes``, checked before anything is built.

        A stored model's parameters decide how large a network is allocated, its
        tensors are as large as the file: every size the parameters give must be one
        the tensors have, and then every tensor the one the network expects.
        """
        name = type(self).__name__
        try:  # the family's target attributes size the output
            output_size = self._output_size(state)
        except (KeyError, TypeError):
            output_size = None
        wanted = self._network_arguments(state, output_size)
        try:
            found = RecurrentModule.sizes_of(
                shapes, state["patch_size_"], wanted["linear_features"]
            )
        except ValueError as exc:
            raise NotAFittedState(name, str(exc)) from exc
        wrong = [k for k in found if wanted[k] != found[k]]
        if wrong:
            label = {"output_size": self._output_size_name}
            raise NotAFittedState(
                name,
                "its parameters do not describe its weights: "
                + ", ".join(
                    f"{label.get(k, k)}={wanted[k]!r} against {found[k]!r} in the tensors"
                    for k in wrong
                ),
            )
        try:
            RecurrentModule.check_shapes(shapes, **wanted)
        except ValueError as exc:
            raise NotAFittedState(name, f"its weights are not its network's: {exc}") from exc

    def _check_statistics(self, state, keys, size):
        """Scaling statistics: float vectors of ``size`` finite values, scales positive."""
        name = type(self).__name__
        for key in keys:
            values = state[key]
            if values is None:
                continue
            if values.dtype.kind != "f" or values.shape != (size,):
                raise NotAFittedState(
                    name, f"{key} is {values.dtype} of shape {values.shape}, not {size} float(s)"
                )
            if not np.isfinite(values).all():
                raise NotAFittedState(name, f"{key} is not finite")
            if key.endswith("scale_") and (values <= 0).any():
                raise NotAFittedState(name, f"{key} is not positive")

    def _check_target_state(self, state):
        """The family's fitted target attributes, checked against one another."""

    def _device_for_loading(self):
        """The fitted device, or the CPU (with a warning) where that device is missing."""
        try:
            return _resolve_device(self.device)
        except ValueError:
            warnings.warn(
                f"This model was fitted with device={self.device!r}, which is not available "
                "here; it is loaded on the CPU. Set device='cpu' to silence this warning.",
                UserWarning,
                stacklevel=4,
            )
            return "cpu"

    def __getstate__(self):
        """Plain data only: parameters, fitted attributes, and the net as arrays and lists.

        The optimizer's state (Adam's moments, twice the size of the weights) is kept
        too, so that ``partial_fit`` or a warm start on the copy continues as on the
        original.
        """
        fitted = set(self._fitted_attributes()) | {"net_", "history_"}
        state = {k: v for k, v in super().__getstate__().items() if k not in fitted}
        if "net_" in vars(self):
            state["_fitted_state"] = self._fitted_state()
        return state

    def __setstate__(self, state):
        state = {**self._earlier_params, **state}
        fitted = state.pop("_fitted_state", None)
        smuggled = sorted(set(state) & (set(self._fitted_attributes()) | {"net_", "history_"}))
        if smuggled:  # fitted attributes come only through the checked fitted state
            raise ValueError(
                f"Not a state of {type(self).__name__}: unexpected entries {smuggled}."
            )
        super().__setstate__(state)
        if fitted is not None:
            try:  # a fitted state comes with the parameters fit accepted
                self._check_params()
            except ValueError as exc:
                raise ValueError(f"Not a state of {type(self).__name__}: {exc}") from exc
            self._restore_fitted_state(fitted)
