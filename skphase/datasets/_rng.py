"""The generators' random numbers: any scikit-learn ``random_state`` becomes a numpy Generator."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state


def _as_generator(random_state) -> np.random.Generator:
    """Turn a ``random_state`` declared with ``RANDOM_STATE`` into a numpy Generator.

    Integers seed a Generator directly; None and RandomState instances are
    turned into a Generator by drawing one seed from them, so ``None`` follows
    ``np.random.seed`` exactly like scikit-learn's ``check_random_state``.
    Generators are used internally because their normal sampler is several
    times faster than RandomState's, which matters for the 2**16-point
    benchmarks.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, Integral):
        return np.random.default_rng(int(random_state))
    legacy = check_random_state(random_state)
    return np.random.default_rng(int(legacy.randint(0, np.iinfo(np.int32).max)))
