"""Property-based tests: random shapes, dtypes, scales, offsets and parameters at their bounds.

For every draw, an estimator either refuses the input with a ValueError/TypeError that
names the offending argument, or returns a result that satisfies the invariants that
hold for every input: exact inverses, linearity/homogeneity where the maths has it,
float32 = float64, numpy = torch, and independence of batch size and ``n_jobs``.
Example budgets are small (CI runs them all) and the draws are derandomized, so a
failure reproduces.
"""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from skphase import PhaseHarmonicTransform, ScatteringAverager  # noqa: E402

FAST = settings(max_examples=12, deadline=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow])


def _signals(draw, ndim, n_max=3, side=(4, 40)):
    n = draw(st.integers(1, n_max))
    if ndim == 1:
        shape = (draw(st.integers(8, 4 * side[1])),)
    else:
        shape = (draw(st.integers(*side)), draw(st.integers(*side)))
    seed = draw(st.integers(0, 2**16))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    offset = draw(st.sampled_from([0.0, -5.0, 1e2]))
    x = offset + scale * np.random.default_rng(seed).standard_normal((n,) + shape)
    return x


@st.composite
def transform_case(draw, ndim):
    x = _signals(draw, ndim)
    smallest = min(x.shape[1:])
    J = draw(st.one_of(st.none(), st.integers(1, max(1, int(np.log2(smallest))))))
    return x, J


def _names_argument(error, *names):
    message = str(error)
    return any(name in message for name in names)


@pytest.mark.parametrize("ndim", [1, 2])
@FAST
@given(data=st.data())
def test_phase_harmonic_transform_is_exactly_invertible_or_refuses(ndim, data):
    x, J = data.draw(transform_case(ndim))
    n_phases = data.draw(st.sampled_from([2, 4, 6]))
    est = PhaseHarmonicTransform(J=J, L=data.draw(st.integers(1, 4)), n_phases=n_phases)
    try:
        U = est.fit(x).transform(x)
    except ValueError as error:
        assert _names_argument(error, "J", "X", "shape"), error
        return
    assert U.shape == (x.shape[0], est.n_channels_ * int(np.prod(x.shape[1:])))
    try:
        x_back = est.inverse_transform(U)
    except ValueError as error:  # a bank that leaves frequencies uncovered: said, not guessed
        assert "ill-conditioned" in str(error) and est.frame_bounds_[0] < 1e-8 * est.frame_bounds_[1]
        return
    assert x_back.shape == x.shape
    # the frame's conditioning bounds the relative error of the least-squares inverse
    lo, hi = est.frame_bounds_
    tol = 1e-9 * max(1.0, hi / lo)
    assert np.linalg.norm(x_back - x) <= tol * np.linalg.norm(x)


@pytest.mark.parametrize("ndim", [1, 2])
@FAST
@given(data=st.data())
def test_phase_harmonic_transform_commutes_with_circular_shifts(ndim, data):
    x, J = data.draw(transform_case(ndim))
    est = PhaseHarmonicTransform(J=J, L=2, flatten=False)
    try:
        est.fit(x)
    except ValueError:
        return
    shift = tuple(data.draw(st.integers(0, s - 1)) for s in x.shape[1:])
    axes = tuple(range(1, x.ndim))
    U = est.transform(x)
    U_shifted = est.transform(np.roll(x, shift, axis=axes))
    assert np.allclose(U_shifted, np.roll(U, shift, axis=tuple(a + 1 for a in axes)), atol=1e-10 * np.abs(U).max())


@pytest.mark.parametrize("ndim", [1, 2])
@FAST
@given(data=st.data())
def test_rectified_transforms_are_positively_homogeneous(ndim, data):
    """rho(a x) = a rho(x) for a > 0: so are U and S (any padding, any order)."""
    x, J = data.draw(transform_case(ndim))
    a = data.draw(st.sampled_from([1e-6, 0.5, 3.0, 1e6]))
    est = ScatteringAverager(J=J, L=2, max_order=data.draw(st.integers(1, 2)),
                             padding=data.draw(st.sampled_from(["reflect", "periodic"])))
    try:
        S = est.fit(x).transform(x)
    except ValueError as error:
        assert _names_argument(error, "J", "X", "padding"), error
        return
    Sa = est.transform(a * x)
    assert np.allclose(Sa, a * S, rtol=1e-9, atol=1e-12 * a * np.abs(S).max())


@pytest.mark.parametrize("ndim", [1, 2])
@FAST
@given(data=st.data())
def test_batch_size_n_jobs_and_dtype_do_not_change_the_result(ndim, data):
    x, J = data.draw(transform_case(ndim))
    kind = data.draw(st.sampled_from([PhaseHarmonicTransform, ScatteringAverager]))
    try:
        reference = kind(J=J, L=2).fit(x).transform(x)
    except ValueError:
        return
    batch_size = data.draw(st.integers(1, x.shape[0]))
    n_jobs = data.draw(st.sampled_from([1, 2]))
    other = kind(J=J, L=2, batch_size=batch_size, n_jobs=n_jobs).fit(x).transform(x)
    assert np.array_equal(other, reference) or np.allclose(other, reference, rtol=1e-12,
                                                           atol=1e-12 * np.abs(reference).max())
    single = kind(J=J, L=2).fit(x.astype(np.float32)).transform(x.astype(np.float32))
    assert single.dtype == np.float32
    assert np.allclose(single, reference, rtol=1e-3, atol=1e-4 * np.abs(reference).max())


@pytest.mark.parametrize("ndim", [1, 2])
@FAST
@given(data=st.data())
def test_numpy_and_torch_backends_agree(ndim, data):
    torch = pytest.importorskip("torch")
    x, J = data.draw(transform_case(ndim))
    kind = data.draw(st.sampled_from([PhaseHarmonicTransform, ScatteringAverager]))
    try:
        reference = kind(J=J, L=2).fit(x).transform(x)
    except ValueError:
        return
    via_torch = kind(J=J, L=2, backend="torch").fit(torch.from_numpy(x)).transform(torch.from_numpy(x))
    assert np.allclose(via_torch.numpy(), reference, rtol=1e-9, atol=1e-10 * np.abs(reference).max())


_BAD_VALUES = [True, False, -1, 0, 1.5, 2.0, "3", None, np.nan, (2, 2), np.int64(2)]
_BOOLEAN_PARAMETERS = {"flatten", "multichannel", "verbose"}


@pytest.mark.parametrize("kind", [PhaseHarmonicTransform, ScatteringAverager])
def test_any_bad_parameter_is_refused_naming_it(kind):
    """Every parameter x every odd value: refused with its name, or a legitimate value that works."""
    x = np.random.default_rng(0).standard_normal((2, 16, 16))
    for name in kind().get_params():
        for value in _BAD_VALUES:
            est = kind(L=2).set_params(**{name: value})
            try:
                out = est.fit(x).transform(x)
            except (ValueError, TypeError) as error:
                assert name in str(error), (name, value, str(error))
                continue
            assert np.all(np.isfinite(out)), (name, value)
            if isinstance(value, (bool, np.bool_)):
                assert name in _BOOLEAN_PARAMETERS, (name, value)


@pytest.mark.parametrize("kind", [PhaseHarmonicTransform, ScatteringAverager])
def test_sizes_that_cannot_fit_are_refused_before_allocating(kind, monkeypatch):
    x = np.random.default_rng(0).standard_normal((4, 32, 32))
    with pytest.raises(MemoryError, match=r"smaller L"):
        kind(J=2, L=10**7).fit(x)
    with pytest.raises(ValueError, match=r"J=1000000000 needs"):
        kind(J=10**9).fit(x)
    est = kind(J=2, L=2).fit(x)
    need = est.transform(x).nbytes
    import skphase.utils._memory as memory

    monkeypatch.setattr(memory, "available_bytes", lambda: need - 1)
    with pytest.raises(MemoryError, match=r"slices of fewer samples"):
        est.transform(x)
    monkeypatch.setattr(memory, "available_bytes", lambda: need)
    assert est.transform(x).nbytes == need


@pytest.mark.parametrize("kind", [PhaseHarmonicTransform, ScatteringAverager])
@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_n_jobs_refuses_booleans(kind, value):
    with pytest.raises(TypeError, match="n_jobs"):
        kind(n_jobs=value).fit(np.zeros((2, 16)) + np.arange(16))


@pytest.mark.parametrize("dtype, scales", [(np.float32, [1e-30, 1e-20, 1e20, 1e30]),
                                           (np.float64, [1e-200, 1e-160, 1e160, 1e200])])
@pytest.mark.parametrize("ndim", [1, 2])
def test_modulus_is_homogeneous_where_its_squares_would_under_or_overflow(dtype, scales, ndim):
    """|a z| = a |z| out to the ends of the dtype's range: the kernels' fast sqrt(re^2 + im^2)
    falls back to hypot on maps whose squares leave the normal range."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 32, 32) if ndim == 2 else (2, 512)).astype(dtype)
    est = ScatteringAverager(J=3, max_order=2, nonlinearity="modulus").fit(x)
    S = est.transform(x)
    rtol = 5e-6 if dtype == np.float32 else 1e-13
    for a in scales:
        Sa = est.transform(x * dtype(a))
        assert np.all(np.isfinite(Sa)), a
        np.testing.assert_allclose(Sa / dtype(a), S, rtol=rtol, atol=rtol * np.abs(S).max(), err_msg=str(a))
