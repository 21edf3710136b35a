"""Operators built from parameters: what a family needs when it wants a transform, not an estimator.

The estimators build their operators from fitted state; code that only needs the
transform of images of a known shape (the generator's embedding, the distributed
classifier's front end) calls these instead of fitting an estimator on dummy data.
"""

from __future__ import annotations

import warnings

from ..filters import filter_bank, padding_geometry
from ._phase_harmonic import PhaseHarmonicOperator
from ._scattering import ScatteringOperator, make_plan, plan_memory


def scattering_operator(input_shape, J: int, backend, *, L: int = 8, Q: int = 1,
                        wavelet: str = "morlet", max_order: int = 2, nonlinearity: str = "modulus",
                        n_phases: int = 1, padding: str = "reflect",
                        memory_budget: int | None = None) -> ScatteringOperator:
    """The scattering operator S_J for signals or images of ``input_shape``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(N,)`` or ``(H, W)``: the spatial shape of one sample.
    J : int
        Octaves (the average is over 2**J samples).
    backend : Backend
        From :func:`skphase.backends.get_backend`.
    L, Q, wavelet, max_order, nonlinearity, n_phases, padding
        As in :class:`skphase.ScatteringAverager` (``padding`` is the mode of
        :func:`skphase.filters.padding_geometry`).
    memory_budget : int or None
        Bytes one sample may use; when the whole plan needs more, the first-order
        filters are processed in chunks (same output). None: no limit.

    Returns
    -------
    operator : ScatteringOperator
        ``operator.plan.table`` describes its channels.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.backends import get_backend
    >>> from skphase.operators import scattering_operator
    >>> op = scattering_operator((32, 32), J=2, backend=get_backend("numpy"), L=4, padding="periodic")
    >>> op.forward(np.zeros((3, 32, 32))).shape
    (3, 25, 8, 8)
    """
    input_shape = tuple(int(s) for s in input_shape)
    with warnings.catch_warnings():  # a border warning belongs to the caller's own checks
        warnings.simplefilter("ignore")
        spec = padding_geometry(input_shape, int(J), mode=padding)
    two_d = len(input_shape) == 2
    bank = filter_bank(spec.padded_shape, int(J), L=int(L) if two_d else 1, Q=1 if two_d else int(Q),
                       wavelet=wavelet)
    plan = make_plan(bank, max_order=max_order, nonlinearity=nonlinearity, n_phases=n_phases)
    if memory_budget is not None:
        total, per_filter = plan_memory(plan, spec.padded_shape)
        if total > memory_budget:
            plan = make_plan(bank, max_order=max_order, nonlinearity=nonlinearity, n_phases=n_phases,
                             max_group=max(1, int(memory_budget) // max(1, per_filter)))
    return ScatteringOperator(bank, spec, plan, backend)


def phase_harmonic_operator(input_shape, J: int, backend, *, L: int = 8, Q: int = 1,
                            wavelet: str = "morlet", n_phases: int = 4,
                            harmonics=None) -> PhaseHarmonicOperator:
    """The phase-harmonic operator U (full resolution, periodic) for samples of ``input_shape``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(N,)`` or ``(H, W)``.
    J : int
        Octaves of the filter bank.
    backend : Backend
    L, Q, wavelet, n_phases, harmonics
        As in :class:`skphase.PhaseHarmonicTransform`.

    Returns
    -------
    operator : PhaseHarmonicOperator

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.backends import get_backend
    >>> from skphase.operators import phase_harmonic_operator
    >>> op = phase_harmonic_operator((16, 16), J=2, backend=get_backend("numpy"), L=4, n_phases=2)
    >>> op.forward(np.zeros((1, 16, 16))).shape
    (1, 17, 16, 16)
    """
    input_shape = tuple(int(s) for s in input_shape)
    two_d = len(input_shape) == 2
    bank = filter_bank(input_shape, int(J), L=int(L) if two_d else 1, Q=1 if two_d else int(Q),
                       wavelet=wavelet)
    return PhaseHarmonicOperator(bank, backend, n_phases=n_phases, harmonics=harmonics)
