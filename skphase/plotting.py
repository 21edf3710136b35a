"""Figures of filter banks and coefficients (matplotlib, optional: ``pip install skphase[plot]``)."""

from __future__ import annotations

import numpy as np


def _figure(n_panels: int):
    """A figure with one row of panels, built without pyplot so no global state changes."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("plotting needs matplotlib: `pip install skphase[plot]`.") from exc
    fig = Figure(figsize=(2.2 * n_panels, 2.4))
    return fig, fig.subplots(1, n_panels)


def plot_filter_bank(bank, n_show: int = 8):
    """Draw a 2D filter bank: Littlewood-Paley sum and a few wavelets in space.

    Parameters
    ----------
    bank : FilterBank
        From :func:`skphase.filters.filter_bank` (2D).
    n_show : int
        Number of wavelets drawn (spread over scales and orientations).

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> from skphase.filters import filter_bank
    >>> from skphase.plotting import plot_filter_bank
    >>> fig = plot_filter_bank(filter_bank((64, 64), 3, L=4), n_show=4)
    >>> len(fig.axes)
    5
    """
    if bank.ndim != 2:
        raise ValueError(f"plot_filter_bank draws 2D banks; got a bank with ndim={bank.ndim}.")
    fig, axes = _figure(n_show + 1)
    lp = np.fft.fftshift(bank.littlewood_paley())
    axes[0].imshow(lp, cmap="viridis")
    axes[0].set_title(f"LP sum [{lp.min():.2f}, {lp.max():.2f}]", fontsize=8)
    picks = np.linspace(0, len(bank.psi1) - 1, n_show).astype(int)
    # wavelets are small next to the grid: show the central window holding the coarsest one
    half = min(min(bank.shape) // 2, int(4 * 0.8 * 2 ** bank.J))
    centre = tuple(slice(n // 2 - half, n // 2 + half) for n in bank.shape)
    for ax, n in zip(axes[1:], picks):
        spatial = np.fft.fftshift(np.fft.ifft2(bank.psi1.hat[0][n]))[centre]
        ax.imshow(spatial.real, cmap="RdBu_r")
        ax.set_title(f"Re psi j={bank.psi1.j[n]} t={bank.psi1.theta[n]}", fontsize=8)
    for ax in axes:
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def plot_coefficients(image, U, channel_names, n_show: int = 7):
    """Draw an image and some of its coefficient maps.

    Parameters
    ----------
    image : ndarray of shape (H, W)
    U : ndarray of shape (channels, h, w)
        Structured output of a transformer (``flatten=False``), one sample.
    channel_names : sequence of str
        Names of the channels (``get_feature_names_out`` without positions).
    n_show : int
        Number of channels drawn.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, axes = _figure(n_show + 1)
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title("x", fontsize=8)
    picks = np.linspace(0, U.shape[0] - 1, n_show).astype(int)
    for ax, c in zip(axes[1:], picks):
        ax.imshow(U[c], cmap="magma")
        ax.set_title(channel_names[c], fontsize=7)
    for ax in axes:
        ax.set_axis_off()
    fig.tight_layout()
    return fig
