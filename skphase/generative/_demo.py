"""The generation part of ``skphase demo``: polygons 32 x 32, a short training, one figure."""

from __future__ import annotations

import os
import time

import numpy as np


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over images of 10 log10(1 / MSE) (images in [0, 1])."""
    mse = ((a - b) ** 2).reshape(len(a), -1).mean(axis=1)
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-12))))


def demo_generation(output_dir: str, quick: bool) -> dict:
    """Train a ScatteringGenerator on polygons; save reconstructions, an interpolation and samples.

    Parameters
    ----------
    output_dir : str
        Where the figure is written (created if needed).
    quick : bool
        Fewer images and epochs (seconds instead of minutes).

    Returns
    -------
    report : dict
        Held-out PSNR of the generator and of PCA with the same dimension, training
        time, the figure path (when matplotlib is installed).
    """
    from sklearn.decomposition import PCA

    from ..datasets._polygons import make_polygons
    from ._generator import ScatteringGenerator

    # full: the default settings with half their training budget (90 s: held-out 28.8 dB vs
    # 29.6 dB for the full 180 s, PCA 26.6, measured on a 2-core CPU), so that the whole demo
    # stays near 3 minutes; quick: 125 small Adam steps on the images alone (augmentation
    # would multiply the steps by 8)
    n_train, d0 = (200, 16) if quick else (2000, 64)
    params = dict(max_epochs=10, batch_size=16, learning_rate=3e-3, max_time=None,
                  augment=False) if quick else dict(max_time=90.0)
    X = make_polygons(n_train, size=32, random_state=0)
    X_test = make_polygons(8, size=32, random_state=1)
    print(f"[gen] polygons 32x32: {n_train} training images, ScatteringGenerator(n_components={d0})")
    t = time.perf_counter()
    gen = ScatteringGenerator(n_components=d0, random_state=0, **params).fit(X)
    elapsed = time.perf_counter() - t
    rec = gen.inverse_transform(gen.transform(X_test))
    pca = PCA(d0).fit(X.reshape(n_train, -1))
    base = pca.inverse_transform(pca.transform(X_test.reshape(len(X_test), -1))).reshape(X_test.shape)
    report = dict(generation_train_seconds=elapsed, generation_epochs=gen.n_epochs_,
                  generation_test_psnr=_psnr(rec, X_test), generation_pca_test_psnr=_psnr(base, X_test))
    print(f"      {gen.n_epochs_} epochs in {elapsed:.1f} s; held-out PSNR {report['generation_test_psnr']:.2f} dB "
          f"(PCA of pixels with {d0} components: {report['generation_pca_test_psnr']:.2f} dB)")
    path = gen.interpolate(X_test[0], X_test[1], n_steps=8)
    samples = gen.sample(8, random_state=0)
    rows = [("test images", X_test), ("reconstructions", rec), ("interpolation", path), ("samples", samples)]
    try:
        from ..plotting import plot_image_rows

        fig = plot_image_rows(rows)
    except ImportError as exc:
        print(f"      figure skipped: {exc}")
        return report
    os.makedirs(output_dir, exist_ok=True)
    out = os.path.join(output_dir, "generation.png")
    fig.savefig(out, dpi=80)
    print(f"      figure: {out}")
    report["figures"] = [out]
    return report
