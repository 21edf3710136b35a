"""Faults of the synthesis family (issue 18): units, variance on other grids, thread-safe kernels,
Ctrl-C, atomic refits, hostile parameters and data."""

import numpy as np
import pytest

from skphase.datasets import load_texture
from skphase.synthesis import CrossScalePredictor, GaussianSynthesizer, PhaseHarmonicSynthesizer
from skphase.synthesis._loss import MomentLoss

# --- item 1: synthesis is units-free ------------------------------------------------------------


@pytest.fixture(scope="module")
def gravel():
    return load_texture("gravel", size=32, standardize=False)[None]


def _unit_scale_error(reference, Y, sample):
    """Relative moment error of ``sample`` (of a model fitted on Y) in the model of the
    standardised data, which every affine image of the data shares."""
    loss = MomentLoss(reference.model_.moments(), reference.target_moments_, reference.moment_scale_)
    return loss.relative_error(loss.value((sample - Y.mean()) / Y.std()))


@pytest.mark.parametrize("a, b", [(65535.0, 0.0), (1.0, 1e4), (1e-150, 0.0), (1e150, -3e150), (0.01, -7.0)])
def test_affine_image_of_the_data_gives_the_affine_image_of_the_samples(gravel, a, b):
    # before: x 65535 gave a unit-scale error of 1.05 (0.06 for the data as given) while
    # relative_errors_ said 0.008; + 1e4 gave 1.47 (said 0.0002); 1e150 an OverflowError
    kw = dict(J=3, max_iter=30, random_state=0)
    reference = PhaseHarmonicSynthesizer(**kw).fit((gravel - gravel.mean()) / gravel.std())
    base = PhaseHarmonicSynthesizer(**kw).fit(gravel)
    s0 = base.sample(1)[0]
    e0 = _unit_scale_error(reference, gravel, s0)
    Y = a * gravel + b
    model = PhaseHarmonicSynthesizer(**kw).fit(Y)
    s = model.sample(1)[0]
    assert np.all(np.isfinite(s))
    e = _unit_scale_error(reference, Y, s)
    assert e0 < 0.2 and e < 2 * e0 and e0 < 2 * e
    # relative_errors_ is the unit-scale figure, not one that depends on a and b
    np.testing.assert_allclose(model.relative_errors_[0], e, rtol=1e-6)
    np.testing.assert_allclose(base.relative_errors_[0], e0, rtol=1e-6)
    # the samples are in the data's units: a (samples of X) + b
    assert abs(s.mean() - (a * s0.mean() + b)) < 0.1 * a * gravel.std()
    np.testing.assert_allclose(s.std(), a * s0.std(), rtol=0.1)
    # the moment features are unit-free too
    np.testing.assert_allclose(model.transform(Y), base.transform(gravel), rtol=1e-6,
                               atol=1e-9 * np.abs(base.target_moments_).max())


def test_data_constant_up_to_rounding_get_a_clear_error(gravel):
    model = PhaseHarmonicSynthesizer(J=3, max_iter=2)
    for bad, what in [(1e-3 * gravel + 1e12, "constant up to rounding"), (np.zeros_like(gravel), "all zeros"),
                      (np.full_like(gravel, 3.0), "constant")]:
        with pytest.raises(ValueError, match=what):
            model.fit(bad)
