"""Digits classification: ScatteringAverager(J=1) features + LISTAClassifier vs + scaler +
LogisticRegression, 5-fold shuffled CV (KFold, seed 0), default settings, both backends.
Training time: wall clock and CPU time of this process per fit (on a shared machine the CPU
time is the less load-dependent of the two); the machine line is printed before and after.

    python benchmarks/bench_classifier.py [--backend numpy|torch] [--folds 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from _common import machine_line
from skphase import ScatteringAverager
from skphase.sparse_coding import LISTAClassifier


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="numpy", choices=["numpy", "torch"])
    parser.add_argument("--folds", type=int, default=5, help="run only the first folds")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    scat = ScatteringAverager(J=1, shape=(8, 8)).fit(X)
    F = scat.transform(X)
    shape = (scat.n_channels_, *scat.output_shape_)
    print(machine_line())
    print(f"digits, ScatteringAverager(J=1) features {shape} (float64), KFold(5, shuffle, seed 0)")
    rows = {"scaler + LogisticRegression": [], f"LISTAClassifier ({args.backend})": []}
    times = {k: [] for k in rows}
    cpu = {k: [] for k in rows}
    for i, (tr, te) in enumerate(KFold(5, shuffle=True, random_state=0).split(F)):
        if i >= args.folds:
            break
        models = [make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
                  LISTAClassifier(shape=shape, backend=args.backend, random_state=0)]
        for name, model in zip(rows, models):
            t, c = time.perf_counter(), time.process_time()
            model.fit(F[tr], y[tr])
            times[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
            rows[name].append(model.score(F[te], y[te]))
        print(f"  fold {i}: " + ", ".join(f"{n} {rows[n][-1]:.4f}" for n in rows), flush=True)
    for name in rows:
        print(f"{name:32s} accuracy {np.mean(rows[name]):.4f}   train time median "
              f"{np.median(times[name]):.1f} s per fold (CPU time {np.median(cpu[name]):.1f} s)")
    print(machine_line())


if __name__ == "__main__":
    main()
