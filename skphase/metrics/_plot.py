"""Compatibility: :func:`plot_comparison` lives in :mod:`skphase.plotting`, the one home of figures.

``skphase.metrics.plot_comparison`` and this module still give it.

>>> import skphase.plotting
>>> from skphase.metrics._plot import plot_comparison
>>> plot_comparison is skphase.plotting.plot_comparison
True
"""

from ..plotting import plot_comparison

__all__ = ["plot_comparison"]
