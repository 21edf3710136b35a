"""Pure-numpy twins of the numba kernels in :mod:`._kernels`.

Same arguments, same output written into ``out``; each is the definition its
numba kernel is tested against, and the path the numpy backend takes while the
kernels are still being compiled (see :mod:`._jit`), so that a first transform
after installation does not wait for numba.  They trade memory (one sample's
filter stack at a time) and speed for having nothing to compile.
"""

from __future__ import annotations

import numpy as np


def mul_periodize_2d(xhat, filt, kh, kw, out):
    # out[b, f] = mean over the kh*kw aliases of (xhat[b] * filt[f])
    n_filt, height, width = filt.shape
    h, w = height // kh, width // kw
    for b in range(xhat.shape[0]):
        prod = xhat[b][None] * filt
        out[b] = prod.reshape(n_filt, kh, h, kw, w).mean(axis=(1, 3))
    return out


def mul_periodize_adjoint_2d(grad, filt, kh, kw, out):
    # out[b] = sum_f conj(filt[f]) * tile(grad[b, f], (kh, kw)) / (kh * kw)
    conj = np.conj(filt)
    for b in range(grad.shape[0]):
        tiled = np.tile(grad[b], (1, kh, kw))
        out[b] = (conj * tiled).sum(axis=0) / (kh * kw)
    return out


def hermitian_fill_2d(half, width, full):
    # full[b] = the full spectrum of a real signal from its rfft half spectrum half[b]
    height, n_half = half.shape[1:]
    full[:, :, :n_half] = half
    if width > n_half:
        rows = (-np.arange(height)) % height
        cols = width - np.arange(n_half, width)
        full[:, :, n_half:] = np.conj(half[:, rows][:, :, cols])
    return full


def relu_phases(z, cos, sin, out):
    # out[b, f, p] = max(cos_p Re z + sin_p Im z, 0)
    v = (cos[None, None, :, None] * z.real[:, :, None, :]
         + sin[None, None, :, None] * z.imag[:, :, None, :])
    np.maximum(v, 0, out=out)
    return out


def low_pass_half_2d(xh, width, phi, kh, kw, out):
    # out (zeroed, half layout of the coarse grid) += periodize_k(X * phi), X the full
    # spectrum of xh's real signals
    n_batch, height = xh.shape[:2]
    h, w = height // kh, width // kw
    out_half = out.shape[2]
    full = hermitian_fill_2d(xh, width, np.empty((n_batch, height, width), dtype=xh.dtype))
    coarse = (full * phi).reshape(n_batch, kh, h, kw, w).mean(axis=(1, 3))
    out += coarse[:, :, :out_half]
    return out
