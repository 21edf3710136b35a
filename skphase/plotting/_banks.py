"""Filter banks: the wavelets and the low pass in space and in the Fourier plane."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..filters import FilterBank
from ..utils._params import Ints, validate_params
from ._common import _figure_class, _wavelet_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@validate_params({"bank": [FilterBank], "n_show": [Ints(1)]})
def plot_filter_bank(bank: FilterBank, n_show: int = 8) -> Figure:
    """Draw a filter bank: Littlewood-Paley sum and wavelets, in Fourier and in space.

    2D banks: the top row is in the Fourier domain (frequencies in radians per
    sample, zero at the centre): the Littlewood-Paley sum and ``|psi_hat|`` of
    ``n_show`` wavelets spread over scales and orientations; the bottom row shows
    the same wavelets in space (real part, centred). 1D banks: one panel of every
    ``|psi_hat|`` and the Littlewood-Paley sum against frequency, and one of the
    wavelets' real parts in time. Every image has a colour bar.

    Parameters
    ----------
    bank : FilterBank
        From :func:`skphase.filters.filter_bank`.
    n_show : int, default=8
        Number of 2D wavelets drawn (at most the bank's size).

    Returns
    -------
    fig : matplotlib.figure.Figure
        2D: ``2 * (n_show + 1)`` panels in ``fig.axes`` (the Fourier row: the
        Littlewood-Paley sum and the wavelets; the space row: the low-pass and
        the wavelets), then one colour bar per panel. 1D: 2 panels.

    Examples
    --------
    >>> from skphase.filters import filter_bank
    >>> from skphase.plotting import plot_filter_bank
    >>> fig = plot_filter_bank(filter_bank((64, 64), 3, L=4), n_show=4)
    >>> fig.axes[0].get_title()
    'Fourier domain: Littlewood-Paley sum\\n(range [0.13, 1.00])'
    >>> fig.axes[1].get_title()
    'Fourier domain |ψ̂|\\nj=0, θ=π/4'
    >>> len(fig.axes)  # 2 rows of 5 panels, then their 10 colour bars
    20
    """
    Figure = _figure_class("plot_filter_bank")
    if bank.ndim == 1:
        return _plot_filter_bank_1d(Figure, bank)
    n_show = min(n_show, len(bank.psi1))
    fig = Figure(figsize=(2.6 * (n_show + 1), 5.2), layout="constrained")
    axes = fig.subplots(2, n_show + 1)
    extent = (-np.pi, np.pi, np.pi, -np.pi)  # rows: first frequency axis, downwards
    lp = np.fft.fftshift(bank.littlewood_paley())
    im = axes[0, 0].imshow(lp, cmap="viridis", extent=extent)
    axes[0, 0].set_title(f"Fourier domain: Littlewood-Paley sum\n(range [{lp.min():.2f}, {lp.max():.2f}])",
                         fontsize=8)
    fig.colorbar(im, ax=axes[0, 0], shrink=0.8)
    picks = np.linspace(0, len(bank.psi1) - 1, n_show).astype(int)
    # wavelets are small next to the grid: show the central window holding the coarsest one
    half = min(min(bank.shape) // 2, int(4 * 0.8 * 2 ** bank.J))
    centre = tuple(slice(n // 2 - half, n // 2 + half) for n in bank.shape)
    for col, n in enumerate(picks, start=1):
        label = _wavelet_label(n, bank.psi1.j[n], bank.psi1.theta[n], bank.L, True)
        im = axes[0, col].imshow(np.fft.fftshift(np.abs(bank.psi1.hat[0][n])), cmap="magma", extent=extent)
        axes[0, col].set_title(f"Fourier domain |ψ̂|\n{label}", fontsize=8)
        fig.colorbar(im, ax=axes[0, col], shrink=0.8)
        spatial = np.fft.fftshift(np.fft.ifft2(bank.psi1.hat[0][n]))[centre].real
        bound = float(np.abs(spatial).max()) or 1.0
        im = axes[1, col].imshow(spatial, cmap="RdBu_r", vmin=-bound, vmax=bound)
        axes[1, col].set_title(f"space Re ψ\n{label}", fontsize=8)
        fig.colorbar(im, ax=axes[1, col], shrink=0.8)
    phi = np.fft.fftshift(np.fft.ifft2(bank.phi.hat[0]))[centre].real
    im = axes[1, 0].imshow(phi, cmap="viridis")
    axes[1, 0].set_title(f"space: low-pass φ\nj={bank.phi.j}", fontsize=8)
    fig.colorbar(im, ax=axes[1, 0], shrink=0.8)
    for ax in axes[0]:
        ax.set_xlabel("ω₂ (rad/sample)", fontsize=7)
        ax.set_ylabel("ω₁", fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in axes[1]:
        ax.set_axis_off()
    return fig


def _plot_filter_bank_1d(Figure, bank):
    fig = Figure(figsize=(9.0, 3.2), layout="constrained")
    ax_f, ax_t = fig.subplots(1, 2)
    omega = np.fft.fftshift(2 * np.pi * np.fft.fftfreq(bank.shape[0]))
    for n in range(len(bank.psi1)):
        ax_f.plot(omega, np.fft.fftshift(np.abs(bank.psi1.hat[0][n])), linewidth=0.8)
    ax_f.plot(omega, np.fft.fftshift(np.abs(bank.phi.hat[0])), color="black", linewidth=0.8, label="|φ̂|")
    ax_f.plot(omega, np.fft.fftshift(bank.littlewood_paley()), color="grey", linestyle="--",
              linewidth=0.8, label="Littlewood-Paley sum")
    ax_f.set_xlabel("ω (rad/sample)")
    ax_f.set_title(f"Fourier domain |ψ̂| ({len(bank.psi1)} wavelets, Q={bank.Q})", fontsize=9)
    ax_f.legend(fontsize="small")
    half = min(bank.shape[0] // 2, 4 * 2 ** bank.J)
    for n in np.linspace(0, len(bank.psi1) - 1, min(4, len(bank.psi1))).astype(int):
        psi = np.fft.fftshift(np.fft.ifft(bank.psi1.hat[0][n]))
        mid = bank.shape[0] // 2
        ax_t.plot(np.arange(-half, half), psi[mid - half: mid + half].real, linewidth=0.8,
                  label=f"n={n} (j={bank.psi1.j[n]})")
    ax_t.set_xlabel("t (samples)")
    ax_t.set_title("time domain Re ψ", fontsize=9)
    ax_t.legend(fontsize="small")
    return fig
