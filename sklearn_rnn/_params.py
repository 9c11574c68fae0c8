"""The estimators' parameters declared once, and the checks shared by the estimators,
the transformer and the functions."""

import difflib
import functools
import inspect
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError  # private, see _base.py


def reject_booleans(owner, values, constraints):
    """Refuse a boolean where a constraint asks for an int.

    Python counts ``True`` as the integer 1, so scikit-learn's ``Interval(Integral, ...)``
    accepts it; a size or a count given as a boolean is a mistake, refused with the
    parameter's name. ``values`` maps names to values; ``constraints`` is a
    ``_parameter_constraints``-style dict; ``owner`` names the class or function.
    """
    for name, options in constraints.items():
        value = values.get(name)
        integral = any(getattr(option, "type", None) is Integral for option in options)
        if integral and isinstance(value, (bool, np.bool_)):
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be an int, not a boolean. "
                f"Got {value!r} instead."
            )


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


def naming_unknown_parameters(init):
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


# A shared parameter whose default each family chooses.
FAMILY_DEFAULT = object()


def parameters(shared, *, defaults=None, after=None):
    """A family's parameters, name -> default, in signature order: the ``shared`` ones
    with the family's ``defaults`` (every ``FAMILY_DEFAULT`` must get one), and its own
    inserted ``after`` a shared one (``{"column_order": {"loss": "squared_error"}}``)."""
    out = {}
    for name, default in shared.items():
        out[name] = (defaults or {}).get(name, default)
        if out[name] is FAMILY_DEFAULT:
            raise TypeError(f"The family gives no default for {name!r}.")
        out.update((after or {}).get(name, {}))
    return out


def storing_init(params):
    """An ``__init__`` that stores each of ``params`` (name -> default) untouched, as
    scikit-learn's conventions ask: the first positional, the rest keyword-only.

    Written as source and compiled, as the standard library's dataclasses write theirs,
    so that its signature is explicit (``get_params`` and ``clone`` read it) and each
    family declares its parameters once, as data.
    """
    names = list(params)
    signature = ", ".join(
        [f"{names[0]}=_defaults[{names[0]!r}]", "*"]
        + [f"{name}=_defaults[{name!r}]" for name in names[1:]]
    )
    body = "\n".join(f"    self.{name} = {name}" for name in names)
    namespace = {"_defaults": dict(params)}
    exec(f"def __init__(self, {signature}):\n{body}\n", namespace)  # noqa: S102
    return namespace["__init__"]
