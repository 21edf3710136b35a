"""Tests of ScatteringGenerator on tiny images (CPU, a few epochs): training lowers the loss and
beats the linear baseline, the estimator contract, pickling, determinism, resume, bad input."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from skphase.datasets._polygons import make_polygons  # noqa: E402
from skphase.generative import ScatteringGenerator  # noqa: E402

# augment=False: the tests of the training loop run on the images themselves (augment="auto"
# is tested on its own below)
SMALL = dict(n_components=6, J=2, L=4, width=16, batch_size=16, augment=False, n_jobs=1, random_state=0)


@pytest.fixture(scope="module")
def images():
    return make_polygons(48, size=16, random_state=0)


@pytest.fixture(scope="module")
def fitted(images):
    # 600 Adam steps: enough for the decoder to beat PCA on its training images
    return ScatteringGenerator(**(SMALL | dict(width=32, batch_size=8)), max_epochs=100,
                               validation_fraction=0.0, learning_rate=3e-3).fit(images)


def _psnr(a, b):
    mse = ((a - b) ** 2).reshape(len(a), -1).mean(axis=1)
    return float(np.mean(10 * np.log10(1.0 / mse)))


def test_loss_decreases(fitted):
    curve = fitted.loss_curve_
    assert len(curve) == fitted.n_epochs_ == 100
    assert curve[-1] < 0.5 * curve[0]


def test_reconstruction_beats_pca_with_same_dimension_on_training_data(fitted, images):
    rec = fitted.inverse_transform(fitted.transform(images))
    flat = images.reshape(len(images), -1)
    pca = PCA(fitted.n_components).fit(flat)
    baseline = pca.inverse_transform(pca.transform(flat)).reshape(images.shape)
    assert _psnr(rec, images) > _psnr(baseline, images)


def test_shapes_dtypes_and_embedding_on_the_sphere(fitted, images):
    Z = fitted.transform(images[:5])
    assert Z.shape == (5, 6) and Z.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0)
    out = fitted.inverse_transform(Z)
    assert out.shape == (5, 16, 16) and out.dtype == np.float64
    assert fitted.sample(3, random_state=1).shape == (3, 16, 16)
    np.testing.assert_array_equal(fitted.sample(2, random_state=1), fitted.sample(2, random_state=1))
    path = fitted.interpolate(images[0], images[1], n_steps=5)
    assert path.shape == (5, 16, 16)
    np.testing.assert_allclose(path[[0, -1]], out[:2], atol=1e-5)
    assert list(fitted.get_feature_names_out()) == [f"scatteringgenerator{i}" for i in range(6)]


def test_embedding_is_the_whitened_scattering(fitted, images):
    from skphase import ScatteringAverager

    # 16 = 4 * 2^J: the generator pads periodically
    averager = ScatteringAverager(2, L=4, max_order=2, nonlinearity="modulus", padding="periodic")
    S = averager.fit(images).transform(images)
    proj = (S - fitted.embedding_mean_) @ fitted.embedding_components_.T / fitted.embedding_scale_
    np.testing.assert_allclose(fitted.transform(images), proj / np.linalg.norm(proj, axis=1, keepdims=True),
                               atol=1e-4)
    # whitening: unit variance, uncorrelated on the training images (before normalising)
    np.testing.assert_allclose(np.cov(proj.T), np.eye(6), atol=1e-3)


def test_rgb_images():
    X = make_polygons(12, size=16, color=True, random_state=0)
    gen = ScatteringGenerator(**SMALL, max_epochs=1).fit(X)
    assert gen.n_scattering_features_ == 3 * 25 * 16  # 1 + J L + L^2 J(J-1)/2 channels of 4 x 4, per colour
    assert gen.inverse_transform(gen.transform(X[:2])).shape == (2, 16, 16, 3)
    with pytest.raises(ValueError, match="shape"):
        gen.transform(X[..., 0])


def test_pickle_round_trip_gives_identical_outputs(fitted, images):
    blob = pickle.dumps(fitted)
    assert b"torch" not in blob  # weights are numpy arrays, no live module
    again = pickle.loads(blob)
    Z = fitted.transform(images[:4])
    np.testing.assert_array_equal(again.transform(images[:4]), Z)
    np.testing.assert_array_equal(again.inverse_transform(Z), fitted.inverse_transform(Z))


@pytest.mark.parametrize("augment", [False, True])
def test_deterministic_under_random_state(images, augment):
    params = SMALL | dict(max_epochs=2, augment=augment)
    a = ScatteringGenerator(**params).fit(images)
    b = ScatteringGenerator(**params).fit(images)
    c = ScatteringGenerator(**(params | dict(random_state=1))).fit(images)
    assert a.loss_curve_ == b.loss_curve_
    for k in a.decoder_state_:
        np.testing.assert_array_equal(a.decoder_state_[k], b.decoder_state_[k])
    assert a.loss_curve_ != c.loss_curve_


def test_checkpoint_resume_equals_an_uninterrupted_run(images, tmp_path):
    # a constant step: a 2-epoch run is then the start of a 4-epoch one (a cosine schedule is
    # tested below with a run interrupted half-way)
    path = tmp_path / "gen.ckpt"
    const = dict(n_iter_no_change=100, learning_rate_schedule="constant")
    straight = ScatteringGenerator(**SMALL, max_epochs=4, **const).fit(images)
    ScatteringGenerator(**SMALL, max_epochs=2, checkpoint_path=str(path), **const).fit(images)
    assert path.exists()
    resumed = ScatteringGenerator(**SMALL, max_epochs=4, checkpoint_path=str(path), **const).fit(images)
    assert resumed.n_epochs_ == 4
    np.testing.assert_allclose(resumed.loss_curve_, straight.loss_curve_, rtol=1e-5)
    Z = straight.transform(images[:3])
    np.testing.assert_allclose(resumed.inverse_transform(Z), straight.inverse_transform(Z), atol=1e-5)
    # another data set does not resume from it
    with pytest.warns(UserWarning, match="was made with other"):
        ScatteringGenerator(**SMALL, max_epochs=1, checkpoint_path=str(path), **const).fit(images[:40])


def test_interrupted_cosine_run_resumes_where_it_stopped(images, tmp_path, monkeypatch):
    path = tmp_path / "gen.ckpt"
    params = dict(SMALL, max_epochs=4, n_iter_no_change=100, learning_rate_schedule="cosine")
    straight = ScatteringGenerator(**params).fit(images)
    from skphase.generative import _checkpoint

    save = _checkpoint.save_training

    def save_then_interrupt(path, signature, module, optimizer, history):
        save(path, signature, module, optimizer, history)
        if history["epoch"] == 2:
            raise KeyboardInterrupt  # Ctrl-C after the second epoch's checkpoint

    monkeypatch.setattr(_checkpoint, "save_training", save_then_interrupt)
    from skphase.utils._interrupt import InterruptedWarning

    with pytest.warns(InterruptedWarning, match="stopped at epoch 2 of 4"):
        half = ScatteringGenerator(**params, checkpoint_path=str(path)).fit(images)
    assert half.n_epochs_ == 2
    monkeypatch.setattr(_checkpoint, "save_training", save)
    resumed = ScatteringGenerator(**params, checkpoint_path=str(path)).fit(images)
    assert resumed.n_epochs_ == 4
    np.testing.assert_allclose(resumed.loss_curve_, straight.loss_curve_, rtol=1e-5)
    # the schedule is in effect: a constant step gives another run
    assert straight.loss_curve_ != ScatteringGenerator(**(params | dict(learning_rate_schedule="constant"))
                                                       ).fit(images).loss_curve_


def test_warm_start_continues_training(images):
    gen = ScatteringGenerator(**SMALL, max_epochs=2, warm_start=True, validation_fraction=0.0).fit(images)
    first = list(gen.loss_curve_)
    components = gen.embedding_components_.copy()
    gen.fit(images)
    assert gen.n_epochs_ == 4 and gen.loss_curve_[:2] == first
    assert gen.loss_curve_[2] < first[0]  # it did not restart from scratch
    np.testing.assert_array_equal(gen.embedding_components_, components)


def test_progressive_decoder(images):
    gen = ScatteringGenerator(**(SMALL | dict(batch_size=8)), decoder="progressive", max_epochs=8,
                              validation_fraction=0.25).fit(images)
    assert gen.loss_curve_[-1] < 0.75 * gen.loss_curve_[0]
    assert gen.scale_errors_.shape == (3,) and np.all(np.isfinite(gen.scale_errors_))
    assert gen.innovation_correlation_.shape == (1,) and abs(gen.innovation_correlation_[0]) <= 1
    assert gen.residual_correlation_.shape == (1,) and abs(gen.residual_correlation_[0]) <= 1
    # the embedding whitens y_J: 1 + 2 J L channels of the phase-harmonic transform at 4 x 4
    assert gen.n_scattering_features_ == (1 + 2 * 2 * 4) * 16
    Z = gen.transform(images[:3])
    out = gen.inverse_transform(Z)
    assert out.shape == (3, 16, 16)
    again = pickle.loads(pickle.dumps(gen))
    np.testing.assert_array_equal(again.inverse_transform(Z), out)


def test_progressive_pyramid_base_is_inverted_exactly():
    X = make_polygons(3, size=16, color=True, random_state=0)
    gen = ScatteringGenerator(**(SMALL | dict(n_components=2)), decoder="progressive", max_epochs=0,
                              validation_fraction=0.0).fit(X)
    pht = gen._kind().embedding
    levels = pht(X)
    assert [lv.shape[2:] for lv in levels] == [(16, 16), (8, 8), (4, 4)]
    images = pht.invert(torch.as_tensor(levels[0])).numpy()
    np.testing.assert_allclose(np.moveaxis(images, 1, -1), X, atol=1e-4)  # float32 U, exact inverse


def test_pyramid_and_lista_math():
    from skphase.generative._progressive import LISTA, pyramid

    const = torch.full((2, 3, 16, 16), 0.7)
    for level in pyramid(const, 3):  # the binomial low-pass keeps constants
        torch.testing.assert_close(level, torch.full_like(level, 0.7))
    lista = LISTA(3, 5, n_iter=3)
    x = torch.randn(2, 3, 8, 8)
    assert (lista(x) >= 0).all()
    with torch.no_grad():
        lista.log_lambda.fill_(10.0)  # thresholds above every correlation: the empty code
    assert (lista(x) == 0).all()


def test_early_stopping_keeps_the_best_held_out_decoder(images):
    gen = ScatteringGenerator(**SMALL, max_epochs=60, n_iter_no_change=2, tol=0.5,
                              validation_fraction=0.25).fit(images)
    # tol=0.5 is never met after the first epoch: stop after 1 + n_iter_no_change epochs
    assert gen.n_epochs_ == 3 and len(gen.validation_scores_) == 3
    assert gen.best_validation_loss_ == gen.validation_scores_[0]


@parametrize_with_checks([ScatteringGenerator(n_components=1, J=1, L=2, width=8, max_epochs=1, n_jobs=1,
                                               random_state=0)])  # augment="auto", the default
def test_sklearn_common_checks(estimator, check):
    # the tags say images only (three_d_array, not two_d_array): the tabular checks are skipped
    check(estimator)


def test_contract_basics(images):
    from sklearn.exceptions import NotFittedError

    gen = ScatteringGenerator(**SMALL, max_epochs=1)
    assert clone(gen).get_params() == gen.get_params()
    with pytest.raises(NotFittedError):
        gen.transform(images)
    gen.fit(images)
    assert gen.n_features_in_ == 256 and gen.image_shape_ == (16, 16) and gen.J_ == 2
    assert gen.set_params(max_epochs=2).max_epochs == 2


def test_works_in_pipeline_with_clone(images):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(clone(ScatteringGenerator(**SMALL, max_epochs=1)), StandardScaler())
    assert pipe.fit_transform(images).shape == (48, 6)


@pytest.mark.parametrize("bad, match", [
    ("nan", "NaN or infinity"),
    ("inf", "NaN or infinity"),
    ("flat", "images shaped"),
    ("one channel", "images shaped"),
])
def test_bad_images(images, bad, match):
    X = images[:10].copy()
    if bad == "nan":
        X[0, 0, 0] = np.nan
    elif bad == "inf":
        X[1, 2, 3] = np.inf
    elif bad == "flat":
        X = X.reshape(10, -1)
    else:
        X = X[..., None]  # (n, H, W, 1) is refused rather than silently squeezed
    with pytest.raises(ValueError, match=match):
        ScatteringGenerator(**SMALL, max_epochs=1).fit(X)


def test_images_smaller_than_two_to_the_J(images):
    with pytest.raises(ValueError, match=r"J=3 needs images of at least 2\*\*J = 8"):
        ScatteringGenerator(**(SMALL | dict(J=3)), max_epochs=1).fit(images[:10, :6, :6])


def test_too_many_components(images):
    with pytest.raises(ValueError, match="n_components=60 is larger than the embedding allows"):
        ScatteringGenerator(**(SMALL | dict(n_components=60)), max_epochs=1).fit(images)


def test_mismatched_shapes(fitted, images):
    with pytest.raises(ValueError, match=r"fitted on images of shape \(16, 16\)"):
        fitted.transform(images[:3, :8, :8])
    with pytest.raises(ValueError, match=r"embeddings of shape \(n_samples, 6\)"):
        fitted.inverse_transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="x1 must be one image"):
        fitted.interpolate(images[0], images[1, :8], n_steps=3)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_without_cuda(images):
    with pytest.raises(ValueError, match="device='cuda' but torch sees no CUDA device"):
        ScatteringGenerator(**SMALL, device="cuda").fit(images)


@pytest.mark.parametrize("param, value, error", [
    ("kernel_size", 4, ValueError), ("n_components", True, TypeError), ("learning_rate", 0.0, ValueError),
])
def test_bad_parameters(images, param, value, error):
    with pytest.raises(error, match=param):
        ScatteringGenerator(**(SMALL | {param: value})).fit(images)


def test_torch_missing_names_the_extra(images, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"skphase\[torch\]"):
        ScatteringGenerator(**SMALL).fit(images)


def test_import_does_not_import_torch():
    code = "import sys, skphase, skphase.generative; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_top_singular_whitens_exactly_and_finds_the_top_components():
    from skphase.generative._embedding import top_singular as _top_singular

    rng = np.random.default_rng(0)
    # a decaying spectrum, large enough for the subspace-iteration path (k + 10 < min(n, p) / 4)
    A = rng.standard_normal((300, 8)) @ np.diag(2.0 ** -np.arange(8)) @ rng.standard_normal((8, 400))
    A += 1e-3 * rng.standard_normal((300, 400))
    A -= A.mean(axis=0)
    s, Vt = _top_singular(A, 6)
    _, s_exact, Vt_exact = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(s, s_exact[:6], rtol=1e-8)
    np.testing.assert_allclose(np.abs(np.sum(Vt * Vt_exact[:6], axis=1)), 1.0, atol=1e-8)
    P = A @ Vt.T / s  # whitened coordinates: exactly orthonormal columns
    np.testing.assert_allclose(P.T @ P, np.eye(6), atol=1e-10)


def test_dihedral_augmentation(images, monkeypatch):
    from skphase.generative._symmetries import apply_all, symmetries

    def _dihedral(X4):
        return apply_all(X4, symmetries(X4.shape[1] == X4.shape[2]), rolled=False)

    X = np.random.default_rng(0).random((2, 5, 5, 1))
    expected = [np.rot90(np.flip(x, 1) if f else x, k) for x in X for f in (0, 1) for k in range(4)]
    got = np.concatenate([X, _dihedral(X)])
    assert got.shape == (16, 5, 5, 1)
    for x in expected:  # the 8 symmetries of each image, each once
        assert sum(np.array_equal(x, g) for g in got) == 1
    assert _dihedral(np.zeros((3, 4, 6, 3))).shape == (9, 4, 6, 3)  # rectangles: flips and half turn

    seen = {}
    train = ScatteringGenerator._train

    def spy(self, torch, device, Z, targets, train_idx, val_idx, *args):
        seen.update(Z=Z, x=targets[0], train=train_idx, val=val_idx)
        return train(self, torch, device, Z, targets, train_idx, val_idx, *args)

    monkeypatch.setattr(ScatteringGenerator, "_train", spy)
    gen = ScatteringGenerator(**(SMALL | dict(augment=True)), max_epochs=1, validation_fraction=0.25).fit(images)
    n_train, n_val = 36, 12
    assert len(seen["train"]) == 8 * n_train and len(seen["val"]) == n_val
    assert seen["val"].max() < len(images)  # held-out images are never augmented
    # each added image is a symmetry of a training image, embedded as that image would be
    extra = seen["train"][n_train::n_train + 1]  # one image of each symmetry
    assert len(extra) == 7
    np.testing.assert_allclose(seen["Z"][extra], gen.transform(seen["x"][extra, 0]), atol=1e-5)


def _symmetry_setup(size, J, L, colour):
    X = make_polygons(3, size=size, color=colour, random_state=0)
    X4 = X if colour else X[..., None]
    gen = ScatteringGenerator(4, J=J, L=L)
    gen.image_shape_, gen.J_ = X4.shape[1:] if colour else X4.shape[1:3], J  # as fit sets them
    return gen, X4


@pytest.mark.parametrize("size, J, L, colour, periodic", [
    (16, 2, 4, False, True),    # every symmetry by permutation
    (16, 2, 6, True, True),     # colour, another L
    (16, 2, 5, False, True),    # odd L: the transposes are no permutation, scattered again
    (12, 3, 4, False, False),   # 2^J does not divide 12: reflection, mirrors scattered, transposes permuted
])
def test_symmetric_embeddings_equal_the_scattering_of_the_symmetric_images(size, J, L, colour, periodic):
    from skphase.generative._augmentation import symmetric_embeddings
    from skphase.generative._symmetries import apply_to_images, symmetries

    gen, X4 = _symmetry_setup(size, J, L, colour)
    assert gen._kind().embedding.periodic == periodic
    images, S = symmetric_embeddings(X4, gen._kind().embedding(X4), gen._kind().embedding, n_check=0)
    # the 7 other symmetries: with periodic padding the mirrors are about pixel 0
    ops = symmetries(True)
    assert len(ops) == 7 and len(set(ops)) == 7 and (False, False, False) not in ops
    np.testing.assert_array_equal(images, np.concatenate([apply_to_images(X4, op, periodic) for op in ops]))
    x = X4[0, ..., 0]
    first = images[::len(X4), ..., 0]  # image 0 under each symmetry
    mirror = (lambda a: np.roll(a[::-1], 1, axis=0)) if periodic else (lambda a: a[::-1])
    np.testing.assert_array_equal(first[0], mirror(x))
    np.testing.assert_array_equal(first[3], x.T)
    np.testing.assert_array_equal(first[5], mirror(x).T)  # rows mirrored, then transposed
    # float32 rounding: relative errors 1.2e-5 measured at 32 x 32, J=3, up to 3.4e-5 here (the
    # small order-2 channels); a wrong orientation map is off by more than 5e-2
    direct = gen._kind().embedding(images)
    assert np.linalg.norm(S - direct) <= 1e-4 * np.linalg.norm(direct)


def test_symmetric_embeddings_detect_a_wrong_orientation_map(monkeypatch):
    from skphase.generative import _symmetries
    from skphase.generative._augmentation import symmetric_embeddings

    gen, X4 = _symmetry_setup(16, 2, 4, False)
    S = gen._kind().embedding(X4)
    right = symmetric_embeddings(X4, S, gen._kind().embedding)[1]
    monkeypatch.setattr(_symmetries, "orientation_map", lambda L, kind: np.arange(L))  # a wrong map
    wrong = symmetric_embeddings(X4, S, gen._kind().embedding, n_check=0)[1]
    assert np.linalg.norm(wrong - right) > 0.05 * np.linalg.norm(right)
    with pytest.warns(RuntimeWarning, match="not the expected permutation"):
        checked = symmetric_embeddings(X4, S, gen._kind().embedding)[1]
    assert np.linalg.norm(checked - right) <= 1e-4 * np.linalg.norm(right)


def test_symmetry_names_are_numpy_s():
    from skphase.generative._symmetries import NAMES, apply_to_images

    x = np.arange(20.0).reshape(1, 4, 5, 1)
    y = np.arange(16.0).reshape(1, 4, 4, 1)
    plain = dict(flip_rows=lambda a: a[::-1], flip_cols=lambda a: a[:, ::-1], rot180=lambda a: np.rot90(a, 2),
                 transpose=lambda a: a.T, rot90=np.rot90, rot270=lambda a: np.rot90(a, -1),
                 anti_transpose=lambda a: np.rot90(a, 2).T)
    for op, name in NAMES.items():
        img = y if op[2] else x
        np.testing.assert_array_equal(apply_to_images(img, op, rolled=False)[0, ..., 0], plain[name](img[0, ..., 0]))


def test_auto_augmentation_keeps_the_symmetries_the_data_has():
    from sklearn.datasets import load_digits

    params = SMALL | dict(n_components=8, augment="auto", max_epochs=0, validation_fraction=0.0)
    polygons = ScatteringGenerator(**params).fit(make_polygons(200, size=16, random_state=0))
    assert polygons.augmentation_ == ["flip_rows", "flip_cols", "rot180", "transpose", "rot90", "rot270",
                                      "anti_transpose"]
    assert max(max(r) for r in polygons.symmetry_ratios_.values()) < 1.2
    # mirrored and turned digits are no digits: their embeddings lie far from the digits'
    digits = ScatteringGenerator(**(params | dict(J=1))).fit(load_digits().images[:300] / 16)
    assert digits.augmentation_ == []
    assert min(max(r) for r in digits.symmetry_ratios_.values()) > 1.2
    # augment=False / True: none / all, and no ratios measured
    assert ScatteringGenerator(**(params | dict(augment=True))).fit(make_polygons(20, size=16)).augmentation_ \
        == polygons.augmentation_
    assert ScatteringGenerator(**SMALL, max_epochs=0).fit(make_polygons(20, size=16)).symmetry_ratios_ == {}


def test_auto_augmentation_chooses_symmetries_for_the_progressive_decoder():
    # at equal training time the symmetries raise the progressive decoder's held-out PSNR too
    # (32 x 32 polygons, 300 s: 26.3-26.8 against 26.0 dB, and no generalisation gap): "auto" chooses
    # them on the whitened y_J, re-transforming the symmetric images
    from sklearn.datasets import load_digits

    params = SMALL | dict(n_components=8, decoder="progressive", augment="auto", max_epochs=0,
                          validation_fraction=0.0)
    polygons = ScatteringGenerator(**params).fit(make_polygons(200, size=16, random_state=0))
    assert polygons.augmentation_ == ["flip_rows", "flip_cols", "rot180", "transpose", "rot90", "rot270",
                                      "anti_transpose"]
    assert max(max(r) for r in polygons.symmetry_ratios_.values()) < 1.2
    digits = ScatteringGenerator(**(params | dict(J=1))).fit(load_digits().images[:300] / 16)
    assert digits.augmentation_ == [] and min(max(r) for r in digits.symmetry_ratios_.values()) > 1.2


def test_cosine_decay_ends_with_the_time_budget(images, monkeypatch):
    import itertools
    import types

    import skphase.generative._training as G
    from skphase.utils._adam import Adam

    clock = itertools.count(0.0, 0.25)  # a fake clock: every reading is 0.25 s later
    monkeypatch.setattr(G, "time", types.SimpleNamespace(perf_counter=lambda: next(clock)))
    steps = []
    step = Adam.step

    def spy(self, grads=None):
        steps.append(self.param_groups[0]["lr"])
        return step(self, grads)

    monkeypatch.setattr(Adam, "step", spy)
    gen = ScatteringGenerator(**SMALL, max_epochs=1000, max_time=5.0, validation_fraction=0.0).fit(images)
    assert 2 < gen.n_epochs_ < 1000  # the budget, not the epochs, ended training
    assert steps[0] > 0.9 * gen.learning_rate and steps[-1] < 0.1 * gen.learning_rate
    assert all(a >= b for a, b in zip(steps, steps[1:]))  # a monotone decay


def test_time_budget_ends_training_within_an_epoch(images, monkeypatch):
    import itertools
    import types

    import skphase.generative._training as G
    from skphase.utils._adam import Adam

    clock = itertools.count(0.0, 0.25)
    monkeypatch.setattr(G, "time", types.SimpleNamespace(perf_counter=lambda: next(clock)))
    steps = []
    step = Adam.step
    monkeypatch.setattr(Adam, "step", lambda self, grads=None: steps.append(1) or step(self, grads))
    gen = ScatteringGenerator(**(SMALL | dict(batch_size=4)), max_epochs=5, max_time=2.0,
                              validation_fraction=0.0).fit(images)
    assert gen.n_epochs_ == 1 and 0 < len(steps) < 12  # 12 steps make an epoch of 48 images
    assert len(gen.loss_curve_) == 1 and np.isfinite(gen.loss_curve_[0])


def test_progressive_start_upsamples_and_fits_y_J_by_least_squares(images):
    gen = ScatteringGenerator(**SMALL, decoder="progressive", max_epochs=0, validation_fraction=0.25).fit(images)
    # zero dictionaries: the untrained steps predict by plain upsampling, so what they leave
    # unpredicted is the data's own innovation
    np.testing.assert_allclose(gen.residual_correlation_, gen.innovation_correlation_, atol=1e-6)
    # y_J starts at its least-squares prediction from the embedding that whitens it: a
    # relative error well under 1 (a random linear layer starts orders of magnitude off)
    assert gen.scale_errors_[-1] < 0.5
