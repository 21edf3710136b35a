"""PhaseHarmonicTransform: U x = (x * phi_J, rho(x * psi_{alpha, lambda})) (scikit-learn transformer)."""

from __future__ import annotations

import dataclasses

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..filters import filter_bank
from ..operators import PhaseHarmonicOperator, frame_bounds
from ..operators._phase_harmonic import _inverse_phases
from ..utils._params import Ints
from ._wavelet_base import _WaveletConfig, _WaveletTransformer

#: inverse_transform refuses frames whose lower/upper bound ratio is below this:
#: the least-squares inverse would amplify rounding errors by its inverse.
MIN_FRAME_RATIO = 1e-8


@dataclasses.dataclass(frozen=True)
class _Config(_WaveletConfig):
    n_phases: int = 4
    harmonics: tuple | None = None  # None: the rectified form

    @property
    def bank(self):
        return filter_bank(self.input_shape, self.J, L=self.L, Q=self.Q, wavelet=self.wavelet)

    def _make_operator(self, backend):
        return PhaseHarmonicOperator(self.bank, backend, n_phases=self.n_phases, harmonics=self.harmonics)


class PhaseHarmonicTransform(_WaveletTransformer):
    """Rectified wavelet coefficients U x = (x * phi_J, rho(x * psi_{alpha, lambda})), full resolution.

    ``psi_{alpha, lambda} = Re(e^{-i alpha} psi_lambda)`` are multiphase real
    wavelets and rho(a) = max(a, 0); a ReLU acting on phase computes the phase
    harmonics ``[x * psi]^k = |x * psi| e^{i k phase(x * psi)}`` (seed, slides 10-11),
    which ``harmonics`` returns directly.  Since rho(a) - rho(-a) = a, U is
    linearly invertible: :meth:`inverse_transform` recovers x by least squares,
    exactly up to rounding, with an even ``n_phases`` (or ``harmonics``
    containing 1) and a filter bank that covers every frequency (see
    ``frame_bounds_``).  Convolutions are periodic.

    Parameters
    ----------
    J : int or None, default=None
        Number of octaves (low-pass phi_J at scale 2**J). None picks min(3, log2(size)).
        ``wavelet="bump"`` needs even sizes.
    L : int, default=8
        Orientations (2D).
    Q : int, default=1
        Wavelets per octave (1D).
    n_phases : int, default=4
        Phases alpha_p = 2 pi p / n_phases of the rectified form.
    harmonics : tuple of int or None, default=None
        If given, return the phase harmonics k instead of the rectified form, as
        real channels: the modulus for k = 0, real and imaginary parts otherwise.
    wavelet : {"morlet", "bump"}, default="morlet"
        Wavelet family (see :func:`skphase.filters.filter_bank`).
    shape : tuple of int or None, default=None
        Spatial shape (H, W) when X holds flattened images.
    multichannel : bool or "channels_first", default=False
        X holds several channels per sample, (n_samples, C, H, W) images (RGB, say)
        or (n_samples, C, N) signals; each channel is transformed alone and the
        output has C * (channels of one) channels, input channel major. Images whose
        last axis is 1, 3 or 4 long are refused, since they may be channels-last
        (pass ``np.moveaxis(X, -1, 1)``); ``"channels_first"`` accepts them as given.
    flatten : bool, default=True
        Return (n_samples, n_features); False keeps ``(n_samples, channels, *spatial)``.
    backend : {"numpy", "torch"}, default="numpy"
        numpy/numba on CPU, or torch (differentiable; ``device="cuda"`` for GPU).
    device : str or None, default=None
        torch device.
    batch_size : int or "auto", default="auto"
        Samples per batch; "auto" keeps intermediate coefficients near 64 MiB.
    n_jobs : int or None, default=None
        Batches run in parallel through joblib.
    verbose : int, default=0
        Show a progress bar over batches.

    Attributes
    ----------
    J_ : int
        The number of octaves used.
    input_shape_ : tuple of int
        Spatial shape of the signals seen in fit.
    n_features_in_ : int
        Number of values per sample seen in fit.
    feature_names_in_ : ndarray of str
        Only when X had string column names.
    n_channels_ : int
        1 + n_wavelets * channels per wavelet.
    channel_table_ : dict of ndarray
        One row per channel: kind (0 low-pass, 1 rectified, 2 harmonic), n, j, theta,
        phase (rectified) and k, part (harmonics: 0 real / modulus, 1 imaginary); -1 if n/a.
    frame_bounds_ : tuple of float
        (min, max) over frequencies of ``|phi|^2 + sum |g|^2`` for the real filters g that
        :meth:`inverse_transform` inverts; their ratio is the inverse's conditioning.
        (0.0, 0.0) when the configuration is not invertible (odd ``n_phases``, or
        ``harmonics`` without 1).
    config_ : object
        The fitted configuration used by :meth:`transform`.

    See Also
    --------
    ScatteringAverager : U x averaged by phi_J and subsampled.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase import PhaseHarmonicTransform
    >>> X = np.random.default_rng(0).standard_normal((3, 64))
    >>> U = PhaseHarmonicTransform(J=3).fit(X)
    >>> U.n_channels_
    17
    >>> Ux = U.transform(X)
    >>> Ux.shape
    (3, 1088)
    >>> bool(np.allclose(U.inverse_transform(Ux), X))
    True
    """

    _parameter_constraints: dict = {
        **_WaveletTransformer._parameter_constraints,
        "n_phases": [Ints(1)],
        "harmonics": [None, "array-like"],
    }
    _progress_label = "phase harmonics"

    def __init__(self, J=None, *, L=8, Q=1, n_phases=4, harmonics=None, wavelet="morlet",
                 shape=None, multichannel=False, flatten=True, backend="numpy", device=None,
                 batch_size="auto", n_jobs=None, verbose=0):
        self.J = J
        self.L = L
        self.Q = Q
        self.n_phases = n_phases
        self.harmonics = harmonics
        self.wavelet = wavelet
        self.shape = shape
        self.multichannel = multichannel
        self.flatten = flatten
        self.backend = backend
        self.device = device
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _validate_params(self):
        super()._validate_params()
        self._harmonics()

    def _harmonics(self):
        if self.harmonics is None:
            return None
        ks = np.asarray(self.harmonics)
        if ks.ndim != 1 or ks.size == 0 or not np.issubdtype(ks.dtype, np.integer):
            raise ValueError(f"harmonics must be None or a non-empty sequence of ints, got {self.harmonics!r}.")
        if len(set(ks.tolist())) != ks.size:
            raise ValueError(f"harmonics must not repeat a value, got {self.harmonics!r}.")
        return tuple(int(k) for k in ks)

    def _geometry_allows(self, J, spatial) -> bool:
        # bump filters are built on even grids only
        return self.wavelet != "bump" or all(n % 2 == 0 for n in spatial)

    def _make_config(self) -> _Config:
        if not self._geometry_allows(self.J_, self.input_shape_):
            raise ValueError(f"wavelet='bump' needs even sizes; X has spatial shape {self.input_shape_}. "
                             "Use wavelet='morlet' or pad X.")
        return _Config(**self._config_fields(), n_phases=self.n_phases,
                       harmonics=self._harmonics())

    def _describe(self, config):
        bank, harmonics = config.bank, config.harmonics
        fields = ("kind", "n", "j", "theta", "phase", "k", "part")
        rows = [(0, -1, bank.J, -1, -1, -1, -1)]
        for n in range(len(bank.psi1)):
            j, theta = int(bank.psi1.j[n]), int(bank.psi1.theta[n])
            if harmonics is None:
                rows += [(1, n, j, theta, p, -1, -1) for p in range(config.n_phases)]
            else:
                for k in harmonics:
                    rows += [(2, n, j, theta, -1, k, part) for part in ((0,) if k == 0 else (0, 1))]
        arr = np.asarray(rows, dtype=np.int64)
        self._operator_table = {f: arr[:, i].copy() for i, f in enumerate(fields)}
        self.channel_table_ = self._channel_table(self._operator_table)
        try:
            self.frame_bounds_ = frame_bounds(bank, config.n_phases, harmonics)
        except ValueError:  # not linearly invertible: no frame
            self.frame_bounds_ = (0.0, 0.0)

    def inverse_transform(self, X):
        """Reconstruct the signals from U x (linear least squares, exact up to rounding).

        Parameters
        ----------
        X : array-like of shape ``(n_samples, n_channels_ * prod(input_shape_))``
            Or of shape ``(n_samples, n_channels_, *input_shape_)``.

        Returns
        -------
        X_original : ndarray of shape ``(n_samples, N)``, ``(n_samples, H * W)`` or ``(n_samples, H, W)``
            The layout given to :meth:`fit` (flattened when ``shape`` was used).
        """
        check_is_fitted(self, "config_")
        config = self.config_
        _inverse_phases(config.n_phases, config.harmonics)  # raises if U is not invertible
        low, high = self.frame_bounds_
        if low < MIN_FRAME_RATIO * high:
            raise ValueError(
                f"inverse_transform is ill-conditioned for this filter bank: its frame bounds "
                f"{low:.3g}..{high:.3g} (ratio {low / high:.1e} < {MIN_FRAME_RATIO:g}) mean some "
                f"frequencies are (almost) not covered by the wavelets and phi_J (J={self.J_}, "
                f"Q={config.Q}, L={config.L}, wavelet={config.wavelet!r}). Use a larger J, "
                + ("a larger L, " if len(self.input_shape_) == 2 else "Q=1, ") + "or wavelet='bump'.")
        U = self._check_output_like(X, "X")
        out = self._map_batches("inverse", U, (config.n_input_channels,) * bool(config.n_input_channels)
                                + tuple(self.input_shape_), desc="inverse")
        if self.multichannel:
            return out
        if self._flat_images_ or len(self.input_shape_) == 1:
            return out.reshape((out.shape[0], -1))
        return out

    def _output_spatial_shape(self):
        return tuple(self.input_shape_)

    def _channel_names(self):
        t = self._operator_table
        two_d = len(self.input_shape_) == 2
        names = []
        for c in range(len(t["kind"])):
            if t["kind"][c] == 0:
                names.append(f"phi_j{t['j'][c]}")
                continue
            base = f"psi_j{t['j'][c]}_t{t['theta'][c]}" if two_d else f"psi_n{t['n'][c]}_j{t['j'][c]}"
            if t["kind"][c] == 1:
                names.append(f"{base}_p{t['phase'][c]}")
            else:
                part = "mod" if t["k"][c] == 0 else ("re", "im")[t["part"][c]]
                names.append(f"{base}_k{t['k'][c]}_{part}")
        return names
