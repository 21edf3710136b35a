"""The classification part of ``skphase demo``: sparse codes on digits."""

from __future__ import annotations

import os
import time


def demo_classification(output_dir: str, quick: bool) -> dict:
    """Learn atoms of digit images, then classify digits with ScatteringAverager + LISTAClassifier
    next to ScatteringAverager + StandardScaler + LogisticRegression on the same split.

    Prints its lines and returns the figures measured (accuracies, times, saved image paths).
    """
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .. import ScatteringAverager
    from . import LISTAClassifier, SparseDictionaryCoder

    report = {}
    digits = load_digits()
    X = digits.data / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, digits.target, test_size=0.3, random_state=0,
                                          stratify=digits.target)

    t = time.perf_counter()
    coder = SparseDictionaryCoder(n_components=36, alpha=0.2, n_epochs=2 if quick else 5,
                                  batch_size=128, random_state=0).fit(Xtr - Xtr.mean(axis=0))
    codes = coder.transform(Xte - Xtr.mean(axis=0))
    report["atoms_mean_nonzeros"] = float((codes != 0).sum(axis=1).mean())
    print(f"[sparse] SparseDictionaryCoder: 36 unit-norm atoms of 8x8 digits, "
          f"{report['atoms_mean_nonzeros']:.1f} non-zero codes per test digit "
          f"({time.perf_counter() - t:.1f} s)")

    scat = ScatteringAverager(J=1, shape=(8, 8)).fit(Xtr)
    Ftr, Fte = scat.transform(Xtr), scat.transform(Xte)
    shape = (scat.n_channels_, *scat.output_shape_)
    t = time.perf_counter()
    base = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)).fit(Ftr, ytr)
    report["logistic_accuracy"] = float(base.score(Fte, yte))
    t_base = time.perf_counter() - t
    t = time.perf_counter()
    clf = LISTAClassifier(shape=shape, max_epochs=5 if quick else 40, random_state=0)
    clf.fit(Ftr, ytr)
    report["lista_accuracy"] = float(clf.score(Fte, yte))
    report["lista_train_seconds"] = time.perf_counter() - t
    print(f"[sparse] digits, ScatteringAverager(J=1) features {shape}: scaler + logistic "
          f"{report['logistic_accuracy']:.3f} ({t_base:.1f} s); LISTAClassifier "
          f"{report['lista_accuracy']:.3f} ({report['lista_train_seconds']:.1f} s, "
          f"{clf.n_iter_} epochs, lambda* {clf.lambda_:.3f})")

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        print(f"[sparse] figure skipped: {exc}")
        return report
    os.makedirs(output_dir, exist_ok=True)
    fig, axes = plt.subplots(6, 6, figsize=(5, 5))
    for atom, ax in zip(coder.components_, axes.ravel()):
        ax.imshow(atom.reshape(8, 8), cmap="gray")
        ax.axis("off")
    fig.suptitle("learned atoms (SparseDictionaryCoder)")
    path = os.path.join(output_dir, "sparse_atoms.png")
    fig.savefig(path, dpi=80)
    plt.close(fig)
    report["figures"] = [path]
    print(f"[sparse] figure: {path}")
    return report
