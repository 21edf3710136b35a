"""Operators: the transforms' algorithms, written once over a backend (no estimator logic here).

Each transform is an :class:`Operator` built from its fitted pieces (filter bank,
plan, padding) and a backend, with ``forward(x)`` and ``vjp(x) -> (y, pullback)``:
the estimators call them, and so do the statistics, the synthesizer and the
trained models that stand on them.
"""

from ._build import phase_harmonic_operator, scattering_operator
from ._moments import SpatialMeans
from ._operator import ChannelwiseOperator, Operator
from ._phase_harmonic import (
    PhaseHarmonicOperator,
    frame_bounds,
    inverse_phase_harmonic_transform,
    phase_harmonic_transform,
)
from ._scattering_covariance import ScatteringCovariance
from ._scattering import ScatteringOperator, ScatteringPlan, group_size, make_plan, plan_memory, scattering

__all__ = [
    "ChannelwiseOperator",
    "Operator",
    "PhaseHarmonicOperator",
    "ScatteringCovariance",
    "ScatteringOperator",
    "ScatteringPlan",
    "SpatialMeans",
    "frame_bounds",
    "group_size",
    "inverse_phase_harmonic_transform",
    "make_plan",
    "phase_harmonic_operator",
    "phase_harmonic_transform",
    "plan_memory",
    "scattering",
    "scattering_operator",
]
