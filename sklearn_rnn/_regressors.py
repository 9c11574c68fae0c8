"""The regressor family (its loss, targets and score), and its three cells."""

import functools
from numbers import Integral, Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import d2_absolute_error_score, d2_pinball_score, r2_score
from sklearn.utils._param_validation import Interval, StrOptions  # private, see _base.py

from ._base import NONLINEARITY, SHARED_PARAMETERS, BaseRecurrentEstimator
from ._docstrings import (
    LEADING_PARAMETERS,
    RNN_REGRESSOR_NONLINEARITY_DOC,
    regressor_doc,
    regressor_example,
)
from ._fitted_state import NotAFittedState, fitted_attribute
from ._params import parameters, storing_init
from ._representation import representation_field
from ._torch import REGRESSION_LOSSES, PinballLoss

# The regressors' parameters: the shared ones, their defaults, and their own.
REGRESSOR_PARAMETERS = parameters(
    SHARED_PARAMETERS,
    defaults={
        "bidirectional": False,
        "linear_window": "auto",
        "lr": 0.001,
        "max_epochs": 100,
        "early_stopping": "auto",
        "n_iter_no_change": 20,
    },
    after={
        "linear_window": {"relative_to": "auto", "window_scale": None},
        "column_order": {"loss": "squared_error", "quantile": None},
    },
)


class BaseRecurrentRegressor(RegressorMixin, BaseRecurrentEstimator):
    """The regressor family: numeric targets, a regression loss, R² for validation."""

    _target_attributes = {"n_outputs_": Integral, "_y_ndim": Integral}
    # A stored state from before relative targets existed learned levels.
    _earlier_params = {"relative_to": None}

    n_outputs_ = fitted_attribute("n_outputs_")
    _y_ndim = fitted_attribute("_y_ndim")
    # The representation's target fields, read from the one object.
    target_mean_ = representation_field("target_mean")
    target_scale_ = representation_field("target_scale")
    relative_features_ = representation_field("relative_features")
    _window_scale = representation_field("window_scale")
    _linear_features = representation_field("linear_features")
    _scale_floor = representation_field("scale_floor")

    _init_linear = True

    _parameter_constraints: dict = {
        **BaseRecurrentEstimator._parameter_constraints,
        "relative_to": [StrOptions({"auto", "last"}), None],
        "window_scale": [StrOptions({"changes"}), None],
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        "quantile": [Interval(Real, 0, 1, closed="neither"), None],
    }

    __init__ = storing_init(REGRESSOR_PARAMETERS)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _criterion(self, target_state):
        if self.loss != "quantile":
            return REGRESSION_LOSSES[self.loss]
        if self.quantile is None:
            raise ValueError(
                "loss='quantile' needs the quantile to estimate: set quantile, for "
                "example quantile=0.95 for the upper end of a 90% interval."
            )
        return functools.partial(PinballLoss, quantile=self.quantile)

    def _start_quantile(self):
        """The quantile of ``y`` the loss estimates (the linear start is moved to it),
        or None for the mean."""
        return {"quantile": self.quantile, "absolute_error": 0.5}.get(self.loss)

    def _encode_targets(self, y, sample_weight, *, continues):
        """``y`` as a float64 (n_samples, n_outputs) array for the representation to
        encode (see ``_representation.py``), its fitted attributes, and the sample
        weights (unchanged)."""
        Y = np.asarray(y.reshape(len(y), -1), dtype=np.float64)
        if continues and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} output(s), but the fitted network predicts "
                f"{self.n_outputs_}; a warm start or partial_fit cannot change that."
            )
        if continues and y.ndim != self._y_ndim:
            shape = "1-D" if self._y_ndim == 1 else "2-D, (n_samples, n_outputs)"
            raise ValueError(
                f"y is {y.ndim}-D, but the estimator was fitted with a {shape} y, and "
                "predict returns that shape; a warm start or partial_fit cannot change it."
            )
        return Y, {"n_outputs_": Y.shape[1], "_y_ndim": y.ndim}, sample_weight

    def _representation_options(self):
        return {"relative_to": self.relative_to, "window_scale": self.window_scale}

    def _check_target_state(self, state):
        name, n_outputs, y_ndim = type(self).__name__, state["n_outputs_"], state["_y_ndim"]
        if n_outputs < 1 or y_ndim not in (1, 2) or (y_ndim == 1 and n_outputs != 1):
            raise NotAFittedState(
                name,
                f"a {y_ndim}-D y with n_outputs_={n_outputs} is not one a fit records "
                "(1-D: one output; 2-D: one or more)",
            )

    def _check_reading_unchanged(self):
        """A warm start keeps how the fitted network reads its data: how windows are
        scaled, and relative targets or levels where ``relative_to`` forces either."""
        if self.window_scale != self._window_scale:
            raise ValueError(
                "A warm start or partial_fit continues the fitted network, which was "
                f"fitted with window_scale={self._window_scale!r}; window_scale="
                f"{self.window_scale!r} asks otherwise. Set warm_start=False to train a "
                "new network."
            )
        features = self.relative_features_
        forced = {
            None: features is None,
            "last": features is not None and (features >= 0).all(),
        }.get(self.relative_to, True)
        if not forced:
            learned = ", ".join(self.representation_.describe(self.n_outputs_))
            raise ValueError(
                "A warm start or partial_fit continues the fitted network, which learned "
                f"its targets as: {learned}; relative_to={self.relative_to!r} asks "
                "otherwise. Set warm_start=False to train a new network, or "
                "relative_to='auto' to keep what was fitted."
            )

    def _decode_outputs(self, outputs, rows):
        y_pred = self.representation_.decode(outputs, rows)
        return y_pred.ravel() if self._y_ndim == 1 else y_pred

    def _validation_score(self, y_true, y_pred, sample_weight=None):
        """The score that fits the loss: R² for the squared error; for a quantile, its
        D² pinball score (R² would keep the epoch whose predictions are nearest the
        mean); for the absolute error and Huber's loss, which weigh large errors less
        than the squared error does, the D² absolute error score."""
        if self.loss == "quantile":
            return d2_pinball_score(
                y_true, y_pred, alpha=self.quantile, sample_weight=sample_weight
            )
        if self.loss in ("absolute_error", "huber"):
            return d2_absolute_error_score(y_true, y_pred, sample_weight=sample_weight)
        return r2_score(y_true, y_pred, sample_weight=sample_weight)

    # What _output_size reads, as error messages name it.
    _output_size_name = "n_outputs_"

    @staticmethod
    def _output_size(state):
        return state["n_outputs_"]


class LSTMRegressor(BaseRecurrentRegressor):
    __doc__ = regressor_doc(
        "Long short-term memory (LSTM) network regressor for sequences.",
        "The LSTM cell's gates and separate cell state let gradients flow across many\n"
        "    time steps, so it learns long-range dependencies where a plain RNN's\n"
        "    gradients vanish.",
        regressor_example("LSTMRegressor"),
    )
    _cell = "lstm"


class GRURegressor(BaseRecurrentRegressor):
    __doc__ = regressor_doc(
        "Gated recurrent unit (GRU) network regressor for sequences.",
        "The GRU cell gates its hidden state like an LSTM, with fewer parameters and\n"
        "    no separate cell state; it is often as accurate and somewhat faster.",
        regressor_example("GRURegressor"),
    )
    _cell = "gru"


class RNNRegressor(BaseRecurrentRegressor):
    __doc__ = regressor_doc(
        "Plain (Elman) recurrent neural network regressor for sequences.",
        "The simplest recurrent cell, h_t = act(W x_t + U h_(t-1) + b). Its gradients\n"
        "    vanish or explode over long sequences; prefer LSTMRegressor or GRURegressor\n"
        "    when dependencies span many steps.",
        regressor_example("RNNRegressor"),
        extra_parameters=LEADING_PARAMETERS + RNN_REGRESSOR_NONLINEARITY_DOC,
    )
    _cell = "rnn"

    _parameter_constraints: dict = {
        **BaseRecurrentRegressor._parameter_constraints,
        "nonlinearity": [StrOptions({"tanh", "relu"})],
    }

    __init__ = storing_init(parameters(REGRESSOR_PARAMETERS, after=NONLINEARITY))

    def _module_params(self):
        return {"nonlinearity": self.nonlinearity}
