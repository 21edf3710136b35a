"""Property-based tests of the families: sparse coding, the classifier, the generator.

For random data (sizes, scales, offsets) and parameters at their bounds, each estimator
either refuses with a ValueError/TypeError, or its result satisfies what holds for every
input: the lasso optimality conditions, odd symmetry of the codes, batch independence,
probabilities that sum to one, labels that survive a renaming, and a failed refit that
leaves the fitted state untouched. Small, derandomized budgets (CI runs them).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from skphase import LISTAClassifier, SparseDictionaryCoder  # noqa: E402

FAST = settings(max_examples=10, deadline=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors])


@st.composite
def lasso_case(draw):
    n = draw(st.integers(4, 40))
    d = draw(st.integers(2, 20))
    k = draw(st.integers(1, 24))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    X = scale * np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal((n, d))
    # alpha relative to the data's scale: an absolute alpha would make every code zero
    # at 1e-3 and none at 1e3, which tests nothing
    alpha = scale * draw(st.sampled_from([0.01, 0.1, 0.5, 2.0]))
    algorithm = draw(st.sampled_from(["cd", "fista", "ista", "homotopy"]))
    positive = draw(st.booleans())
    return X, k, alpha, algorithm, positive


@FAST
@given(case=lasso_case())
def test_codes_satisfy_the_lasso_optimality_conditions(case):
    X, k, alpha, algorithm, positive = case
    coder = SparseDictionaryCoder(k, alpha=alpha, transform_algorithm=algorithm, positive=positive,
                                  tol=1e-12, max_iter=20000, random_state=0).fit(X)
    D = coder.components_
    assert np.all(np.isfinite(D)) and np.allclose(np.linalg.norm(D, axis=1), 1)
    Z = coder.transform(X)
    assert Z.shape == (X.shape[0], k) and np.all(np.isfinite(Z))
    # subgradient of 1/2 ||x - z D||^2 + alpha ||z||_1 (and z >= 0 when positive) at the codes
    G = (X - Z @ D) @ D.T
    slack = 1e-5 * alpha + 1e-9 * np.abs(X).max()
    active = Z != 0
    if positive:
        assert np.all(Z >= 0)
        assert np.all(G[~active] <= alpha + slack)
    else:
        assert np.all(np.abs(G[~active]) <= alpha + slack)
    assert np.allclose(G[active], alpha * np.sign(Z[active]), atol=slack * 1e2, rtol=0)


@FAST
@given(case=lasso_case())
def test_codes_are_odd_and_do_not_depend_on_the_batch(case):
    X, k, alpha, algorithm, _ = case
    coder = SparseDictionaryCoder(k, alpha=alpha, transform_algorithm=algorithm, tol=1e-12,
                                  max_iter=20000, random_state=0).fit(X)
    Z = coder.transform(X)
    scale = np.abs(Z).max() + alpha
    np.testing.assert_allclose(coder.transform(-X), -Z, atol=1e-6 * scale)
    half = X.shape[0] // 2
    parts = np.vstack([coder.transform(X[:half]), coder.transform(X[half:])])
    np.testing.assert_allclose(parts, Z, atol=1e-6 * scale)
    # a pickled coder codes the same
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(coder)).transform(X), Z)


@st.composite
def classification_case(draw):
    n_classes = draw(st.integers(2, 4))
    n = draw(st.integers(6 * n_classes, 60))
    d = draw(st.integers(2, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    y = np.arange(n) % n_classes
    scale = draw(st.sampled_from([1e-2, 1.0, 1e2]))
    offset = draw(st.sampled_from([0.0, 10.0]))
    X = offset + scale * (rng.standard_normal((n, d)) + 2.0 * np.eye(n_classes, d)[y])
    return X, y


def _classifier(**extra):
    return LISTAClassifier(n_reduced=4, n_components=8, n_layers=2, max_epochs=3, batch_size=16,
                           random_state=0, **extra)


@FAST
@given(case=classification_case())
def test_classifier_outputs_are_probabilities_and_labels_survive_renaming(case):
    X, y = case
    clf = _classifier().fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(np.unique(y)))
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    # the same problem under other names: the same model, the labels renamed
    animals = np.array(["cat", "dog", "eel", "fox"])
    renamed = _classifier().fit(X, animals[y])
    np.testing.assert_array_equal(renamed.predict(X), animals[clf.predict(X)])
    np.testing.assert_allclose(renamed.predict_proba(X), proba, rtol=1e-10, atol=1e-12)


# (a refit on data with another number of features is a legitimate new fit, not bad data)
_BAD_DATA = st.sampled_from(["nan", "inf", "one_class", "empty"])


def _spoil(X, y, how):
    X, y = X.copy(), y.copy()
    if how == "nan":
        X[0, 0] = np.nan
    elif how == "inf":
        X[-1, -1] = np.inf
    elif how == "one_class":
        y[:] = y[0]
    elif how == "empty":
        X, y = X[:0], y[:0]
    return X, y


def _state(estimator):
    return pickle.dumps({k: v for k, v in vars(estimator).items() if k.endswith("_")})


@FAST
@given(case=classification_case(), how=_BAD_DATA)
def test_a_failed_refit_leaves_the_classifier_as_it_was(case, how):
    X, y = case
    clf = _classifier().fit(X, y)
    before, predicted = _state(clf), clf.predict_proba(X)
    Xb, yb = _spoil(X, y, how)
    with pytest.raises((ValueError, TypeError)):
        clf.fit(Xb, yb)
    assert _state(clf) == before
    np.testing.assert_array_equal(clf.predict_proba(X), predicted)


@FAST
@given(case=lasso_case(), how=st.sampled_from(["nan", "inf", "empty"]))
def test_a_failed_refit_leaves_the_coder_as_it_was(case, how):
    X, k, alpha, algorithm, _ = case
    coder = SparseDictionaryCoder(k, alpha=alpha, transform_algorithm=algorithm,
                                  random_state=0).fit(X)
    before, codes = _state(coder), coder.transform(X)
    Xb, _ = _spoil(X, np.zeros(len(X)), how)
    with pytest.raises((ValueError, TypeError)):
        coder.fit(Xb)
    with pytest.raises((ValueError, TypeError)):
        coder.partial_fit(Xb)
    assert _state(coder) == before
    np.testing.assert_array_equal(coder.transform(X), codes)


@settings(max_examples=4, deadline=None, derandomize=True, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), how=st.sampled_from(["nan", "constant", "shape", "huge"]),
       scale=st.sampled_from([1e-3, 1.0, 1e3]))
def test_a_failed_refit_leaves_the_generator_as_it_was(seed, how, scale):
    pytest.importorskip("torch")
    from skphase import ScatteringGenerator

    X = scale * np.random.default_rng(seed).standard_normal((12, 16, 16))
    gen = ScatteringGenerator(n_components=4, J=2, L=2, width=4, max_epochs=1, batch_size=8,
                              augment=False, random_state=0).fit(X)
    before, sample = _state(gen), gen.sample(2, random_state=1)
    bad = X.copy()
    if how == "nan":
        bad[3, 4, 5] = np.nan
    elif how == "constant":
        bad[:] = 1.0
    elif how == "shape":
        bad = bad[:, :, :-3]  # the refit on other images runs; make it fail on the sizes instead
        bad = bad[:, :1, :]
    elif how == "huge":
        bad *= 1e300
    with pytest.raises((ValueError, TypeError)):
        gen.fit(bad)
    assert _state(gen) == before
    np.testing.assert_array_equal(gen.sample(2, random_state=1), sample)


@pytest.mark.parametrize("kind", ["phase_harmonic", "gaussian"])
@pytest.mark.parametrize("log_a", [-150, -3, 4.8, 150])
@settings(max_examples=2, deadline=None, derandomize=True, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), c=st.sampled_from([0.0, -7.0, 1e3]))
def test_synthesis_has_no_units(seed, c, log_a, kind):
    """Fitting a*X + b gives a*(samples of X) + b, sample for sample (same seed)."""
    from skphase import GaussianSynthesizer, PhaseHarmonicSynthesizer

    x = np.cumsum(np.random.default_rng(seed).standard_normal((1, 16, 16)), axis=1)
    a = 10.0 ** log_a
    b = a * c  # an offset within what float64 resolves beside a*x (1e-150*x + 3 is constant)

    def make():
        if kind == "gaussian":
            return GaussianSynthesizer(random_state=0)
        return PhaseHarmonicSynthesizer(J=2, L=2, max_iter=8, random_state=0)

    reference = make().fit(x).sample(2)
    scaled = make().fit(a * x + b).sample(2)
    assert np.all(np.isfinite(scaled))
    np.testing.assert_allclose((scaled - b) / a, reference, rtol=0,
                               atol=1e-6 * np.abs(reference).max())
