"""The fitted model's configuration: small, frozen and picklable (joblib/dask tasks carry it)."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ..backends import get_backend
from ..filters import filter_bank
from ._moments import PhaseHarmonicMoments
from ._table import FAMILIES, build_plan


@dataclasses.dataclass(frozen=True)
class MomentModel:
    """Which moments, on which grid: everything but the data."""

    shape: tuple
    J: int
    L: int
    wavelet: str
    n_phases: int
    n_shifts: int
    delta_j: int | None
    delta_theta: int | None
    families: tuple = FAMILIES
    backend: str = "numpy"
    device: str | None = None
    subsample: bool = True

    def at_shape(self, shape) -> MomentModel:
        return dataclasses.replace(self, shape=tuple(int(s) for s in shape))

    def bank(self):
        return filter_bank(self.shape, self.J, L=self.L, wavelet=self.wavelet)

    def plan(self):
        return _plan(self)

    def moments(self, workers: int | None = None) -> PhaseHarmonicMoments:
        backend = get_backend(self.backend, device=self.device,
                              **({"workers": workers} if self.backend == "numpy" else {}))
        return PhaseHarmonicMoments(self.bank(), backend, self.plan())


@functools.lru_cache(maxsize=16)
def _plan(model: MomentModel):
    return build_plan(model.bank(), n_phases=model.n_phases, n_shifts=model.n_shifts,
                      delta_j=model.delta_j, delta_theta=model.delta_theta, families=model.families,
                      subsample=model.subsample)


def same_table(t1: dict, t2: dict) -> bool:
    return t1.keys() == t2.keys() and all(np.array_equal(t1[k], t2[k]) for k in t1)
