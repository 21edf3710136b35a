"""LISTA: K unrolled soft-thresholding layers with learned matrices and thresholds, in numpy.

Layer k (Gregor & LeCun 2010, untied as in Chen et al. 2018):

    a_0 = 0,   a_{k+1} = S(a_k + (x - a_k D) W_k, theta_k)

with W_k of shape (n_features, n_components) and one threshold per layer and atom. Initialised
at ISTA (W_k = D^T / L, theta_k = alpha / L), it is trained end to end on the lasso objective
1/2 ||x - a_K D||^2 + alpha ||a_K||_1 of its output by minibatch Adam, with its own
backpropagation (:func:`lista_backward`, checked against finite differences in the tests).
"""

from __future__ import annotations

import numpy as np

from ..utils._interrupt import interruptible, warn_interrupted
from ..utils._progress import progress
from ._solvers import soft_threshold


def lista_init(dictionary, alpha: float, n_layers: int, X=None):
    """ISTA as a network: weights (K, n_features, n_components) = D^T / L and thresholds.

    Without X the thresholds are alpha / L (plain ISTA). With X they decrease geometrically
    from the median of max|D x| over X down to alpha (the homotopy ISTC of Zarka et al. 2020),
    a much better start for few layers since early codes stay sparse.
    """
    D = np.asarray(dictionary, dtype=np.float64)
    L = float(np.linalg.eigvalsh(D @ D.T)[-1])
    weights = np.repeat((D.T / L)[None], n_layers, axis=0)
    if X is None:
        lams = np.full(n_layers, alpha)
    else:
        lam0 = max(float(np.median(np.abs(np.asarray(X) @ D.T).max(axis=1))), alpha)
        lams = lam0 * (alpha / lam0) ** (np.arange(n_layers) / max(n_layers - 1, 1))
    thresholds = np.repeat(lams[:, None] / L, D.shape[0], axis=1)
    return weights, thresholds


def lista_forward(X, dictionary, weights, thresholds, positive: bool = False, cache: bool = False):
    """Codes of X after len(weights) layers (and, with ``cache``, what backprop needs)."""
    dtype = X.dtype
    D = dictionary.astype(dtype, copy=False)
    A = np.zeros((X.shape[0], D.shape[0]), dtype=dtype)
    saved = []
    for k in range(len(weights)):
        R = X - A @ D if k else X
        U = (A + R @ weights[k].astype(dtype, copy=False)) if k else R @ weights[k].astype(dtype)
        if cache:
            saved.append((A, R, U))
        A = soft_threshold(U, thresholds[k].astype(dtype, copy=False), positive)
    return (A, saved) if cache else A


def lista_loss_grad_codes(X, A, dictionary, alpha: float):
    """Mean lasso objective of the codes A and its gradient in A (a subgradient at 0)."""
    R = X - A @ dictionary
    n = X.shape[0]
    loss = (0.5 * np.einsum("ij,ij->", R, R) + alpha * np.abs(A).sum()) / n
    return loss, (-(R @ dictionary.T) + alpha * np.sign(A)) / n


def lista_backward(dA, saved, dictionary, weights, thresholds, positive: bool = False):
    """Gradients of a scalar in (weights, thresholds), given its gradient dA in the output codes."""
    D = dictionary.astype(dA.dtype, copy=False)
    gW = np.zeros_like(weights)
    gT = np.zeros_like(thresholds)
    for k in range(len(weights) - 1, -1, -1):
        A_prev, R, U = saved[k]
        th = thresholds[k]
        mask = (U > th) if positive else (np.abs(U) > th)
        dU = dA * mask
        gT[k] = -(dU if positive else dU * np.sign(U)).sum(axis=0)
        gW[k] = R.T @ dU
        if k:
            # U = A + (X - A D) W  =>  dA = dU - (dU W^T) D^T
            dA = dU - (dU @ weights[k].T) @ D.T
    return gW, gT


class _Adam:
    """Adam on a list of arrays, updated in place; one learning rate per array."""

    def __init__(self, params, lrs, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lrs, self.betas, self.eps = params, list(lrs), betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for p, g, m, v, lr in zip(self.params, grads, self.m, self.v, self.lrs):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def train_lista(X, dictionary, alpha: float, *, n_layers: int = 12, positive: bool = False,
                n_epochs: int = 20, batch_size: int = 256, learning_rate: float = 1e-2,
                init=None, random_state=None, verbose: int = 0):
    """Fit LISTA weights and thresholds on X by minibatch Adam on the lasso objective.

    Returns
    -------
    weights : ndarray of shape (n_layers, n_features, n_components)
    thresholds : ndarray of shape (n_layers, n_components)
    losses : list of float
        Mean objective on X after each epoch (the best parameters are returned).

    Ctrl-C (:mod:`skphase.utils._interrupt`) stops training after the current minibatch and
    returns the best parameters so far, with an ``InterruptedWarning``.
    """
    rng = np.random.default_rng(random_state)
    X = np.asarray(X, dtype=np.float64)
    D = np.asarray(dictionary, dtype=np.float64)
    weights, thresholds = init if init is not None else lista_init(D, alpha, n_layers, X)
    weights, thresholds = weights.astype(np.float64), thresholds.astype(np.float64)
    # weights and thresholds live on different scales: learning rates relative to each
    opt = _Adam([weights, thresholds], [learning_rate * (np.abs(weights).mean() or 1.0),
                                        learning_rate * (np.abs(thresholds).mean() or 1.0)])

    def full_loss():
        return lista_loss_grad_codes(X, lista_forward(X, D, weights, thresholds, positive), D,
                                     alpha)[0]

    best = (full_loss(), weights.copy(), thresholds.copy())
    losses = [best[0]]
    epochs = progress(range(n_epochs), n_epochs, verbose, "LISTA")
    with interruptible() as stop:
        try:
            for _ in epochs:
                if stop.is_set():
                    break
                order = rng.permutation(X.shape[0])
                for start in range(0, X.shape[0], batch_size):
                    xb = X[order[start:start + batch_size]]
                    A, saved = lista_forward(xb, D, weights, thresholds, positive, cache=True)
                    _, dA = lista_loss_grad_codes(xb, A, D, alpha)
                    gW, gT = lista_backward(dA, saved, D, weights, thresholds, positive)
                    opt.step([gW, gT])
                    np.maximum(thresholds, 0, out=thresholds)
                    if stop.is_set():
                        break
                losses.append(full_loss())
                if losses[-1] < best[0]:
                    best = (losses[-1], weights.copy(), thresholds.copy())
        except KeyboardInterrupt:  # raised where it landed: the best copy is a finished one
            stop.set()
    if stop.is_set():
        warn_interrupted("LISTA training")
    return best[1], best[2], losses

