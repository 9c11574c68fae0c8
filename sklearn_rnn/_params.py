"""Parameter checks shared by the estimators, the transformer and the functions."""

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
