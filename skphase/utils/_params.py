"""Parameter declarations for public functions: one vocabulary, one message format.

Public functions declare their parameters once, with scikit-learn's constraint
objects (``Interval``, ``StrOptions``, ``Options``, ``"boolean"``, ``None``,
``callable``, a type ...) plus the few strict ones below, and are decorated with
:func:`validate_params`::

    @validate_params({"J": [Ints(1)], "wavelet": [OneOf("morlet", "bump")]})
    def filter_bank(shape, J, *, wavelet="morlet"): ...

A bad value then raises scikit-learn's ``InvalidParameterError`` (a subclass of
both ``ValueError`` and ``TypeError``) with a message that names the parameter,
what it accepts and what it received::

    J must be an integer >= 1, got 2.0 of type float.

The checks are scikit-learn's (``constraint.is_satisfied_by``); only the message
is ours, shorter than scikit-learn's "The 'J' parameter of filter_bank must be
..." and pointing at the offending element of a tuple (``shape[1] must be ...``).
Checks that depend on the data (a lag at most half the signal) stay with the
function that knows the data.
"""

from __future__ import annotations

import functools
import inspect
import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    _Booleans,
    _Callables,
    _Constraint,
    _InstancesOf,
    _NoneConstraint,
    make_constraint,
)

__all__ = [
    "Floats",
    "Ints",
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


def reject_bool_counts(est, names=None) -> None:
    """Refuse a bool where an estimator expects a count (TypeError naming the parameter).

    scikit-learn's ``Interval(Integral, ...)`` accepts ``True``/``False`` (bool is an
    Integral); a count given as a bool is a mistake. ``names`` None checks every parameter
    whose constraints include an ``Interval``.
    """
    if names is None:
        names = [name for name, rule in est._parameter_constraints.items()
                 if any(isinstance(r, Interval) for r in rule)]
    for name in names:
        value = getattr(est, name)
        if isinstance(value, bool):
            rules = [r for r in est._parameter_constraints.get(name, ()) if isinstance(r, Interval)]
            kind = "an int" if rules and all(r.type is Integral for r in rules) else "a number"
            raise TypeError(f"{name} must be {kind}, got {value!r}.")


class _StrictInterval(Interval):
    """scikit-learn's Interval, refusing booleans (and, for reals, NaN and infinities).

    ``Interval(Integral, 1, None)`` accepts ``True`` (bool is an Integral), and
    ``Interval(Real, 0, None)`` accepts ``inf``: both are always mistakes here.
    """

    def __init__(self, type, left, right, *, closed="both", text=None, even=False):
        self.even = even
        # scikit-learn refuses a closed side at infinity: close only the finite sides
        left_closed = left is not None and closed in ("left", "both")
        right_closed = right is not None and closed in ("right", "both")
        closed = {(True, True): "both", (True, False): "left", (False, True): "right",
                  (False, False): "neither"}[left_closed, right_closed]
        super().__init__(type, left, right, closed=closed)
        self.text = text

    def type_ok(self, val) -> bool:
        return isinstance(val, self.type) and not _is_bool(val)

    def is_satisfied_by(self, val):
        if not self.type_ok(val):
            return False
        if self.type is not Integral and not math.isfinite(val):
            return False
        if self.even and val % 2:
            return False
        return val in self

    def __str__(self):
        if self.text is not None:
            return self.text
        if self.type is Integral:
            noun = "an even integer" if self.even else "an integer"
        else:
            noun = "a finite float"
        low, high = self.left, self.right
        if low is None and high is None:
            return noun
        if high is None:
            return f"{noun} {'>=' if self.closed in ('left', 'both') else '>'} {low:g}"
        if low is None:
            return f"{noun} {'<=' if self.closed in ('right', 'both') else '<'} {high:g}"
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        return f"{noun} in {left}{low:g}, {high:g}{right}"


def Ints(low: int | None = None, high: int | None = None, *, even: bool = False,
         text: str | None = None) -> Interval:
    """Integers (never booleans) in ``[low, high]``, even ones if asked; None leaves a side open.

    Examples
    --------
    >>> from skphase.utils._params import Ints
    >>> str(Ints(1)), Ints(1).is_satisfied_by(True), Ints(0, 3).is_satisfied_by(2)
    ('an integer >= 1', False, True)
    """
    return _StrictInterval(Integral, low, high, closed="both", text=text, even=even)


def Floats(low: float | None = None, high: float | None = None, *, closed: str = "both",
           text: str | None = None) -> Interval:
    """Finite real numbers (ints accepted, booleans refused) in an interval.

    ``closed`` is scikit-learn's: "both", "left", "right" or "neither".

    Examples
    --------
    >>> from skphase.utils._params import Floats
    >>> str(Floats(0, 1, closed="neither")), Floats(0).is_satisfied_by(float("inf"))
    ('a finite float in (0, 1)', False)
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

    def type_ok(self, val) -> bool:
        return isinstance(val, self.type) and not _is_bool(val)

    def is_satisfied_by(self, val):
        return self.type_ok(val) and val in self.options

    def __str__(self):
        return self.text if self.text is not None else f"one of {self.values!r}"


class Shape(_Constraint):
    """A tuple (or list) of ``ndims`` integers, each ``>= min_size`` (and even if asked).

    Its message points at the offending element: ``shape[1] must be an
    integer >= 1, got 0``.

    Examples
    --------
    >>> from skphase.utils._params import Shape
    >>> c = Shape((1, 2))
    >>> c.is_satisfied_by((32, 32)), c.is_satisfied_by((32, True)), c.is_satisfied_by(32)
    (True, False, False)
    >>> c.explain("shape", (32, 0))
    'shape[1] must be an integer >= 1, got 0.'
    """

    def __init__(self, ndims=(1, 2), min_size: int = 1, *, even: bool = False,
                 text: str | None = None):
        super().__init__()
        self.ndims = tuple(ndims)
        self.min_size = min_size
        self.even = even
        self.text = text

    def _element_ok(self, s) -> bool:
        return (isinstance(s, Integral) and not _is_bool(s) and s >= self.min_size
                and not (self.even and s % 2))

    def type_ok(self, val) -> bool:
        return isinstance(val, (tuple, list))

    def is_satisfied_by(self, val):
        return (self.type_ok(val) and len(val) in self.ndims
                and all(self._element_ok(s) for s in val))

    def _element_text(self) -> str:
        return f"{'an even' if self.even else 'an'} integer >= {self.min_size}"

    def __str__(self):
        if self.text is not None:
            return self.text
        forms = {1: "(N,)", 2: "(M, N)", 3: "(D, M, N)"}
        form = " or ".join(forms.get(n, f"a {n}-tuple") for n in self.ndims)
        plural = "even integers" if self.even else "integers"
        return f"a tuple {form} of {plural} >= {self.min_size}"

    def explain(self, name: str, val) -> str | None:
        """A precise message for a tuple/list value, or None for other types."""
        if not self.type_ok(val):
            return None
        if len(val) not in self.ndims:
            what = {1: "1 (signals)", 2: "2 (images)"}
            dims = " or ".join(what.get(n, str(n)) for n in self.ndims)
            return f"{name} must have {dims} dimensions, got {tuple(val)!r} with {len(val)}."
        for i, s in enumerate(val):
            if not self._element_ok(s):
                return f"{name}[{i}] must be {self._element_text()}, got {_show(s)}."
        return None


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


class TupleOf(_Constraint):
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

    def type_ok(self, val) -> bool:
        return isinstance(val, (tuple, list))

    def is_satisfied_by(self, val):
        return (self.type_ok(val) and len(val) == self.length
                and all(isinstance(v, self.kind) and not _is_bool(v) for v in val))

    def __str__(self):
        return self.text if self.text is not None else f"a tuple of {self.length} {self.kind.__name__}"


#: ``random_state``: None, a seed >= 0, a numpy Generator or a RandomState.
RANDOM_STATE = [None, Ints(0, text="an integer seed >= 0"), np.random.RandomState,
                np.random.Generator]


# ------------------------------------------------------------------ messages
def _show(val) -> str:
    """repr of a value, never a whole array."""
    if isinstance(val, np.ndarray) and val.size > 8:
        return f"an array of shape {val.shape} and dtype {val.dtype}"
    text = repr(val)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(constraint) -> str:
    if isinstance(constraint, _Booleans):
        return "a bool"
    if isinstance(constraint, _Callables):
        return "a callable"
    if isinstance(constraint, _InstancesOf):
        kind = constraint.type
        # numpy's random classes live in private modules; name them as users write them
        prefix = "numpy.random." if kind.__module__.startswith("numpy.random") else ""
        return f"a {prefix}{kind.__qualname__}"
    return str(constraint)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _message(name: str, val, constraints) -> str:
    for c in constraints:
        explain = getattr(c, "explain", None)
        if explain is not None:
            text = explain(name, val)
            if text is not None:
                return text
    shown = [c for c in constraints if not getattr(c, "hidden", False)]
    nullable = any(isinstance(c, _NoneConstraint) for c in shown)
    parts = [_describe(c) for c in shown if not isinstance(c, _NoneConstraint)]
    if not parts:
        return f"{name} must be None, got {_show(val)}."
    type_known = any(getattr(c, "type_ok", lambda v: False)(val) for c in shown)
    big_array = isinstance(val, np.ndarray) and val.size > 8  # _show already says what it is
    type_note = "" if type_known or big_array else f" of type {type(val).__name__}"
    none_note = "; None is also accepted" if nullable else ""
    return f"{name} must be {_join(parts)}, got {_show(val)}{type_note}{none_note}."


def _compile(constraints):
    # scikit-learn's make_constraint does not know the constraint classes defined here
    return [c if isinstance(c, _Constraint) else make_constraint(c) for c in constraints]


def check_param(name: str, value, constraints) -> None:
    """Raise ``InvalidParameterError`` unless ``value`` satisfies one of ``constraints``.

    For the few checks made outside a decorated function (methods, values that
    become known late).

    Examples
    --------
    >>> from skphase.utils._params import Ints, check_param
    >>> check_param("level", 2, [Ints(0)])
    >>> check_param("level", -1, [Ints(0)])
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: level must be an integer >= 0, got -1.
    """
    compiled = _compile(constraints)
    if not any(c.is_satisfied_by(value) for c in compiled):
        raise InvalidParameterError(_message(name, value, compiled))


def validate_params(parameter_constraints: dict):
    """Decorator: check the arguments of a public function against its declarations.

    Every parameter of the function must be declared (``"no_validation"`` for
    one that the function checks itself, e.g. a data array), so that a new
    parameter cannot be added without saying what it accepts.

    Parameters
    ----------
    parameter_constraints : dict
        Parameter name -> list of constraints, any of which may be satisfied:
        scikit-learn's (``Interval``, ``StrOptions``, ``Options``, ``"boolean"``,
        ``None``, ``callable``, ``"array-like"``, a type, ``Hidden(...)``) or
        :func:`Ints`, :func:`Floats`, :class:`OneOf`, :class:`Shape`.

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
    sklearn.utils._param_validation.InvalidParameterError: flag must be a bool, got 'yes' of type str.
    """
    compiled = {name: (None if constraints == "no_validation" else _compile(constraints))
                for name, constraints in parameter_constraints.items()}

    def decorator(func):
        signature = inspect.signature(func)
        missing = set(signature.parameters) - set(compiled)
        extra = set(compiled) - set(signature.parameters)
        if missing or extra:
            raise ValueError(f"{func.__qualname__}: parameters without a declaration {sorted(missing)}, "
                             f"declarations without a parameter {sorted(extra)}.")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:  # wrong call: Python's own message, from the right name
                raise TypeError(f"{func.__name__}(): {exc}") from None
            bound.apply_defaults()
            for name, value in bound.arguments.items():
                constraints = compiled[name]
                if constraints is not None and not any(c.is_satisfied_by(value) for c in constraints):
                    raise InvalidParameterError(_message(name, value, constraints))
            return func(*args, **kwargs)

        wrapper.__skphase_constraints__ = compiled
        return wrapper

    return decorator
