"""
A multiscale generative autoencoder
===================================

The figure shows held-out polygons, their reconstructions by a decoder trained to invert
the averaged scattering embedding S_J x (beside PCA's with as many components), a decoded
path between two embeddings, and decoded random points of the embedding sphere: the
reconstructions beat PCA's by about 2.6 dB on training and held-out images alike, but
they are blurred (rounded corners, half the polygons' gradient energy), and the samples
are blurrier still, some of them curved blobs or nearly empty rather than polygons.

This is slides 21–28 of the seed (a generator as the inverse of a multiscale embedding:
Angles & Mallat, ICLR 2018), trained here for a few seconds on a CPU.
"""

# %%
# Training images and the model
# -----------------------------
# 1,000 random polygons of 32 × 32 for training and 200 others, never seen, for testing.
# ``ScatteringGenerator`` embeds an image by its order-2 scattering averages S_J x
# (J = 3 at 32 × 32: a 4 × 4 map), whitened by PCA to ``n_components`` = 32 dimensions
# and normalised onto the unit sphere; that encoder is fixed. Only the decoder, a small
# convolutional network, is trained to map the embedding back to the image. With
# ``augment="auto"`` it also trains on the mirror images and quarter turns of the
# polygons (they still look like polygons, so all 7 are kept). ``validation_fraction=0``
# trains on all 1,000 images, so "train" below means exactly the images the decoder saw.
# ``max_time=None``: 6 epochs, whatever the machine's speed, so that the fit (and every
# number below) is deterministic; a time budget would also speed up the learning-rate
# decay whenever training runs slower than the budget's pace.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from skphase import ScatteringGenerator
from skphase.datasets import make_polygons
from skphase.plotting import plot_image_rows

X_train = make_polygons(1000, size=32, random_state=0)
X_test = make_polygons(200, size=32, random_state=1)
d0 = 32

start = time.perf_counter()
gen = ScatteringGenerator(n_components=d0, width=32, max_epochs=6, augment="auto",
                          validation_fraction=0.0, max_time=None, n_jobs=1,
                          random_state=0).fit(X_train)
print(f"ScatteringGenerator: J={gen.J_}, {gen.n_scattering_features_} scattering values "
      f"-> {d0} components, {len(gen.augmentation_)} symmetries added, "
      f"{gen.n_epochs_} epochs in {gen.training_time_:.1f} s "
      f"(fit {time.perf_counter() - start:.1f} s)")


# %%
# Reconstruction error against PCA
# --------------------------------
# ``inverse_transform(transform(x))`` encodes and decodes. The baseline is PCA of the
# pixels with the same number of components, fitted on the same 1,000 images (not
# augmented). PSNR is 10 log10(1 / MSE) for images in [0, 1], averaged over images.
def psnr(images, reference):
    mse = ((images - reference) ** 2).reshape(len(images), -1).mean(axis=1)
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-12))))


pca = PCA(n_components=d0, random_state=0).fit(X_train.reshape(len(X_train), -1))


def pca_reconstruct(images):
    flat = images.reshape(len(images), -1)
    return pca.inverse_transform(pca.transform(flat)).reshape(images.shape)


rec = {"train": gen.inverse_transform(gen.transform(X_train)),
       "held-out": gen.inverse_transform(gen.transform(X_test))}
rec_pca = {"train": pca_reconstruct(X_train), "held-out": pca_reconstruct(X_test)}
originals = {"train": X_train, "held-out": X_test}
for split in ("train", "held-out"):
    print(f"PSNR {split:8s}: generator {psnr(rec[split], originals[split]):.2f} dB, "
          f"PCA ({d0} components) {psnr(rec_pca[split], originals[split]):.2f} dB")

# %%
# Interpolation and random samples
# --------------------------------
# ``interpolate(x0, x1)`` decodes the straight path between two embeddings (renormalised
# onto the sphere); ``sample`` decodes random points of the sphere (normalised white
# noise). Two numbers check what the eye sees: the gradient energy (mean squared
# difference of neighbouring pixels) relative to the polygons', which blur lowers, and
# each sample's RMSE to its nearest training image, which would be near 0 for a copy.
path = gen.interpolate(X_test[0], X_test[1], n_steps=8)
samples = gen.sample(8, random_state=0)


def gradient_energy(images):
    return float(np.mean(np.diff(images, axis=1) ** 2) + np.mean(np.diff(images, axis=2) ** 2))


reference = gradient_energy(X_test)
for label, images in [("generator reconstructions", rec["held-out"]),
                      ("PCA reconstructions", rec_pca["held-out"]), ("samples", samples)]:
    print(f"gradient energy of {label} / polygons': {gradient_energy(images) / reference:.2f}")
flat_train = X_train.reshape(len(X_train), -1)
nearest = [np.sqrt(np.min(np.mean((flat_train - s.ravel()) ** 2, axis=1))) for s in samples]
print(f"samples: RMSE to the nearest training image, median {np.median(nearest):.3f} "
      f"(held-out reconstructions: RMSE to their originals, median "
      f"{np.median(np.sqrt(np.mean((rec['held-out'] - X_test) ** 2, axis=(1, 2)))):.3f})")

# %%
# The figure
# ----------
# Rows: eight held-out polygons, the generator's reconstructions, PCA's, the path from the
# first held-out polygon to the second, and eight samples.
rows = [("held-out", X_test[:8]), ("generator", rec["held-out"][:8]),
        (f"PCA ({d0})", rec_pca["held-out"][:8]), ("interpolation", path), ("samples", samples)]
plt.figure(plot_image_rows(rows))
plt.show()
