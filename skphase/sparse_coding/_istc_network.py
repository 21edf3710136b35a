"""The classifier network of Zarka, Thiry, Angles & Mallat (ICLR 2020), in numpy with its own
backpropagation.

On standardised features z (n, P positions, C channels):

    y = z L^T                                  linear reduction per position (a 1x1 convolution)
    u = y / sqrt(|y|^2 + eps)                  unit norm per position
    a_0 = 0, a_{n+1} = relu(a_n + eta (u - a_n D) D^T - eta lambda_n)      n = 0..K-1 (ISTC)
    lambda_n = lambda*^((n+1)/K)               geometric homotopy from 1 (>= max|D u|) to lambda*
    f = pool(a)                                "none" (keep positions) or "mean" over positions
    g = (f - mu) / sigma                       code standardisation (a BatchNorm without
                                               affine part: mu, sigma are refreshed from the
                                               training codes each epoch, constants in between)
    logits = g W^T + b

Parameters: L (r, C), D (k, r) with unit-norm atoms (projected after each step), s = log lambda*,
e = log eta, W (n_classes, n_features_pooled), b. The torch twin is in ``_torch_models.py``.

The ISTC layers are the generic unrolled network's (:mod:`._unrolled`) with analysis W = D^T,
one step gamma_n = eta and thresholds theta_n = eta lambda_n, non-negative, no momentum; its
gradients in x, D, gamma and theta are mapped here into u, D, e and s by the chain rule.
"""

from __future__ import annotations

import numpy as np

from ._unrolled import unrolled_backward, unrolled_forward

EPS = 1e-6
PARAM_NAMES = ("L", "D", "s", "e", "W", "b")
DECAYED = ("L", "W")  # weight decay on the linear maps; D is on the sphere, s and e are scalars


def pooled_width(n_positions: int, n_components: int, pooling: str) -> int:
    return n_components * (n_positions if pooling == "none" else 1)


def init_params(Z, n_reduced: int, n_components: int, lam: float, n_classes: int, pooling: str,
                rng) -> dict:
    """L from the principal directions of the per-position vectors, D from normalised samples."""
    n, P, C = Z.shape
    rows = Z.reshape(n * P, C)
    sub = rows[rng.choice(rows.shape[0], size=min(rows.shape[0], 5000), replace=False)]
    _, _, Vt = np.linalg.svd(sub - sub.mean(axis=0), full_matrices=False)
    L = np.zeros((n_reduced, C))
    m = min(n_reduced, Vt.shape[0])
    L[:m] = Vt[:m]
    if m < n_reduced:
        L[m:] = rng.standard_normal((n_reduced - m, C)) / np.sqrt(C)
    Y = sub @ L.T
    U = Y / np.sqrt((Y * Y).sum(axis=1, keepdims=True) + EPS)
    take = rng.choice(U.shape[0], size=min(U.shape[0], n_components), replace=False)
    D = U[take]
    if D.shape[0] < n_components:
        D = np.vstack([D, rng.standard_normal((n_components - D.shape[0], n_reduced))])
    D = D + 0.01 * rng.standard_normal(D.shape)  # duplicate samples must not give duplicate atoms
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    eta = 1.0 / float(np.linalg.eigvalsh(D @ D.T)[-1])
    width = pooled_width(P, n_components, pooling)
    return {"L": L, "D": D, "s": np.array(np.log(lam)), "e": np.array(np.log(eta)),
            "W": np.zeros((n_classes, width)), "b": np.zeros(n_classes),
            "mu": np.zeros(width), "sigma": np.ones(width)}


def schedule(s: float, eta: float, n_layers: int):
    """The ISTC layers' steps gamma_n = eta and thresholds theta_n = eta lambda_n, lambda_n =
    exp(s (n+1)/K) (a geometric homotopy from 1 to exp(s) = lambda*), and the lambda_n."""
    lams = [np.exp(s * (i + 1) / n_layers) for i in range(n_layers)]
    return [eta] * n_layers, [eta * lam for lam in lams], lams


def refresh_code_statistics(params: dict, Z, n_layers: int, pooling: str) -> None:
    """Set mu and sigma to the mean and standard deviation of the pooled codes of Z."""
    F = forward(params, Z, n_layers, pooling, cache=True)[1]["F"]
    params["mu"][...] = F.mean(axis=0)
    params["sigma"][...] = np.sqrt(F.var(axis=0) + 1e-4)


def forward(params: dict, Z, n_layers: int, pooling: str, cache: bool = False):
    """Logits of standardised features Z (n, P, C); with ``cache``, what :func:`backward` needs."""
    n, P, C = Z.shape
    # products in Z's dtype (float32 training halves their cost), parameters cast to it
    L, D, W, b, mu, sigma = (np.asarray(params[k]).astype(Z.dtype, copy=False)
                             for k in ("L", "D", "W", "b", "mu", "sigma"))
    s, eta = float(params["s"]), float(np.exp(params["e"]))
    rows = Z.reshape(n * P, C)
    Y = rows @ L.T
    nu = np.sqrt((Y * Y).sum(axis=1, keepdims=True) + EPS)
    U = Y / nu
    gamma, theta, lams = schedule(s, eta, n_layers)
    out = unrolled_forward(U, D, None, gamma, theta, positive=True, cache=cache)
    A, layers = out if cache else (out, None)
    codes = A.reshape(n, P, -1)
    F = codes.reshape(n, -1) if pooling == "none" else codes.mean(axis=1)
    logits = ((F - mu) / sigma) @ W.T + b
    if not cache:
        return logits
    return logits, {"rows": rows, "Y": Y, "nu": nu, "U": U, "layers": layers, "F": F,
                    "shape": (n, P, C), "eta": eta, "gamma": gamma, "theta": theta,
                    "lams": lams}


def backward(params: dict, saved: dict, dlogits, n_layers: int, pooling: str) -> dict:
    """Gradients of a scalar in every parameter, given its gradient in the logits."""
    n, P, C = saved["shape"]
    dtype = saved["U"].dtype
    D, W, mu, sigma = (np.asarray(params[k]).astype(dtype, copy=False)
                       for k in ("D", "W", "mu", "sigma"))
    dlogits = dlogits.astype(dtype, copy=False)
    eta = saved["eta"]
    G = (saved["F"] - mu) / sigma
    grads = {"W": dlogits.T @ G, "b": dlogits.sum(axis=0)}
    dF = (dlogits @ W) / sigma
    k = D.shape[0]
    if pooling == "none":
        dA = dF.reshape(n * P, k)
    else:
        dA = np.repeat(dF[:, None, :] / P, P, axis=1).reshape(n * P, k)
    g = unrolled_backward(dA, saved["layers"], D, None, saved["gamma"], saved["theta"],
                          positive=True, wrt=("X", "D", "gamma", "theta"))
    # D is both the synthesis and (W = None: transposed) the analysis map, and g["D"] holds
    # both parts; gamma_n = eta, theta_n = eta lambda_n with lambda_n = exp(s (n+1)/K)
    dD = g["D"]
    dU = g["X"]
    deta = ds = 0.0
    for i, (dgamma, dtheta, lam) in enumerate(zip(g["gamma"], g["theta"], saved["lams"])):
        deta += float(dgamma) + lam * dtheta
        ds += eta * dtheta * lam * (i + 1) / n_layers
    Y, nu = saved["Y"], saved["nu"]
    dY = dU / nu - Y * ((dU * Y).sum(axis=1, keepdims=True) / nu ** 3)
    grads["L"] = dY.T @ saved["rows"]
    grads["D"] = dD
    grads["s"] = np.array(ds)
    grads["e"] = np.array(deta * eta)
    return grads


def cross_entropy(logits, y_idx):
    """Mean softmax cross-entropy and its gradient in the logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.log(p[np.arange(n), y_idx] + 1e-300).mean()
    g = p
    g[np.arange(n), y_idx] -= 1
    return loss, g / n


def project(params: dict) -> None:
    """Keep the atoms on the unit sphere and lambda* in (0, 1]."""
    D = params["D"]
    D /= np.maximum(np.linalg.norm(D, axis=1, keepdims=True), 1e-12)
    np.minimum(params["s"], 0.0, out=params["s"])
