"""Generative models that invert scattering embeddings (seed slides 21-28).

:class:`ScatteringGenerator` encodes images with the whitened scattering
transform and decodes them with a trained convolutional network; it needs the
``torch`` extra, imported only when an estimator is fitted or used.
"""

from ._generator import ScatteringGenerator

__all__ = ["ScatteringGenerator"]
