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


# --- item 3: GaussianSynthesizer keeps variance and spectrum on any output grid ----------------


def _band_powers(x, mean, edges=(0, 0.1, 0.2, 0.3, 0.75)):
    """Power of x - mean in annuli of |frequency| (cycles per sample), per value."""
    axes = tuple(range(1, x.ndim))
    P = (np.abs(np.fft.fftn(x - mean, axes=axes)) ** 2).mean(0) / np.prod(x.shape[1:])
    f = np.sqrt(sum(g ** 2 for g in np.meshgrid(*[np.fft.fftfreq(n) for n in x.shape[1:]], indexing="ij")))
    return np.array([P[(f >= a) & (f < b)].sum() for a, b in zip(edges[:-1], edges[1:])]) / P.size


@pytest.mark.parametrize("output_shape", [None, (64, 96), (17, 13)])
def test_gaussian_samples_keep_variance_and_spectrum_on_any_grid(output_shape):
    # before: pooled variance 1.16 on (64, 96) and 1.13 on (17, 13) for a target of 1.0, and
    # the power above 0.3 cycles/pixel x2.9 / x1.9 (the clipped autocovariance cut)
    X = load_texture("gravel", size=64)[None]
    g = GaussianSynthesizer(output_shape=output_shape, random_state=0).fit(X)
    s = g.sample(64)
    assert s.shape[1:] == (output_shape or X.shape[1:])
    np.testing.assert_allclose(((s - g.mean_) ** 2).mean(), X.var(), rtol=0.05)
    np.testing.assert_allclose(_band_powers(s, g.mean_), _band_powers(X, X.mean()), rtol=0.2)


@pytest.mark.parametrize("shape, out", [((64, 64), (7, 64)), ((64, 64), (128, 128)), ((64, 64), (63, 65)),
                                        ((256,), (100,)), ((256,), (1000,)), ((33,), (2,))])
def test_resampled_spectrum_is_nonnegative_symmetric_with_the_same_variance(shape, out):
    from skphase.synthesis._gaussian import _resample_spectrum

    x = np.cumsum(np.random.default_rng(0).standard_normal((2,) + shape), axis=1)
    g = GaussianSynthesizer(output_shape=out).fit(x)
    P = _resample_spectrum(g.power_spectrum_, out)
    assert P.shape == out and np.all(P >= 0)
    np.testing.assert_allclose(P.mean(), g.power_spectrum_.mean(), rtol=1e-12)
    flipped = P[np.ix_(*[np.r_[0, n - 1:0:-1] for n in out])]  # P(-f): real samples need P(-f) = P(f)
    np.testing.assert_allclose(P, flipped, rtol=1e-12, atol=1e-12 * P.max())


# --- item 6: the synthesis kernels are safe from worker threads (numba's workqueue layer) --------


def _run_python(code, **env):
    import os
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=600, cwd=root, env={**os.environ, "PYTHONPATH": str(root), **env})


def test_syntheses_in_worker_threads_do_not_abort_under_workqueue():
    # before: "Numba workqueue threading layer is terminating: Concurrent access" and the process died
    proc = _run_python("""
        import numba, numpy as np
        from skphase.synthesis import PhaseHarmonicSynthesizer, _kernels
        x = np.random.default_rng(0).standard_normal((1, 32, 32))
        model = PhaseHarmonicSynthesizer(J=2, L=2, max_iter=15, n_jobs=2, random_state=0).fit(x)
        for _ in range(3):
            y = model.sample(4)
        kernels = [_kernels.pack_abs, _kernels.split_spectra, _kernels.pack_gradients,
                   _kernels.rectifier_adjoint, _kernels.add_linear_gradient]
        # the kernels ran (in the workers, on their own thread) and numba's pool never started
        print("ok", y.shape, all(k.kernel.signatures for k in kernels),
              numba.np.ufunc.parallel._is_initialized)
    """, NUMBA_THREADING_LAYER="workqueue", SKPHASE_JIT="foreground")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "ok (4, 32, 32) True False", proc.stdout


# --- item 8: one Ctrl-C stops the whole sample(n), worker threads included ---------------------


def _press_ctrl_c(after):
    import os
    import signal
    import threading

    timer = threading.Timer(after, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.fixture
def long_synthesis():
    import threading

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread")
    x = np.random.default_rng(0).standard_normal((1, 32, 32))
    # tol=0 and many iterations: each synthesis would run for about 40 s
    model = PhaseHarmonicSynthesizer(J=2, L=2, max_iter=20_000, tol=0.0, histogram_weight=0.0,
                                     random_state=0).fit(x)
    return model


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_one_ctrl_c_stops_every_synthesis_and_keeps_the_started_ones(long_synthesis, n_jobs):
    # before: n_jobs=1 needed one press per sample; n_jobs=2 raised KeyboardInterrupt, kept
    # nothing, and both worker threads went on burning CPU
    import signal
    import time

    from skphase.utils._interrupt import InterruptedWarning

    model = long_synthesis.set_params(n_jobs=n_jobs)
    timer = _press_ctrl_c(0.6)
    start = time.monotonic()
    with pytest.warns(InterruptedWarning) as record:
        y = model.sample(4)
    elapsed = time.monotonic() - start
    timer.join()
    assert elapsed < 5
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # the samples that had started (1 with n_jobs=1, 2 with n_jobs=2), each its best iterate so far
    assert y.shape == (n_jobs, 32, 32) and np.all(np.isfinite(y))
    assert len(record) == 1
    started = ", ".join(f"synthesis {i + 1}/4" for i in range(n_jobs))
    assert str(record[0].message).startswith(f"interrupted (Ctrl-C): {started} cut short; "
                                             f"{4 - n_jobs} of 4 not started: returning {n_jobs} of 4")
    assert model.relative_errors_.shape == (n_jobs,) and np.all(model.n_iter_ > 0)
    loss = MomentLoss(model.model_.moments(), model.target_moments_, model.moment_scale_)
    for k in range(n_jobs):
        z = (y[k] - model.target_mean_) / model.target_std_
        assert loss.value(z) <= model.loss_history_[k][-1] * (1 + 1e-12)
        assert model.loss_history_[k][-1] < 0.5 * model.loss_history_[k][0]
    # the workers stopped: no CPU burnt once the call returned
    cpu = time.process_time()
    time.sleep(0.5)
    assert time.process_time() - cpu < 0.2
    # and the estimator is still usable
    model.set_params(max_iter=3)
    assert model.sample(2).shape == (2, 32, 32) and model.n_iter_.shape == (2,)


# --- items 9/14: atomic refits, strict parameters, hostile data ---------------------------------

from tests.conftest import bad_param  # noqa: E402


def _fitted_state(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("__")}


def _same_state(a, b):
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], np.ndarray):
            np.testing.assert_array_equal(a[k], b[k])
        elif isinstance(a[k], dict):
            assert a[k].keys() == b[k].keys()
        else:
            assert a[k] is b[k] or a[k] == b[k], k


@pytest.mark.parametrize("make, bad", [
    # data found bad late: J too large for the new images (after their shape was read)
    (lambda: PhaseHarmonicSynthesizer(J=3, max_iter=2, random_state=0), np.random.default_rng(1).random((1, 4, 4))),
    (lambda: PhaseHarmonicSynthesizer(J=3, max_iter=2, random_state=0), np.zeros((1, 32, 32))),
    (lambda: CrossScalePredictor(J=3, n_gaussian=1, random_state=0), np.ones((1, 32, 32))),
    (lambda: CrossScalePredictor(J=3, n_gaussian=1, random_state=0), np.random.default_rng(1).random((1, 4, 4))),
    (lambda: GaussianSynthesizer(random_state=0), np.full((1, 16, 16), np.nan)),
])
def test_a_failed_refit_keeps_the_previous_fitted_state(gravel, make, bad):
    est = make().fit(gravel)
    before = _fitted_state(est)
    with pytest.raises(ValueError):
        est.fit(bad)
    _same_state(before, _fitted_state(est))
    if hasattr(est, "sample"):
        assert est.sample(1).shape == (1, 32, 32)
    else:
        assert est.prediction_errors(gravel).shape == est.scales_.shape


def test_a_failed_first_fit_leaves_the_estimator_unfitted():
    from sklearn.exceptions import NotFittedError

    est = PhaseHarmonicSynthesizer(J=3)
    with pytest.raises(ValueError):
        est.fit(np.random.default_rng(1).random((1, 4, 4)))
    assert not _fitted_state(est)
    with pytest.raises(NotFittedError):
        est.sample(1)


BOOLS = [
    (PhaseHarmonicSynthesizer, "n_jobs", "an int"), (PhaseHarmonicSynthesizer, "J", "an int"),
    (PhaseHarmonicSynthesizer, "max_iter", "an int"), (PhaseHarmonicSynthesizer, "tol", "a float"),
    (PhaseHarmonicSynthesizer, "n_shifts", "an int"), (PhaseHarmonicSynthesizer, "L", "an int"),
    (PhaseHarmonicSynthesizer, "histogram_weight", "a float"), (PhaseHarmonicSynthesizer, "delta_j", "an int"),
    (PhaseHarmonicSynthesizer, "random_state", ""), (CrossScalePredictor, "J", "an int"),
    (CrossScalePredictor, "ridge", "a float"), (CrossScalePredictor, "n_gaussian", "an int"),
    (CrossScalePredictor, "n_phases", "an int"), (CrossScalePredictor, "random_state", ""),
    (GaussianSynthesizer, "random_state", ""),
]


@pytest.mark.parametrize("cls, name, expected", BOOLS, ids=[f"{c.__name__}-{n}" for c, n, _ in BOOLS])
def test_booleans_are_not_numbers(gravel, cls, name, expected):
    # before: n_jobs=True ran one job, J=True one octave, ridge=True a ridge of 1;
    # CrossScalePredictor(n_gaussian=True) blamed "n_samples"
    with pytest.raises(ValueError, match=bad_param(name, f".*{expected}", "True")):
        cls(**{name: True}).fit(gravel)


HOSTILE = [
    ("n_jobs=0", PhaseHarmonicSynthesizer, {"n_jobs": 0}, None, bad_param("n_jobs", "", "0")),
    ("n_phases odd", PhaseHarmonicSynthesizer, {"n_phases": 3}, None, bad_param("n_phases", "an even int", "3")),
    ("tol=nan", PhaseHarmonicSynthesizer, {"tol": float("nan")}, None, bad_param("tol", "a float", "nan")),
    ("weight=inf", PhaseHarmonicSynthesizer, {"histogram_weight": np.inf}, None, "histogram_weight"),
    ("output_shape (0, 8)", PhaseHarmonicSynthesizer, {"output_shape": (0, 8)}, None, "output_shape"),
    ("shape (32.0, 32)", GaussianSynthesizer, {"shape": (32.0, 32)}, None, "'shape' parameter"),
    ("random_state=-1", CrossScalePredictor, {"random_state": -1}, None, "random_state"),
    ("random_state='0'", GaussianSynthesizer, {"random_state": "0"}, None, "random_state"),
    ("ridge=-1", CrossScalePredictor, {"ridge": -1.0}, None, bad_param("ridge", "a float", "-1.0")),
    ("wavelet", CrossScalePredictor, {"wavelet": "haar"}, None, "wavelet"),
    ("NaN data", PhaseHarmonicSynthesizer, {}, lambda x: np.where(x > 0.8, np.nan, x), "NaN"),
    ("inf data", CrossScalePredictor, {}, lambda x: np.where(x > 0.8, np.inf, x), "infinity"),
    ("complex data", GaussianSynthesizer, {}, lambda x: x + 1j, "complex"),
    ("string data", PhaseHarmonicSynthesizer, {}, lambda x: np.full(x.shape, "a"), "must hold numbers"),
    ("4-D data", CrossScalePredictor, {}, lambda x: x[None], "got an array with 4 dimension"),
    ("constant", CrossScalePredictor, {}, lambda x: np.full_like(x, 2.5), "constant"),
    ("zeros", CrossScalePredictor, {}, lambda x: np.zeros_like(x), "all zeros"),
    ("zeros", PhaseHarmonicSynthesizer, {}, lambda x: np.zeros_like(x), "all zeros"),
    ("1x1 images", CrossScalePredictor, {}, lambda x: x.reshape(-1, 1, 1),
     "CrossScalePredictor needs at least 2 pixels along each axis"),
]


@pytest.mark.parametrize("case, cls, params, data, match", HOSTILE,
                         ids=[f"{c[1].__name__}-{c[0]}" for c in HOSTILE])
def test_hostile_inputs_get_a_clear_error(gravel, case, cls, params, data, match):
    X = gravel if data is None else data(gravel)
    with pytest.raises((ValueError, TypeError), match=match):
        cls(**{"J": 3, **params} if cls is not GaussianSynthesizer else params).fit(X)


def test_hostile_sample_arguments(gravel):
    for est in (PhaseHarmonicSynthesizer(J=3, max_iter=2).fit(gravel), GaussianSynthesizer().fit(gravel)):
        name = type(est).__name__
        for bad in (True, 0, -3, 2.0, "2"):
            with pytest.raises(ValueError, match=bad_param("n_samples", "an int", "")):
                est.sample(bad)
        for bad in (True, -1, "seed", 1.5):
            with pytest.raises(ValueError, match=bad_param("random_state", "", "")):
                est.sample(1, random_state=bad)
        with pytest.raises(MemoryError, match=f"{name}|synthesis.*fewer"):
            est.sample(10 ** 12)


@pytest.mark.parametrize("ridge", [0.0, 1e-8])
def test_cross_scale_predictor_on_data_with_empty_bands(ridge):
    # the alternating signal (all its energy at Nyquist): the coarser channels carry nothing
    # and their Gram matrix is singular whatever the relative ridge. Before: LinAlgError
    x = np.where(np.arange(256) % 2, 1.0, -1.0)[None]
    p = CrossScalePredictor(J=4, ridge=ridge, n_gaussian=1, random_state=0).fit(x)
    for errors in (p.prediction_errors_, p.gaussian_errors_):
        assert np.all(np.isfinite(errors)) and np.all((errors >= 0) & (errors <= 1 + 1e-9))


@pytest.mark.parametrize("a, b", [(1e-160, 0.0), (1e160, 0.0), (1e300, -1e300), (65535.0, 1e4)])
def test_gaussian_model_and_cross_scale_prediction_are_units_free(gravel, a, b):
    # before: x 1e160 gave NaN Gaussian samples silently, and NaN prediction errors at x 1e-160
    Y = a * gravel + b
    g0, g = (GaussianSynthesizer(random_state=0).fit(v) for v in (gravel, Y))
    np.testing.assert_allclose((g.sample(2) - b) / a, g0.sample(2), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g.unit_spectrum_, g0.unit_spectrum_, rtol=1e-8, atol=1e-12)
    p0, p = (CrossScalePredictor(J=3, n_gaussian=1, random_state=0).fit(v) for v in (gravel, Y))
    np.testing.assert_allclose(p.prediction_errors_, p0.prediction_errors_, rtol=1e-6)
    np.testing.assert_allclose(p.gaussian_errors_, p0.gaussian_errors_, rtol=1e-6)
    np.testing.assert_allclose(p.prediction_errors(Y), p0.prediction_errors_, rtol=1e-6)


def test_gaussian_model_of_constant_data_is_that_constant():
    g = GaussianSynthesizer(random_state=0).fit(np.full((2, 8, 8), 3.0))
    np.testing.assert_array_equal(g.sample(2), 3.0)


def test_a_keyboard_interrupt_inside_one_synthesis_stops_the_others(gravel):
    from skphase.utils._interrupt import InterruptedWarning

    def interrupt(iteration, loss, x):
        if iteration == 2:
            raise KeyboardInterrupt

    model = PhaseHarmonicSynthesizer(J=3, max_iter=50, callback=interrupt, random_state=0).fit(gravel)
    with pytest.warns(InterruptedWarning, match=r"synthesis 1/3 cut short; 2 of 3 not started"):
        y = model.sample(3)
    assert y.shape == (1, 32, 32) and model.n_iter_.tolist() == [2]


def test_the_callback_sees_the_synthesis_in_the_data_units(gravel):
    means = []
    Y = 65535 * gravel + 1e4
    model = PhaseHarmonicSynthesizer(J=3, max_iter=3, random_state=0,
                                     callback=lambda it, loss, x: means.append(float(np.mean(x)))).fit(Y)
    model.sample(1)
    assert len(means) == 3
    np.testing.assert_allclose(means, Y.mean(), rtol=0.01)
