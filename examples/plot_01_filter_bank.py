"""
Filter banks and the Littlewood–Paley sum
=========================================

A 2D Morlet bank with J = 3 scales and L = 8 orientations tiles the Fourier plane, and the
bounds A ≤ LP(ω) ≤ B of its Littlewood–Paley sum are the frame bounds that make the
wavelet transform stable and invertible.

This is slide 8 of the seed ("Scale separation with wavelets"): dilated and rotated
wavelets ψ_{2^j, θ}, seen in Fourier, and the low-pass φ_J that covers what they miss.
"""

# %%
# The bank and its Littlewood–Paley sum
# -------------------------------------
# Filters live in the Fourier domain; ``littlewood_paley()`` returns
# :math:`LP(\omega) = |\hat\phi(\omega)|^2 + \frac12 \sum_\lambda (|\hat\psi_\lambda(\omega)|^2
# + |\hat\psi_\lambda(-\omega)|^2)` on the DFT grid.
import matplotlib.pyplot as plt
import numpy as np

from skphase.filters import filter_bank
from skphase.plotting import plot_filter_bank

bank = filter_bank((128, 128), J=3, L=8, wavelet="morlet")
A, B = bank.littlewood_paley_bounds()
print(f"Morlet J=3 L=8 on 128x128: {len(bank.psi1)} wavelets, frame bounds A={A:.3f}, B={B:.3f}")

# skphase's figures are built without pyplot; ``plt.figure(fig)`` hands one to pyplot
# (matplotlib >= 3.10) so that it is shown, like any pyplot figure.
plt.figure(plot_filter_bank(bank, n_show=6))

# %%
# Where the lower bound is reached
# --------------------------------
# The minimum sits at the corners (±π, ±π) that no Gaussian reaches; inside the disc
# :math:`|\omega| \le 3\pi/4` of the finest wavelet the sum stays well above it. A compactly supported
# bump bank is a tight frame: LP = 1 everywhere.
lp = bank.littlewood_paley()
w = 2 * np.pi * np.fft.fftfreq(128)
radius = np.hypot(w[:, None], w[None, :])
inside = radius <= 3 * np.pi / 4
print(f"Morlet LP inside |w| <= 3pi/4: min {lp[inside].min():.3f}, max {lp[inside].max():.3f}")

bump = filter_bank((128, 128), J=3, L=8, wavelet="bump")
A_bump, B_bump = bump.littlewood_paley_bounds()
print(f"bump J=3 L=8: frame bounds A={A_bump:.3f}, B={B_bump:.3f} (tight frame)")

# %%
# The bounds hold for any real image
# ----------------------------------
# By Parseval, the energy of the coefficients,
# :math:`\|x \star \phi_J\|^2 + \sum_\lambda \|x \star \psi_\lambda\|^2`, divided by
# :math:`\|x\|^2`, lies in [A, B]. White noise spreads its energy over all frequencies; a smooth
# image concentrates it where LP is close to 1.
rng = np.random.default_rng(0)
for name, x in [("white noise", rng.standard_normal((128, 128))),
                ("smooth field", np.cumsum(np.cumsum(rng.standard_normal((128, 128)), 0), 1))]:
    X = np.fft.fft2(x - x.mean())
    energy = (np.sum(np.abs(np.fft.ifft2(X * bank.phi.hat[0])) ** 2)
              + np.sum(np.abs(np.fft.ifft2(X * bank.psi1.hat[0])) ** 2))
    ratio = energy / np.sum(np.abs(X) ** 2 / X.size)
    print(f"{name}: coefficient energy / signal energy = {ratio:.3f} (in [A, B]: {A <= ratio <= B})")

# %%
# The sum along two directions
# ----------------------------
order = np.argsort(w)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(w[order], lp[0, order], label="Morlet, along ω1 (ω2 = 0)")
ax.plot(w[order], lp[order, order], label="Morlet, along the diagonal ω1 = ω2")
ax.plot(w[order], bump.littlewood_paley()[order, order], "--", label="bump, diagonal")
ax.axhline(A, color="grey", lw=0.8)
ax.axhline(B, color="grey", lw=0.8)
ax.set_xlabel("ω1 (radians / sample)")
ax.set_ylabel("LP(ω)")
ax.set_title(f"Littlewood–Paley sum: A = {A:.2f}, B = {B:.2f}")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
