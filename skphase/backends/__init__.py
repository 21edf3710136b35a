"""Backends: the only place that knows numpy, numba or torch.

The operators in :mod:`skphase.operators` are written once over the small set
of primitives that :class:`NumpyBackend` and :class:`TorchBackend` share:

* Fourier: ``fft``/``ifft`` over the trailing spatial axes; ``rfft`` (a real
  signal's spectrum in the backend's layout: half on numpy, full on torch),
  ``hermitian_full`` and ``low_pass_half`` on that layout;
* filters: ``mul_periodize`` (product with a filter stack, then subsampling in
  space as periodization in Fourier) and its adjoint;
* statistics and learning: ``cross_correlation`` (two stacks, every circular shift
  at once, one FFT product), ``matmul`` (batched), ``soft_threshold``;
* pointwise: ``modulus``, ``relu_phases``, ``real``, ``where_positive``, ``cos_sin``;
* layout: ``take``/``index_add`` along an axis (padding and its adjoint),
  ``zero_embed`` (cropping's adjoint), ``stack``, ``concatenate``,
  ``asarray``/``to_numpy``, ``from_filter`` (cached working-precision copies of the
  filters).

Optional, chosen by the operators when present: ``fused_wavelet_layer`` and
``fused_wavelet_layer_adjoint`` (one scattering layer and its pullback as one numba
kernel on numpy; ``fast_paths_ready()`` says whether they may run now: not while
numba compiles them in the background, see :mod:`skphase.backends._jit`),
``autograd_vjp`` (torch: pullbacks by automatic differentiation).
"""

from __future__ import annotations

from ._numpy import NumpyBackend
from ._torch import TorchBackend

__all__ = ["NumpyBackend", "TorchBackend", "get_backend"]


def get_backend(name: str = "numpy", *, device=None, workers: int | None = None):
    """Return the backend object called ``name``.

    Parameters
    ----------
    name : {"numpy", "torch"}
        ``"numpy"`` runs on CPU with scipy.fft and numba kernels; ``"torch"``
        runs on ``device`` and is differentiable with autograd.
    device : str or None
        torch device; must be None (or "cpu") for the numpy backend.
    workers : int or None
        FFT threads for the numpy backend (None: all cores).

    Returns
    -------
    backend : NumpyBackend or TorchBackend

    Examples
    --------
    >>> from skphase.backends import get_backend
    >>> get_backend("numpy").name
    'numpy'
    """
    if name == "numpy":
        if device not in (None, "cpu"):
            raise ValueError(
                f"device={device!r} needs backend='torch'; the numpy backend runs on 'cpu' only."
            )
        return NumpyBackend(workers=workers)
    if name == "torch":
        return TorchBackend(device=device)
    raise ValueError(f"backend must be 'numpy' or 'torch', got {name!r}.")
