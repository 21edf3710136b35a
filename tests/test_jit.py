"""The background-compile switch: numpy twins equal the numba kernels, and the switch itself."""

import logging
import os
import subprocess
import sys

import numpy as np
import pytest

from skphase import PhaseHarmonicTransform, ScatteringAverager
from skphase.backends import _jit, _kernels, _reference


@pytest.fixture
def jit_state():
    yield _jit
    _jit._reset(None)


def _complex(rng, shape, dtype):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("height, width, kh, kw", [(16, 24, 2, 4), (1, 64, 1, 8), (8, 8, 1, 1)])
def test_reference_twins_equal_kernels(rng, jit_state, dtype, height, width, kh, kw):
    _jit._reset(True)
    tol = 1e-5 if dtype == np.complex64 else 1e-12
    real = np.float32 if dtype == np.complex64 else np.float64
    B, F = 3, 5
    x = _complex(rng, (B, height, width), dtype)
    filt = _complex(rng, (F, height, width), dtype)
    grad = _complex(rng, (B, F, height // kh, width // kw), dtype)
    n_half = width // 2 + 1
    half = _complex(rng, (B, height, n_half), dtype)
    phi = rng.standard_normal((height, width)).astype(real)
    z = _complex(rng, (B, F, 40), dtype)
    cos, sin = np.cos([0.3, 1.9]).astype(real), np.sin([0.3, 1.9]).astype(real)
    cases = [
        ("mul_periodize_2d", (x, filt, kh, kw), np.empty((B, F, height // kh, width // kw), dtype)),
        ("mul_periodize_adjoint_2d", (grad, filt, kh, kw), np.empty((B, height, width), dtype)),
        ("hermitian_fill_2d", (half, width), np.empty((B, height, width), dtype)),
        ("relu_phases", (z, cos, sin), np.empty((B, F, 2, 40), real)),
        ("low_pass_half_2d", (half, width, phi, kh, kw),
         np.zeros((B, height // kh, (width // kw) // 2 + 1), dtype)),
    ]
    for name, args, out in cases:
        want = getattr(_kernels, name)(*args, out.copy())
        got = getattr(_reference, name)(*args, out.copy())
        scale = np.abs(want).max()
        assert np.abs(got - want).max() <= tol * scale, name


def _outputs(x):
    results = []
    # 1D: J=3, the smallest J with a second-order path
    for est in (ScatteringAverager(J=2 if x.ndim == 3 else 3, max_order=2), ScatteringAverager(J=2, nonlinearity="modulus"),
                PhaseHarmonicTransform(J=2), PhaseHarmonicTransform(J=2, harmonics=(0, 1, -2))):
        est.fit(x)
        y = est.transform(x)
        g = np.random.default_rng(1).standard_normal(y.shape)
        results.append((y, est.transform_vjp(x, g)))
    return results


@pytest.mark.parametrize("shape", [(2, 32, 32), (2, 256)])
def test_transforms_while_compiling_equal_the_kernels(rng, jit_state, monkeypatch, shape):
    x = rng.standard_normal(shape)
    _jit._reset(True)
    fast = _outputs(x)
    _jit._reset(False)

    def must_not_run(*args):
        raise AssertionError("a numba kernel ran while the kernels were not ready")

    for name in ("wavelet_layer_2d", "wavelet_layer_adjoint_2d"):
        monkeypatch.setattr("skphase.backends._numpy." + name, must_not_run)
    slow = _outputs(x)
    for (y_fast, g_fast), (y_slow, g_slow) in zip(fast, slow):
        np.testing.assert_allclose(y_slow, y_fast, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(g_slow, g_fast, rtol=1e-10, atol=1e-12)


def test_not_ready_never_calls_numba(jit_state, monkeypatch):
    def kernel_called(kernel):  # every dispatch to a numba kernel passes here first
        raise AssertionError(f"numba kernel {kernel.py_func.__name__} ran while not ready")

    monkeypatch.setattr(_kernels, "_announce_compiling", kernel_called)
    _jit._reset(False)
    x = np.random.default_rng(0).standard_normal((2, 32, 32))
    # 1D: J=3, the smallest J with a second-order path
    for est in (ScatteringAverager(J=2 if x.ndim == 3 else 3, max_order=2), PhaseHarmonicTransform(J=2, harmonics=(0, 2))):
        y = est.fit(x).transform(x)
        est.transform_vjp(x, np.ones_like(y))
    _jit._reset(True)
    with pytest.raises(AssertionError, match="ran while not ready"):
        ScatteringAverager(J=2).fit(x).transform(x)


def test_background_switch_spawns_once_and_flips(jit_state, monkeypatch, caplog):
    spawned = []

    def fake_spawn():
        spawned.append(1)
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
        return _jit._Compile(lock=None, process=sleeper)

    monkeypatch.setenv("SKPHASE_JIT", "background")
    monkeypatch.setattr(_jit, "_cached", lambda dispatcher: False)
    monkeypatch.setattr(_jit, "_spawn", fake_spawn)
    _jit._reset(None)
    with caplog.at_level(logging.WARNING, logger="skphase"):
        assert _jit.ready() is False
        assert _jit.ready() is False
    assert spawned == [1]
    assert sum("background process" in r.getMessage() for r in caplog.records) == 1
    assert _jit.wait(timeout=30) is True
    assert _jit.ready() is True and spawned == [1]


def test_background_with_a_full_cache_needs_no_process(jit_state, monkeypatch):
    monkeypatch.setenv("SKPHASE_JIT", "background")
    monkeypatch.setattr(_jit, "_cached", lambda dispatcher: True)
    monkeypatch.setattr(_jit, "_spawn", lambda: pytest.fail("spawned although everything is cached"))
    _jit._reset(None)
    assert _jit.ready() is True


def test_failed_spawn_falls_back_to_foreground(jit_state, monkeypatch):
    monkeypatch.setenv("SKPHASE_JIT", "background")
    monkeypatch.setattr(_jit, "_cached", lambda dispatcher: False)
    monkeypatch.setattr(_jit, "_spawn", lambda: None)
    _jit._reset(None)
    assert _jit.ready() is True


def test_mode_off_and_bad_mode(jit_state, monkeypatch):
    monkeypatch.setenv("SKPHASE_JIT", "off")
    _jit._reset(None)
    assert _jit.ready() is False
    monkeypatch.setenv("SKPHASE_JIT", "later")
    _jit._reset(None)
    with pytest.raises(ValueError, match="SKPHASE_JIT.*'later'"):
        _jit.ready()


def test_cache_check_sees_a_compiled_kernel(jit_state):
    _jit._reset(True)
    x = np.random.default_rng(0).standard_normal((2, 32, 32))
    ScatteringAverager(J=2).fit(x).transform(x)  # compiles (or loads) the fused forward kernel
    compiled = [d for d in _jit.DISPATCHERS if d.signatures]
    assert compiled and all(_jit._cached(d) for d in compiled)


_POPEN = subprocess.Popen


def _sleeper(seconds, **kwargs):
    return _POPEN([sys.executable, "-c", f"import time; time.sleep({seconds})"], **kwargs)


@pytest.fixture
def lock_dir(monkeypatch, tmp_path):
    folder = tmp_path / "private"
    monkeypatch.setattr(_jit, "_lock_dir", lambda: str(folder.mkdir(mode=0o700, exist_ok=True)
                                                      or folder))
    return folder


@pytest.mark.skipif(_jit.fcntl is None, reason="no flock on this platform")
def test_spawn_takes_the_lock_and_others_join(jit_state, monkeypatch, lock_dir):
    launched = []

    def fake_popen(cmd, **kwargs):
        assert cmd[1:] == ["-P", "-m", "skphase._warmup"]  # -P: cwd not first on sys.path
        assert kwargs["env"]["SKPHASE_JIT"] == "foreground" and len(kwargs["pass_fds"]) == 1
        launched.append(_sleeper(30, pass_fds=kwargs["pass_fds"]))
        return launched[-1]

    monkeypatch.setattr(_jit.subprocess, "Popen", fake_popen)
    ours = _jit._spawn()
    try:
        assert ours.process is launched[0] and not ours.done()
        # a second process (here: a second call) joins instead of compiling again
        theirs = _jit._spawn()
        assert len(launched) == 1 and theirs.process is None and not theirs.done()
    finally:
        launched[0].kill()  # killed, as by a user: the kernel drops the lock with the process
        launched[0].wait()
    assert theirs.done() and ours.done()
    assert _jit._spawn().process is launched[1]  # nothing stale is left behind
    launched[1].kill()
    launched[1].wait()


@pytest.mark.skipif(_jit.fcntl is None, reason="no flock on this platform")
def test_planted_lock_files_neither_block_nor_get_written(jit_state, monkeypatch, lock_dir, tmp_path):
    # a lock file naming a live process (pid 1) is just a file: the flock decides
    lock = _jit._lock_path()
    with open(lock, "w") as f:
        f.write("1")
    assert not _jit._compiling_elsewhere(lock)
    # a symlink planted in place of the lock is not followed: its target is not created
    target = tmp_path / "victim"
    os.unlink(lock)
    os.symlink(target, lock)
    monkeypatch.setattr(_jit.subprocess, "Popen", lambda cmd, **kw: _sleeper(0, **kw))
    compile_ = _jit._spawn()
    compile_.wait(timeout=30)
    assert not target.exists()


def test_lock_lives_in_a_private_folder_only(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    folder = _jit._lock_dir()
    assert folder == str(tmp_path / "skphase") and os.stat(folder).st_mode & 0o777 == 0o700
    assert _jit._lock_path().startswith(folder + os.sep)
    os.chmod(folder, 0o777)  # made writable by others (or planted so): not used
    assert _jit._lock_dir() is None and _jit._lock_path() is None
    os.rmdir(folder)
    os.symlink(tmp_path, folder)  # a symlink in its place: not used
    assert _jit._lock_dir() is None
    monkeypatch.setattr(_jit, "_lock_dir", lambda: None)
    monkeypatch.setattr(_jit.subprocess, "Popen", lambda cmd, **kw: _sleeper(0, **kw))
    compile_ = _jit._spawn()  # no private folder: compiles uncoordinated, writes nothing
    assert compile_.lock is None
    compile_.wait(timeout=30)
