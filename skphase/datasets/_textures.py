"""Grayscale textures and natural images shipped with scikit-image (optional dependency)."""

from __future__ import annotations

import numpy as np

from ..utils._params import OneOf, as_image_shape, image_size, validate_params

# name -> skimage.data loader. Only images stored inside the scikit-image wheel are
# listed: the others are fetched with pooch from the network, which skphase never uses.
_TEXTURES = {
    "brick": "brick",
    "grass": "grass",
    "gravel": "gravel",
    "camera": "camera",
    "coins": "coins",
    "moon": "moon",
    "astronaut": "astronaut",
}

_INSTALL_HINT = "load_texture requires scikit-image; install it with `pip install skphase[images]`."


def _import_skimage():
    """Import what load_texture needs, or say which extra to install."""
    try:
        from skimage import color, data, util
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return color, data, util


@validate_params({"name": [OneOf(*_TEXTURES)], "size": [None, *image_size(1)],
                  "standardize": ["boolean"]})
def load_texture(
    name: str,
    *,
    size: int | tuple[int, int] | None = None,
    standardize: bool = True,
) -> np.ndarray:
    """Load a grayscale texture or natural image from scikit-image's bundled data.

    Parameters
    ----------
    name : str
        One of ``"brick"``, ``"grass"``, ``"gravel"`` (512 x 512 stationary textures),
        ``"camera"``, ``"coins"`` (303 x 384), ``"moon"``, ``"astronaut"`` (512 x 512
        natural images; ``"astronaut"`` is converted from RGB by luminance).
    size : int or tuple of (int, int), default=None
        Shape ``(H, W)`` of a centred crop; an int gives a square. None keeps the
        whole image. Must not exceed the image shape.
    standardize : bool, default=True
        If True, shift and scale the crop to zero mean and unit variance; otherwise
        return intensities in [0, 1].

    Returns
    -------
    image : ndarray of shape (H, W), dtype float64
        A single image. Transformers take batches, so pass ``image[None]`` to them.

    Raises
    ------
    ImportError
        If scikit-image is not installed (``pip install skphase[images]``).

    Notes
    -----
    Nothing is downloaded: all images ship inside the scikit-image package.

    Examples
    --------
    >>> from skphase.datasets import load_texture
    >>> img = load_texture("brick", size=64)
    >>> img.shape, img.dtype
    ((64, 64), dtype('float64'))
    >>> round(float(img.mean()), 6) == 0.0 and round(float(img.std()), 6) == 1.0
    True
    """
    color, data, util = _import_skimage()
    image = getattr(data, _TEXTURES[name])()
    if image.ndim == 3:
        image = color.rgb2gray(image[..., :3])
    image = util.img_as_float64(image)
    if size is not None:
        height, width = as_image_shape(size)
        if height > image.shape[0] or width > image.shape[1]:
            raise ValueError(
                f"size must not exceed the shape {image.shape} of texture {name!r}, got {(height, width)}."
            )
        top = (image.shape[0] - height) // 2
        left = (image.shape[1] - width) // 2
        image = image[top : top + height, left : left + width]
    image = np.array(image, dtype=np.float64)  # a private copy, never a view of skimage's cache
    if standardize:
        std = image.std()
        if std == 0:
            raise ValueError(f"the crop {image.shape} of texture {name!r} is constant and cannot be standardised.")
        image = (image - image.mean()) / std
    return image
