"""One scattering layer and its adjoint, written over a backend's primitives.

A layer takes spectra X (B, *s) to s = rho(X * psi) * phi subsampled (the averages)
and, when the next order needs them, U = the spectra of rho(X * psi).  A backend
may offer the whole layer as a fused fast path (``fused_wavelet_layer`` and
``fused_wavelet_layer_adjoint``: one numba kernel per layer on numpy, taken when its
``fast_paths_ready()`` says so: not while numba is still compiling); otherwise
the primitives compose it here, and backends with autograd (torch) differentiate
this composition.

Gradients of complex quantities are written d/dRe + i d/dIm. A gradient with
respect to a spectrum V = fft(v) is kept as G with g_v = Re(ifft(G)) * size(v),
so that the adjoint of "multiply by a filter, then subsample" is the backend's
``mul_periodize_adjoint`` and adjoints of successive layers simply add.
"""

from __future__ import annotations

import numpy as np

from ._common import nonlinearity, nonlinearity_vjp, phase_angles


def _cos_sin(backend, kind, n_phases, dtype):
    if kind == "relu":
        return backend.cos_sin(phase_angles(n_phases), dtype)
    return None, None


def _real_dtype(X):
    return X.real.dtype


def _fast_path(backend, name: str):
    """The backend's fused ``name`` when it has one and it is ready to run now, else None."""
    ready = getattr(backend, "fast_paths_ready", None)
    if ready is not None and not ready():
        return None
    return getattr(backend, name, None)


def wavelet_layer(backend, X, filt, k: int, phi, k_low: int, *, kind: str, n_phases: int, ndim: int,
                  spectra: bool, record: bool = False):
    """One layer on spectra X (B, *s).

    Returns ``(s, U, tape)``: s (B, C, *s / (k k_low)) with C = n_filters * n_phases
    (phase inner; n_phases is 1 for the modulus), U (B, C, *s / k) the full spectra
    of rho(X * filt) when ``spectra`` (else None), and ``tape`` what
    :func:`wavelet_layer_adjoint` needs when ``record`` (else None).
    """
    fused = _fast_path(backend, "fused_wavelet_layer")
    fused_adjoint = _fast_path(backend, "fused_wavelet_layer_adjoint")
    if fused is not None and (not record or fused_adjoint is not None):
        cos, sin = _cos_sin(backend, kind, n_phases, _real_dtype(X))
        out = fused(X, filt, k, phi, k_low, kind, cos, sin, ndim, spectra, coefficients=record)
        if record:
            s, U, z = out
            return s, U, ("fused", z)
        s, U = out
        return s, U, None
    z = backend.ifft(backend.mul_periodize(X, filt, k, ndim), ndim)
    u = nonlinearity(z, kind, n_phases, backend)
    lead, mid = tuple(u.shape[:2]), tuple(u.shape[2:])
    half = backend.rfft(u.reshape((-1,) + mid), ndim)
    s = backend.low_pass_half(half, phi, k_low, ndim, mid)
    s = s.reshape(lead + tuple(s.shape[1:]))
    U = backend.hermitian_full(half, ndim, mid).reshape(lead + mid) if spectra else None
    return s, U, (("generic", z) if record else None)


def low_pass_adjoint(backend, g, phi, k: int, ndim: int):
    """Adjoint of s = Re(ifft(periodize_k(U * phi))) in the spectrum U, as G (see module doc).

    g (B, C, *coarse) real -> G (B, C, *coarse * k) complex.
    """
    lead, coarse = tuple(g.shape[:2]), tuple(g.shape[2:])
    flat = g.reshape((lead[0] * lead[1],) + coarse)
    gv = backend.fft(flat, ndim) / int(np.prod(coarse))
    G = backend.mul_periodize_adjoint(gv[:, None], phi[None], k, ndim)
    return G.reshape(lead + tuple(G.shape[1:]))


def wavelet_layer_adjoint(backend, tape, g_s, g_U, filt, k: int, phi, k_low: int, *, kind: str,
                          n_phases: int, ndim: int, out=None):
    """Gradient in the input spectra X of <g_s, s> + Re<g_U, U> for the layer recorded in ``tape``.

    g_s (B, C, *coarse) real; g_U (B, C, *mid) complex in the spectrum convention of the
    module doc, or None. Returns G_X (B, *s) complex, same convention, added into ``out``
    when given (the layers of one input sum their gradients without temporaries).
    """
    how, z = tape
    if how == "fused":
        cos, sin = _cos_sin(backend, kind, n_phases, _real_dtype(z))
        return backend.fused_wavelet_layer_adjoint(g_s, z, filt, k, phi, k_low, kind, cos, sin, ndim,
                                                   g_U=g_U, out=out)
    mid = tuple(z.shape[2:])
    n_mid = int(np.prod(mid))
    G = low_pass_adjoint(backend, g_s, phi, k_low, ndim)
    if g_U is not None:
        G = G + g_U
    g_u = backend.real(backend.ifft(G, ndim)) * n_mid
    g_z = nonlinearity_vjp(z, g_u, kind, n_phases, backend)
    gX = backend.mul_periodize_adjoint(backend.fft(g_z, ndim) / n_mid, filt, k, ndim)
    return gX if out is None else out + gX
