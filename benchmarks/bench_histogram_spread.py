"""Ensemble spread of pixel statistics (issue 15 §2's rule for images).

Four syntheses of a 128² gravel crop, with and without the histogram term, against the four
independent 128² crops of the 256² texture. Per statistic of the pixel values (mean, std,
skewness, excess kurtosis, min, max): its spread over the four (std) and the syntheses' mean
distance to the target crop's. The crops' spread is what an ensemble of realisations shows.

    python benchmarks/bench_histogram_spread.py [--iters 150]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.stats import kurtosis, skew

from _common import machine_line
from skphase.datasets import load_texture
from skphase.synthesis import PhaseHarmonicSynthesizer

NAMES = ("mean", "std", "skewness", "kurtosis", "min", "max")


def pixel_statistics(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64).ravel()
    return np.array([v.mean(), v.std(), skew(v), kurtosis(v), v.min(), v.max()])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iters", type=int, default=150)
    args = parser.parse_args(argv)
    print(machine_line())
    img = load_texture("gravel", size=256)
    crops = [img[i:i + 128, j:j + 128] for i in (0, 128) for j in (0, 128)]
    target = pixel_statistics(crops[0])
    ref = np.array([pixel_statistics(c) for c in crops])
    print("| ensemble | " + " | ".join(f"{n}: spread (distance to target)" for n in NAMES) + " |")
    print("|---|" + "---|" * len(NAMES))
    print("| 4 independent crops | " + " | ".join(f"{s:.4f} ({d:.4f})" for s, d in
                                              zip(ref.std(0), np.abs(ref[1:] - target).mean(0))) + " |")
    for weight in (0.03, 0.0):
        model = PhaseHarmonicSynthesizer(max_iter=args.iters, random_state=0, histogram_weight=weight)
        samples = model.fit(crops[0][None]).sample(4)
        st = np.array([pixel_statistics(y) for y in samples])
        print(f"| 4 syntheses, histogram_weight={weight} | " + " | ".join(
            f"{s:.4f} ({d:.4f})" for s, d in zip(st.std(0), np.abs(st - target).mean(0))) + " |")


if __name__ == "__main__":
    main()
