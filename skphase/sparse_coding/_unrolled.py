"""One unrolled sparse network: ISTA, FISTA, tied or untied LISTA and ISTC are options of one layer.

Layer k of K, on inputs x (n_samples, n_features) and a dictionary D (n_atoms, n_features), codes
a (n_samples, n_atoms), a_0 = a_{-1} = 0:

    y_k     = a_k + beta_k (a_k - a_{k-1})                          momentum (none: y_k = a_k)
    a_{k+1} = prox(y_k + gamma_k ((x - y_k D) W_k), theta_k)         residual form
            = prox(y_k + gamma_k (x W_k - y_k D W_k), theta_k)       expanded form (same maps)

prox is the soft threshold sign(v) max(|v| - theta, 0), or max(v - theta, 0) for non-negative
codes. The options, and who uses them:

* W_k = D^T (``W=None``), gamma_k = 1/L, theta_k = alpha/L: ISTA; with Nesterov's beta_k:
  FISTA.
* one free W for all layers, per-layer per-atom gamma_k, theta_k, beta_k: the tied LISTA of
  ``SparseDictionaryCoder(transform_algorithm="lista")`` (:mod:`._lista_tied`).
* one free W_k per layer (W a sequence): Gregor & LeCun's untied LISTA.
* W = D^T (``W=None``), scalar gamma_k = eta, theta_k = eta lambda_k with geometric lambda_k (homotopy),
  non-negative: the ISTC layers of :class:`LISTAClassifier` (:mod:`._istc_network`).
* torch, analysis and synthesis maps given as callables (convolutions), expanded form, no step:
  the sparse codes of the progressive decoder (:mod:`skphase.generative._progressive`).

numpy: :func:`unrolled_forward` keeps what :func:`unrolled_backward` (analytic backpropagation)
needs; the backward gives the gradients in the generic quantities (input x, W, D, gamma, theta,
beta) and each caller maps them into its own parameters by the chain rule. torch:
:func:`unrolled_forward_torch`, differentiated by autograd. The parameters are used as given (no
casts): the callers choose the dtypes of their products. One soft threshold per backend:
:func:`soft_threshold` (numpy, public as ``skphase.sparse_coding.soft_threshold``) and
:func:`soft_threshold_torch`. ``import skphase`` never imports torch: it is imported by the torch
functions when they run.
"""

from __future__ import annotations

import numpy as np

GRADIENT_NAMES = ("X", "W", "D", "gamma", "theta", "beta")


def soft_threshold(U, threshold, positive: bool = False):
    """``sign(U) * max(|U| - threshold, 0)``; ``max(U - threshold, 0)`` when ``positive``.

    Examples
    --------
    >>> import numpy as np
    >>> soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0)
    array([-1.,  0.,  2.])
    """
    if positive:
        return np.maximum(U - threshold, 0)
    return np.sign(U) * np.maximum(np.abs(U) - threshold, 0)


def soft_threshold_torch(U, threshold, positive: bool = False):
    """The torch twin of :func:`soft_threshold` (differentiable almost everywhere)."""
    import torch

    if positive:
        return torch.relu(U - threshold)
    return torch.sign(U) * torch.relu(U.abs() - threshold)


def _untied(W) -> bool:
    """One analysis matrix for all layers (a 2-D array, or None for D^T), or one per layer."""
    return not (W is None or isinstance(W, np.ndarray) and W.ndim == 2)


def _scalar(v) -> bool:
    """A per-layer quantity that is one number (ISTC's eta), not one per atom."""
    return not isinstance(v, np.ndarray) or v.ndim == 0


def unrolled_forward(X, D, W, gamma, theta, beta=None, *, positive: bool = False,
                     cache: bool = False):
    """Codes of X after ``len(theta)`` layers (residual form, numpy).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    D : ndarray of shape (n_atoms, n_features)
        Synthesis dictionary.
    W : ndarray of shape (n_features, n_atoms), a sequence of n_layers of them, or None
        Analysis map, shared by the layers (tied) or one per layer (untied); None: D^T, tied
        to the dictionary (ISTA, FISTA, ISTC).
    gamma, theta : sequences of n_layers scalars or (n_atoms,) arrays
        Steps and thresholds of each layer.
    beta : sequence of n_layers scalars or (n_atoms,) arrays, optional
        Momenta (``beta[0]`` is not used: a_{-1} = a_0 = 0); None: no momentum.
    positive : bool
        Non-negative codes: prox(v) = max(v - theta, 0).
    cache : bool
        Also return what :func:`unrolled_backward` needs.

    Returns
    -------
    A : ndarray of shape (n_samples, n_atoms)
    saved : list, only with ``cache``
        Per layer (y_k, a_k - a_{k-1} or None, residual, analysis V = residual W_k, prox input).
    """
    untied = _untied(W)
    W = D.T if W is None else W
    A = np.zeros((X.shape[0], D.shape[0]), dtype=X.dtype)
    A_prev = A
    saved = []
    for k in range(len(theta)):
        Wk = W[k] if untied else W
        momentum = k and beta is not None
        delta = A - A_prev if momentum else None
        Y = A + beta[k] * delta if momentum else A
        R = X - Y @ D if k else X  # y_0 = 0: the residual is x, no product
        V = R @ Wk
        U = Y + gamma[k] * V if k else gamma[k] * V
        if cache:
            saved.append((Y, delta, R, V, U))
        A_prev, A = A, soft_threshold(U, theta[k], positive)
    return (A, saved) if cache else A


def unrolled_backward(dA, saved, D, W, gamma, theta, beta=None, *, positive: bool = False,
                      wrt=GRADIENT_NAMES) -> dict:
    """Gradients of a scalar in the quantities named in ``wrt``, given its gradient dA in the codes.

    Parameters
    ----------
    dA : ndarray of shape (n_samples, n_atoms)
        Gradient of the scalar in the output codes.
    saved : list
        What :func:`unrolled_forward` cached; the other arguments are those it was given.
    wrt : sequence of str
        Among "X", "W", "D", "gamma", "theta", "beta": only these are computed (the tied LISTA
        needs no gradient in D or x, which saves a product per layer).

    Returns
    -------
    dict
        "X" (n_samples, n_features), "W" (like W: one array, or a list of one per layer; none
        when W is None, D^T: its part is in D's), "D",
        and "gamma", "theta", "beta" as lists of one gradient per layer, each summed to the
        shape of that layer's value (a scalar or one per atom; beta's first is zero). Lists,
        not arrays: a caller with scalar steps (ISTC) maps them by the chain rule in a few
        float operations.
    """
    K = len(saved)
    want_X, want_D = "X" in wrt, "D" in wrt
    untied = _untied(W)
    on_D = W is None  # W = D^T: its gradient is part of D's (in the orientation of D)
    W = D.T if on_D else W
    dW = ([None] * K if untied else np.zeros_like(W)) if "W" in wrt and not on_D else None
    dD = np.zeros_like(D) if want_D else None
    dX = None
    dgamma, dtheta, dbeta = [None] * K, [None] * K, [None] * K
    # decided once, not per layer: the loop runs on small matrices in the classifier's
    # training, where a few function calls per layer showed in its time
    scalar, scalar_t = _scalar(gamma[0]), _scalar(theta[0])
    scalar_b = beta is not None and _scalar(beta[0])
    carry = None  # gradient in a_k through layer k + 1's momentum, -beta_{k+1} dy_{k+1}
    for k in range(K - 1, -1, -1):  # dA: the gradient in a_{k+1}
        Y, delta, R, V, U = saved[k]
        Wk = W[k] if untied else W
        g, t = gamma[k], theta[k]
        dU = dA * ((U > t) if positive else (np.abs(U) > t))
        dUs = dU if positive else dU * np.sign(U)
        dtheta[k] = -(dUs.sum() if scalar_t else dUs.sum(axis=0))
        dgamma[k] = (dU * V).sum() if scalar else (dU * V).sum(axis=0)
        # U = Y + gamma V, V = R W_k, R = X - Y D; a scalar step multiplies the (smaller)
        # products instead of dU
        dV = None if scalar else dU * g
        if on_D and want_D:
            dD += g * (dU.T @ R) if scalar else dV.T @ R
        elif dW is not None:
            dWk = g * (R.T @ dU) if scalar else R.T @ dV
            if untied:
                dW[k] = dWk
            else:
                dW += dWk
        if k or want_X:
            dR = g * (dU @ Wk.T) if scalar else dV @ Wk.T
            if dX is None:
                dX = dR  # a fresh array: accumulated into in place below
            else:
                dX += dR
        if not k:
            break
        if want_D:
            dD -= Y.T @ dR
        dY = dU - dR @ D.T
        if delta is None:
            dA = dY
        else:  # Y = (1 + beta) a_k - beta a_{k-1}
            dbeta[k] = (dY * delta).sum() if scalar_b else (dY * delta).sum(axis=0)
            dA = dY * (1 + beta[k])
            if carry is not None:
                dA = dA + carry
            carry = -dY * beta[k]
    grads = {"X": dX, "D": dD, "gamma": dgamma, "theta": dtheta}
    if not on_D:
        grads["W"] = dW
    if beta is not None:  # no momentum in the first layer: a zero gradient there
        dbeta[0] = np.zeros(np.shape(beta[0]), dtype=dA.dtype)
        grads["beta"] = dbeta
    return {name: grads[name] for name in wrt if name in grads}


def unrolled_forward_torch(x, analysis, synthesis, theta, gamma=None, beta=None, *,
                           positive: bool = False, expanded: bool = False):
    """The torch twin of :func:`unrolled_forward` (autograd), maps given as matrices or callables.

    Parameters
    ----------
    x : tensor
        Inputs: (n_samples, n_features) with matrices, any shape the callables take.
    analysis : tensor (n_features, n_atoms), callable, a sequence of n_layers of those, or None
        W_k: a tensor acts as ``r @ W``; a sequence unties the layers; None: D^T (synthesis a
        tensor).
    synthesis : tensor (n_atoms, n_features) or callable
        D: a tensor acts as ``a @ D``.
    theta : sequence of n_layers thresholds (tensors broadcasting against the codes)
    gamma : sequence of n_layers steps, optional
        None: step 1 (no product).
    beta : sequence of n_layers momenta, optional
        None: no momentum.
    positive : bool
        Non-negative codes.
    expanded : bool
        y + gamma (x W - y D W) with x W computed once (one analysis for all layers when tied),
        instead of y + gamma (x - y D) W.

    Returns
    -------
    tensor
        The codes after ``len(theta)`` layers.
    """
    def apply(op, v):
        return op(v) if callable(op) else v @ op

    untied = isinstance(analysis, (list, tuple))
    analysis = synthesis.T if analysis is None else analysis
    C = None if untied or not expanded else apply(analysis, x)
    A = A_prev = None
    for k in range(len(theta)):
        Wk = analysis[k] if untied else analysis
        if not k:
            V = C if C is not None else apply(Wk, x)
            U = V if gamma is None else gamma[k] * V
        else:
            if beta is None:
                Y = A
            else:  # a_0 = 0: the first difference is a_1 itself
                Y = A + beta[k] * (A if A_prev is None else A - A_prev)
            if expanded:
                Ck = C if C is not None else apply(Wk, x)
                AS = apply(Wk, apply(synthesis, Y))
                U = Y + Ck - AS if gamma is None else Y + gamma[k] * (Ck - AS)
            else:
                V = apply(Wk, x - apply(synthesis, Y))
                U = Y + V if gamma is None else Y + gamma[k] * V
        A_prev, A = A, soft_threshold_torch(U, theta[k], positive)
    return A
