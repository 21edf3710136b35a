"""One parameter vocabulary: scikit-learn's validation, with the strict constraints it lacks.

Estimators declare ``_parameter_constraints`` and decorate ``fit`` with scikit-learn's
``_fit_context``; public functions are decorated with :func:`validate_params`. Both
check with scikit-learn's own machinery, so a bad value raises its
``InvalidParameterError`` (a ``ValueError`` and a ``TypeError``) in the message format
scikit-learn users know::

    The 'J' parameter of filter_bank must be an int in the range [1, inf). Got True instead.

What scikit-learn lacks is added here as constraint objects, usable in both places:
:func:`Ints` and :func:`Floats` refuse booleans (``True`` is an ``Integral``: a count
given as a bool is always a mistake) and can require even values; :class:`OneOf` keeps
its options in order and never matches ``True`` for ``1``; :class:`Shape` and
:class:`TupleOf` describe tuples. ``skphase.base.SkphaseEstimatorMixin`` adds the check
of ``backend``/``device`` that needs more than a constraint. Checks that depend
on the data (a lag at most half the signal) stay with the code that knows the data.
"""

from __future__ import annotations

import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    Interval,
    Options,
    validate_parameter_constraints,
)
from sklearn.utils._param_validation import validate_params as _sklearn_validate_params

__all__ = [
    "BACKEND",
    "Floats",
    "Ints",
    "JOBS",
    "OneOf",
    "RANDOM_STATE",
    "Shape",
    "TupleOf",
    "as_image_shape",
    "check_param",
    "image_size",
    "validate_params",
]


def _is_bool(val) -> bool:
    return isinstance(val, (bool, np.bool_))


class _StrictInterval(Interval):
    """scikit-learn's Interval, refusing booleans, optionally only even values, with a custom text."""

    def __init__(self, type, left, right, *, closed="both", text=None, even=False):
        # scikit-learn refuses a closed side at infinity: close only the finite sides
        left_closed = left is not None and closed in ("left", "both")
        right_closed = right is not None and closed in ("right", "both")
        closed = {(True, True): "both", (True, False): "left", (False, True): "right",
                  (False, False): "neither"}[left_closed, right_closed]
        super().__init__(type, left, right, closed=closed)
        self.even = even
        self.text = text

    def is_satisfied_by(self, val):
        if _is_bool(val) or (self.even and isinstance(val, Integral) and val % 2):
            return False
        return super().is_satisfied_by(val)

    def __str__(self):
        if self.text is not None:
            return self.text
        unbounded = self.left is None and self.right is None
        text = ("an int" if self.type is Integral else "a float") if unbounded else super().__str__()
        return text.replace("an int", "an even int", 1) if self.even else text


def Ints(low: int | None = None, high: int | None = None, *, even: bool = False,
         text: str | None = None) -> Interval:
    """Integers (never booleans) in ``[low, high]``, even ones if asked; None leaves a side open.

    Examples
    --------
    >>> from skphase.utils._params import Ints
    >>> str(Ints(1)), Ints(1).is_satisfied_by(True), Ints(0, 3).is_satisfied_by(2)
    ('an int in the range [1, inf)', False, True)
    """
    return _StrictInterval(Integral, low, high, closed="both", text=text, even=even)


def Floats(low: float | None = None, high: float | None = None, *, closed: str = "both",
           text: str | None = None) -> Interval:
    """Finite real numbers (ints accepted, booleans, NaN and infinities refused) in an interval.

    ``closed`` is scikit-learn's: "both", "left", "right" or "neither".

    Examples
    --------
    >>> from skphase.utils._params import Floats
    >>> str(Floats(0, 1, closed="neither")), Floats(0).is_satisfied_by(float("inf"))
    ('a float in the range (0.0, 1.0)', False)
    """
    return _StrictInterval(Real, low, high, closed=closed, text=text)


class OneOf(Options):
    """A finite set of values, kept in the order given (for the message).

    Strings must be str; numbers must be of the same kind as the options and
    never booleans (``True == 1`` would otherwise pass for ``1``).

    Examples
    --------
    >>> from skphase.utils._params import OneOf
    >>> c = OneOf("morlet", "bump")
    >>> str(c), c.is_satisfied_by("bump"), OneOf(1, 2).is_satisfied_by(True)
    ("one of ('morlet', 'bump')", True, False)
    """

    def __init__(self, *values, text: str | None = None):
        kinds = {str if isinstance(v, str) else Integral if isinstance(v, Integral) else object
                 for v in values}
        kind = kinds.pop() if len(kinds) == 1 else object
        super().__init__(kind, set(values))
        self.values = tuple(values)
        self.text = text

    def is_satisfied_by(self, val):
        return isinstance(val, self.type) and not _is_bool(val) and val in self.options

    def __str__(self):
        return self.text if self.text is not None else f"one of {self.values!r}"


class _Described(Options):
    """Base of the constraints below that are no finite set: scikit-learn's ``make_constraint``
    passes through only instances of its own classes, so these derive from ``Options``
    and replace its test and its text."""

    def __init__(self):
        super().__init__(object, frozenset())


class Shape(_Described):
    """A tuple (or list) of ``ndims`` integers, each ``>= min_size`` (and even if asked).

    Examples
    --------
    >>> from skphase.utils._params import Shape
    >>> c = Shape((1, 2))
    >>> c.is_satisfied_by((32, 32)), c.is_satisfied_by((32, True)), c.is_satisfied_by(32)
    (True, False, False)
    """

    def __init__(self, ndims=(1, 2), min_size: int = 1, *, even: bool = False,
                 text: str | None = None):
        super().__init__()
        self.ndims = tuple(ndims)
        self.min_size = min_size
        self.even = even
        self.text = text

    def is_satisfied_by(self, val):
        return (isinstance(val, (tuple, list)) and len(val) in self.ndims
                and all(isinstance(s, Integral) and not _is_bool(s) and s >= self.min_size
                        and not (self.even and s % 2) for s in val))

    def __str__(self):
        if self.text is not None:
            return self.text
        forms = {1: "(N,)", 2: "(M, N)", 3: "(D, M, N)"}
        form = " or ".join(forms.get(n, f"a {n}-tuple") for n in self.ndims)
        plural = "even integers" if self.even else "integers"
        return f"a tuple {form} of {plural} >= {self.min_size}"


class TupleOf(_Described):
    """A tuple (or list) of ``length`` items of type ``kind`` (never booleans).

    Examples
    --------
    >>> from numbers import Real
    >>> from skphase.utils._params import TupleOf
    >>> c = TupleOf(Real, 2, text="a pair (width, height) of inches")
    >>> c.is_satisfied_by((6.4, 3)), c.is_satisfied_by((6.4,)), str(c)
    (True, False, 'a pair (width, height) of inches')
    """

    def __init__(self, kind: type, length: int, *, text: str | None = None):
        super().__init__()
        self.kind = kind
        self.length = length
        self.text = text

    def is_satisfied_by(self, val):
        return (isinstance(val, (tuple, list)) and len(val) == self.length
                and all(isinstance(v, self.kind) and not _is_bool(v) for v in val))

    def __str__(self):
        return self.text if self.text is not None else f"a tuple of {self.length} {self.kind.__name__}"


def image_size(min_size: int = 1) -> list:
    """Constraints of an image ``size``: an int (a square) or a pair ``(H, W)``, sides >= ``min_size``."""
    return [Ints(min_size), Shape((2,), min_size=min_size, text=f"a pair (H, W) of integers >= {min_size}")]


def as_image_shape(size) -> tuple[int, int]:
    """``(H, W)`` from a size declared with :func:`image_size` (an int gives a square).

    Examples
    --------
    >>> from skphase.utils._params import as_image_shape
    >>> as_image_shape(8), as_image_shape([4, 6])
    ((8, 8), (4, 6))
    """
    if isinstance(size, Integral):
        return int(size), int(size)
    return int(size[0]), int(size[1])


#: ``random_state``: None, a seed in [0, 2**32 - 1], a numpy RandomState or Generator.
class _RegisteredBackend(_Described):
    """A name in skphase's backend registry, read when checked (so a backend registered
    after import is accepted everywhere)."""

    def is_satisfied_by(self, val):
        from ..backends import backend_names  # the registry sits above this module
        return isinstance(val, str) and val in backend_names()

    def __str__(self):
        from ..backends import backend_names
        return f"one of {backend_names()!r} (skphase.backends.register_backend adds more)"


BACKEND = [_RegisteredBackend()]
RANDOM_STATE = [None, Ints(0, 2**32 - 1, text="an int seed in [0, 2**32 - 1]"), np.random.RandomState,
                np.random.Generator]
#: ``n_jobs``: None (one), a count, or negative as joblib counts (-1: all cores); never 0 or a bool.
JOBS = [None, Ints(1), Ints(None, -1)]


def check_param(name: str, value, constraints, caller: str = "skphase") -> None:
    """Raise scikit-learn's ``InvalidParameterError`` unless ``value`` satisfies one of ``constraints``.

    For the few checks made outside a decorated function or a fit (values known late).

    Examples
    --------
    >>> from skphase.utils._params import Ints, check_param
    >>> check_param("level", 2, [Ints(0)])
    >>> check_param("level", -1, [Ints(0)], caller="dyadic_grid")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'level' parameter of dyadic_grid must be an int in the range [0, inf). Got -1 instead.
    """
    validate_parameter_constraints({name: constraints}, {name: value}, caller_name=caller)


def validate_params(parameter_constraints: dict):
    """scikit-learn's ``validate_params`` decorator for skphase's public functions.

    Nested calls are not validated again (``prefer_skip_nested_validation=True``): a
    function validates the arguments it was given, not those it passes on.

    Examples
    --------
    >>> from skphase.utils._params import Ints, validate_params
    >>> @validate_params({"n": [Ints(1)], "flag": ["boolean"]})
    ... def f(n, *, flag=False):
    ...     return n
    >>> f(3)
    3
    >>> f(3, flag="yes")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'flag' parameter of f must be an instance of 'bool' or an instance of 'numpy.bool'. Got 'yes' instead.
    """
    check = _sklearn_validate_params(parameter_constraints, prefer_skip_nested_validation=True)

    def decorator(func):
        # every parameter declared, so that none can be added without saying what it accepts
        missing = set(inspect.signature(func).parameters) - set(parameter_constraints)
        if missing:
            raise ValueError(f"{func.__qualname__}: parameters without a declaration {sorted(missing)}.")
        wrapped = check(func)
        wrapped.__skphase_constraints__ = parameter_constraints
        return wrapped

    return decorator

