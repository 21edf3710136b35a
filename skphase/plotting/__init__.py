"""Figures: filter banks, coefficient maps, scattering averages, synthesis comparisons, image grids.

matplotlib is an optional extra (``pip install skphase[plot]``), imported only when a
figure is asked for. Every function returns a :class:`matplotlib.figure.Figure` built
without ``pyplot``, so no global figure is left open: save it with ``fig.savefig(...)``
or display it in a notebook.

Orientation indices are shown as angles: filter ``theta = t`` of a bank with ``L``
orientations has the wave vector at ``(int(L - L/2 - 1) - t) pi / L`` from the first
(row) frequency axis (see :class:`skphase.filters.FilterSet`).
"""

from ._banks import plot_filter_bank
from ._coefficients import plot_coefficients, plot_scattering
from ._common import angle_label, channel_labels
from ._comparison import plot_comparison
from ._images import plot_image_rows

__all__ = [
    "angle_label",
    "channel_labels",
    "plot_coefficients",
    "plot_comparison",
    "plot_filter_bank",
    "plot_image_rows",
    "plot_scattering",
]
