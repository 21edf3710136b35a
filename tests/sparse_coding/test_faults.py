"""Faults of the sparse-coding family (issue 18): crafted checkpoints, planted symlinks and
modules, hostile paths, threads under numba's workqueue layer, Ctrl-C, failed refits."""

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("PIL")

from skphase.sparse_coding import LISTAClassifier  # noqa: E402
from skphase.sparse_coding._distributed import (  # noqa: E402
    CheckpointError, load_checkpoint, save_checkpoint, train_from_folder)

ROOT = Path(__file__).resolve().parents[2]
KW = dict(image_size=16, J=1, L=2, n_reduced=4, n_components=8, n_layers=3, batch_size=4)
HYPER = dict(n_reduced=4, n_components=8, n_layers=3, batch_size=4, learning_rate=1e-2,
             pooling="mean")


def make_folder(root: Path, n_per_class: int = 4) -> str:
    from PIL import Image

    rng = np.random.default_rng(0)
    for c, name in enumerate(["stripes", "noise"]):
        (root / name).mkdir(parents=True)
        for i in range(n_per_class):
            x = rng.random((20, 20, 3))
            if c == 0:
                x[::4] = 1.0
            Image.fromarray((255 * x).astype(np.uint8)).save(root / name / f"{i}.png")
    return str(root)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return make_folder(tmp_path_factory.mktemp("images"))


class _RunsCode:
    """Unpickling this calls os.system: what a crafted checkpoint would do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# --- item 12: checkpoints hold data only, written atomically -----------------------------------
@pytest.mark.parametrize("writer", ["torch.save", "pickle"])
def test_crafted_checkpoint_is_refused_and_runs_nothing(folder, tmp_path, writer):
    marker = tmp_path / "pwned"
    ckpt = tmp_path / "ckpt.pt"
    payload = {"model": _RunsCode(marker), "optimizer": {}, "epoch": 0, "losses": []}
    if writer == "torch.save":
        torch.save(payload, ckpt)
    else:
        ckpt.write_bytes(pickle.dumps(payload))
    with pytest.raises(CheckpointError, match="checkpoint=.*weights_only=True"):
        train_from_folder(folder, epochs=1, checkpoint=str(ckpt), resume=True, **KW)
    assert not marker.exists()
    clf = LISTAClassifier(**HYPER, random_state=0)
    with pytest.raises(ValueError, match="checkpoint="):
        clf.fit_image_folder(folder, image_size=16, J=1, L=2, epochs=1, checkpoint=str(ckpt),
                             resume=True)
    assert not marker.exists() and not hasattr(clf, "params_")


def test_checkpoint_of_other_content_is_refused(tmp_path):
    for i, bad in enumerate([[1, 2], {"model": {}, "optimizer": {}, "epoch": True, "losses": []},
                             {"model": {}, "epoch": 1}]):
        torch.save(bad, tmp_path / f"{i}.pt")
        with pytest.raises(CheckpointError, match="does not hold"):
            load_checkpoint(str(tmp_path / f"{i}.pt"))
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="not a skphase training checkpoint"):
        load_checkpoint(str(tmp_path / "junk.pt"))


def test_checkpoint_replaces_a_planted_symlink_never_follows_it(folder, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    ckpt = tmp_path / "ckpt.pt"
    ckpt.symlink_to(victim)
    for name in ("ckpt.pt.tmp", ".ckpt.pt.tmp"):  # predictable temporary names, planted too
        (tmp_path / name).symlink_to(victim)
    result = train_from_folder(folder, epochs=1, checkpoint=str(ckpt), **KW)
    assert victim.read_text() == "precious"
    assert ckpt.is_file() and not ckpt.is_symlink()
    state = load_checkpoint(str(ckpt))
    assert state["epoch"] == 1 and state["losses"] == result["losses"]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".ckpt.pt.tmp", "ckpt.pt", "ckpt.pt.tmp", "victim.txt"]
    assert (os.stat(ckpt).st_mode & 0o077) == 0  # mkstemp's private mode


def test_failed_save_leaves_no_temporary_file(tmp_path):
    with pytest.raises(Exception):
        save_checkpoint({"model": lambda: 0}, str(tmp_path / "c.pt"))  # a lambda cannot pickle
    assert list(tmp_path.iterdir()) == []


def test_torchrun_workers_ignore_the_working_directory_and_dash_paths(tmp_path, monkeypatch):
    """fit_image_folder(n_processes=2) from a folder holding a planted ``skphase`` package, on a
    root named ``-imgs``: the workers import the real skphase, the name is a value, not a flag."""
    marker = tmp_path / "planted-imported"
    (tmp_path / "skphase").mkdir()
    (tmp_path / "skphase" / "__init__.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nraise ImportError('planted skphase')\n")
    (tmp_path / "torch.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    make_folder(tmp_path / "-imgs")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    clf = LISTAClassifier(**HYPER, random_state=0).fit_image_folder(
        "-imgs", image_size=16, J=1, L=2, epochs=1, n_processes=2, checkpoint="-ckpt.pt")
    assert not marker.exists()
    assert list(clf.classes_) == ["noise", "stripes"] and clf.n_iter_ == 1
    assert load_checkpoint(str(tmp_path / "-ckpt.pt"))["epoch"] == 1


# --- item 6: transform from several threads under numba's workqueue layer ----------------------
_THREADS_SCRIPT = r"""
import numpy as np, numba
from concurrent.futures import ThreadPoolExecutor
from skphase.sparse_coding import SparseDictionaryCoder
rng = np.random.default_rng(0)
X = rng.standard_normal((256, 12))
for algo in ("cd", "lista"):
    coder = SparseDictionaryCoder(n_components=24, alpha=0.2, transform_algorithm=algo,
                                  n_epochs=1, n_layers=4, random_state=0, n_jobs=2).fit(X)
    ref = coder.transform(X)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: coder.transform(X), range(16)))
    for out in outs:
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-7)
print("pool started:", numba.np.ufunc.parallel._is_initialized, "ok")
"""


def test_transform_from_several_threads_under_workqueue(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue", "NUMBA_NUM_THREADS": "2",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "pool started: False ok" in proc.stdout  # skphase's kernels never start numba's


# --- items 8 and 10: one Ctrl-C stops training, keeps a projected model, stops the workers -----
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from skphase.utils._interrupt import InterruptedWarning  # noqa: E402

needs_main_thread = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                       reason="signals are delivered to the main thread")


def _press_ctrl_c(after):
    timer = threading.Timer(after, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def _data(n=300, d=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


def _unit_atoms(clf):
    return np.allclose(np.linalg.norm(clf.params_["D"], axis=1), 1.0, atol=1e-12)


@needs_main_thread
@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("validation_fraction", [0.0, 0.2])
def test_one_ctrl_c_stops_lista_training_and_keeps_a_projected_model(backend, validation_fraction):
    X, y = _data()
    clf = LISTAClassifier(n_reduced=4, n_components=8, n_layers=2, batch_size=8, max_epochs=100000,
                          n_iter_no_change=100000, validation_fraction=validation_fraction,
                          backend=backend, random_state=0)
    import skphase.sparse_coding._torch_models  # noqa: F401  (imported: the press lands in training)

    timer = _press_ctrl_c(0.5)
    t0 = time.monotonic()
    with pytest.warns(InterruptedWarning, match="LISTAClassifier training"):
        clf.fit(X, y)
    timer.join()
    assert time.monotonic() - t0 < 5.0
    assert 0 < clf.n_iter_ < 100000 and _unit_atoms(clf) and float(clf.params_["s"]) <= 0
    assert clf.predict(X).shape == (300,)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_interrupt_between_adam_step_and_projection_keeps_unit_atoms(monkeypatch):
    """A KeyboardInterrupt landing right after an Adam step, before the projection (where it
    lands without the flag handler: a user's own SIGINT handler, a second press)."""
    from skphase.utils._adam import Adam

    X, y = _data()
    calls = []
    step = Adam.step

    def step_then_interrupt(self, grads=None):
        step(self, grads)
        calls.append(1)
        if len(calls) == 7:
            raise KeyboardInterrupt

    monkeypatch.setattr(Adam, "step", step_then_interrupt)
    clf = LISTAClassifier(n_reduced=4, n_components=8, n_layers=2, batch_size=16, max_epochs=50,
                          validation_fraction=0.0, learning_rate=0.1, random_state=0)
    with pytest.warns(InterruptedWarning):
        clf.fit(X, y)
    assert len(calls) == 7 and _unit_atoms(clf)


@needs_main_thread
@pytest.mark.parametrize("algorithm", ["cd", "lista"])
def test_one_ctrl_c_stops_the_whole_coder_fit(algorithm):
    from skphase.sparse_coding import SparseDictionaryCoder

    X = np.random.default_rng(0).standard_normal((4000, 16))
    coder = SparseDictionaryCoder(n_components=32, alpha=0.1, transform_algorithm=algorithm,
                                  n_layers=4, n_epochs=2000, batch_size=32, random_state=0)
    timer = _press_ctrl_c(1.0)
    t0 = time.monotonic()
    with pytest.warns(InterruptedWarning, match="SparseDictionaryCoder.fit") as record:
        coder.fit(X)
    timer.join()
    assert time.monotonic() - t0 < 6.0
    assert len([w for w in record if issubclass(w.category, InterruptedWarning)]) == 1
    assert np.allclose(np.linalg.norm(coder.components_, axis=1), 1.0)
    assert np.isfinite(coder.transform(X[:10])).all()


@needs_main_thread
def test_fit_image_folder_one_process_interrupted_keeps_a_trained_model(tmp_path):
    root = make_folder(tmp_path / "imgs", n_per_class=8)
    clf = LISTAClassifier(**HYPER, random_state=0)
    timer = _press_ctrl_c(2.0)
    with pytest.warns(InterruptedWarning, match="fit_image_folder"):
        clf.fit_image_folder(root, image_size=16, J=1, L=2, epochs=100000)
    timer.join()
    assert 1 <= clf.n_iter_ < 100000 and _unit_atoms(clf)


@needs_main_thread
def test_fit_image_folder_ddp_interrupted_leaves_no_orphans(tmp_path, monkeypatch):
    psutil = pytest.importorskip("psutil")
    root = make_folder(tmp_path / "imgs", n_per_class=8)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    X, y = _data(60, 8)
    clf = LISTAClassifier(**HYPER, max_epochs=2, random_state=0).fit(X, y)
    before = {k: v.copy() for k, v in clf.params_.items()}
    seen = []

    def cmdline(p):
        try:
            return " ".join(p.cmdline())
        except psutil.Error:
            return ""

    def press_when_workers_train():
        me = psutil.Process()
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                kids = me.children(recursive=True)
                workers = [p for p in kids if "sparse_coding._distributed" in cmdline(p)]
                if len(workers) >= 2:
                    seen.extend(kids)
                    time.sleep(3.0)  # in their training loop
                    break
                time.sleep(0.1)
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    t = threading.Thread(target=press_when_workers_train)
    t.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt, match="torchrun processes were stopped"):
        clf.fit_image_folder(root, image_size=16, J=1, L=2, epochs=100000, n_processes=2)
    t.join()
    assert len(seen) >= 3, "torchrun's workers never started"
    gone_by = time.monotonic() + 15
    while time.monotonic() < gone_by and any(p.is_running() and p.status() != "zombie"
                                             for p in seen):
        time.sleep(0.1)
    left = [p for p in seen if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for p in left:  # a failing run must not leave them training
        p.kill()
    assert not [p.pid for p in left]
    assert time.monotonic() - t0 < 150
    for k, v in before.items():  # the previous fitted state, untouched
        np.testing.assert_array_equal(clf.params_[k], v)
    assert clf.n_features_in_ == 8 and clf.predict(X).shape == (60,)


# --- items 9 and 14: atomic refits, hostile inputs ---------------------------------------------
from skphase.sparse_coding import SparseDictionaryCoder  # noqa: E402

from tests.conftest import bad_param  # noqa: E402


def _snapshot(est):
    out = {}
    for k, v in vars(est).items():
        if k.endswith("_") and not k.startswith("__"):
            out[k] = {a: np.array(b, copy=True) for a, b in v.items()} if isinstance(v, dict) \
                else (np.array(v, copy=True) if isinstance(v, np.ndarray) else v)
    return out


def _assert_same_state(est, before):
    after = _snapshot(est)
    assert set(after) == set(before)
    for k, v in before.items():
        if isinstance(v, dict):
            for a in v:
                np.testing.assert_array_equal(after[k][a], v[a], err_msg=f"{k}[{a}]")
        elif isinstance(v, np.ndarray):
            np.testing.assert_array_equal(after[k], v, err_msg=k)
        elif isinstance(v, (int, float, str, list, tuple)):
            assert after[k] == v, k


def test_failed_coder_refit_keeps_the_previous_state(monkeypatch):
    from skphase.sparse_coding import _coder

    X = np.random.default_rng(0).standard_normal((200, 8))
    coder = SparseDictionaryCoder(n_components=12, alpha=0.2, transform_algorithm="lista",
                                  n_layers=3, random_state=0).fit(X)
    before = _snapshot(coder)
    codes = coder.transform(X)
    with pytest.raises(ValueError):
        coder.set_params(alpha=0.3).fit(np.full((50, 5), np.nan))
    coder.set_params(alpha=0.2)
    _assert_same_state(coder, before)

    def broken(*args, **kwargs):
        raise RuntimeError("LISTA training failed")

    monkeypatch.setattr(_coder, "train_lista_tied", broken)
    for call in (lambda: coder.fit(np.random.default_rng(2).standard_normal((300, 6))),
                 lambda: coder.partial_fit(np.random.default_rng(3).standard_normal((40, 8)))):
        with pytest.raises(RuntimeError, match="LISTA training failed"):
            call()  # dictionary learning ran, then LISTA failed: nothing of it is kept
        _assert_same_state(coder, before)
        np.testing.assert_array_equal(coder.transform(X), codes)
    assert coder.n_features_in_ == 8


def test_failed_classifier_refit_keeps_the_previous_state(monkeypatch):
    X, y = _data(120, 12)
    clf = LISTAClassifier(shape=(3, 4), n_reduced=4, n_components=8, n_layers=2, max_epochs=3,
                          random_state=0).fit(X, y)
    before = _snapshot(clf)
    with pytest.raises(ValueError, match="shape="):  # found after classes_ were read
        clf.fit(np.hstack([X, X]), np.where(y, "a", "b"))
    _assert_same_state(clf, before)
    from skphase.sparse_coding import _classifier

    epoch = _classifier._NumpyTrainer.epoch
    calls = []

    def fails_in_second_epoch(self, *args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("diverged")
        return epoch(self, *args)

    monkeypatch.setattr(_classifier._NumpyTrainer, "epoch", fails_in_second_epoch)
    with pytest.raises(RuntimeError, match="diverged"):
        clf.partial_fit(X, y)  # one epoch ran in place before
        clf.partial_fit(X, y)
    assert len(calls) == 2
    clf_state = _snapshot(clf)
    monkeypatch.undo()
    # the first partial_fit succeeded; the second failed and left its state as the first did
    assert clf_state["n_iter_"] == before["n_iter_"] + 1
    assert len(clf.loss_curve_) == len(before["loss_curve_"]) + 1


def test_fit_image_folder_refuses_bad_counts_before_training(folder):
    clf = LISTAClassifier(**HYPER, random_state=0)
    for name, value, expected in [("epochs", -1, "None or an int in the range \\[1, inf\\)"),
                                  ("epochs", 0, ""), ("epochs", True, ""), ("n_processes", True, ""),
                                  ("J", 1.5, ""), ("image_size", True, ""), ("num_workers", -1, ""),
                                  ("resume", 1, "")]:
        with pytest.raises(ValueError, match=bad_param(name, expected)):
            clf.fit_image_folder(folder, **{name: value})
        assert not hasattr(clf, "params_")
    with pytest.raises(ValueError, match="root=.*not a directory"):
        clf.fit_image_folder(os.path.join(folder, "missing"))
    with pytest.raises(ValueError, match="batch_size=4.*n_processes=3"):
        clf.fit_image_folder(folder, n_processes=3)


CODER_BAD = [("alpha", True), ("alpha", 0.0), ("alpha", np.nan), ("alpha", np.inf), ("tol", True),
             ("tol", -1e-3), ("n_jobs", True), ("n_jobs", 0), ("n_components", True),
             ("n_components", 2.0), ("max_iter", True), ("batch_size", 0), ("n_layers", False),
             ("random_state", -1), ("random_state", "seed"), ("positive", 1)]
CLF_BAD = [("shape", (True, 8)), ("shape", (3, 0)), ("shape", 12), ("lambda_init", True),
           ("lambda_init", 0.0), ("learning_rate", True), ("learning_rate", np.inf),
           ("weight_decay", True), ("weight_decay", -1.0), ("n_jobs", True), ("n_jobs", 0),
           ("validation_fraction", 1.0), ("batch_size", True), ("max_epochs", True),
           ("random_state", 2**40), ("n_iter_no_change", 0)]


@pytest.mark.parametrize("name,value", CODER_BAD)
def test_coder_hostile_parameters(name, value):
    X = np.random.default_rng(0).standard_normal((30, 4))
    with pytest.raises(ValueError, match=bad_param(name)):
        SparseDictionaryCoder(**{"n_components": 4, name: value}).fit(X)


@pytest.mark.parametrize("name,value", CLF_BAD)
def test_classifier_hostile_parameters(name, value):
    X, y = _data(40, 12)
    with pytest.raises(ValueError, match=bad_param(name)):
        LISTAClassifier(**{"n_reduced": 2, "n_components": 4, "max_epochs": 1, name: value}).fit(X, y)


def test_hostile_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    coder = SparseDictionaryCoder(n_components=5, alpha=0.1, random_state=0)
    for bad, match in [(np.where(np.eye(40, 6) > 0, np.nan, X), "NaN"),
                       (np.where(np.eye(40, 6) > 0, np.inf, X), "infinity"),
                       (X[0], "2D"), (np.full((40, 6), "a", dtype=object), "convert"),
                       (np.full((40, 6, 2), "a"), "real numbers"), (np.zeros((40, 0, 3)), "no values to code"),
                       (np.where(np.ones((40, 6, 2)) > 0, np.nan, 0.0), "NaN"),
                       (np.zeros((0, 6)), "0 sample"), (True, "2D|array")]:
        with pytest.raises((ValueError, TypeError), match=match):
            SparseDictionaryCoder(n_components=5).fit(bad)
    # zeros and constants: fitted, unit atoms, finite codes (zeros code to zero)
    for data in (np.zeros((40, 6)), np.full((40, 6), 3.0)):
        fitted = SparseDictionaryCoder(n_components=5, alpha=0.1, random_state=0).fit(data)
        assert np.allclose(np.linalg.norm(fitted.components_, axis=1), 1)
        codes = fitted.transform(data)
        assert np.isfinite(codes).all()
    assert not SparseDictionaryCoder(n_components=5, random_state=0).fit(
        np.zeros((40, 6))).transform(np.zeros((3, 6))).any()
    coder.fit(X)
    # an (n, C, 1) array is n samples of C channels at one position: coded like the rows
    np.testing.assert_array_equal(coder.transform(X[:, :, None])[..., 0], coder.transform(X))
    with pytest.raises(ValueError, match="features"):
        coder.transform(X[:, :4])
    with pytest.raises(ValueError, match="codes have 4 columns.*n_components"):
        coder.inverse_transform(np.zeros((2, 4)))
    with pytest.raises(MemoryError, match="n_components=.*fewer atoms"):
        SparseDictionaryCoder(n_components=10**7).fit(X)
    # the classifier: one class, NaN, constant features, a Generator as random_state
    Xc, y = _data(60, 12)
    clf = LISTAClassifier(n_reduced=2, n_components=4, max_epochs=2)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(Xc, np.zeros(60))
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(np.where(np.eye(60, 12) > 0, np.nan, Xc), y)
    const = LISTAClassifier(n_reduced=2, n_components=4, max_epochs=2, random_state=0).fit(
        np.ones((60, 12)), y)
    assert np.isfinite(const.predict_proba(np.ones((3, 12)))).all()
    gen = LISTAClassifier(n_reduced=2, n_components=4, max_epochs=2,
                          random_state=np.random.default_rng(0)).fit(Xc, y)
    assert gen.predict(Xc).shape == (60,)
