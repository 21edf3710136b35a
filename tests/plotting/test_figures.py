"""Tests of skphase.plotting: figures are built, titles are readable, panels show what they say."""

from __future__ import annotations

import io
import re
import sys

import numpy as np
import pytest
from tests.conftest import bad_param

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from skphase import PhaseHarmonicTransform, ScatteringAverager  # noqa: E402
from skphase.filters import filter_bank  # noqa: E402
from skphase.plotting import (  # noqa: E402
    angle_label,
    channel_labels,
    plot_coefficients,
    plot_comparison,
    plot_filter_bank,
    plot_image_rows,
    plot_scattering,
)

RAW_CODE = re.compile(r"psi_j|_t\d|_p\d|^s\d_|phi_j")


def _panels(fig):
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def _colorbars(fig):
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def _render(fig):
    assert isinstance(fig, Figure)
    assert fig.canvas.manager is None  # not a pyplot figure: no global state
    fig.savefig(io.BytesIO(), format="png", dpi=30)


@pytest.mark.parametrize("L", [4, 5, 8])
def test_angle_label_is_the_documented_angle(L):
    for t in range(L):
        label = angle_label(t, L)
        value = 0.0 if label == "0" else eval(re.sub(r"^(-?)π", r"\g<1>1π", label).replace("π", "*np.pi"))
        assert value == pytest.approx((int(L - L / 2 - 1) - t) * np.pi / L)


def test_plot_filter_bank_2d_fourier_panels_and_colour_bars():
    bank = filter_bank((32, 32), 2, L=4)
    fig = plot_filter_bank(bank, n_show=2)
    _render(fig)
    panels = _panels(fig)
    assert len(panels) == 6 and len(_colorbars(fig)) == 6
    fourier = panels[:3]
    assert all(ax.get_title().startswith("Fourier domain") for ax in fourier)
    assert all(not RAW_CODE.search(ax.get_title()) for ax in panels)
    # the first wavelet panel is |psi_hat| of filter 0, centred, and says its angle
    np.testing.assert_allclose(fourier[1].images[0].get_array(), np.fft.fftshift(np.abs(bank.psi1.hat[0][0])))
    assert f"θ={angle_label(bank.psi1.theta[0], 4)}" in fourier[1].get_title()
    assert all("space" in ax.get_title() for ax in panels[3:])


def test_plot_filter_bank_1d():
    fig = plot_filter_bank(filter_bank((256,), 4, Q=2))
    _render(fig)
    assert len(fig.axes) == 2 and fig.axes[0].get_title().startswith("Fourier domain")


def test_plot_coefficients_titles_from_the_channel_table():
    x = np.random.default_rng(0).standard_normal((1, 32, 32))
    pht = PhaseHarmonicTransform(J=2, L=4, flatten=False).fit(x)
    U = pht.transform(x)[0]
    fig = plot_coefficients(x[0], U, pht.channel_table_, n_show=4)
    _render(fig)
    panels = _panels(fig)
    assert len(panels) == 5 and len(_colorbars(fig)) == 5
    titles = [ax.get_title() for ax in panels]
    assert titles[0] == "x (input)" and titles[1] == "low-pass φ, j=2"
    assert all(re.fullmatch(r"j=\d, θ=-?\d*π?(/\d)?, phase \d", t) for t in titles[2:]), titles
    assert not any(RAW_CODE.search(t) for t in titles)
    # the last panel is the last channel, and its title describes that channel
    np.testing.assert_array_equal(panels[-1].images[0].get_array(), U[-1])
    assert titles[-1] == channel_labels(pht.channel_table_)[-1]


def test_plot_coefficients_names_harmonics_and_signals():
    x = np.random.default_rng(1).standard_normal((1, 128))
    pht = PhaseHarmonicTransform(J=3, harmonics=(0, 1, 2), flatten=False).fit(x)
    labels = channel_labels(pht.channel_table_, two_d=False)
    assert labels[1:4] == ["n=0 (j=0), |z|", "n=0 (j=0), k=1 Re", "n=0 (j=0), k=1 Im"]
    fig = plot_coefficients(x[0], pht.transform(x)[0], pht.channel_table_, n_show=3)
    _render(fig)
    assert len(fig.axes) == 2
    names = [f"c{i}" for i in range(pht.n_channels_)]
    fig = plot_coefficients(x[0], pht.transform(x)[0], names, n_show=2)
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == ["c0", f"c{pht.n_channels_ - 1}"]
    with pytest.raises(ValueError, match="channels describe 3 channels but U has"):
        plot_coefficients(x[0], pht.transform(x)[0], ["a", "b", "c"])


@pytest.mark.parametrize("nonlinearity", ["modulus", "relu"])
def test_plot_scattering_grids_are_the_channel_means(nonlinearity):
    x = np.random.default_rng(2).standard_normal((1, 32, 32))
    sa = ScatteringAverager(J=3, L=4, max_order=2, nonlinearity=nonlinearity, flatten=False).fit(x)
    S = sa.transform(x)[0]
    table = sa.channel_table_
    fig = plot_scattering(S, table)
    _render(fig)
    panels = _panels(fig)
    assert len(panels) == 2 and len(_colorbars(fig)) == 2
    assert panels[0].get_title() == "order 1: spatial mean of S1 on (j, θ)"
    assert [t.get_text() for t in panels[0].get_xticklabels()] == [angle_label(t, 4) for t in range(4)]
    means = S.reshape(S.shape[0], -1).mean(axis=1)
    grid1 = panels[0].images[0].get_array()
    assert grid1.shape == (3, 4)
    first = table["order"] == 1
    for j in range(3):
        for t in range(4):
            cell = first & (table["j1"] == j) & (table["theta1"] == t)
            assert grid1[j, t] == pytest.approx(means[cell].mean())  # mean over phases for relu
    grid2 = np.ma.filled(panels[1].images[0].get_array(), np.nan)
    second = table["order"] == 2
    for j1 in range(3):
        for j2 in range(3):
            cell = second & (table["j1"] == j1) & (table["j2"] == j2)
            if cell.any():
                assert grid2[j1, j2] == pytest.approx(means[cell].mean())
            else:
                assert np.isnan(grid2[j1, j2])


def test_plot_scattering_1d_and_bad_tables():
    x = np.random.default_rng(3).standard_normal((1, 256))
    sa = ScatteringAverager(J=3, Q=2, max_order=2, nonlinearity="modulus", flatten=False).fit(x)
    fig = plot_scattering(sa.transform(x)[0], sa.channel_table_)
    _render(fig)
    assert len(_panels(fig)) == 2 and len(_colorbars(fig)) == 1
    with pytest.raises(ValueError, match="S has 3 channels"):
        plot_scattering(np.zeros((3, 4)), sa.channel_table_)
    with pytest.raises(ValueError, match="key 'order'"):
        plot_scattering(np.zeros((3, 4)), {"kind": np.zeros(3)})
    with pytest.raises(ValueError, match="channel_table_"):
        channel_labels({"foo": np.zeros(2)})


def test_bad_arguments_name_the_parameter():
    with pytest.raises(TypeError, match=bad_param("bank")):
        plot_filter_bank("bank")
    with pytest.raises(ValueError, match=bad_param("n_show", r"an int in the range \[1", "0")):
        plot_filter_bank(filter_bank((32, 32), 2), n_show=0)
    with pytest.raises(TypeError, match=bad_param("figsize", r"None or a pair \(width, height\)")):
        plot_scattering(np.zeros(3), {"order": np.zeros(3)}, figsize=(1, 2, 3))


def test_every_figure_needs_matplotlib_and_says_how_to_install(monkeypatch):
    x = np.random.default_rng(4).standard_normal((1, 16, 16))
    sa = ScatteringAverager(J=2, L=4, flatten=False).fit(x)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    calls = [
        lambda: plot_filter_bank(filter_bank((16, 16), 2, L=4)),
        lambda: plot_coefficients(x[0], sa.transform(x)[0], sa.channel_table_),
        lambda: plot_scattering(sa.transform(x)[0], sa.channel_table_),
        lambda: plot_comparison(x[0], x),
        lambda: plot_image_rows([("x", x)]),
    ]
    for call in calls:
        with pytest.raises(ImportError, match=r"pip install skphase\[plot\]"):
            call()


def test_figures_have_one_home():
    import skphase.metrics

    # metrics compute numbers; skphase.plotting draws them (no shim re-exports a figure)
    assert not hasattr(skphase.metrics, "plot_comparison")
    assert "plot_comparison" in skphase.plotting.__all__


def test_plot_image_rows_shows_each_row_on_one_clipped_scale():
    rng = np.random.default_rng(7)
    images = rng.uniform(-0.5, 1.5, size=(10, 6, 5))
    fig = plot_image_rows([("wide", images), ("short", images[:3])], n_columns=4, value_range=(0, 1))
    _render(fig)
    panels = _panels(fig)
    assert len(panels) == 4 + 3  # at most n_columns per row, fewer when a row has fewer
    assert [ax.get_ylabel() for ax in panels if ax.get_ylabel()] == ["wide", "short"]
    for k, ax in enumerate(panels):
        shown = ax.images[0].get_array()
        np.testing.assert_array_equal(shown, np.clip(images[k % 4 if k < 4 else k - 4], 0, 1))
        assert ax.images[0].get_clim() == (0.0, 1.0)
    assert tuple(fig.get_size_inches()) == (4.0, 2.2)


def test_plot_image_rows_refuses_what_it_cannot_draw():
    good = np.zeros((2, 4, 4))
    with pytest.raises(ValueError, match="rows must be a non-empty sequence"):
        plot_image_rows([])
    with pytest.raises(ValueError, match=r"rows\[1\] \('b'\) must hold numeric images of shape \(n_images"):
        plot_image_rows([("a", good), ("b", np.zeros((4, 4)))])
    with pytest.raises(ValueError, match=r"n_images >= 1; got an array of shape \(0, 4, 4\)"):
        plot_image_rows([("a", good[:0])])
    with pytest.raises(TypeError, match=r"rows\[0\] must be a pair \(label, images\); got a tuple of length 1"):
        plot_image_rows([("a",)])
    with pytest.raises(TypeError, match="str label; got a label of type int"):
        plot_image_rows([(3, good)])
    with pytest.raises(ValueError, match=r"low < high; got \(1, 0\)"):
        plot_image_rows([("a", good)], value_range=(1, 0))
    with pytest.raises(ValueError, match=bad_param("n_columns", r"an int in the range \[1", "0")):
        plot_image_rows([("a", good)], n_columns=0)
