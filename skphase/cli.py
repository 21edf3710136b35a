"""Command line: ``skphase demo`` runs the main job on embedded data."""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np


def _demo_image(size: int = 256) -> tuple[np.ndarray, str]:
    """A packaged grayscale image: scikit-image's camera, else scikit-learn's china.jpg."""
    try:
        from skimage.data import camera

        img, name = camera().astype(np.float64), "skimage camera"
    except ImportError:
        from sklearn.datasets import load_sample_image

        img, name = load_sample_image("china.jpg").mean(axis=2), "sklearn china.jpg"
    f = min(img.shape) // size
    img = img[: size * f, : size * f].reshape(size, f, size, f).mean(axis=(1, 3))
    return (img - img.mean()) / img.std(), name


def demo(output_dir: str = "skphase_demo_output", quick: bool = False, families: bool = True) -> dict:
    """Transform a packaged image, save figures, classify digits, then (``families``) synthesize,
    classify with sparse codes and generate; return the figures measured."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import PhaseHarmonicTransform, ScatteringAverager

    report = {}
    size = 128 if quick else 256
    image, name = _demo_image(size)
    print(f"[1/6] image: {name}, {size}x{size}")

    t = time.perf_counter()
    pht = PhaseHarmonicTransform(J=4, L=8, flatten=False).fit(image[None])
    U = pht.transform(image[None])
    rec = pht.inverse_transform(U)[0]
    err = float(np.linalg.norm(rec - image) / np.linalg.norm(image))
    report["phase_harmonic_channels"] = pht.n_channels_
    report["reconstruction_rel_error"] = err
    print(f"      PhaseHarmonicTransform J=4 L=8: {pht.n_channels_} channels at full resolution, "
          f"inverse_transform relative error {err:.2e} ({time.perf_counter() - t:.2f} s)")

    t = time.perf_counter()
    sa = ScatteringAverager(J=4, L=8, max_order=2, nonlinearity="modulus", flatten=False).fit(image[None])
    S = sa.transform(image[None])
    print(f"      ScatteringAverager J=4 L=8 order 2: {sa.n_channels_} channels of "
          f"{sa.output_shape_} ({time.perf_counter() - t:.2f} s)")

    os.makedirs(output_dir, exist_ok=True)
    try:
        from .plotting import plot_coefficients, plot_filter_bank, plot_scattering

        paths = []
        for fig, fname in ((plot_filter_bank(pht.config_.bank), "filters.png"),
                           (plot_coefficients(image, U[0], pht.channel_table_), "coefficients.png"),
                           (plot_scattering(S[0], sa.channel_table_), "scattering.png")):
            paths.append(os.path.join(output_dir, fname))
            fig.savefig(paths[-1], dpi=80)
        print(f"[2/6] figures: {', '.join(paths)} (filters drawn in the Fourier domain)")
        report["figures"] = paths
    except ImportError as exc:
        print(f"[2/6] figures skipped: {exc}")

    digits = load_digits()
    X = digits.images
    Xtr, Xte, ytr, yte = train_test_split(X, digits.target, test_size=0.3, random_state=0,
                                          stratify=digits.target)
    t = time.perf_counter()
    # order 1 of the phase-rectified averages: "phase harmonic, averaging, linear classifier"
    model = make_pipeline(ScatteringAverager(J=2, L=8, max_order=1, nonlinearity="relu"),
                          StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(Xtr, ytr)
    acc = float(model.score(Xte, yte))
    report["digits_accuracy"] = acc
    print(f"[3/6] digits (8x8, {len(Xtr)} train / {len(Xte)} test): ScatteringAverager(J=2, order 1, relu) + "
          f"LogisticRegression accuracy {acc:.3f} ({time.perf_counter() - t:.1f} s)")
    if families:
        _family_demos(report, output_dir, quick)
    return report


def _family_demos(report: dict, output_dir: str, quick: bool) -> None:
    """Synthesis, sparse-coding classification and generation, each reporting into ``report``."""
    import importlib

    steps = [("4/6", "synthesis", "skphase.synthesis._demo", "demo_synthesis", ()),
             ("5/6", "classification", "skphase.sparse_coding._demo", "demo_classification", ()),
             ("6/6", "generation", "skphase.generative._demo", "demo_generation", ("torch",))]
    for step, name, module, func, needs in steps:
        missing = [m for m in needs if importlib.util.find_spec(m) is None]
        if missing:
            print(f"[{step}] {name} skipped: it needs {', '.join(missing)} (pip install 'skphase[torch]')")
            continue
        try:
            run = getattr(importlib.import_module(module), func)
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):  # a family not in this build
                continue
            raise
        print(f"[{step}] {name}")
        part = run(output_dir, quick)
        report["figures"] = report.get("figures", []) + list(part.pop("figures", []))
        report[name] = part


def main(argv: list[str] | None = None) -> int:
    from . import __version__

    parser = argparse.ArgumentParser(prog="skphase", description=__doc__)
    parser.add_argument("--version", action="version", version=f"skphase {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="transform a packaged image, synthesize textures and series, "
                                         "classify digits, generate images; save figures")
    p.add_argument("--output-dir", default="skphase_demo_output")
    p.add_argument("--quick", action="store_true", help="smaller image (for tests)")
    sub.add_parser("warmup", help="compile and cache every transform's numba kernels now (otherwise "
                                  "each compiles at its first use, 1-3 s; once per installation)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo(args.output_dir, quick=args.quick)
    elif args.command == "warmup":
        from ._warmup import main as warm_up

        return warm_up()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
