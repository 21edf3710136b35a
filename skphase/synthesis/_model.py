"""The fitted model's configuration: small, frozen and picklable (joblib/dask tasks carry it).

A model says which moment operator to build on which grid (``moments``), its table of
moments (``table``) and the per-moment normalisation of the loss from the standardised
realisations (``scale``); the synthesizer and the matcher need nothing else, whatever
the moment family.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from ..backends import get_backend
from ..filters import filter_bank
from ..operators import ScatteringCovariance, SpatialMeans
from ._moments import PhaseHarmonicMoments
from ._table import FAMILIES, build_plan, wavelet_scales

#: scales below this fraction of the largest are floored (bands with no energy)
SCALE_FLOOR = 1e-8


def _floored(scale: np.ndarray) -> np.ndarray:
    floor = SCALE_FLOOR * scale.max()
    if not floor > 0:  # pragma: no cover - std > 0 is checked in fit
        raise ValueError("the realisations have no energy in any moment; cannot normalise the loss.")
    return np.maximum(scale, floor)


@dataclasses.dataclass(frozen=True)
class MomentModel:
    """Which phase-harmonic moments, on which grid: everything but the data."""

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
    cross_shifts: int = 0

    def at_shape(self, shape) -> MomentModel:
        """The model on another grid; a ValueError if it cannot hold every moment (shift)."""
        model = dataclasses.replace(self, shape=tuple(int(s) for s in shape))
        if not same_table(model.table(), self.table()):
            raise ValueError(f"output_shape={model.shape} cannot hold every shift of the model fitted on "
                             f"{self.shape}; use a larger output_shape or a smaller n_shifts or cross_shifts.")
        return model

    def bank(self):
        return filter_bank(self.shape, self.J, L=self.L, wavelet=self.wavelet)

    def plan(self):
        return _plan(self)

    def table(self) -> dict:
        return self.plan().table

    def moments(self, workers: int | None = None) -> PhaseHarmonicMoments:
        backend = get_backend(self.backend, device=self.device,
                              **({"workers": workers} if self.backend == "numpy" else {}))
        return PhaseHarmonicMoments(self.bank(), backend, self.plan())

    def scale(self, X: np.ndarray) -> np.ndarray:
        """Per-moment normalisation from the standardised realisations X (fit-time state).

        Covariances are divided by sqrt(var_a var_b) of the target's channels (a correlation
        coefficient), means of envelopes by their root mean square, the low-pass mean by the
        target's standard deviation and its variance by itself, the k-th central moment of the
        values by the standard deviation to the k.
        """
        engine = self.moments()
        low_var, var, power = (np.maximum(np.asarray(v).mean(axis=0), 0.0)
                               for v in engine.channel_variances(engine.backend.asarray(X, np.float64)))
        plan = engine.plan
        n_w = plan.n_wavelets
        js = wavelet_scales(engine.bank)
        thetas = np.asarray(engine.bank.psi1.theta)
        # channel index of (j, theta, k): harmonic-major, as in the plan
        lookup = {(int(js[w]), int(thetas[w]), k): k * n_w + w for w in range(n_w)
                  for k in range(plan.n_harmonics)}
        std = float(np.sqrt(np.mean(np.var(X.reshape(X.shape[0], -1), axis=1))))
        scale = np.empty(plan.n_moments)
        t = plan.table
        for i, kind in enumerate(t["kind"]):
            if kind == "low_mean":
                scale[i] = std
            elif kind == "marginal":
                scale[i] = std ** int(t["k1"][i])
            elif kind == "low_var":
                scale[i] = max(float(low_var), std ** 2 * 1e-6)
            elif kind == "mean":
                scale[i] = math.sqrt(power[lookup[(t["j1"][i], t["theta1"][i], t["k1"][i])]])
            else:
                a = lookup[(t["j1"][i], t["theta1"][i], t["k1"][i])]
                b = lookup[(t["j2"][i], t["theta2"][i], t["k2"][i])]
                scale[i] = math.sqrt(var[a] * var[b])
        return _floored(scale)


@dataclasses.dataclass(frozen=True)
class CovarianceModel:
    """Scattering-covariance moments (:class:`~skphase.operators.ScatteringCovariance`) on a grid."""

    shape: tuple
    J: int
    L: int
    wavelet: str
    backend: str = "numpy"
    device: str | None = None

    def at_shape(self, shape) -> CovarianceModel:
        return dataclasses.replace(self, shape=tuple(int(s) for s in shape))

    def table(self) -> dict:
        return _covariance(self).table

    def moments(self, workers: int | None = None) -> ScatteringCovariance:
        if workers is None and self.backend == "numpy":
            return _covariance(self)
        backend = get_backend(self.backend, device=self.device,
                              **({"workers": workers} if self.backend == "numpy" else {}))
        return ScatteringCovariance(filter_bank(self.shape, self.J, L=self.L, wavelet=self.wavelet), backend)

    def scale(self, X: np.ndarray) -> np.ndarray:
        op = _covariance(self)
        return _floored(op.moment_scale(op.backend.asarray(X, np.float64)))


@functools.lru_cache(maxsize=8)
def _covariance(model: CovarianceModel) -> ScatteringCovariance:
    return ScatteringCovariance(filter_bank(model.shape, model.J, L=model.L, wavelet=model.wavelet),
                                get_backend(model.backend, device=model.device))


@dataclasses.dataclass(frozen=True, eq=False)
class OperatorMomentModel:
    """The moments of a user's operator: the operator itself when its outputs are a vector
    (B, n_moments), else the spatial means of its channels (:class:`~skphase.operators.SpatialMeans`).

    The operator is fixed to its input shape: the model has no other grid.
    """

    operator: object

    @property
    def shape(self) -> tuple:
        return tuple(int(s) for s in self.operator.input_shape)

    def at_shape(self, shape) -> OperatorMomentModel:
        if tuple(int(s) for s in shape) != self.shape:
            raise ValueError(f"output_shape={tuple(shape)} differs from the moment operator's input shape "
                             f"{self.shape}: an operator's moments are defined on its own grid only.")
        return self

    @property
    def _is_moments(self) -> bool:
        return len(tuple(self.operator.output_shape)) == 1

    def table(self) -> dict:
        if self._is_moments and hasattr(self.operator, "table"):
            return self.operator.table
        n = int(self.operator.output_shape[0])
        kind = "operator_moment" if self._is_moments else "operator_mean"
        return {"kind": np.full(n, kind, dtype=object), "channel": np.arange(n)}

    def moments(self, workers: int | None = None):
        return self.operator if self._is_moments else SpatialMeans(self.operator)

    def scale(self, X: np.ndarray) -> np.ndarray:
        """The operator's own ``moment_scale`` where it has one; else the root mean square (over
        realisations and space) of each channel: the means are then unit-free fractions of
        their channels' sizes, as the phase-harmonic envelopes' are."""
        op = self.operator
        b = op.backend
        if self._is_moments and hasattr(op, "moment_scale"):
            return _floored(np.asarray(op.moment_scale(b.asarray(X, np.float64)), dtype=np.float64))
        y = np.asarray(b.to_numpy(op.forward(b.asarray(X, np.float64))), dtype=np.float64)
        y = y.reshape(y.shape[:2] + (-1,))
        return _floored(np.sqrt(np.mean(y ** 2, axis=(0, 2))))


@functools.lru_cache(maxsize=16)
def _plan(model: MomentModel):
    return build_plan(model.bank(), n_phases=model.n_phases, n_shifts=model.n_shifts,
                      delta_j=model.delta_j, delta_theta=model.delta_theta, families=model.families,
                      subsample=model.subsample, cross_shifts=model.cross_shifts)


def same_table(t1: dict, t2: dict) -> bool:
    return t1.keys() == t2.keys() and all(np.array_equal(t1[k], t2[k]) for k in t1)
