"""The generator's checks of its inputs (images, device, seed) and its lazy torch import."""

from __future__ import annotations

from numbers import Integral

import numpy as np

_TORCH_HINT = ("ScatteringGenerator needs PyTorch; install the extra with "
               "pip install 'skphase[torch]'.")


def _import_torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised only without torch
        raise ImportError(_TORCH_HINT) from exc
    return torch


def _check_device(torch, device):
    """The torch device, refused as the torch backend refuses it (unknown, or CUDA without a GPU)."""
    from ..backends import get_backend

    return get_backend("torch", device=device).device


def _check_images(X, name="X"):
    """(n, H, W) or (n, H, W, 3) finite reals -> float64 array (n, H, W, C)."""
    if hasattr(X, "detach"):  # a torch tensor: bring it to numpy
        X = X.detach().cpu().numpy()
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of images, got {type(X).__name__}: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if arr.ndim == 3:
        arr = arr[..., None]
    elif not (arr.ndim == 4 and arr.shape[-1] == 3):
        raise ValueError(f"{name} must be images shaped (n_samples, H, W) or (n_samples, H, W, 3) "
                         f"(channels last); got shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has 0 samples; at least 1 is required.")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity ({int(np.sum(~np.isfinite(arr)))} values); "
                         "clean or impute the images first.")
    peak = float(np.max(np.abs(arr)))
    if peak > _MAX_VALUE or 0 < peak < _MIN_PEAK:
        raise ValueError(f"{name} has values of magnitude up to {peak:.3g}: the scattering and the decoder "
                         f"compute in float32, whose squared errors overflow or underflow outside about "
                         f"[{_MIN_PEAK:g}, {_MAX_VALUE:g}]; rescale the images (to [0, 1], say) and scale "
                         "the generated images back.")
    return arr


#: the range of image magnitudes that float32 scattering and squared errors represent
_MAX_VALUE, _MIN_PEAK = 1e15, 1e-10


def _seed(random_state) -> int:
    """The int seed of a fit: an int as given; else one drawn from the RandomState or Generator
    (None: numpy's global RandomState, as scikit-learn's ``check_random_state``)."""
    if isinstance(random_state, Integral):
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(0, 2**31 - 1))
