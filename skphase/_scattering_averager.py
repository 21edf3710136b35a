"""ScatteringAverager: S_J x = U x * phi_J subsampled by 2**J (scikit-learn transformer)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import _WaveletTransformer
from .backends import get_backend
from .filters import filter_bank, padding_geometry
from .transforms import group_size, make_plan, scattering, scattering_vjp
from .utils._validation import check_signals, is_tensor


@dataclass(frozen=True)
class _Config:
    """Everything one batch needs; small and picklable, so joblib/dask tasks stay light."""

    input_shape: tuple
    J: int
    L: int
    Q: int
    wavelet: str
    padding: str
    max_order: int
    nonlinearity: str
    n_phases: int
    backend: str
    device: str | None
    workers: int

    @property
    def spec(self):
        return _padding(self.input_shape, self.J, self.padding, self.Q)

    @property
    def bank(self):
        return filter_bank(self.spec.padded_shape, self.J, L=self.L, Q=self.Q, wavelet=self.wavelet)

    @property
    def plan(self):
        return _plan(self.bank, self.max_order, self.nonlinearity, self.n_phases)

    def kwargs(self):
        return dict(bank=self.bank, pad_spec=self.spec, plan=self.plan,
                    backend=get_backend(self.backend, device=self.device, workers=self.workers)
                    if self.backend == "numpy" else _torch_backend(self.device),
                    max_order=self.max_order, nonlinearity_kind=self.nonlinearity,
                    n_phases=self.n_phases)


@lru_cache(maxsize=32)
def _padding(shape, J, mode, Q):
    # cached: the geometry is pure, and its border-effect warning is then shown once
    return padding_geometry(shape, J, mode=mode, Q=Q)


@lru_cache(maxsize=32)
def _plan(bank, max_order, nonlinearity, n_phases):
    return make_plan(bank, max_order=max_order, nonlinearity=nonlinearity, n_phases=n_phases)


@lru_cache(maxsize=8)
def _torch_backend(device):
    # one backend per device keeps its filter tensors cached across batches
    return get_backend("torch", device=device)


def _scattering_batch(x, config: _Config):
    kw = config.kwargs()
    backend = kw["backend"]
    out = scattering(backend.asarray(x), **kw)
    return out if is_tensor(x) else backend.to_numpy(out)


class ScatteringAverager(_WaveletTransformer):
    """Scattering averages S_J x of 1D signals or 2D images.

    S_J x = (x * phi_J, rho(x * psi_{l1}) * phi_J, rho(rho(x * psi_{l1}) * psi_{l2}) * phi_J),
    subsampled by 2**J: translation invariant up to 2**J, stable to deformations.
    ``nonlinearity="relu"`` (default) uses the rectified multiphase real wavelets
    rho(Re(e^{-i alpha} x * psi)) of the seed; ``"modulus"`` gives the classic
    scattering transform, equal to Kymatio 0.3's ``Scattering1D``/``Scattering2D``
    with ``wavelet="morlet", padding="reflect"`` (same channel order).

    Parameters
    ----------
    J : int or None, default=None
        Number of octaves; averaging scale 2**J. None picks min(3, log2(size)).
    L : int, default=8
        Orientations (2D).
    Q : int, default=1
        Wavelets per octave at the first order (1D).
    max_order : {1, 2}, default=2
        Scattering order.
    nonlinearity : {"relu", "modulus"}, default="relu"
        Phase-rectified real wavelets or the complex modulus.
    n_phases : int, default=4
        Phases alpha of the rectified form (ignored for ``"modulus"``).
    wavelet : {"morlet", "bump"}, default="morlet"
        Wavelet family (see :func:`skphase.filters.filter_bank`).
    padding : {"reflect", "periodic"}, default="reflect"
        Boundary handling. ``"periodic"`` needs sizes divisible by 2**J.
    shape : tuple of int or None, default=None
        Spatial shape (H, W) when X holds flattened images (n_samples, H * W).
    flatten : bool, default=True
        Return (n_samples, n_features); False keeps (n_samples, channels, *spatial).
    backend : {"numpy", "torch"}, default="numpy"
        numpy/numba on CPU, or torch (differentiable; ``device="cuda"`` for GPU).
    device : str or None, default=None
        torch device.
    batch_size : int or "auto", default="auto"
        Samples per batch; "auto" keeps intermediate coefficients under 512 MiB.
    n_jobs : int or None, default=None
        Batches run in parallel through joblib (threads unless a joblib backend
        such as dask is configured with ``joblib.parallel_config``).
    verbose : int, default=0
        Show a progress bar over batches.

    Attributes
    ----------
    J_ : int
        The number of octaves used.
    input_shape_ : tuple of int
        Spatial shape of the signals seen in fit.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X had string column names.
    n_channels_ : int
        Number of scattering channels.
    output_shape_ : tuple of int
        Spatial shape of each channel after subsampling.
    channel_table_ : dict of ndarray
        One row per channel: order, n1, j1, theta1, phase1, n2, j2, theta2, phase2 (-1 if n/a).

    See Also
    --------
    PhaseHarmonicTransform : the full-resolution U x, linearly invertible.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase import ScatteringAverager
    >>> X = np.random.default_rng(0).standard_normal((4, 32, 32))
    >>> S = ScatteringAverager(J=2, L=4, nonlinearity="modulus").fit(X)
    >>> S.transform(X).shape
    (4, 528)
    >>> S.n_channels_, S.output_shape_
    (33, (8, 8))
    """

    _parameter_constraints: dict = {
        **_WaveletTransformer._parameter_constraints,
        "max_order": [Interval(Integral, 1, 2, closed="both")],
        "nonlinearity": [StrOptions({"relu", "modulus"})],
        "n_phases": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"reflect", "periodic"})],
    }

    def __init__(self, J=None, *, L=8, Q=1, max_order=2, nonlinearity="relu", n_phases=4,
                 wavelet="morlet", padding="reflect", shape=None, flatten=True, backend="numpy",
                 device=None, batch_size="auto", n_jobs=None, verbose=0):
        self.J = J
        self.L = L
        self.Q = Q
        self.max_order = max_order
        self.nonlinearity = nonlinearity
        self.n_phases = n_phases
        self.wavelet = wavelet
        self.padding = padding
        self.shape = shape
        self.flatten = flatten
        self.backend = backend
        self.device = device
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y=None):
        """Check X, choose J and build (or fetch from cache) the filters.

        Parameters
        ----------
        X : array-like of shape (n_samples, N), (n_samples, H * W) with ``shape``, or (n_samples, H, W)
        y : None
            Ignored.

        Returns
        -------
        self : ScatteringAverager
        """
        shape = self._check_common_params()
        X, spatial = check_signals(self, X, reset=True, shape=shape)
        self.input_shape_ = spatial
        self.J_ = self._resolve_J(spatial)
        config = self._config()
        spec = config.spec
        plan = config.plan
        self.n_channels_ = plan.n_channels
        coarse = tuple(n // 2 ** self.J_ for n in spec.padded_shape)
        crop = spec.crop(self.J_)
        self.output_shape_ = tuple(len(range(*s.indices(n))) for s, n in zip(crop, coarse))
        self.channel_table_ = {k: v.copy() for k, v in plan.table.items()}
        return self

    def _config(self, workers=1) -> _Config:
        ndim = len(self.input_shape_)
        return _Config(tuple(self.input_shape_), self.J_, self.L if ndim == 2 else 1,
                       self.Q if ndim == 1 else 1, self.wavelet, self.padding, self.max_order,
                       self.nonlinearity, self.n_phases if self.nonlinearity == "relu" else 1,
                       self.backend, self.device, workers)

    def _bytes_per_sample(self, config) -> int:
        spec, plan = config.spec, config.plan
        n0 = int(np.prod(spec.padded_shape))
        ndim = len(spec.padded_shape)
        P = config.n_phases
        biggest = 4 * n0
        for j1, k1, idx1 in plan.groups1:
            c1 = group_size(idx1) * P
            biggest = max(biggest, 3 * c1 * n0 // 2 ** (k1 * ndim))
            for j2, k2, idx2 in plan.groups2.get(j1, []):
                biggest = max(biggest, 3 * c1 * group_size(idx2) * P * n0 // 2 ** ((k1 + k2) * ndim))
        return 16 * biggest

    def transform(self, X):
        """Scattering coefficients of X.

        Parameters
        ----------
        X : array-like or torch.Tensor
            As in :meth:`fit`, same spatial shape. A tensor (with ``backend="torch"``)
            gives a tensor, differentiable with autograd.

        Returns
        -------
        S : ndarray of shape (n_samples, n_channels_ * prod(output_shape_)), or
            (n_samples, n_channels_, *output_shape_) when ``flatten=False``.
        """
        X = self._validate_for_transform(X)
        _, workers = self._n_workers()
        config = self._config(workers)
        out = self._run_batches(partial(_scattering_batch, config=config), X,
                                self._bytes_per_sample(config), "scattering")
        return self._finish(out)

    def transform_vjp(self, X, grad_output):
        """Vector-Jacobian product: the gradient in X of <grad_output, transform(X)>.

        numpy backend: analytic adjoint (filter bank adjoint and derivative of the
        nonlinearity); torch backend: autograd.

        Parameters
        ----------
        X : array-like, as in :meth:`transform`
        grad_output : array-like, shaped like ``transform(X)``

        Returns
        -------
        grad_X : ndarray shaped like X
        """
        X_in_shape = np.shape(X)
        X = self._validate_for_transform(X)
        config = self._config(self._n_workers()[1])
        G = np.asarray(grad_output, dtype=X.dtype)
        expected = (X.shape[0], self.n_channels_) + tuple(self.output_shape_)
        if G.size != int(np.prod(expected)) or G.shape[0] != X.shape[0]:
            raise ValueError(f"grad_output must be shaped like transform(X): expected "
                             f"{(X.shape[0], int(np.prod(expected[1:])))} or {expected}, got {G.shape}.")
        G = G.reshape(expected)
        kw = config.kwargs()
        backend = kw["backend"]
        if self.backend == "torch":
            torch = __import__("torch")
            xt = backend.asarray(X).requires_grad_(True)
            out = scattering(xt, **kw)
            (grad,) = torch.autograd.grad(out, xt, backend.asarray(G))
        else:
            grad = scattering_vjp(backend.asarray(X), backend.asarray(G), **kw)
        return backend.to_numpy(grad).reshape(X_in_shape)

    def _output_spatial_shape(self):
        return tuple(self.output_shape_)

    def _channel_names(self):
        t = self.channel_table_
        two_d = len(self.input_shape_) == 2
        relu = self.nonlinearity == "relu"

        def one(n, j, theta, phase):
            name = f"j{j}_t{theta}" if two_d else f"n{n}_j{j}"
            return name + (f"_p{phase}" if relu else "")

        names = []
        for c in range(len(t["order"])):
            order = t["order"][c]
            if order == 0:
                names.append("s0")
                continue
            name = f"s{order}_" + one(t["n1"][c], t["j1"][c], t["theta1"][c], t["phase1"][c])
            if order == 2:
                name += "_" + one(t["n2"][c], t["j2"][c], t["theta2"][c], t["phase2"][c])
            names.append(name)
        return names
