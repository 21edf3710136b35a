"""Tests for skphase.filters: Kymatio 0.3 agreement, frame bounds, periodisation, caching."""

import math
import types

import numpy as np
import pytest
from tests.conftest import bad_param

from skphase.filters import (
    FilterBank,
    PadSpec,
    bump_1d,
    bump_2d,
    bump_lowpass,
    filter_bank,
    gabor_2d,
    gaussian_1d,
    morlet_1d,
    morlet_2d,
    padding_geometry,
)


def _all_sets(bank):
    """(name, hat levels, j) for every filter set of the bank, low-pass included."""
    out = [("psi1", bank.psi1.hat, bank.psi1.j)]
    if bank.psi2 is not bank.psi1:
        out.append(("psi2", bank.psi2.hat, bank.psi2.j))
    out.append(("phi", tuple(h[None] for h in bank.phi.hat), np.array([bank.phi.j])))
    return out


def _frequencies(shape):
    return [2 * np.pi * np.fft.fftfreq(n) for n in shape]


@pytest.fixture
def kymatio_2d_float64(monkeypatch):
    """Kymatio's 2D filter_bank module, computing in float64 instead of float32.

    Kymatio builds its 2D filters in complex64 with a float32 rotation matrix,
    which limits any comparison to ~1e-7; swapping the dtypes its module sees
    checks that our definitions are Kymatio's to 1e-12.
    """
    pytest.importorskip("kymatio")
    import kymatio.scattering2d.filter_bank as kfb

    np64 = types.SimpleNamespace(**{name: getattr(np, name) for name in dir(np) if not name.startswith("__")})
    np64.complex64 = np.complex128
    np64.float32 = np.float64
    monkeypatch.setattr(kfb, "np", np64)
    return kfb


# ------------------------------------------------------------ Kymatio: Morlet
@pytest.mark.parametrize("shape, J, L", [((32, 32), 3, 4), ((24, 40), 2, 6), ((16, 16), 3, 5)])
def test_morlet_2d_matches_kymatio_every_level(kymatio_2d_float64, shape, J, L):
    bank = filter_bank(shape, J, L=L)
    ref = kymatio_2d_float64.filter_bank(shape[0], shape[1], J, L)
    assert len(bank.psi1) == len(ref["psi"]) == J * L
    for n, psi in enumerate(ref["psi"]):
        assert bank.psi1.j[n] == psi["j"] and bank.psi1.theta[n] == psi["theta"]
        for r, level in enumerate(psi["levels"]):
            # Kymatio's 2D levels are cropped, not periodised: our hat_crop.
            np.testing.assert_allclose(bank.psi1.hat_crop[r][n], level, rtol=0, atol=1e-12)
    assert bank.phi.j == ref["phi"]["j"] == J
    for r, level in enumerate(ref["phi"]["levels"]):
        np.testing.assert_allclose(bank.phi.hat_crop[r], level, rtol=0, atol=1e-12)


def test_morlet_2d_matches_kymatio_float32_output():
    kymatio_fb = pytest.importorskip("kymatio.scattering2d.filter_bank")
    bank = filter_bank((32, 48), 3, L=8)
    ref = kymatio_fb.filter_bank(32, 48, 3, 8)
    for n, psi in enumerate(ref["psi"]):
        for r, level in enumerate(psi["levels"]):
            # Kymatio's own single-precision rounding, ~1e-7 of the peak.
            np.testing.assert_allclose(bank.psi1.hat_crop[r][n], level, rtol=0, atol=2e-6)


def test_morlet_2d_constructors_match_kymatio(kymatio_2d_float64):
    from scipy.fft import fft2

    shape, sigma, theta, xi, slant = (24, 32), 1.6, 3 * np.pi / 8, 3 * np.pi / 8, 0.5
    kfb = kymatio_2d_float64
    np.testing.assert_allclose(morlet_2d(shape, sigma, theta, xi, slant),
                               fft2(kfb.morlet_2d(*shape, sigma, theta, xi, slant)).real, atol=1e-12)
    np.testing.assert_allclose(gabor_2d(shape, sigma, theta, xi, slant),
                               fft2(kfb.gabor_2d(*shape, sigma, theta, xi, slant)).real, atol=1e-12)


def test_morlet_2d_bank_is_the_same_built_in_chunks(monkeypatch):
    # Large grids build the bank a few filters at a time; every chunk must start from zero.
    from skphase.filters import _morlet

    whole = _morlet._morlet_2d_bank((32, 32), 3, 4)[0]
    monkeypatch.setattr(_morlet, "_CHUNK_VALUES", 5 * 32 * 32)   # chunks of 5, 5 and 2 filters
    chunked = _morlet._morlet_2d_bank((32, 32), 3, 4)[0]
    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-15)
    for k, (j, t) in enumerate([(j, t) for j in range(3) for t in range(4)]):
        one = morlet_2d((32, 32), 0.8 * 2 ** j, (int(4 - 4 / 2 - 1) - t) * np.pi / 4, 3 * np.pi / 4 / 2 ** j, 1.0)
        np.testing.assert_allclose(chunked[k], one, rtol=0, atol=1e-12)


@pytest.mark.parametrize("N, J, Q", [(256, 3, 1), (1024, 5, 8), (512, 4, 2)])
def test_morlet_1d_matches_kymatio_every_level(N, J, Q):
    kymatio_fb = pytest.importorskip("kymatio.scattering1d.filter_bank")
    bank = filter_bank((N,), J, Q=Q)
    phi, psi1, psi2 = kymatio_fb.scattering_filter_factory(N, J, (Q, 1), 2 ** J)
    for ours, theirs in ((bank.psi1, psi1), (bank.psi2, psi2)):
        assert len(ours) == len(theirs)
        for n, psi in enumerate(theirs):
            assert ours.j[n] == psi["j"]
            assert ours.xi[n] == pytest.approx(2 * np.pi * psi["xi"], rel=1e-15)
            assert ours.sigma[n] == pytest.approx(2 * np.pi * psi["sigma"], rel=1e-15)
            for r, level in enumerate(psi["levels"]):
                np.testing.assert_allclose(ours.hat[r][n], level, rtol=0, atol=1e-12)
    assert bank.phi.j == phi["j"] == J
    for r, level in enumerate(phi["levels"]):
        np.testing.assert_allclose(bank.phi.hat[r], level, rtol=0, atol=1e-12)
    assert (bank.psi2 is bank.psi1) == (Q == 1)


def test_morlet_1d_constructors_match_kymatio():
    kymatio_fb = pytest.importorskip("kymatio.scattering1d.filter_bank")
    xi, sigma = 0.3, 0.05  # cycles per sample
    np.testing.assert_allclose(morlet_1d(200, 2 * np.pi * xi, 2 * np.pi * sigma),
                               kymatio_fb.morlet_1d(200, xi, sigma), atol=1e-12)
    np.testing.assert_allclose(gaussian_1d(200, 2 * np.pi * sigma), kymatio_fb.gauss_1d(200, sigma),
                               atol=1e-12)


# ------------------------------------------------------- Kymatio: padding
@pytest.mark.filterwarnings("ignore:Signal support is too small:UserWarning")
@pytest.mark.parametrize("N, J, Q", [(100, 3, 1), (1000, 4, 8), (37, 5, 1), (256, 8, 1),
                                     (513, 2, 1), (32, 5, 2)])
def test_reflect_padding_1d_matches_kymatio(N, J, Q):
    pytest.importorskip("kymatio")
    from kymatio.scattering1d.frontend.base_frontend import ScatteringBase1D

    ref = ScatteringBase1D(J, N, Q=Q)
    ref.build()  # geometry only; filters are built by create_filters
    spec = padding_geometry((N,), J, mode="reflect", Q=Q)
    assert spec.padded_shape == (ref._N_padded,)
    assert (spec.pad_before, spec.pad_after) == ((ref.pad_left,), (ref.pad_right,))
    for level in range(J + 1):
        assert spec.crop(level) == (slice(ref.ind_start[level], ref.ind_end[level]),)


@pytest.mark.parametrize("shape, J", [((32, 32), 2), ((30, 45), 3), ((17, 64), 4), ((33, 40), 5)])
def test_reflect_padding_2d_matches_kymatio(shape, J):
    pytest.importorskip("kymatio")
    from kymatio.scattering2d.backend.numpy_backend import backend as numpy_backend
    from kymatio.scattering2d.frontend.base_frontend import ScatteringBase2D

    stub = types.SimpleNamespace(Pad=lambda pad_size, input_size: pad_size, unpad=None)
    ref = ScatteringBase2D(J, shape, L=2, backend=stub)
    ref.build()  # geometry only
    spec = padding_geometry(shape, J, mode="reflect")
    assert spec.padded_shape == (ref._M_padded, ref._N_padded)
    before_after = [spec.pad_before[0], spec.pad_after[0], spec.pad_before[1], spec.pad_after[1]]
    assert before_after == list(ref.pad)
    coarse = np.arange(np.prod(spec.padded_shape) // 4 ** J).reshape([s // 2 ** J for s in spec.padded_shape])
    np.testing.assert_array_equal(coarse[spec.crop(J)], numpy_backend.unpad(coarse))
    # At full resolution the crop is the signal itself.
    assert spec.crop(0) == tuple(slice(b, b + s) for b, s in zip(spec.pad_before, shape))


def test_reflect_padding_1d_warns_when_the_low_pass_outgrows_the_signal():
    # T = 32 on 37 samples: the low-pass tail never drops below 1e-3 (Kymatio warns too).
    with pytest.warns(UserWarning, match="border effects"):
        padding_geometry((37,), 5, mode="reflect")


def test_crop_levels_are_nested_and_inside_the_signal():
    spec = padding_geometry((45, 30), 3, mode="reflect")
    for level in range(4):
        for axis, sl in enumerate(spec.crop(level)):
            start, stop = sl.start * 2 ** level, sl.stop * 2 ** level
            # Conservative 2D rule: whole coarse cells inside [before, before + size).
            assert spec.pad_before[axis] <= start and stop <= spec.pad_before[axis] + spec.input_shape[axis]


def test_periodic_padding_is_identity():
    spec = padding_geometry((64, 32), 4)
    assert isinstance(spec, PadSpec)
    assert spec.padded_shape == spec.input_shape == (64, 32)
    assert spec.pad_before == spec.pad_after == (0, 0)
    x = np.zeros((4, 2))
    assert x[spec.crop(4)].shape == (4, 2)


# ------------------------------------------------------- Littlewood-Paley
@pytest.mark.parametrize("shape, J, Q", [((64, 64), 3, 1), ((48, 32), 4, 1), ((512,), 5, 1),
                                         ((512,), 5, 8), ((256,), 4, 3)])
def test_bump_is_a_tight_frame(shape, J, Q):
    # Design: squared radial windows form a partition of unity with the low-pass
    # and the angular windows sum to a constant (see skphase.filters._bump).
    bank = filter_bank(shape, J, Q=Q, wavelet="bump")
    lo, hi = bank.littlewood_paley_bounds(1)
    assert 1 - 1e-12 <= lo <= hi <= 1 + 1e-12
    if bank.ndim == 1 and Q > 1:
        # The low-pass completes the Q-per-octave bank; the Q = 1 second order
        # bank overlaps it over one octave: LP in [1, 2).
        lo2, hi2 = bank.littlewood_paley_bounds(2)
        assert 1 - 1e-12 <= lo2 and hi2 < 2
        assert hi2 > 1.5  # the overlap is real, not a degenerate grid


@pytest.mark.parametrize("L", [1, 2, 3, 8])
def test_bump_2d_tight_for_any_number_of_orientations(L):
    lo, hi = filter_bank((32, 32), 2, L=L, wavelet="bump").littlewood_paley_bounds()
    assert 1 - 1e-12 <= lo <= hi <= 1 + 1e-12


def test_morlet_littlewood_paley_bounds():
    # Kymatio's Morlet bank is not a tight frame.  Design facts behind the bounds:
    # filters have unit-peak responses (phi_hat(0) = 1, |psi_hat| <= ~1) and
    # overlap little, so LP stays near or below 1; neighbouring wavelets cross at
    # r_psi^2 = 1/2 of their peak power, the analytic 1D symmetrisation halves
    # it, and Gaussian tails leave the 2D corners (+-pi, +-pi) and, for Q > 1,
    # the 1D Nyquist band (above xi_max = 0.435 cycles) weakly covered.
    lo, hi = filter_bank((64, 64), 3).littlewood_paley_bounds()
    assert 0.1 <= lo and hi <= 1.1
    lp = filter_bank((64, 64), 3).littlewood_paley()
    w0, w1 = np.meshgrid(*_frequencies((64, 64)), indexing="ij")
    assert lp[np.hypot(w0, w1) <= 3 * np.pi / 4].min() >= 0.5  # inside the finest xi
    for Q in (1, 8):
        bank = filter_bank((1024,), 5, Q=Q)
        lp = bank.littlewood_paley()
        w = np.abs(_frequencies((1024,))[0])
        assert lp.max() <= 1 + 1e-9
        assert lp[w <= bank.psi1.xi[0]].min() >= 0.15
        assert lp.min() > (1e-4 if Q > 1 else 0.15)


def test_littlewood_paley_rejects_bad_order():
    bank = filter_bank((64,), 2)
    with pytest.raises(ValueError, match=bad_param("order", "1 or 2", "3")):
        bank.littlewood_paley(3)


# ----------------------------------------------------------- periodisation
@pytest.mark.parametrize("shape, J, wavelet", [((32, 16), 3, "morlet"), ((32, 32), 2, "bump"),
                                               ((128,), 4, "morlet"), ((128,), 4, "bump")])
def test_levels_are_dft_of_subsampled_filter(shape, J, wavelet):
    bank = filter_bank(shape, J, L=4, Q=2, wavelet=wavelet)
    axes = tuple(range(1, len(shape) + 1))
    for name, hat, _ in _all_sets(bank):
        spatial = np.fft.ifftn(hat[0], axes=axes)
        scale = np.abs(hat[0]).max()
        for r in range(J + 1):
            sub = spatial[(slice(None),) + (slice(None, None, 2 ** r),) * len(shape)]
            expected = np.fft.fftn(sub, axes=axes)
            assert hat[r].shape == expected.shape, name
            np.testing.assert_allclose(hat[r], expected.real, rtol=0, atol=1e-12 * scale, err_msg=name)
            np.testing.assert_allclose(expected.imag, 0, atol=1e-12 * scale, err_msg=name)


def test_crop_levels_keep_the_low_frequencies():
    bank = filter_bank((16, 8), 2, L=2)
    h0, h1 = bank.psi1.hat[0], bank.psi1.hat_crop[1]
    np.testing.assert_array_equal(h1[:, :4, :2], h0[:, :4, :2])
    np.testing.assert_array_equal(h1[:, 4:, 2:], h0[:, 12:, 6:])


# ------------------------------------------------------------------- bump
@pytest.mark.parametrize("shape, J, Q", [((64, 64), 3, 1), ((512,), 4, 4), ((256,), 5, 1)])
def test_bump_zero_mean_and_support(shape, J, Q):
    bank = filter_bank(shape, J, L=6, Q=Q, wavelet="bump")
    freqs = np.meshgrid(*_frequencies(shape), indexing="ij")
    for fs in (bank.psi1, bank.psi2):
        hat = fs.hat[0]
        assert np.all(hat[(slice(None),) + (0,) * len(shape)] == 0)  # psi_hat(0) = 0
        for n in range(len(fs)):
            j = fs.j[n]
            if j == 0:
                continue  # the band of resolution 1 is the whole grid
            outside = np.zeros(shape, dtype=bool)
            for w in freqs:
                outside |= np.abs(w) >= np.pi / 2 ** j
            assert np.all(hat[n][outside] == 0), (n, j)
            # No aliasing down to its own resolution: cropping = periodising up to 2**(r d).
            for r in range(j + 1):
                np.testing.assert_allclose(fs.hat_crop[r][n], 2 ** (r * len(shape)) * fs.hat[r][n],
                                           rtol=0, atol=1e-14)
    # The low-pass fits resolution 2**J.
    radius = np.sqrt(sum(w ** 2 for w in freqs))
    assert np.all(bank.phi.hat[0][radius >= np.pi / 2 ** J] == 0)
    assert bank.phi.hat[0][(0,) * len(shape)] == 1


def test_bump_1d_is_analytic():
    bank = filter_bank((256,), 4, Q=2, wavelet="bump")
    w = _frequencies((256,))[0]
    negative = (w < 0) & (w > -np.pi)  # the bin at -pi also stands for +pi
    for fs in (bank.psi1, bank.psi2):
        assert np.all(fs.hat[0][:, negative] == 0)
        assert np.all(fs.hat[0] >= 0)
        # Peak sqrt(2) at its centre frequency (analytic normalisation); the bump
        # is flat to order 8 there and the nearest bin is within half a bin.
        for n in range(len(fs)):
            assert fs.hat[0][n].max() <= math.sqrt(2) + 1e-15
            centre_bin = int(round(fs.xi[n] / (2 * np.pi / 256)))
            assert fs.hat[0][n][centre_bin] == pytest.approx(math.sqrt(2), rel=1e-4)


def test_bump_constructors():
    psi = bump_2d((32, 32), np.pi / 4, 0.0, L=4)
    assert psi.shape == (32, 32) and psi[0, 0] == 0 and np.all(psi[:, 0][17:] == 0)
    assert np.argmax(psi[:, 0]) == 4
    # Support (xi 2^-1/2, xi 2^1/2) = bins (5.66, 11.31) for xi = bin 8.
    psi = bump_1d(64, np.pi / 4, Q=2)
    assert np.all(psi[6:12] > 0) and np.all(psi[:6] == 0) and np.all(psi[12:] == 0)
    phi = bump_lowpass((64,), np.pi / 8)
    assert phi[0] == 1 and np.all(phi[4:61] == 0)
    with pytest.raises(ValueError, match=bad_param("xi", r"a float in \(0, pi\]")):
        bump_1d(64, 4.0)


@pytest.mark.parametrize("wavelet", ["morlet", "bump"])
@pytest.mark.parametrize("L", [4, 5, 8])
def test_orientation_convention_2d(wavelet, L):
    """Filter theta=t of either family peaks in Fourier at the documented angle.

    The angle is (int(L - L/2 - 1) - t) pi / L, measured from the first (row)
    frequency axis towards the second: Morlet and bump banks share it, so a
    mirrored bank (t -> -angle) misses by 2 * angle >= 2 pi / L for every t
    whose angle is not 0 or pi / 2 (checked at 1 / 16 rad grid resolution).
    """
    shape = (128, 128)
    bank = filter_bank(shape, 2, L=L, wavelet=wavelet)
    w0, w1 = np.meshgrid(*_frequencies(shape), indexing="ij")
    seen_nonzero = False
    for n in np.flatnonzero(bank.psi1.j == 1):
        expected = (int(L - L / 2 - 1) - bank.psi1.theta[n]) * np.pi / L
        peak = np.unravel_index(np.argmax(bank.psi1.hat[0][n]), shape)
        angle = np.arctan2(w1[peak], w0[peak])
        assert abs(np.angle(np.exp(1j * (angle - expected)))) < np.pi / (4 * L), (n, angle, expected)
        seen_nonzero |= abs(np.sin(2 * expected)) > 1e-9
        if wavelet == "bump":
            # the bank's filter is the public constructor at the documented angle
            np.testing.assert_allclose(bank.psi1.hat[0][n],
                                       bump_2d(shape, float(bank.psi1.xi[n]), expected, L=L), atol=1e-14)
    assert seen_nonzero


# ---------------------------------------------------- caching and contract
def test_cache_returns_the_same_read_only_object():
    bank = filter_bank((32, 32), 2)
    assert isinstance(bank, FilterBank)
    assert filter_bank([32, 32], 2, L=8, Q=1, wavelet="morlet") is bank
    assert filter_bank((32, 32), 2, L=4) is not bank
    assert bank.psi2 is bank.psi1
    arrays = list(bank.psi1.hat) + list(bank.psi1.hat_crop) + list(bank.phi.hat)
    arrays += [bank.psi1.j, bank.psi1.theta, bank.psi1.xi, bank.psi1.sigma]
    for a in arrays:
        assert not a.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        bank.psi1.hat[0][0, 0, 0] = 1.0
    assert padding_geometry((300,), 2, mode="reflect") is padding_geometry((300,), 2, mode="reflect")


def test_bank_layout_2d():
    bank = filter_bank((32, 16), 3, L=4)
    assert (bank.ndim, bank.shape, bank.J, bank.L) == (2, (32, 16), 3, 4)
    assert len(bank.psi1) == 12
    np.testing.assert_array_equal(bank.psi1.j, np.repeat(np.arange(3), 4))
    np.testing.assert_array_equal(bank.psi1.theta, np.tile(np.arange(4), 3))
    np.testing.assert_allclose(bank.psi1.xi, 3 * np.pi / 4 / 2.0 ** bank.psi1.j)
    np.testing.assert_allclose(bank.psi1.sigma, 0.8 * 2.0 ** bank.psi1.j)
    assert bank.phi.sigma == pytest.approx(0.8 * 4)
    for r in range(4):
        assert bank.psi1.hat[r].shape == (12, 32 // 2 ** r, 16 // 2 ** r)
        assert bank.phi.hat[r].shape == (32 // 2 ** r, 16 // 2 ** r)
        assert bank.psi1.hat[r].dtype == np.float64


def test_levels_stop_where_sizes_stop_halving():
    # full-resolution transforms work at any size; coarse levels exist while sizes halve exactly
    bank = filter_bank((30, 32), 3, L=4)
    assert len(bank.psi1.hat) == len(bank.phi.hat_crop) == 2
    assert bank.psi1.hat[1].shape == (4 * 3, 15, 16)
    assert len(filter_bank((5,), 2).psi1.hat) == 1


def test_bank_layout_1d_decreasing_xi():
    bank = filter_bank((256,), 4, Q=4, wavelet="bump")
    assert np.all(np.diff(bank.psi1.xi) < 0) and len(bank.psi1) == 16 and len(bank.psi2) == 4
    np.testing.assert_array_equal(bank.psi1.j, np.arange(16) // 4)
    assert np.all(bank.psi1.theta == 0)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(shape=(32,), J=0), ValueError, bad_param("J", r"an int in the range \[1, inf\)", "0")),
    (dict(shape=(32,), J=2.0), TypeError, bad_param("J", "an int", r"2\.0")),
    (dict(shape=(32,), J=True), TypeError, bad_param("J", "an int", "True")),
    (dict(shape=(32, 32), J=2, L=0), ValueError, bad_param("L", r"an int in the range \[1", "0")),
    (dict(shape=(32,), J=2, Q=0), ValueError, bad_param("Q", r"an int in the range \[1", "0")),
    (dict(shape=(32,), J=2, wavelet="haar"), ValueError, bad_param("wavelet", r"one of \('morlet', 'bump'\)", "'haar'")),
    (dict(shape=(8, 8, 8), J=1), ValueError, bad_param("shape", r"a tuple \(N,\) or \(M, N\)", r"\(8, 8, 8\)")),
    (dict(shape=32, J=1), TypeError, bad_param("shape", "a tuple", "32")),
    (dict(shape=(0,), J=1), ValueError, bad_param("shape", "a tuple .* >= 1", r"\(0,\)")),
])
def test_filter_bank_rejects_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        filter_bank(**kwargs)


@pytest.mark.parametrize("args, kwargs, match", [
    (((30, 32), 2), {}, r"shape\[0\]=30 is not divisible by 2\*\*J=4.*'reflect'"),
    (((32,), 2), dict(mode="zero"), bad_param("mode", r"one of \('periodic', 'reflect'\)", "'zero'")),
    (((16, 32), 4), dict(mode="reflect"), r"shape\[0\]=16 is too small for mode='reflect' with J=4"),
    (((15,), 4), dict(mode="reflect"), r"shape\[0\]=15 is smaller than 2\*\*J=16"),
    (((32,), 2), dict(Q=0), bad_param("Q", r"an int in the range \[1", "0")),
])
def test_padding_geometry_rejects_bad_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        padding_geometry(*args, **kwargs)


def test_crop_rejects_bad_level():
    spec = padding_geometry((32,), 3)
    with pytest.raises(ValueError, match=r"level=6 is too coarse: padded_shape\[0\]=32"):
        spec.crop(6)
    with pytest.raises(ValueError, match=bad_param("level", r"an int in the range \[0", "-1")):
        spec.crop(-1)


def test_every_public_function_declares_its_parameters():
    import skphase.filters

    functions = [getattr(skphase.filters, n) for n in skphase.filters.__all__]
    functions = [f for f in functions if callable(f) and not isinstance(f, type)]
    assert len(functions) == 9
    for f in functions:
        assert hasattr(f, "__skphase_constraints__"), f.__name__
    with pytest.raises(ValueError, match=bad_param("highpass", "an instance of 'bool'", "'no'")):
        bump_2d((16, 16), 1.0, 0.0, highpass="no")


def test_hat_crop_is_built_once_and_leaves_the_callers_arrays_alone():
    from skphase.filters import FilterSet

    hat0 = np.ones((2, 8, 8))
    levels = (hat0, np.ones((2, 4, 4)))
    fs = FilterSet(hat=levels, j=np.zeros(2, int), theta=np.zeros(2, int), xi=np.zeros(2), sigma=np.zeros(2))
    crop = fs.hat_crop
    assert crop is fs.hat_crop and crop[0] is hat0 and crop[1].shape == (2, 4, 4)
    assert hat0.flags.writeable and not crop[1].flags.writeable
