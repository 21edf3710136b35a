"""What the wavelet transformers share: parameters, geometry, batched execution."""

from __future__ import annotations

import math
import os
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .backends import get_backend
from .utils._validation import check_shape_param, check_signals, is_tensor

#: Intermediate coefficients of one batch are kept under this many bytes.
MEMORY_BUDGET = 512 * 2**20
MAX_AUTO_J = 3


def _progress(iterable, total, verbose, desc):
    if not verbose:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is a nicety: fall back to silence
        return iterable
    return tqdm(iterable, total=total, desc=desc)


class _WaveletTransformer(TransformerMixin, BaseEstimator):
    """Base of the transformers; subclasses define the per-batch work and channel table."""

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

    # --- geometry ---------------------------------------------------------------
    def _resolve_J(self, spatial) -> int:
        smallest = min(spatial)
        if smallest < 2:
            raise ValueError(
                f"X has signals of shape {spatial} (n_features = {int(np.prod(spatial))}); "
                f"{type(self).__name__} needs at least 2 samples along each axis."
            )
        if self.J is None:
            return max(1, min(MAX_AUTO_J, int(math.floor(math.log2(smallest)))))
        if 2 ** self.J > smallest:
            raise ValueError(
                f"J={self.J} needs signals of at least 2**J = {2 ** self.J} samples along each axis; "
                f"got spatial shape {spatial}. Use a smaller J (or J=None to choose it)."
            )
        return int(self.J)

    def _check_common_params(self):
        self._validate_params()
        shape = check_shape_param(self.shape)
        if self.backend == "numpy" and self.device not in (None, "cpu"):
            raise ValueError(f"device={self.device!r} needs backend='torch'; the numpy backend runs on 'cpu'.")
        if self.backend == "torch":
            get_backend("torch", device=self.device)  # fails early with an install hint
        return shape

    # --- execution -----------------------------------------------------------------
    def _n_workers(self):
        n_jobs = effective_n_jobs(self.n_jobs)
        return n_jobs, max(1, (os.cpu_count() or 1) // max(1, n_jobs))

    def _run_batches(self, func, X, bytes_per_sample: int, desc: str):
        """Apply ``func`` to batches of X (through joblib when n_jobs != 1) and concatenate."""
        n = X.shape[0]
        if self.batch_size == "auto":
            size = max(1, int(MEMORY_BUDGET // max(1, bytes_per_sample)))
        else:
            size = int(self.batch_size)
        slices = [slice(i, min(i + size, n)) for i in range(0, n, size)]
        n_jobs, _ = self._n_workers()
        tensor = is_tensor(X)
        if tensor or n_jobs == 1 or len(slices) == 1:
            results = [func(X[s]) for s in _progress(slices, len(slices), self.verbose, desc)]
        else:
            # Threads by default: FFTs and numba kernels release the GIL, and threads
            # share the cached filters. parallel_config(backend="dask") overrides this.
            parallel = Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")
            gen = parallel(delayed(func)(X[s]) for s in slices)
            results = list(_progress(gen, len(slices), self.verbose, desc))
        if tensor:
            return __import__("torch").cat(results, dim=0)
        return np.concatenate(results, axis=0)

    def _validate_for_transform(self, X):
        check_is_fitted(self, "input_shape_")
        X, _ = check_signals(self, X, reset=False, shape=self.shape)
        return X

    def _finish(self, Y):
        return Y.reshape((Y.shape[0], -1)) if self.flatten else Y

    # --- naming -----------------------------------------------------------------------
    def _channel_names(self) -> list[str]:
        raise NotImplementedError

    def _output_spatial_shape(self) -> tuple:
        raise NotImplementedError

    def get_feature_names_out(self, input_features=None):
        """Names of the output features, one per (channel, position).

        Channel names read like the coefficient: ``s1_j2_t3_p0`` is order 1,
        scale j=2, orientation theta=3, phase 0 (``n`` indexes 1D wavelets,
        ``k`` harmonics); the position follows (``y1_x0`` or ``t5``).

        Parameters
        ----------
        input_features : array-like of str or None
            Only checked for consistency with ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self, "input_shape_")
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
