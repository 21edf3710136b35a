"""ScatteringAverager as mathematics: Kymatio agreement, invariance, gradients."""

import numpy as np
import pytest
from tests.conftest import camera, random_walk

from skphase import ScatteringAverager


def _rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.parametrize("shape,J,L", [((32, 32), 2, 4), ((40, 24), 3, 6)])
def test_matches_kymatio_2d(shape, J, L, rng):
    kymatio = pytest.importorskip("kymatio")
    x = rng.standard_normal((2,) + shape)
    ref = kymatio.Scattering2D(J=J, shape=shape, L=L, max_order=2)(x)
    ours = ScatteringAverager(J=J, L=L, max_order=2, nonlinearity="modulus",
                              padding="reflect", flatten=False).fit(x).transform(x)
    assert ours.shape == ref.shape
    assert _rel(ours, ref) < 1e-4
    # channel by channel, so a permuted channel order cannot pass
    per_channel = np.linalg.norm(ours - ref, axis=(2, 3)) / np.linalg.norm(ref, axis=(2, 3))
    assert per_channel.max() < 1e-4


@pytest.mark.parametrize("N,J,Q", [(256, 4, 1), (500, 5, 4)])
def test_matches_kymatio_1d(N, J, Q, rng):
    kymatio = pytest.importorskip("kymatio")
    x = random_walk(2, N, seed=1)
    ref = kymatio.Scattering1D(J=J, shape=N, Q=Q, max_order=2)(x)
    ours = ScatteringAverager(J=J, Q=Q, max_order=2, nonlinearity="modulus",
                              padding="reflect", flatten=False).fit(x).transform(x)
    assert ours.shape == ref.shape
    per_channel = np.linalg.norm(ours - ref, axis=2) / np.linalg.norm(ref, axis=2)
    assert per_channel.max() < 1e-4


@pytest.mark.parametrize("nonlinearity", ["modulus", "relu"])
def test_equivariant_to_shifts_by_multiples_of_2J(nonlinearity):
    x = camera(32)[None]
    J = 2
    sa = ScatteringAverager(J=J, L=4, max_order=2, padding="periodic", nonlinearity=nonlinearity,
                            flatten=False).fit(x)
    S = sa.transform(x)
    S_shift = sa.transform(np.roll(x, (2 * 2**J, -(2**J)), axis=(1, 2)))
    np.testing.assert_allclose(S_shift, np.roll(S, (2, -1), axis=(2, 3)), atol=1e-10)


def test_small_shifts_change_coefficients_less_as_J_grows():
    # Stability to translations: a 1-pixel shift moves S_J x by less when 2**J is larger.
    x = camera(64)[None]
    changes = []
    for J in (1, 3):
        sa = ScatteringAverager(J=J, L=4, padding="periodic", nonlinearity="modulus", max_order=1).fit(x)
        changes.append(_rel(sa.transform(np.roll(x, 1, axis=2)), sa.transform(x)))
    assert changes[1] < 0.5 * changes[0]


@pytest.mark.parametrize("nonlinearity,padding,ndim", [
    ("modulus", "reflect", 2), ("relu", "periodic", 2), ("modulus", "reflect", 1), ("relu", "reflect", 1),
])
def test_vjp_matches_finite_differences(nonlinearity, padding, ndim, rng):
    x = camera(16)[None] if ndim == 2 else random_walk(2, 64)
    sa = ScatteringAverager(J=2, L=4, max_order=2, nonlinearity=nonlinearity, padding=padding,
                            n_phases=4).fit(x)
    G = rng.standard_normal(sa.transform(x).shape)
    grad = sa.transform_vjp(x, G)
    assert grad.shape == x.shape
    v = rng.standard_normal(x.shape)
    eps = 1e-6
    fd = (np.sum(G * sa.transform(x + eps * v)) - np.sum(G * sa.transform(x - eps * v))) / (2 * eps)
    assert abs(np.sum(grad * v) - fd) < 1e-5 * max(1.0, abs(fd))


def test_order1_is_prefix_of_order2():
    x = random_walk(2, 128)
    s1 = ScatteringAverager(J=3, max_order=1, nonlinearity="relu", flatten=False).fit(x)
    s2 = ScatteringAverager(J=3, max_order=2, nonlinearity="relu", flatten=False).fit(x)
    order = s2.channel_table_["order"]
    np.testing.assert_allclose(s2.transform(x)[:, order < 2], s1.transform(x), atol=1e-12)
    assert s1.n_channels_ == 1 + 4 * len(np.unique(s2.channel_table_["n1"][order == 1]))


def test_second_order_without_paths_says_so():
    x = np.random.default_rng(0).standard_normal((2, 64))
    with pytest.warns(UserWarning, match="max_order=2 adds no second-order coefficient"):
        est = ScatteringAverager(J=2, Q=1, max_order=2, padding="periodic").fit(x)
    assert est.n_channels_ == ScatteringAverager(J=2, Q=1, padding="periodic").fit(x).n_channels_
