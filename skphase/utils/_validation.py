"""Input validation shared by the estimators: clear messages, nothing silently reshaped."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_array, validate_data


def is_tensor(X) -> bool:
    """True for a torch.Tensor, without importing torch when it is absent."""
    module = type(X).__module__
    return module.startswith("torch") and hasattr(X, "detach")


def check_tensor(X, name: str = "X", allow_nd: bool = False):
    """The checks of ``check_array`` for a torch.Tensor (kept on its device, autograd intact)."""
    torch = __import__("torch")
    if X.is_complex():
        raise ValueError(f"{name} must be real-valued; got a complex tensor ({X.dtype}). "
                         "Complex data not supported.")
    if X.dtype not in (torch.float32, torch.float64):
        X = X.to(torch.float64)
    if not allow_nd and X.ndim not in (2, 3):
        raise ValueError(f"{name} must have shape (n_samples, n_features) or (n_samples, H, W); "
                         f"got a tensor with {X.ndim} dimension(s) {tuple(X.shape)}.")
    if X.shape[0] == 0 or X[0].numel() == 0:
        raise ValueError(f"{name} is empty: shape {tuple(X.shape)}; expected at least one sample "
                         "and one feature.")
    if not bool(torch.isfinite(X).all()):
        raise ValueError(f"Input {name} contains NaN or infinity.")
    return X


def _ndim(X):
    ndim = getattr(X, "ndim", None)
    if ndim is None and isinstance(X, (list, tuple)):
        ndim = np.ndim(X)
    return ndim


def check_signals(estimator, X, *, reset: bool, shape=None):
    """Validate X and return it as (n_samples, *spatial) with its spatial shape.

    Accepts (n_samples, N) 1D signals, (n_samples, H * W) flattened images when
    ``shape=(H, W)`` is given, or (n_samples, H, W) images.  Sets
    ``n_features_in_`` (and ``feature_names_in_`` for DataFrames) when ``reset``.
    On later calls the spatial shape must be the one seen in ``fit``.
    """
    if is_tensor(X):
        if getattr(estimator, "backend", "numpy") != "torch":
            raise TypeError("X is a torch.Tensor but backend='numpy'; pass a numpy array or "
                            "set backend='torch'.")
        X = check_tensor(X)
        n_features = int(np.prod(tuple(X.shape[1:])))
        if reset:
            estimator.n_features_in_ = n_features
        elif n_features != estimator.n_features_in_:
            raise ValueError(f"X has {n_features} features, but {type(estimator).__name__} is "
                             f"expecting {estimator.n_features_in_} features as input.")
    elif _ndim(X) not in (None, 1, 2, 3):
        raise ValueError(f"X must have shape (n_samples, n_features) or (n_samples, H, W); got an "
                         f"array with {_ndim(X)} dimensions {np.shape(X)}.")
    elif _ndim(X) == 3:
        X = check_array(X, allow_nd=True, dtype=[np.float64, np.float32], input_name="X")
        n_features = int(np.prod(X.shape[1:]))
        if reset:
            estimator.n_features_in_ = n_features
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        elif n_features != estimator.n_features_in_:
            raise ValueError(f"X has {n_features} features, but {type(estimator).__name__} is "
                             f"expecting {estimator.n_features_in_} features as input.")
    else:
        X = validate_data(estimator, X, reset=reset, dtype=[np.float64, np.float32])

    if X.ndim == 3:
        spatial = tuple(int(s) for s in X.shape[1:])
        if shape is not None and tuple(shape) != spatial:
            raise ValueError(f"shape={tuple(shape)!r} does not match the images in X, whose shape is "
                             f"{spatial} (X.shape={tuple(X.shape)}).")
    elif shape is None:
        spatial = (int(X.shape[1]),)
    else:
        spatial = tuple(int(s) for s in shape)
        if int(np.prod(spatial)) != X.shape[1]:
            raise ValueError(f"shape={tuple(shape)!r} holds {int(np.prod(spatial))} values but X has "
                             f"n_features = {X.shape[1]}; expected n_features == prod(shape).")
        X = X.reshape((X.shape[0],) + spatial)
    if not reset and spatial != tuple(estimator.input_shape_):
        raise ValueError(f"X has spatial shape {spatial}, but {type(estimator).__name__} was fitted on "
                         f"{tuple(estimator.input_shape_)}.")
    return X, spatial


def check_shape_param(shape):
    """``shape`` is None or a tuple of 1 or 2 positive ints."""
    if shape is None:
        return None
    try:
        out = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"shape must be None or a tuple of 1 or 2 positive ints, got {shape!r}.") from None
    if len(out) not in (1, 2) or any(s < 1 for s in out) or any(int(s) != s for s in shape):
        raise ValueError(f"shape must be None or a tuple of 1 or 2 positive ints, got {shape!r}.")
    return out
