"""SparseDictionaryCoder on structured samples: arrays (n, C, *positions) and flattened skphase
outputs whose feature names carry the layout are coded per position, and the layout survives."""

import numpy as np
import pytest

from skphase import ScatteringAverager
from skphase.sparse_coding import LISTAClassifier, SparseDictionaryCoder
from skphase.utils._feature_names import layout_from_feature_names

RNG = np.random.default_rng(3)
ROWS = RNG.standard_normal((300, 6))
KW = dict(n_components=12, alpha=0.2, random_state=0)


def _positions(maps):
    """Rows (n * P, C) of maps (n, C, *positions), position-major per sample."""
    return np.moveaxis(maps, 1, -1).reshape(-1, maps.shape[1])


@pytest.mark.parametrize("positions", [(5,), (3, 4), (2, 2, 2)])
@pytest.mark.parametrize("algorithm", ["cd", "fista", "lista"])
def test_array_codes_are_the_codes_of_every_position(positions, algorithm):
    coder = SparseDictionaryCoder(transform_algorithm=algorithm, n_layers=3, **KW).fit(ROWS)
    maps = RNG.standard_normal((4, 6, *positions))
    codes = coder.transform(maps)
    assert codes.shape == (4, 12, *positions)
    np.testing.assert_allclose(_positions(codes), coder.transform(_positions(maps)), rtol=1e-12, atol=1e-12)
    recon = coder.inverse_transform(codes)
    assert recon.shape == maps.shape
    np.testing.assert_allclose(_positions(recon), _positions(codes) @ coder.components_, rtol=1e-12)


def test_fit_on_arrays_learns_from_every_position():
    maps = np.moveaxis(ROWS.reshape(30, 10, 6), -1, 1)  # (30, 6, 10): 300 positions
    a = SparseDictionaryCoder(**KW).fit(maps)
    b = SparseDictionaryCoder(**KW).fit(_positions(maps))
    np.testing.assert_array_equal(a.components_, b.components_)
    assert a.layout_ == (6, 10) and a.n_features_in_ == 6 and b.layout_ is None
    # other positions at transform: the code is the same at every position
    assert a.transform(maps[:2, :, :7]).shape == (2, 12, 7)
    assert list(a.get_feature_names_out()) == [f"sparsedictionarycoder{k}" for k in range(12)]


def test_flat_layout_codes_each_sample_whole():
    maps = RNG.standard_normal((50, 2, 3))
    coder = SparseDictionaryCoder(layout="flat", **KW).fit(maps)
    assert coder.components_.shape == (12, 6) and coder.layout_ is None
    np.testing.assert_array_equal(coder.transform(maps), coder.transform(maps.reshape(50, 6)))


def test_wrong_channels_are_refused_naming_the_axis():
    coder = SparseDictionaryCoder(**KW).fit(ROWS)
    with pytest.raises(ValueError, match=r"5 channels per position \(axis 1\).*6 features"):
        coder.transform(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match=r"11 channels \(axis 1\).*12 atoms"):
        coder.inverse_transform(np.zeros((2, 11, 4)))
    with pytest.raises(TypeError, match="real numbers"):
        coder.transform(np.full((2, 6, 3), "a"))


def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:200].reshape(-1, 8, 8), y[:200]


def test_flattened_skphase_output_is_coded_per_position_and_passes_its_layout_on():
    pd = pytest.importorskip("pandas")
    X, _ = _digits()
    maps = ScatteringAverager(J=1, L=4, flatten=False).fit(X).transform(X)  # (200, 17, 4, 4)
    frame = ScatteringAverager(J=1, L=4).set_output(transform="pandas").fit(X).transform(X)
    assert isinstance(frame, pd.DataFrame)
    coder = SparseDictionaryCoder(positive=True, **KW).fit(frame)
    assert coder.layout_ == (17, 4, 4) and coder.components_.shape == (12, 17)
    codes = coder.transform(frame)
    ref = SparseDictionaryCoder(positive=True, **KW).fit(maps)
    np.testing.assert_allclose(codes, ref.transform(maps).reshape(200, -1), rtol=1e-12, atol=1e-12)
    assert layout_from_feature_names(coder.get_feature_names_out()) == (12, 4, 4)
    recon = coder.inverse_transform(codes)
    np.testing.assert_allclose(recon, ref.inverse_transform(ref.transform(maps)).reshape(200, -1), atol=1e-12)
    with pytest.raises(ValueError, match="12 atoms each"):
        coder.inverse_transform(codes[:, :-1])


def test_pipeline_keeps_the_layout_to_the_classifier():
    from sklearn.pipeline import make_pipeline

    X, y = _digits()
    pipe = make_pipeline(ScatteringAverager(J=1, L=4, flatten=False),
                         SparseDictionaryCoder(positive=True, **KW),
                         LISTAClassifier(max_epochs=2, random_state=0)).fit(X, y)
    assert pipe[-1].layout_ == (12, 4, 4)
    assert pipe.predict(X[:5]).shape == (5,)
