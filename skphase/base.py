"""The generic batched estimator base: backend and device, batches under a memory budget,
``n_jobs`` through joblib, progress, tensors in -> tensors out.

:class:`BatchedTransformer` knows nothing of wavelets: a subclass validates its
parameters and input, and says which :class:`~skphase.operators.Operator` its fitted
state defines (``_operator_spec``); ``transform`` and ``transform_vjp`` then run that
operator batch by batch.  Batches are planned from the operator's own memory
estimate and :func:`skphase.config_context`'s ``memory_budget``.
"""

from __future__ import annotations

import functools
import os

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from .backends import get_backend
from .operators._batches import memory_slices
from .utils._memory import check_allocation
from .utils._params import BACKEND, JOBS, Ints
from .utils._progress import progress
from .utils._validation import check_tensor, is_tensor

def backend_for(name: str, device=None, workers: int | None = None):
    """The backend object for an estimator's ``backend``/``device`` (see :func:`get_backend`)."""
    return get_backend(name, device=device, workers=workers)


def _run_operator(x, spec, backend_args, method, *more):
    """Build the operator where the batch runs (tasks carry the small spec, not filters) and apply it."""
    backend = backend_for(*backend_args)
    op = spec.make_operator(backend)
    xb = backend.asarray(x)
    if method == "forward":
        out = op.forward(xb)
    elif method == "vjp":
        _, pullback = op.vjp(xb)
        out = pullback(backend.asarray(more[0], xb.dtype))
    else:
        out = getattr(op, method)(xb)
    return out if backend.owns(x) else backend.to_numpy(out)


def fit_context(fit):
    """Decorator of every skphase ``fit``: scikit-learn's ``_fit_context``, and a fit that fails
    changes nothing.

    Parameters are validated first (``_validate_params``, through scikit-learn's
    ``_fit_context``; nested estimators are not validated again). If the fit raises —
    bad data found late, a second Ctrl-C, an error in training — the estimator's
    attributes are put back as they were before the call, so a fitted estimator stays
    fitted with its previous state and an unfitted one stays unfitted. Fits therefore
    build their fitted objects anew and assign them; they do not mutate the previous
    ones in place.
    """
    checked = _fit_context(prefer_skip_nested_validation=True)(fit)

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        before = dict(self.__dict__)
        try:
            return checked(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    return wrapper


class SkphaseEstimatorMixin:
    """What skphase's estimators check beyond their ``_parameter_constraints``.

    scikit-learn's ``_fit_context`` (and ``_validate_params``) check each parameter
    against its declared constraints; this adds the check that needs more than a
    constraint: that ``backend`` can run on ``device`` here (torch installed, a CUDA
    device present), so that a fit fails at once and clearly, not in its first batch.
    """

    def _validate_params(self):
        super()._validate_params()
        if "backend" in self._parameter_constraints:
            backend_for(self.backend, getattr(self, "device", None))


class BatchedTransformer(SkphaseEstimatorMixin, TransformerMixin, BaseEstimator):
    """Base of skphase's transformers that apply an operator batch by batch.

    Subclasses store their parameters in ``__init__`` (``backend``, ``device``,
    ``batch_size``, ``n_jobs``, ``verbose`` among them), fit their state, and define

    * ``_operator_spec()``: a small picklable object whose ``make_operator(backend)``
      builds the fitted :class:`~skphase.operators.Operator` (joblib or dask tasks
      carry it, not the filters);
    * ``_validate_for_transform(X)``: the checked input, shaped (n_samples, *op.input_shape);
    * ``_finish(Y)``: the output layout returned to the user (default: unchanged).

    ``transform`` and ``transform_vjp`` then run in batches of ``batch_size`` samples
    ("auto": as many as the operator's memory estimate fits in
    ``skphase.get_config()["memory_budget"]``), in parallel with ``n_jobs`` through
    joblib (threads unless ``joblib.parallel_config`` says otherwise, e.g. dask), with
    a progress bar when ``verbose``. numpy in -> numpy out (written into one
    preallocated array); torch tensors in -> tensors out, differentiable by autograd.
    """

    _parameter_constraints: dict = {
        "backend": BACKEND,
        "device": [None, str],
        "batch_size": [StrOptions({"auto"}), Ints(1)],
        "n_jobs": JOBS,
        "verbose": ["verbose"],
    }
    _progress_label = "transform"

    # --- what subclasses provide ---------------------------------------------------
    def _operator_spec(self):
        raise NotImplementedError

    def _validate_for_transform(self, X):
        raise NotImplementedError

    def _finish(self, Y):
        return Y

    # --- execution -----------------------------------------------------------------
    def _workers(self) -> tuple[int, int]:
        """(parallel batches, FFT threads per batch): together they use the cores once."""
        n_jobs = effective_n_jobs(self.n_jobs)
        return n_jobs, max(1, (os.cpu_count() or 1) // max(1, n_jobs))

    def _backend_args(self) -> tuple:
        return (self.backend, self.device, self._workers()[1])

    def get_operator(self):
        """The fitted transform as an :class:`~skphase.operators.Operator` on this estimator's backend.

        Its ``forward(x)`` and ``vjp(x) -> (y, pullback)`` take backend arrays of shape
        ``(batch, *op.input_shape)``: what statistics, losses and trained models call.

        Returns
        -------
        operator : Operator
        """
        check_is_fitted(self)
        return self._operator_spec().make_operator(backend_for(*self._backend_args()))

    def _batch_slices(self, n: int, bytes_per_sample: int, backend) -> list[slice]:
        return memory_slices(n, bytes_per_sample, backend,
                             None if self.batch_size == "auto" else int(self.batch_size))

    def _map_batches(self, method: str, X, out_sample_shape, *, pullback: bool = False, more=(),
                     desc=None):
        """Apply the operator's ``method`` to batches of X (and of ``more``, sliced alike)."""
        spec = self._operator_spec()
        op = self.get_operator()
        itemsize = np.dtype(str(X.dtype).removeprefix("torch.")).itemsize
        slices = self._batch_slices(X.shape[0], op.bytes_per_sample(itemsize, pullback=pullback), op.backend)
        args = self._backend_args()
        desc = desc or self._progress_label
        n_jobs, _ = self._workers()

        def task(s):
            return delayed(_run_operator)(X[s], spec, args, method, *(m[s] for m in more))

        if op.backend.owns(X):  # the backend's own arrays (tensors): kept, concatenated there
            results = [_run_operator(X[s], spec, args, method, *(m[s] for m in more))
                       for s in progress(slices, len(slices), self.verbose, desc)]
            return op.backend.concatenate(results, axis=0)
        if n_jobs == 1 or len(slices) == 1:
            results = (_run_operator(X[s], spec, args, method, *(m[s] for m in more)) for s in slices)
        else:
            # Threads by default: FFTs and numba kernels release the GIL, and threads
            # share the cached filters. parallel_config(backend="dask") overrides this.
            results = Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(
                task(s) for s in slices)
        out = None
        for s, y in zip(slices, progress(results, len(slices), self.verbose, desc)):
            if out is None:  # one preallocated output: no list of batches, no concatenation
                out = np.empty((X.shape[0],) + tuple(out_sample_shape), dtype=y.dtype)
            out[s] = y
        return out

    def transform(self, X):
        """Apply the fitted operator to X, batch by batch.

        Parameters
        ----------
        X : array-like or torch.Tensor
            As in ``fit``. A tensor (with ``backend="torch"``) gives a tensor that
            autograd can differentiate.

        Returns
        -------
        X_new : ndarray or torch.Tensor
        """
        X = self._validate_for_transform(X)
        op_shape = self.get_operator().output_shape
        if not is_tensor(X):
            itemsize = np.dtype(X.dtype).itemsize
            check_allocation(X.shape[0] * int(np.prod(op_shape)) * itemsize,
                             f"{type(self).__name__}.transform's output for {X.shape[0]} samples "
                             f"({X.shape[0]} x {tuple(op_shape)} values, {X.dtype})",
                             "transform X in slices of fewer samples (or fewer channels: a smaller J, L "
                             "or n_phases); batch_size and skphase.config_context(memory_budget=...) bound "
                             "only the working memory of each batch.")
        return self._finish(self._map_batches("forward", X, op_shape))

    def _check_output_like(self, G, name: str, n_samples: int | None = None):
        """Validate an array shaped like the operator's output; return it as (n, *output_shape).

        Accepts the flattened layout (n, prod(output_shape)) or exactly (n, *output_shape):
        any other shape with the same number of values is refused, not reinterpreted.
        """
        if is_tensor(G):
            if self.backend != "torch":
                raise TypeError(f"{name} is a torch.Tensor but backend='numpy'; pass a numpy array or "
                                "set backend='torch'.")
            G = check_tensor(G, name=name, allow_nd=True)
        else:
            G = check_array(G, allow_nd=True, dtype=[np.float64, np.float32], input_name=name)
        shape = tuple(self.get_operator().output_shape)
        n = G.shape[0] if n_samples is None else n_samples
        size = int(np.prod(shape))
        got = tuple(G.shape)
        if got not in ((n, size), (n,) + shape):
            raise ValueError(f"{name} must be shaped like transform's output: ({n}, {size}) or "
                             f"({n}, *{shape}); got {got}.")
        return G.reshape((n,) + shape)

    def transform_vjp(self, X, grad_output):
        """Vector-Jacobian product: the gradient in X of <grad_output, transform(X)>.

        One forward and one backward pass of the operator per batch: its analytic
        adjoint on numpy, autograd on torch.

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
        grad = self._map_batches("vjp", X, tuple(X.shape[1:]), pullback=True, more=(G,),
                                 desc="gradient")
        return grad.reshape(X_in_shape)
