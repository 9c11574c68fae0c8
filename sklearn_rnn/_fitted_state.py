"""The fitted state of a recurrent estimator as one record: built at the end of ``fit``
in one step, held by the estimator whole (``_fitted``), read by ``predict``, pickle,
skops, ``save_model`` and ``to_onnx``, checked when a stored one is restored, and
compared with the parameters by a continued fit.

:class:`FittedRecord` is the record: the fitted attributes (the input form, the
network's architecture and sizes, the family's targets, the training's figures), the
representation and the trained net. The estimators' fitted attributes are read from it
(:func:`fitted_attribute`). :class:`FittedState`, a base of the estimators, builds,
checks and restores records for the estimator's family.
"""

import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import validate_parameter_constraints

from ._params import reject_booleans
from ._representation import Representation
from ._torch import RecurrentModule, net_state, resolve_device, restore_net

__all__ = [
    "STRUCTURE",
    "FittedRecord",
    "FittedState",
    "NotAFittedState",
    "fitted_attribute",
    "step_features",
]


class NotAFittedState(ValueError):
    """A stored fitted state (from pickle, skops or a model file) that is not one a fit
    of this estimator records: ``reason`` says why, so that a model file's loader can
    name the file."""

    def __init__(self, estimator, reason):
        super().__init__(f"Not a fitted state of {estimator}: {reason}.")
        self.reason = reason


# What a warm start or partial_fit must find unchanged: it continues the same network.
STRUCTURE = (
    "hidden_size",
    "num_layers",
    "bidirectional",
    "nonlinearity",
    "linear_window",
    "readout",
    "patch_size",
)


@dataclass(frozen=True, eq=False)
class FittedRecord:
    """What one fit recorded (see the module's docstring).

    Parameters
    ----------
    attributes : dict
        The fitted attributes by name (``FittedState._fitted_attributes()`` gives them
        and their types), but the representation's fields.
    representation : Representation
        How the network sees the data.
    net : skorch net
        The trained net: its weights, optimizer state and history.
    """

    attributes: dict
    representation: Representation
    net: object

    def state(self):
        """The record as plain data: the attributes, the representation's fields, and
        the net's weights, history and optimizer state (``net``). What pickle, skops and
        ``save_model`` store."""
        return {**self.attributes, **self.representation.state(), "net": net_state(self.net)}


def fitted_attribute(name, doc=None):
    """A fitted attribute of an estimator, read from its record: an ``AttributeError``
    before a fit (so ``hasattr`` says it is not there), and for ``feature_names_in_``
    where the input had no column names, as scikit-learn's estimators have it."""

    def get(self):
        record = vars(self).get("_fitted")
        if record is None or name not in record.attributes:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return record.attributes[name]

    return property(get, doc=doc or f"The fitted ``{name}``.")


class FittedState:
    """The fitted state as one record (see the module's docstring).

    The estimator supplies ``_fitted_attributes()``, ``_fitted_defaults``,
    ``_earlier_params``, ``_network_arguments``, ``_network_features``,
    ``_output_size`` (and ``_output_size_name``), ``_net_config`` and ``_check_params``;
    a family checks its own target attributes in ``_check_target_state`` and how it
    reads its data in ``_check_reading_unchanged``.
    """

    def _check_structure_unchanged(self):
        """A clear error unless the parameters describe the fitted network, as a warm
        start or ``partial_fit`` needs (and the family's reading of its data)."""
        structure = {k: v for k, v in self.get_params().items() if k in STRUCTURE}
        fitted = {k: self.net_.module_.arguments[k] for k in structure}
        structure["standardize"] = self.standardize
        fitted["standardize"] = self.input_mean_ is not None
        if self._column_order is not None:  # how 2-D lag columns are read
            structure["column_order"] = self.column_order
            fitted["column_order"] = self._column_order
        for key in ("patch_size", "linear_window"):  # resolved by the first fit, kept since
            if structure[key] == "auto":
                structure[key] = fitted[key]
        if structure != fitted:
            raise ValueError(
                "A warm start or partial_fit continues the fitted network, so its "
                f"structure must not change: fitted with {fitted}, now {structure}. Set "
                "warm_start=False to train a new network."
            )
        self._check_reading_unchanged()

    def _check_reading_unchanged(self):
        """A family's check that a continued fit reads its data as the first did."""

    # -- fitted state: one record, shared by fit, pickle, skops and save_model ---------

    def _set_fitted(self, record, net):
        """Replace the fitted state by a new :class:`FittedRecord` of ``record``
        (attribute -> value, the representation's fields among them) and ``net``.

        In one step, one assignment: an interrupt (Ctrl-C) leaves the old record or the
        new one, never a mix, and :meth:`_fitted_view` gives ``predict`` a consistent
        record while another thread refits the estimator.
        """
        fields = Representation.fields(self._y_numeric)
        representation = Representation.from_state(record, step_features(record), self._y_numeric)
        attributes = {
            k: v
            for k, v in record.items()
            if k not in fields and not (k == "feature_names_in_" and v is None)
        }
        self._fitted = FittedRecord(attributes, representation, net)

    def _fitted_names(self):
        """The names of everything a fit sets or a stored state may not hold outside its
        record."""
        return set(self._fitted_attributes()) | {
            "net_",
            "history_",
            "representation_",
            "_fitted",
        }

    def _fitted_view(self):
        """The estimator as fitted now, unaffected by a fit finishing meanwhile: a
        shallow copy, which holds the record of now."""
        view = object.__new__(type(self))
        view.__dict__ = dict(self.__dict__)
        return view

    def _fitted_state(self):
        """The fitted state as plain data (:meth:`FittedRecord.state`)."""
        return self._fitted.state()

    # What every fit records beside its attributes, read from the record.
    net_ = property(
        lambda self: _record(self).net, doc="The trained skorch net (weights, history)."
    )
    history_ = property(
        lambda self: _record(self).net.history, doc="The training history (skorch's)."
    )
    representation_ = property(
        lambda self: _record(self).representation, doc="How the network sees the data."
    )

    def _restore_fitted_state(self, state, device=None):
        """Rebuild the net from :meth:`_fitted_state`'s record and set the fitted state.

        Only the known attributes, of their types, are accepted; the weights must be
        arrays. Nothing in the state is ever unpickled or called.
        """
        if isinstance(state, dict):  # saved before these attributes existed
            state = {**self._fitted_defaults, **state}
            if "linear_window_" not in state:  # the parameter, an int then
                state["linear_window_"] = self.linear_window
            if "_network" not in state:  # the parameters, as fitted then
                state["_network"] = self._architecture()
            if self._y_numeric and "_tabular" in state and "n_features_in_" in state:
                state = Representation.defaults_for(state, step_features(state))
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
        self._check_representation(state, form_only=True)
        self._check_weights(state)
        self._check_representation(state)
        self._check_names(state)

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
        window = state["linear_window_"]
        if not isinstance(window, Integral) or isinstance(window, bool) or window < 0:
            raise NotAFittedState(name, f"its linear_window_ is {window!r}, not an int >= 0")
        self._check_architecture(state["_network"])
        for key, value in state.items():
            if key != "net" and not isinstance(value, types[key]):
                raise NotAFittedState(name, f"{key} is a {type(value).__name__}")
        order = state["_column_order"]
        if order not in (None, "oldest_first", "newest_first") or (
            order is not None and not state["_tabular"]
        ):
            raise NotAFittedState(name, f"its _column_order is {order!r}")

    def _check_architecture(self, network):
        """The fitted architecture: the parameters' names, each value one ``fit`` accepts."""
        name = type(self).__name__
        expected = set(self._architecture())
        if not isinstance(network, dict) or set(network) != expected:
            keys = sorted(network) if isinstance(network, dict) else type(network).__name__
            raise NotAFittedState(name, f"its _network holds {keys}, not {sorted(expected)}")
        constraints = {k: self._parameter_constraints[k] for k in expected}
        try:
            validate_parameter_constraints(constraints, network, caller_name=name)
            reject_booleans(name, network, constraints)
        except ValueError as exc:
            raise NotAFittedState(name, f"its _network is not one fit accepts: {exc}") from exc

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

    def _check_representation(self, state, form_only=False):
        """The representation's fields, checked against one another and the outputs
        (``form_only``: what sizes the network, before its weights are checked)."""
        representation = Representation.from_state(state, step_features(state), self._y_numeric)
        if form_only:
            reason = representation.check_form()
        else:
            reason = representation.check(state.get("n_outputs_"))
        if reason is not None:
            raise NotAFittedState(type(self).__name__, reason)

    def _check_names(self, state):
        """The input's feature names, one per feature."""
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
                "its fitted sizes do not describe its weights: "
                + ", ".join(
                    f"{label.get(k, k)}={wanted[k]!r} against {found[k]!r} in the tensors"
                    for k in wrong
                ),
            )
        try:
            RecurrentModule.check_shapes(shapes, **wanted)
        except ValueError as exc:
            raise NotAFittedState(name, f"its weights are not its network's: {exc}") from exc

    def _check_target_state(self, state):
        """The family's fitted target attributes, checked against one another."""

    def _device_for_loading(self):
        """The fitted device, or the CPU (with a warning) where that device is missing."""
        try:
            return resolve_device(self.device)
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
        state = {k: v for k, v in super().__getstate__().items() if k != "_fitted"}
        if "_fitted" in vars(self):
            state["_fitted_state"] = self._fitted_state()
        return state

    def __setstate__(self, state):
        state = {**self._earlier_params, **state}
        fitted = state.pop("_fitted_state", None)
        smuggled = sorted(set(state) & self._fitted_names())
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


def _record(estimator):
    """The estimator's record; an AttributeError before a fit."""
    try:
        return vars(estimator)["_fitted"]
    except KeyError:
        raise AttributeError(
            f"This {type(estimator).__name__} instance is not fitted yet."
        ) from None


def step_features(state):
    """The features of a step in the internal form, for a fitted record."""
    return 1 if state["_tabular"] else state["n_features_in_"]
