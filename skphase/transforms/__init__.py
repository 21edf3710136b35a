"""Transform algorithms written once over a backend (no estimator logic here)."""

from ._phase_harmonic import (
    frame_bounds,
    inverse_phase_harmonic_transform,
    phase_harmonic_transform,
    phase_harmonic_vjp,
)
from ._scattering import ScatteringPlan, group_size, make_plan, scattering, scattering_vjp

__all__ = [
    "frame_bounds",
    "ScatteringPlan",
    "group_size",
    "inverse_phase_harmonic_transform",
    "make_plan",
    "phase_harmonic_transform",
    "phase_harmonic_vjp",
    "scattering",
    "scattering_vjp",
]
