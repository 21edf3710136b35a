"""Moment models as operators: SpatialMeans of any operator, used by the synthesizer as moments."""

import numpy as np
import pytest

from skphase.backends import get_backend
from skphase.datasets import load_texture, make_mrw
from skphase.operators import Operator, SpatialMeans
from skphase.representations import ScatteringAverager
from skphase.synthesis import PhaseHarmonicSynthesizer
from skphase.synthesis._loss import MomentLoss


class _Squares(Operator):
    """A user's operator: x -> (x, x^2, x shifted by one times x), three real channels."""

    def __init__(self, shape):
        self.backend = get_backend("numpy")
        self.input_shape = tuple(shape)
        self.output_shape = (3,) + tuple(shape)

    def forward(self, x):
        s = np.roll(x, 1, axis=-1)
        return np.stack([x, x * x, x * s], axis=1)

    def _analytic_vjp(self, x):
        s = np.roll(x, 1, axis=-1)

        def pullback(g):
            return g[:, 0] + 2 * x * g[:, 1] + s * g[:, 2] + np.roll(x * g[:, 2], -1, axis=-1)

        return self.forward(x), pullback


def _directional(func, x, d, eps=1e-6):
    return (func(x + eps * d) - func(x - eps * d)) / (2 * eps)


@pytest.mark.parametrize("second_moments", [False, True])
def test_spatial_means_pullback_matches_finite_differences(second_moments):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 64))
    means = SpatialMeans(ScatteringAverager(J=3, padding="periodic").fit(x).get_operator(),
                         second_moments=second_moments)
    y, pullback = means.vjp(x)
    assert y.shape == (2,) + means.output_shape
    g = rng.standard_normal(y.shape)
    d = rng.standard_normal(x.shape)
    fd = np.sum(_directional(means.forward, x, d) * g)
    assert abs(np.sum(pullback(g) * d) - fd) < 1e-7 * max(1.0, abs(fd))


def test_spatial_means_are_the_channel_averages():
    x = np.random.default_rng(1).standard_normal((2, 32))
    means = SpatialMeans(_Squares((32,)), second_moments=True)
    y = means.forward(x)
    c = np.roll(x, 1, axis=-1) * x
    expected = np.column_stack([x.mean(1), (x * x).mean(1), c.mean(1),
                                (x * x).mean(1), (x ** 4).mean(1), (c * c).mean(1)])
    np.testing.assert_allclose(y, expected, rtol=1e-13, atol=1e-15)


def test_scattering_means_synthesis_matches_the_target_scattering():
    img = load_texture("gravel", size=64)[None]
    scat = ScatteringAverager(J=3, L=4, padding="periodic").fit(img)
    model = PhaseHarmonicSynthesizer(moments=scat.get_operator(), max_iter=150, random_state=0).fit(img)
    assert model.n_moments_ == scat.get_operator().output_shape[0]
    y = model.sample(1, random_state=0)
    assert y.shape == img.shape
    Sx, Sy = (scat.transform(v).reshape(1, model.n_moments_, -1).mean(-1)[0] for v in (img, y))
    first = slice(1, None)  # the low-pass mean of the texture is its mean: compare the wavelet channels
    rel = np.linalg.norm(Sy[first] - Sx[first]) / np.linalg.norm(Sx[first])
    assert rel < 0.05, rel
    assert model.relative_errors_[0] < 0.05
    # a new texture, not the example
    assert np.corrcoef(y.ravel(), img.ravel())[0, 1] < 0.5


def test_user_operator_as_moments_series():
    x = make_mrw(1, 512, intermittency=0.2, increments=True, random_state=0)
    model = PhaseHarmonicSynthesizer(moments=_Squares((512,)), max_iter=200, histogram_weight=0,
                                     random_state=0).fit(x)
    assert model.n_moments_ == 3
    assert list(model.get_feature_names_out()) == ["operator_mean_c0", "operator_mean_c1", "operator_mean_c2"]
    y = model.sample(1)
    z = (y - model.target_mean_) / model.target_std_
    np.testing.assert_allclose(model.transform(y)[0], model.target_moments_, atol=1e-4)
    assert abs(np.mean(z[0, 1:] * z[0, :-1]) - model.target_moments_[2]) < 1e-2


def test_moment_loss_gradient_with_operator_moments():
    x = np.random.default_rng(2).standard_normal((1, 64))
    model = PhaseHarmonicSynthesizer(moments=ScatteringAverager(J=3, padding="periodic").fit(x).get_operator(),
                                     max_iter=1).fit(x)
    loss = MomentLoss(model.model_.moments(), model.target_moments_ + 0.1, model.moment_scale_)
    y = np.random.default_rng(3).standard_normal(64)
    d = np.random.default_rng(4).standard_normal(64)
    value, grad = loss.value_and_grad(y)
    assert value == pytest.approx(loss.value(y), rel=1e-12)
    fd = _directional(loss.value, y, d)
    assert grad @ d == pytest.approx(fd, rel=1e-6)


@pytest.mark.parametrize("moments, match", [
    ("scattering", "moments"),
    (3, "moments"),
    (_Squares((100,)), r"takes signals of shape \(100,\); X holds signals of shape \(64,\)"),
])
def test_bad_moments_get_a_clear_error(moments, match):
    x = np.random.default_rng(0).standard_normal((1, 64))
    with pytest.raises((ValueError, TypeError), match=match):
        PhaseHarmonicSynthesizer(moments=moments).fit(x)


def test_operator_moments_refuse_another_output_shape():
    x = np.random.default_rng(0).standard_normal((1, 64))
    model = PhaseHarmonicSynthesizer(moments=_Squares((64,)), output_shape=(128,), max_iter=2).fit(x)
    with pytest.raises(ValueError, match="operator's input shape"):
        model.sample(1)
