"""Moment operators: statistics of a transform, averaged over space, as operators themselves.

A moment model is an operator from signals (B, *s) to real moments (B, n_moments); the
synthesizer's moment matching needs only its ``forward`` and ``vjp``.
:class:`SpatialMeans` turns any transform operator into one by averaging each of its
output channels over space.
"""

from __future__ import annotations

import numpy as np

from ._operator import Operator


class SpatialMeans(Operator):
    """Spatial average of each output channel of ``operator``: ``(B, *s) -> (B, C)`` or ``(B, 2 C)``.

    With ``operator`` a scattering transform (``ScatteringAverager(...).fit(X).get_operator()``)
    these are the scattering means, the moments of the classic scattering synthesis; any
    operator with real outputs ``(B, C, *s_out)`` and a pullback works.

    Parameters
    ----------
    operator : Operator
        Real outputs of shape ``(B, C, *s_out)``.
    second_moments : bool, default=False
        Also the spatial mean of the square of each channel (after the C means): the
        channels' energies, which the means alone leave free.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.representations import ScatteringAverager
    >>> from skphase.operators import SpatialMeans
    >>> x = np.random.default_rng(0).standard_normal((2, 128))
    >>> op = ScatteringAverager(J=3, padding="periodic").fit(x).get_operator()
    >>> means = SpatialMeans(op)
    >>> means.forward(x).shape == (2, op.output_shape[0])
    True
    """

    def __init__(self, operator: Operator, *, second_moments: bool = False) -> None:
        if not hasattr(operator, "vjp") or not hasattr(operator, "output_shape"):
            raise TypeError(f"operator must be an Operator (forward, vjp, input_shape, output_shape); "
                            f"got {type(operator).__name__}.")
        if len(tuple(operator.output_shape)) < 1:
            raise ValueError(f"operator must have outputs of shape (C, *s_out); its output_shape is "
                             f"{tuple(operator.output_shape)}.")
        self.operator = operator
        self.second_moments = bool(second_moments)
        self.backend = operator.backend
        self.input_shape = tuple(operator.input_shape)
        c = int(operator.output_shape[0])
        self.output_shape = ((2 if self.second_moments else 1) * c,)
        self._n_pos = int(np.prod(tuple(operator.output_shape)[1:], dtype=np.int64))

    def _flat(self, y):
        if getattr(y, "is_complex", lambda: np.iscomplexobj(y))():
            raise TypeError(f"SpatialMeans needs an operator with real outputs; "
                            f"{type(self.operator).__name__} returned complex ones.")
        return y.reshape((y.shape[0], int(self.operator.output_shape[0]), self._n_pos))

    def _moments(self, y):
        y = self._flat(y)
        if not self.second_moments:
            return y.mean(axis=-1)
        return self.backend.concatenate([y.mean(axis=-1), (y * y).mean(axis=-1)], axis=1)

    def forward(self, x):
        """Spatial means (B, n_moments) of the operator's channels on x ``(B, *input_shape)``."""
        self._check_input(x)
        return self._moments(self.operator.forward(x))

    def _analytic_vjp(self, x):
        self._check_input(x)
        y, inner = self.operator.vjp(x)
        yf = self._flat(y)
        c, n = int(self.operator.output_shape[0]), self._n_pos
        out_shape = (x.shape[0],) + tuple(self.operator.output_shape)

        def pullback(g):
            self._check_output_gradient(g, x.shape[0])
            g = self.backend.asarray(g, yf.dtype)
            # d/dy of mean(y) is 1/n at every position, of mean(y^2) it is 2 y / n
            gy = np.broadcast_to(g[:, :c, None] / n, yf.shape)
            if self.second_moments:
                gy = gy + (2.0 / n) * g[:, c:, None] * yf
            return inner(np.ascontiguousarray(gy).reshape(out_shape))

        return self._moments(y), pullback

    def bytes_per_sample(self, itemsize: int = 8, *, pullback: bool = False) -> int:
        return self.operator.bytes_per_sample(itemsize, pullback=pullback)
