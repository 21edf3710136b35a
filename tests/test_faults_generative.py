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
    with pytest.warns(UserWarning, match="other settings or images"):
        ScatteringGenerator(**(TINY | dict(random_state=1)), checkpoint_path=str(path)).fit(images)
    assert victim.read_bytes() == before
    assert not path.is_symlink()


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_unusable_checkpoint_path_refused_before_any_work(images, tmp_path, where):
    path = tmp_path / "no" / "gen.ckpt" if where == "missing folder" else tmp_path
    with pytest.raises(ValueError, match="checkpoint_path="):
        ScatteringGenerator(**TINY, checkpoint_path=str(path)).fit(images)
