"""Tests of ScatteringGenerator's parts on their own: the embedding (operators built from
parameters, the whitening), the augmentation, the training function and the decoder kinds."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skphase import PhaseHarmonicTransform, ScatteringAverager  # noqa: E402
from skphase.datasets._polygons import make_polygons  # noqa: E402
from skphase.generative import ScatteringGenerator  # noqa: E402
from skphase.generative._embedding import (  # noqa: E402
    PhaseHarmonicPyramid,
    ScatteringEmbedding,
    Whitening,
    top_singular,
)

SMALL = dict(n_components=6, J=2, L=4, width=16, batch_size=16, augment=False, n_jobs=1, random_state=0,
             max_time=None)


@pytest.fixture(scope="module")
def images():
    return make_polygons(24, size=16, random_state=0)


# ------------------------------------------------------------------------------ embedding
@pytest.mark.parametrize("size, J, padding", [(16, 2, "periodic"), (12, 3, "reflect"), (18, 2, "reflect")])
def test_scattering_embedding_is_the_averagers_transform_bit_for_bit(size, J, padding):
    X = make_polygons(5, size=size, random_state=1)
    emb = ScatteringEmbedding((size, size), J, 4)
    assert emb.periodic == (padding == "periodic")
    averager = ScatteringAverager(J, L=4, max_order=2, nonlinearity="modulus", padding=padding,
                                  backend="torch").fit(X)
    expected = averager.transform(torch.as_tensor(X, dtype=torch.float32)).numpy().astype(np.float64)
    np.testing.assert_array_equal(emb(X[..., None]), expected)
    assert emb.n_channels == averager.n_channels_ and emb.output_shape == tuple(averager.output_shape_)
    for key, column in averager.channel_table_.items():
        np.testing.assert_array_equal(emb.channel_table[key], column)


def test_phase_harmonic_pyramid_is_the_transforms_bit_for_bit():
    X = make_polygons(4, size=16, random_state=2)
    pyr = PhaseHarmonicPyramid((16, 16), 2, 4)
    pht = PhaseHarmonicTransform(2, L=4, n_phases=2, backend="torch", flatten=False).fit(X)
    U = pht.transform(torch.as_tensor(X, dtype=torch.float32))
    levels = pyr(X[..., None])
    np.testing.assert_array_equal(levels[0], U.numpy())
    np.testing.assert_array_equal(pyr.invert(torch.as_tensor(levels[0])).numpy()[:, 0],
                                  pht.inverse_transform(U.double()).numpy())
    np.testing.assert_allclose(pyr.inverse(U.double()).numpy()[:, 0], X, atol=1e-5)


def test_no_estimator_is_fitted_to_get_a_transform(images, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError(f"{type(self).__name__}.fit called by the generator")

    monkeypatch.setattr(ScatteringAverager, "fit", refuse)
    monkeypatch.setattr(PhaseHarmonicTransform, "fit", refuse)
    for decoder in ("cnn", "progressive"):
        gen = ScatteringGenerator(**SMALL, decoder=decoder, max_epochs=1).fit(images)
        gen.inverse_transform(gen.transform(images[:2]))


def test_randomized_top_singular_is_scikit_learns_and_matches_the_exact_svd():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((400, 10)) @ np.diag(3.0 ** -np.arange(10)) @ rng.standard_normal((10, 500))
    A += 1e-4 * rng.standard_normal(A.shape)
    A -= A.mean(axis=0)
    s, Vt = top_singular(A, 8)  # 4 * (8 + 10) < 400: the randomized path
    _, s_exact, Vt_exact = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(s, s_exact[:8], rtol=1e-9)
    np.testing.assert_allclose(np.abs(np.sum(Vt * Vt_exact[:8], axis=1)), 1.0, atol=1e-9)
    P = A @ Vt.T / s  # whitening exact on the training vectors: orthonormal columns
    np.testing.assert_allclose(P.T @ P, np.eye(8), atol=1e-10)
    np.testing.assert_array_equal(top_singular(A, 8)[1], Vt)  # a fixed seed: deterministic


def test_whitening_whitens_and_refuses_what_it_cannot_whiten():
    rng = np.random.default_rng(0)
    S = rng.standard_normal((50, 5)) @ rng.standard_normal((5, 30)) + 3.0
    white = Whitening.fit_checked(S, 4)
    proj = white.project(S)
    np.testing.assert_allclose(np.cov(proj.T), np.eye(4), atol=1e-8)
    np.testing.assert_allclose(np.linalg.norm(white(S), axis=1), 1.0)
    # sign convention: the largest loading of each component is positive
    assert np.all(white.components[np.arange(4), np.argmax(np.abs(white.components), axis=1)] > 0)
    with pytest.raises(ValueError, match="span only 5 directions"):
        Whitening.fit_checked(S, 6)
    with pytest.raises(ValueError, match="same embedding"):
        Whitening.fit_checked(np.ones((10, 30)), 2)
    with pytest.raises(ValueError, match="larger than the embedding allows"):
        Whitening.fit_checked(S[:3], 4)


# ------------------------------------------------------------------------------ augmentation
def test_augmentation_routes_the_augment_parameter():
    from skphase.generative._augmentation import augmentation
    from skphase.generative._symmetries import NAMES

    X4 = make_polygons(40, size=16, random_state=3)[..., None]
    scatter = ScatteringEmbedding((16, 16), 2, 4)
    S = scatter(X4)
    assert augmentation(False, X4, S, scatter, 6, 0) == ([], {})
    assert len(augmentation(True, X4, S, scatter, 6, 0)[0]) == 7
    assert len(augmentation(True, X4[:, :, :12], S, None, 6, 0)[0]) == 3  # not square: 2 mirrors, half turn
    assert augmentation("auto", X4, S, scatter, 6, 0, choose=False) == ([], {})
    ops, ratios = augmentation("auto", X4, S, scatter, 6, 0)
    assert set(ratios) == set(NAMES.values()) and all(len(r) == 2 for r in ratios.values())
    assert {NAMES[op] for op in ops} == {name for name, r in ratios.items() if max(r) <= 1.2}
    assert "rot180" in {NAMES[op] for op in ops}  # polygons are polygons upside down
    # a constant half lies nowhere near the other images: every ratio is far above 1.2
    skewed = X4.copy()
    skewed[:, :8] = 0.0
    ops, ratios = augmentation("auto", skewed, scatter(skewed), scatter, 6, 0)
    assert "flip_rows" not in [NAMES[op] for op in ops] and max(ratios["flip_rows"]) > 1.2


# ------------------------------------------------------------------------------ training
def _regression(n=64, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, 3))
    return Z, [(Z @ rng.standard_normal((3, 2))).astype(np.float32)]


def _linear_fit(Z, targets, val_idx, tmp_path=None, found=None, **schedule):
    from skphase.utils._adam import Adam
    from skphase.generative._training import Schedule, fit_decoder, new_history, read_checkpoint

    torch.manual_seed(0)
    module = torch.nn.Linear(3, 2)
    optimizer = Adam(module.parameters(), 0.05, decoupled=True)
    train_idx = np.setdiff1d(np.arange(len(Z)), val_idx)
    checkpoint = None
    if tmp_path is not None:
        path = str(tmp_path / "fit.ckpt")
        signature = dict(settings=dict(seed=0), data="x")
        checkpoint = (path, signature, read_checkpoint(path, signature))

    def loss(module, z, batch):
        return ((module(z) - batch[0]) ** 2).mean()

    params = dict(max_epochs=20, batch_size=8, learning_rate=0.05, learning_rate_schedule="constant") | schedule
    return fit_decoder(module, optimizer, loss, Z, targets, train_idx, val_idx, schedule=Schedule(**params),
                       seed=0, device=torch.device("cpu"), history=new_history(), checkpoint=checkpoint)


def test_fit_decoder_trains_stops_early_and_resumes(tmp_path):
    Z, targets = _regression()
    val = np.arange(8)
    history = _linear_fit(Z, targets, val)
    assert history["epoch"] == 20 and len(history["loss"]) == len(history["val"]) == 20
    assert history["loss"][-1] < 0.1 * history["loss"][0] and not history["stopped"]
    assert history["best"] in history["val"] and history["best"] <= min(history["val"]) + 1e-4  # tol
    # early stopping: no held-out improvement by tol=inf after the first epoch
    assert _linear_fit(Z, targets, val, tol=np.inf, n_iter_no_change=2)["epoch"] == 3
    assert _linear_fit(Z, targets, val, max_epochs=0)["epoch"] == 0
    # a checkpointed run of 20 epochs interrupted after 8 finishes where the straight run ends
    from skphase.generative import _checkpoint

    save = _checkpoint.save_training

    def save_then_stop(path, signature, module, optimizer, history):
        save(path, signature, module, optimizer, history)
        if history["epoch"] == 8:
            raise KeyboardInterrupt

    _checkpoint.save_training = save_then_stop
    try:
        with pytest.warns(Warning, match="stopped at epoch 8 of 20"):
            half = _linear_fit(Z, targets, val, tmp_path)
    finally:
        _checkpoint.save_training = save
    assert half["stopped"] and half["epoch"] == 8
    resumed = _linear_fit(Z, targets, val, tmp_path)
    assert resumed["epoch"] == 20
    np.testing.assert_allclose(resumed["loss"], history["loss"], rtol=1e-5)
    np.testing.assert_allclose(resumed["val"], history["val"], rtol=1e-5)


# ------------------------------------------------------------------------------ decoder kinds
def _kind(name, loss="mse", shape=(16, 16)):
    from skphase.generative._decoders import decoder_kind

    return decoder_kind(name, shape, 2, n_components=4, L=4, width=8, kernel_size=3, loss=loss)


class _Constant(torch.nn.Module):
    """A stand-in decoder: the given levels, whatever z (and the same when teacher-forced)."""

    def __init__(self, levels):
        super().__init__()
        self.levels = levels  # [y_J, ..., y_0]

    def forward(self, z):
        return list(self.levels)

    def teacher_forced(self, levels):
        return list(self.levels[1:])


@pytest.mark.parametrize("loss", ["mse", "l1"])
def test_progressive_loss_is_relative_to_each_targets_size(loss):
    kind = _kind("progressive", loss)
    X4 = make_polygons(6, size=16, random_state=4)[..., None]
    _, targets = kind.embed(X4)
    objective = kind.make_loss(targets, np.arange(6))
    batch = [torch.as_tensor(t) for t in targets]
    zeros = _Constant([torch.zeros_like(y) for y in batch[:-1][::-1]])
    # predicting 0 everywhere costs exactly 1 per averaged level term and 1 for the images
    assert float(objective(zeros, None, batch)) == pytest.approx(2.0, rel=1e-5)
    # the true pyramid costs nothing: its levels are the targets and U^-1 inverts y_0 exactly
    exact = _Constant(batch[:-1][::-1])
    assert float(objective(exact, None, batch)) < 1e-5  # float32 rounding of U^-1
    np.testing.assert_allclose(kind.decode(exact, None).numpy(), targets[-1], atol=1e-4)


def test_cnn_loss_is_the_error_on_the_images_and_no_loss_state_is_left_on_the_estimator(images):
    kind = _kind("cnn", "l1")
    X4 = images[:4, ..., None]
    S, targets = kind.embed(X4)
    assert S.shape == (4, 25 * 16) and targets[0].shape == (4, 1, 16, 16)
    half = _Constant(None)
    half.forward = lambda z: torch.as_tensor(targets[0]) * 0.5
    value = float(kind.make_loss(targets, np.arange(4))(half, None, [torch.as_tensor(targets[0])]))
    assert value == pytest.approx(0.5 * np.abs(targets[0]).mean(), rel=1e-6)
    for decoder in ("cnn", "progressive"):
        gen = ScatteringGenerator(**SMALL, decoder=decoder, max_epochs=1).fit(images)
        assert not [k for k in vars(gen) if "size" in k and k.startswith("_")]  # no _target_sizes
        assert type(gen._kind()).__name__ == {"cnn": "ConvKind", "progressive": "ProgressiveKind"}[decoder]


def test_the_estimator_never_branches_on_the_decoder_name():
    import inspect

    from skphase.generative import _generator

    source = inspect.getsource(_generator)
    assert 'decoder == "' not in source and 'decoder != "' not in source and "_target_sizes" not in source


def test_a_checkpoint_whose_optimizer_moments_do_not_fit_is_refused(tmp_path):
    from skphase.generative import _checkpoint

    Z, targets = _regression()
    save = _checkpoint.save_training

    def save_then_stop(path, signature, module, optimizer, history):
        save(path, signature, module, optimizer, history)
        raise KeyboardInterrupt

    _checkpoint.save_training = save_then_stop
    try:
        with pytest.warns(Warning, match="stopped at epoch 1"):
            _linear_fit(Z, targets, np.arange(8), tmp_path)
    finally:
        _checkpoint.save_training = save
    path = tmp_path / "fit.ckpt"
    meta, arrays = _checkpoint.load(path)
    arrays["opt::0::exp_avg"] = arrays["opt::0::exp_avg"][:, :2]  # same signature, damaged moments
    _checkpoint.save(path, {k: v for k, v in meta.items() if k not in ("format", "version")}, arrays)
    with pytest.raises(ValueError, match=r"damaged or inconsistent \(ValueError: the optimizer's moments of "
                                         r"parameter 0 have shape \(2, 2\); the parameter has \(2, 3\)"):
        _linear_fit(Z, targets, np.arange(8), tmp_path)
