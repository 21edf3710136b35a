"""
Classification by dictionary learning
=====================================

Scattering features of digits, reduced by a learned linear map L, sparse-coded in a learned
dictionary D by a few ISTC (LISTA) layers and classified by a softmax layer W, all trained
end to end (:class:`~skphase.LISTAClassifier`, slides 29–32), against a standardised
logistic regression on the same scattering features and on raw pixels, with 10, 30 and 100
training digits per class. In this run the sparse code does *not* beat the logistic
regression on scattering at any of these sizes (it is about 0.5 to 2 points behind, the gap
largest at 10 per class); both beat raw pixels. The second figure shows how sparse the learned
codes are (about a third of the coefficients are non-zero) and which atoms each digit uses.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skphase import LISTAClassifier, ScatteringAverager

# %%
# One scattering front end for every classifier: J=1 on 8x8 digits gives 33 channels at
# 4x4 positions. ``flatten=False`` keeps that layout, which LISTAClassifier needs as
# ``shape`` (its L acts per position, like a 1x1 convolution).
start = time.perf_counter()
digits = load_digits()
X, y = digits.images.astype(np.float64), digits.target
scat = ScatteringAverager(J=1, L=8, flatten=False).fit(X)
S = scat.transform(X)
layout = S.shape[1:]
F = S.reshape(len(S), -1)
pixels = digits.data.astype(np.float64)
print(f"scattering: {layout} = {F.shape[1]} features per digit")

# %%
# One fixed test set of 700 digits; the training digits are drawn from the rest, the same
# number per class, three draws per size (the spread shows how much a few samples vary).
pool, test = train_test_split(np.arange(len(y)), test_size=700, stratify=y, random_state=0)
sizes = [10, 30, 100]
n_draws = 3


def draw(n_per_class, seed):
    order = np.random.default_rng(seed).permutation(pool)
    return np.concatenate([order[y[order] == c][:n_per_class] for c in np.unique(y)])


def logistic():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000))


acc = {"LISTAClassifier on scattering": [], "logistic on scattering": [],
       "logistic on pixels": []}
for n in sizes:
    scores = {k: [] for k in acc}
    for seed in range(n_draws):
        train = draw(n, seed)
        # defaults: 40 epochs at most, early stopping on 10 % of the training digits held out
        lista = LISTAClassifier(shape=layout, random_state=seed).fit(F[train], y[train])
        scores["LISTAClassifier on scattering"].append(lista.score(F[test], y[test]))
        scores["logistic on scattering"].append(
            logistic().fit(F[train], y[train]).score(F[test], y[test]))
        scores["logistic on pixels"].append(
            logistic().fit(pixels[train], y[train]).score(pixels[test], y[test]))
    for k, v in scores.items():
        acc[k].append(v)
    print(f"{n:3d} per class ({len(train)} digits): " + ", ".join(
        f"{k} {np.mean(v):.3f} ± {np.std(v):.3f}" for k, v in scores.items()))

# %%
# Test accuracy against the number of training digits per class (mean and spread of the
# three draws).
fig, ax = plt.subplots(figsize=(5.5, 3.8))
for (name, a), style in zip(acc.items(), ("o-", "s--", "^:")):
    a = np.array(a)
    ax.errorbar(sizes, a.mean(axis=1), yerr=a.std(axis=1), fmt=style, capsize=3, label=name)
ax.set_xscale("log")
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.set_xlabel("training digits per class")
ax.set_ylabel(f"test accuracy ({len(test)} digits)")
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# The codes of the last network (100 per class): ``transform_codes`` gives the non-negative
# ISTC codes of every position (16 positions x 64 atoms), the input of W. The learned
# threshold lambda* sets how many atoms stay active.
codes = lista.transform_codes(F[test]).reshape(len(test), -1, lista.n_components)
active = (codes != 0).mean(axis=(1, 2))
print(f"learned lambda* = {lista.lambda_:.3f}; non-zero code coefficients per test digit: "
      f"{active.mean():.1%} on average (min {active.min():.1%}, max {active.max():.1%})")
per_class = np.array([codes[y[test] == c].mean(axis=(0, 1)) for c in np.unique(y)])
used = (codes != 0).mean(axis=(0, 1))
print(f"atoms never active on the test set: {(used == 0).sum()} of {lista.n_components}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), gridspec_kw={"width_ratios": [1, 2]})
ax1.hist(active, bins=30)
ax1.set_xlabel("fraction of non-zero code coefficients")
ax1.set_ylabel("test digits")
im = ax2.imshow(per_class, aspect="auto", cmap="magma")
ax2.set_xlabel("atom of D")
ax2.set_ylabel("digit class")
ax2.set_yticks(range(10))
ax2.set_title("mean code per class (over positions and digits)", fontsize=9)
fig.colorbar(im, ax=ax2)
fig.tight_layout()
print(f"total {time.perf_counter() - start:.1f} s")
plt.show()
