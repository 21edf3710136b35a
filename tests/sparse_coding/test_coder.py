"""Sparse coding: solvers as math (optimality, agreement with scikit-learn), LISTA backprop, the
online dictionary learning, and SparseDictionaryCoder's scikit-learn contract."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.decomposition import SparseCoder
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from tests.conftest import sparse_problem
from skphase.sparse_coding import (SparseDictionaryCoder, coordinate_descent, duality_gap, fista,
                                   homotopy, ista, lasso_objective, soft_threshold, sparse_encode)
from skphase.sparse_coding._dictionary import init_dictionary, learn_dictionary, new_state



def test_soft_threshold_is_the_prox_of_l1():
    rng = np.random.default_rng(0)
    u = rng.standard_normal(50)
    grid = np.linspace(-4, 4, 80001)
    for positive in (False, True):
        got = soft_threshold(u, 0.3, positive)
        feasible = grid[grid >= 0] if positive else grid
        # brute-force argmin of 1/2 (z - u)^2 + 0.3 |z|
        ref = [feasible[np.argmin(0.5 * (feasible - ui) ** 2 + 0.3 * np.abs(feasible))] for ui in u]
        np.testing.assert_allclose(got, ref, atol=2e-4)


@pytest.mark.parametrize("positive", [False, True])
def test_cd_matches_sklearn_lasso_cd_objective(positive):
    X, D = sparse_problem()
    alpha = 0.1
    ref = SparseCoder(D, transform_algorithm="lasso_cd", transform_alpha=alpha,
                      positive_code=positive).transform(X)
    codes, _ = coordinate_descent(X, D, alpha, positive=positive, tol=1e-10)
    obj, obj_ref = lasso_objective(X, codes, D, alpha), lasso_objective(X, ref, D, alpha)
    assert abs(obj.mean() - obj_ref.mean()) <= 1e-5 * obj_ref.mean()
    np.testing.assert_allclose(codes, ref, atol=1e-4)
    if positive:
        assert codes.min() >= 0


@pytest.mark.parametrize("solver", [coordinate_descent, fista, ista, homotopy])
@pytest.mark.parametrize("positive", [False, True])
def test_solvers_certify_their_gap(solver, positive):
    X, D = sparse_problem(n=25)
    codes, _ = solver(X, D, 0.1, positive=positive, tol=1e-8, max_iter=20000)
    primal, gap = duality_gap(X, codes, D, 0.1, positive)
    assert np.all(gap <= 1e-8 * 0.5 * (X * X).sum(1) * 1.0001)
    # the optimality conditions hold: |D r| <= alpha everywhere, = alpha sign(a) on the support
    g = (X - codes @ D) @ D.T
    on = codes != 0
    np.testing.assert_allclose(g[on], 0.1 * np.sign(codes[on]), atol=1e-3)
    assert (g if positive else np.abs(g)).max() <= 0.1 + 1e-3


def test_solvers_agree_and_keep_float32():
    X, D = sparse_problem()
    ref, _ = coordinate_descent(X, D, 0.1, tol=1e-12)
    for solver in (fista, homotopy):
        codes, _ = solver(X.astype(np.float32), D, 0.1, tol=1e-7, max_iter=5000)
        assert codes.dtype == np.float32
        np.testing.assert_allclose(codes, ref, atol=2e-3)
    # cd solves in float64 whatever the data's dtype, warm start included, and returns the data's
    codes, _ = coordinate_descent(X.astype(np.float32), D, 0.1, tol=1e-12)
    assert codes.dtype == np.float32
    np.testing.assert_allclose(codes, ref, atol=1e-5)
    warm, _ = coordinate_descent(X.astype(np.float32), D, 0.1, tol=1e-12, init=0.5 * ref)
    assert warm.dtype == np.float32
    np.testing.assert_allclose(warm, ref, atol=1e-5)


def test_cd_converts_float32_data_in_blocks_with_the_same_codes(monkeypatch):
    from skphase.sparse_coding import _solvers

    X, D = sparse_problem()
    X32, D32 = X.astype(np.float32), D.astype(np.float32)
    whole, n_whole = coordinate_descent(X32, D32, 0.1)
    monkeypatch.setattr(_solvers, "_CD_BLOCK_VALUES", 3 * D.shape[0])  # blocks of 3 rows
    blocks, n_blocks = coordinate_descent(X32, D32, 0.1, init=np.asfortranarray(np.zeros_like(whole)))
    np.testing.assert_array_equal(blocks, whole)
    assert n_blocks == n_whole and blocks.dtype == np.float32 and X.shape[0] > 3


def test_sparse_encode_rejects_bad_arguments():
    X, D = sparse_problem(n=3)
    with pytest.raises(ValueError, match="alpha"):
        sparse_encode(X, D, 0.0)
    with pytest.raises(ValueError, match="algorithm"):
        sparse_encode(X, D, 0.1, algorithm="lars")
    with pytest.raises(ValueError, match="do not match"):
        sparse_encode(X[:, :5], D, 0.1)


def test_online_dictionary_learning_lowers_the_objective():
    X, D_true = sparse_problem(n=400, seed=3)
    rng = np.random.default_rng(0)
    D = init_dictionary(X, 24, rng)
    state = new_state(24, X.shape[1])
    learn_dictionary(X, D, state, 0.1, n_epochs=4, batch_size=50, rng=rng)
    np.testing.assert_allclose(np.linalg.norm(D, axis=1), 1)
    per_epoch = np.array(state.objectives).reshape(4, -1).mean(axis=1)
    assert per_epoch[-1] < per_epoch[0]


# --- the estimator ----------------------------------------------------------------------------

@parametrize_with_checks([SparseDictionaryCoder(n_components=5, random_state=0),
                          SparseDictionaryCoder(n_components=4, transform_algorithm="lista",
                                                n_layers=3, n_epochs=1, random_state=0)])
def test_sklearn_contract(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(estimator)


def test_coder_transform_inverse_and_names():
    X, _ = sparse_problem(n=120)
    coder = SparseDictionaryCoder(n_components=16, alpha=0.05, random_state=0).fit(X)
    codes = coder.transform(X)
    ref, _ = coordinate_descent(X, coder.components_, 0.05)
    np.testing.assert_allclose(codes, ref)
    np.testing.assert_allclose(coder.inverse_transform(codes), codes @ coder.components_)
    assert list(coder.get_feature_names_out()[:2]) == ["sparsedictionarycoder0",
                                                      "sparsedictionarycoder1"]
    assert coder.transform(X.astype(np.float32)).dtype == np.float32
    clone = pickle.loads(pickle.dumps(coder))
    np.testing.assert_array_equal(clone.transform(X), codes)


def test_coder_partial_fit_streams_and_lista_approaches_the_optimum():
    X, _ = sparse_problem(n=300, seed=4)
    coder = SparseDictionaryCoder(n_components=16, alpha=0.1, transform_algorithm="lista",
                                  n_layers=8, batch_size=50, random_state=0)
    for chunk in np.array_split(X, 3):
        coder.partial_fit(chunk)
    assert coder.n_iter_ == 6
    exact, _ = coordinate_descent(X, coder.components_, 0.1)
    opt = lasso_objective(X, exact, coder.components_, 0.1).mean()
    got = lasso_objective(X, coder.transform(X), coder.components_, 0.1).mean()
    assert opt <= got < 1.5 * opt


def test_coder_in_pipeline_and_grid_search():
    X, _ = sparse_problem(n=60)
    pipe = make_pipeline(StandardScaler(), SparseDictionaryCoder(n_components=8, random_state=0))
    search = GridSearchCV(pipe, {"sparsedictionarycoder__alpha": [0.1, 1.0]}, cv=2,
                          scoring=lambda est, X, y=None: -np.abs(est.transform(X)).sum())
    search.fit(X)
    assert search.best_params_["sparsedictionarycoder__alpha"] == 1.0


@pytest.mark.parametrize("params, match", [({"alpha": 0.0}, "alpha"), ({"alpha": -1.0}, "alpha"),
                                           ({"n_components": 0}, "n_components"),
                                           ({"n_components": True}, "n_components"),
                                           ({"n_jobs": 0}, "n_jobs")])
def test_coder_rejects_bad_parameters(params, match):
    X, _ = sparse_problem(n=10)
    with pytest.raises((ValueError, TypeError), match=match):
        SparseDictionaryCoder(**params).fit(X)


def test_coder_rejects_bad_input():
    X, _ = sparse_problem(n=20)
    coder = SparseDictionaryCoder(n_components=4, random_state=0).fit(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        coder.transform(bad)
    with pytest.raises(ValueError, match="features"):
        coder.transform(X[:, :5])
    with pytest.raises(ValueError, match="atoms"):
        coder.inverse_transform(np.zeros((2, 5)))
