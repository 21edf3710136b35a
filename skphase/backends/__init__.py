"""Backends: the only place that knows numpy, numba or torch.

The operators in :mod:`skphase.operators` are written once over the small set
of primitives that :class:`NumpyBackend` and :class:`TorchBackend` share:

* Fourier: ``fft``/``ifft`` over the trailing spatial axes; ``rfft`` (a real
  signal's spectrum in the backend's layout: half on numpy, full on torch),
  ``hermitian_full`` and ``low_pass_half`` on that layout;
* filters: ``mul_periodize`` (product with a filter stack, then subsampling in
  space as periodization in Fourier) and its adjoint;
* learning: ``soft_threshold``;
* pointwise: ``modulus``, ``relu_phases``, ``real``, ``where_positive``, ``cos_sin``;
* layout: ``take``/``index_add`` along an axis (padding and its adjoint),
  ``zero_embed`` (cropping's adjoint), ``stack``, ``concatenate``,
  ``asarray``/``to_numpy``, ``from_filter`` (cached working-precision copies of the
  filters).

Optional, chosen by the operators when present: ``fused_wavelet_layer`` and
``fused_wavelet_layer_adjoint`` (one scattering layer and its pullback as one numba
kernel on numpy; ``fast_paths_ready()`` says whether they may run now: not with
``SKPHASE_JIT=off``, see :mod:`skphase.backends._jit`),
``autograd_vjp`` (torch: pullbacks by automatic differentiation).

:class:`Backend` (``_protocol.py``) states this contract.  Adding a backend (JAX,
CuPy) means writing one class that satisfies it and registering it:
``register_backend("jax", JaxBackend)``; every estimator's ``backend=`` then
accepts ``"jax"``, and nothing outside :mod:`skphase.backends` changes.
"""

from __future__ import annotations

from ._numpy import NumpyBackend
from ._protocol import Backend, BackendFactory
from ._torch import TorchBackend

__all__ = ["Backend", "NumpyBackend", "TorchBackend", "backend_names", "get_backend",
           "register_backend"]

# name -> factory(device=..., workers=...); the one place that lists the backends
_REGISTRY: dict[str, BackendFactory] = {}
_SHARED: dict[tuple, Backend] = {}


def register_backend(name: str, factory: BackendFactory) -> None:
    """Make ``backend=name`` available to every skphase estimator and operator.

    Parameters
    ----------
    name : str
        The value users pass as ``backend=``.
    factory : callable
        ``factory(device=None, workers=None)`` returns an object satisfying
        :class:`Backend`; it should raise ``ValueError`` for a device it cannot use.

    Examples
    --------
    >>> from skphase.backends import NumpyBackend, backend_names, register_backend
    >>> class Numpy2(NumpyBackend):
    ...     name = "numpy2"
    >>> register_backend("numpy2", lambda device=None, workers=None: Numpy2(workers=workers))
    >>> "numpy2" in backend_names()
    True
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str; got {name!r}.")
    if not callable(factory):
        raise TypeError(f"factory must be callable; got {type(factory).__name__}.")
    _REGISTRY[name] = factory
    for key in [k for k in _SHARED if k[0] == name]:
        del _SHARED[key]


def backend_names() -> tuple[str, ...]:
    """The names ``backend=`` accepts, in registration order."""
    return tuple(_REGISTRY)


def _numpy_factory(device=None, workers=None):
    if device not in (None, "cpu"):
        raise ValueError(
            f"device={device!r} needs backend='torch'; the numpy backend runs on 'cpu' only."
        )
    return NumpyBackend(workers=workers)


def _torch_factory(device=None, workers=None):
    return TorchBackend(device=device)


register_backend("numpy", _numpy_factory)
register_backend("torch", _torch_factory)


def get_backend(name: str = "numpy", *, device=None, workers: int | None = None):
    """Return the backend object called ``name``.

    Parameters
    ----------
    name : str
        A registered backend (:func:`backend_names`): ``"numpy"`` runs on CPU with
        scipy.fft and numba kernels; ``"torch"`` runs on ``device`` and is
        differentiable with autograd.
    device : str or None
        torch device; must be None (or "cpu") for the numpy backend.
    workers : int or None
        FFT threads for the numpy backend (None: all cores).

    Returns
    -------
    backend : Backend
        A new object, or, for backends with ``reuse_per_device`` (torch), the one
        shared for that device, so its filter copies stay cached across batches.

    Examples
    --------
    >>> from skphase.backends import get_backend
    >>> get_backend("numpy").name
    'numpy'
    """
    factory = _REGISTRY.get(name) if isinstance(name, str) else None
    if factory is None:
        raise ValueError(f"backend must be one of {', '.join(map(repr, _REGISTRY))}; got {name!r}.")
    key = (name, device)
    shared = _SHARED.get(key)
    if shared is not None:
        return shared
    backend = factory(device=device, workers=workers)
    if getattr(backend, "reuse_per_device", False):
        _SHARED[key] = backend
    return backend
