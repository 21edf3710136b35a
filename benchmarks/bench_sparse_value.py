"""The sparse code's value (issue 15 §3, seed slides 29–32): the same scattering front end, then
a linear classifier, an MLP of the LISTA classifier's parameter count, or LISTAClassifier.

Tasks that run here with no download, chosen so a linear classifier on scattering is not
already perfect:

* ``digits10``: scikit-learn's digits with 10 % of the data for training (the rest tests);
* ``textures``: 24x24 patches of four scikit-image textures (brick, grass, gravel, moon);
* ``fbm_mrw``: fractional Brownian motion vs a multifractal random walk of the same Hurst
  exponent (equal spectra; they differ in their higher-order statistics only), 256 samples;
* ``skew``: a skewed (time-asymmetric) MRW vs the same process reversed in time (equal
  spectra and marginals: only the arrow of time differs), phase-sensitive ReLU scattering.

For each: accuracy against training-set size, medians over seeds, and a figure. Beside the
linear classifier on every scattering coefficient, a linear classifier on their spatial means
(log) separates what the code adds from what translation invariance adds: LISTAClassifier's
``pooling="mean"`` averages its codes over positions.

    python benchmarks/bench_sparse_value.py [--seeds 3] [--out sparse_value.png]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from _common import machine_line
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skphase import LISTAClassifier, ScatteringAverager
from skphase.datasets import load_texture, make_fbm, make_mrw, make_skewed_mrw


def _digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.images.astype(np.float64), d.target, ScatteringAverager(J=1, L=8, flatten=False)


def _textures(patch=24, per_class=150, seed=0):
    rng = np.random.default_rng(seed)
    X, y = [], []
    for label, name in enumerate(["brick", "grass", "gravel", "moon"]):
        img = load_texture(name, size=256)
        for _ in range(per_class):
            i, j = rng.integers(0, 256 - patch, size=2)
            p = img[i:i + patch, j:j + patch]
            X.append((p - p.mean()) / (p.std() + 1e-12))  # contrast alone does not tell them apart
            y.append(label)
    return np.array(X), np.array(y), ScatteringAverager(J=2, L=8, max_order=2, nonlinearity="modulus",
                                                         flatten=False)


def _fbm_mrw(n=300, size=256):
    a = np.diff(make_fbm(n, size + 1, hurst=0.5, random_state=1), axis=1)
    b = np.diff(make_mrw(n, size + 1, hurst=0.5, intermittency=0.1, random_state=2), axis=1)
    X = np.concatenate([a, b])
    X = X / X.std(axis=1, keepdims=True)
    y = np.r_[np.zeros(n, int), np.ones(n, int)]
    return X, y, ScatteringAverager(J=5, Q=1, max_order=2, nonlinearity="modulus", flatten=False)


def _skew(n=300, size=256):
    a = make_skewed_mrw(n, size, intermittency=0.15, leverage=0.2, increments=True, random_state=3)
    b = make_skewed_mrw(n, size, intermittency=0.15, leverage=0.2, increments=True,
                        random_state=4)[:, ::-1]
    X = np.concatenate([a, b])
    X = X / X.std(axis=1, keepdims=True)
    y = np.r_[np.zeros(n, int), np.ones(n, int)]
    return X, y, ScatteringAverager(J=5, Q=1, max_order=2, nonlinearity="relu", n_phases=4,
                                    flatten=False)


TASKS = {"digits10": (_digits, (45, 90, 180)), "textures": (_textures, (40, 100, 300)),
         "fbm_mrw": (_fbm_mrw, (40, 100, 300)), "skew": (_skew, (40, 100, 300))}


def _n_params(clf) -> int:
    return int(sum(np.size(v) for v in clf.params_.values()))


def _pooled(S, log: bool):
    """Spatial means of the scattering channels (the invariant a pooled code also gets)."""
    P = S.reshape(S.shape[0], S.shape[1], -1).mean(-1)
    return np.log(np.abs(P) + 1e-6) if log else P


def _split(y, size, seed):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    classes = np.unique(y)  # the same number of training samples in every class
    train = np.concatenate([order[y[order] == c][: max(2, size // len(classes))] for c in classes])
    return train, np.setdiff1d(np.arange(len(y)), train)


def _logistic():
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))


COLUMNS = ("logistic", "pooled logistic", "mlp", "lista", "lista mean-pooled")


def _run(task, seeds):
    make, sizes = TASKS[task]
    X, y, scat = make()
    S = scat.fit(X).transform(X)  # (n, C, *spatial): the layout LISTAClassifier needs
    layout = S.shape[1:]
    F = S.reshape(len(S), -1)
    P = _pooled(S, log=scat.nonlinearity == "modulus")  # ReLU channels can be 0 on average
    n_classes = len(np.unique(y))
    rows = []
    for size in sizes:
        acc = {k: [] for k in COLUMNS}
        for seed in range(seeds):
            train, test = _split(y, size, seed)
            lista = LISTAClassifier(shape=layout, random_state=seed).fit(F[train], y[train])
            acc["lista"].append(lista.score(F[test], y[test]))
            pooled = LISTAClassifier(shape=layout, pooling="mean", random_state=seed)
            acc["lista mean-pooled"].append(pooled.fit(F[train], y[train]).score(F[test], y[test]))
            n_params = _n_params(lista)
            hidden = max(1, round((n_params - n_classes) / (F.shape[1] + 1 + n_classes)))
            mlp = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(hidden,), max_iter=2000,
                                                                random_state=seed))
            acc["mlp"].append(mlp.fit(F[train], y[train]).score(F[test], y[test]))
            acc["logistic"].append(_logistic().fit(F[train], y[train]).score(F[test], y[test]))
            acc["pooled logistic"].append(_logistic().fit(P[train], y[train]).score(P[test], y[test]))
        med = {k: float(np.median(v)) for k, v in acc.items()}
        rows.append((size, len(train), med, n_params, hidden))
        print(f"| {task} | {len(train)} | " + " | ".join(f"{med[k]:.3f}" for k in COLUMNS)
              + f" | {n_params} (MLP h={hidden}) |", flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    parser.add_argument("--out", default=None, help="save the accuracy-vs-size figure here")
    args = parser.parse_args()
    print(machine_line(), "| float64 features")
    print("| task | training samples | scattering + logistic | pooled (log) scattering + logistic "
          "| + MLP (LISTA's #params) | + LISTAClassifier | + LISTAClassifier(pooling='mean') | #params |")
    print("|---|---|---|---|---|---|---|---|")
    results = {}
    t = time.perf_counter()
    for task in args.tasks:
        results[task] = _run(task, args.seeds)
    print(f"total {time.perf_counter() - t:.0f} s")
    if args.out:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 3.2))
        for ax, (task, rows) in zip(np.atleast_1d(axes), results.items()):
            n = [r[1] for r in rows]
            for key, style in zip(COLUMNS, ("o-", "o:", "s--", "^-", "v-")):
                ax.plot(n, [r[2][key] for r in rows], style, label=key)
            ax.set_xscale("log")
            ax.set_title(task)
            ax.set_xlabel("training samples")
        np.atleast_1d(axes)[0].set_ylabel("test accuracy")
        np.atleast_1d(axes)[0].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(args.out, dpi=90)
        print("figure:", args.out)


if __name__ == "__main__":
    main()
