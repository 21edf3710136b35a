"""The histogram term of PhaseHarmonicSynthesizer.sample (``histogram_weight``)."""

import numpy as np
import pytest
from tests.conftest import bad_param

from skphase.datasets import load_texture
from skphase.synthesis import PhaseHarmonicSynthesizer
from skphase.synthesis._loss import HistogramLoss, quantiles_at


def _w1(x, target):
    """W1 between the value distributions of two equal-size arrays, in target std."""
    return np.mean(np.abs(np.sort(x.ravel()) - np.sort(target.ravel()))) / target.std()


def test_histogram_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    q = np.sort(rng.exponential(size=64))
    loss = HistogramLoss(q, variance=2.0, weight=3.0)
    y = rng.standard_normal(64)
    value, grad = loss.value_and_grad(y)
    np.testing.assert_allclose(value, 3.0 * np.sum((np.sort(y) - q) ** 2) / (64 * 2.0), rtol=1e-12)
    eps = 1e-6  # far below the smallest gap between values: the sort order does not change
    assert np.diff(np.sort(y)).min() > 100 * eps
    fd = np.array([(loss.value_and_grad(y + eps * e)[0] - loss.value_and_grad(y - eps * e)[0]) / (2 * eps)
                   for e in np.eye(64)])
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)
    assert loss.value_and_grad(q[np.random.default_rng(1).permutation(64)])[0] == 0.0


def test_quantiles_at_other_sizes():
    v = np.sort(np.random.default_rng(0).standard_normal(100))
    np.testing.assert_array_equal(quantiles_at(v, 100), v)
    q = quantiles_at(v, 400)
    assert q.shape == (400,) and np.all(np.diff(q) >= 0)
    assert v[0] <= q[0] and q[-1] <= v[-1]
    np.testing.assert_allclose(np.median(q), np.median(v), atol=0.05)


def test_histogram_term_matches_the_marginal_that_moments_miss():
    img = load_texture("gravel", size=64)
    img = np.exp(2 * (img - img.mean()) / img.std())  # a skewed, heavy-tailed marginal
    common = dict(J=3, max_iter=40, random_state=0)
    with_h = PhaseHarmonicSynthesizer(**common).fit(img[None])
    without = PhaseHarmonicSynthesizer(histogram_weight=0.0, **common).fit(img[None])
    y_h, y_0 = with_h.sample(1)[0], without.sample(1)[0]
    assert _w1(y_h, img) < 0.5 * _w1(y_0, img)
    # the moments stay matched (the error reported is that of the moments alone)
    assert with_h.relative_errors_[0] < max(2 * without.relative_errors_[0], 2e-2)
    # the quantiles are those of the realisations
    np.testing.assert_array_equal(with_h.target_quantiles_, np.sort(img.ravel()))


def test_histogram_term_with_a_larger_output():
    img = load_texture("gravel", size=64)
    model = PhaseHarmonicSynthesizer(J=3, max_iter=5, output_shape=(96, 96), random_state=0).fit(img[None])
    assert model.sample(1).shape == (1, 96, 96)


def test_negative_histogram_weight_is_rejected():
    img = load_texture("gravel", size=32)
    with pytest.raises(ValueError, match="histogram_weight"):
        PhaseHarmonicSynthesizer(histogram_weight=-1.0).fit(img[None])
    with pytest.raises(TypeError, match=bad_param("histogram_weight", "a float", "True")):
        PhaseHarmonicSynthesizer(histogram_weight=True).fit(img[None])
