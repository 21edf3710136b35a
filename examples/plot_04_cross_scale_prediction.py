"""
Linear prediction across scales
===============================

The rectified wavelet coefficients of a scale are predicted linearly from those of the
coarser scales much better for signals with sharp structures than for a Gaussian process
with the same power spectrum, because the ReLU exposes the alignment of phases across
scales.

This is slide 14 of the seed ("Linear prediction across scales/frequencies"): the means
:math:`M(\\alpha, \\lambda)` and correlations :math:`C(\\alpha, \\lambda, \\alpha', \\lambda')`
of :math:`\\rho(x \\star \\psi_{\\alpha,\\lambda})` define a linear autoregressive model from
low to high frequencies.
"""

# %%
# Piecewise-constant signals
# --------------------------
# ``CrossScalePredictor`` regresses, for each scale j, the centred rectified channels of
# scale j on all the coarser channels (and the low-pass), with the covariances estimated
# on the fitted realisations. ``prediction_errors_`` is the relative error
# :math:`E|f - \hat f|^2 / E|f - Ef|^2` per scale; ``gaussian_errors_`` is the same on
# Gaussian realisations with the fitted power spectrum. We also measure the error on
# fresh signals the regression has not seen.
import matplotlib.pyplot as plt
import numpy as np

from skphase import CrossScalePredictor
from skphase.datasets import load_texture, make_piecewise_constant

train = make_piecewise_constant(8, 1024, n_jumps=8, random_state=0)
test = make_piecewise_constant(8, 1024, n_jumps=8, random_state=1)
signal_model = CrossScalePredictor(J=6, random_state=0).fit(train)
signal_errors = {
    "fitted signals": signal_model.prediction_errors_,
    "new signals": signal_model.prediction_errors(test),
    "Gaussian, same spectrum": signal_model.gaussian_errors_,
}
for label, errors in signal_errors.items():
    print(f"piecewise constant, {label}: relative error per scale j=0..5 {np.round(errors, 2)}")

# %%
# A texture
# ---------
# One 128 × 128 image of bricks, four octaves; the coarsest scale is the predictor only.
brick = load_texture("brick", size=128)
image_model = CrossScalePredictor(J=4, random_state=0).fit(brick[None])
image_errors = {
    "the texture": image_model.prediction_errors_,
    "Gaussian, same spectrum": image_model.gaussian_errors_,
}
for label, errors in image_errors.items():
    print(f"brick 128x128, {label}: relative error per scale j=0..2 {np.round(errors, 2)}")

# %%
# The errors scale by scale
# -------------------------
fig, axes = plt.subplots(2, 2, figsize=(10, 6), layout="constrained",
                         gridspec_kw={"width_ratios": [1.6, 1]})
axes[0, 0].plot(train[0], lw=1)
axes[0, 0].set_title("one of the piecewise-constant signals")
axes[0, 1].imshow(brick, cmap="gray")
axes[0, 1].set_title("brick texture")
axes[0, 1].set_axis_off()
for ax, model, errors in [(axes[1, 0], signal_model, signal_errors),
                          (axes[1, 1], image_model, image_errors)]:
    width = 0.8 / len(errors)
    for i, (label, values) in enumerate(errors.items()):
        ax.bar(model.scales_ + (i - (len(errors) - 1) / 2) * width, values, width, label=label)
    ax.set_xticks(model.scales_)
    ax.set_xlabel("predicted scale j (from all coarser ones)")
    ax.set_ylabel("relative prediction error")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
plt.show()
