"""The normalised moment-matching loss and its gradient in the signal."""

from __future__ import annotations

import numpy as np


def reference_norm(target, scale) -> float:
    """sum_m (target_m / scale_m)^2: the loss of a signal whose moments are all zero, the
    reference of the relative moment error and of the histogram term's weight."""
    return float(np.sum((np.asarray(target, np.float64) / np.asarray(scale, np.float64)) ** 2))


class MomentLoss:
    """l(y) = sum_m w_m ((Phi_m(y) - target_m) / scale_m)^2 for one signal y.

    ``moments`` is any moment :class:`~skphase.operators.Operator`: (B, *input_shape) ->
    (B, n_moments), real; the loss needs only its ``forward`` and ``vjp``, so one matcher
    serves every moment model (the operator's pullback is analytic or autograd's, as its
    backend has it). ``scale`` is explicit state (set by the estimator's ``fit``), never
    taken from the first input seen. ``dtype`` is the precision of the moments' computation
    (float32 halves the memory traffic); the loss is summed in float64. ``value_and_grad``
    takes and returns flat float64 numpy vectors, as scipy's optimisers want. ``weights``
    (None: all 1) are non-negative per-moment weights: 0 leaves a moment out, as the coarse
    stages of a coarse-to-fine reconstruction do; the reference of ``relative_error`` is then
    sum_m w_m (target_m / scale_m)^2, that of the moments kept.
    """

    def __init__(self, moments, target, scale, dtype=np.float64, weights=None) -> None:
        target = np.asarray(target, dtype=np.float64)
        scale = np.asarray(scale, dtype=np.float64)
        shape = tuple(moments.output_shape)
        if len(shape) != 1 or target.shape != shape or scale.shape != shape:
            raise ValueError(f"the moment operator must map (B, *input_shape) to (B, n_moments) and "
                             f"target and scale must have shape (n_moments,); got an output of shape "
                             f"{shape}, target {target.shape} and scale {scale.shape}.")
        w = np.ones(shape) if weights is None else np.asarray(weights, dtype=np.float64)
        if w.shape != shape or not np.all(np.isfinite(w) & (w >= 0)):
            raise ValueError(f"weights must be {shape[0]} finite non-negative values; got an array "
                             f"of shape {w.shape} with minimum {np.min(w) if w.size else None}.")
        root = np.sqrt(w)
        self.moments = moments
        self.dtype = np.dtype(dtype)
        self.shape = (1,) + tuple(moments.input_shape)
        b = moments.backend
        self._target = b.asarray(target, np.float64)
        # a weight is folded into the scale: w (r / s)^2 = (r sqrt(w) / s)^2
        self._inv_scale = b.asarray(root / scale, np.float64)
        self._reference = reference_norm(target * root, scale)

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
        phi, pullback = self.moments.vjp(b.asarray(np.reshape(y, self.shape), self.dtype))
        r = (phi[0] - self._target) * self._inv_scale
        grad = pullback((2.0 * r * self._inv_scale)[None])
        value = float(b.to_numpy((r ** 2).sum()))
        return value, np.asarray(b.to_numpy(grad), dtype=np.float64).ravel()


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
