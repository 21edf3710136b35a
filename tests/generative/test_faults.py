"""Faults of ScatteringGenerator (issue 18): planted checkpoints and symlinks, checkpoints of other
data, failed refits, Ctrl-C during training, hostile parameters and inputs."""

from __future__ import annotations

import os
import pickle
import zipfile

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skphase.datasets._polygons import make_polygons  # noqa: E402
from skphase.generative import ScatteringGenerator  # noqa: E402

TINY = dict(n_components=4, J=2, L=2, width=8, batch_size=8, augment=False, max_epochs=2, n_jobs=1,
            random_state=0, learning_rate_schedule="constant", n_iter_no_change=100, max_time=None)


@pytest.fixture(scope="module")
def images():
    return make_polygons(24, size=8, random_state=0)


class _Exploit:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


# ---------------------------------------------------------------- item 12: checkpoints run no code
def test_a_planted_pickle_is_refused_and_never_executed(images, tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "gen.ckpt"
    path.write_bytes(pickle.dumps({"signature": None, "x": _Exploit(marker)}))
    before = path.read_bytes()
    with pytest.raises(ValueError, match="not a ScatteringGenerator checkpoint.*refusing to load it"):
        ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(images)
    assert not marker.exists()  # nothing ran
    assert path.read_bytes() == before  # the unknown file is left alone, not overwritten


@pytest.mark.parametrize("kind", ["npz with an object array", "npz without format tag", "npy", "text"])
def test_other_crafted_files_are_refused(images, tmp_path, kind):
    path = tmp_path / "gen.ckpt"
    with open(path, "wb") as f:
        if kind == "npz with an object array":
            np.savez(f, __meta__=np.frombuffer(b"{}", np.uint8), x=np.array([_Exploit(tmp_path / "p")], object))
        elif kind == "npz without format tag":
            np.savez(f, __meta__=np.frombuffer(b'{"signature": 1}', np.uint8))
        elif kind == "npy":
            np.save(f, np.zeros(3))
        else:
            f.write(b"hello")
    with pytest.raises(ValueError, match="not a ScatteringGenerator checkpoint"):
        ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(images)
    assert not (tmp_path / "p").exists()


def test_checkpoint_holds_only_arrays_and_json(images, tmp_path):
    path = tmp_path / "gen.ckpt"
    ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(images)
    with zipfile.ZipFile(path) as z:
        assert all(name.endswith(".npy") for name in z.namelist())
    with np.load(path, allow_pickle=False) as data:  # would raise on any pickled entry
        assert all(data[k].dtype.kind in "biuf" for k in data.files)
    assert sorted(os.listdir(tmp_path)) == ["gen.ckpt"]  # no temporary file left behind


def test_a_planted_symlink_at_the_temporary_name_is_not_followed(images, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = tmp_path / "gen.ckpt"
    os.symlink(victim, f"{path}.tmp")  # the name the old code opened with open(tmp, "wb")
    ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(images)
    assert victim.read_text() == "precious"
    assert not path.is_symlink()
    with np.load(path, allow_pickle=False) as data:
        assert "__meta__" in data.files


def test_a_symlink_at_the_checkpoint_path_is_replaced_not_written_through(images, tmp_path):
    victim = tmp_path / "victim.npz"
    ScatteringGenerator(**TINY, checkpoint_path=str(victim)).fit(images)  # a genuine checkpoint
    before = victim.read_bytes()
    path = tmp_path / "gen.ckpt"
    os.symlink(victim, path)
    with pytest.warns(UserWarning, match="was made with other"):
        ScatteringGenerator(**(TINY | dict(random_state=1)), checkpoint_path=str(path)).fit(images)
    assert victim.read_bytes() == before
    assert not path.is_symlink()


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_unusable_checkpoint_path_refused_before_any_work(images, tmp_path, where):
    path = tmp_path / "no" / "gen.ckpt" if where == "missing folder" else tmp_path
    with pytest.raises(ValueError, match="checkpoint_path="):
        ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(images)


# ---------------------------------------------------------------- item 2: a checkpoint identifies its data
def test_a_mirrored_training_set_does_not_resume_another_runs_checkpoint(images, tmp_path):
    path = tmp_path / "gen.ckpt"
    mirrored = images[:, ::-1].copy()  # same shape, sum and sum of squares: the old signature matched
    assert mirrored.sum() == images.sum() and (mirrored ** 2).sum() == (images ** 2).sum()
    ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(images)
    fresh = ScatteringGenerator(**TINY).fit(mirrored)
    with pytest.warns(UserWarning, match="was made with other images; training starts over"):
        other = ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(mirrored)
    assert other.n_epochs_ == fresh.n_epochs_ == TINY["max_epochs"]
    np.testing.assert_array_equal(other.embedding_components_, fresh.embedding_components_)
    for k in fresh.decoder_state_:
        np.testing.assert_array_equal(other.decoder_state_[k], fresh.decoder_state_[k])
    # and the checkpoint now belongs to the mirrored run: the same fit resumes it silently
    again = ScatteringGenerator(**(TINY | dict(max_epochs=3)), checkpoint_path=str(path)).fit(mirrored)
    assert again.n_epochs_ == 3 and again.loss_curve_[:2] == fresh.loss_curve_


@pytest.mark.parametrize("change", [dict(weight_decay=0.1), dict(random_state=1), dict(loss="l1")])
def test_a_checkpoint_of_other_settings_is_not_resumed(images, tmp_path, change):
    path = tmp_path / "gen.ckpt"
    ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(images)
    name = "seed" if "random_state" in change else next(iter(change))
    with pytest.warns(UserWarning, match=rf"other settings \({name}\)"):
        gen = ScatteringGenerator(**(TINY | change), checkpoint_path=str(path)).fit(images)
    assert gen.n_epochs_ == TINY["max_epochs"]


# ---------------------------------------------------------------- item 9: a failed refit changes nothing
def _state(gen):
    return {k: v for k, v in vars(gen).items() if k.endswith("_") and not k.startswith("_")}


@pytest.mark.parametrize("bad", ["images too small for J", "too few images for n_components",
                                 "error during training", "NaN images"])
def test_a_failed_refit_leaves_the_fitted_generator_intact(images, bad, monkeypatch):
    gen = ScatteringGenerator(**TINY).fit(images)
    before = _state(gen)
    samples = gen.sample(3, random_state=0)
    Z = gen.transform(images[:4])
    X = {"images too small for J": images[:, :3, :3],  # J=2 needs 4 x 4: found after the shape changed
         "too few images for n_components": images[:3, :4, :4],
         "error during training": make_polygons(12, size=16, random_state=1),  # new shape, whitening
         "NaN images": np.where(np.arange(8) == 3, np.nan, images)}[bad]
    if bad == "error during training":
        def fail(*args, **kwargs):
            raise RuntimeError("boom")

        from skphase.generative import _decoders

        monkeypatch.setattr(_decoders, "error", fail)
    with pytest.raises((ValueError, RuntimeError)):
        gen.fit(X)
    monkeypatch.undo()
    assert _state(gen).keys() == before.keys()
    assert gen.image_shape_ == (8, 8) and gen.J_ == 2
    assert gen.decoder_state_ is before["decoder_state_"]
    np.testing.assert_array_equal(gen.sample(3, random_state=0), samples)
    np.testing.assert_array_equal(gen.transform(images[:4]), Z)


def test_a_failed_first_fit_leaves_the_generator_unfitted(images):
    from sklearn.exceptions import NotFittedError

    gen = ScatteringGenerator(**TINY)
    with pytest.raises(ValueError, match="J=2 needs images"):
        gen.fit(images[:, :3, :3])
    assert not _state(gen)
    with pytest.raises(NotFittedError):
        gen.sample(1)


# ---------------------------------------------------------------- item 8: one Ctrl-C
def _ctrl_c_at_step(monkeypatch, steps, after=0.0):
    """Press Ctrl-C (a real SIGINT to this process) at Adam steps (step -> presses), ``after`` s later."""
    import signal
    import threading

    from skphase.utils._adam import Adam

    step = Adam.step
    count = [0]

    def pressing(self, grads=None):
        count[0] += 1
        for _ in range(steps.get(count[0], 0)):
            if after:
                threading.Timer(after, os.kill, (os.getpid(), signal.SIGINT)).start()
            else:
                os.kill(os.getpid(), signal.SIGINT)
        return step(self, grads)

    monkeypatch.setattr(Adam, "step", pressing)
    return count


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_one_ctrl_c_stops_training_keeps_the_best_decoder_and_the_generator_works(images, monkeypatch):
    import signal
    import time

    from skphase.utils._interrupt import InterruptedWarning

    count = _ctrl_c_at_step(monkeypatch, {1: 1}, after=0.3)  # a timer: lands wherever training is
    gen = ScatteringGenerator(**(TINY | dict(max_epochs=100_000, validation_fraction=0.25)))
    start = time.perf_counter()
    with pytest.warns(InterruptedWarning, match="training, stopped at epoch"):
        gen.fit(images)
    assert time.perf_counter() - start < 30
    assert 1 <= gen.n_epochs_ < 100_000 and len(gen.loss_curve_) == gen.n_epochs_
    assert gen.best_validation_loss_ in gen.validation_scores_
    assert gen.best_validation_loss_ <= min(gen.validation_scores_) + gen.tol
    steps = count[0]
    assert gen.sample(2, random_state=0).shape == (2, 8, 8)
    assert np.all(np.isfinite(gen.inverse_transform(gen.transform(images[:3]))))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert count[0] == steps  # training really stopped: no step after fit returned


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_ctrl_c_before_training_or_twice_raises_and_changes_nothing(images, monkeypatch):
    import signal

    gen = ScatteringGenerator(**TINY).fit(images)
    before, samples = _state(gen), gen.sample(2, random_state=0)
    other = make_polygons(12, size=16, random_state=1)
    # during the scattering of a refit's images: no decoder to keep
    from skphase.generative._embedding import ScatteringEmbedding

    scatter = ScatteringEmbedding.__call__

    def pressed(self, X):
        os.kill(os.getpid(), signal.SIGINT)
        return scatter(self, X)

    monkeypatch.setattr(ScatteringEmbedding, "__call__", pressed)
    with pytest.raises(KeyboardInterrupt):
        gen.fit(other)
    monkeypatch.undo()
    # twice during training: the second press is the way out
    _ctrl_c_at_step(monkeypatch, {1: 2})
    with pytest.raises(KeyboardInterrupt):
        gen.fit(other)
    monkeypatch.undo()
    assert _state(gen).keys() == before.keys() and gen.image_shape_ == (8, 8)
    assert gen.decoder_state_ is before["decoder_state_"]
    np.testing.assert_array_equal(gen.sample(2, random_state=0), samples)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ---------------------------------------------------------------- item 14: hostile parameters and inputs
from tests.conftest import bad_param  # noqa: E402


@pytest.mark.parametrize("name, value, expected", [
    ("n_components", True, "an int"), ("J", True, "None or an int"), ("L", True, "an int"),
    ("width", True, "an int"), ("kernel_size", 4, "an odd int"), ("max_epochs", True, "an int"),
    ("batch_size", True, "an int"), ("n_iter_no_change", True, "an int"),
    ("learning_rate", True, "a float"), ("learning_rate", float("nan"), "a float"),
    ("learning_rate", 0.0, "a float"), ("weight_decay", True, "a float"), ("weight_decay", -1.0, "a float"),
    ("tol", float("inf"), "a float"), ("max_time", 0, "None or a float"),
    ("validation_fraction", 1.0, "a float"), ("validation_fraction", True, "a float"),
    ("n_jobs", True, "None"), ("n_jobs", 0, "None"), ("n_jobs", 1.5, "None"),
    ("random_state", -1, "None, an int seed"), ("random_state", 2**40, "None, an int seed"),
    ("random_state", "0", "None, an int seed"), ("random_state", 1.5, "None, an int seed"),
    ("augment", "yes", ""), ("warm_start", 1, ""), ("loss", "l2", ""), ("decoder", "gan", ""),
    ("checkpoint_path", 3, ""), ("device", 0, ""), ("verbose", -1, ""),
])
def test_hostile_parameters_are_refused_naming_them(images, name, value, expected):
    with pytest.raises((ValueError, TypeError), match=bad_param(name, expected)):
        ScatteringGenerator(**(TINY | {name: value})).fit(images)


def test_random_state_instances_are_accepted(images):
    # the constraints always promised it; np.random.RandomState(RandomState) raised a TypeError
    for rs in (np.random.RandomState(0), np.random.default_rng(0)):
        gen = ScatteringGenerator(**(TINY | dict(random_state=rs))).fit(images)
        assert gen.sample(1, random_state=np.random.RandomState(0)).shape == (1, 8, 8)


def _bad_images(images, kind):
    return {"NaN": np.where(np.arange(8) == 3, np.nan, images),
            "inf": np.where(np.arange(8) == 3, np.inf, images),
            "zeros": np.zeros_like(images), "constant": np.full_like(images, 3.0),
            "identical": np.repeat(images[:1], len(images), axis=0),
            "1e300": images * 1e300, "1e-300": images * 1e-300,
            "complex": images.astype(complex), "strings": images.astype(str),
            "ragged": [images[0], images[1, :4]], "flat": images.reshape(len(images), -1),
            "one channel": images[..., None], "one image": images[:1], "empty": images[:0],
            "too small for J": images[:, :3, :3]}[kind]


@pytest.mark.parametrize("kind, error, match", [
    ("NaN", ValueError, "X contains NaN"), ("inf", ValueError, "X contains NaN"),
    ("zeros", ValueError, "X: the training images all have the same embedding"),
    ("constant", ValueError, "X: the training images all have the same embedding"),
    ("identical", ValueError, "X: the training images all have the same embedding"),
    ("1e300", ValueError, "X has values of magnitude up to 9.*e\\+299.*rescale"),
    ("1e-300", ValueError, "X has values of magnitude up to .*e-30.*rescale"),
    ("complex", TypeError, "X must hold real numbers"), ("strings", TypeError, "X must hold real numbers"),
    ("ragged", ValueError, "X must be an array of images"), ("flat", ValueError, "X must be images shaped"),
    ("one channel", ValueError, "X must be images shaped"), ("one image", ValueError, "at least 2"),
    ("empty", ValueError, "X has 0 samples"), ("too small for J", ValueError, "J=2 needs images"),
])
def test_hostile_images_get_a_clear_error(images, kind, error, match):
    with pytest.raises(error, match=match):
        ScatteringGenerator(**TINY).fit(_bad_images(images, kind))


@pytest.mark.parametrize("change, what", [(dict(width=10**7), "a decoder of"), (dict(L=10**5), "embedding of")])
def test_huge_sizes_are_refused_before_allocating(images, change, what):
    with pytest.raises(MemoryError, match=rf"{what}.*would need .*use a smaller L, width"):
        ScatteringGenerator(**(TINY | change)).fit(images)


def test_hostile_arguments_of_the_fitted_generator(images):
    gen = ScatteringGenerator(**TINY).fit(images)
    for n in (True, 0, 1.5):
        with pytest.raises(ValueError, match=bad_param("n_samples", "an int")):
            gen.sample(n)
    with pytest.raises(ValueError, match=bad_param("random_state")):
        gen.sample(2, random_state="x")
    with pytest.raises(MemoryError, match=r"sample\(10000000000000\) would need"):
        gen.sample(10**13)
    with pytest.raises(ValueError, match=bad_param("n_steps", "an int")):
        gen.interpolate(images[0], images[1], n_steps=True)
    with pytest.raises(ValueError, match="NaN or infinity"):
        gen.inverse_transform(np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="magnitude"):
        gen.transform(images * 1e20)
