"""The normalised moment-matching loss and its gradient in the signal."""

from __future__ import annotations

import numpy as np


def reference_norm(target, scale) -> float:
    """sum_m (target_m / scale_m)^2: the loss of a signal whose moments are all zero, the
    reference of the relative moment error and of the histogram term's weight."""
    return float(np.sum((np.asarray(target, np.float64) / np.asarray(scale, np.float64)) ** 2))


class MomentLoss:
    """l(y) = sum_m ((Phi_m(y) - target_m) / scale_m)^2 for one signal y.

    ``scale`` is explicit state (set by the estimator's ``fit``), never taken
    from the first input seen. ``dtype`` is the precision of the moments' computation
    (float32 halves the memory traffic); the loss is summed in float64. ``value_and_grad`` takes and returns flat float64
    numpy vectors, as scipy's optimisers want: the numpy backend differentiates
    analytically (moments' adjoint, then the operator's pullback); the torch
    backend uses autograd, on its device.
    """

    def __init__(self, moments, target, scale, dtype=np.float64) -> None:
        target = np.asarray(target, dtype=np.float64)
        scale = np.asarray(scale, dtype=np.float64)
        n = moments.plan.n_moments
        if target.shape != (n,) or scale.shape != (n,):
            raise ValueError(f"target and scale must have shape ({n},); "
                             f"got {target.shape} and {scale.shape}.")
        self.moments = moments
        self.dtype = np.dtype(dtype)
        self.shape = (1,) + tuple(moments.spatial)
        b = moments.backend
        self._target = b.asarray(target, np.float64)
        self._inv_scale = b.asarray(1.0 / scale, np.float64)
        self._reference = reference_norm(target, scale)

    def relative_error(self, loss: float) -> float:
        """sqrt(loss / sum (target / scale)^2): the relative moment error."""
        ref = self._reference
        return float(np.sqrt(loss / ref)) if ref > 0 else float(np.sqrt(loss))

    def value(self, y: np.ndarray) -> float:
        b = self.moments.backend
        phi = self.moments.forward(b.asarray(np.reshape(y, self.shape), self.dtype))
        r = (phi[0] - self._target) * self._inv_scale
        return float(b.to_numpy((r ** 2).sum()))

    def value_and_grad(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        b = self.moments.backend
        x = b.asarray(np.reshape(y, self.shape), self.dtype)
        if b.name == "torch":
            x = x.detach().requires_grad_(True)
            phi = self.moments.forward(x)
            r = (phi[0] - self._target) * self._inv_scale
            loss = (r ** 2).sum()
            loss.backward()
            return float(loss.detach().cpu()), b.to_numpy(x.grad).ravel().astype(np.float64)
        phi, pullback = self.moments.vjp(x)
        r = (phi[0] - self._target) * self._inv_scale
        grad = pullback((2.0 * r * self._inv_scale)[None])
        return float((r ** 2).sum()), np.asarray(grad, dtype=np.float64).ravel()


class HistogramLoss:
    """w * sum_i (y_(i) - q_i)^2 / (N var): a squared Wasserstein-2 distance between marginals.

    ``q`` holds the target's quantiles at the N values of the synthesis (sorted), so
    matching the sorted values matches the whole histogram, which the moments constrain
    only through a few of its moments. The gradient is exact wherever the values are
    distinct (the sort order is locally constant): 2 w (y_i - q_{rank(i)}) / (N var).
    ``weight`` is absolute: the estimator scales it by the moment loss's reference norm.
    """

    def __init__(self, quantiles, variance: float, weight: float) -> None:
        self._q = np.asarray(quantiles, dtype=np.float64).ravel()
        if not variance > 0:
            raise ValueError(f"variance must be positive, got {variance!r}.")
        self._c = float(weight) / (self._q.size * float(variance))

    def value_and_grad(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        y = np.asarray(y, dtype=np.float64).ravel()
        if y.size != self._q.size:
            raise ValueError(f"expected {self._q.size} values, got {y.size}.")
        order = np.argsort(y, kind="stable")
        d = np.empty_like(y)
        d[order] = y[order] - self._q
        return float(self._c * (d @ d)), (2.0 * self._c) * d


def quantiles_at(sorted_values: np.ndarray, n: int) -> np.ndarray:
    """The n quantiles of an empirical distribution at probabilities (i + 1/2) / n.

    Equal to ``sorted_values`` itself when it has n values; otherwise its quantile
    function interpolated linearly (syntheses larger or smaller than the target).
    """
    v = np.asarray(sorted_values, dtype=np.float64)
    if v.size == n:
        return v.copy()
    return np.interp((np.arange(n) + 0.5) / n, (np.arange(v.size) + 0.5) / v.size, v)
