"""GaussianSynthesizer: the power-spectrum model (random phases), the baseline that misses structure."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..base import SkphaseEstimatorMixin, fit_context
from ..utils._memory import check_allocation
from ..utils._params import RANDOM_STATE, Shape
from ..utils._validation import check_signals
from ._inputs import _positive_int, _seed_of, mean_std, shape_param


def _cell_overlaps(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) mean over each output frequency cell of a function constant on the input cells.

    Cell k of a grid of n spans the frequencies (k +- 1/2) / n cycles per sample, on the circle
    of frequencies (so the Nyquist cell of an even grid is one cell, and the map commutes with
    f -> -f: a Hermitian-symmetric spectrum stays so).
    """
    k = np.arange(n_in)
    m = np.arange(n_out)[:, None]
    lo_out, hi_out = (m - 0.5) / n_out, (m + 0.5) / n_out
    W = np.zeros((n_out, n_in))
    for shift in (-1.0, 0.0, 1.0):
        W += np.clip(np.minimum(hi_out, (k + 0.5) / n_in + shift)
                     - np.maximum(lo_out, (k - 0.5) / n_in + shift), 0.0, None)
    return W * n_out


def _resample_spectrum(power: np.ndarray, shape: tuple) -> np.ndarray:
    """The power spectrum on another grid: its mean over each frequency cell of the new grid.

    The periodogram is a spectral density sampled at the frequencies k / n; on a grid of m
    points each value becomes the average of that density over the new cell (k +- 1/2) / m,
    axis by axis. Nonnegative, Hermitian-symmetric, and the variance (mean over frequencies)
    is kept exactly. The autocovariance cut to the smaller half-size, as before, gave
    negative values (a Dirichlet kernel's ripples) that clipping at 0 turned into extra
    power: x1.16-1.21 in the variance of a 64 x 64 texture's samples on (64, 96), (17, 13),
    (128, 128) or (7, 64) grids.
    """
    if tuple(power.shape) == tuple(shape):
        return power
    out = np.asarray(power, dtype=np.float64)
    for axis, (n_in, n_out) in enumerate(zip(power.shape, shape)):
        if n_in != n_out:
            out = np.moveaxis(np.tensordot(_cell_overlaps(n_in, n_out), out, axes=(1, axis)), 0, axis)
    return out


def unit_spectrum(Z: np.ndarray) -> np.ndarray:
    """The mean periodogram |fft(z)|^2 / size of standardised realisations Z (n, *spatial)."""
    axes = tuple(range(1, Z.ndim))
    return (np.abs(np.fft.fftn(Z, axes=axes)) ** 2 / np.prod(Z.shape[1:])).mean(axis=0)


def gaussian_fields(noise: np.ndarray, power: np.ndarray) -> np.ndarray:
    """White noise (n, *spatial) shaped to the power spectrum ``power`` (unit variance noise has
    E|fft|^2 = size; the product keeps Hermitian symmetry, so the fields are real)."""
    axes = tuple(range(1, noise.ndim))
    return np.fft.ifftn(np.fft.fftn(noise, axes=axes) * np.sqrt(power), axes=axes).real


def random_phase_fields(noise: np.ndarray, power: np.ndarray) -> np.ndarray:
    """Fields (n, *spatial) whose periodogram is exactly ``power`` and whose Fourier phases are those
    of the white ``noise`` (uniform and independent, up to Hermitian symmetry): random phase noise.

    A Gaussian field (:func:`gaussian_fields`) has ``power`` only on average; each of its
    frequencies fluctuates by a chi-square factor. What the realisations hold beyond their
    power spectrum lives in their Fourier phases, and these are drawn afresh: not a copy.
    """
    axes = tuple(range(1, noise.ndim))
    spectrum = np.fft.fftn(noise, axes=axes)
    modulus = np.abs(spectrum)
    # in place (memory: this array, its modulus and the inverse FFT, no more than
    # gaussian_fields); a white-noise coefficient is exactly 0 with probability 0: phase 1 there
    zero = modulus == 0
    modulus[zero] = 1.0
    spectrum[zero] = 1.0
    spectrum /= modulus
    del modulus
    spectrum *= np.sqrt(power * np.prod(noise.shape[1:]))
    return np.fft.ifftn(spectrum, axes=axes).real


class GaussianSynthesizer(SkphaseEstimatorMixin, BaseEstimator):
    """Stationary Gaussian model: keeps the mean and the power spectrum, draws random phases.

    The model a phase-harmonic synthesis is compared with (seed, slide 17): it has
    the target's second-order statistics but none of its non-Gaussian structure
    (sparse edges, intermittency, time asymmetry). Periodic.

    Parameters
    ----------
    shape : tuple of int or None, default=None
        Spatial shape (H, W) when X holds flattened images.
    output_shape : tuple of int or None, default=None
        Shape of the samples (None: the target's); on another grid each value of the
        spectrum is the mean of the fitted one over the new grid's frequency cell, which
        keeps the variance and the spectrum (at the resolution of the coarser grid).
    random_state : int, RandomState or None, default=None
        Seeds :meth:`sample`.

    Attributes
    ----------
    input_shape_ : tuple of int
        Spatial shape of the realisations.
    n_features_in_ : int
        Values per realisation.
    mean_, std_ : float
        Mean and standard deviation of all the values of the realisations.
    unit_spectrum_ : ndarray of shape ``input_shape_``
        Periodogram ``|fft((x - mean_) / std_)|^2 / size``, averaged over realisations (its mean
        is 1): the model, unit-free (zeros for constant realisations).
    power_spectrum_ : ndarray of shape ``input_shape_``
        The same in the data's units, ``std_ ** 2 * unit_spectrum_`` (inf where that leaves
        the float64 range, for values beyond about 1e150; sampling uses ``unit_spectrum_``).
    target_dtype_ : numpy dtype
        dtype of the realisations; samples have it.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.synthesis import GaussianSynthesizer
    >>> x = np.cumsum(np.random.default_rng(0).standard_normal((1, 128)), axis=1)
    >>> GaussianSynthesizer(random_state=0).fit(x).sample(3).shape
    (3, 128)
    """

    _parameter_constraints: dict = {
        "shape": [None, Shape((1, 2))],
        "output_shape": [None, Shape((1, 2))],
        "random_state": RANDOM_STATE,
    }

    def __init__(self, *, shape=None, output_shape=None, random_state=None):
        self.shape = shape
        self.output_shape = output_shape
        self.random_state = random_state

    @fit_context
    def fit(self, X, y=None):
        """Estimate the mean and the power spectrum.

        Parameters
        ----------
        X : array-like of shape (n_realisations, N), (n_realisations, H, W), or
            (n_realisations, H * W) with ``shape``
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        shape = shape_param("shape", self.shape)
        X, spatial, _ = check_signals(self, X, reset=True, shape=shape)
        self.input_shape_ = spatial
        self._flat_images_ = shape is not None and len(spatial) == 2
        self.target_dtype_ = X.dtype
        X = np.asarray(X, dtype=np.float64)
        # the spectrum of the standardised values: data near 1e-160 or 1e160 (whose squares leave
        # the float64 range) give the same model in their units
        self.mean_, self.std_, _ = mean_std(X)
        Z = (X - self.mean_) / self.std_ if self.std_ > 0 else np.zeros_like(X)
        unit = unit_spectrum(Z)
        self.unit_spectrum_ = unit
        with np.errstate(over="ignore", under="ignore"):
            self.power_spectrum_ = np.square(np.float64(self.std_)) * unit
        return self

    def sample(self, n_samples: int = 1, random_state=None) -> np.ndarray:
        """Draw Gaussian fields with the fitted spectrum.

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState or None, default=None
            None uses the estimator's ``random_state``.

        Returns
        -------
        samples : ndarray of shape ``(n_samples, *output_shape)``
        """
        check_is_fitted(self, "power_spectrum_")
        n_samples = _positive_int("n_samples", n_samples, f"{type(self).__name__}.sample")
        out = (self.input_shape_ if self.output_shape is None
               else shape_param("output_shape", self.output_shape))
        if len(out) != len(self.input_shape_):
            raise ValueError(f"output_shape must have {len(self.input_shape_)} dimension(s); got {out}.")
        rng = _seed_of(self.random_state if random_state is None else random_state, "random_state",
                       f"{type(self).__name__}.sample")
        # the noise, its FFT (complex) and the output: about 40 bytes per value
        check_allocation(40 * n_samples * int(np.prod(out)),
                         f"{type(self).__name__}.sample({n_samples}) on a {tuple(out)} grid",
                         "draw fewer samples per call (or a smaller output_shape).")
        power = _resample_spectrum(self.unit_spectrum_, tuple(out))
        noise = rng.standard_normal((int(n_samples),) + tuple(out))
        y = self.mean_ + self.std_ * gaussian_fields(noise, power)
        y = y.astype(self.target_dtype_, copy=False)
        if self._flat_images_ or len(out) == 1:
            y = y.reshape((y.shape[0], -1))
        return y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
