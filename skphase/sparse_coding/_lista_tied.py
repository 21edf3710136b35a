"""Tied LISTA with learned momentum: the network behind ``transform_algorithm="lista"``.

Layer k of K (a_0 = a_{-1} = 0, codes a of shape (n_samples, n_components)):

    y_k     = a_k + beta_k * (a_k - a_{k-1})              learned momentum, one per layer and atom
    a_{k+1} = S(y_k + gamma_k * ((x - y_k D) W), theta_k)  S the soft threshold

One matrix W (n_features, n_components) shared by all layers, per-layer and per-atom step sizes
gamma_k, thresholds theta_k and momenta beta_k: 3 K n_components + n_features n_components
parameters. Initialised at FISTA with homotopy thresholds (W = D^T, gamma = 1/Lipschitz,
beta_k = (k - 1)/(k + 2), thresholds decreasing geometrically from max|D x| to alpha), trained
on the lasso objective 1/2 ||x - a_K D||^2 + alpha ||a_K||_1 of its output ("learning to
optimise": no exact codes needed) by minibatch Adam with a cosine learning-rate decay.

Why tied: on 8x8 image patches with 256 atoms and 16 layers, untied LISTA (one W_k per layer,
Gregor & LeCun's network) trained the same way stayed 4.8% above the optimum after 2,000 Adam
steps, this network without momentum 2.2%, with it 0.9% (10 layers: 1.2%): far fewer
parameters, the same per-layer flexibility where it matters (steps and thresholds per atom). It
is also cheaper to run: x W is one matrix product for all layers, and each layer then only needs
y_k D W = y_k G on the atoms active in y_k (:func:`lista_tied_transform`, numba).

The layer and its backpropagation are the generic unrolled network's (:mod:`._unrolled`); this
module holds the parametrisation, the training and the fast transform, a second (active-set)
implementation of the same recurrence for inference, tested against the generic forward pass.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np

from ..utils._interrupt import interruptible, warn_interrupted
from ..utils._numba import part_kernel, part_range
from ..utils._adam import Adam
from ..utils._progress import progress
from ._unrolled import unrolled_backward, unrolled_forward

_CHUNK = 2048  # rows per dense product X_chunk W in the fast transform
PARAM_NAMES = ("W", "gamma", "theta", "beta")


def lista_tied_init(dictionary, alpha: float, n_layers: int, X=None) -> dict:
    """FISTA with homotopy thresholds as a network: dict of W, gamma, theta, beta (float64)."""
    D = np.asarray(dictionary, dtype=np.float64)
    k = D.shape[0]
    L = float(np.linalg.eigvalsh(D @ D.T)[-1])
    if X is None:
        lams = np.full(n_layers, float(alpha))
    else:
        lam0 = max(float(np.median(np.abs(np.asarray(X) @ D.T).max(axis=1))), alpha)
        lams = lam0 * (alpha / lam0) ** (np.arange(n_layers) / max(n_layers - 1, 1))
    steps = np.arange(n_layers, dtype=np.float64)
    return {"W": D.T.copy(), "gamma": np.full((n_layers, k), 1.0 / L),
            "theta": np.repeat(lams[:, None] / L, k, axis=1),
            "beta": np.repeat((np.maximum(steps - 1, 0) / (steps + 2))[:, None], k, axis=1)}


def _cast(dictionary, params: dict, dtype):
    """D and the parameters in the dtype of the products (float32 training: twice as fast)."""
    D = np.asarray(dictionary).astype(dtype, copy=False)
    return (D, *(np.asarray(params[k]).astype(dtype, copy=False) for k in PARAM_NAMES))


def lista_tied_forward(X, dictionary, params: dict, positive: bool = False, cache: bool = False):
    """Codes of X (dense numpy, X's dtype); with ``cache``, what the backward pass needs.

    The generic unrolled layer (:func:`~._unrolled.unrolled_forward`) with one W for all layers
    and per-layer, per-atom steps, thresholds and momenta.
    """
    D, W, gamma, theta, beta = _cast(dictionary, params, X.dtype)
    return unrolled_forward(X, D, W, gamma, theta, beta, positive=positive, cache=cache)


def lista_tied_backward(dA, saved, dictionary, params: dict, positive: bool = False) -> dict:
    """Gradients of a scalar in each parameter, given its gradient dA in the output codes.

    The parameters are the generic layer's own (W, gamma, theta, beta): no chain rule to add,
    and D is fixed during this training (no gradient asked for it).
    """
    D, W, gamma, theta, beta = _cast(dictionary, params, dA.dtype)
    grads = unrolled_backward(dA, saved, D, W, gamma, theta, beta, positive=positive,
                              wrt=PARAM_NAMES)
    return {name: np.asarray(grads[name]) for name in PARAM_NAMES}  # per-layer rows stacked


def lasso_loss_grad(X, A, dictionary, alpha: float):
    """Mean lasso objective of the codes A and its (sub)gradient in A."""
    D = np.asarray(dictionary).astype(X.dtype, copy=False)
    R = X - A @ D
    n = X.shape[0]
    loss = (0.5 * np.einsum("ij,ij->", R, R) + alpha * np.abs(A).sum()) / n
    return float(loss), (-(R @ D.T) + alpha * np.sign(A)) / n


def _project(params: dict) -> None:
    """Thresholds and steps nonnegative, momentum in [0, 1] (FISTA's own range), in place.

    Momentum above 1 amplifies the difference of successive layers instead of damping it: a
    network trained 3,200 steps on 5,000 patches (beta up to 2.1) coded the training patches
    within 0.5 % of the optimum but 5 held-out patches in 10,000 to objectives 10^5 times theirs
    (the mean 38x the optimum), which the training loss never saw.
    """
    np.maximum(params["theta"], 0, out=params["theta"])
    np.maximum(params["gamma"], 0, out=params["gamma"])
    np.clip(params["beta"], 0, 1, out=params["beta"])


def train_lista_tied(X, dictionary, alpha: float, *, n_layers: int = 16, positive: bool = False,
                     n_epochs: int = 10, batch_size: int = 256, learning_rate: float = 1e-2,
                     init: dict | None = None, dtype=np.float32, random_state=None,
                     verbose: int = 0, stop=None):
    """Train the tied network on X by minibatch Adam on the mean lasso objective of its output.

    The learning rate of each parameter is ``learning_rate`` times its initial mean magnitude,
    decayed by a cosine over all the steps; products run in ``dtype`` (float32: twice as fast,
    parameters and optimiser in float64).

    Returns
    -------
    params : dict of ndarray
        W (n_features, n_components), gamma, theta, beta (n_layers, n_components).
    losses : list of float
        Mean objective of (at most 4,096 samples of) X before training and after each epoch;
        the parameters of the lowest are returned.

    Ctrl-C (see :mod:`skphase.utils._interrupt`) stops training after the current minibatch
    and returns the best parameters so far; ``stop``: the caller's ``StopRequest`` (the caller
    warns), else this function opens its own and warns. Already set: no training step.
    """
    rng = np.random.default_rng(random_state)
    X = np.asarray(X)
    D = np.asarray(dictionary, dtype=np.float64)
    params = lista_tied_init(D, alpha, n_layers, X) if init is None else init
    params = {k: np.array(params[k], dtype=np.float64) for k in PARAM_NAMES}
    scales = [float(np.abs(params[k]).mean()) or 1.0 for k in PARAM_NAMES]
    scales[3] = max(scales[3], 0.1)  # beta starts near 0 for few layers
    opt = Adam([params[k] for k in PARAM_NAMES], [learning_rate * s for s in scales])
    base = [group["lr"] for group in opt.param_groups]
    Xc = X.astype(dtype, copy=False)
    Dc = D.astype(dtype)
    monitor = Xc[rng.permutation(X.shape[0])[:4096]]

    def monitored():
        return lasso_loss_grad(monitor, lista_tied_forward(monitor, Dc, params, positive), Dc,
                               alpha)[0]

    best = (monitored(), {k: v.copy() for k, v in params.items()})
    losses = [best[0]]
    n_batches = max(1, -(-X.shape[0] // batch_size))
    total = n_epochs * n_batches
    epochs = progress(range(n_epochs), n_epochs, verbose, "LISTA")
    step = 0
    own = stop is None
    with (interruptible() if own else nullcontext(stop)) as stop:
        try:
            for _ in epochs:
                if stop.is_set():
                    break
                order = rng.permutation(X.shape[0])
                for start in range(0, X.shape[0], batch_size):
                    xb = Xc[order[start:start + batch_size]]
                    A, saved = lista_tied_forward(xb, Dc, params, positive, cache=True)
                    _, dA = lasso_loss_grad(xb, A, Dc, alpha)
                    grads = lista_tied_backward(dA, saved, Dc, params, positive)
                    decay = 0.5 * (1 + np.cos(np.pi * step / total))
                    for group, lr in zip(opt.param_groups, base):
                        group["lr"] = lr * decay
                    opt.step([grads[k].astype(np.float64) for k in PARAM_NAMES])
                    _project(params)
                    step += 1
                    if stop.is_set():
                        break
                losses.append(monitored())
                if losses[-1] < best[0]:
                    best = (losses[-1], {k: v.copy() for k, v in params.items()})
        except KeyboardInterrupt:  # raised where it landed: the best copy is a finished one
            stop.set()
    if own and stop.is_set():
        warn_interrupted("LISTA training")
    return best[1], losses


# --- fast transform: expanded form, sparse products ----------------------------------------------

@part_kernel(cache=True, fastmath=True)
def _tied_layers(C, G, gamma, theta, beta, positive, A, part, n_parts):
    n, k = C.shape
    K = gamma.shape[0]
    lo, hi = part_range(n, part, n_parts)
    for i in range(lo, hi):
        a = np.zeros(k, dtype=C.dtype)
        a_prev = np.zeros(k, dtype=C.dtype)
        y = np.zeros(k, dtype=C.dtype)
        u = np.empty(k, dtype=C.dtype)
        active = np.empty(k, dtype=np.int64)
        c = C[i]
        n_active = 0
        for layer in range(K):
            if layer:
                b = beta[layer]
                for j in range(k):
                    y[j] = a[j] + b[j] * (a[j] - a_prev[j])
                n_active = 0
                for j in range(k):  # branch-free compaction: ~10% of the atoms are active
                    active[n_active] = j
                    n_active += y[j] != 0.0
            # u = y + gamma (c - y G), y G over the active atoms only, four rows of G at a
            # time (one load and store of u per four multiply-adds)
            for j in range(k):
                u[j] = c[j]
            p = 0
            while p + 4 <= n_active:
                m0, m1, m2, m3 = active[p], active[p + 1], active[p + 2], active[p + 3]
                y0, y1, y2, y3 = y[m0], y[m1], y[m2], y[m3]
                r0, r1, r2, r3 = G[m0], G[m1], G[m2], G[m3]
                for j in range(k):
                    u[j] -= y0 * r0[j] + y1 * r1[j] + y2 * r2[j] + y3 * r3[j]
                p += 4
            while p < n_active:
                m = active[p]
                ym = y[m]
                row = G[m]
                for j in range(k):
                    u[j] -= ym * row[j]
                p += 1
            g = gamma[layer]
            th = theta[layer]
            for j in range(k):
                a_prev[j] = a[j]
            if positive:
                for j in range(k):
                    a[j] = max(y[j] + g[j] * u[j] - th[j], 0.0)
            else:
                for j in range(k):
                    v = y[j] + g[j] * u[j]
                    a[j] = max(v - th[j], 0.0) + min(v + th[j], 0.0)
        for j in range(k):
            A[i, j] = a[j]


def lista_tied_transform(X, dictionary, params: dict, positive: bool = False):
    """Same codes as :func:`lista_tied_forward` (to rounding), fast: X W once, then each layer
    on the active atoms only (numba, parallel over samples, X's dtype)."""
    dtype = X.dtype
    W = np.asarray(params["W"]).astype(dtype)
    G = np.ascontiguousarray(np.asarray(dictionary, dtype=np.float64) @ np.asarray(
        params["W"], dtype=np.float64), dtype=dtype)
    # fresh writable copies (small): a read-only input (a memmapped estimator) would make numba
    # compile another specialisation of the kernel
    gamma, theta, beta = (np.array(params[k], dtype=dtype, order="C")
                          for k in ("gamma", "theta", "beta"))
    A = np.empty((X.shape[0], G.shape[0]), dtype=dtype)
    for start in range(0, X.shape[0], _CHUNK):
        C = np.ascontiguousarray(X[start:start + _CHUNK] @ W)
        _tied_layers(C, G, gamma, theta, beta, bool(positive), A[start:start + _CHUNK])
    return A
