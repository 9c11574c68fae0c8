"""The scikit-learn face shared by every recurrent estimator, whatever its family.

An estimator validates its input, hands data in the internal form to the training side
(``_torch.train``) and records what comes back, in one step. A family (regressors in
``_regressors.py``) supplies what differs: the loss, the targets' encoding and
decoding, the validation score and its tags.

Private names of scikit-learn used here: ``sklearn.base._fit_context`` (how
scikit-learn's own estimators validate their parameters), ``Interval`` and
``StrOptions`` of ``sklearn.utils._param_validation`` (the vocabulary of
``_parameter_constraints``), ``_check_sample_weight``, and the callback API of
scikit-learn >= 1.9 (``_init_callback_context``, its documented developer hook).
"""

import contextlib
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ._fitted_state import FittedState, fitted_attribute, step_features
from ._inputs import check_sequences
from ._params import FAMILY_DEFAULT, naming_unknown_parameters, reject_booleans
from ._representation import Representation, representation_field
from ._torch import (
    OPTIMIZERS,
    NetConfig,
    RecurrentModule,
    TrainConfig,
    forward,
    optimizer_class,
    optimizer_params,
    resolve_device,
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


# The parameters of every estimator, in signature order, with their defaults: the one
# declaration both families build their ``__init__`` from (``_params.storing_init``),
# each adding its own and choosing the defaults marked FAMILY_DEFAULT. Their constraints
# are ``BaseRecurrentEstimator._parameter_constraints``, their texts in _docstrings.py.
SHARED_PARAMETERS = {
    "hidden_size": 32,
    "num_layers": 1,
    "bidirectional": FAMILY_DEFAULT,
    "dropout": 0.0,
    "readout": "last",
    "patch_size": "auto",
    "linear_window": FAMILY_DEFAULT,
    "standardize": True,
    "column_order": "oldest_first",
    "optimizer": "adam",
    "lr": FAMILY_DEFAULT,
    "weight_decay": 0.0,
    "max_epochs": FAMILY_DEFAULT,
    "batch_size": "auto",
    "clip_grad_norm": None,
    "early_stopping": FAMILY_DEFAULT,
    "validation_fraction": 0.1,
    "n_iter_no_change": FAMILY_DEFAULT,
    "tol": 1e-4,
    "warm_start": False,
    "callbacks": None,
    "random_state": None,
    "device": "cpu",
    "verbose": 0,
}

# The cells' own parameter (the plain RNN's activation), after ``num_layers``.
NONLINEARITY = {"num_layers": {"nonlinearity": "tanh"}}


# The package's estimators by name, each registered by its class statement (see
# BaseRecurrentEstimator.__init_subclass__): what save_model and load_model know.
_ESTIMATORS = {}


def registered_estimators():
    """The package's estimator classes by name: every family's estimator of a cell."""
    return dict(_ESTIMATORS)


try:  # scikit-learn >= 1.9: callbacks set on the estimator or a meta-estimator
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # older scikit-learn: nothing to report to

    class CallbackSupportMixin:
        """Stand-in for scikit-learn's callback support where it does not exist."""

    def with_callbacks(method):
        return method


class BaseRecurrentEstimator(FittedState, CallbackSupportMixin, BaseEstimator):
    """Everything the recurrent estimators share; a family supplies its targets and loss.

    A family subclass defines ``__init__`` (its parameters), ``_criterion``,
    ``_encode_targets``, ``_decode_outputs``, ``_validation_score``,
    ``_output_size`` and ``_target_attributes``; an estimator names its cell in
    ``_cell``.
    """

    _cell = None
    # Whether ``y`` must be numeric (regression: the representation encodes it) or may
    # hold labels of any kind.
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
        "patch_size_": Integral,
        "linear_window_": Integral,
        # The network's architecture as fitted (hidden_size, num_layers, ...): what every
        # stored form rebuilds, whatever the parameters say since.
        "_network": dict,
    }
    _target_attributes = {}
    # What a stored state from an earlier release lacks, and what it meant then: fitted
    # attributes, and parameters (their values that behave as that release did).
    _fitted_defaults = {"patch_size_": 1, "_column_order": None}
    # (and ``linear_window_``: the parameter, an int in those releases)
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
            cls.__init__ = naming_unknown_parameters(cls.__init__)

    _parameter_constraints: dict = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "readout": [StrOptions({"last", "mean", "max"})],
        "patch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "linear_window": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "standardize": ["boolean"],
        "column_order": [StrOptions({"oldest_first", "newest_first"})],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
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
        """Every fitted attribute but the network (``net_``, ``history_``) and the
        representation's object (``representation_``, whose fields are among them):
        name -> type."""
        return {
            **cls._common_attributes,
            **Representation.fields(cls._y_numeric),
            **cls._target_attributes,
        }

    # The fitted attributes, read from the record a fit holds (see _fitted_state.py),
    # and the representation's fields, read from its object (see _representation.py).
    n_features_in_ = fitted_attribute("n_features_in_")
    feature_names_in_ = fitted_attribute("feature_names_in_")
    n_iter_ = fitted_attribute("n_iter_")
    loss_curve_ = fitted_attribute("loss_curve_")
    best_loss_ = fitted_attribute("best_loss_")
    validation_scores_ = fitted_attribute("validation_scores_")
    best_validation_score_ = fitted_attribute("best_validation_score_")
    patch_size_ = fitted_attribute("patch_size_")
    linear_window_ = fitted_attribute("linear_window_")
    _tabular = fitted_attribute("_tabular")
    _column_order = fitted_attribute("_column_order")
    _network = fitted_attribute("_network")
    input_mean_ = representation_field("input_mean")
    input_scale_ = representation_field("input_scale")

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
        return "_fitted" in vars(self)

    # -- fitting: validate, train, record -----------------------------------------------

    def _fit(self, X, y, sample_weight, *, incremental, **target_options):
        self._check_no_booleans()
        device = resolve_device(self.device)
        continues = self._continues(incremental)
        if continues:
            self._check_structure_unchanged()
        X_given, y_given = X, y
        X, lengths, y, info = self._check_sequences(
            X, y, form=self._input_form() if continues else None
        )
        sample_weight = self._check_sample_weight(sample_weight, X)
        y, target_state, sample_weight = self._encode_targets(
            y, sample_weight, continues=continues, **target_options
        )
        numeric = y if self._y_numeric else None
        if continues:  # as the fitted network reads its data
            representation = self.representation_
            rows = representation.rows(X, lengths)
            inputs = representation.encode_inputs(X, lengths, rows)
            if numeric is not None:
                y = representation.encode_targets(numeric, rows)
        else:
            linear_window = self._auto_linear_window(X, lengths)
            representation, inputs, encoded, rows = Representation.fit(
                X,
                lengths,
                numeric,
                sample_weight,
                n_step_features=1 if info["tabular"] else info["n_features"],
                standardize=self.standardize,
                linear_window=linear_window,
                **self._representation_options(),
            )
            y = y if encoded is None else encoded
        record = {
            "n_features_in_": info["n_features"],
            "feature_names_in_": info["feature_names_in"],
            "_tabular": info["tabular"],
            "_column_order": self.column_order if info["tabular"] else None,
            "patch_size_": self.patch_size_ if continues else self._auto_patch_size(X, lengths),
            "linear_window_": self.linear_window_ if continues else linear_window,
            "_network": dict(self._network) if continues else self._architecture(),
            **representation.state(),
            **target_state,
        }
        config = self._net_config(record, device)
        options = self._train_config(incremental, n_samples=len(X))
        with self._sklearn_callbacks(X_given, y_given, options) as bridge:
            net = train(
                config,
                options,
                inputs,
                lengths,
                y,
                sample_weight,
                previous=self.net_ if continues else None,
                bridge=bridge,
                score_offset=representation.score_offset(rows),
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

    def _auto_linear_window(self, X, lengths):
        """``linear_window``, "auto" resolved: every step of the longest training
        sequence (the whole window a model of windows is given)."""
        if self.linear_window != "auto":
            return int(self.linear_window)
        return int(X.shape[1] if lengths is None else lengths.max())

    def _representation_options(self):
        """How a family's representation reads the data beyond standardisation (see
        ``Representation.fit``); none by default."""
        return {}

    def _network_features(self, state):
        """The channels of a step that the network reads, and how many of them (the
        first) its linear path reads (None: all), for a fitted ``state``."""
        representation = Representation.from_state(state, step_features(state), self._y_numeric)
        return representation.network_features()

    def _network_arguments(self, state, output_size):
        """The network's constructor arguments, all from a fitted ``state`` (that of a fit
        under way or a stored one): its architecture as fitted (``_network``), and the
        sizes its data gives (``n_features_in_``, ``_tabular``, the representation,
        ``patch_size_``, ``linear_window_``) and ``output_size``. The parameters are not
        read: ``set_params`` after ``fit`` never changes what a stored copy rebuilds."""
        input_size, linear_features = self._network_features(state)
        return {
            "cell": self._cell,
            "input_size": input_size,
            "linear_features": linear_features,
            "output_size": output_size,
            "linear_window": state["linear_window_"],
            "patch_size": state["patch_size_"],
            **state["_network"],
        }

    def _architecture(self):
        """The network's architecture that the parameters ask for, as the fitted record
        keeps it (``_network``): what is not a size of the data."""
        return {
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "readout": self.readout,
            **self._module_params(),
        }

    def _net_config(self, state, device):
        """The network and optimizer that the parameters and a fitted ``state`` ask for.

        ``state`` holds the fitted attributes that size the network (see
        :meth:`_network_arguments`) and the family's target attributes
        (``_encode_targets``'s, or a stored state's): they size the output and may
        choose the loss.
        """
        optimizer = optimizer_class(self.optimizer)
        return NetConfig(
            module=RecurrentModule,
            module_params=self._network_arguments(state, self._output_size(state)),
            criterion=self._criterion(state),
            optimizer=optimizer,
            optimizer_params=optimizer_params(optimizer, self.lr, self.weight_decay),
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
        newest_first = (order or self.column_order) == "newest_first"
        return check_sequences(
            self, X, y, form=form, y_numeric=self._y_numeric, newest_first=newest_first
        )

    def _input_form(self):
        return {"tabular": self._tabular, "n_features": self.n_features_in_}

    def _forward(self, X):
        """The network's raw outputs for ``X``, validated against the fitted input form,
        and what the representation reads of its sequences to decode them."""
        # As fitted: a changed column_order takes effect at the next fit.
        X, lengths, _, _ = self._check_sequences(
            X, form=self._input_form(), order=self._column_order
        )
        representation = self.representation_
        rows = representation.rows(X, lengths)
        inputs = representation.encode_inputs(X, lengths, rows)
        return forward(self.net_, inputs, lengths), rows
