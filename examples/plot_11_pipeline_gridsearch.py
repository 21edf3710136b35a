"""
Scattering in a Pipeline, tuned by GridSearchCV
===============================================

ScatteringAverager is a scikit-learn transformer, so a Pipeline with a
LogisticRegression can be cross-validated over the scattering's J and L and the
classifier's C like any other estimator.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skphase import ScatteringAverager

# %%
# 8x8 digits, a 600-image subset so the search stays a few seconds.
digits = load_digits()
rng = np.random.default_rng(0)
idx = rng.permutation(len(digits.images))[:600]
X, y = digits.images[idx], digits.target[idx]

pipe = make_pipeline(ScatteringAverager(nonlinearity="modulus"), StandardScaler(),
                     LogisticRegression(max_iter=2000))
grid = {"scatteringaverager__J": [1, 2], "scatteringaverager__L": [4, 8],
        "logisticregression__C": [0.1, 1.0, 10.0]}
search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
print(f"best parameters: {search.best_params_}")
print(f"best cross-validated accuracy: {search.best_score_:.3f}")

# %%
# Mean CV accuracy for each (J, L) as a function of C.
res = search.cv_results_
fig, ax = plt.subplots(figsize=(5, 3.5))
Cs = grid["logisticregression__C"]
for J in grid["scatteringaverager__J"]:
    for L in grid["scatteringaverager__L"]:
        mask = (res["param_scatteringaverager__J"] == J) & (res["param_scatteringaverager__L"] == L)
        scores = [res["mean_test_score"][mask & (res["param_logisticregression__C"] == C)][0] for C in Cs]
        print(f"J={J} L={L}: " + ", ".join(f"C={C:g} {s:.3f}" for C, s in zip(Cs, scores)))
        ax.plot(Cs, scores, "o-", label=f"J={J}, L={L}")
ax.set_xscale("log")
ax.set_xlabel("C")
ax.set_ylabel("mean CV accuracy")
ax.legend()
fig.tight_layout()
plt.show()
