"""The tied LISTA network of ``SparseDictionaryCoder(transform_algorithm="lista")``: its
backpropagation against finite differences, the fast sparse transform against the dense forward
pass, and training on the lasso objective."""

import numpy as np
import pytest

from tests.conftest import sparse_problem
from skphase.sparse_coding import coordinate_descent, lasso_objective
from skphase.sparse_coding._lista_tied import (PARAM_NAMES, lasso_loss_grad, lista_tied_backward,
                                               lista_tied_forward, lista_tied_init,
                                               lista_tied_transform, train_lista_tied)



def _perturbed_params(D, X, n_layers, seed):
    """Away from the initial values (beta_0 = beta_1 = 0 there) so every parameter matters."""
    rng = np.random.default_rng(seed)
    params = lista_tied_init(D, 0.1, n_layers, X)
    return {k: v * (1 + 0.2 * rng.random(v.shape)) + 0.01 * rng.random(v.shape)
            for k, v in params.items()}


@pytest.mark.parametrize("positive", [False, True])
def test_tied_lista_backprop_matches_finite_differences(positive):
    X, D = sparse_problem(n=6, d=5, k=7)
    params = _perturbed_params(D, X, 4, seed=1)

    def loss(p):
        return lasso_loss_grad(X, lista_tied_forward(X, D, p, positive), D, 0.1)[0]

    A, saved = lista_tied_forward(X, D, params, positive, cache=True)
    grads = lista_tied_backward(lasso_loss_grad(X, A, D, 0.1)[1], saved, D, params, positive)
    rng = np.random.default_rng(2)
    eps = 1e-6
    for name in PARAM_NAMES:
        assert np.abs(grads[name]).sum() > 0, name
        for _ in range(5):
            idx = tuple(int(rng.integers(0, n)) for n in params[name].shape)
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][idx] += eps
            down[name][idx] -= eps
            fd = (loss(up) - loss(down)) / (2 * eps)
            assert fd == pytest.approx(grads[name][idx], rel=1e-4, abs=1e-8), (name, idx)


@pytest.mark.parametrize("positive", [False, True])
def test_fast_transform_equals_the_dense_network(positive):
    X, D = sparse_problem(n=300, d=12, k=24, seed=3)
    params = _perturbed_params(D, X, 7, seed=4)
    dense = lista_tied_forward(X, D, params, positive)
    assert 0 < np.mean(dense != 0) < 0.9  # sparse but not empty: the active sets are exercised
    np.testing.assert_allclose(lista_tied_transform(X, D, params, positive), dense, atol=1e-12)
    fast32 = lista_tied_transform(X.astype(np.float32), D, params, positive)
    assert fast32.dtype == np.float32
    np.testing.assert_allclose(fast32, dense, atol=1e-4)
    if positive:
        assert dense.min() >= 0


def test_training_on_the_objective_beats_fista_layers_and_stays_above_the_optimum():
    X, D = sparse_problem(n=400, seed=5)
    opt = lasso_objective(X, coordinate_descent(X, D, 0.1)[0], D, 0.1).mean()
    init = lista_tied_init(D, 0.1, 5, X)  # 5 FISTA steps with homotopy thresholds
    start = lasso_objective(X, lista_tied_forward(X, D, init), D, 0.1).mean()
    params, losses = train_lista_tied(X, D, 0.1, n_layers=5, n_epochs=30, batch_size=50,
                                      learning_rate=2e-2, dtype=np.float64, random_state=0)
    got = lasso_objective(X, lista_tied_transform(X, D, params), D, 0.1).mean()
    assert min(losses) < losses[0]
    assert opt <= got < start
    # most of the way from 5 FISTA steps to the optimum
    assert got - opt < 0.25 * (start - opt)


@pytest.mark.parametrize("n_samples, batch_size, n_epochs, expected", [
    (300, 256, 1, 600),  # 2 batches an epoch: 1,200 steps need 600 epochs
    (5000, 256, 1, 60),  # 20 batches: 60 epochs, not the 10 that left the code 3.6 % off
    (40000, 256, 1, 10),  # 157 batches: 10 epochs already give 1,570 steps
    (40000, 256, 3, 30),
])
def test_lista_training_is_counted_in_steps_not_only_epochs(monkeypatch, n_samples, batch_size,
                                                           n_epochs, expected):
    from skphase.sparse_coding import SparseDictionaryCoder
    from skphase.sparse_coding import _coder

    seen = {}

    def record(X, D, alpha, **kw):
        seen["n_epochs"] = kw["n_epochs"]
        raise KeyboardInterrupt  # nothing to train: the length asked for is what is tested

    monkeypatch.setattr(_coder, "train_lista_tied", record)
    coder = SparseDictionaryCoder(n_components=4, transform_algorithm="lista", n_epochs=n_epochs,
                                  batch_size=batch_size)
    X = np.random.default_rng(0).standard_normal((n_samples, 3))
    monkeypatch.setattr(coder, "_learn", lambda *a: None)
    with pytest.raises(KeyboardInterrupt):
        coder.fit(X)
    assert seen["n_epochs"] == expected


def test_training_keeps_momentum_in_fista_range_and_steps_nonnegative():
    # a large learning rate drives the parameters far; the projection keeps beta in [0, 1]
    X, D = sparse_problem(n=200, seed=3)
    params, _ = train_lista_tied(X, D, 0.1, n_layers=6, n_epochs=40, batch_size=20,
                                 learning_rate=0.5, dtype=np.float64, random_state=0)
    assert params["beta"].min() >= 0 and params["beta"].max() <= 1
    assert params["gamma"].min() >= 0 and params["theta"].min() >= 0


def test_a_code_worse_than_no_code_is_replaced_by_the_exact_one():
    from skphase.sparse_coding import SparseDictionaryCoder

    X, D = sparse_problem(n=300, seed=4)
    coder = SparseDictionaryCoder(n_components=D.shape[0], alpha=0.1, transform_algorithm="lista",
                                  n_layers=6, random_state=0).fit(X)
    zero = 0.5 * np.einsum("ij,ij->i", X, X)  # the objective of the zero code
    good = coder.transform(X)
    network = lista_tied_transform(X, coder.components_, coder._lista_params())
    kept = lasso_objective(X, network, coder.components_, 0.1) <= zero
    assert kept.mean() > 0.95  # a sane network's codes are kept as they are
    np.testing.assert_array_equal(good[kept], network[kept])
    # an unstable network (steps far too long, momentum 1): its codes blow up on some rows
    coder.lista_steps_ = coder.lista_steps_ * 40
    coder.lista_momentum_ = np.ones_like(coder.lista_momentum_)
    raw = lista_tied_transform(X, coder.components_, coder._lista_params())
    wrong = lasso_objective(X, raw, coder.components_, 0.1) > zero
    assert wrong.sum() > 0.2 * len(X) and lasso_objective(X, raw, coder.components_, 0.1).max() > 1e3 * zero.max()
    codes = coder.transform(X)
    assert np.all(lasso_objective(X, codes, coder.components_, 0.1) <= zero * (1 + 1e-6) + 1e-12)
    exact = coordinate_descent(X[wrong], coder.components_, 0.1)[0]
    np.testing.assert_allclose(codes[wrong], exact, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(codes[~wrong], raw[~wrong])
