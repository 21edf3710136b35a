"""The one unrolled sparse network (skphase.sparse_coding._unrolled): its analytic backward against
finite differences for every option, numpy against its torch twin, and every caller's network
(tied LISTA and its fast transform, the ISTC classifier network and its torch twin, the progressive
decoder's convolutional LISTA) against the generic recurrence."""

import itertools

import numpy as np
import pytest

from tests.conftest import sparse_problem
from skphase.sparse_coding import coordinate_descent, soft_threshold
from skphase.sparse_coding._unrolled import unrolled_backward, unrolled_forward

OPTIONS = list(itertools.product([False, True], ["D^T", "tied", "untied"], [False, True],
                                 ["atom", "scalar"]))
OPTION_IDS = [f"{'positive' if p else 'signed'}-{w}-{'momentum' if m else 'plain'}-{g}"
              for p, w, m, g in OPTIONS]


def _network(W_kind, momentum, steps, seed=0, n=6, d=5, k=7, K=4):
    """A small problem and generic parameters away from any special value (every term matters)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    D = rng.standard_normal((k, d))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    L = float(np.linalg.eigvalsh(D @ D.T)[-1])
    if W_kind == "D^T":  # W = None: the analysis is tied to the dictionary
        W = None
    elif W_kind == "untied":
        W = [D.T + 0.2 * rng.standard_normal((d, k)) for _ in range(K)]
    else:
        W = D.T + 0.2 * rng.standard_normal((d, k))
    if steps == "atom":
        gamma = (1 + 0.3 * rng.random((K, k))) / L
        theta = 0.05 * (1 + rng.random((K, k)))
    else:  # one scalar per layer, as ISTC's eta (python floats and numpy scalars)
        gamma = [float(v) for v in (1 + 0.3 * rng.random(K)) / L]
        theta = list(0.05 * (1 + rng.random(K)))
    beta = 0.2 + 0.6 * rng.random((K, k)) if momentum else None
    return X, D, {"W": W, "gamma": gamma, "theta": theta, "beta": beta}


def _reference(X, D, W, gamma, theta, beta, positive):
    """The recurrence as written in the module's docstring, one sample at a time."""
    out = []
    for x in X:
        a = a_prev = np.zeros(D.shape[0])
        for k in range(len(theta)):
            Wk = D.T if W is None else W[k] if isinstance(W, list) else W
            y = a + beta[k] * (a - a_prev) if beta is not None else a
            a_prev, a = a, soft_threshold(y + gamma[k] * ((x - y @ D) @ Wk), theta[k], positive)
        out.append(a)
    return np.array(out)


def _loss(A, weights):
    """A smooth scalar of the codes (its gradient weights + A)."""
    return float((weights * A).sum() + 0.5 * (A * A).sum())


@pytest.mark.parametrize("positive, W_kind, momentum, steps", OPTIONS, ids=OPTION_IDS)
def test_forward_is_the_written_out_recurrence(positive, W_kind, momentum, steps):
    X, D, p = _network(W_kind, momentum, steps)
    A = unrolled_forward(X, D, p["W"], p["gamma"], p["theta"], p["beta"], positive=positive)
    np.testing.assert_allclose(A, _reference(X, D, p["W"], p["gamma"], p["theta"], p["beta"],
                                             positive), rtol=1e-13, atol=1e-14)
    assert 0 < np.mean(A != 0) < 1  # some atoms thresholded away, some kept
    if positive:
        assert A.min() >= 0


@pytest.mark.parametrize("positive, W_kind, momentum, steps", OPTIONS, ids=OPTION_IDS)
def test_backward_matches_central_finite_differences(positive, W_kind, momentum, steps):
    X, D, p = _network(W_kind, momentum, steps, seed=1)
    weights = np.random.default_rng(2).standard_normal((X.shape[0], D.shape[0]))
    inputs = {"X": X, "D": D, **p}
    # with W = D^T (None) the gradient in D holds the analysis part too
    names = ["X", "D", "gamma", "theta"] + (["beta"] if momentum else []) + \
        ([] if W_kind == "D^T" else ["W"])

    def as_arrays(q):  # float arrays that can be perturbed in place (untied W: one per layer)
        return {k: ([np.array(v, dtype=float) for v in q[k]] if k == "W" and W_kind == "untied"
                    else np.array(q[k], dtype=float)) for k in names}

    def loss(q):
        A = unrolled_forward(q["X"], q["D"], q.get("W"), q["gamma"], q["theta"], q.get("beta"),
                             positive=positive)
        return _loss(A, weights)

    A, saved = unrolled_forward(X, D, p["W"], p["gamma"], p["theta"], p["beta"],
                                positive=positive, cache=True)
    grads = unrolled_backward(weights + A, saved, D, p["W"], p["gamma"], p["theta"], p["beta"],
                              positive=positive, wrt=names)
    assert set(grads) == set(names)
    base = as_arrays(inputs)
    eps = 1e-6
    for name in names:
        values = base[name] if isinstance(base[name], list) else [base[name]]
        g_all = grads[name] if isinstance(base[name], list) else [grads[name]]
        assert sum(np.abs(g).sum() for g in g_all) > 0, name
        for v, g in zip(values, g_all):
            g = np.asarray(g)
            assert g.shape == np.shape(v), name
            for idx in np.ndindex(*np.shape(v)):
                if name == "beta" and idx[0] == 0:  # beta_0 multiplies a_0 - a_{-1} = 0
                    assert g[idx] == 0
                    continue
                old = v[idx]
                v[idx] = old + eps
                up = loss(base)
                v[idx] = old - eps
                down = loss(base)
                v[idx] = old
                assert (up - down) / (2 * eps) == pytest.approx(g[idx], rel=1e-5, abs=1e-8), \
                    (name, idx)


def test_backward_computes_only_what_is_asked():
    X, D, p = _network("tied", True, "atom")
    A, saved = unrolled_forward(X, D, p["W"], p["gamma"], p["theta"], p["beta"], cache=True)
    full = unrolled_backward(A, saved, D, p["W"], p["gamma"], p["theta"], p["beta"])
    part = unrolled_backward(A, saved, D, p["W"], p["gamma"], p["theta"], p["beta"],
                             wrt=("W", "beta"))
    assert set(part) == {"W", "beta"}
    for name in part:
        np.testing.assert_array_equal(part[name], full[name])


def test_fista_layers_converge_to_the_lasso_solution():
    # W = D^T, gamma = 1/L, theta = alpha/L and Nesterov's momenta: the network is FISTA
    X, D = sparse_problem(n=20, d=8, k=12, seed=6)
    L = float(np.linalg.eigvalsh(D @ D.T)[-1])
    K = 3000
    t = np.ones(K + 1)
    for k in range(1, K + 1):
        t[k] = (1 + np.sqrt(1 + 4 * t[k - 1] ** 2)) / 2
    beta = np.concatenate([[0.0], (t[:-2] - 1) / t[1:-1]])
    A = unrolled_forward(X, D, None, [1 / L] * K, [0.1 / L] * K, beta)
    np.testing.assert_allclose(A, coordinate_descent(X, D, 0.1, tol=1e-12)[0], atol=1e-6)


# --- the torch twin ----------------------------------------------------------------------------

@pytest.mark.parametrize("expanded", [False, True], ids=["residual", "expanded"])
@pytest.mark.parametrize("positive, W_kind, momentum, steps", OPTIONS, ids=OPTION_IDS)
def test_torch_twin_matches_numpy_forward_and_gradients(positive, W_kind, momentum, steps,
                                                        expanded):
    torch = pytest.importorskip("torch")
    from skphase.sparse_coding._unrolled import unrolled_forward_torch

    X, D, p = _network(W_kind, momentum, steps, seed=3)
    weights = np.random.default_rng(4).standard_normal((X.shape[0], D.shape[0]))
    names = ["X", "D", "gamma", "theta"] + (["beta"] if momentum else []) + \
        ([] if W_kind == "D^T" else ["W"])
    A, saved = unrolled_forward(X, D, p["W"], p["gamma"], p["theta"], p["beta"],
                                positive=positive, cache=True)
    grads = unrolled_backward(weights + A, saved, D, p["W"], p["gamma"], p["theta"], p["beta"],
                              positive=positive, wrt=names)

    def leaf(v):
        return torch.tensor(np.asarray(v, dtype=float), requires_grad=True)

    t = {"X": leaf(X), "D": leaf(D), "gamma": leaf(p["gamma"]), "theta": leaf(p["theta"])}
    t["W"] = (None if W_kind == "D^T" else [leaf(w) for w in p["W"]] if W_kind == "untied"
              else leaf(p["W"]))
    if momentum:
        t["beta"] = leaf(p["beta"])
    # matrices for the analysis, a callable for the synthesis: both kinds of maps are exercised
    # (W = D^T needs the synthesis as a matrix)
    synthesis = t["D"] if W_kind == "D^T" else (lambda a: a @ t["D"])
    At = unrolled_forward_torch(t["X"], t["W"], synthesis, t["theta"], t["gamma"],
                                t.get("beta"), positive=positive, expanded=expanded)
    np.testing.assert_allclose(At.detach().numpy(), A, rtol=1e-12, atol=1e-13)
    (torch.as_tensor(weights) * At + 0.5 * At * At).sum().backward()
    for name in names:
        got = ([w.grad.numpy() for w in t["W"]] if name == "W" and W_kind == "untied"
               else t[name].grad.numpy())
        np.testing.assert_allclose(np.asarray(got), np.asarray(grads[name]), rtol=1e-9,
                                   atol=1e-12, err_msg=name)


def test_one_soft_threshold_per_backend():
    torch = pytest.importorskip("torch")
    from skphase.sparse_coding._unrolled import soft_threshold_torch

    v = np.linspace(-2, 2, 41)
    theta = np.linspace(0.1, 1.5, 41)
    for positive in (False, True):
        np.testing.assert_array_equal(
            soft_threshold_torch(torch.as_tensor(v), torch.as_tensor(theta), positive).numpy(),
            soft_threshold(v, theta, positive))


# --- each caller's network is the generic recurrence -------------------------------------------

@pytest.mark.parametrize("positive", [False, True])
def test_tied_lista_and_its_fast_transform_are_the_generic_network(positive):
    from skphase.sparse_coding._lista_tied import (lista_tied_init, lista_tied_transform,
                                                   lista_tied_forward)

    X, D = sparse_problem(n=200, d=12, k=24, seed=7)
    rng = np.random.default_rng(8)
    params = {k: v * (1 + 0.2 * rng.random(v.shape)) + 0.01 * rng.random(v.shape)
              for k, v in lista_tied_init(D, 0.1, 6, X).items()}
    generic = unrolled_forward(X, D, params["W"], params["gamma"], params["theta"],
                               params["beta"], positive=positive)
    assert 0 < np.mean(generic != 0) < 0.9
    np.testing.assert_array_equal(lista_tied_forward(X, D, params, positive), generic)
    # the numba kernel is a second (expanded, active-set) implementation: the same codes
    np.testing.assert_allclose(lista_tied_transform(X, D, params, positive), generic, atol=1e-12)


@pytest.mark.parametrize("pooling", ["none", "mean"])
def test_istc_network_and_its_torch_twin_are_the_generic_network(pooling):
    from skphase.sparse_coding import _istc_network as net

    rng = np.random.default_rng(9)
    Z = rng.standard_normal((5, 3, 6))
    params = net.init_params(Z, 4, 7, 0.3, 3, pooling, rng)
    K = 4
    # the ISTC layers: a_{n+1} = relu(a_n + eta (u - a_n D) D^T - eta lambda_n)
    eta, lam = float(np.exp(params["e"])), np.exp(params["s"] * np.arange(1, K + 1) / K)
    Y = Z.reshape(-1, 6) @ params["L"].T
    U = Y / np.sqrt((Y * Y).sum(axis=1, keepdims=True) + net.EPS)
    codes = unrolled_forward(U, params["D"], None, [eta] * K, eta * lam,
                             positive=True).reshape(5, 3, -1)
    F = codes.reshape(5, -1) if pooling == "none" else codes.mean(axis=1)
    _, saved = net.forward(params, Z, K, pooling, cache=True)
    np.testing.assert_allclose(saved["F"], F, rtol=1e-13, atol=1e-15)
    torch = pytest.importorskip("torch")
    from skphase.sparse_coding._torch_models import ISTCNetwork

    twin = ISTCNetwork(params, K, pooling).codes(torch.as_tensor(Z)).detach().numpy()
    np.testing.assert_allclose(twin, F, rtol=1e-12, atol=1e-14)


def test_progressive_decoders_lista_is_the_generic_network_with_convolutions_as_matrices():
    torch = pytest.importorskip("torch")
    from skphase.generative._progressive import LISTA

    torch.manual_seed(0)
    n_in, n_atoms, H, W = 2, 3, 4, 5
    lista = LISTA(n_in, n_atoms, n_iter=4).double()
    with torch.no_grad():
        lista.log_lambda.uniform_(-2.5, -1.0)
    x = torch.randn(3, n_in, H, W, dtype=torch.float64)
    codes = lista(x).detach().numpy().reshape(3, -1)
    assert 0 < np.mean(codes != 0) < 1

    def matrix(conv, n_channels):  # the (reflect-padded) convolution as a matrix on flat rows
        basis = torch.eye(n_channels * H * W, dtype=torch.float64).view(-1, n_channels, H, W)
        with torch.no_grad():
            return conv(basis).reshape(n_channels * H * W, -1).numpy()

    Wm, Bm = matrix(lista.W, n_in), matrix(lista.B, n_atoms)
    theta = np.repeat(lista.log_lambda.exp().detach().numpy().reshape(4, n_atoms), H * W, axis=1)
    generic = unrolled_forward(x.numpy().reshape(3, -1), Bm, Wm, np.ones((4, n_atoms * H * W)),
                               theta, positive=True)
    np.testing.assert_allclose(codes, generic, rtol=1e-12, atol=1e-13)
