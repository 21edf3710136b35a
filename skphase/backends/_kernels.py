"""Numba kernels fusing the per-filter work of the transforms.

The heart is ``_wavelet_layer_2d``: one scattering layer (product with a filter
stack, periodization = subsampling in space, inverse FFT, nonlinearity, real FFT,
low-pass) per (sample, filter chunk), with rocket-fft making scipy.fft callable in
``@njit`` code, so intermediate maps stay in cache instead of round-tripping through
memory as full batches; ``_wavelet_layer_adjoint_2d`` is its pullback, fused the
same way, from the wavelet coefficients the forward kept.  The others are the
product-with-periodization and its adjoint (phase-harmonic transform, gradients),
the Hermitian fill of a real signal's spectrum, the half-spectrum low-pass and the
rectified phases.

All kernels work on 2D spectra; 1D callers view ``(B, N)`` as ``(B, 1, N)``.
Each is a part kernel (:func:`skphase.utils._numba.part_kernel`): compiled once,
serial, its outer loop split over skphase's thread pool. What the first call after
installation compiles is kept small: complex products written out
(:func:`skphase.utils._complex.times`), ``|z|`` as ``sqrt(re^2 + im^2)`` with ``math.hypot``
only as a fallback (no helper compiled for ``abs``), numpy's error model
(no zero-division checks: every divisor is a positive size), and the forward layer's
work maps allocated by its caller.
"""

from __future__ import annotations

import logging
import math
import os

import numpy as np

from rocket_fft import c2c, c2r, r2c

from ..utils._complex import times
from ..utils._numba import PerThread, kernel_threads, n_kernel_threads, njit, part_kernel, part_range
from . import _jit, _reference


@njit(cache=True, inline="always", error_model="numpy")
def _accumulate_aliases(x_map, filt_map, kh, kw, out):
    # out (h, w) += sum over the kh x kw aliased blocks of x_map * filt_map (unscaled)
    h, w = out.shape
    for p in range(kh):
        for i in range(h):
            row = i + p * h
            for q in range(kw):
                off = q * w
                for j in range(w):
                    out[i, j] += times(x_map[row, off + j], filt_map[row, off + j])


def _mul_periodize_2d(xhat, filt, kh, kw, out, part, n_parts):
    # out[b, f] = mean over the kh*kw aliases of (xhat[b] * filt[f]).
    n_batch, height, width = xhat.shape
    n_filt = filt.shape[0]
    h = height // kh
    w = width // kw
    scale = 1.0 / (kh * kw)
    lo, hi = part_range(n_batch * n_filt, part, n_parts)
    for bf in range(lo, hi):
        b = bf // n_filt
        f = bf % n_filt
        for i in range(h):
            for j in range(w):
                out[b, f, i, j] = 0.0
        _accumulate_aliases(xhat[b], filt[f], kh, kw, out[b, f])
        for i in range(h):
            for j in range(w):
                out[b, f, i, j] = times(out[b, f, i, j], scale)


def _mul_periodize_adjoint_2d(grad, filt, kh, kw, out, part, n_parts):
    # out[b] = sum_f conj(filt[f]) * tile(grad[b, f], (kh, kw)) / (kh * kw)
    n_batch, n_filt, h, w = grad.shape
    height = h * kh
    width = w * kw
    scale = 1.0 / (kh * kw)
    lo, hi = part_range(n_batch, part, n_parts)
    for b in range(lo, hi):
        for i in range(height):
            for j in range(width):
                out[b, i, j] = 0.0
        for f in range(n_filt):
            for i in range(height):
                ii = i % h
                for j in range(width):
                    out[b, i, j] += times(grad[b, f, ii, j % w], np.conj(filt[f, i, j]))
        for i in range(height):
            for j in range(width):
                out[b, i, j] = times(out[b, i, j], scale)



@njit(cache=True, inline="always", error_model="numpy")
def _fill_full(half_map, width, out):
    # out = the full spectrum of a real map from its rfft half spectrum (2D view)
    height, n_half = half_map.shape
    for r in range(height):
        mirror = (height - r) % height
        for c in range(n_half):
            out[r, c] = half_map[r, c]
        for c in range(n_half, width):
            out[r, c] = np.conj(half_map[mirror, width - c])


@njit(cache=True, inline="always", error_model="numpy")
def _low_pass_half_into(half_map, width, phi, kh, kw, out):
    # out (zeroed, half layout of the coarse grid) = periodize_k(X * phi) from the half
    # spectrum of a real map: missing bins are conj(X(-omega)); phi must be Hermitian.
    height, n_half = half_map.shape
    h = height // kh
    w = width // kw
    out_half = out.shape[1]
    for p in range(kh):
        for i in range(h):
            row = i + p * h
            mirror = (height - row) % height
            for q in range(kw):
                for j in range(out_half):
                    c = j + q * w
                    if c < n_half:
                        out[i, j] += times(half_map[row, c], phi[row, c])
                    else:
                        out[i, j] += times(np.conj(half_map[mirror, width - c]), phi[row, c])
    scale = 1.0 / (kh * kw)
    for i in range(h):
        for j in range(out_half):
            out[i, j] = times(out[i, j], scale)


def _hermitian_fill_2d(half, width, full, part, n_parts):
    # full[b] = the full spectrum of a real signal from its rfft half[b], in one pass
    lo, hi = part_range(half.shape[0], part, n_parts)
    for b in range(lo, hi):
        _fill_full(half[b], width, full[b])


def _relu_phases(z, cos, sin, out, part, n_parts):
    # out[b, f, p] = max(cos_p Re z + sin_p Im z, 0) = rho(Re(e^{-i alpha_p} z))
    n_batch, n_filt, size = z.shape
    n_phases = cos.shape[0]
    lo, hi = part_range(n_batch * n_filt, part, n_parts)
    for bf in range(lo, hi):
        b = bf // n_filt
        f = bf % n_filt
        for p in range(n_phases):
            cp = cos[p]
            sp = sin[p]
            for i in range(size):
                v = cp * z[b, f, i].real + sp * z[b, f, i].imag
                out[b, f, p, i] = v if v > 0 else 0.0


def _low_pass_half_2d(xh, width, phi, kh, kw, out, part, n_parts):
    # Half spectrum in (rfft layout of a real signal), half spectrum out (arrives zeroed).
    lo, hi = part_range(xh.shape[0], part, n_parts)
    for b in range(lo, hi):
        _low_pass_half_into(xh[b], width, phi, kh, kw, out[b])


@njit(cache=True, inline="always", error_model="numpy")
def _copy_map(src, dst):
    # dst[...] = src for two (h, w) maps, as loops: numba's array assignment checks
    # broadcasting with a formatted error message, whose string code costs seconds to compile
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[i, j] = src[i, j]


@njit(cache=True, inline="always", error_model="numpy")
def _layer_grid(height, width, kh, kw, ph, pw):
    # a layer's grids: (h, w) after the wavelet's subsampling by (kh, kw), (h2, w2) after
    # the low-pass's by (ph, pw); and the 1 / (kh kw) of the alias mean
    h = height // kh
    w = width // kw
    return h, w, h // ph, w // pw, 1.0 / (kh * kw)


def _wavelet_layer_2d(X, filt, kh, kw, cos, sin, relu, phi, ph, pw, want_spectra, s_out, u_out,
                      want_z, z_out, axes, chunk, mod_lo, mod_hi, Yw, zw, uw, Uw, Vw, Sw, slot, part,
                      n_parts):
    # One scattering layer, fused per (sample, chunk of filters) so that intermediate
    # maps stay in cache: Y = periodize_k(X[b] * filt[f]); z = ifft(Y); u = rho(z) for
    # each phase (or |z|); U = rfft(u); s = irfft(periodize_p(U * phi)). s goes to
    # s_out; the full spectrum U (Hermitian fill) to u_out when the next order needs it;
    # z (unscaled alias sum, before the 1 / (kh kw) folded into rho) to z_out when asked.
    # Small maps are grouped (``chunk`` filters per task) so that each FFT call does
    # enough work to hide its overhead. The caller allocates each thread's work maps
    # (Yw[slot] ... Sw[slot], ``slot`` the thread running this part) and the FFT axes:
    # allocating inside the kernel would compile numba's array constructors, about a third
    # of this kernel's first-call compile time.
    n_batch, height, width = X.shape
    n_filt, n_out = filt.shape[0], cos.shape[0]
    h, w, h2, w2, scale = _layer_grid(height, width, kh, kw, ph, pw)
    n_chunks = (n_filt + chunk - 1) // chunk
    lo, hi = part_range(n_batch * n_chunks, part, n_parts)
    for task in range(lo, hi):
        b = task // n_chunks
        f0 = (task % n_chunks) * chunk
        nf = chunk if f0 + chunk <= n_filt else n_filt - f0
        n_maps = nf * n_out
        Y, z, u = Yw[slot, :nf], zw[slot, :nf], uw[slot, :n_maps]
        U, V, S = Uw[slot, :n_maps], Vw[slot, :n_maps], Sw[slot, :n_maps]
        for t in range(nf):
            for i in range(h):
                for j in range(w):
                    Y[t, i, j] = 0.0
            _accumulate_aliases(X[b], filt[f0 + t], kh, kw, Y[t])
        c2c(Y, z, axes, False, 1.0 / (h * w), 1)
        if want_z:
            for t in range(nf):
                _copy_map(z[t], z_out[b, f0 + t])
        for t in range(nf):
            for a in range(n_out):
                m = t * n_out + a
                if relu:
                    ca = cos[a] * scale
                    sa = sin[a] * scale
                    for i in range(h):
                        for j in range(w):
                            v = ca * z[t, i, j].real + sa * z[t, i, j].imag
                            u[m, i, j] = v if v > 0 else 0.0
                else:
                    # |z| as sqrt(re^2 + im^2), which vectorizes (libm's hypot costs ~25x as much
                    # in float64, more than the map's FFT); where a square under- or overflows
                    # (sq outside [mod_lo, mod_hi], or nan) the map is redone with hypot
                    ok = True
                    for i in range(h):
                        for j in range(w):
                            re = z[t, i, j].real
                            im = z[t, i, j].imag
                            sq = re * re + im * im
                            u[m, i, j] = math.sqrt(sq) * scale
                            # an exact zero is exact too; sq == 0 alone may be an underflow
                            ok &= ((sq >= mod_lo) & (sq <= mod_hi)) | ((re == 0) & (im == 0))
                    if not ok:
                        for i in range(h):
                            for j in range(w):
                                u[m, i, j] = math.hypot(z[t, i, j].real, z[t, i, j].imag) * scale
        r2c(u, U, axes, True, 1.0, 1)
        for m in range(n_maps):
            for i in range(h2):
                for j in range(w2 // 2 + 1):
                    V[m, i, j] = 0.0
            if want_spectra:
                _fill_full(U[m], w, u_out[b, f0 * n_out + m])
            _low_pass_half_into(U[m], w, phi, ph, pw, V[m])
        c2r(V, S, axes, False, 1.0 / (h2 * w2), 1)
        for m in range(n_maps):
            _copy_map(S[m], s_out[b, f0 * n_out + m])


def _wavelet_layer_adjoint_2d(g_s, z, recompute, X, filt, kh, kw, cos, sin, relu, phi, ph, pw, g_U,
                              has_g_U, n_groups, accumulate, partial, axes, chunk, mod_lo, mod_hi,
                              part, n_parts):
    # Pullback of _wavelet_layer_2d, fused per (sample, group of filter chunks) the same
    # way: for each output map m (filter t, phase a), the gradient on u is
    #   g_u = Re ifft_mid(conj(phi) tile(fft_coarse(g_s)) + n_mid g_U)
    # (the low-pass and irfft scales cancel: n_mid = n_coarse ph pw), computed from its
    # Hermitian part with one irfft; then g_z = d rho^T g_u (with the kernel's alias
    # scale), g_Y = fft(g_z) / n_mid and gX[b] += conj(filt) tile_k(g_Y).
    # Each task owns partial[b, g]; with n_groups > 1 the caller sums the groups into gX
    # (partial is gX itself, viewed (B, 1, H, W), when n_groups == 1, and with
    # ``accumulate`` the result is then added to it instead of overwriting it). With
    # ``recompute``, z is not read but recomputed from the layer's input X as the
    # forward does (alias sum, inverse FFT), for a pullback that needs no forward values.
    n_batch, height, width = partial.shape[0], partial.shape[2], partial.shape[3]
    n_filt, n_out = filt.shape[0], cos.shape[0]
    h, w, h2, w2, scale = _layer_grid(height, width, kh, kw, ph, pw)
    half = w // 2 + 1
    half2 = w2 // 2 + 1
    n_mid = h * w
    # the alias scale of rho and the 1 / n_mid of ifft's adjoint, applied once to g_z
    g_scale = scale / n_mid
    fold = 0.5 * n_mid
    n_chunks = (n_filt + chunk - 1) // chunk
    per_group = (n_chunks + n_groups - 1) // n_groups
    # where each column of the mid grid's half spectrum reads the coarse half spectrum
    # (conjugated past its Nyquist column), and the column of -omega on the mid grid
    src_col = np.empty(half, dtype=np.int64)
    flip_col = np.empty(half, dtype=np.bool_)
    neg_col = np.empty(half, dtype=np.int64)
    for j in range(half):
        jj = j % w2
        flip_col[j] = jj >= half2
        src_col[j] = w2 - jj if jj >= half2 else jj
        neg_col[j] = (w - j) % w
    lo, hi = part_range(n_batch * n_groups, part, n_parts)
    for task in range(lo, hi):
        b = task // n_groups
        grp = task % n_groups
        acc = partial[b, grp]
        if n_groups > 1 or not accumulate:
            for i in range(height):
                for j in range(width):
                    acc[i, j] = 0.0
        for c in range(grp * per_group, min(n_chunks, (grp + 1) * per_group)):
            f0 = c * chunk
            nf = min(chunk, n_filt - f0)
            m0 = f0 * n_out
            n_maps = nf * n_out
            gs = np.empty((n_maps, h2, w2), dtype=g_s.dtype)
            for m in range(n_maps):
                _copy_map(g_s[b, m0 + m], gs[m])
            G = np.empty((n_maps, h2, half2), dtype=z.dtype)
            r2c(gs, G, axes, True, 1.0, 1)
            A = np.empty((n_maps, h, half), dtype=z.dtype)
            for m in range(n_maps):
                for i in range(h):
                    ii = i % h2
                    mirror = (h2 - ii) % h2
                    for j in range(half):
                        if flip_col[j]:
                            v = np.conj(G[m, mirror, src_col[j]])
                        else:
                            v = G[m, ii, src_col[j]]
                        A[m, i, j] = times(v, np.conj(phi[i, j]))
                    if has_g_U:
                        # Re ifft(g_U) only sees the Hermitian part of g_U
                        gu_row = g_U[b, m0 + m, i]
                        gu_neg = g_U[b, m0 + m, (h - i) % h]
                        for j in range(half):
                            sym = gu_row[j] + np.conj(gu_neg[neg_col[j]])
                            A[m, i, j] += times(complex(sym.real, sym.imag), fold)
            g_u = np.empty((n_maps, h, w), dtype=g_s.dtype)
            c2r(A, g_u, axes, False, 1.0 / n_mid, 1)
            if recompute:
                Y = np.zeros((nf, h, w), dtype=X.dtype)
                for t in range(nf):
                    _accumulate_aliases(X[b], filt[f0 + t], kh, kw, Y[t])
                zc = np.empty_like(Y)
                c2c(Y, zc, axes, False, 1.0 / n_mid, 1)
            else:
                zc = z[b, f0:f0 + nf].copy()
            g_z = np.empty((nf, h, w), dtype=z.dtype)
            for t in range(nf):
                zt = zc[t]
                if relu:
                    for i in range(h):
                        for j in range(w):
                            re = 0.0
                            im = 0.0
                            for a in range(n_out):
                                # the forward's own expression, so the mask [a > 0] matches bitwise
                                ca = cos[a] * scale
                                sa = sin[a] * scale
                                if ca * zt[i, j].real + sa * zt[i, j].imag > 0:
                                    gv = g_u[t * n_out + a, i, j]
                                    re += cos[a] * gv
                                    im += sin[a] * gv
                            g_z[t, i, j] = times(complex(re, im), g_scale)
                else:
                    for i in range(h):
                        for j in range(w):
                            re = zt[i, j].real
                            im = zt[i, j].imag
                            sq = re * re + im * im
                            # sqrt where no square under- or overflows, else hypot (decided per
                            # element here; the forward decides per map: at most 1 ulp apart)
                            in_range = (sq >= mod_lo) & (sq <= mod_hi)
                            mod = math.sqrt(sq) if in_range else math.hypot(re, im)
                            if mod > 0:
                                # in double precision, as numba's complex64 * float64
                                wide = complex(zt[i, j].real, zt[i, j].imag)
                                g_z[t, i, j] = times(wide, g_scale * g_u[t, i, j] / mod)
                            else:
                                g_z[t, i, j] = 0.0
            GY = np.empty_like(g_z)
            c2c(g_z, GY, axes, True, 1.0, 1)
            for t in range(nf):
                ft = filt[f0 + t]
                for p in range(kh):
                    for i in range(h):
                        row = i + p * h
                        for q in range(kw):
                            off = q * w
                            for j in range(w):
                                acc[row, off + j] += times(GY[t, i, j], np.conj(ft[row, off + j]))


_logger = logging.getLogger("skphase")
_ANNOUNCED = []


def _announce_compiling(kernel) -> None:
    """Say once per process that numba is about to compile (a first run: no on-disk cache).

    A first transform spends 1 to 3 s (quiet 2-core machine) compiling the kernels it
    uses, which would otherwise look like a hang; later processes load them from the cache.
    """
    if _ANNOUNCED or kernel.signatures:
        return
    try:
        cached = os.path.exists(kernel._cache._cache_file._index_path)
    except AttributeError:  # another numba version's cache layout: stay silent
        return
    if not cached:
        _ANNOUNCED.append(True)
        _logger.warning("skphase: compiling numba kernels for this machine (once, 1-3 s per transform "
                        "and dtype; `skphase warmup` compiles them all, ~15 s); later runs load them "
                        "from numba's cache.")


def _compile(func, reference=None):
    """``func`` as a :func:`~skphase.utils._numba.part_kernel`, called through a dispatch.

    With a pure-numpy ``reference`` twin, the dispatch runs the twin while the kernels are
    not to be called (:func:`._jit.ready`: ``SKPHASE_JIT=off``).
    """
    run = part_kernel(func, cache=True, error_model="numpy")
    _jit.DISPATCHERS.append(run.kernel)

    def dispatch(*args):
        if reference is not None and not _jit.ready():
            reference(*args)
            return
        _announce_compiling(run.kernel)
        run(*args)

    dispatch.__name__ = func.__name__
    dispatch.__doc__ = func.__doc__
    dispatch.kernel = run.kernel
    return dispatch


mul_periodize_2d = _compile(_mul_periodize_2d, _reference.mul_periodize_2d)
mul_periodize_adjoint_2d = _compile(_mul_periodize_adjoint_2d, _reference.mul_periodize_adjoint_2d)
hermitian_fill_2d = _compile(_hermitian_fill_2d, _reference.hermitian_fill_2d)
relu_phases = _compile(_relu_phases, _reference.relu_phases)
low_pass_half_2d = _compile(_low_pass_half_2d, _reference.low_pass_half_2d)
_wavelet_layer_run = _compile(_wavelet_layer_2d)


def filter_chunk(n_filt: int, h: int, w: int) -> int:
    """Filters per task of the fused layers on an (h, w) grid: small maps are grouped so that
    each FFT call does enough work to hide its overhead."""
    return max(1, min(n_filt, 8192 // (h * w)))


def fft_axes(h: int) -> np.ndarray:
    """The transform axes of a stack of maps (n, h, w): 1D signals arrive as (n, 1, w)."""
    return np.array([2] if h == 1 else [1, 2], dtype=np.int64)


def modulus_range(real):
    """A safe range of squared moduli re^2 + im^2 whose square root is |z| to rounding, in
    dtype ``real``: no square overflows below ``max / 2``, and above ``tiny * 2^(p+1)`` an
    underflow of the smaller square is below rounding (a conservative bound)."""
    real = np.dtype(real)
    info = np.finfo(real)
    return real.type(info.tiny * 2.0 ** (info.nmant + 1)), real.type(info.max / 2)


def wavelet_layer_2d(X, filt, kh, kw, cos, sin, relu, phi, ph, pw, want_spectra, s_out, u_out,
                     want_z, z_out):
    """One fused scattering layer (see ``_wavelet_layer_2d``), with each thread's work maps
    allocated here: 2D spectra X (B, H, W), filters (F, H, W); writes s_out, u_out, z_out."""
    n_batch, height, width = X.shape
    n_filt, n_out = filt.shape[0], cos.shape[0]
    h, w = height // kh, width // kw
    h2, w2 = h // ph, w // pw
    chunk = filter_chunk(n_filt, h, w)
    n_tasks = n_batch * -(-n_filt // chunk)
    n_threads = max(1, min(n_kernel_threads(), n_tasks))
    maps = (n_threads, chunk * n_out)
    axes = fft_axes(h)
    work = (np.empty((n_threads, chunk, h, w), dtype=X.dtype), np.empty((n_threads, chunk, h, w), dtype=X.dtype),
            np.empty(maps + (h, w), dtype=s_out.dtype), np.empty(maps + (h, w // 2 + 1), dtype=X.dtype),
            np.empty(maps + (h2, w2 // 2 + 1), dtype=X.dtype), np.empty(maps + (h2, w2), dtype=s_out.dtype))
    mod_lo, mod_hi = modulus_range(s_out.dtype)
    # the work maps have one slot per thread: the kernel must run on exactly n_threads threads
    with kernel_threads(n_threads):
        _wavelet_layer_run(X, filt, kh, kw, cos, sin, relu, phi, ph, pw, want_spectra, s_out, u_out,
                           want_z, z_out, axes, chunk, mod_lo, mod_hi, *work, PerThread(range(n_threads)))


# the compiled kernel, for warm-up checks: calling it directly needs work maps with a slot for
# the ``slot`` it is given
wavelet_layer_2d.kernel = _wavelet_layer_run.kernel
wavelet_layer_adjoint_2d = _compile(_wavelet_layer_adjoint_2d)
