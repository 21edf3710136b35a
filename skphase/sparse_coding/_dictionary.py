"""Online dictionary learning (Mairal, Bach, Ponce & Sapiro 2009) with unit-norm atoms.

Each minibatch is coded in the current dictionary (any solver of :mod:`._solvers`), its
sufficient statistics A = sum a^T a and B = sum a^T x are accumulated with a forgetting factor,
and one block-coordinate pass updates the atoms. The forgetting schedule is scikit-learn's
(``MiniBatchDictionaryLearning._minibatch_step``), so the two learn comparable dictionaries.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np

from ..utils._interrupt import interruptible, warn_interrupted
from ..utils._progress import progress
from ._solvers import SOLVERS, lasso_objective


@dataclass
class OnlineState:
    """Sufficient statistics of the online algorithm (picklable, kept by the estimator)."""

    A: np.ndarray
    B: np.ndarray
    step: int = 0
    objectives: list = field(default_factory=list)


def init_dictionary(X, n_components: int, rng) -> np.ndarray:
    """Unit-norm atoms drawn among the samples (random directions if there are too few)."""
    n, d = X.shape
    take = rng.choice(n, size=min(n, n_components), replace=False)
    D = np.asarray(X[take], dtype=np.float64)
    if n_components > n:
        D = np.vstack([D, rng.standard_normal((n_components - n, d))])
    return _normalise_atoms(D, rng)


def _normalise_atoms(D, rng):
    norms = np.linalg.norm(D, axis=1)
    dead = norms < 1e-10
    if dead.any():  # a zero atom has no direction: give it a random one
        D[dead] = rng.standard_normal((int(dead.sum()), D.shape[1]))
        norms[dead] = np.linalg.norm(D[dead], axis=1)
    D /= norms[:, None]
    return D


def update_dictionary(D, A, B, rng):
    """One block-coordinate pass over the atoms: d_j <- (B_j - A_j D + A_jj d_j) / A_jj,
    then projected onto the unit sphere. Unused atoms (A_jj ~ 0) are left unchanged."""
    for j in range(D.shape[0]):
        ajj = A[j, j]
        if ajj < 1e-12:
            continue
        D[j] += (B[j] - A[j] @ D) / ajj
        norm = np.linalg.norm(D[j])
        if norm < 1e-10:
            D[j] = rng.standard_normal(D.shape[1])
            norm = np.linalg.norm(D[j])
        D[j] /= norm
    return D


def new_state(n_components: int, n_features: int) -> OnlineState:
    return OnlineState(A=np.zeros((n_components, n_components)),
                       B=np.zeros((n_components, n_features)))


def minibatch_step(D, X_batch, state: OnlineState, alpha: float, *, algorithm: str = "cd",
                   positive: bool = False, max_iter: int = 1000, tol: float = 1e-6, rng=None):
    """Code one batch, update the statistics and the atoms; returns the batch's mean objective
    (before the dictionary update)."""
    rng = np.random.default_rng() if rng is None else rng
    bs = X_batch.shape[0]
    codes, _ = SOLVERS[algorithm](X_batch, D, alpha, positive=positive, max_iter=max_iter, tol=tol)
    codes = codes.astype(np.float64, copy=False)
    step = state.step
    theta = (step + 1) * bs if step < bs - 1 else bs * bs + step + 1 - bs
    beta = (theta + 1 - bs) / (theta + 1)
    state.A *= beta
    state.A += codes.T @ codes / bs
    state.B *= beta
    state.B += codes.T @ np.asarray(X_batch, dtype=np.float64) / bs
    state.step += 1
    objective = float(lasso_objective(X_batch, codes, D, alpha).mean())
    state.objectives.append(objective)
    update_dictionary(D, state.A, state.B, rng)
    return objective


def learn_dictionary(X, D, state: OnlineState, alpha: float, *, n_epochs: int = 1,
                     batch_size: int = 256, algorithm: str = "cd", positive: bool = False,
                     max_iter: int = 1000, tol: float = 1e-6, rng=None, verbose: int = 0,
                     stop=None):
    """Run ``n_epochs`` shuffled passes of :func:`minibatch_step` over X (D updated in place).

    Ctrl-C (see :mod:`skphase.utils._interrupt`) stops learning after the current minibatch;
    the dictionary learned so far is kept (returned). ``stop``: the caller's
    :class:`~skphase.utils._interrupt.StopRequest` (the caller then warns); without it this
    function opens its own and warns itself.
    """
    rng = np.random.default_rng() if rng is None else rng
    n = X.shape[0]
    starts = [(e, s) for e in range(n_epochs) for s in range(0, n, batch_size)]
    starts = progress(starts, len(starts), verbose, "dictionary")
    order = None
    own = stop is None
    with (interruptible() if own else nullcontext(stop)) as stop:
        try:
            for epoch_start in starts:
                if stop.is_set():
                    break
                e, s = epoch_start
                if s == 0:
                    order = rng.permutation(n)
                minibatch_step(D, X[order[s:s + batch_size]], state, alpha, algorithm=algorithm,
                               positive=positive, max_iter=max_iter, tol=tol, rng=rng)
        except KeyboardInterrupt:  # raised where it landed: the caller re-normalises the atoms
            stop.set()
    if own and stop.is_set():
        warn_interrupted("dictionary learning")
    return D
