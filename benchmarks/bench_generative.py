"""ScatteringGenerator on random polygons: held-out PSNR against PCA of the pixels with the same
number d0 of numbers, train vs test PSNR, interpolation smoothness, sample novelty, time per epoch.

    python benchmarks/bench_generative.py --size 64 --n-train 1000 --max-time 900 --figure doc/generative_polygons.png
    python benchmarks/bench_generative.py --size 32 --n-train 2000 --defaults   # the default fit, timed whole
    python benchmarks/bench_generative.py --size 64 --n-train 1000 --defaults --params '{"augment": false}'
    python benchmarks/bench_generative.py --size 32 --decoder progressive --max-time 300 --params '{"width": 32}'

Images are float64 in [0, 1]; the decoder runs in float32. PSNR is the mean over images of
10 log10(1 / MSE). Prints one JSON object (and the machine line, with its load).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from sklearn.decomposition import PCA

from _common import machine_line
from skphase.datasets._polygons import make_polygons
from skphase.generative import ScatteringGenerator


def psnr(a, b):
    mse = ((a - b) ** 2).reshape(len(a), -1).mean(axis=1)
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-12))))


def nearest_rmse(queries, reference):
    """RMSE from each query image to its nearest reference image."""
    q = queries.reshape(len(queries), -1)
    r = reference.reshape(len(reference), -1)
    d2 = (q * q).sum(1)[:, None] + (r * r).sum(1)[None] - 2 * q @ r.T
    return np.sqrt(np.maximum(d2.min(axis=1), 0) / q.shape[1])


def epoch_seconds(size, n_images, d0, n_jobs):
    """Seconds per epoch over 1000 images (2 epochs, scattering excluded)."""
    X = make_polygons(n_images, size, random_state=2)
    gen = ScatteringGenerator(d0, max_epochs=2, validation_fraction=0.0, n_jobs=n_jobs, random_state=0).fit(X)
    return gen.training_time_ / gen.n_epochs_ * 1000 / n_images


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--n-test", type=int, default=200)
    parser.add_argument("--n-components", type=int, default=64)
    parser.add_argument("--max-time", type=float, default=900.0)
    parser.add_argument("--max-epochs", type=int, default=200)
    parser.add_argument("--defaults", action="store_true",
                        help="ScatteringGenerator() with its default settings (ignores --max-time, --max-epochs, "
                             "--n-jobs, --n-components); fit_seconds then counts everything, scattering included")
    parser.add_argument("--params", default="{}", help="more ScatteringGenerator parameters, as JSON")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--device", default=None)
    parser.add_argument("--decoder", default="cnn", choices=["cnn", "progressive"])
    parser.add_argument("--epoch-timing", action="store_true", help="also time epochs at 32 and 64")
    parser.add_argument("--figure", default=None)
    args = parser.parse_args()
    out = dict(machine=machine_line(), size=args.size, n_train=args.n_train, n_test=args.n_test,
               n_components=args.n_components, decoder=args.decoder, dtype="images float64, decoder float32")

    X = make_polygons(args.n_train, args.size, random_state=0)
    X_test = make_polygons(args.n_test, args.size, random_state=1)
    if args.defaults:
        params = dict(random_state=0)
        args.n_components = ScatteringGenerator().n_components
        out["n_components"] = args.n_components
    else:
        params = dict(n_components=args.n_components, decoder=args.decoder, max_epochs=args.max_epochs,
                      max_time=args.max_time, n_jobs=args.n_jobs, device=args.device, random_state=0)
    params.update(json.loads(args.params))
    out["params"] = {k: v for k, v in params.items() if k != "random_state"}
    t = time.perf_counter()
    gen = ScatteringGenerator(**params).fit(X)
    out.update(fit_seconds=time.perf_counter() - t, training_seconds=gen.training_time_,
               epochs=gen.n_epochs_, seconds_per_epoch=gen.training_time_ / max(1, gen.n_epochs_),
               J=gen.J_, n_scattering_features=gen.n_scattering_features_,
               best_validation_loss=gen.best_validation_loss_, augmentation=gen.augmentation_,
               symmetry_ratios={k: [round(float(r), 3) for r in v] for k, v in gen.symmetry_ratios_.items()})
    if args.decoder == "progressive":
        out.update(scale_errors=gen.scale_errors_.tolist(),
                   innovation_correlation=gen.innovation_correlation_.tolist(),
                   residual_correlation=gen.residual_correlation_.tolist())
    X_train = X[: args.n_test]
    rec_train = gen.inverse_transform(gen.transform(X_train))
    rec_test = gen.inverse_transform(gen.transform(X_test))
    # PCA of the pixels of the same (un-augmented) training images, same dimension
    pca = PCA(args.n_components, random_state=0).fit(X.reshape(len(X), -1))

    def pca_rec(A):
        return pca.inverse_transform(pca.transform(A.reshape(len(A), -1))).reshape(A.shape)

    out.update(psnr_train=psnr(rec_train, X_train), psnr_test=psnr(rec_test, X_test),
               pca_psnr_train=psnr(pca_rec(X_train), X_train), pca_psnr_test=psnr(pca_rec(X_test), X_test))

    # interpolation: mean |change| of the decoded image between consecutive steps, over 10 pairs
    steps, mean_change, max_change, fade = 16, [], [], []
    paths = []
    for i in range(10):
        path = gen.interpolate(X_test[2 * i], X_test[2 * i + 1], n_steps=steps)
        paths.append(path)
        change = np.abs(np.diff(path, axis=0)).reshape(steps - 1, -1).mean(axis=1)
        mean_change.append(change.mean())
        max_change.append(change.max())
        # a cross-fade between the two end reconstructions moves every step by this much
        fade.append(np.abs(path[-1] - path[0]).mean() / (steps - 1))
    out.update(interp_mean_step_change=float(np.mean(mean_change)),
               interp_max_step_change=float(np.max(max_change)),
               interp_max_over_mean=float(np.mean(np.array(max_change) / np.array(mean_change))),
               crossfade_step_change=float(np.mean(fade)))

    # samples: distance to the nearest training image, beside that of held-out images
    samples = gen.sample(100, random_state=0)
    out.update(sample_nearest_train_rmse=float(np.median(nearest_rmse(samples, X))),
               test_nearest_train_rmse=float(np.median(nearest_rmse(X_test, X))),
               sample_range=(float(samples.min()), float(samples.max())))

    if args.epoch_timing:
        out["seconds_per_epoch_per_1000"] = {s: epoch_seconds(s, 300, args.n_components, args.n_jobs)
                                             for s in (32, 64)}
    print(json.dumps(out, indent=1))

    if args.figure:
        from skphase.plotting import plot_image_rows

        rows = [("training", X_train[:8]), ("reconstruction", rec_train[:8]), ("test", X_test[:8]),
                ("reconstruction", rec_test[:8]), ("PCA (test)", pca_rec(X_test[:8])),
                ("interpolation", paths[0][::2]), ("interpolation", paths[1][::2]),
                ("samples", samples[:8])]
        fig = plot_image_rows(rows, figsize=(8, len(rows) * 1.05))
        fig.suptitle(f"polygons {args.size}x{args.size}, d0={args.n_components}: test PSNR "
                     f"{out['psnr_test']:.2f} dB (PCA {out['pca_psnr_test']:.2f} dB)", fontsize=8)
        fig.savefig(args.figure, dpi=90)


if __name__ == "__main__":
    main()
