"""
Rectified wavelet coefficients and their exact linear inverse
=============================================================

A ReLU applied to multiphase real wavelet coefficients gives channels with a non-zero mean
that are correlated across scales, and yet the image is recovered from them exactly by a
linear inverse, because ρ(a) − ρ(−a) = a.

This is slides 10–11 of the seed ("Rectified wavelet coefficients", "Linear rectifiers act
on phase").
"""

# %%
# The rectified transform of an image
# -----------------------------------
# ``PhaseHarmonicTransform`` computes, at full resolution, the low-pass
# :math:`x \star \phi_J` and :math:`\rho(\mathrm{Re}(e^{-i\alpha_p} x \star \psi_\lambda))`
# for every wavelet and P = 4 phases :math:`\alpha_p = 2\pi p / P`.
import matplotlib.pyplot as plt
import numpy as np

from skphase import PhaseHarmonicTransform
from skphase.datasets import load_texture
from skphase.plotting import plot_coefficients

image = load_texture("camera", size=128)
pht = PhaseHarmonicTransform(J=3, L=8, n_phases=4, flatten=False).fit(image[None])
U = pht.transform(image[None])[0]
print(f"camera 128x128: {pht.n_channels_} channels (1 low-pass + 24 wavelets x 4 phases), "
      f"all rectified channels >= 0: {bool((U[1:] >= 0).all())}")

plt.figure(plot_coefficients(image, U, pht.channel_table_, n_show=6))

# %%
# The ReLU creates means and correlations across scales
# -----------------------------------------------------
# A wavelet coefficient :math:`x \star \psi_{\alpha,\lambda}` has zero mean, and two of
# them at scales whose Fourier supports do not overlap are uncorrelated. The rectified
# channels have a positive mean and correlate across those scales: these are the moments
# the seed's models are built on. The Morlet wavelets' Gaussian supports overlap a lot
# between octaves, so the compactly supported bump bank (a tight frame) shows the
# decorrelation exactly; we compare the scales j = 0 and j = 2 of one orientation, taking
# the largest correlation over the pairs of phases.


def correlation(a, b):
    a, b = a - a.mean(), b - b.mean()
    return float(np.sum(a * b) / np.sqrt(np.sum(a * a) * np.sum(b * b)))


def channel(model, coef, j, phase, theta=0):
    """The rectified channel of scale j, orientation theta and phase index phase."""
    table = model.channel_table_
    index = np.flatnonzero((table["kind"] == 1) & (table["j"] == j)
                           & (table["theta"] == theta) & (table["phase"] == phase))
    return coef[index[0]]


for wavelet in ("bump", "morlet"):
    model = PhaseHarmonicTransform(J=3, L=8, n_phases=4, wavelet=wavelet, flatten=False)
    coef = model.fit(image[None]).transform(image[None])[0]
    u = {(j, p): channel(model, coef, j, p) for j in (0, 2) for p in range(4)}

    # opposite phases: u_p - u_{p+2} = Re(e^{-i alpha_p} x * psi), the linear coefficient
    linear = max(abs(correlation(u[0, p] - u[0, (p + 2) % 4], u[2, q] - u[2, (q + 2) % 4]))
                 for p in range(4) for q in range(4))
    rectified = max(abs(correlation(u[0, p], u[2, q])) for p in range(4) for q in range(4))
    mean_linear = (u[0, 0] - u[0, 2]).mean()
    print(f"{wavelet}: mean of x * psi (j=0) {mean_linear:+.0e}, of rho(x * psi) "
          f"{u[0, 0].mean():.3f}; correlation j=0 vs j=2: linear {linear:.3f}, "
          f"rectified {rectified:.3f}")

# %%
# The exact inverse
# -----------------
# With the low-pass channel, the pairs of opposite phases give back a frame of real
# wavelets; its dual frame is diagonal in Fourier, so ``inverse_transform`` is a linear
# least-squares solve whose conditioning is the ratio of the frame bounds.
recovered = pht.inverse_transform(U[None])[0]
error = np.abs(recovered - image).max()
relative = np.linalg.norm(recovered - image) / np.linalg.norm(image)
low, high = pht.frame_bounds_
print(f"frame bounds of the inverse: {low:.3f}, {high:.3f} (ratio {high / low:.1f})")
print(f"inverse_transform: max abs error {error:.1e}, relative l2 error {relative:.1e}")

fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), layout="constrained")
for ax, img, title in zip(axes, [image, recovered, recovered - image],
                          ["x", "U⁻¹ U x", f"difference (max {error:.0e})"]):
    shown = ax.imshow(img, cmap="gray")
    fig.colorbar(shown, ax=ax, shrink=0.8)
    ax.set_title(title)
    ax.set_axis_off()
plt.show()
