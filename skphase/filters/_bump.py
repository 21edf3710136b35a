r"""Steerable bump wavelets: a tight frame with compact support in frequency.

Design (frequencies ``omega`` in radians per sample, ``|omega|`` its norm).

Radial window.  With Meyer's polynomial
``nu(x) = x^4 (35 - 84 x + 70 x^2 - 20 x^3)`` on [0, 1], which satisfies
``nu(x) + nu(1 - x) = 1``, let

.. math::

    h(u) = \sin\big(\tfrac{\pi}{2}\, \nu(1 - |u|)\big) \ \text{for } |u| < 1,
    \qquad h(u) = 0 \ \text{otherwise},

a C^3 bump with ``h(u)^2 + h(u - 1)^2 = 1`` on [0, 1].  A band-pass filter of
centre ``xi`` with Q filters per octave has the radial profile
``R(omega) = h(Q log2(|omega| / xi))``: it lives in the open band
``(xi 2^{-1/Q}, xi 2^{1/Q})`` and peaks (at 1) at ``|omega| = xi``.  The
centres are ``xi_k = pi 2^{-(k+1)/Q}`` for k = 0 .. J Q - 1, so neighbours
overlap exactly where their squares sum to 1.  The finest filter (k = 0) is
continued by a plateau ``R = 1`` for ``|omega| >= xi_0`` up to the edge of the
Nyquist square, and the low-pass is ``phi_hat = sqrt(1 - R_{JQ-1}^2)`` below
``xi_{JQ-1} = pi 2^{-J}`` (1 near 0, 0 from ``pi 2^{-J}`` on).  Hence, in
every direction,

.. math::

    |\hat\phi(\omega)|^2 + \sum_k R_k(\omega)^2 = 1 .

1D filters are analytic: ``psi_hat_k(omega) = sqrt(2) R_k(omega)`` for
``omega > 0`` and 0 for ``omega <= 0``.

2D filters (Q = 1, ``xi_j = pi 2^{-(j+1)}``) add the angular window

.. math::

    A_\theta(\omega) = c_L \cos^{L-1}(\angle\omega - \theta)\,
    \mathbf 1[\cos(\angle\omega - \theta) > 0],
    \qquad c_L^2 = \frac{2 \cdot 4^{L-1}}{L \binom{2L-2}{L-1}},

supported on the half-plane facing ``theta``; for any L orientations spaced by
pi / L, ``sum_theta cos^{2(L-1)}(a - theta) = L binom(2L-2, L-1) / 4^{L-1}``
is constant (a trigonometric identity: the harmonics of degree < L cancel), so
``c_L`` makes ``(1/2) sum_theta (A_theta(omega)^2 + A_theta(-omega)^2) = 1``.

Littlewood-Paley.  For real signals,
``LP = |phi_hat|^2 + (1/2) sum (|psi_hat(omega)|^2 + |psi_hat(-omega)|^2)``
is then identically 1 (a tight frame).  On the DFT grid the frequency
``-pi`` stands for both ``-pi`` and ``+pi``; there the filter takes the
root-mean-square of its values over all representatives in the closed square
``[-pi, pi]^d``, which keeps ``LP = 1`` exactly on the grid as well.

Subsampling.  Band-pass ``k`` vanishes for ``|omega| >= pi 2^{-k/Q}``, so it
fits the Nyquist band ``(-pi 2^{-j}, pi 2^{-j})`` of resolution ``2^j`` with
``j = floor(k / Q)`` (``j`` = the scale index in 2D), and the low-pass fits
resolution ``2^J``.
"""

from __future__ import annotations

import math

import numpy as np

from ..utils._params import Floats, Ints, Shape, validate_params

__all__ = ["bump_1d", "bump_2d", "bump_lowpass"]

# Points with |u| within this of 1 are treated as outside the support, so that
# the band edge (an exact power of two times pi) is a zero of the filter despite
# rounding in log2; h there is below 1e-33, well under any tolerance.
_EDGE = 1e-9


def _meyer_nu(x):
    return x ** 4 * (35.0 - 84.0 * x + 70.0 * x ** 2 - 20.0 * x ** 3)


def _bump_window(u):
    """h(u) = sin(pi/2 nu(1 - |u|)) on |u| < 1, else 0 (vectorised)."""
    a = np.abs(u)
    out = np.zeros_like(a)
    inside = a < 1.0 - _EDGE
    out[inside] = np.sin(0.5 * np.pi * _meyer_nu(1.0 - a[inside]))
    return out


def _log_position(radius, xi, Q):
    """u = Q log2(|omega| / xi), with -inf at omega = 0."""
    with np.errstate(divide="ignore"):
        return Q * (np.log2(radius) - math.log2(xi))


def _radial_bandpass(radius, xi, Q, highpass):
    u = _log_position(radius, xi, Q)
    r = _bump_window(u)
    if highpass:
        r[u >= 0] = 1.0
    return r


def _radial_lowpass(radius, xi, Q):
    """sqrt(1 - R^2) of the band-pass of centre xi, below xi: 1, bump, then 0."""
    u = _log_position(radius, xi, Q)
    out = _bump_window(u + 1.0)
    out[u <= -1.0 + _EDGE] = 1.0
    out[u >= 0.0] = 0.0
    return out


def _grid_with_nyquist(n):
    """DFT frequencies (fftfreq order) with +pi appended after the -pi bin."""
    return np.concatenate([2 * np.pi * np.fft.fftfreq(n), [np.pi]])


def _fold_nyquist(values):
    """Fold values on the extended grid (+pi appended per axis) back to the DFT grid.

    The DFT bin at -pi represents -pi and +pi; it gets the root-mean-square over
    its representatives (2 on an edge, 4 on a corner in 2D).
    """
    sq = values * values
    out = values
    for axis in range(values.ndim):
        n = values.shape[axis] - 1
        take = [slice(None)] * values.ndim
        take[axis] = slice(0, n)
        nyq = [slice(None)] * values.ndim
        nyq[axis] = n // 2
        extra = [slice(None)] * values.ndim
        extra[axis] = n
        folded = sq[tuple(take)].copy()
        folded[tuple(nyq)] = 0.5 * (sq[tuple(nyq)] + sq[tuple(extra)])
        sq = folded
        out = out[tuple(take)]
    out = out.copy()
    boundary = np.zeros(out.shape, dtype=bool)
    for axis in range(out.ndim):
        idx = [slice(None)] * out.ndim
        idx[axis] = out.shape[axis] // 2
        boundary[tuple(idx)] = True
    out[boundary] = np.sqrt(sq[boundary])
    return out


def _radius_2d(shape):
    w0 = _grid_with_nyquist(shape[0])[:, None]
    w1 = _grid_with_nyquist(shape[1])[None, :]
    return w0, w1, np.sqrt(w0 * w0 + w1 * w1)


def _angular_constant(L):
    n = L - 1
    return math.sqrt(2.0 * 4.0 ** n / (L * math.comb(2 * n, n)))


def _angular_window(w0, w1, radius, theta, L):
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (w0 * math.cos(theta) + w1 * math.sin(theta)) / radius
    cos = np.where(radius > 0, cos, 0.0)
    window = np.where(cos > 0, np.maximum(cos, 0.0) ** (L - 1), 0.0)
    if L == 1:
        # The half-plane indicator: a direction exactly on its border has both
        # omega and -omega there, so it takes half the power on each side.
        window[(cos == 0) & (radius > 0)] = math.sqrt(0.5)
    return _angular_constant(L) * window


_XI = [Floats(0, np.pi, closed="right", text="a float in (0, pi] (radians/sample)")]


@validate_params({"N": [Ints(2, even=True)], "xi": _XI, "Q": [Ints(1)], "highpass": ["boolean"]})
def bump_1d(N: int, xi: float, *, Q: int = 1, highpass: bool = False) -> np.ndarray:
    r"""Fourier transform of an analytic 1D bump wavelet.

    ``psi_hat(omega) = sqrt(2) h(Q log2(omega / xi))`` for ``omega > 0`` and 0
    for ``omega <= 0``, where ``h`` is the C^3 bump described in
    :mod:`skphase.filters._bump`; with ``highpass=True`` the filter stays at
    ``sqrt(2)`` for ``omega >= xi`` (the finest filter of a bank).

    Parameters
    ----------
    N : int
        Number of samples (even).
    xi : float
        Centre frequency in (0, pi], radians per sample.
    Q : int, default=1
        Filters per octave: the support is ``(xi 2^{-1/Q}, xi 2^{1/Q})``.
    highpass : bool, default=False
        Continue the filter by a plateau above ``xi``.

    Returns
    -------
    ndarray of shape (N,), float64
        The DFT in ``numpy.fft.fftfreq`` order (real and non-negative).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.filters import bump_1d
    >>> psi_hat = bump_1d(64, xi=np.pi / 4)
    >>> float(psi_hat[8]), float(psi_hat[0]), bool(np.all(psi_hat[33:] == 0))
    (1.4142135623730951, 0.0, True)
    """
    xi, Q = float(xi), int(Q)
    omega = _grid_with_nyquist(int(N))
    values = np.where(omega > 0, math.sqrt(2.0) * _radial_bandpass(np.abs(omega), xi, Q, highpass), 0.0)
    return _fold_nyquist(values)


@validate_params({"shape": [Shape((2,), min_size=2, even=True)], "xi": _XI, "theta": [Floats()],
                  "L": [Ints(1)], "highpass": ["boolean"]})
def bump_2d(shape: tuple[int, int], xi: float, theta: float, *, L: int = 8,
            highpass: bool = False) -> np.ndarray:
    r"""Fourier transform of a steerable 2D bump wavelet.

    ``psi_hat(omega) = h(log2(|omega| / xi)) A_theta(omega)``: a radial bump
    one octave wide on each side of ``xi`` times the half-plane angular window
    ``c_L cos^{L-1}(angle(omega) - theta)`` (see :mod:`skphase.filters._bump`).

    Parameters
    ----------
    shape : tuple of int
        Grid ``(M, N)``, both even.
    xi : float
        Centre frequency in (0, pi], radians per sample.
    theta : float
        Orientation in radians, measured from the first (row) frequency axis
        towards the second, as in :func:`morlet_2d`.
    L : int, default=8
        Number of orientations of the bank (sets the angular exponent L - 1
        and the normalisation ``c_L``).
    highpass : bool, default=False
        Continue the radial profile by 1 above ``xi`` (finest filter of a bank).

    Returns
    -------
    ndarray of shape (M, N), float64
        The DFT in ``numpy.fft.fftfreq`` order (real and non-negative).

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.filters import bump_2d
    >>> psi_hat = bump_2d((32, 32), xi=np.pi / 4, theta=0.0)
    >>> int(np.argmax(psi_hat[:, 0])), float(psi_hat[0, 0])
    (4, 0.0)
    """
    w0, w1, radius = _radius_2d((int(shape[0]), int(shape[1])))
    values = (_radial_bandpass(radius, float(xi), 1, highpass)
              * _angular_window(w0, w1, radius, float(theta), int(L)))
    return _fold_nyquist(values)


@validate_params({"shape": [Shape((1, 2), min_size=2, even=True)], "xi": _XI, "Q": [Ints(1)]})
def bump_lowpass(shape: tuple[int, ...], xi: float, *, Q: int = 1) -> np.ndarray:
    r"""Fourier transform of the bump low-pass that completes a bank ending at ``xi``.

    ``phi_hat = sqrt(1 - R^2)`` below ``xi``, where ``R`` is the radial profile
    of the band-pass of centre ``xi`` (Q per octave): 1 for
    ``|omega| <= xi 2^{-1/Q}``, a smooth bump down to 0 at ``|omega| = xi``.

    Parameters
    ----------
    shape : tuple of int
        ``(N,)`` or ``(M, N)``, even sizes.
    xi : float
        Centre of the coarsest band-pass filter, in (0, pi].
    Q : int, default=1
        Filters per octave of that band-pass.

    Returns
    -------
    ndarray of shape ``shape``, float64
        The DFT in ``numpy.fft.fftfreq`` order.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.filters import bump_lowpass
    >>> phi_hat = bump_lowpass((64,), xi=np.pi / 8)
    >>> float(phi_hat[0]), float(phi_hat[4])     # 1 at 0, 0 from pi / 8 on
    (1.0, 0.0)
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) == 1:
        radius = np.abs(_grid_with_nyquist(shape[0]))
    else:
        radius = _radius_2d(shape)[2]
    return _fold_nyquist(_radial_lowpass(radius, float(xi), int(Q)))


def _bump_centres(J, Q):
    """xi_k = pi 2^{-(k+1)/Q}, k = 0 .. J Q - 1, and their subsampling exponents."""
    k = np.arange(J * Q)
    return np.pi * 2.0 ** (-(k + 1) / Q), k // Q


def _half_width(xi, Q):
    """Half-width of the band-pass support (xi 2^{-1/Q}, xi 2^{1/Q})."""
    return 0.5 * xi * (2.0 ** (1.0 / Q) - 2.0 ** (-1.0 / Q))


def _bump_1d_bank(N, J, Q):
    """Returns ``(psi_hat, j, xi, sigma)`` for the 1D bump bank."""
    xis, js = _bump_centres(J, Q)
    psi_hat = np.stack([bump_1d(N, float(x), Q=Q, highpass=(k == 0)) for k, x in enumerate(xis)])
    return psi_hat, js.astype(np.int64), xis, _half_width(xis, Q)


def _bump_2d_bank(shape, J, L):
    """Returns ``(psi_hat, j, theta, xi, sigma)`` in (j, theta) order."""
    xis, js = _bump_centres(J, 1)
    thetas = np.tile(np.arange(L), J)
    js = np.repeat(js, L)
    xis = np.repeat(xis, L)
    angles = (int(L - L / 2 - 1) - thetas) * np.pi / L
    w0, w1, radius = _radius_2d(shape)
    psi_hat = np.empty((J * L,) + tuple(shape), dtype=np.float64)
    radial = [_radial_bandpass(radius, float(xis[j * L]), 1, j == 0) for j in range(J)]
    for k in range(J * L):
        values = radial[js[k]] * _angular_window(w0, w1, radius, float(angles[k]), L)
        psi_hat[k] = _fold_nyquist(values)
    return psi_hat, js.astype(np.int64), thetas.astype(np.int64), xis, _half_width(xis, 1)
