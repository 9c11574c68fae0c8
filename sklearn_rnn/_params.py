"""Parameter checks shared by the estimators, the transformer and the functions."""

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
