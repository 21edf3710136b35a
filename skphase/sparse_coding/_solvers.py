"""l1 sparse coding solvers as plain functions: a = argmin 1/2 ||x - a D||^2 + alpha ||a||_1.

Conventions (shared by every solver here and by :class:`SparseDictionaryCoder`):

* ``X`` is (n_samples, n_features), ``dictionary`` is (n_components, n_features) with one
  atom per row (scikit-learn's ``components_`` layout) and codes are (n_samples, n_components),
  so that the reconstruction is ``codes @ dictionary``.
* The problem is solved per sample, **unscaled**: 1/2 ||x - a D||^2 + alpha ||a||_1. This is
  exactly scikit-learn's ``SparseCoder(transform_algorithm="lasso_cd", transform_alpha=alpha)``:
  it calls ``Lasso(alpha=alpha / n_features)``, whose objective 1/(2 n_features) ||x - a D||^2 +
  alpha / n_features ||a||_1 is ours divided by n_features, with the same minimiser.
* ``tol`` bounds the **duality gap** of each sample relative to its objective at a = 0:
  gap <= tol * 1/2 ||x||^2 (scikit-learn's Lasso uses tol * ||x||^2). The gap certifies the
  distance to the optimum, so ``tol`` means the same for every solver. ``positive=True`` adds the constraint a >= 0.
"""

from __future__ import annotations

import math

import numpy as np

from ..utils._numba import njit, part_kernel, part_range
from ._unrolled import soft_threshold

_TINY = 1e-30


def lasso_objective(X, codes, dictionary, alpha: float) -> np.ndarray:
    """Per-sample objective 1/2 ||x - a D||^2 + alpha ||a||_1, shape (n_samples,)."""
    R = X - codes @ dictionary
    return 0.5 * np.einsum("ij,ij->i", R, R) + alpha * np.abs(codes).sum(axis=1)


def _gap_from_gradient(xn2, C, A, Gr, alpha, positive):
    """Primal objective and duality gap per row, from C = X D^T, A and Gr = D r = C - A G.

    With r = x - a D: ||r||^2 = ||x||^2 - a.c - a.g and x.r = ||x||^2 - a.c; the dual point is
    r scaled into the feasible set {|D theta| <= alpha} (one side when positive)."""
    ac = np.einsum("ij,ij->i", A, C)
    ag = np.einsum("ij,ij->i", A, Gr)
    r2 = np.maximum(xn2 - ac - ag, 0)
    xr = xn2 - ac
    primal = 0.5 * r2 + alpha * np.abs(A).sum(axis=1)
    big = Gr.max(axis=1) if positive else np.abs(Gr).max(axis=1)
    s = np.minimum(1.0, alpha / np.maximum(big, _TINY))
    dual = s * xr - 0.5 * s * s * r2  # 1/2||x||^2 - 1/2||x - s r||^2
    return primal, np.maximum(primal - dual, 0)


def duality_gap(X, codes, dictionary, alpha: float, positive: bool = False):
    """Primal objective and duality gap of each sample, two arrays of shape (n_samples,)."""
    X = np.asarray(X)
    C = X @ dictionary.T
    Gr = C - codes @ (dictionary @ dictionary.T)
    return _gap_from_gradient(np.einsum("ij,ij->i", X, X), C, codes, Gr, alpha, positive)


def _lipschitz(G) -> float:
    return float(np.linalg.eigvalsh(G.astype(np.float64))[-1])


def _prepare(X, dictionary, init):
    X = np.asarray(X)
    D = np.asarray(dictionary, dtype=X.dtype)
    if X.ndim != 2 or D.ndim != 2 or X.shape[1] != D.shape[1]:
        raise ValueError(f"X of shape {X.shape} and dictionary of shape {D.shape} do not match: "
                         "expected (n_samples, n_features) and (n_components, n_features).")
    A = (np.zeros((X.shape[0], D.shape[0]), dtype=X.dtype) if init is None
         else np.array(init, dtype=X.dtype, copy=True, order="C"))
    return X, D, A


def _proximal_gradient(X, D, alpha, *, positive, max_iter, tol, init, momentum, restart,
                       thresholds=None, check_every=10):
    """ISTA/FISTA on the rows still unconverged, with optional per-row adaptive restart."""
    X, D, A = _prepare(X, D, init)
    G = D @ D.T
    L = _lipschitz(G)
    C = X @ D.T
    xn2 = np.einsum("ij,ij->i", X, X)
    rows = np.arange(X.shape[0])
    # homotopy warm-up: one ISTA step per threshold, larger than alpha (ICLR 2020 ISTC)
    for lam in thresholds if thresholds is not None else ():
        A = soft_threshold(A - (A @ G - C) / L, lam[:, None] / L, positive).astype(X.dtype)
    Y = A.copy()
    t = np.ones(X.shape[0])
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        Ya, Aa = Y[rows], A[rows]
        A_new = soft_threshold(Ya - (Ya @ G - C[rows]) / L, alpha / L, positive)
        if momentum:
            tr = t[rows]
            if restart:  # O'Donoghue & Candes: momentum pointing uphill is reset
                bad = np.einsum("ij,ij->i", Ya - A_new, A_new - Aa) > 0
                tr = np.where(bad, 1.0, tr)
            t_new = 0.5 * (1 + np.sqrt(1 + 4 * tr * tr))
            Y[rows] = A_new + ((tr - 1) / t_new)[:, None] * (A_new - Aa)
            t[rows] = t_new
        else:
            Y[rows] = A_new
        A[rows] = A_new
        if n_iter % check_every == 0 or n_iter == max_iter:
            Ar = A[rows]
            primal, gap = _gap_from_gradient(xn2[rows], C[rows], Ar, C[rows] - Ar @ G, alpha,
                                             positive)
            rows = rows[gap > tol * 0.5 * xn2[rows]]
            if rows.size == 0:
                break
    return A, n_iter


def ista(X, dictionary, alpha: float, *, positive: bool = False, max_iter: int = 1000,
         tol: float = 1e-6, init=None):
    """Iterative soft-thresholding with step 1/||D||_2^2.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_components)
    n_iter : int
        Iterations run (for the slowest sample).
    """
    return _proximal_gradient(X, dictionary, alpha, positive=positive, max_iter=max_iter, tol=tol,
                              init=init, momentum=False, restart=False)


def fista(X, dictionary, alpha: float, *, positive: bool = False, max_iter: int = 1000,
          tol: float = 1e-6, init=None, restart: bool = True):
    """FISTA (Beck & Teboulle 2009), batched over samples; converged samples leave the batch.

    ``restart=True`` resets the momentum of a sample when it points uphill (adaptive restart),
    which keeps the linear rate that plain FISTA loses on strongly convex pieces.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> D = rng.standard_normal((12, 6)); D /= np.linalg.norm(D, axis=1, keepdims=True)
    >>> X = rng.standard_normal((3, 6))
    >>> codes, _ = fista(X, D, 0.1, tol=1e-8)
    >>> codes.shape
    (3, 12)
    """
    return _proximal_gradient(X, dictionary, alpha, positive=positive, max_iter=max_iter, tol=tol,
                              init=init, momentum=True, restart=restart)


def homotopy_thresholds(X, dictionary, alpha: float, n_steps: int, positive: bool = False):
    """Geometric thresholds from lambda_0 = max|D x| (where the code is 0) down to alpha.

    Returns an array of shape (n_steps, n_samples): row i is lambda_0 (alpha/lambda_0)^(i/n_steps).
    """
    C = np.asarray(X) @ np.asarray(dictionary).T
    lam0 = C.max(axis=1) if positive else np.abs(C).max(axis=1)
    lam0 = np.maximum(lam0, alpha)
    ratio = (alpha / lam0)[None, :] ** (np.arange(n_steps)[:, None] / n_steps)
    return lam0[None, :] * ratio


def homotopy(X, dictionary, alpha: float, *, positive: bool = False, n_steps: int = 12,
             max_iter: int = 1000, tol: float = 1e-6, init=None):
    """Homotopy ISTC then FISTA: one ISTA step at each of ``n_steps`` geometrically
    decreasing thresholds (from max|D x| to alpha, as in Zarka et al. ICLR 2020), then FISTA
    at alpha until the duality gap reaches ``tol``. Early codes stay sparse, so it needs
    fewer iterations than FISTA from zero on sparse problems."""
    lams = homotopy_thresholds(X, dictionary, alpha, n_steps, positive) if n_steps else None
    return _proximal_gradient(X, dictionary, alpha, positive=positive, max_iter=max_iter, tol=tol,
                              init=init, momentum=True, restart=True, thresholds=lams)


# --- exact coordinate descent, numba, parallel over samples --------------------------------------

@njit(cache=True, fastmath=False)
def _st(u, lam, positive):
    if positive:
        return u - lam if u > lam else 0.0
    if u > lam:
        return u - lam
    if u < -lam:
        return u + lam
    return 0.0


@njit(cache=True)
def _cholesky_solve(M, z, m):
    """Solve M z_new = z in place by Cholesky (lower triangle of M used and overwritten);
    False when M is not numerically positive definite (duplicate atoms)."""
    for j in range(m):
        d = M[j, j]
        for p in range(j):
            d -= M[j, p] * M[j, p]
        if d <= 1e-10:
            return False
        d = math.sqrt(d)
        M[j, j] = d
        for i in range(j + 1, m):
            v = M[i, j]
            for p in range(j):
                v -= M[i, p] * M[j, p]
            M[i, j] = v / d
    for i in range(m):
        v = z[i]
        for p in range(i):
            v -= M[i, p] * z[p]
        z[i] = v / M[i, i]
    for i in range(m - 1, -1, -1):
        v = z[i]
        for p in range(i + 1, m):
            v -= M[p, i] * z[p]
        z[i] = v / M[i, i]
    return True


@njit(cache=True)
def _newton_polish(a, g, c, G, alpha, positive, work, nw):
    """Jump to the minimiser of the smooth piece with the current support and signs,
    G_SS a_S = c_S - alpha sign(a_S), or as far towards it as the signs allow (one homotopy-like
    step that sets a coordinate to zero). Coordinate descent crawls on coherent atoms; this
    step ends it exactly once the support is right. Kept only if the objective decreases."""
    # counters start as int64: a call typed while one is still the literal 0 would compile
    # its callee a second time, for that literal (numba: Literal[int](0)), ~40 % of this compile
    m = np.int64(0)
    for p in range(nw):
        if a[work[p]] != 0.0:
            m += 1
    if m == 0:
        return
    S = np.empty(m, dtype=np.int64)
    m = np.int64(0)
    for p in range(nw):
        if a[work[p]] != 0.0:
            S[m] = work[p]
            m += 1
    M = np.empty((m, m))
    z = np.empty(m)
    for p in range(m):
        sp = 1.0 if a[S[p]] > 0 else -1.0
        z[p] = c[S[p]] - alpha * sp
        for q in range(p + 1):
            M[p, q] = G[S[p], S[q]]
    if not _cholesky_solve(M, z, m):
        return
    t = 1.0
    for p in range(m):
        old = a[S[p]]
        if (z[p] > 0) != (old > 0) or z[p] == 0.0:
            t = min(t, old / (old - z[p]))
    delta = np.empty(m)
    for p in range(m):
        delta[p] = t * (z[p] - a[S[p]])
    # objective change: -g.delta + 1/2 delta G delta + alpha (|a + delta|_1 - |a|_1)
    change = 0.0
    for p in range(m):
        j = S[p]
        change -= g[j] * delta[p]
        quad = 0.0
        for q in range(m):
            quad += G[j, S[q]] * delta[q]
        change += 0.5 * delta[p] * quad
        change += alpha * (abs(a[j] + delta[p]) - abs(a[j]))
    if not change < 0.0:
        return
    for p in range(m):
        j = S[p]
        new = a[j] + delta[p]
        if t < 1.0 and ((new > 0) != (a[j] > 0) or abs(new) <= 1e-15 * abs(a[j])):
            new = 0.0  # the coordinate that reached zero leaves the support
        if positive and new < 0.0:
            new = 0.0
        a[j] = new


@njit(cache=True)
def _cd_one(c, xn2, G, alpha, positive, max_iter, tol, a):
    """Working-set coordinate descent for one sample; ``a`` is the warm start, updated in place.

    The full gradient g = D r = c - G a is computed only between working-set solves (k x |active|
    work; the working set grows from the worst violators); inside, sweeps touch the working set's Gram block only, so a sweep costs |W|^2, not k^2.
    A few sweeps find the support and signs, then :func:`_newton_polish` solves on it exactly.
    Stops when the duality gap is <= tol * ||x||^2 / 2. Returns the number of sweeps run."""
    k = c.shape[0]
    g = np.empty(k)
    work = np.empty(k, dtype=np.int64)
    cand = np.empty(k, dtype=np.int64)
    score = np.empty(k)
    sweeps = 0
    for outer in range(max_iter):
        # full gradient from the current (sparse) code
        for i in range(k):
            g[i] = c[i]
        l1 = 0.0
        for j in range(k):
            aj = a[j]
            if aj != 0.0:
                l1 += abs(aj)
                for i in range(k):
                    g[i] -= G[j, i] * aj  # G is symmetric: read its rows, contiguous
        # duality gap, O(k)
        ac = 0.0
        ag = 0.0
        big = 0.0
        for i in range(k):
            ac += a[i] * c[i]
            ag += a[i] * g[i]
            v = g[i] if positive else abs(g[i])
            if v > big:
                big = v
        r2 = max(xn2 - ac - ag, 0.0)
        xr = xn2 - ac
        primal = 0.5 * r2 + alpha * l1
        s = 1.0 if big <= alpha else alpha / big
        gap = primal - (s * xr - 0.5 * s * s * r2)
        if gap <= tol * 0.5 * xn2 or sweeps >= max_iter:
            break
        # working set: the active atoms and the worst violators of the optimality conditions,
        # at most as many as max(8, 2 * active) in all (a full set from a = 0 would hold most
        # atoms, and sweeps on it cost |W|^2 each)
        nw = np.int64(0)  # not the literal 0: see _newton_polish
        nv = 0
        for j in range(k):
            if a[j] != 0.0:
                work[nw] = j
                nw += 1
            else:
                v = g[j] if positive else abs(g[j])
                if v > alpha:
                    score[nv] = -v
                    cand[nv] = j
                    nv += 1
        room = max(8, 2 * nw) - nw
        if nv > room:
            # the ``room`` worst violators, worst first, by partial selection: numba's argsort
            # compiles its quicksort for seconds, to order far more candidates than are kept
            for p in range(room):
                best = p
                for q in range(p + 1, nv):
                    if score[q] < score[best]:
                        best = q
                score[p], score[best] = score[best], score[p]
                cand[p], cand[best] = cand[best], cand[p]
                work[nw] = cand[p]
                nw += 1
        else:
            for p in range(nv):
                work[nw] = cand[p]
                nw += 1
        # a few coordinate sweeps on the working set, keeping g exact on it
        # until the support stops changing, then the exact solve on it
        for sweep in range(8):
            sweeps += 1
            support_changed = False
            for p in range(nw):
                j = work[p]
                gjj = G[j, j]
                old = a[j]
                new = _st(old + g[j] / gjj, alpha / gjj, positive)
                if new != old:
                    if (new == 0.0) != (old == 0.0) or (new > 0) != (old > 0):
                        support_changed = True
                    delta = new - old
                    a[j] = new
                    for q in range(nw):
                        i = work[q]
                        g[i] -= G[j, i] * delta
            if not support_changed:
                break
        _newton_polish(a, g, c, G, alpha, positive, work, nw)
    return sweeps


#: values (rows x atoms) per block of float32 data converted to float64 for the cd kernel
_CD_BLOCK_VALUES = 2**18


@part_kernel(cache=True)
def _cd_batch(C, xn2, G, alpha, positive, max_iter, tol, A, sweeps, part, n_parts):
    # float64 arrays in, whatever the data's dtype: one build serves float32 and float64 data,
    # and no per-row copy (astype) is compiled
    lo, hi = part_range(C.shape[0], part, n_parts)
    for i in range(lo, hi):
        sweeps[i] = _cd_one(C[i], xn2[i], G, alpha, positive, max_iter, tol, A[i])


def coordinate_descent(X, dictionary, alpha: float, *, positive: bool = False,
                       max_iter: int = 1000, tol: float = 1e-6, init=None):
    """Exact lasso by working-set coordinate descent (numba, parallel over samples).

    The correlations X D^T are one matrix product; each sample then runs coordinate descent on
    its working set (active atoms and optimality violators) with the precomputed Gram matrix,
    in float64, until its duality gap is <= tol * ||x||^2 / 2. Fast when codes are sparse.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_components), in X's dtype
    n_iter : int
        Largest number of coordinate sweeps of any sample.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> D = rng.standard_normal((12, 6)); D /= np.linalg.norm(D, axis=1, keepdims=True)
    >>> X = rng.standard_normal((3, 6))
    >>> codes, _ = coordinate_descent(X, D, 0.1)
    >>> bool(np.allclose(codes, fista(X, D, 0.1, tol=1e-12, max_iter=20000)[0], atol=1e-5))
    True
    """
    X, D, A = _prepare(X, dictionary, init)
    D64 = D.astype(np.float64)
    C = np.ascontiguousarray(X @ D.T)  # in the data's dtype; solved in float64
    G = np.ascontiguousarray(D64 @ D64.T)
    xn2 = np.einsum("ij,ij->i", X, X).astype(np.float64)
    sweeps = np.zeros(C.shape[0], dtype=np.int64)
    args = (G, float(alpha), bool(positive), int(max_iter), float(tol))
    if C.dtype == np.float64:
        _cd_batch(C, xn2, *args, A, sweeps)
    else:
        # the kernel takes float64 (one build for every dtype): converted a block of rows at a
        # time, so that float32 data costs a block's copies on top of its own arrays, not a
        # float64 copy of them all
        step = max(1, _CD_BLOCK_VALUES // max(1, C.shape[1]))
        for lo in range(0, C.shape[0], step):
            rows = slice(lo, lo + step)
            codes = A[rows].astype(np.float64)
            _cd_batch(C[rows].astype(np.float64), xn2[rows], *args, codes, sweeps[rows])
            A[rows] = codes
    n_iter = int(sweeps.max()) if len(sweeps) else 0
    return A, int(n_iter)


SOLVERS = {"cd": coordinate_descent, "fista": fista, "ista": ista, "homotopy": homotopy}


def sparse_encode(X, dictionary, alpha: float, *, algorithm: str = "cd", positive: bool = False,
                  max_iter: int = 1000, tol: float = 1e-6, init=None) -> np.ndarray:
    """Codes of X in ``dictionary`` with one of the exact solvers ("cd", "fista", "ista", "homotopy").

    Examples
    --------
    >>> import numpy as np
    >>> D = np.eye(3)
    >>> codes = sparse_encode(np.array([[2.0, -0.05, 0.5]]), D, 0.1)
    >>> (codes + 0.0).round(6).tolist()  # + 0.0 turns a -0.0 into 0.0
    [[1.9, 0.0, 0.4]]
    """
    if algorithm not in SOLVERS:
        raise ValueError(f"algorithm must be one of {sorted(SOLVERS)}; got {algorithm!r}.")
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0; got {alpha!r}.")
    return SOLVERS[algorithm](X, dictionary, alpha, positive=positive, max_iter=max_iter, tol=tol,
                              init=init)[0]
