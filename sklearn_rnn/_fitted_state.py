"""The fitted state of a recurrent estimator as one record: set in one step, read by
``predict``, checked and restored by pickle, skops and ``save_model``, and compared with
the parameters by a continued fit.

:class:`FittedState` is a mixin of the estimators' base class: it knows the record's
schema (the estimator's ``_fitted_attributes``), the network's shape (through
``RecurrentModule``) and the net as plain data (``_training``), nothing of
scikit-learn's API.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import validate_parameter_constraints

from ._params import reject_booleans
from ._representation import Representation
from ._torch import RecurrentModule, net_state, resolve_device, restore_net

__all__ = ["STRUCTURE", "FittedState", "NotAFittedState", "step_features"]


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
        """Replace the fitted state by ``record`` (attribute -> value) and ``net``.

        In one step: the instance's attribute dict is replaced by a new one, never
        changed in place. An interrupt (Ctrl-C) then leaves the old state or the new
        one, never a mix, and :meth:`_fitted_view` gives ``predict`` a consistent
        state while another thread refits the estimator.
        """
        record = {k: v for k, v in record.items() if v is not None or k != "feature_names_in_"}
        fields = Representation.fields(self._y_numeric)
        representation = Representation.from_state(record, step_features(record), self._y_numeric)
        record = {k: v for k, v in record.items() if k not in fields}
        state = {k: v for k, v in vars(self).items() if k not in self._fitted_names()}
        state.update(record, representation_=representation, net_=net, history_=net.history)
        self.__dict__ = state

    def _fitted_names(self):
        """The names of everything a fit sets on the instance."""
        return set(self._fitted_attributes()) | {"net_", "history_", "representation_"}

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
        fitted = self._fitted_names()
        state = {k: v for k, v in super().__getstate__().items() if k not in fitted}
        if "net_" in vars(self):
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


def step_features(state):
    """The features of a step in the internal form, for a fitted record."""
    return 1 if state["_tabular"] else state["n_features_in_"]
