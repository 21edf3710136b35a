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


def _refuse_complex(X, name="X"):
    # scikit-learn's own message prints the whole array: say it in one line instead
    if is_tensor(X):
        return
    dtype = np.asarray(X).dtype if isinstance(X, (list, tuple)) else getattr(X, "dtype", None)
    if isinstance(dtype, np.dtype) and dtype.kind == "c":
        raise ValueError(f"{name} must be real-valued; got complex values (dtype {dtype}, shape "
                         f"{np.shape(X)}). Complex data not supported.")
    if isinstance(dtype, np.dtype) and dtype.kind in "USV":
        raise TypeError(f"{name} must hold numbers; got an array of {'bytes' if dtype.kind != 'U' else 'strings'} "
                        f"(dtype {dtype}, shape {np.shape(X)}). Convert it first, e.g. X.astype(float).")


def _layout_error(ndim, shape, multichannel):
    if multichannel:
        return (f"with multichannel=True, X must have shape (n_samples, C, N) or (n_samples, C, H, W); "
                f"got an array with {ndim} dimension(s) {shape}.")
    hint = ""
    if ndim == 4:
        hint = (" For colour or multichannel images pass X of shape (n_samples, C, H, W) with "
                "multichannel=True (channels-last arrays: np.moveaxis(X, -1, 1)).")
    return (f"X must have shape (n_samples, n_features) or (n_samples, H, W); got an array with "
            f"{ndim} dimension(s) {shape}.{hint}")


def _check_nd(estimator, X, reset):
    """check_array for 3D/4D inputs, with n_features_in_ = values per sample."""
    if is_tensor(X):
        X = check_tensor(X, allow_nd=True)
    else:
        X = check_array(X, allow_nd=True, dtype=[np.float64, np.float32], input_name="X")
    n_features = int(np.prod(tuple(X.shape[1:])))
    if reset:
        estimator.n_features_in_ = n_features
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif n_features != estimator.n_features_in_:
        raise ValueError(f"X has {n_features} features, but {type(estimator).__name__} is "
                         f"expecting {estimator.n_features_in_} features as input.")
    return X


def _single_channel_layout(X, shape):
    """(n, *spatial) from (n, H, W), (n, N), or (n, H * W) with ``shape=(H, W)``."""
    if X.ndim == 3:
        spatial = tuple(int(s) for s in X.shape[1:])
        if shape is not None and tuple(shape) != spatial:
            raise ValueError(f"shape={tuple(shape)!r} does not match the images in X, whose shape is "
                             f"{spatial} (X.shape={tuple(X.shape)}).")
        return X, spatial
    if shape is None:
        return X, (int(X.shape[1]),)
    spatial = tuple(int(s) for s in shape)
    if int(np.prod(spatial)) != X.shape[1]:
        raise ValueError(f"shape={tuple(shape)!r} holds {int(np.prod(spatial))} values but X has "
                         f"n_features = {X.shape[1]}; expected n_features == prod(shape).")
    return X.reshape((X.shape[0],) + spatial), spatial


#: sizes of a last axis that may be a channel axis (grey, RGB, RGBA)
_CHANNEL_COUNTS = (1, 3, 4)


def check_signals(estimator, X, *, reset: bool, shape=None, multichannel: bool | str = False):
    """Validate X and return ``(X, spatial, n_channels)``.

    Accepts (n_samples, N) 1D signals, (n_samples, H * W) flattened images when
    ``shape=(H, W)`` is given, or (n_samples, H, W) images; with ``multichannel``,
    (n_samples, C, N) signals or (n_samples, C, H, W) images (returned with their
    channel axis). Sets ``n_features_in_`` (and ``feature_names_in_`` for
    DataFrames) when ``reset``. On later calls the spatial shape and the number of
    channels must be the ones seen in ``fit``.
    """
    if is_tensor(X) and getattr(estimator, "backend", "numpy") != "torch":
        raise TypeError("X is a torch.Tensor but backend='numpy'; pass a numpy array or "
                        "set backend='torch'.")
    _refuse_complex(X)
    ndim = X.ndim if is_tensor(X) else _ndim(X)
    allowed = (3, 4) if multichannel else (None, 1, 2, 3)
    if ndim not in allowed:
        raise ValueError(_layout_error(ndim, tuple(X.shape) if is_tensor(X) else np.shape(X),
                                       multichannel))
    if multichannel:
        if shape is not None:
            raise ValueError("shape is for flattened single-channel images; with multichannel=True "
                             "pass X as (n_samples, C, H, W) and shape=None.")
        X = _check_nd(estimator, X, reset)
        if X.ndim == 4 and X.shape[-1] in _CHANNEL_COUNTS and multichannel != "channels_first":
            # (n, 4, 4, 3) is 4 channels of 4x3 images or 4x4 RGB thumbnails, channels last:
            # nothing in the array tells, so it is not guessed
            raise ValueError(
                f"X has shape {tuple(X.shape)}: its last axis ({X.shape[-1]}) may hold channels "
                "(channels-last images, (n, H, W, C)), but multichannel=True reads "
                f"(n_samples, C, H, W), i.e. {X.shape[1]} channels of {X.shape[2]}x{X.shape[3]} "
                "images. For channels-last arrays pass np.moveaxis(X, -1, 1); if X really is "
                "channels-first, say so with multichannel='channels_first'.")
        channels, spatial = int(X.shape[1]), tuple(int(s) for s in X.shape[2:])
        if not reset and channels != estimator.n_input_channels_:
            raise ValueError(f"X has {channels} channels, but {type(estimator).__name__} was fitted on "
                             f"{estimator.n_input_channels_}.")
    elif ndim == 3 or is_tensor(X):
        X = _check_nd(estimator, X, reset)
        if X.ndim not in (2, 3):
            raise ValueError(_layout_error(X.ndim, tuple(X.shape), False))
        channels = 1
    else:
        X = validate_data(estimator, X, reset=reset, dtype=[np.float64, np.float32])
        channels = 1

    if not multichannel:
        X, spatial = _single_channel_layout(X, shape)
    if not reset and spatial != tuple(estimator.input_shape_):
        raise ValueError(f"X has spatial shape {spatial}, but {type(estimator).__name__} was fitted on "
                         f"{tuple(estimator.input_shape_)}.")
    return X, spatial, channels


def check_J(J, spatial, name: str) -> int | None:
    """``J`` checked against signals of shape ``spatial`` (None stays None: the caller's default).

    Every estimator with a J refuses the same things with the same words: a signal shorter than
    2 along an axis, and a J whose 2**J exceeds the smallest side (compared as J > log2, so
    that a huge J is not turned into a huge int).
    """
    import math

    smallest = min(spatial)
    what, unit = ("images", "pixels") if len(spatial) == 2 else ("signals", "samples")
    if smallest < 2:
        raise ValueError(f"X has {what} of shape {tuple(spatial)} (n_features = {int(np.prod(spatial))}); "
                         f"{name} needs at least 2 {unit} along each axis.")
    if J is None:
        return None
    if J > math.log2(smallest):
        fits = int(math.floor(math.log2(smallest)))
        needed = f" = {2 ** J}" if J < 64 else ""
        raise ValueError(f"J={J} needs {what} of at least 2**J{needed} {unit} along each axis; got "
                         f"spatial shape {tuple(spatial)} (J <= {fits} fits). Use a smaller J (or J=None "
                         "to choose it).")
    return int(J)
