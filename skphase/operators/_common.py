"""Pieces shared by the transform algorithms: padding, nonlinearities, their adjoints.

Everything here is written over a backend object (see :mod:`skphase.backends`),
never over numpy or torch directly, so one code path serves both.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

def phase_angles(n_phases: int) -> np.ndarray:
    """The phases alpha_p = 2 pi p / P of the multiphase real wavelets Real(e^{-i alpha} psi)."""
    return 2.0 * np.pi * np.arange(n_phases) / n_phases


@lru_cache(maxsize=64)
def _reflect_index(n: int, before: int, after: int) -> np.ndarray:
    # Reflect padding written as a gather so that its adjoint is a scatter-add and
    # every backend (torch's own reflect needs pad < size) pads the same way.
    index = np.pad(np.arange(n), (before, after), mode="reflect")
    index.setflags(write=False)
    return index


def pad(x, spec, backend):
    """Pad the trailing spatial axes of ``x`` (B, *spatial) as ``spec`` says."""
    if spec.mode == "periodic" or spec.padded_shape == spec.input_shape:
        return x
    ndim = len(spec.input_shape)
    for axis in range(ndim):
        n = spec.input_shape[axis]
        idx = _reflect_index(n, spec.pad_before[axis], spec.pad_after[axis])
        x = backend.take(x, idx, axis=axis - ndim)
    return x


def pad_adjoint(g, spec, backend):
    """Adjoint of :func:`pad`: fold the padded borders back onto the signal."""
    if spec.mode == "periodic" or spec.padded_shape == spec.input_shape:
        return g
    ndim = len(spec.input_shape)
    for axis in reversed(range(ndim)):
        n = spec.input_shape[axis]
        idx = _reflect_index(n, spec.pad_before[axis], spec.pad_after[axis])
        shape = list(g.shape)
        shape[axis - ndim] = n
        g = backend.index_add(tuple(shape), idx, g, axis=g.ndim + axis - ndim)
    return g


def crop_adjoint(g, full_spatial, slices, backend):
    """Zero-embed ``g`` (cropped by ``slices``) into an array of spatial shape ``full_spatial``."""
    ndim = len(full_spatial)
    if all(s.start in (0, None) and s.stop in (None, n) for s, n in zip(slices, full_spatial)):
        return g
    shape = tuple(g.shape[:g.ndim - ndim]) + tuple(full_spatial)
    window = tuple(slice(s.start or 0, (s.start or 0) + g.shape[g.ndim - ndim + i])
                   for i, s in enumerate(slices))
    return backend.zero_embed(g, shape, window)


def nonlinearity(z, kind: str, n_phases: int, backend):
    """rho applied to complex wavelet coefficients z (B, F, *s).

    ``"modulus"`` gives |z| (B, F, *s); ``"relu"`` gives the rectified multiphase
    coefficients max(Re(e^{-i alpha_p} z), 0) stacked as (B, F * P, *s), phase inner.
    """
    if kind == "modulus":
        return backend.modulus(z)
    cos, sin = backend.cos_sin(phase_angles(n_phases), z.real.dtype)
    u = backend.relu_phases(z, cos, sin)
    return u.reshape((u.shape[0], u.shape[1] * n_phases) + tuple(u.shape[3:]))


def nonlinearity_vjp(z, grad, kind: str, n_phases: int, backend):
    """Gradient with respect to z of <grad, nonlinearity(z)> (real inner product)."""
    if kind == "modulus":
        mod = backend.modulus(z)
        safe = mod + (mod == 0)
        return backend.where_positive(mod, z / safe) * grad
    re, im = z.real, z.imag
    cos, sin = backend.cos_sin(phase_angles(n_phases), re.dtype)
    view = (1, 1, n_phases) + (1,) * (z.ndim - 2)
    cos, sin = cos.reshape(view), sin.reshape(view)
    a = re[:, :, None] * cos + im[:, :, None] * sin
    g = grad.reshape(a.shape)
    g = backend.where_positive(a, g)
    # d/dz of Re(e^{-i alpha} z) is e^{i alpha} for the real inner product Re<., .>.
    g_re = (g * cos).sum(2)
    g_im = (g * sin).sum(2)
    return g_re + 1j * g_im
