"""One seed from an estimator's ``random_state`` (any form ``utils._params.RANDOM_STATE`` accepts)."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state


def draw_seed(random_state) -> int:
    """A seed in [0, 2**31 - 2] drawn from ``random_state``: None, an int, a ``RandomState`` or a
    ``Generator`` (scikit-learn's ``check_random_state`` refuses the last). An int gives the
    same seed every time; a RandomState or Generator advances."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    return int(check_random_state(random_state).randint(2**31 - 1))
