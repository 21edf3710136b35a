"""The generic batched base, package conventions, multichannel input and regressions of the core rework."""

import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.base import _fit_context
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted, validate_data

import skphase
from skphase import PhaseHarmonicTransform, ScatteringAverager
from skphase.base import BatchedTransformer
from skphase.operators import Operator


class _SquareOperator(Operator):
    """x -> (x, x**2) per sample: a minimal operator with an analytic pullback."""

    def __init__(self, n_features, backend):
        self.backend = backend
        self.input_shape = (n_features,)
        self.output_shape = (2, n_features)

    def forward(self, x):
        return self.backend.stack([x, x * x], axis=1)

    def _analytic_vjp(self, x):
        def pullback(g):
            return g[:, 0] + 2 * x * g[:, 1]

        return self.forward(x), pullback

    def bytes_per_sample(self, itemsize=8, *, pullback=False):
        return 3 * itemsize * self.input_shape[0]


class _SquareSpec:
    def __init__(self, n_features):
        self.n_features = n_features

    def make_operator(self, backend):
        return _SquareOperator(self.n_features, backend)


class SquareFeatures(BatchedTransformer):
    """A non-wavelet transformer built on the generic base."""

    def __init__(self, *, backend="numpy", device=None, batch_size="auto", n_jobs=None, verbose=0):
        self.backend = backend
        self.device = device
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        self.n_outputs_ = 2 * X.shape[1]
        return self

    def _operator_spec(self):
        return _SquareSpec(self.n_features_in_)

    def _validate_for_transform(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=[np.float64, np.float32])

    def _finish(self, Y):
        return Y.reshape(Y.shape[0], -1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


@parametrize_with_checks([SquareFeatures(), SquareFeatures(batch_size=3, n_jobs=2)])
def test_generic_base_passes_sklearn_checks(estimator, check):
    check(estimator)


def test_generic_base_batches_threads_and_gradients():
    X = np.random.default_rng(0).standard_normal((10, 5))
    ref = np.concatenate([X, X**2], axis=1)
    for kw in ({}, dict(batch_size=3), dict(batch_size=3, n_jobs=2)):
        est = SquareFeatures(**kw).fit(X)
        np.testing.assert_allclose(est.transform(X), ref)
        G = np.ones_like(ref)
        np.testing.assert_allclose(est.transform_vjp(X, G), 1 + 2 * X)


def test_lazy_submodules_need_no_import():
    code = ("import skphase; x = skphase.datasets.make_fbm(2, 64, random_state=0); "
            "print(x.shape, callable(skphase.metrics.power_spectrum), skphase.filters.filter_bank.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(2, 64) True filter_bank"
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        skphase.nonexistent  # noqa: B018
    assert "datasets" in dir(skphase)


def test_import_skphase_does_not_import_torch():
    code = "import sys, skphase; skphase.ScatteringAverager; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_config_context_sets_the_batch_size_and_restores_it():
    X = np.random.default_rng(0).standard_normal((6, 32, 32))
    est = PhaseHarmonicTransform(J=2, L=4).fit(X)
    per_sample = est.get_operator().bytes_per_sample(8)
    with skphase.config_context(memory_budget=2 * per_sample):
        assert len(est._batch_slices(6, per_sample, est.get_operator().backend)) == 3
        inside = est.transform(X)
    assert skphase.get_config()["memory_budget"] == 64 * 2**20
    np.testing.assert_array_equal(inside, est.transform(X))
    with pytest.raises(ValueError, match="at least 1 MiB"):
        with skphase.config_context(memory_budget=10):
            pass
    with pytest.raises(TypeError, match="memory_budget must be an int"):
        skphase.set_config(memory_budget=True)


# --- multichannel --------------------------------------------------------------------
@pytest.mark.parametrize("Est, kw", [(ScatteringAverager, dict(J=2, L=4, max_order=2, nonlinearity="modulus")),
                                     (PhaseHarmonicTransform, dict(J=2, L=4))])
def test_multichannel_images_are_transformed_channel_by_channel(Est, kw):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 3, 16, 16))
    est = Est(multichannel=True, flatten=False, **kw).fit(X)
    one = Est(flatten=False, **kw).fit(X[:, 0])
    K = one.n_channels_
    Y = est.transform(X)
    assert est.n_channels_ == 3 * K and Y.shape == (3, 3 * K) + Y.shape[2:]
    for c in range(3):
        np.testing.assert_allclose(Y[:, c * K:(c + 1) * K], one.transform(X[:, c]), rtol=1e-12, atol=1e-12)
    assert list(est.channel_table_["input_channel"]) == [c for c in range(3) for _ in range(K)]
    names = Est(multichannel=True, **kw).fit(X).get_feature_names_out()
    assert len(names) == 3 * K * int(np.prod(Y.shape[2:]))
    assert names[0].startswith("c0_") and names[-1].startswith("c2_")
    G = rng.standard_normal(Y.shape)
    grad = est.transform_vjp(X, G)
    assert grad.shape == X.shape
    np.testing.assert_allclose(grad[:, 1], one.transform_vjp(X[:, 1], G[:, K:2 * K]), rtol=1e-10, atol=1e-12)


def test_multichannel_inverse_and_bad_layouts():
    X = np.random.default_rng(2).standard_normal((2, 3, 16, 16))
    pht = PhaseHarmonicTransform(J=2, L=4, multichannel=True).fit(X)
    np.testing.assert_allclose(pht.inverse_transform(pht.transform(X)), X, atol=1e-8)
    with pytest.raises(ValueError, match="moveaxis"):
        ScatteringAverager(J=2).fit(np.zeros((2, 16, 16, 3)))
    with pytest.raises(ValueError, match="channels-last"):
        ScatteringAverager(J=2, multichannel=True).fit(np.zeros((2, 16, 16, 3)))
    with pytest.raises(ValueError, match="multichannel=True"):
        ScatteringAverager(J=2, multichannel=True).fit(np.zeros((2, 16)))
    with pytest.raises(ValueError, match="expecting 768 features"):
        pht.transform(X[:, :2])


@pytest.mark.parametrize("last", [1, 3, 4])
def test_multichannel_refuses_layouts_it_cannot_tell_apart(last):
    # (n, 8, 8, 3): eight channels of 8x3 images, or 8x8 RGB thumbnails stored channels-last
    X = np.random.default_rng(3).standard_normal((2, 8, 8, last))
    for kind in (PhaseHarmonicTransform, ScatteringAverager):
        with pytest.raises(ValueError, match=r"last axis.*np.moveaxis\(X, -1, 1\).*'channels_first'"):
            kind(J=1, L=2, multichannel=True).fit(X)
    if last > 1:  # said explicitly, X is read channels first: 8 channels of 8 x last images
        est = ScatteringAverager(J=1, L=2, multichannel="channels_first", flatten=False).fit(X)
        assert est.n_input_channels_ == 8 and tuple(est.input_shape_) == (8, last)
    thumbnails = PhaseHarmonicTransform(J=1, L=2, multichannel=True).fit(np.moveaxis(X, -1, 1))
    assert thumbnails.n_input_channels_ == last


# --- regressions -----------------------------------------------------------------------
def test_channels_last_arrays_are_refused_not_reinterpreted():
    X = np.random.default_rng(3).standard_normal((3, 32, 32))
    pht = PhaseHarmonicTransform(J=2, L=4, flatten=False).fit(X)
    U = pht.transform(X)  # (3, 33, 32, 32)
    with pytest.raises(ValueError, match="shaped like transform's output"):
        pht.inverse_transform(np.ascontiguousarray(np.moveaxis(U, 1, -1)))
    sa = ScatteringAverager(J=2, L=4, flatten=False).fit(X)
    S = sa.transform(X)
    with pytest.raises(ValueError, match="shaped like transform's output"):
        sa.transform_vjp(X, np.ascontiguousarray(np.moveaxis(S, 1, -1)))


def test_transform_writes_batches_into_one_output():
    X = np.random.default_rng(4).standard_normal((128, 32, 32))
    est = PhaseHarmonicTransform(J=2, L=4, batch_size=8).fit(X)
    est.transform(X[:8])  # warm caches
    tracemalloc.start()
    out = est.transform(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # 2 x output before (a list of batches, then their concatenation), plus one batch's temporaries
    assert peak < 1.5 * out.nbytes


def test_scattering_uses_n_phases():
    X = np.random.default_rng(5).standard_normal((2, 32, 32))
    two = ScatteringAverager(J=2, L=4, n_phases=2, flatten=False).fit(X)
    four = ScatteringAverager(J=2, L=4, n_phases=4, flatten=False).fit(X)
    assert four.n_channels_ - 1 == 2 * (two.n_channels_ - 1)
    S2, S4 = two.transform(X), four.transform(X)
    # alpha = 0 and pi are phases 0, 1 of P=2 and phases 0, 2 of P=4
    t2, t4 = two.channel_table_, four.channel_table_
    for p2, p4 in ((0, 0), (1, 2)):
        c2 = np.flatnonzero(t2["phase1"] == p2)
        c4 = np.flatnonzero(t4["phase1"] == p4)
        np.testing.assert_allclose(S2[:, c2], S4[:, c4], rtol=1e-10)


@pytest.mark.parametrize("Est", [ScatteringAverager, PhaseHarmonicTransform])
def test_feature_names_are_channel_major(Est):
    X = np.random.default_rng(6).standard_normal((2, 16, 16))
    est = Est(J=2, L=4).fit(X)
    names = est.get_feature_names_out()
    structured = Est(J=2, L=4, flatten=False).fit(X).transform(X)
    n_pos = int(np.prod(structured.shape[2:]))
    flat = est.transform(X)
    for i in (0, 1, n_pos - 1, n_pos, 3 * n_pos + 5):
        c, p = divmod(i, n_pos)
        y, x = divmod(p, structured.shape[3])
        assert names[i].endswith(f"_y{y}_x{x}")
        assert names[i] == names[c * n_pos] .replace("_y0_x0", f"_y{y}_x{x}")
        assert flat[0, i] == structured[0, c, y, x]


def test_auto_J_does_not_warn_about_its_own_choice():
    X = np.random.default_rng(7).standard_normal((3, 64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ScatteringAverager().fit(X)
    assert est.J_ >= 1


def test_warnings_point_at_the_caller():
    X = np.random.default_rng(8).standard_normal((3, 64))
    with pytest.warns(UserWarning, match="Signal support") as record:
        ScatteringAverager(J=3).fit(X)
    assert record[0].filename == __file__


def test_complex_input_error_is_one_line():
    X = np.ones((3, 64)) + 1j
    with pytest.raises(ValueError, match="Complex data not supported") as info:
        ScatteringAverager(J=2).fit(X)
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


def test_bad_device_names_the_parameter():
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="device='potato' is not a torch device"):
        ScatteringAverager(backend="torch", device="potato").fit(np.zeros((2, 16)))


def test_version_flag():
    from skphase.cli import main

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0


def test_device_memory_budget_sizes_batches_on_an_accelerator_only(monkeypatch):
    torch = pytest.importorskip("torch")
    from skphase.backends import TorchBackend

    X = np.random.default_rng(0).standard_normal((6, 32, 32))
    est = PhaseHarmonicTransform(J=2, L=4, backend="torch").fit(X)
    per_sample = est.get_operator().bytes_per_sample(8)
    cpu = TorchBackend("cpu")
    with skphase.config_context(memory_budget=2 * per_sample, device_memory_budget=3 * per_sample):
        assert len(est._batch_slices(6, per_sample, cpu)) == 3  # CPU: the host budget
        assert skphase.get_config()["device_memory_budget"] == 3 * per_sample
        # a CUDA device (faked: none here) takes the device budget, or a quarter of its memory
        monkeypatch.setattr(cpu, "device", torch.device("cuda:0"))
        assert len(est._batch_slices(6, per_sample, cpu)) == 2
    assert skphase.get_config()["device_memory_budget"] is None

    class Props:
        total_memory = 4 * 6 * per_sample

    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device: Props)
    assert len(est._batch_slices(6, per_sample, cpu)) == 1
    with pytest.raises(ValueError, match="device_memory_budget must be at least 1 MiB"):
        skphase.set_config(device_memory_budget=5)


@pytest.mark.parametrize("kind", [PhaseHarmonicTransform, ScatteringAverager])
def test_failed_refit_leaves_the_fitted_state_intact(kind):
    x = np.random.default_rng(0).standard_normal((2, 32, 32))
    est = kind(J=2, L=2).fit(x)
    before = {k: v for k, v in vars(est).items() if k.endswith("_")}
    expected = est.transform(x)
    for bad in (np.zeros((2, 4, 4)), np.full((2, 32, 32), np.nan), np.zeros((3, 2, 8, 8))):
        with pytest.raises(ValueError):
            est.set_params(J=3).fit(bad)
    est.set_params(J=2)
    assert {k: v for k, v in vars(est).items() if k.endswith("_")}.keys() == before.keys()
    assert est.input_shape_ == (32, 32) and est.J_ == 2
    np.testing.assert_array_equal(est.transform(x), expected)
    fresh = kind(J=9)
    with pytest.raises(ValueError):
        fresh.fit(x)
    assert not any(k.endswith("_") for k in vars(fresh))
