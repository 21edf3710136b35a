"""Filter banks: band-pass and low-pass filters in Fourier, at every dyadic resolution.

A bank is built once per (shape, J, L, Q, wavelet) and cached; its arrays are
read-only so that the cached object can be shared by every estimator.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..utils._params import Ints, OneOf, Shape, check_param, validate_params
from ._bump import _bump_1d_bank, _bump_2d_bank, bump_lowpass
from ._morlet import _morlet_1d_bank, _morlet_1d_lowpass, _morlet_2d_bank

__all__ = ["FilterSet", "LowPass", "FilterBank", "filter_bank"]

# shared with padding_geometry, which takes the same shape / J / Q
SHAPE = [Shape((1, 2), min_size=1)]
_ORDER = [OneOf(1, 2, text="1 or 2")]


# -------------------------------------------------------- dyadic resolutions
def _periodize(hat, ndim):
    """Fourier transform of the filter subsampled by 2: mean over the 2 (x 2) aliases.

    ``hat`` has the filters' frequency axes last; the DFT of ``h[2n]`` is
    ``(hat[k] + hat[k + N/2]) / 2`` along each axis.
    """
    out = hat
    for axis in range(hat.ndim - ndim, hat.ndim):
        if out.shape[axis] % 2:
            raise ValueError(f"cannot periodise an axis of odd size {out.shape[axis]} to half resolution")
        half = out.shape[axis] // 2
        low = out[(slice(None),) * axis + (slice(0, half),)]
        high = out[(slice(None),) * axis + (slice(half, 2 * half),)]
        # (a + b) / 2 is what mean() computes for two terms, bit for bit
        out = (low + high) / 2
    return out


def _crop(hat, ndim):
    """Keep the frequencies of the half-size Nyquist band, without aliasing or rescaling."""
    out = hat
    for axis in range(hat.ndim - ndim, hat.ndim):
        n = out.shape[axis]
        quarter = n // 4
        low = [slice(None)] * hat.ndim
        high = [slice(None)] * hat.ndim
        low[axis] = slice(0, quarter)
        high[axis] = slice(n - quarter, n)
        out = np.concatenate([out[tuple(low)], out[tuple(high)]], axis=axis)
    return out


def _levels(hat0, J, ndim, step):
    # Coarse levels exist while every size halves exactly; full-resolution
    # transforms need only level 0, so sizes not divisible by 2**J are allowed.
    shape = hat0.shape[-ndim:]
    n_levels = next((r for r in range(J + 1) if any(n % 2 ** (r + 1) for n in shape)), J)
    hat0 = _readonly(np.ascontiguousarray(hat0))
    return (hat0, *_coarser(hat0, n_levels, ndim, step))


def _coarser(h, n_levels, ndim, step):
    """``n_levels`` successive ``step``s of ``h`` (its coarser levels), each read-only and contiguous."""
    levels = []
    for _ in range(n_levels):
        h = _readonly(np.ascontiguousarray(step(h, ndim)))
        levels.append(h)
    return levels


def _readonly(a):
    a = np.asarray(a)
    a.setflags(write=False)
    return a


# ---------------------------------------------------------------- containers
@dataclass(frozen=True, eq=False)
class FilterSet:
    """A stack of band-pass filters in Fourier, at every dyadic resolution.

    Attributes
    ----------
    hat : tuple of ndarray
        ``hat[r]``, r = 0 .. J, has shape ``(n_filters, *[s // 2**r for s in shape])``:
        the Fourier transforms periodised to resolution ``2**r`` (mean over the
        ``2**r`` aliased blocks per axis), i.e. the DFT of the spatial filter
        subsampled by ``2**r``.  float64 (every family here has a real Fourier
        transform), ``numpy.fft.fftfreq`` order, read-only.
    j : ndarray of int
        Per filter, the dyadic subsampling exponent allowed after filtering:
        the scale index in 2D; Kymatio 0.3's maximal dyadic subsampling in 1D
        Morlet banks; ``floor(k / Q)`` for the 1D bump filter number k.
    theta : ndarray of int
        Orientation index (2D; the angle is ``(int(L - L/2 - 1) - theta) pi / L``);
        zeros in 1D.
    xi : ndarray of float
        Central frequency, radians per sample (along the orientation).
    sigma : ndarray of float
        Bandwidth parameter of the family: 2D Morlet, the spatial standard
        deviation of the envelope (samples); 1D Morlet, the frequency standard
        deviation (radians/sample, Kymatio's sigma times 2 pi); bump, the
        half-width of the frequency support (radians/sample).
    hat_crop : tuple of ndarray
        ``hat_crop[r]``: ``hat[0]`` restricted to the frequencies of the Nyquist
        band of resolution ``2**r``, with neither aliasing nor rescaling.  This is
        the convention of Kymatio 0.3's 2D filter levels (its 1D levels are
        ``hat``); for frequencies inside that band ``hat_crop[r] = 2**(r d) hat[r]``
        whenever the filter does not alias, d being the dimension.

    Examples
    --------
    >>> from skphase.filters import filter_bank
    >>> psi = filter_bank((32, 32), J=2, L=4).psi1
    >>> len(psi), psi.hat[1].shape, psi.j.tolist()
    (8, (8, 16, 16), [0, 0, 0, 0, 1, 1, 1, 1])
    """

    hat: tuple[np.ndarray, ...]
    j: np.ndarray
    theta: np.ndarray
    xi: np.ndarray
    sigma: np.ndarray

    @property
    def hat_crop(self) -> tuple[np.ndarray, ...]:
        return _cached_crop_levels(self, self.hat[0].ndim - 1)

    def __len__(self) -> int:
        return int(self.hat[0].shape[0])


@dataclass(frozen=True, eq=False)
class LowPass:
    """The low-pass filter phi_J in Fourier, at every dyadic resolution.

    Attributes
    ----------
    hat : tuple of ndarray
        ``hat[r]`` of shape ``[s // 2**r for s in shape]``, r = 0 .. J, as in
        :class:`FilterSet` (periodised to resolution ``2**r``).
    j : int
        Subsampling exponent allowed after low-pass filtering, = J.
    sigma : float
        Bandwidth parameter: 2D Morlet, spatial standard deviation
        ``0.8 * 2**(J-1)``; 1D Morlet, frequency standard deviation
        ``2 pi 0.1 / 2**J``; bump, the support radius ``pi / 2**J``.
    hat_crop : tuple of ndarray
        Cropped (Kymatio 2D) levels, as in :class:`FilterSet`.

    Examples
    --------
    >>> from skphase.filters import filter_bank
    >>> phi = filter_bank((64,), J=3).phi
    >>> phi.j, [h.shape for h in phi.hat]
    (3, [(64,), (32,), (16,), (8,)])
    """

    hat: tuple[np.ndarray, ...]
    j: int
    sigma: float

    @property
    def hat_crop(self) -> tuple[np.ndarray, ...]:
        return _cached_crop_levels(self, self.hat[0].ndim)


def _cached_crop_levels(filters, ndim):
    """``hat_crop``, cropped from ``hat[0]`` when first read, then kept on the object.

    Only 2D and bump transforms read it (1D Morlet follows Kymatio's periodised
    levels), so a 1D Morlet bank never pays for it. Two threads reading it at
    once both build the same levels; either result is kept.
    """
    levels = filters.__dict__.get("_hat_crop")
    if levels is None:
        # level 0 is hat[0] itself, left as it is (a user's FilterSet keeps its flags)
        hat0 = filters.hat[0]
        levels = (hat0, *_coarser(hat0, len(filters.hat) - 1, ndim, _crop))
        object.__setattr__(filters, "_hat_crop", levels)  # frozen: a cache, not a field
    return levels


def reflect_frequencies(hat, ndim):
    """hat(-omega) on the DFT grid: index k -> (-k) mod n along the last ndim axes."""
    axes = tuple(range(hat.ndim - ndim, hat.ndim))
    return np.roll(np.flip(hat, axis=axes), 1, axis=axes)


@dataclass(frozen=True, eq=False)
class FilterBank:
    r"""Wavelets and low-pass of a scattering / phase-harmonic transform.

    Built by :func:`filter_bank`; see there for the families.

    Attributes
    ----------
    ndim : int
        1 (signals) or 2 (images).
    shape : tuple of int
        The (padded) signal shape the filters live on.
    J, L, Q : int
        Number of octaves, orientations (2D) and first-order wavelets per
        octave (1D).
    wavelet : str
        ``"morlet"`` or ``"bump"``.
    psi1 : FilterSet
        First-order wavelets.
    psi2 : FilterSet
        Second-order wavelets: in 2D the same object as ``psi1``; in 1D the
        Q = 1 bank (the same object as ``psi1`` when Q = 1).
    phi : LowPass
        The low-pass filter.

    Examples
    --------
    >>> from skphase.filters import filter_bank
    >>> bank = filter_bank((64, 64), J=3, L=8)
    >>> len(bank.psi1), bank.psi2 is bank.psi1, bank.phi.hat[3].shape
    (24, True, (8, 8))
    """

    ndim: int
    shape: tuple[int, ...]
    J: int
    L: int
    Q: int
    wavelet: str
    psi1: FilterSet
    psi2: FilterSet
    phi: LowPass

    def littlewood_paley(self, order: int = 1) -> np.ndarray:
        r"""Littlewood-Paley sum of the bank at full resolution.

        .. math::

            LP(\omega) = |\hat\phi(\omega)|^2
              + \frac12 \sum_\lambda \big(|\hat\psi_\lambda(\omega)|^2 + |\hat\psi_\lambda(-\omega)|^2\big),

        with ``-omega`` taken on the DFT grid (index ``-k mod n``).  For a real
        signal ``|x_hat(omega)| = |x_hat(-omega)|``, so by Parseval
        ``||x * phi||^2 + sum ||x * psi||^2 = (1/n) sum |x_hat|^2 LP``: the bounds
        ``A <= LP <= B`` are the frame bounds of the transform on real signals.
        The symmetrisation makes the definition fair to banks that only cover
        half of the frequencies (analytic 1D wavelets, half-plane 2D orientations).

        Values for the default banks:

        * ``"bump"``: identically 1 (a tight frame, by construction); in 1D with
          Q > 1 the Q = 1 second-order bank overlaps the low-pass over one
          octave, so ``order=2`` gives values in [1, 2).
        * ``"morlet"`` 2D, L = 8: about [0.12, 1.05]; the minimum sits at the
          corners (+-pi, +-pi) that no Gaussian reaches, and LP >= 0.58 inside
          the disc ``|omega| <= 3 pi / 4`` of the finest wavelet.
        * ``"morlet"`` 1D: at most 1 (``phi_hat(0) = 1``, unit l1 filters);
          Q = 1: at least about 0.16, where the low-pass meets the coarsest
          wavelets; Q > 1: the finest wavelet (0.435 cycles/sample) leaves the
          Nyquist frequency poorly covered (LP(pi) about 1e-2 for Q = 2, 2e-5
          for Q = 4, 3e-4 for Q = 8), while LP stays above about 0.17 for
          ``|omega| <= xi_max``.

        Parameters
        ----------
        order : {1, 2}, default=1
            Use ``psi1`` or ``psi2``.

        Returns
        -------
        ndarray of shape ``shape``, float64

        Examples
        --------
        >>> import numpy as np
        >>> from skphase.filters import filter_bank
        >>> lp = filter_bank((128,), J=4, wavelet="bump").littlewood_paley()
        >>> bool(np.allclose(lp, 1.0))
        True
        """
        check_param("order", order, _ORDER, caller="FilterBank.littlewood_paley")
        psi = (self.psi1 if order == 1 else self.psi2).hat[0]
        power = np.abs(psi) ** 2
        lp = 0.5 * (power.sum(axis=0) + reflect_frequencies(power, self.ndim).sum(axis=0))
        return lp + np.abs(self.phi.hat[0]) ** 2

    def littlewood_paley_bounds(self, order: int = 1) -> tuple[float, float]:
        """``(min, max)`` of :meth:`littlewood_paley`: the frame bounds on real signals.

        Parameters
        ----------
        order : {1, 2}, default=1
            Use ``psi1`` or ``psi2``.

        Returns
        -------
        tuple of float

        Examples
        --------
        >>> from skphase.filters import filter_bank
        >>> lo, hi = filter_bank((64, 64), J=3).littlewood_paley_bounds()
        >>> 0 < lo < hi
        True
        """
        lp = self.littlewood_paley(order)
        return float(lp.min()), float(lp.max())


# ------------------------------------------------------------------- builder
def _filter_set(hat0, j, theta, xi, sigma, J, ndim):
    return FilterSet(
        hat=_levels(hat0, J, ndim, _periodize),
        j=_readonly(np.asarray(j, dtype=np.int64)),
        theta=_readonly(np.asarray(theta, dtype=np.int64)),
        xi=_readonly(np.asarray(xi, dtype=np.float64)),
        sigma=_readonly(np.asarray(sigma, dtype=np.float64)),
    )


def _low_pass(hat0, J, sigma, ndim):
    return LowPass(hat=_levels(hat0, J, ndim, _periodize), j=J, sigma=float(sigma))


@functools.lru_cache(maxsize=16)
def _build(shape, J, L, Q, wavelet):
    ndim = len(shape)
    if ndim == 2:
        if wavelet == "morlet":
            psi_hat, js, thetas, xis, sigmas, phi_hat, sigma_phi = _morlet_2d_bank(shape, J, L)
        else:
            psi_hat, js, thetas, xis, sigmas = _bump_2d_bank(shape, J, L)
            sigma_phi = np.pi / 2 ** J
            phi_hat = bump_lowpass(shape, sigma_phi)
        psi1 = _filter_set(psi_hat, js, thetas, xis, sigmas, J, ndim)
        psi2 = psi1
    else:
        (N,) = shape
        if wavelet == "morlet":
            make = functools.partial(_morlet_1d_bank, N, J)
            phi_hat, sigma_phi = _morlet_1d_lowpass(N, J)
        else:
            make = functools.partial(_bump_1d_bank, N, J)
            sigma_phi = np.pi / 2 ** J
            # The low-pass completes the first-order bank exactly (LP = 1); with
            # Q > 1 the Q = 1 second-order bank then has LP in [1, 2).
            phi_hat = bump_lowpass(shape, sigma_phi, Q=Q)

        def make_set(q):
            psi_hat, js, xis, sigmas = make(q)
            return _filter_set(psi_hat, js, np.zeros_like(js), xis, sigmas, J, ndim)

        psi1 = make_set(Q)
        psi2 = psi1 if Q == 1 else make_set(1)
    return FilterBank(ndim=ndim, shape=shape, J=J, L=L, Q=Q, wavelet=wavelet,
                      psi1=psi1, psi2=psi2, phi=_low_pass(phi_hat, J, sigma_phi, ndim))


@validate_params({"shape": SHAPE, "J": [Ints(1)], "L": [Ints(1)], "Q": [Ints(1)],
                  "wavelet": [OneOf("morlet", "bump")]})
def filter_bank(shape: tuple[int, ...], J: int, *, L: int = 8, Q: int = 1,
                wavelet: str = "morlet") -> FilterBank:
    r"""Build (or fetch from the cache) the wavelet filter bank for a signal shape.

    Families:

    ``"morlet"``
        Kymatio 0.3's filters, value for value.  2D: ``J * L`` Morlet wavelets
        :func:`morlet_2d` with ``sigma = 0.8 * 2**j``, ``xi = 3 pi / 4 / 2**j``,
        angle ``(int(L - L/2 - 1) - theta) pi / L``, slant ``4 / L``, ordered
        (j, theta); low-pass the Gabor envelope with ``sigma = 0.8 * 2**(J-1)``.
        1D: Kymatio's ``scattering_filter_factory`` with ``T = 2**J``: Q wavelets
        per octave at first order (:func:`morlet_1d`), Q = 1 at second order,
        Gaussian low-pass :func:`gaussian_1d` of frequency width
        ``0.1 / 2**J`` cycles/sample, ordered by decreasing ``xi``.
    ``"bump"``
        The steerable bump tight frame of :mod:`skphase.filters._bump`: compact
        support in frequency, analytic in 1D, half-plane orientations in 2D,
        Littlewood-Paley sum identically 1.

    Parameters
    ----------
    shape : tuple of int
        ``(N,)`` for signals or ``(M, N)`` for images: the (already padded)
        shape the filters live on.  Coarse levels ``hat[r]`` exist for every
        ``r <= J`` such that each size is divisible by ``2**r``: subsampled
        transforms need sizes divisible by ``2**J`` (pad them, see
        :func:`padding_geometry`); full-resolution ones work at any size.
    J : int
        Number of octaves (>= 1); the low-pass averages over ``2**J`` samples.
    L : int, default=8
        Number of orientations (2D), >= 1.
    Q : int, default=1
        First-order wavelets per octave (1D), >= 1.
    wavelet : {"morlet", "bump"}, default="morlet"
        The family.

    Returns
    -------
    FilterBank
        Cached: equal arguments return the same object, whose arrays are read-only.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range.

    See Also
    --------
    padding_geometry : The padded shape to pass here for non-periodic signals.

    Examples
    --------
    >>> from skphase.filters import filter_bank
    >>> bank = filter_bank((256,), J=5, Q=4)
    >>> len(bank.psi1) > len(bank.psi2), bank.phi.j
    (True, 5)
    >>> filter_bank((256,), J=5, Q=4) is bank
    True
    """
    # canonical, hashable arguments: (32, 32) and [32, np.int64(32)] share one cache entry
    return _build(tuple(int(s) for s in shape), int(J), int(L), int(Q), wavelet)
