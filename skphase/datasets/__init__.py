"""Synthetic processes and images with known statistics, generated locally from a seed.

Every generator follows scikit-learn's ``make_*`` convention (``n_samples``, a size,
its parameters, ``random_state``) and returns float64 arrays shaped like the
transformers' inputs: ``(n_samples, N)`` for signals, ``(n_samples, H, W)`` for images.
Nothing is downloaded; :func:`load_texture` reads images bundled with scikit-image.
"""

from ._fractional import make_fbm
from ._gaussian_field import make_gaussian_field
from ._ising import ISING_CRITICAL_TEMPERATURE, ising_exact_energy, make_ising
from ._multifractal_fields import make_multifractal_field
from ._multifractal_walks import make_mrw, make_skewed_mrw, skewed_mrw_leverage
from ._piecewise import make_cartoon_image, make_piecewise_constant
from ._polygons import make_polygons
from ._textures import load_texture

__all__ = [
    "ISING_CRITICAL_TEMPERATURE",
    "ising_exact_energy",
    "load_texture",
    "make_cartoon_image",
    "make_fbm",
    "make_gaussian_field",
    "make_ising",
    "make_mrw",
    "make_multifractal_field",
    "make_piecewise_constant",
    "make_polygons",
    "make_skewed_mrw",
    "skewed_mrw_leverage",
]
