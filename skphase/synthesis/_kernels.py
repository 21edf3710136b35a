"""Fused numba loops of the 4-phase harmonic channels (numpy backend only).

For 4 phases the harmonic channels of z = x * psi have closed forms (see
:mod:`._moments`): h_0 = (|Re z| + |Im z|) / 4, h_1 = z / 4, h_2 = (|Re z| - |Im z|) / 4.
Written as numpy expressions these steps are a dozen passes over the coefficient maps,
which cost as much as the FFTs; each loop here is one pass. Candidates for the backend
primitives (they know nothing of moments).

Each kernel is a :func:`~skphase.utils._numba.part_kernel`: compiled once, serial, its
rows split over skphase's kernel threads when called from the main thread and run on the
calling thread from any other (syntheses in joblib worker threads, ``n_jobs=2``).
"""

from __future__ import annotations

import contextlib

import numpy as np

from ..utils._numba import kernel_threads, part_kernel, part_range

#: below this many elements a level's loops run on the calling thread: handing work to
#: threads costs more than the whole work of a small level (measured when numba's pool ran
#: them: on the shared 2-core box even a 256x256 image's finest level, 0.5-1 M elements, ran
#: faster serial, CPU and wall; not re-measured on skphase's own pool)
PARALLEL_MIN = 2**22


def threads_for(n_elements: int):
    """The kernels (these and the backend's) on one thread for small work, in this thread."""
    return contextlib.nullcontext() if n_elements >= PARALLEL_MIN else kernel_threads(1)


@part_kernel(cache=True, fastmath=False)
def pack_abs(z, out, part, n_parts):  # pragma: no cover - compiled
    """out = (|Re z| + |Im z|) + i (|Re z| - |Im z|), rows (R, M)."""
    lo, hi = part_range(z.shape[0], part, n_parts)
    for r in range(lo, hi):
        for m in range(z.shape[1]):
            a = abs(z[r, m].real)
            b = abs(z[r, m].imag)
            out[r, m] = complex(a + b, a - b)


@part_kernel(cache=True, fastmath=False)
def split_spectra(F, Z, rev, S, part, n_parts):  # pragma: no cover - compiled
    """Spectra of h_0, h_1, h_2 from F = FFT(pack_abs(z)) and Z = FFT(z), both (B, W, M).

    S (B, 3, W, M): S_0 = (F + conj F(-w)) / 8, S_2 = -i (F - conj F(-w)) / 8, S_1 = Z / 4.
    """
    B, W, M = F.shape
    lo, hi = part_range(B * W, part, n_parts)
    for t in range(lo, hi):
        b, w = t // W, t % W
        for m in range(M):
            f = F[b, w, m]
            fr = np.conj(F[b, w, rev[m]])
            S[b, 0, w, m] = (f + fr) * 0.125
            d = (f - fr) * 0.125
            S[b, 2, w, m] = complex(d.imag, -d.real)
            S[b, 1, w, m] = Z[b, w, m] * 0.25


@part_kernel(cache=True, fastmath=False)
def pack_gradients(gS, rev, scale, out, part, n_parts):  # pragma: no cover - compiled
    """Hermitian parts of the gradients on S_0 and S_2, packed for one inverse FFT.

    out (B, W, M) = scale (R + conj T(-w)) with R = gS_0 + i gS_2, T = gS_0 - i gS_2.
    """
    B, _, W, M = gS.shape
    lo, hi = part_range(B * W, part, n_parts)
    for t in range(lo, hi):
        b, w = t // W, t % W
        for m in range(M):
            g0, g2 = gS[b, 0, w, m], gS[b, 2, w, m]
            g0r, g2r = gS[b, 0, w, rev[m]], gS[b, 2, w, rev[m]]
            re = g0.real - g2.imag + g0r.real + g2r.imag
            im = g0.imag + g2.real - g0r.imag + g2r.real
            out[b, w, m] = complex(re * scale, im * scale)


@part_kernel(cache=True, fastmath=False)
def rectifier_adjoint(z, gh, out, part, n_parts):  # pragma: no cover - compiled
    """Gradient in z from those on h_0 (Re gh) and h_2 (Im gh), rows (R, M)."""
    lo, hi = part_range(z.shape[0], part, n_parts)
    for r in range(lo, hi):
        for m in range(z.shape[1]):
            g0, g2 = gh[r, m].real, gh[r, m].imag
            zr, zi = z[r, m].real, z[r, m].imag
            sr = 1.0 if zr > 0 else (-1.0 if zr < 0 else 0.0)
            si = 1.0 if zi > 0 else (-1.0 if zi < 0 else 0.0)
            out[r, m] = complex(sr * (g0 + g2), si * (g0 - g2))


@part_kernel(cache=True, fastmath=False)
def add_linear_gradient(gZ, gS, inv_m, part, n_parts):  # pragma: no cover - compiled
    """gZ (B, W, M) <- gZ / M + gS_1 / 4: the gradient on Z through h_1 = z / 4 as well."""
    B, W, M = gZ.shape
    lo, hi = part_range(B * W, part, n_parts)
    for t in range(lo, hi):
        b, w = t // W, t % W
        for m in range(M):
            gZ[b, w, m] = gZ[b, w, m] * inv_m + gS[b, 1, w, m] * 0.25
