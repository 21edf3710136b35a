"""numpy/numba backend: scipy.fft for transforms, numba kernels for the fused filter work."""

from __future__ import annotations

import os

import numpy as np
import scipy.fft

from ..utils._numba import n_kernel_threads
from . import _jit
from ._cache import FilterCache, working_dtype
from ._kernels import (
    hermitian_fill_2d,
    low_pass_half_2d,
    mul_periodize_2d,
    mul_periodize_adjoint_2d,
    fft_axes,
    filter_chunk,
    modulus_range,
    relu_phases,
    wavelet_layer_2d,
    wavelet_layer_adjoint_2d,
)

# so that a float32 transform does not convert the whole bank on every batch
_CASTS = FilterCache(256)


def _as_2d_spectra(a: np.ndarray, ndim: int) -> np.ndarray:
    """View ``(lead..., *spatial)`` as ``(prod(lead), H, W)`` (1D: H = 1)."""
    spatial = a.shape[a.ndim - ndim:]
    if ndim == 1:
        spatial = (1,) + tuple(spatial)
    return a.reshape((-1,) + tuple(spatial))


class NumpyBackend:
    """Array primitives on numpy arrays, with numba kernels for the fused steps.

    Parameters
    ----------
    workers : int or None
        Threads used by each FFT call (``scipy.fft``'s ``workers``). ``None``
        uses every core.
    """

    name = "numpy"
    reuse_per_device = False  # cheap to build; each call chooses its FFT threads

    def __init__(self, workers: int | None = None) -> None:
        self.workers = (os.cpu_count() or 1) if workers is None else int(workers)

    def memory_budget(self, config: dict) -> int:
        """Bytes one batch may use: ``config["memory_budget"]`` (sized for the CPU's caches)."""
        return config["memory_budget"]

    def fast_paths_ready(self) -> bool:
        """Whether the fused numba layers may run (False with ``SKPHASE_JIT=off``)."""
        return _jit.ready()

    # --- conversion -----------------------------------------------------------
    def owns(self, x) -> bool:
        """numpy arrays are what every estimator returns anyway: nothing to keep apart."""
        return False

    def asarray(self, x, dtype=None):
        return np.ascontiguousarray(np.asarray(x, dtype=dtype))

    def to_numpy(self, x) -> np.ndarray:
        return np.asarray(x)

    def from_filter(self, arr: np.ndarray, dtype) -> np.ndarray:
        """Filters are stored in float64; cast them to the working precision (cached)."""
        target = working_dtype(arr, dtype)
        if arr.dtype == target and arr.flags.c_contiguous:
            return arr

        def cast():
            out = np.ascontiguousarray(arr, dtype=target)
            out.setflags(write=False)
            return out

        return _CASTS.get(arr, target.str, cast)

    # --- Fourier ----------------------------------------------------------------
    def fft(self, x, ndim: int):
        axes = tuple(range(-ndim, 0))
        return scipy.fft.fftn(x, axes=axes, workers=self.workers)

    def ifft(self, x, ndim: int):
        axes = tuple(range(-ndim, 0))
        return scipy.fft.ifftn(x, axes=axes, workers=self.workers)

    def mul_periodize(self, xhat, filt, k: int, ndim: int):
        """``periodize_k(xhat[:, None] * filt[None])``: (B, *s), (F, *s) -> (B, F, *s/k)."""
        spatial = xhat.shape[1:]
        n_batch, n_filt = xhat.shape[0], filt.shape[0]
        out_spatial = tuple(s // k for s in spatial)
        if k == 1 and n_batch * n_filt * int(np.prod(spatial)) < 4096:
            return xhat[:, None] * filt[None]
        x2 = _as_2d_spectra(xhat, ndim)
        f2 = _as_2d_spectra(filt, ndim)
        kh = 1 if ndim == 1 else k
        out_dtype = np.result_type(x2.dtype, f2.dtype)
        out = np.empty((n_batch, n_filt, x2.shape[1] // kh, x2.shape[2] // k), dtype=out_dtype)
        mul_periodize_2d(np.ascontiguousarray(x2, dtype=out_dtype),
                          np.ascontiguousarray(f2), kh, k, out)
        return out.reshape((n_batch, n_filt) + out_spatial)

    # Spectra of real signals: rfft gives the half spectrum at half the cost; the
    # full one (needed before multiplying by non-symmetric wavelets) is filled in by
    # Hermitian symmetry, and low-passing works on the half spectrum directly.
    def rfft(self, u, ndim: int):
        """Half spectrum (rfft layout) of real signals."""
        return scipy.fft.rfftn(u, axes=tuple(range(-ndim, 0)), workers=self.workers)

    def hermitian_full(self, half, ndim: int, spatial: tuple):
        """Full spectrum from the half spectrum of real signals of shape ``spatial``."""
        width = spatial[-1]
        full = np.empty(half.shape[:-1] + (width,), dtype=half.dtype)
        h2 = _as_2d_spectra(half, ndim)
        hermitian_fill_2d(h2, width, full.reshape(h2.shape[:2] + (width,)))
        return full

    def low_pass_half(self, half, phi, k: int, ndim: int, spatial: tuple):
        """Re(ifft(periodize_k(X * phi))) from the half spectrum of real signals; phi Hermitian."""
        n_batch = half.shape[0]
        x2 = _as_2d_spectra(half, ndim)
        p2 = _as_2d_spectra(phi[None], ndim)[0]
        kh = 1 if ndim == 1 else k
        coarse = tuple(s // k for s in spatial)
        out_dtype = np.result_type(x2.dtype, p2.dtype)
        out = np.zeros((n_batch, x2.shape[1] // kh, coarse[-1] // 2 + 1), dtype=out_dtype)
        low_pass_half_2d(np.ascontiguousarray(x2, dtype=out_dtype), spatial[-1],
                         np.ascontiguousarray(p2), kh, k, out)
        out = out.reshape((n_batch,) + coarse[:-1] + (coarse[-1] // 2 + 1,))
        return scipy.fft.irfftn(out, s=coarse, axes=tuple(range(-ndim, 0)), workers=self.workers,
                                overwrite_x=True)

    def fused_wavelet_layer(self, X, filt, k: int, phi, k_low: int, kind: str, cos, sin, ndim: int,
                            spectra: bool, coefficients: bool = False, z_out=None):
        """One scattering layer on spectra X (B, *s), fused: returns (s, U), or (s, U, z).

        The fast path of :func:`skphase.operators._layer.wavelet_layer`.

        s (B, C, *s / (k k_low)) is the low-passed, subsampled rho(X * filt) with
        C = n_filters * n_phases (phase inner); U (B, C, *s / k) are the full spectra
        of rho(X * filt), returned when ``spectra`` (else None). Fused in one numba kernel.

        With ``coefficients``, also returns the wavelet coefficients before the
        nonlinearity, z (B, n_filters, *s / k) complex, as the kernel holds them:
        z = ifft(sum over the k**ndim aliases of X * filt), the alias *sum*, not the
        mean. The subsampled coefficients of the transform are z / k**ndim (the kernel
        folds that factor into the nonlinearity: u = rho(z / k**ndim)). This is the
        ``z`` that :meth:`fused_wavelet_layer_adjoint` expects. ``z_out``, a C-contiguous
        array of X's dtype and z's shape, receives z instead of a new array: a caller
        that repeats the same layer (synthesis iterations) saves the cost of first
        touching fresh memory, which is most of the cost of keeping z.
        """
        n_batch, n_filt = X.shape[0], filt.shape[0]
        spatial = X.shape[1:]
        if spatial != filt.shape[1:] or spatial != tuple(phi.shape[i] * k for i in range(ndim)):
            raise ValueError(f"X {tuple(X.shape)}, filt {tuple(filt.shape)} and phi {tuple(phi.shape)} "
                             f"do not fit together with k={k}.")
        x2 = _as_2d_spectra(X, ndim)
        f2 = _as_2d_spectra(filt, ndim)
        p2 = _as_2d_spectra(phi[None], ndim)[0]
        kh, kh_low = (1, 1) if ndim == 1 else (k, k_low)
        real = np.float32 if X.dtype == np.complex64 else np.float64
        n_out = len(cos) if kind == "relu" else 1
        mid = (x2.shape[1] // kh, x2.shape[2] // k)
        coarse = (mid[0] // kh_low, mid[1] // k_low)
        s_out = np.empty((n_batch, n_filt * n_out) + coarse, dtype=real)
        u_out = np.empty((n_batch, n_filt * n_out) + mid if spectra else (1, 1, 1, 1), dtype=X.dtype)
        z_shape = (n_batch, n_filt) + tuple(n // k for n in spatial)
        if not coefficients:
            z_out = np.empty((1, 1, 1, 1), dtype=X.dtype)
        elif z_out is None:
            z_out = np.empty(z_shape, dtype=X.dtype)
        elif (tuple(z_out.shape) != z_shape or z_out.dtype != X.dtype or not z_out.flags.c_contiguous
              or not z_out.flags.writeable):
            raise ValueError(f"z_out must be a writeable C-contiguous {X.dtype} array of shape {z_shape}; "
                             f"got {z_out.dtype} {tuple(z_out.shape)}.")
        z_kernel = z_out.reshape((n_batch, n_filt) + mid) if coefficients else z_out
        cos = np.ascontiguousarray(cos if kind == "relu" else [1.0], dtype=real)
        sin = np.ascontiguousarray(sin if kind == "relu" else [0.0], dtype=real)
        wavelet_layer_2d(np.ascontiguousarray(x2), np.ascontiguousarray(f2), kh, k, cos, sin,
                         kind == "relu", np.ascontiguousarray(p2, dtype=real if not np.iscomplexobj(p2)
                                                              else X.dtype),
                         kh_low, k_low, spectra, s_out, u_out, coefficients, z_kernel)
        lead = (n_batch, n_filt * n_out)
        s = s_out.reshape(lead + tuple(n // (k * k_low) for n in spatial))
        u = u_out.reshape(lead + tuple(n // k for n in spatial)) if spectra else None
        if not coefficients:
            return s, u
        return s, u, z_out

    def fused_wavelet_layer_adjoint(self, g_s, z, filt, k: int, phi, k_low: int, kind: str, cos, sin,
                                    ndim: int, g_U=None, out=None, X=None):
        """Pullback of :meth:`fused_wavelet_layer` to its input spectra X (B, *s).

        Returns gX (B, *s) complex, the gradient in X of <g_s, s> + Re<g_U, U>
        (real inner products; the gradient of a function of complex X is written
        d/dRe X + i d/dIm X), where (s, U, z) = ``fused_wavelet_layer(X, filt, k, phi,
        k_low, kind, cos, sin, ndim, ..., coefficients=True)``.

        Parameters
        ----------
        g_s : array (B, C, *s / (k k_low)), real
            Gradient on the layer's averages s; C = n_filters * n_phases, phase inner.
        z : array (B, n_filters, *s / k), complex, or None
            The coefficients ``fused_wavelet_layer`` returned with ``coefficients=True``
            (the alias sum, before the 1 / k**ndim folded into rho); their dtype sets
            the working precision. None: recompute them from ``X``.
        filt, k, phi, k_low, kind, cos, sin, ndim
            As given to ``fused_wavelet_layer``.
        g_U : array (B, C, *s / k), complex, optional
            Gradient on the full output spectra U (for instance the input gradient of
            the next order's layer), in the same convention as gX.
        out : array (B, *s), complex, optional
            Accumulate into this C-contiguous array of the working dtype
            (``out += gX``) and return it, which saves a pass when gradients of several
            layers are summed (order-2 groups into one g_U, order-1 groups into one gX).
        X : array (B, *s), complex, optional
            The layer's input, used only when ``z`` is None: the kernel then recomputes
            z itself, so a pullback whose output gradients are known beforehand needs
            no forward call (nor z in memory) for this layer.

        Fused per (sample, chunk of filters) in one numba kernel, like the forward.
        """
        if z is None and X is None:
            raise ValueError("fused_wavelet_layer_adjoint needs z (from fused_wavelet_layer(..., "
                             "coefficients=True)) or the layer's input X; got neither.")
        source = z if z is not None else X
        if not np.iscomplexobj(source):
            name = "z" if z is not None else "X"
            raise TypeError(f"{name} must be a complex array; got {source.dtype}.")
        n_batch, n_filt = source.shape[0], filt.shape[0]
        spatial = tuple(filt.shape[1:])
        mid = tuple(n // k for n in spatial)
        coarse = tuple(n // k_low for n in mid)
        n_out = len(cos) if kind == "relu" else 1
        lead = (n_batch, n_filt * n_out)
        # the kernel does no bounds checks: refuse what does not fit here
        if z is not None and tuple(z.shape) != (n_batch, n_filt) + mid:
            raise ValueError(f"z has shape {tuple(z.shape)}; expected (B, {n_filt}) + {mid} for filt "
                             f"{tuple(filt.shape)} and k={k}.")
        if z is None and tuple(X.shape) != (n_batch,) + spatial:
            raise ValueError(f"X has shape {tuple(X.shape)}; expected (B,) + {spatial} for filt "
                             f"{tuple(filt.shape)}.")
        if tuple(phi.shape) != mid:
            raise ValueError(f"phi has shape {tuple(phi.shape)}; expected {mid} (filt {tuple(filt.shape)}, "
                             f"k={k}).")
        if tuple(g_s.shape) != lead + coarse:
            raise ValueError(f"g_s has shape {tuple(g_s.shape)}; expected {lead + coarse} "
                             f"(k={k}, k_low={k_low}, {n_out} phase(s)).")
        if g_U is not None and tuple(g_U.shape) != lead + mid:
            raise ValueError(f"g_U has shape {tuple(g_U.shape)}; expected {lead + mid}.")
        cdtype = np.dtype(source.dtype)
        real = np.float32 if cdtype == np.complex64 else np.float64
        kh, kh_low = (1, 1) if ndim == 1 else (k, k_low)
        f2 = _as_2d_spectra(filt, ndim)
        height, width = f2.shape[1:]
        mid2 = (height // kh, width // k)
        dummy = np.zeros((1, 1, 1, 1), dtype=cdtype)
        if z is not None:
            z2, x2 = np.ascontiguousarray(z).reshape((n_batch, n_filt) + mid2), dummy[0]
        else:
            z2, x2 = dummy, np.ascontiguousarray(_as_2d_spectra(X, ndim))
        p2 = _as_2d_spectra(phi[None], ndim)[0]
        p2 = np.ascontiguousarray(p2, dtype=cdtype if np.iscomplexobj(p2) else real)
        g2 = np.ascontiguousarray(g_s, dtype=real).reshape(lead + (mid2[0] // kh_low, mid2[1] // k_low))
        u2 = dummy if g_U is None else np.ascontiguousarray(g_U, dtype=cdtype).reshape(lead + mid2)
        cos = np.ascontiguousarray(cos if kind == "relu" else [1.0], dtype=real)
        sin = np.ascontiguousarray(sin if kind == "relu" else [0.0], dtype=real)
        if out is None:
            gX = np.empty((n_batch, height, width), dtype=cdtype)
        else:
            if (tuple(out.shape) != (n_batch,) + spatial or out.dtype != cdtype
                    or not out.flags.c_contiguous or not out.flags.writeable):
                raise ValueError(f"out must be a writeable C-contiguous {cdtype} array of shape "
                                 f"{(n_batch,) + spatial}; got {out.dtype} {tuple(out.shape)}.")
            gX = out.reshape((n_batch, height, width))
        # Tasks (sample, group of filter chunks) must not race on gX[b]: with fewer
        # samples than threads, the filters of a sample are split into groups that
        # accumulate into their own buffers, summed at the end.
        chunk = filter_chunk(n_filt, *mid2)
        n_chunks = -(-n_filt // chunk)
        n_groups = max(1, min(n_chunks, -(-n_kernel_threads() // n_batch)))
        if n_groups == 1:
            partial = gX.reshape((n_batch, 1, height, width))
        else:
            partial = np.empty((n_batch, n_groups, height, width), dtype=cdtype)
        wavelet_layer_adjoint_2d(g2, z2, z is None, x2, np.ascontiguousarray(f2), kh, k, cos, sin,
                                 kind == "relu", p2, kh_low, k_low, u2, g_U is not None, n_groups,
                                 out is not None, partial, fft_axes(mid2[0]), chunk,
                                 *modulus_range(g2.dtype))
        if n_groups > 1:
            if out is None:
                np.sum(partial, axis=1, out=gX)
            else:
                gX += partial.sum(axis=1)
        return gX.reshape((n_batch,) + spatial) if out is None else out

    def mul_periodize_adjoint(self, grad, filt, k: int, ndim: int):
        """Adjoint of :meth:`mul_periodize` in its first argument: (B, F, *s/k) -> (B, *s)."""
        n_batch, n_filt = grad.shape[:2]
        if n_filt != filt.shape[0] or grad.ndim != filt.ndim + 1:
            # the kernel does no bounds checks: refuse mismatched stacks here
            raise ValueError(f"grad has {n_filt} filter channels {tuple(grad.shape)} but filt has "
                             f"{filt.shape[0]} filters {tuple(filt.shape)}.")
        g2 = grad.reshape((n_batch, n_filt) + ((1,) if ndim == 1 else ()) + grad.shape[2:])
        f2 = _as_2d_spectra(filt, ndim)
        kh = 1 if ndim == 1 else k
        out_dtype = np.result_type(g2.dtype, f2.dtype)
        out = np.empty((n_batch, f2.shape[1], f2.shape[2]), dtype=out_dtype)
        mul_periodize_adjoint_2d(np.ascontiguousarray(g2, dtype=out_dtype),
                                  np.ascontiguousarray(f2), kh, k, out)
        return out.reshape((n_batch,) + filt.shape[1:])

    # --- pointwise ----------------------------------------------------------------
    def real(self, z):
        return np.ascontiguousarray(z.real)

    def modulus(self, z):
        return np.abs(z)

    def relu_phases(self, z, cos, sin):
        """rho(Re(e^{-i alpha_p} z)) for z (B, F, *s): (B, F, P, *s), fused in one pass."""
        n_batch, n_filt = z.shape[:2]
        spatial = z.shape[2:]
        flat = np.ascontiguousarray(z).reshape(n_batch, n_filt, -1)
        out = np.empty((n_batch, n_filt, len(cos), flat.shape[2]), dtype=z.real.dtype)
        relu_phases(flat, np.asarray(cos, dtype=out.dtype), np.asarray(sin, dtype=out.dtype), out)
        return out.reshape((n_batch, n_filt, len(cos)) + tuple(spatial))

    def cos_sin(self, alphas, dtype):
        return np.cos(alphas).astype(dtype), np.sin(alphas).astype(dtype)

    def where_positive(self, a, b):
        """``b`` where ``a > 0``, else 0."""
        return np.where(a > 0, b, 0)

    def take(self, x, index: np.ndarray, axis: int):
        return np.take(x, index, axis=axis)

    def index_add(self, shape, index: np.ndarray, values, axis: int):
        """Scatter-add ``values`` along ``axis`` at ``index`` into zeros of ``shape``."""
        out = np.zeros(shape, dtype=values.dtype)
        moved = np.moveaxis(out, axis, 0)
        np.add.at(moved, index, np.moveaxis(values, axis, 0))
        return out

    def zero_embed(self, values, shape, window):
        """Zeros of ``shape`` with ``values`` written at the trailing-axes ``window`` (slices)."""
        out = np.zeros(shape, dtype=values.dtype)
        out[(Ellipsis,) + tuple(window)] = values
        return out

    def stack(self, arrays, axis: int):
        return np.stack(arrays, axis=axis)

    def concatenate(self, arrays, axis: int):
        return np.concatenate(arrays, axis=axis)
