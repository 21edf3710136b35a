"""Fast LISTA inference: the same network as :func:`~._lista.lista_forward`, computed in its
expanded form with sparse products (numba, parallel over samples).

A residual layer a' = S(a + (x - a D) W_k, theta_k) equals S(a + c_k - a G_k, theta_k) with
c_k = x W_k and G_k = D W_k. The K products c_k are one dense matrix product X [W_0 ... W_{K-1}];
a G_k only touches the rows of G_k of the atoms active in a, and codes are sparse (about 20 of
256 atoms on image patches), so a layer costs nnz(a) x n_components multiply-adds per sample
instead of 2 x n_features x n_components for the two dense products of the residual form.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_CHUNK = 1024  # rows per dense product: X_chunk [W_0 ... W_{K-1}] stays a few MiB


def lista_compile(dictionary, weights, dtype=np.float64):
    """Wcat (n_features, K n_components) and G (K, n_components, n_components) in ``dtype``."""
    D = np.asarray(dictionary, dtype=np.float64)
    W = np.asarray(weights, dtype=np.float64)
    K, d, k = W.shape
    Wcat = np.ascontiguousarray(W.transpose(1, 0, 2).reshape(d, K * k), dtype=dtype)
    G = np.ascontiguousarray(np.einsum("jd,kdm->kjm", D, W), dtype=dtype)
    return Wcat, G


@njit(cache=True, parallel=True, fastmath=True)
def _lista_sparse_layers(C, G, T, positive, A):
    n = C.shape[0]
    K, k = G.shape[0], G.shape[1]
    for i in prange(n):
        a = np.zeros(k, dtype=C.dtype)
        u = np.empty(k, dtype=C.dtype)
        active = np.empty(k, dtype=np.int64)
        n_active = 0
        for layer in range(K):
            c = C[i, layer * k:(layer + 1) * k]
            for j in range(k):
                u[j] = a[j] + c[j]
            Gl = G[layer]
            for p in range(n_active):
                m = active[p]
                am = a[m]
                row = Gl[m]
                for j in range(k):
                    u[j] -= am * row[j]
            th_l = T[layer]
            for j in range(k):
                th = th_l[j]
                v = u[j]
                if v > th:
                    a[j] = v - th
                elif v < -th and not positive:
                    a[j] = v + th
                else:
                    a[j] = 0.0
            n_active = 0
            for j in range(k):
                if a[j] != 0.0:
                    active[n_active] = j
                    n_active += 1
        for j in range(k):
            A[i, j] = a[j]


def lista_forward_sparse(X, compiled, thresholds, positive: bool = False):
    """Codes of X (in X's dtype) by the network ``compiled`` = :func:`lista_compile` output."""
    Wcat, G = compiled
    dtype = X.dtype
    Wcat = Wcat.astype(dtype, copy=False)
    G = G.astype(dtype, copy=False)
    T = np.ascontiguousarray(thresholds, dtype=dtype)
    A = np.empty((X.shape[0], G.shape[1]), dtype=dtype)
    for start in range(0, X.shape[0], _CHUNK):
        C = np.ascontiguousarray(X[start:start + _CHUNK] @ Wcat)
        _lista_sparse_layers(C, G, T, bool(positive), A[start:start + _CHUNK])
    return A
