"""PhaseHarmonicTransform: U x = (x * phi_J, rho(x * psi_{alpha, lambda})) (scikit-learn transformer)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._base import _WaveletTransformer
from ._scattering_averager import _torch_backend
from .backends import get_backend
from .filters import filter_bank
from .transforms import (
    inverse_phase_harmonic_transform,
    phase_harmonic_transform,
    phase_harmonic_vjp,
)
from .utils._validation import check_signals, is_tensor


@dataclass(frozen=True)
class _Config:
    input_shape: tuple
    J: int
    L: int
    Q: int
    wavelet: str
    n_phases: int
    harmonics: tuple | None
    backend: str
    device: str | None
    workers: int

    @property
    def bank(self):
        return filter_bank(self.input_shape, self.J, L=self.L, Q=self.Q, wavelet=self.wavelet)

    def get_backend(self):
        if self.backend == "torch":
            return _torch_backend(self.device)
        return get_backend("numpy", workers=self.workers)


def _forward_batch(x, config: _Config):
    backend = config.get_backend()
    out = phase_harmonic_transform(backend.asarray(x), bank=config.bank, backend=backend,
                                   n_phases=config.n_phases, harmonics=config.harmonics)
    return out if is_tensor(x) else backend.to_numpy(out)


def _inverse_batch(u, config: _Config):
    backend = config.get_backend()
    out = inverse_phase_harmonic_transform(backend.asarray(u), bank=config.bank, backend=backend,
                                           n_phases=config.n_phases, harmonics=config.harmonics)
    return out if is_tensor(u) else backend.to_numpy(out)


class PhaseHarmonicTransform(_WaveletTransformer):
    """Rectified wavelet coefficients U x = (x * phi_J, rho(x * psi_{alpha, lambda})), full resolution.

    ``psi_{alpha, lambda} = Re(e^{-i alpha} psi_lambda)`` are multiphase real
    wavelets and rho(a) = max(a, 0); a ReLU acting on phase computes the phase
    harmonics [x * psi]^k = |x * psi| e^{i k phase(x * psi)} (seed, slides 10-11),
    which ``harmonics`` returns directly.  Since rho(a) - rho(-a) = a, U is
    linearly invertible: :meth:`inverse_transform` recovers x exactly (even
    ``n_phases``, or ``harmonics`` containing 1).  Convolutions are periodic.

    Parameters
    ----------
    J : int or None, default=None
        Number of octaves (low-pass phi_J at scale 2**J). None picks min(3, log2(size)).
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
    shape : tuple of int or None, default=None
        Spatial shape (H, W) when X holds flattened images.
    flatten : bool, default=True
        Return (n_samples, n_features); False keeps (n_samples, channels, *spatial).
    backend : {"numpy", "torch"}, default="numpy"
    device : str or None, default=None
    batch_size : int or "auto", default="auto"
    n_jobs : int or None, default=None
    verbose : int, default=0

    Attributes
    ----------
    J_ : int
    input_shape_ : tuple of int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X had string column names.
    n_channels_ : int
        1 + n_wavelets * channels per wavelet.
    channel_table_ : dict of ndarray
        One row per channel: kind (0 low-pass, 1 rectified, 2 harmonic), n, j, theta,
        phase (rectified) and k, part (harmonics: 0 real / modulus, 1 imaginary); -1 if n/a.

    See Also
    --------
    ScatteringAverager : U x averaged by phi_J and subsampled.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase import PhaseHarmonicTransform
    >>> X = np.random.default_rng(0).standard_normal((3, 64))
    >>> U = PhaseHarmonicTransform(J=3).fit(X)
    >>> Ux = U.transform(X)
    >>> Ux.shape
    (3, 1024)
    >>> bool(np.allclose(U.inverse_transform(Ux), X))
    True
    """

    _parameter_constraints: dict = {
        **_WaveletTransformer._parameter_constraints,
        "n_phases": [Interval(Integral, 1, None, closed="left")],
        "harmonics": [None, "array-like"],
    }

    def __init__(self, J=None, *, L=8, Q=1, n_phases=4, harmonics=None, wavelet="morlet",
                 shape=None, flatten=True, backend="numpy", device=None, batch_size="auto",
                 n_jobs=None, verbose=0):
        self.J = J
        self.L = L
        self.Q = Q
        self.n_phases = n_phases
        self.harmonics = harmonics
        self.wavelet = wavelet
        self.shape = shape
        self.flatten = flatten
        self.backend = backend
        self.device = device
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _harmonics(self):
        if self.harmonics is None:
            return None
        ks = np.asarray(self.harmonics)
        if ks.ndim != 1 or ks.size == 0 or not np.issubdtype(ks.dtype, np.integer):
            raise ValueError(f"harmonics must be None or a non-empty sequence of ints, got {self.harmonics!r}.")
        if len(set(ks.tolist())) != ks.size:
            raise ValueError(f"harmonics must not repeat a value, got {self.harmonics!r}.")
        return tuple(int(k) for k in ks)

    def fit(self, X, y=None):
        """Check X, choose J and build (or fetch from cache) the filters.

        Parameters
        ----------
        X : array-like of shape (n_samples, N), (n_samples, H * W) with ``shape``, or (n_samples, H, W)
        y : None
            Ignored.

        Returns
        -------
        self : PhaseHarmonicTransform
        """
        shape = self._check_common_params()
        harmonics = self._harmonics()
        X, spatial = check_signals(self, X, reset=True, shape=shape)
        self.input_shape_ = spatial
        self.J_ = self._resolve_J(spatial)
        bank = self._config().bank
        per = self.n_phases if harmonics is None else sum(1 if k == 0 else 2 for k in harmonics)
        self.n_channels_ = 1 + len(bank.psi1) * per
        self.channel_table_ = self._make_table(bank, harmonics)
        return self

    def _config(self, workers=1) -> _Config:
        ndim = len(self.input_shape_)
        return _Config(tuple(self.input_shape_), self.J_, self.L if ndim == 2 else 1,
                       self.Q if ndim == 1 else 1, self.wavelet, self.n_phases, self._harmonics(),
                       self.backend, self.device, workers)

    def _make_table(self, bank, harmonics):
        fields = ("kind", "n", "j", "theta", "phase", "k", "part")
        rows = [(0, -1, bank.J, -1, -1, -1, -1)]
        for n in range(len(bank.psi1)):
            j, theta = int(bank.psi1.j[n]), int(bank.psi1.theta[n])
            if harmonics is None:
                rows += [(1, n, j, theta, p, -1, -1) for p in range(self.n_phases)]
            else:
                for k in harmonics:
                    rows += [(2, n, j, theta, -1, k, part) for part in ((0,) if k == 0 else (0, 1))]
        arr = np.asarray(rows, dtype=np.int64)
        return {f: arr[:, i].copy() for i, f in enumerate(fields)}

    def _bytes_per_sample(self):
        n = int(np.prod(self.input_shape_))
        return 16 * 3 * n * self.n_channels_

    def transform(self, X):
        """U x for every sample of X.

        Parameters
        ----------
        X : array-like or torch.Tensor
            As in :meth:`fit`, same spatial shape.

        Returns
        -------
        U : ndarray of shape (n_samples, n_channels_ * prod(input_shape_)), or
            (n_samples, n_channels_, *input_shape_) when ``flatten=False``.
        """
        X = self._validate_for_transform(X)
        config = self._config(self._n_workers()[1])
        out = self._run_batches(partial(_forward_batch, config=config), X,
                                self._bytes_per_sample(), "phase harmonics")
        return self._finish(out)

    def inverse_transform(self, X):
        """Reconstruct the signals from U x (linear least squares, exact up to rounding).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels_ * prod(input_shape_)) or
            (n_samples, n_channels_, *input_shape_)

        Returns
        -------
        X_original : ndarray of shape (n_samples, N) / (n_samples, H * W) / (n_samples, H, W)
            Same layout as the input given to :meth:`fit` (flattened when ``shape`` was used).
        """
        check_is_fitted(self, "input_shape_")
        harmonics = self._harmonics()
        if harmonics is None and self.n_phases % 2:
            raise ValueError(f"inverse_transform needs an even n_phases (pairs of opposite phases "
                             f"alpha, alpha + pi); got n_phases={self.n_phases}.")
        if harmonics is not None and 1 not in harmonics:
            raise ValueError(f"inverse_transform needs the harmonic k=1 among harmonics; got {harmonics}.")
        tensor = is_tensor(X)
        U = X if tensor else np.asarray(X)
        if not tensor and not np.issubdtype(U.dtype, np.floating):
            U = U.astype(np.float64)
        expected = (self.n_channels_,) + tuple(self.input_shape_)
        size = int(np.prod(expected))
        if U.ndim < 2 or int(np.prod(tuple(U.shape[1:]))) != size:
            raise ValueError(f"X must be shaped like transform's output: (n_samples, {size}) or "
                             f"(n_samples, *{expected}); got {tuple(U.shape)}.")
        U = U.reshape((U.shape[0],) + expected)
        config = self._config(self._n_workers()[1])
        out = self._run_batches(partial(_inverse_batch, config=config), U,
                                self._bytes_per_sample(), "inverse")
        if self.shape is not None or len(self.input_shape_) == 1:
            return out.reshape((out.shape[0], -1))
        return out

    def transform_vjp(self, X, grad_output):
        """Vector-Jacobian product: the gradient in X of <grad_output, transform(X)>.

        numpy backend: analytic (rectified form); torch backend: autograd (both forms).

        Parameters
        ----------
        X : array-like, as in :meth:`transform`
        grad_output : array-like shaped like ``transform(X)``

        Returns
        -------
        grad_X : ndarray shaped like X
        """
        X_in_shape = np.shape(X)
        X = self._validate_for_transform(X)
        config = self._config(self._n_workers()[1])
        expected = (X.shape[0], self.n_channels_) + tuple(self.input_shape_)
        G = np.asarray(grad_output, dtype=X.dtype)
        if G.size != int(np.prod(expected)) or G.shape[0] != X.shape[0]:
            raise ValueError(f"grad_output must be shaped like transform(X): expected "
                             f"{(X.shape[0], int(np.prod(expected[1:])))} or {expected}, got {G.shape}.")
        G = G.reshape(expected)
        backend = config.get_backend()
        if self.backend == "torch":
            torch = __import__("torch")
            xt = backend.asarray(X).requires_grad_(True)
            out = phase_harmonic_transform(xt, bank=config.bank, backend=backend,
                                           n_phases=self.n_phases, harmonics=config.harmonics)
            (grad,) = torch.autograd.grad(out, xt, backend.asarray(G))
        else:
            if config.harmonics is not None:
                raise NotImplementedError("transform_vjp with harmonics needs backend='torch' "
                                          "(autograd); the numpy backend differentiates the rectified form.")
            grad = phase_harmonic_vjp(backend.asarray(X), backend.asarray(G), bank=config.bank,
                                      backend=backend, n_phases=self.n_phases)
        return backend.to_numpy(grad).reshape(X_in_shape)

    def _output_spatial_shape(self):
        return tuple(self.input_shape_)

    def _channel_names(self):
        t = self.channel_table_
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

