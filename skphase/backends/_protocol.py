"""The backend protocol: what an operator may ask of an array library.

Operators (:mod:`skphase.operators`) are written once over these primitives;
a backend is any object that provides them.  :class:`Backend` states the
contract so that a static type checker (and ``isinstance``, for the method
names) can check a new backend, and so that nobody has to read two backends to
learn what a third must do.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np

Array = Any  # a backend array: numpy.ndarray, torch.Tensor, ...


@runtime_checkable
class Backend(Protocol):
    """The primitives every backend provides.

    Spatial axes are always the trailing ``ndim`` axes (1 or 2).  Spectra are in
    the backend's own layout: ``fft`` gives the full spectrum; ``rfft`` may give
    half of a real signal's spectrum (numpy) or all of it (torch), and
    ``hermitian_full`` / ``low_pass_half`` are the only functions that read that
    layout.

    Optional capabilities, looked up with ``getattr`` by the operators:
    ``fused_wavelet_layer`` / ``fused_wavelet_layer_adjoint`` (one scattering
    layer and its pullback as one kernel), ``autograd_vjp(func, x)`` (pullbacks
    by automatic differentiation, used by :meth:`skphase.operators.Operator.vjp`
    instead of the analytic adjoint).
    """

    name: str
    #: whether ``get_backend`` should hand out one shared instance per device (an
    #: accelerator keeps its filter copies cached across batches) or a new one
    reuse_per_device: bool

    # --- conversion ---------------------------------------------------------
    def asarray(self, x, dtype=None) -> Array: ...
    def to_numpy(self, x: Array) -> np.ndarray: ...
    def from_filter(self, arr: np.ndarray, dtype) -> Array: ...
    def owns(self, x) -> bool:
        """Whether ``x`` is one of this backend's own arrays (returned as such, not as numpy)."""
        ...
    def memory_budget(self, config: dict) -> int: ...

    # --- Fourier ------------------------------------------------------------
    def fft(self, x: Array, ndim: int) -> Array: ...
    def ifft(self, x: Array, ndim: int) -> Array: ...
    def rfft(self, u: Array, ndim: int) -> Array: ...
    def hermitian_full(self, half: Array, ndim: int, spatial: tuple) -> Array: ...
    def low_pass_half(self, half: Array, phi: Array, k: int, ndim: int, spatial: tuple) -> Array: ...

    # --- filters ------------------------------------------------------------
    def mul_periodize(self, xhat: Array, filt: Array, k: int, ndim: int) -> Array: ...
    def mul_periodize_adjoint(self, grad: Array, filt: Array, k: int, ndim: int) -> Array: ...

    # --- pointwise ----------------------------------------------------------
    def real(self, z: Array) -> Array: ...
    def modulus(self, z: Array) -> Array: ...
    def relu_phases(self, z: Array, cos: Array, sin: Array) -> Array: ...
    def cos_sin(self, alphas: np.ndarray, dtype) -> tuple[Array, Array]: ...
    def where_positive(self, a: Array, b: Array) -> Array: ...

    # --- layout -------------------------------------------------------------
    def take(self, x: Array, index: np.ndarray, axis: int) -> Array: ...
    def index_add(self, shape: tuple, index: np.ndarray, values: Array, axis: int) -> Array: ...
    def zero_embed(self, values: Array, shape: tuple, window) -> Array: ...
    def stack(self, arrays, axis: int) -> Array: ...
    def concatenate(self, arrays, axis: int) -> Array: ...


#: Signature of a backend factory in the registry: ``factory(device=..., workers=...)``.
BackendFactory = Callable[..., Backend]
