"""The scikit-learn contract: common checks, pipelines, pickling, validation messages."""

import importlib.util
import pickle

import joblib
import numpy as np
import pytest
from tests.conftest import camera, random_walk
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skphase import PhaseHarmonicTransform, ScatteringAverager

ESTIMATORS = [ScatteringAverager, PhaseHarmonicTransform]


@parametrize_with_checks([ScatteringAverager(), PhaseHarmonicTransform()])
def test_sklearn_common_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_input_layouts_agree(cls):
    img = camera(32)
    X3 = np.stack([img, img.T])
    est3 = cls(J=2, L=4).fit(X3)
    est_flat = cls(J=2, L=4, shape=(32, 32)).fit(X3.reshape(2, -1))
    np.testing.assert_allclose(est3.transform(X3), est_flat.transform(X3.reshape(2, -1)))
    assert est3.n_features_in_ == est_flat.n_features_in_ == 1024
    structured = cls(J=2, L=4, flatten=False).fit(X3).transform(X3)
    assert structured.ndim == 4 and structured.shape[1] == est3.n_channels_
    names = est3.get_feature_names_out()
    assert len(names) == est3.transform(X3).shape[1] == len(set(names))


def test_feature_names_describe_coefficients():
    x = random_walk(2, 128)
    sa = ScatteringAverager(J=4, max_order=2, nonlinearity="modulus").fit(x)
    names = sa.get_feature_names_out()
    assert names[0] == "s0_t0"
    assert any(n.startswith("s2_n") for n in names)
    sa2 = ScatteringAverager(J=2, L=4, nonlinearity="relu").fit(camera(16)[None])
    assert "s1_j1_t3_p2_y0_x0" in set(sa2.get_feature_names_out())


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pickle_and_joblib_roundtrip(cls, tmp_path):
    x = random_walk(3, 64)
    est = cls(J=3).fit(x)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.transform(x), est.transform(x))
    joblib.dump(est, tmp_path / "est.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "est.joblib").transform(x), est.transform(x))
    # pickles hold parameters and geometry, not filters (they are rebuilt from the cache)
    assert len(pickle.dumps(est)) < 20_000


def test_set_params_then_fit_rebuilds():
    x = random_walk(2, 64)
    sa = ScatteringAverager(J=2).fit(x)
    n2 = sa.transform(x).shape[1]
    sa.set_params(J=3).fit(x)
    assert sa.J_ == 3 and sa.transform(x).shape[1] != n2


def test_pipeline_and_grid_search_on_digits():
    digits = load_digits()
    X, y = digits.images[:400], digits.target[:400]
    pipe = make_pipeline(ScatteringAverager(L=4, nonlinearity="modulus"), LogisticRegression(max_iter=500))
    search = GridSearchCV(pipe, {"scatteringaverager__J": [1, 2]}, cv=2).fit(X, y)
    assert search.best_score_ > 0.8
    assert clone(pipe).get_params()["scatteringaverager__L"] == 4


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("ndim", [1, 2])
def test_float32_stays_float32_and_close_to_float64(cls, ndim):
    x = random_walk(2, 64) if ndim == 1 else camera(32)[None]
    est = cls(J=2, L=4).fit(x)
    out32 = est.transform(x.astype(np.float32))
    assert out32.dtype == np.float32
    out64 = est.transform(x)
    assert np.linalg.norm(out32 - out64) / np.linalg.norm(out64) < 1e-5


BAD_INPUTS = [
    (np.full((2, 16), np.nan), ValueError, "NaN"),
    (np.full((2, 16), np.inf), ValueError, "infinity"),
    (np.zeros((2, 2, 4, 4)), ValueError, "shape \\(n_samples, n_features\\) or \\(n_samples, H, W\\)"),
    (np.zeros((2, 16), dtype=complex), ValueError, "Complex data not supported"),
    (np.zeros((0, 16)), ValueError, "0 sample"),
    (np.zeros(16), ValueError, "Expected 2D array"),
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("X,err,match", BAD_INPUTS)
def test_bad_input_messages(cls, X, err, match):
    with pytest.raises(err, match=match):
        cls().fit(X)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_bad_geometry_messages(cls):
    with pytest.raises(ValueError, match=r"J=5 needs signals of at least 2\*\*J = 32"):
        cls(J=5).fit(np.zeros((2, 16)))
    with pytest.raises(ValueError, match=r"shape=\(4, 5\) holds 20 values but X has n_features = 16"):
        cls(shape=(4, 5)).fit(np.zeros((2, 16)))
    with pytest.raises(ValueError, match=r"does not match the images in X"):
        cls(shape=(4, 4)).fit(np.zeros((2, 8, 8)))
    est = cls(J=2).fit(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match=r"spatial shape \(4, 16\), but .* was fitted on \(8, 8\)"):
        est.transform(np.zeros((2, 4, 16)))
    with pytest.raises(ValueError, match="wavelet"):
        cls(wavelet="haar").fit(np.zeros((2, 16)))
    with pytest.raises(TypeError, match=r"'L' parameter of \w+ must be an int in the range \[1, inf\)\. Got True"):
        cls(L=True).fit(np.zeros((2, 16)))


def test_fitted_configuration_is_frozen_until_refit():
    x = random_walk(2, 64)
    pht = PhaseHarmonicTransform(J=2).fit(x)
    before = pht.transform(x)
    pht.set_params(n_phases=2, J=3)
    np.testing.assert_array_equal(pht.transform(x), before)
    assert len(pht.get_feature_names_out()) == before.shape[1]
    assert pht.fit(x).transform(x).shape != before.shape


def test_auto_J_fits_the_geometry():
    digits = load_digits().images  # 8x8: reflect padding allows J=2 at most
    assert ScatteringAverager().fit(digits).J_ == 2
    assert ScatteringAverager(padding="periodic").fit(np.zeros((2, 18))).J_ == 1
    assert PhaseHarmonicTransform().fit(np.zeros((2, 18))).J_ == 3


def test_transform_and_vjp_validate_inputs():
    x = random_walk(2, 64)
    sa = ScatteringAverager(J=2).fit(x)
    with pytest.raises(ValueError, match="NaN"):
        sa.transform(np.full((2, 64), np.nan))
    with pytest.raises(ValueError, match="X has 32 features, but ScatteringAverager is expecting 64"):
        sa.transform(x[:, :32])
    G = sa.transform(x)
    with pytest.raises(ValueError, match="grad_output must be shaped like transform"):
        sa.transform_vjp(x, G[:, :-1])
    with pytest.raises(ValueError, match="Complex data not supported"):
        sa.transform_vjp(x, G + 1j)


def test_torch_device_must_exist():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    with pytest.raises(ValueError, match="no CUDA device"):
        ScatteringAverager(backend="torch", device="cuda").fit(np.zeros((2, 16)))


def test_memory_budget_splits_filters_without_changing_results():
    import skphase

    x = camera(64)[None]
    with skphase.config_context(memory_budget=2**30):
        ref = ScatteringAverager(J=3, L=8, max_order=2, padding="periodic").fit(x)
    with skphase.config_context(memory_budget=8 * 2**20):
        small = ScatteringAverager(J=3, L=8, max_order=2, padding="periodic").fit(x)
    assert small.config_.max_group is not None and ref.config_.max_group is None
    np.testing.assert_allclose(small.transform(x), ref.transform(x), rtol=1e-12, atol=1e-12)


def test_periodic_padding_needs_divisible_size():
    with pytest.raises(ValueError, match="reflect"):
        ScatteringAverager(J=2, padding="periodic").fit(np.zeros((2, 18)))
    with pytest.raises(ValueError, match="wavelet='bump' needs even sizes"):
        PhaseHarmonicTransform(J=2, wavelet="bump").fit(np.zeros((2, 17)))


def test_batches_and_threads_give_identical_results():
    x = random_walk(9, 128)
    ref = ScatteringAverager(J=3, max_order=2).fit(x).transform(x)
    out = ScatteringAverager(J=3, max_order=2, batch_size=2, n_jobs=2).fit(x).transform(x)
    np.testing.assert_array_equal(out, ref)


def test_verbose_shows_progress(capsys):
    pytest.importorskip("tqdm")
    x = random_walk(4, 64)
    ScatteringAverager(J=2, batch_size=1, verbose=1).fit(x).transform(x)
    assert "scattering" in capsys.readouterr().err


def test_every_family_refuses_a_too_large_J_in_the_same_words():
    from skphase import CrossScalePredictor, PhaseHarmonicSynthesizer

    families = [ScatteringAverager, PhaseHarmonicTransform, PhaseHarmonicSynthesizer, CrossScalePredictor]
    if importlib.util.find_spec("torch") is not None:
        from skphase import ScatteringGenerator

        families.append(ScatteringGenerator)
    images = np.random.default_rng(0).uniform(size=(4, 16, 16))
    for cls in families:
        name = cls.__name__
        with pytest.raises(ValueError, match=r"^J=5 needs images of at least 2\*\*J = 32 pixels along each "
                                             r"axis; got spatial shape \(16, 16\) \(J <= 4 fits\)\."):
            cls(J=5).fit(images)
        with pytest.raises(ValueError, match=r"J=10\*\*30 needs|J=1000000000000000000000000000000 needs"):
            cls(J=10**30).fit(images)
        with pytest.raises(ValueError, match=rf"{name} needs at least 2 pixels along each axis"):
            cls().fit(np.zeros((4, 1, 16)) + np.arange(16))
