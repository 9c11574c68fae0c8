"""How the network sees the data: one fitted object that encodes sequences and targets
for the network and decodes its outputs.

A :class:`Representation` is fitted on the training data in the internal form (a padded
array and lengths, see ``_inputs.py``) and then holds, as plain data, everything that
maps the user's units to the network's and back:

- **the form of each output**: relative to the last observed value of one input feature
  (the value the target continues, in forecasting) or a level (a property of the whole
  sequence, in extrinsic regression). ``relative_to="auto"`` chooses per output from the
  data (see :func:`choose_relative`); "last" and None force either;
- **what the network reads of a step**: its levels; with a relative output, each step
  relative to the sequence's last observed step beside the levels; with
  ``window_scale="changes"`` (many series of different magnitudes), each step's change
  from the last step divided by the window's own scale (see :func:`window_scales`),
  alone;
- **standardisation** of the network's inputs and targets by their weighted statistics;
- **what the linear path reads**: every step of the window it is given; of each step,
  the relative channels where every output is a change (its start, and its shrinkage, is
  then the change from the last value), every channel where an output is a level.

The fitted record of an estimator stores these fields (:meth:`Representation.state`), and
the ONNX export (``_onnx.py``) lowers the same fields; a new representation is added
here and in that lowering, nowhere else.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ._linear_start import RIDGE_ALPHAS, complete_rows
from ._scaling import _observed, feature_statistics, standardize, target_statistics
from ._weights import canonicalize

__all__ = [
    "RELATIVE_FLOOR",
    "Representation",
    "choose_relative",
    "representation_field",
    "window_scales",
]

# The floor of a window's scale, as a fraction of the mean absolute level of its steps:
# a window is read as changing by at least 1% of its level a step. Without it, one
# almost flat window (a step of 0.01 in a series at 100) got a scale of 0.0014 and a
# scaled target near 700, which multiplied the other series' error by 2.8.
RELATIVE_FLOOR = 0.01

# The fitted record's names of the fields, with their types: those of every estimator
# (the inputs' statistics), and those of an estimator whose targets are numeric.
INPUT_FIELDS = {
    "input_mean_": (np.ndarray, type(None)),
    "input_scale_": (np.ndarray, type(None)),
}
TARGET_FIELDS = {
    "target_mean_": (np.ndarray, type(None)),
    "target_scale_": (np.ndarray, type(None)),
    # Per output, the feature whose last value it is learned relative to, or -1 for a
    # level; None where every output is a level.
    "relative_features_": (np.ndarray, type(None)),
    "_window_scale": (str, type(None)),
    # How many channels of a step (the first) the linear path reads; None: all of them.
    "_linear_features": (int, type(None)),
    # The floor of a window's scale, as a fraction of its level; None without one.
    "_scale_floor": (float, type(None)),
}
# What a stored state from an earlier release lacks, and what it meant then (the linear
# path of a relative model read the relative channels alone: see ``defaults_for``).
TARGET_DEFAULTS = {"relative_features_": None, "_window_scale": None}


def choose_relative(X, lengths, Y, sample_weight=None, relative_to="auto", window=None):
    """For each output, the input feature whose last value it is learned relative to, or
    -1 for a level; None where every output is a level.

    The candidate for output ``k`` is the feature whose last observed value forecasts
    ``Y[:, k]`` best (the smallest weighted mean absolute error over the samples): the
    series the output continues. With ``relative_to="last"`` every output takes its
    candidate. With "auto" it does unless a linear model of the level is clearly
    better on held-out samples than a linear model of the change from that last
    value: ``RidgeCV`` of ``Y[:, k]`` on the levels of the last ``window`` steps (what
    the linear path reads) against ``RidgeCV`` of ``Y[:, k] - last`` on each step's
    difference from the last step, by their leave-one-out errors; the output is a
    level where the change model's error is more than ``CHANGE_TOLERANCE`` times the
    level model's. A change model's coefficients on the levels sum to one: it cannot
    represent a level that the last value does not carry (a sum of steps, a
    difference of two, a target in other units), and there its error is thousands of
    times the level model's; where the target continues the series the two are close
    (see ``CHANGE_TOLERANCE``).
    """
    if relative_to is None:
        return None
    # Repeated samples merged into counts, in one canonical order: the choice is the same
    # for a sample given k times and for a weight of k, and whatever the order.
    X, lengths, Y, sample_weight = canonicalize(X, lengths, Y, sample_weight)
    last = last_observed(X, lengths)
    weight = np.ones(len(Y)) if sample_weight is None else np.asarray(sample_weight, float)
    weight = weight / weight.sum()
    # (n_features, n_outputs): the last-value forecast's error of each pair
    errors = np.einsum("n,nfk->fk", weight, np.abs(Y[:, None, :] - last[:, :, None]))
    features = np.argmin(errors, axis=0).astype(np.int64)
    if relative_to == "auto" and np.count_nonzero(weight) >= MIN_CHOICE_ROWS:
        level_error, change_error = _linear_errors(X, lengths, Y, last, features, weight, window)
        features = np.where(change_error <= CHANGE_TOLERANCE * level_error, features, -1)
    return None if (features < 0).all() else features


# How much larger the change model's leave-one-out error may be than the level model's for
# an output to stay relative. On the forecasting benchmark's 70 outputs (ten series, one
# and six steps ahead, 12 lags, all training rows) the ratio is 0.14 to 1.6, and up to
# about 4 on the complete windows of a short series (20 rows of M1's T153, where levels
# chosen at a tolerance of 2 forecast a trend at 1.3 times Ridge's error); on targets
# that no last value carries (the sequence-regression benchmark's sum, maximum, last
# minus first and sine frequency, Covid3Month's rate in hundredths from counts in
# thousands) it is 1e4 to 1e13. Close calls go to the change: the network, unlike a
# linear model, follows a trend beyond the training range only on changes. (The last
# tenth of the samples, the tail early stopping holds out, was tried as the held-out
# set too: too few samples on short series, ratios up to 12 on forecasting outputs.)
CHANGE_TOLERANCE = 10.0

# The fewest samples on which "auto" compares the two forms; on fewer, every output is
# learned relative to its last value.
MIN_CHOICE_ROWS = 10


def _linear_errors(X, lengths, Y, last, features, weight, window):
    """The leave-one-out mean squared error of each output under ``RidgeCV`` on the
    levels of the last ``window`` steps, and of its change from the last value of its
    feature on each step's difference from the last step: two arrays (n_outputs,)."""
    steps, observed = _recent_steps(X.astype(np.float64), lengths, window)
    changes = (steps - last[:, None, :]) * observed
    rows = complete_rows(lengths, steps.shape[1], weight, steps.shape[1] * steps.shape[2])
    if rows is None:  # the samples that weigh
        rows = np.flatnonzero(weight > 0)
    steps, changes, Y, last, weight = (a[rows] for a in (steps, changes, Y, last, weight))
    targets = {"level": Y, "change": Y - last[:, features]}
    errors = {}
    with threadpool_limits(limits=1, user_api="blas"):  # the same on any thread count
        for form, Z in (("level", steps), ("change", changes)):
            Z = StandardScaler().fit_transform(Z.reshape(len(Z), -1))
            ridge = RidgeCV(alphas=RIDGE_ALPHAS, alpha_per_target=True)
            ridge.fit(Z, targets[form], sample_weight=weight / weight.mean())
            errors[form] = -np.atleast_1d(ridge.best_score_)
    return errors["level"], errors["change"]


def _recent_steps(X, lengths, window):
    """The last ``window`` observed steps of each sequence (all of them where None),
    zeros before its start, and the mask of the observed ones: (n, window, F), (n,
    window, 1)."""
    n_samples, n_steps, _ = X.shape
    window = n_steps if window is None else window
    lengths = np.full(n_samples, n_steps) if lengths is None else lengths
    index = lengths[:, None] - window + np.arange(window)[None, :]
    observed = (index >= 0)[:, :, None]
    steps = np.take_along_axis(X, np.clip(index, 0, n_steps - 1)[:, :, None], axis=1)
    return steps * observed, observed


def last_observed(X, lengths):
    """The last observed step of each sequence of the internal form, (n_samples,
    n_features): the last value a forecast starts from."""
    if lengths is None:
        return X[:, -1, :]
    return X[np.arange(len(X)), lengths - 1]


def window_scales(X, lengths, floor=RELATIVE_FLOOR):
    """Each sequence's scale, (n_samples, n_features): the mean absolute change between
    its consecutive observed steps, feature by feature, floored at ``floor`` times the
    mean absolute value of its steps; where that is zero, the mean absolute value, and
    where that is zero too, 1. What a change from the last value is divided by when
    series of any magnitude train together. (``floor=0`` is the scale of models stored
    before the floor existed.)"""
    n_samples, n_steps, n_features = X.shape
    X = X.astype(np.float64)
    changes = np.abs(np.diff(X, axis=1))  # (n, T - 1, F)
    levels = np.abs(X)
    if lengths is None:
        mean_change = changes.sum(axis=1) / max(n_steps - 1, 1)
        mean_level = levels.mean(axis=1)
    else:
        observed = _observed(X, lengths)[:, :, None]
        counted = (lengths - 1)[:, None]
        mean_change = (changes * observed[:, 1:]).sum(axis=1) / np.maximum(counted, 1)
        mean_level = (levels * observed).sum(axis=1) / lengths[:, None]
    scale = np.maximum(mean_change, floor * mean_level)
    scale = np.where(scale > 0, scale, mean_level)
    return np.where(scale > 0, scale, 1.0).astype(np.float32)


@dataclass(frozen=True, eq=False)
class Representation:
    """How the network sees the data, fitted from the training data (see the module's
    docstring). Plain data: its fields are the fitted record's (:meth:`state`).

    Parameters
    ----------
    n_step_features : int
        Features of a step in the internal form (1 for 2-D lag columns).
    input_mean, input_scale : ndarray of shape (n_channels,) or None
        Standardisation of what the network reads (None: not standardised).
    target_mean, target_scale : ndarray of shape (n_outputs,) or None
        Standardisation of the encoded targets (None: not standardised, or no numeric
        targets).
    relative_features : ndarray of shape (n_outputs,) or None
        Per output, the feature whose last observed value it is learned relative to,
        or -1 for a level; None where every output is a level.
    window_scale : {"changes"} or None
        Relative steps and targets divided by each window's scale.
    linear_features : int or None
        How many channels of a step, the first ones, the linear path reads (None: all).
    scale_floor : float or None
        With ``window_scale``, the floor of a window's scale as a fraction of its mean
        absolute level (0 for models stored before the floor existed); else None.
    targets : bool
        Whether the targets are numeric and encoded here (regression).
    """

    n_step_features: int
    input_mean: np.ndarray | None = None
    input_scale: np.ndarray | None = None
    target_mean: np.ndarray | None = None
    target_scale: np.ndarray | None = None
    relative_features: np.ndarray | None = None
    window_scale: str | None = None
    linear_features: int | None = None
    scale_floor: float | None = None
    targets: bool = False

    # -- fitting ------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        X,
        lengths,
        Y=None,
        sample_weight=None,
        *,
        n_step_features,
        relative_to=None,
        window_scale=None,
        standardize=True,
        linear_window=None,
    ):
        """The representation of training data ``X, lengths`` (internal form) and ``Y``
        (float64, (n_samples, n_outputs), or None where targets are not numeric), and
        the network's inputs and targets under it: ``(representation, inputs,
        targets, rows)`` (``rows``: :meth:`rows`, what decoding reads of each
        sequence)."""
        if window_scale is not None and relative_to is None:
            raise ValueError(
                f"window_scale={window_scale!r} scales each window's changes from its last "
                "value: it needs relative_to='last' (or 'auto')."
            )
        relative = None
        if Y is not None and relative_to is not None:
            # Scaled windows are changes alone: every output is learned relative.
            rule = "last" if window_scale is not None else relative_to
            window = linear_window or None  # the linear path's steps (0: none, all)
            relative = choose_relative(X, lengths, Y, sample_weight, rule, window)
        layout = cls(
            n_step_features=n_step_features,
            relative_features=relative,
            window_scale=window_scale if relative is not None else None,
            # Where every output is a change, the linear path reads the relative steps, so
            # that its start (and its shrinkage) is the change from the last value; where
            # an output is a level, it reads the levels too.
            linear_features=(
                n_step_features
                if relative is not None and window_scale is None and (relative >= 0).all()
                else None
            ),
            scale_floor=RELATIVE_FLOOR if relative is not None and window_scale else None,
            targets=Y is not None,
        )
        rows = layout.rows(X, lengths)
        inputs = layout._network_inputs(X, lengths, rows)
        targets = None if Y is None else layout._relative_targets(Y, rows)
        statistics = {}
        if standardize:
            mean, scale = feature_statistics(inputs, lengths, sample_weight)
            statistics.update(input_mean=mean, input_scale=scale)
            inputs = _standardized(inputs, X, lengths, mean, scale)
            if targets is not None:
                mean, scale = target_statistics(targets, sample_weight)
                statistics.update(target_mean=mean, target_scale=scale)
                targets = (targets - mean) / scale
        fitted = cls(**{**vars(layout), **statistics})
        if targets is not None:
            targets = targets.astype(np.float32)
        return fitted, inputs, targets, rows

    # -- encoding and decoding ----------------------------------------------------------

    @property
    def relative(self):
        """Whether any output is learned relative to a last value."""
        return self.relative_features is not None

    def rows(self, X, lengths):
        """What encoding and decoding read of each sequence besides its steps: its last
        observed step (``"last"``) where an output is relative, and its scale
        (``"scale"``) with ``window_scale``."""
        if not self.relative:
            return {}
        rows = {"last": last_observed(X, lengths)}
        if self.window_scale is not None:
            rows["scale"] = window_scales(X, lengths, self.scale_floor)
        return rows

    def encode_inputs(self, X, lengths, rows):
        """What the network reads of ``X`` (internal form), float32, padding at zero."""
        inputs = self._network_inputs(X, lengths, rows)
        if self.input_mean is None:
            return inputs
        return _standardized(inputs, X, lengths, self.input_mean, self.input_scale)

    def encode_targets(self, Y, rows):
        """``Y`` (n_samples, n_outputs) as the network learns it, float32."""
        Y = self._relative_targets(np.asarray(Y, dtype=np.float64), rows)
        if self.target_mean is not None:
            Y = (Y - self.target_mean) / self.target_scale
        return Y.astype(np.float32)

    def decode(self, outputs, rows):
        """The network's ``outputs`` in the targets' units, float64 (n_samples,
        n_outputs)."""
        y = outputs.astype(np.float64)  # a new array: scaled back in place
        if self.target_mean is not None:
            y *= self.target_scale
            y += self.target_mean
        if self.relative:
            features, relative = self.relative_columns()
            if self.window_scale is not None:
                y *= rows["scale"][:, features]
            y += rows["last"][:, features] * relative
        return y

    def score_offset(self, rows):
        """What moves the network's targets to an affine map of ``y``, per sample (the
        last values of relative outputs, in standardised units), so that early stopping
        scores ``y``; None where they are one already. Targets scaled by their windows
        are scored as the network learns them, so that every window weighs alike."""
        if not self.relative or self.window_scale is not None:
            return None
        features, relative = self.relative_columns()
        offset = rows["last"][:, features].astype(np.float64) * relative
        if self.target_scale is not None:
            offset = offset / self.target_scale
        return offset.astype(np.float32)

    def network_features(self):
        """The channels of a step the network reads, and how many of them (the first)
        its linear path reads (None: all)."""
        if not self.relative or self.window_scale is not None:
            return self.n_step_features, None
        return 2 * self.n_step_features, self.linear_features

    def relative_columns(self):
        """Each output's feature (0 for a level) and whether it is relative (0 or 1)."""
        relative = self.relative_features >= 0
        return np.where(relative, self.relative_features, 0), relative.astype(np.float64)

    def _relative_targets(self, Y, rows):
        if not self.relative:
            return Y
        features, relative = self.relative_columns()
        Y = Y - rows["last"][:, features] * relative
        if self.window_scale is not None:
            Y = Y / rows["scale"][:, features]
        return Y

    def _network_inputs(self, X, lengths, rows):
        """Each step relative to the last observed step beside the levels, or, scaled by
        the window, the relative steps alone; the levels alone where no output is
        relative. Float32, padding at zero."""
        if not self.relative:
            return X
        scale = rows.get("scale")
        relative = X - rows["last"][:, None, :]
        if scale is not None:
            relative /= scale[:, None, :]
        if lengths is not None:
            relative[~_observed(X, lengths)] = 0.0
        if scale is not None:
            return relative.astype(np.float32, copy=False)
        return np.concatenate([relative, X], axis=2).astype(np.float32, copy=False)

    # -- the fitted record --------------------------------------------------------------

    def state(self):
        """The fields as the fitted record names them."""
        state = {"input_mean_": self.input_mean, "input_scale_": self.input_scale}
        if self.targets:
            state.update(
                target_mean_=self.target_mean,
                target_scale_=self.target_scale,
                relative_features_=self.relative_features,
                _window_scale=self.window_scale,
                _linear_features=self.linear_features,
                _scale_floor=self.scale_floor,
            )
        return state

    @classmethod
    def from_state(cls, state, n_step_features, targets):
        """The representation a fitted record (``state``) holds."""
        return cls(
            n_step_features=n_step_features,
            input_mean=state["input_mean_"],
            input_scale=state["input_scale_"],
            target_mean=state.get("target_mean_"),
            target_scale=state.get("target_scale_"),
            relative_features=state.get("relative_features_"),
            window_scale=state.get("_window_scale"),
            linear_features=state.get("_linear_features"),
            scale_floor=state.get("_scale_floor"),
            targets=targets,
        )

    @staticmethod
    def fields(targets):
        """The fitted record's fields and their types."""
        return {**INPUT_FIELDS, **(TARGET_FIELDS if targets else {})}

    @staticmethod
    def defaults_for(state, n_step_features):
        """What a stored state from an earlier release meant by the fields it lacks: a
        relative model's linear path read the relative channels alone then."""
        state = {**TARGET_DEFAULTS, **state}
        if "_linear_features" not in state:
            old_layout = state["relative_features_"] is not None and not state["_window_scale"]
            state["_linear_features"] = n_step_features if old_layout else None
        if "_scale_floor" not in state:  # windows were scaled without a floor then
            state["_scale_floor"] = 0.0 if state["_window_scale"] else None
        return state

    def check_form(self):
        """The reason this representation's form (not its statistics) is not one a fit
        records, or None: what the network's size is read from."""
        if not self.targets:
            return None
        features = self.relative_features
        if self.window_scale not in (None, "changes") or (
            self.window_scale is not None
            and (features is None or not isinstance(features, np.ndarray) or (features < 0).any())
        ):
            return f"its _window_scale is {self.window_scale!r}"
        floor = self.scale_floor
        if (self.window_scale is None) != (floor is None) or (
            floor is not None and not 0 <= floor < 1
        ):
            return f"its _scale_floor is {floor!r}"
        return None

    def check(self, n_outputs):
        """The reason this representation is not one a fit records, or None."""
        reason = self.check_form()
        if reason is not None:
            return reason
        n_channels, linear = self.network_features()
        for name, values, size in [
            ("input_mean_", self.input_mean, n_channels),
            ("input_scale_", self.input_scale, n_channels),
            ("target_mean_", self.target_mean, n_outputs),
            ("target_scale_", self.target_scale, n_outputs),
        ]:
            if values is None:
                continue
            if values.dtype.kind != "f" or values.shape != (size,):
                return f"{name} is {values.dtype} of shape {values.shape}, not {size} float(s)"
            if not np.isfinite(values).all():
                return f"{name} is not finite"
            if name.endswith("scale_") and (values <= 0).any():
                return f"{name} is not positive"
        if not self.targets:
            return None
        features = self.relative_features
        linear = self.linear_features
        if linear is not None and not (
            self.relative and self.window_scale is None and 0 < linear <= n_channels
        ):
            return f"its _linear_features is {linear!r}"
        if features is None:
            return None
        if (
            features.dtype.kind not in "iu"
            or features.shape != (n_outputs,)
            or not ((features >= -1) & (features < self.n_step_features)).all()
            or (features < 0).all()
        ):
            return (
                f"relative_features_ is {features!r}, not {n_outputs} feature "
                f"index(es) below {self.n_step_features} (or -1 for a level)"
            )
        return None

    def describe(self, n_outputs):
        """In words, how each of ``n_outputs`` outputs is learned."""
        if not self.targets:
            return []
        if not self.relative:
            return ["level"] * n_outputs
        scaled = " over the window's scale" if self.window_scale is not None else ""
        return [
            "level" if f < 0 else f"change from the last value of feature {f}{scaled}"
            for f in self.relative_features
        ]


def representation_field(field):
    """A fitted attribute of an estimator read from its ``representation_``."""
    return property(
        lambda self: getattr(self.representation_, field),
        doc=f"The fitted representation's ``{field}`` (see ``representation_``).",
    )


def _standardized(inputs, X, lengths, mean, scale):
    """``inputs`` standardised, in place where they are a new array (not ``X``)."""
    return standardize(inputs, lengths, mean, scale, in_place=inputs is not X)
