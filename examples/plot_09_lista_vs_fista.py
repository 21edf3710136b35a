"""
LISTA against ISTA and FISTA
============================

The lasso objective gap after K iterations of ISTA and FISTA and after a LISTA
network of K trained layers, on digits (slide 31); here LISTA is behind FISTA at
K <= 4 and level with it (slightly ahead) at K = 8 and 16.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skphase.sparse_coding import SparseDictionaryCoder, fista, ista, lasso_objective

# %%
# Digits as signals; a 64-atom dictionary learnt once, then LISTA coders of K layers.
X = load_digits().data[:600] / 16.0
X = X - X.mean(axis=1, keepdims=True)
X_train, X_test = X[:500], X[500:]
alpha = 0.1
base = SparseDictionaryCoder(n_components=64, alpha=alpha, random_state=0).fit(X_train)
D = base.components_

# The exact minimum, by a long FISTA run, to measure the objective gap.
exact, _ = fista(X_test, D, alpha, max_iter=5000, tol=1e-12)
f_star = lasso_objective(X_test, exact, D, alpha).mean()

layers = [1, 2, 4, 8, 16]
gaps = {"ISTA": [], "FISTA": [], "LISTA": []}
for K in layers:
    a_ista, _ = ista(X_test, D, alpha, max_iter=K, tol=0.0)
    a_fista, _ = fista(X_test, D, alpha, max_iter=K, tol=0.0, restart=False)
    lista = SparseDictionaryCoder(n_components=64, alpha=alpha, transform_algorithm="lista",
                                  n_layers=K, random_state=0).fit(X_train)
    # Each LISTA coder learns its own dictionary: judge it on its own objective minimum.
    D_l = lista.components_
    ex_l, _ = fista(X_test, D_l, alpha, max_iter=5000, tol=1e-12)
    f_l = lasso_objective(X_test, ex_l, D_l, alpha).mean()
    gaps["ISTA"].append(lasso_objective(X_test, a_ista, D, alpha).mean() - f_star)
    gaps["FISTA"].append(lasso_objective(X_test, a_fista, D, alpha).mean() - f_star)
    gaps["LISTA"].append(lasso_objective(X_test, lista.transform(X_test), D_l, alpha).mean() - f_l)
    print(f"K={K:2d}: gap ISTA {gaps['ISTA'][-1]:.4f}  FISTA {gaps['FISTA'][-1]:.4f}  "
          f"LISTA {gaps['LISTA'][-1]:.4f}")

fig, ax = plt.subplots(figsize=(5, 3.5))
for name, g in gaps.items():
    ax.semilogy(layers, np.maximum(g, 1e-12), "o-", label=name)
ax.set_xscale("log", base=2)
ax.set_xlabel("iterations / layers K")
ax.set_ylabel("mean lasso objective gap (test)")
ax.legend()
fig.tight_layout()
plt.show()
