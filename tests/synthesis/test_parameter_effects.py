"""Every parameter of the synthesis estimators changes something observable, or is declared not to.

Each row: estimator, parameter, two values, what is observed, and CHANGES (the two values
give different observations; the same value twice gives the same) or SAME (no effect on
that output, with the reason). A parameter that is read but has no effect (the planted bug
"CrossScalePredictor ignoring random_state" of issue 18) fails its CHANGES row; a new
parameter without a row fails ``test_every_parameter_is_declared``.
"""

import numpy as np
import pytest

from skphase.datasets import load_texture
from skphase.synthesis import CrossScalePredictor, GaussianSynthesizer, PhaseHarmonicSynthesizer

CHANGES, SAME = "changes", "same"


@pytest.fixture(scope="module")
def img():
    return load_texture("gravel", size=32)[None]


@pytest.fixture(scope="module")
def edges():
    from skphase.datasets import make_piecewise_constant

    return make_piecewise_constant(3, 256, random_state=0)


def _phs(**kw):
    return PhaseHarmonicSynthesizer(**{"J": 2, "L": 2, "max_iter": 6, "random_state": 0, **kw})


def _phs3(**kw):
    return _phs(**{"J": 3, **kw})


# observations
def n_moments(est, X):
    return est.fit(X).n_moments_


def moments(est, X):
    return est.fit(X).target_moments_


def sample(est, X):
    return est.fit(X).sample(2)


def sample_shape(est, X):
    return est.fit(X).sample(1).shape


def n_iter(est, X):
    est.fit(X).sample(1)
    return est.n_iter_


def input_shape(est, X):
    return est.fit(X.reshape(len(X), -1)).input_shape_


def prediction_errors(est, X):
    return est.fit(X).prediction_errors_


def gaussian_errors(est, X):
    return est.fit(X).gaussian_errors_


def n_scales(est, X):
    return len(est.fit(X).scales_)


def _calls(est, X):
    seen = []
    est.set_params(callback=lambda it, loss, x: seen.append(it) or it >= 2)
    est.fit(X).sample(1)
    return len(seen), int(est.n_iter_[0])


def callback_effect(est, X):
    if est.callback is None:
        est.fit(X).sample(1)
        return 0, int(est.n_iter_[0])
    return _calls(est, X)


def _torch():
    pytest.importorskip("torch")


ROWS = [
    # PhaseHarmonicSynthesizer
    (_phs, "J", 2, 3, n_moments, CHANGES, None),
    (_phs, "moments", "phase_harmonic", "scattering_means", n_moments, CHANGES, None),
    (_phs, "moments", "phase_harmonic", "scattering_covariance", moments, CHANGES, None),
    (_phs, "L", 2, 3, n_moments, CHANGES, None),
    (_phs, "n_phases", 4, 6, n_moments, CHANGES, None),
    (_phs, "wavelet", "morlet", "bump", moments, CHANGES, None),
    (_phs, "n_shifts", 2, 1, n_moments, CHANGES, None),
    (_phs, "delta_j", None, 0, n_moments, CHANGES, None),
    (_phs, "delta_theta", None, 0, n_moments, CHANGES, None),
    (_phs, "families", None, ("low", "mean", "cross_phase"), n_moments, CHANGES, None),
    (_phs3, "subsample", True, False, moments, CHANGES, None),  # J=3: a subsampled scale
    (_phs3, "subsample", "auto", False, moments, CHANGES, None),  # "auto" subsamples images
    (_phs, "cross_shifts", 0, 1, n_moments, CHANGES, None),
    (_phs, "cross_shifts", "auto", 1, n_moments, CHANGES, None),  # "auto": none for images
    (_phs, "shape", None, (32, 32), input_shape, CHANGES, None),
    (_phs, "output_shape", None, (32, 48), sample_shape, CHANGES, None),
    (_phs, "max_iter", 3, 6, n_iter, CHANGES, None),
    (_phs, "tol", 1e-12, 0.5, n_iter, CHANGES, None),
    (_phs, "precision", "float64", "float32", sample, CHANGES, None),
    (_phs, "histogram_weight", 0.03, 0.0, sample, CHANGES, None),
    (_phs, "start", "noise", "gaussian", sample, CHANGES, None),
    (_phs, "start", "gaussian", "random_phase", sample, CHANGES, None),
    (_phs, "random_state", 0, 1, sample, CHANGES, None),
    (_phs, "callback", None, "counting", callback_effect, CHANGES, None),
    # no effect on the result, by design
    (_phs, "backend", "numpy", "torch", sample, SAME, "the same moments and gradients, computed by torch"),
    (_phs, "device", None, "cpu", sample, SAME, "torch's default device is the CPU"),
    (_phs, "n_jobs", None, 2, sample, SAME, "each synthesis is seeded before the fan-out"),
    (_phs, "verbose", 0, 1, sample, SAME, "a progress bar only"),
    # GaussianSynthesizer
    (GaussianSynthesizer, "shape", None, (32, 32), input_shape, CHANGES, None),
    (GaussianSynthesizer, "output_shape", None, (16, 40), sample_shape, CHANGES, None),
    (GaussianSynthesizer, "random_state", 0, 1, sample, CHANGES, None),
    # CrossScalePredictor (1-D piecewise-constant signals and the 2-D texture)
    (CrossScalePredictor, "J", 3, 4, n_scales, CHANGES, None),
    (CrossScalePredictor, "L", 2, 4, prediction_errors, CHANGES, None),
    (CrossScalePredictor, "n_phases", 4, 2, prediction_errors, CHANGES, None),
    (CrossScalePredictor, "wavelet", "morlet", "bump", prediction_errors, CHANGES, None),
    (CrossScalePredictor, "ridge", 1e-8, 1.0, prediction_errors, CHANGES, None),
    (CrossScalePredictor, "n_gaussian", 1, 3, gaussian_errors, CHANGES, None),
    (CrossScalePredictor, "random_state", 0, 1, gaussian_errors, CHANGES, None),
    (CrossScalePredictor, "random_state", 0, 1, prediction_errors, SAME,
     "the fitted realisations are not random: only the Gaussian reference is"),
]

# which data each row observes: images unless the estimator is the 1-D predictor's case
_IMAGE_ROWS_OF_PREDICTOR = {"L"}


def _data(factory, name, img, edges):
    if factory is CrossScalePredictor and name not in _IMAGE_ROWS_OF_PREDICTOR:
        return edges
    return img


def _make(factory, name, value):
    kw = {} if factory is not CrossScalePredictor else {"J": 3, "n_gaussian": 1, "random_state": 0}
    if name == "callback":
        return factory(**kw)  # the observation installs a counting callback for "counting"
    if name == "moments" and value == "scattering_means":  # an operator, built for the 32 x 32 texture
        from skphase.representations import ScatteringAverager

        value = ScatteringAverager(J=2, L=2, padding="periodic").fit(np.zeros((1, 32, 32))).get_operator()
    if factory is CrossScalePredictor and name == "J":
        kw.pop("J")
    return factory(**{**kw, name: value})


def _equal(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True)
    return a == b


@pytest.mark.parametrize("factory, name, a, b, observe, effect, reason", ROWS,
                         ids=[f"{r[0].__name__.strip('_')}-{r[1]}-{r[4].__name__}" for r in ROWS])
def test_parameter_effect(img, edges, factory, name, a, b, observe, effect, reason):
    if name in ("backend", "device"):
        _torch()
    X = _data(factory, name, img, edges)

    def observed(value):
        est = _make(factory, name, value)
        if name == "callback" and value == "counting":
            return _calls(est, X)
        if name == "device":
            est.set_params(backend="torch")
        return observe(est, X)

    first, again, other = observed(a), observed(a), observed(b)
    assert _equal(first, again), "the same parameters must give the same observation"
    if effect == CHANGES:
        assert not _equal(first, other), f"{name}={a!r} and {name}={b!r} gave the same {observe.__name__}"
    else:
        assert reason
        assert _equal(first, other), f"{name} should not change {observe.__name__} ({reason})"


@pytest.mark.parametrize("factory", [PhaseHarmonicSynthesizer, GaussianSynthesizer, CrossScalePredictor])
def test_every_parameter_is_declared(factory):
    makes = {factory} | ({_phs, _phs3} if factory is PhaseHarmonicSynthesizer else set())
    declared = {r[1] for r in ROWS if r[0] in makes}
    assert declared == set(factory().get_params()), "each parameter needs a row in ROWS"


def test_verbose_shows_progress(img, capsys):
    pytest.importorskip("tqdm")
    _phs(verbose=1).fit(img).sample(1)
    assert "synthesis" in capsys.readouterr().err
    _phs(verbose=0).fit(img).sample(1)
    assert capsys.readouterr().err == ""
