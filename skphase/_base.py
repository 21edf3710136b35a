"""What the wavelet transformers share: parameters, fitted geometry, batched execution, VJPs."""

from __future__ import annotations

import dataclasses
import math
import os
import warnings
from functools import partial
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_array, check_is_fitted

from .backends import get_backend
from .utils._validation import check_shape_param, check_signals, check_tensor, is_tensor

#: Intermediate coefficients of one batch are kept under this many bytes.
MEMORY_BUDGET = 64 * 2**20
MAX_AUTO_J = 3


def _progress(iterable, total, verbose, desc):
    if not verbose:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is a nicety: fall back to silence
        return iterable
    return tqdm(iterable, total=total, desc=desc)


@dataclasses.dataclass(frozen=True)
class _BaseConfig:
    """The fitted configuration of a transformer: small and picklable, so that
    joblib/dask tasks stay light and filters are fetched from the cache where they run."""

    input_shape: tuple
    J: int
    L: int
    Q: int
    wavelet: str
    backend: str
    device: str | None
    workers: int

    def get_backend(self):
        if self.backend == "torch":
            return _torch_backend(self.device)
        return get_backend("numpy", workers=self.workers)


_TORCH_BACKENDS: dict = {}


def _torch_backend(device):
    # one backend per device keeps its filter tensors cached across batches
    if device not in _TORCH_BACKENDS:
        _TORCH_BACKENDS[device] = get_backend("torch", device=device)
    return _TORCH_BACKENDS[device]


def _apply(x, config, forward):
    """Run ``forward(config, backend_array)`` on one batch; numpy in -> numpy out."""
    backend = config.get_backend()
    out = forward(config, backend.asarray(x))
    return out if is_tensor(x) else backend.to_numpy(out)


def _apply_vjp(x, g, config, forward, vjp):
    """Gradient in x of <g, forward(x)> for one batch: autograd on torch, ``vjp`` on numpy."""
    backend = config.get_backend()
    xb = backend.asarray(x)
    gb = backend.asarray(g, xb.dtype)
    if config.backend == "torch":
        torch = __import__("torch")
        xb = xb.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(forward(config, xb), xb, gb)
    else:
        grad = vjp(config, xb, gb)
    return grad if is_tensor(x) else backend.to_numpy(grad)


class _WaveletTransformer(TransformerMixin, BaseEstimator):
    """Base of the transformers.

    Subclasses define ``_make_config``, ``_describe`` (fitted attributes),
    ``_forward(config, x)``, ``_vjp(config, x, g)``, ``_bytes_per_sample``,
    ``_output_spatial_shape`` and ``_channel_names``.
    """

    _parameter_constraints: dict = {
        "J": [None, Interval(Integral, 1, None, closed="left")],
        "L": [Interval(Integral, 1, None, closed="left")],
        "Q": [Interval(Integral, 1, None, closed="left")],
        "wavelet": [StrOptions({"morlet", "bump"})],
        "shape": [None, "array-like"],
        "flatten": ["boolean"],
        "backend": [StrOptions({"numpy", "torch"})],
        "device": [None, str],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "n_jobs": [None, Integral],
        "verbose": ["verbose"],
    }
    _progress_label = "transform"

    # --- fit ----------------------------------------------------------------------
    def fit(self, X, y=None):
        """Check X, choose J and build (or fetch from cache) the filters.

        Parameters
        ----------
        X : array-like of shape (n_samples, N), (n_samples, H * W) with ``shape``, or (n_samples, H, W)
            Real signals or images; a torch.Tensor with ``backend="torch"``.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        shape = self._check_params()
        X, spatial = check_signals(self, X, reset=True, shape=shape)
        self.input_shape_ = spatial
        self._flat_images_ = shape is not None and len(spatial) == 2
        self.J_ = self._resolve_J(spatial)
        self.config_ = self._make_config()
        self._describe(self.config_)
        return self

    def _check_params(self):
        self._validate_params()
        shape = check_shape_param(self.shape)
        # scikit-learn's Interval(Integral) accepts booleans; a count given as True is a mistake
        for name, rule in self._parameter_constraints.items():
            value = getattr(self, name)
            if isinstance(value, bool) and any(isinstance(r, Interval) for r in rule):
                raise TypeError(f"{name} must be an int, got {value!r}.")
        if self.n_jobs == 0:
            raise ValueError("n_jobs=0 is not valid: use None, a positive count, or -1 for all cores.")
        # fails early: device with the numpy backend, or torch missing (with an install hint)
        get_backend(self.backend, device=self.device)
        if self.backend == "torch":
            torch = __import__("torch")
            if str(self.device or "cpu").startswith("cuda") and not torch.cuda.is_available():
                raise ValueError(f"device={self.device!r} but torch sees no CUDA device; "
                                 "use device='cpu' (or None).")
        return shape

    def _resolve_J(self, spatial) -> int:
        smallest = min(spatial)
        if smallest < 2:
            raise ValueError(
                f"X has signals of shape {spatial} (n_features = {int(np.prod(spatial))}); "
                f"{type(self).__name__} needs at least 2 samples along each axis."
            )
        if self.J is not None:
            if 2 ** self.J > smallest:
                raise ValueError(
                    f"J={self.J} needs signals of at least 2**J = {2 ** self.J} samples along each "
                    f"axis; got spatial shape {spatial}. Use a smaller J (or J=None to choose it)."
                )
            return int(self.J)
        # J=None: the largest J <= MAX_AUTO_J that this input's geometry supports
        for J in range(min(MAX_AUTO_J, int(math.floor(math.log2(smallest)))), 0, -1):
            if self._geometry_allows(J, spatial):
                return J
        return 1  # let the geometry check raise its own, specific error

    def _geometry_allows(self, J, spatial) -> bool:
        return True

    def _base_config_fields(self) -> dict:
        """The fields of :class:`_BaseConfig` for the fitted geometry (L in 2D, Q in 1D)."""
        two_d = len(self.input_shape_) == 2
        return dict(input_shape=tuple(self.input_shape_), J=self.J_, L=self.L if two_d else 1,
                    Q=1 if two_d else self.Q, wavelet=self.wavelet, backend=self.backend,
                    device=self.device, workers=1)

    # --- execution -----------------------------------------------------------------
    def _n_workers(self):
        n_jobs = effective_n_jobs(self.n_jobs)
        return n_jobs, max(1, (os.cpu_count() or 1) // max(1, n_jobs))

    def _run_batches(self, func, X, bytes_per_sample: int, desc: str, *more):
        """Apply ``func`` to batches of X (and of the arrays ``more``, sliced alike) through
        joblib when n_jobs != 1, and concatenate."""
        n = X.shape[0]
        if self.batch_size == "auto":
            size = max(1, int(MEMORY_BUDGET // max(1, bytes_per_sample)))
        else:
            size = int(self.batch_size)
        slices = [slice(i, min(i + size, n)) for i in range(0, n, size)]
        n_jobs, _ = self._n_workers()
        tensor = is_tensor(X)
        if tensor or n_jobs == 1 or len(slices) == 1:
            results = [func(X[s], *(m[s] for m in more))
                       for s in _progress(slices, len(slices), self.verbose, desc)]
        else:
            # Threads by default: FFTs and numba kernels release the GIL, and threads
            # share the cached filters. parallel_config(backend="dask") overrides this.
            parallel = Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")
            gen = parallel(delayed(func)(X[s], *(m[s] for m in more)) for s in slices)
            results = list(_progress(gen, len(slices), self.verbose, desc))
        if tensor:
            return __import__("torch").cat(results, dim=0)
        return np.concatenate(results, axis=0)

    def _runtime_config(self):
        return dataclasses.replace(self.config_, workers=self._n_workers()[1])

    def _validate_for_transform(self, X):
        check_is_fitted(self, "config_")
        shape = self.input_shape_ if self._flat_images_ else None
        X, _ = check_signals(self, X, reset=False, shape=shape)
        return X

    def _finish(self, Y):
        return Y.reshape((Y.shape[0], -1)) if self.flatten else Y

    def transform(self, X):
        """Transform X.

        Parameters
        ----------
        X : array-like or torch.Tensor
            As in :meth:`fit`, with the same spatial shape. A tensor (with
            ``backend="torch"``) gives a tensor that autograd can differentiate.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_channels_ * prod(output spatial shape)), or
            (n_samples, n_channels_, *spatial) when ``flatten=False``.
        """
        X = self._validate_for_transform(X)
        config = self._runtime_config()
        func = partial(_apply, config=config, forward=type(self)._forward)
        return self._finish(self._run_batches(func, X, self._bytes_per_sample(config),
                                              self._progress_label))

    def _check_output_like(self, G, name, n_samples=None):
        """Validate an array shaped like transform's output; return it structured (n, C, *spatial)."""
        if is_tensor(G):
            if self.config_.backend != "torch":
                raise TypeError(f"{name} is a torch.Tensor but backend='numpy'; pass a numpy array or "
                                "set backend='torch'.")
            G = check_tensor(G, name=name, allow_nd=True)
        else:
            G = check_array(G, allow_nd=True, dtype=[np.float64, np.float32], input_name=name)
        n = G.shape[0] if n_samples is None else n_samples
        channel = (self.n_channels_,) + tuple(self._output_spatial_shape())
        size = int(np.prod(channel))
        if G.ndim < 2 or G.shape[0] != n or int(np.prod(tuple(G.shape[1:]))) != size:
            raise ValueError(f"{name} must be shaped like transform's output: ({n}, {size}) or "
                             f"({n}, *{channel}); got {tuple(G.shape)}.")
        return G.reshape((n,) + channel)

    def transform_vjp(self, X, grad_output):
        """Vector-Jacobian product: the gradient in X of <grad_output, transform(X)>.

        numpy backend: analytic adjoint (the filter bank's adjoint and the
        derivative of the nonlinearity); torch backend: autograd.

        Parameters
        ----------
        X : array-like or torch.Tensor, as in :meth:`transform`
        grad_output : array-like or torch.Tensor, shaped like ``transform(X)``

        Returns
        -------
        grad_X : ndarray (or tensor) shaped like X
        """
        X_in_shape = tuple(X.shape) if is_tensor(X) else np.shape(X)
        X = self._validate_for_transform(X)
        G = self._check_output_like(grad_output, "grad_output", n_samples=X.shape[0])
        config = self._runtime_config()
        func = partial(_apply_vjp, config=config, forward=type(self)._forward, vjp=type(self)._vjp)
        grad = self._run_batches(func, X, 2 * self._bytes_per_sample(config), "gradient", G)
        return grad.reshape(X_in_shape)

    # --- naming -----------------------------------------------------------------------
    def get_feature_names_out(self, input_features=None):
        """Names of the output features, one per (channel, position).

        Channel names read like the coefficient (``s1_j2_t3_p0``: order 1, scale
        j=2, orientation theta=3, phase 0; ``n`` indexes 1D wavelets, ``k``
        harmonics); the position follows (``y1_x0`` or ``t5``).

        Parameters
        ----------
        input_features : array-like of str or None
            Only checked for consistency with ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self, "config_")
        _check_feature_names_in(self, input_features, generate_names=False)
        spatial = self._output_spatial_shape()
        if len(spatial) == 1:
            pos = [f"t{i}" for i in range(spatial[0])]
        else:
            pos = [f"y{i}_x{j}" for i in range(spatial[0]) for j in range(spatial[1])]
        return np.asarray([f"{c}_{p}" for c in self._channel_names() for p in pos], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.allow_nan = False
        return tags


def warn_if_over_budget(bytes_per_sample: int, what: str) -> None:
    """Say so when even one sample cannot stay under the memory budget."""
    if bytes_per_sample > MEMORY_BUDGET:
        warnings.warn(f"{what} needs about {bytes_per_sample / 2**20:.0f} MiB per sample, more than the "
                      f"{MEMORY_BUDGET / 2**20:.0f} MiB budget; it runs one sample at a time.",
                      ResourceWarning, stacklevel=3)
