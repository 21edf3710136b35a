"""Morlet and Gabor filters with Kymatio 0.3's exact definitions, built vectorised.

Two conventions coexist, as in Kymatio:

* 2D filters are defined in space (a Gaussian envelope, periodised over the
  neighbouring periods, times a plane wave), then Fourier transformed; the
  bandwidth parameter ``sigma`` is the spatial standard deviation in samples.
* 1D filters are defined directly in frequency (a Gaussian bump, periodised in
  frequency); ``sigma`` is a frequency standard deviation.

Public constructors take frequencies in radians per sample.  Internally the
1D helpers work in cycles per sample, Kymatio's unit, so that the dyadic
subsampling rule (a ``floor`` of a ``log2``) sees the very same floats.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft

from ..utils._params import Floats, Ints, Shape, validate_params

__all__ = ["gabor_2d", "morlet_2d", "morlet_1d", "gaussian_1d"]

# Kymatio normalises its 2D filters by 2 * 3.1415 * sigma**2 / slant (a truncated pi).
# Keeping the same constant is what makes our coefficients agree with Kymatio's to
# better than 1e-4; with math.pi they would differ by 3e-5 relative per filter.
_KYMATIO_PI = 3.1415

# Envelope terms below exp(-_NEGLIGIBLE) of the peak are not evaluated.
_NEGLIGIBLE = 46.0  # exp(-46) ~ 1e-20

# Complex values per block of a bank's temporary complex arrays (4 MiB): the 2D
# bank's spatial filters, the 1D bank's normalisation.
_CHUNK_VALUES = 2 ** 18

# Kymatio 1D design constants (ScatteringBase1D.build).
_R_PSI = math.sqrt(0.5)
_SIGMA0 = 0.1
_ALPHA = 5.0

# sqrt(2 * 748): exp(-x^2 / 2) is exactly 0.0 in float64 beyond this many sigmas.
_UNDERFLOW = math.sqrt(2 * 748.0)


# ---------------------------------------------------------------- 2D (spatial)
def _gaussian_terms(shape, sigma, theta, slant):
    """Yield the non-negligible terms of Kymatio's periodised anisotropic Gaussian.

    Kymatio sums the envelope over the 5 x 5 neighbouring periods of the grid
    ``[0, M) x [0, N)``.  The sum is rebuilt term by term on the sub-box where
    each term exceeds exp(-46) of the peak, which is a handful of pixels for
    small filters instead of 25 full-grid exponentials.

    Yields ``(rows, cols, X, Y, envelope)``: the slices of the output grid, the
    unwrapped coordinates there and the envelope values.
    """
    M, N = shape
    c, s = math.cos(theta), math.sin(theta)
    inv = 1.0 / (2.0 * sigma * sigma)
    # Quadratic form R diag(1, slant^2) R^T / (2 sigma^2), written out.
    a = (c * c + slant * slant * s * s) * inv
    cc = (s * s + slant * slant * c * c) * inv
    b2 = 2.0 * (c * s - slant * slant * c * s) * inv
    lam_min = min(1.0, slant * slant) * inv
    radius = math.sqrt(_NEGLIGIBLE / lam_min)
    for ex in range(-2, 3):
        lo_x = max(0, math.ceil(-radius - ex * M))
        hi_x = min(M, math.floor(radius - ex * M) + 1)
        if lo_x >= hi_x:
            continue
        X = np.arange(lo_x, hi_x, dtype=np.float64) + ex * M
        for ey in range(-2, 3):
            lo_y = max(0, math.ceil(-radius - ey * N))
            hi_y = min(N, math.floor(radius - ey * N) + 1)
            if lo_y >= hi_y:
                continue
            Y = np.arange(lo_y, hi_y, dtype=np.float64) + ey * N
            quad = (a * X * X)[:, None] + (b2 * X)[:, None] * Y[None, :] + (cc * Y * Y)[None, :]
            yield slice(lo_x, hi_x), slice(lo_y, hi_y), X, Y, np.exp(-quad)


def _gabor_scale(sigma, slant):
    """Kymatio's normalisation of its 2D Gabor, slant / (2 * 3.1415 * sigma^2)."""
    return 1.0 / (2.0 * _KYMATIO_PI * sigma * sigma / slant)


def _gabor_terms(shape, sigma, theta, xi, slant):
    """Kymatio's spatial Gabor, term by term: ``(rows, cols, envelope, gabor)``, unnormalised.

    The terms overlap where the periodisation wraps, so they add.
    """
    kx, ky = xi * math.cos(theta), xi * math.sin(theta)
    for rows, cols, X, Y, env in _gaussian_terms(shape, sigma, theta, slant):
        # The plane wave is separable, so it costs two 1D exponentials.
        yield rows, cols, env, env * np.exp(1j * kx * X)[:, None] * np.exp(1j * ky * Y)[None, :]


def _write_morlet(out, sigma, theta, xi, slant):
    """Write Kymatio's zero-mean spatial Morlet (normalised) into ``out``, a zeroed complex array.

    The zero-mean correction needs the sums of all terms first. A fine-scale filter
    keeps its few small terms and writes only those sub-boxes; once the terms
    together outgrow the grid (a wide envelope, up to 25 full-grid terms), they are
    added into one dense envelope instead, which bounds the memory by two grids.
    """
    stored, area, envelope = [], 0, None
    gabor_sum = envelope_sum = 0.0
    for rows, cols, env, gabor in _gabor_terms(out.shape, sigma, theta, xi, slant):
        gabor_sum += gabor.sum()
        envelope_sum += env.sum()
        if envelope is not None:
            envelope[rows, cols] += env
            out[rows, cols] += gabor
            continue
        stored.append((rows, cols, env, gabor))
        area += env.size
        if area > out.size:
            envelope = np.zeros(out.shape, dtype=np.float64)
            for r, c, e, g in stored:
                envelope[r, c] += e
                out[r, c] += g
            stored = None
    kappa = gabor_sum / envelope_sum
    scale = _gabor_scale(sigma, slant)
    if envelope is not None:
        out -= kappa * envelope
        out *= scale
        return out
    for rows, cols, env, gabor in stored:
        gabor -= kappa * env
        gabor *= scale
        out[rows, cols] += gabor
    return out


def _gabor_morlet_spatial(shape, sigma, theta, xi, slant):
    """Kymatio's spatial Gabor and its zero-mean Morlet, both complex (M, N), normalised."""
    gabor = np.zeros(shape, dtype=np.complex128)
    envelope = np.zeros(shape, dtype=np.float64)
    for rows, cols, env, gab in _gabor_terms(shape, sigma, theta, xi, slant):
        gabor[rows, cols] += gab
        envelope[rows, cols] += env
    kappa = gabor.sum() / envelope.sum()
    scale = _gabor_scale(sigma, slant)
    gabor *= scale
    envelope *= scale
    return gabor, gabor - kappa * envelope


_POSITIVE = [Floats(0, closed="neither", text="a positive finite float")]
_ANY = [Floats()]
_GABOR_2D = {"shape": [Shape((2,), min_size=1)], "sigma": _POSITIVE, "theta": _ANY, "xi": _ANY,
             "slant": _POSITIVE}


@validate_params(_GABOR_2D)
def gabor_2d(shape: tuple[int, int], sigma: float, theta: float, xi: float,
             slant: float = 1.0) -> np.ndarray:
    r"""Fourier transform of Kymatio's periodised 2D Gabor filter.

    In space, on the grid ``u = (u_0, u_1)`` with ``u_0`` the row index,

    .. math::

        g(u) = \frac{\text{slant}}{2 \cdot 3.1415\, \sigma^2}
               \sum_{e \in \{-2..2\}^2}
               e^{-\frac{1}{2\sigma^2} v^T R_\theta D R_\theta^T v + i \xi (v_0 \cos\theta + v_1 \sin\theta)},
        \qquad v = u + (e_0 M, e_1 N),

    with ``D = diag(1, slant**2)``: the envelope has standard deviation
    ``sigma`` along the wave vector and ``sigma / slant`` across it.  The sum
    over the 25 neighbouring periods and the constant 3.1415 are Kymatio 0.3's.

    Parameters
    ----------
    shape : tuple of int
        Grid ``(M, N)``.
    sigma : float
        Spatial standard deviation of the envelope, in samples.
    theta : float
        Orientation of the wave vector, in radians, measured from the first
        (row) axis towards the second.
    xi : float
        Central frequency, in radians per sample.
    slant : float, default=1.0
        Ratio of the envelope's widths (along / across the wave vector).

    Returns
    -------
    ndarray of shape (M, N), float64
        The real part of the DFT (in ``numpy.fft.fftfreq`` order); the
        imaginary part vanishes up to the truncation of the periodisation.

    See Also
    --------
    morlet_2d : The zero-mean version used by the scattering transform.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.filters import gabor_2d
    >>> g = gabor_2d((32, 32), sigma=2.0, theta=0.0, xi=np.pi / 2)
    >>> g.shape, int(np.argmax(g[:, 0]))   # peaks at xi = 2 pi * 8 / 32
    ((32, 32), 8)
    """
    shape = (int(shape[0]), int(shape[1]))
    gabor, _ = _gabor_morlet_spatial(shape, float(sigma), float(theta), float(xi), float(slant))
    return scipy.fft.fft2(gabor).real


@validate_params(_GABOR_2D)
def morlet_2d(shape: tuple[int, int], sigma: float, theta: float, xi: float,
              slant: float = 0.5) -> np.ndarray:
    r"""Fourier transform of Kymatio's periodised 2D Morlet wavelet.

    ``psi = g_xi - K g_0`` where ``g_xi`` is :func:`gabor_2d` in space and
    ``K = sum(g_xi) / sum(g_0)`` removes the mean, so that ``psi_hat(0) = 0``.

    Parameters
    ----------
    shape : tuple of int
        Grid ``(M, N)``.
    sigma : float
        Spatial standard deviation of the envelope, in samples.
    theta : float
        Orientation of the wave vector in radians (see :func:`gabor_2d`).
    xi : float
        Central frequency, in radians per sample.
    slant : float, default=0.5
        Ratio of the envelope's widths; the scattering bank uses ``4 / L``.

    Returns
    -------
    ndarray of shape (M, N), float64
        Real part of the DFT, in ``numpy.fft.fftfreq`` order.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.filters import morlet_2d
    >>> psi_hat = morlet_2d((32, 32), sigma=0.8, theta=0.0, xi=3 * np.pi / 4)
    >>> bool(abs(psi_hat[0, 0]) < 1e-12)    # zero mean
    True
    >>> psi = np.fft.ifft2(psi_hat)          # the spatial filter, for plotting
    """
    shape = (int(shape[0]), int(shape[1]))
    _, morlet = _gabor_morlet_spatial(shape, float(sigma), float(theta), float(xi), float(slant))
    return scipy.fft.fft2(morlet).real


def _morlet_2d_bank(shape, J, L):
    """The scattering2d Morlet bank of Kymatio 0.3, at full resolution.

    Returns ``(psi_hat, j, theta, xi, sigma, phi_hat, sigma_phi)`` with
    ``psi_hat`` of shape (J * L, M, N) in (j, theta) order.
    """
    n = J * L
    js = np.repeat(np.arange(J), L)
    thetas = np.tile(np.arange(L), J)
    sigmas = 0.8 * 2.0 ** js
    xis = 3.0 / 4.0 * np.pi / 2.0 ** js
    # Kymatio's orientation angle for index t; int() truncates for odd L.
    angles = (int(L - L / 2 - 1) - thetas) * np.pi / L
    # A few filters at a time: their complex spatial maps stay small, and only the
    # real float64 spectra, the bank itself, are kept.
    psi_hat = np.empty((n,) + tuple(shape), dtype=np.float64)
    chunk = max(1, min(n, _CHUNK_VALUES // (shape[0] * shape[1])))
    buffer = np.empty((chunk,) + tuple(shape), dtype=np.complex128)
    for start in range(0, n, chunk):
        part = buffer[:min(chunk, n - start)]
        part.fill(0.0)
        for k, spatial in enumerate(part, start):
            _write_morlet(spatial, sigmas[k], angles[k], xis[k], 4.0 / L)
        psi_hat[start:start + len(part)] = scipy.fft.fft2(part, axes=(-2, -1), overwrite_x=True).real
    sigma_phi = 0.8 * 2.0 ** (J - 1)
    envelope, _ = _gabor_morlet_spatial(shape, sigma_phi, 0.0, 0.0, 1.0)
    phi_hat = scipy.fft.fft2(envelope).real
    return psi_hat, js, thetas, xis, sigmas, phi_hat, sigma_phi


# ---------------------------------------------------------- 1D (frequency)
def _adaptive_choice_P(sigma, eps=1e-7):
    """Number of frequency periods so that the Gaussian tails fall below eps."""
    return int(math.ceil(math.sqrt(-2 * sigma ** 2 * math.log(eps)) + 1))


def _periodized_gaussian(N, P, centre, sigma):
    """The mean over 2P - 1 periods of exp(-(f - centre)^2 / (2 sigma^2)), f = k / N.

    Kymatio evaluates the Gaussian on all (2P - 1) N frequencies of
    ``arange((1 - P) N, P N) / N`` and takes the mean of the reshaped periods.
    Outside ``_UNDERFLOW`` sigmas the values are exactly 0.0, so only the window
    is evaluated and added period by period, in the same order: bit for bit the
    same sums, without the (2P - 1) N arrays.
    """
    nperiods = 2 * P - 1
    start = (1 - P) * N
    half_width = _UNDERFLOW * sigma
    # one sample of margin: a window wider than the support adds only exact zeros
    lo = max(0, math.floor((centre - half_width) * N) - start - 1)
    hi = min(nperiods * N, math.ceil((centre + half_width) * N) - start + 2)
    out = np.zeros(N)
    if lo < hi:
        freqs = np.arange(start + lo, start + hi, dtype=float) / float(N)
        values = np.exp(-(freqs - centre) ** 2 / (2 * sigma ** 2))
        for period in range(lo // N, (hi - 1) // N + 1):
            a, b = max(lo, period * N), min(hi, (period + 1) * N)
            out[a - period * N:b - period * N] += values[a - lo:b - lo]
    return out / nperiods


def _morlet_1d_unnormalised(N, xi, sigma):
    """Kymatio's ``morlet_1d`` before its l1 normalisation (see :func:`_morlet_1d_cycles`)."""
    P = min(_adaptive_choice_P(sigma), 5)
    if P == 1:
        # With a single period the low-pass must be continuous around 0, hence
        # the symmetric interval [-0.5, 0.5) instead of [0, 1).
        low_pass_f = np.exp(-(np.fft.fftfreq(N) ** 2) / (2 * sigma ** 2))
    else:
        low_pass_f = _periodized_gaussian(N, P, 0.0, sigma)
    if xi:
        gabor_f = _periodized_gaussian(N, P, xi, sigma)
        kappa = gabor_f[0] / low_pass_f[0]
        return gabor_f - kappa * low_pass_f
    return low_pass_f


def _l1_normalised(filters_f):
    """Each row divided by the l1 norm of its inverse DFT (Kymatio's normalisation).

    Rows go through the inverse FFT a block at a time (about 4 MiB of complex values),
    so that a long bank does not hold a complex copy of itself; a row's result does
    not depend on the block it is in.
    """
    rows = max(1, _CHUNK_VALUES // filters_f.shape[-1])
    for start in range(0, filters_f.shape[0], rows):
        block = filters_f[start:start + rows]
        block /= np.abs(scipy.fft.ifft(block, axis=-1)).sum(axis=-1, keepdims=True)
    return filters_f


def _morlet_1d_cycles(N, xi, sigma):
    """Kymatio's ``morlet_1d`` (``xi`` None or 0 gives the Gaussian), cycles/sample.

    The operations follow Kymatio's order so that the result agrees to the last
    few ulps, which keeps threshold-based quantities (temporal support, padding)
    identical.
    """
    return _l1_normalised(_morlet_1d_unnormalised(N, xi, sigma)[None])[0]


@validate_params({"N": [Ints(1)], "xi": [Floats(0, closed="neither", text="a positive finite float "
                                                     "(radians/sample)")], "sigma": _POSITIVE})
def morlet_1d(N: int, xi: float, sigma: float) -> np.ndarray:
    r"""Fourier transform of Kymatio 0.3's 1D Morlet wavelet.

    In frequency (``omega`` in radians per sample),

    .. math::

        \hat\psi(\omega) = c \sum_{p} \Big( e^{-\frac{(\omega + 2\pi p - \xi)^2}{2\sigma^2}}
            - \kappa\, e^{-\frac{(\omega + 2\pi p)^2}{2\sigma^2}} \Big),

    summed over as many periods ``p`` as the Gaussian needs (at most 9),
    ``kappa`` making ``psi_hat(0) = 0`` and ``c`` giving the filter a unit
    l1 norm in time.

    Parameters
    ----------
    N : int
        Number of samples.
    xi : float
        Central frequency, in radians per sample (Kymatio's ``xi`` times 2 pi).
    sigma : float
        Frequency standard deviation, in radians per sample.

    Returns
    -------
    ndarray of shape (N,), float64
        The DFT in ``numpy.fft.fftfreq`` order.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.filters import morlet_1d
    >>> psi_hat = morlet_1d(256, xi=np.pi / 2, sigma=0.3)
    >>> int(np.argmax(psi_hat)), bool(abs(psi_hat[0]) < 1e-12)
    (64, True)
    """
    return _morlet_1d_cycles(int(N), xi / (2 * np.pi), sigma / (2 * np.pi))


@validate_params({"N": [Ints(1)], "sigma": _POSITIVE})
def gaussian_1d(N: int, sigma: float) -> np.ndarray:
    r"""Fourier transform of Kymatio 0.3's 1D Gaussian low-pass filter.

    ``phi_hat(omega) = c sum_p exp(-(omega + 2 pi p)^2 / (2 sigma^2))``, with
    ``c`` giving a unit l1 norm in time.

    Parameters
    ----------
    N : int
        Number of samples.
    sigma : float
        Frequency standard deviation, in radians per sample.

    Returns
    -------
    ndarray of shape (N,), float64
        The DFT in ``numpy.fft.fftfreq`` order.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.filters import gaussian_1d
    >>> phi_hat = gaussian_1d(64, sigma=0.2)
    >>> bool(np.isclose(np.abs(np.fft.ifft(phi_hat)).sum(), 1.0))
    True
    """
    return _morlet_1d_cycles(int(N), None, sigma / (2 * np.pi))


def _compute_sigma_psi(xi, Q, r=_R_PSI):
    factor = 1.0 / math.pow(2, 1.0 / Q)
    term1 = (1 - factor) / (1 + factor)
    term2 = 1.0 / math.sqrt(2 * math.log(1.0 / r))
    return xi * term1 * term2


def _max_dyadic_subsampling(xi, sigma, alpha):
    """Largest j with xi + alpha sigma < 2**-(j+1) (Kymatio's aliasing rule)."""
    upper_bound = min(xi + alpha * sigma, 0.5)
    return int(math.floor(-math.log2(upper_bound)) - 1)


def _kymatio_1d_params(J, Q, alpha=_ALPHA, r_psi=_R_PSI, sigma0=_SIGMA0):
    """Kymatio 0.3's ``compute_params_filterbank`` with sigma_min = sigma0 / 2**J.

    Constant-Q geometric progression of (xi, sigma) down to the elbow, then Q - 1
    filters of constant bandwidth spaced linearly down to 0.  In cycles/sample.
    """
    sigma_min = sigma0 / math.pow(2, J)
    xi_max = max(1.0 / (1.0 + math.pow(2.0, 3.0 / Q)), 0.35)
    sigma_max = _compute_sigma_psi(xi_max, Q, r=r_psi)
    if sigma_max <= sigma_min:
        xis, sigmas, elbow_xi = [], [], sigma_max
    else:
        xis, sigmas = [xi_max], [sigma_max]
        while sigmas[-1] > sigma_min * math.pow(2, 1 / Q):
            xis.append(xis[-1] / math.pow(2, 1 / Q))
            sigmas.append(sigmas[-1] / math.pow(2, 1 / Q))
        elbow_xi = xis[-1]
    for q in range(1, Q):
        xis.append(elbow_xi - q / Q * elbow_xi)
        sigmas.append(sigma_min)
    js = [_max_dyadic_subsampling(x, s, alpha) for x, s in zip(xis, sigmas)]
    return xis, sigmas, js


def _morlet_1d_bank(N, J, Q):
    """Kymatio 0.3's 1D Morlet band-pass filters for Q per octave, full resolution.

    Returns ``(psi_hat, j, xi, sigma)`` with frequencies in radians/sample.
    """
    xis, sigmas, js = _kymatio_1d_params(J, Q)
    psi_hat = np.empty((len(xis), N), dtype=np.float64)
    for k, (xi, sigma) in enumerate(zip(xis, sigmas)):
        psi_hat[k] = _morlet_1d_unnormalised(N, xi, sigma)
    _l1_normalised(psi_hat)  # one batched inverse FFT for the whole bank
    two_pi = 2 * np.pi
    return (psi_hat, np.asarray(js, dtype=np.int64),
            two_pi * np.asarray(xis, dtype=np.float64), two_pi * np.asarray(sigmas, dtype=np.float64))


def _morlet_1d_lowpass(N, J):
    """Kymatio's 1D low-pass for T = 2**J: ``(phi_hat, sigma)``, sigma in radians/sample."""
    sigma = _SIGMA0 / 2 ** J
    return _morlet_1d_cycles(N, None, sigma), 2 * np.pi * sigma


def _temporal_support(h_f, criterion_amplitude=1e-3):
    """Kymatio's ``compute_temporal_support`` for one centred symmetric filter.

    Smallest n such that the l1 mass of the filter beyond n (on one side) is at
    most ``criterion_amplitude``, plus one.  Returns ``(n, fits)``; when no such
    n exists, ``(N // 2, False)``, and the caller warns about border effects.
    """
    h = np.abs(scipy.fft.ifft(h_f))
    half_support = h.shape[0] // 2
    tail = np.cumsum(h[:half_support][::-1])[::-1]
    below = np.flatnonzero(tail <= criterion_amplitude)
    if below.size:
        return int(below[0]) + 1, True
    return half_support, False
