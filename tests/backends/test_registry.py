"""The backend protocol and registry: a new backend touches backends/ and one registry only."""

import numpy as np
import pytest
from tests.conftest import camera

from skphase import PhaseHarmonicTransform, ScatteringAverager
from skphase.backends import (Backend, NumpyBackend, TorchBackend, backend_names, get_backend,
                              register_backend)
from skphase.backends import _REGISTRY


class _CountingBackend(NumpyBackend):
    """A 'new' backend: numpy's primitives, counting the arrays it is handed."""

    name = "counting"
    calls = 0

    def asarray(self, x, dtype=None):
        type(self).calls += 1
        return super().asarray(x, dtype)


@pytest.fixture
def counting_backend():
    register_backend("counting", lambda device=None, workers=None: _CountingBackend(workers=workers))
    _CountingBackend.calls = 0
    yield _CountingBackend
    del _REGISTRY["counting"]


@pytest.mark.parametrize("cls", [NumpyBackend, TorchBackend])
def test_backends_satisfy_the_protocol(cls):
    missing = [m for m in Backend.__protocol_attrs__ if not hasattr(cls, m)] \
        if hasattr(Backend, "__protocol_attrs__") else []
    assert not missing, missing
    assert isinstance(cls.__new__(cls), Backend)


def test_protocol_notices_a_missing_primitive():
    class Incomplete:
        name = "x"
        reuse_per_device = False

    assert not isinstance(Incomplete(), Backend)


@pytest.mark.parametrize("est", [PhaseHarmonicTransform(J=2, L=4), ScatteringAverager(J=2, L=4)])
def test_a_registered_backend_runs_every_transform(counting_backend, est):
    x = camera(32)[None]
    ref = est.fit(x).transform(x)
    est.set_params(backend="counting")
    out = est.fit(x).transform(x)
    assert counting_backend.calls > 0  # the new backend did the work
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    assert "counting" in backend_names()


def test_an_unregistered_backend_is_refused_naming_the_registered_ones():
    with pytest.raises(ValueError, match=r"backend.*'numpy', 'torch'.*Got 'jax'"):
        PhaseHarmonicTransform(J=2, backend="jax").fit(camera(32)[None])
    with pytest.raises(ValueError, match="backend must be one of 'numpy', 'torch'.*; got 'jax'"):
        get_backend("jax")


def test_register_backend_checks_its_arguments():
    with pytest.raises(TypeError, match="name"):
        register_backend("", NumpyBackend)
    with pytest.raises(TypeError, match="factory must be callable"):
        register_backend("x", 3)


def test_torch_backends_are_shared_per_device_numpy_ones_are_not():
    pytest.importorskip("torch")
    assert get_backend("torch") is get_backend("torch")
    assert get_backend("numpy") is not get_backend("numpy")
