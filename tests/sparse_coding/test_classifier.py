"""LISTAClassifier: the network's backprop vs finite differences, numpy vs torch, and the
scikit-learn classifier contract."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from skphase.sparse_coding import LISTAClassifier
from skphase.sparse_coding import _istc_network as net

SMALL = dict(n_reduced=4, n_components=8, n_layers=3, max_epochs=5, batch_size=16, learning_rate=3e-2)


def _data(n=90, seed=0, n_classes=3):
    X, y = make_classification(n_samples=n, n_features=12, n_informative=6, n_classes=n_classes,
                               random_state=seed)
    return X, y


@pytest.mark.parametrize("pooling", ["none", "mean"])
def test_network_backprop_matches_finite_differences(pooling):
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((5, 3, 6))
    y = rng.integers(0, 3, 5)
    params = net.init_params(Z, 4, 7, 0.3, 3, pooling, rng)
    params["W"] = rng.standard_normal(params["W"].shape)
    params["e"] = np.array(np.log(0.5))

    def loss(p):
        return net.cross_entropy(net.forward(p, Z, 4, pooling), y)[0]

    logits, saved = net.forward(params, Z, 4, pooling, cache=True)
    _, dlogits = net.cross_entropy(logits, y)
    grads = net.backward(params, saved, dlogits, 4, pooling)
    eps = 1e-6
    for name in net.PARAM_NAMES:
        flat, gflat = params[name].reshape(-1), grads[name].reshape(-1)
        assert np.abs(gflat).max() > 0, name
        for i in np.linspace(0, flat.size - 1, min(flat.size, 5)).astype(int):
            old = flat[i]
            flat[i] = old + eps
            up = loss(params)
            flat[i] = old - eps
            down = loss(params)
            flat[i] = old
            assert (up - down) / (2 * eps) == pytest.approx(gflat[i], rel=1e-5, abs=1e-9), name


def test_torch_network_matches_numpy_forward_and_gradients():
    torch = pytest.importorskip("torch")
    from skphase.sparse_coding._torch_models import ISTCNetwork

    rng = np.random.default_rng(1)
    Z = rng.standard_normal((6, 4, 5))
    y = rng.integers(0, 3, 6)
    params = net.init_params(Z, 3, 6, 0.2, 3, "mean", rng)
    params["W"] = rng.standard_normal(params["W"].shape)
    logits, saved = net.forward(params, Z, 5, "mean", cache=True)
    _, dlogits = net.cross_entropy(logits, y)
    grads = net.backward(params, saved, dlogits, 5, "mean")
    model = ISTCNetwork(params, 5, "mean")
    out = model(torch.as_tensor(Z))
    np.testing.assert_allclose(out.detach().numpy(), logits, rtol=1e-10, atol=1e-12)
    torch.nn.functional.cross_entropy(out, torch.as_tensor(y)).backward()
    for name in net.PARAM_NAMES:
        np.testing.assert_allclose(getattr(model, name).grad.numpy(), grads[name], rtol=1e-8,
                                   atol=1e-12, err_msg=name)


def test_backends_reach_comparable_accuracy():
    pytest.importorskip("torch")
    X, y = _data(n=150, seed=3)
    fitted = [LISTAClassifier(**{**SMALL, "max_epochs": 15}, backend=b, random_state=0)
              .fit(X[:100], y[:100]) for b in ("numpy", "torch")]
    scores = [clf.score(X[100:], y[100:]) for clf in fitted]
    assert min(scores) > 0.45  # chance is 1/3
    assert abs(scores[0] - scores[1]) <= 0.1
    # same initialisation, same minibatches, same formulas: the two trainings stay close
    agree = np.mean(fitted[0].predict(X) == fitted[1].predict(X))
    assert agree >= 0.9


def test_structured_features_and_training_lowers_the_loss():
    rng = np.random.default_rng(2)
    # two classes that differ by where (which position) a pattern sits: pooling "none" sees it
    n, C, H, W = 80, 3, 2, 2
    X = rng.standard_normal((n, C, H, W)) * 0.3
    y = rng.integers(0, 2, n)
    X[y == 0, :, 0, 0] += 2.0
    X[y == 1, :, 1, 1] += 2.0
    clf = LISTAClassifier(shape=(C, H, W), **{**SMALL, "max_epochs": 20},
                          validation_fraction=0.0, random_state=0)
    clf.fit(X.reshape(n, -1), y)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.score(X.reshape(n, -1), y) > 0.9
    assert clf.transform_codes(X.reshape(n, -1)).shape == (n, H * W * 8)
    np.testing.assert_allclose(np.linalg.norm(clf.params_["D"], axis=1), 1)


def test_predictions_probabilities_and_partial_fit():
    X, y = _data()
    clf = LISTAClassifier(**SMALL, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.decision_function(X).shape == (len(X), 3)
    stream = LISTAClassifier(**SMALL, random_state=0)
    stream.partial_fit(X[:45], y[:45], classes=np.unique(y))
    stream.partial_fit(X[45:], y[45:])
    assert stream.n_iter_ == 2
    with pytest.raises(ValueError, match="not in classes_"):
        stream.partial_fit(X[:3], np.array([0, 1, 7]))
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), proba)


def test_pipeline_and_grid_search():
    X, y = _data(n=80)
    pipe = make_pipeline(FunctionTransformer(), LISTAClassifier(**SMALL, random_state=0))
    search = GridSearchCV(pipe, {"listaclassifier__n_layers": [1, 2]}, cv=2).fit(X, y)
    assert search.best_params_["listaclassifier__n_layers"] in (1, 2)


def test_bad_input_is_refused_clearly():
    X, y = _data(n=40)
    with pytest.raises(ValueError, match="at least 2 classes"):
        LISTAClassifier(**SMALL).fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="shape"):
        LISTAClassifier(shape=(5, 2, 2), **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="n_components"):
        LISTAClassifier(n_components=0).fit(X, y)
    with pytest.raises(ValueError, match="device"):
        LISTAClassifier(device="cuda").fit(X, y)
    bad = X.copy()
    bad[1, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        LISTAClassifier(**SMALL).fit(bad, y)
    clf = LISTAClassifier(**SMALL, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :5])
    with pytest.raises(ValueError, match="classes must be given"):
        LISTAClassifier(**SMALL).partial_fit(X, y)


@parametrize_with_checks([LISTAClassifier(**SMALL, random_state=0)])
def test_sklearn_contract(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        check(estimator)


def test_n_jobs_sets_the_threads_inside_fit_only(monkeypatch):
    from threadpoolctl import threadpool_info

    def blas_threads():
        return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")

    X, y = _data()
    before = blas_threads()
    seen = []
    forward = net.forward

    def spy(*args, **kwargs):
        seen.append(blas_threads())
        return forward(*args, **kwargs)

    monkeypatch.setattr(net, "forward", spy)
    fitted = {}
    for n_jobs in (None, 2):
        seen.clear()
        fitted[n_jobs] = LISTAClassifier(**SMALL, n_jobs=n_jobs, random_state=0).fit(X, y)
        assert set(seen) == {1 if n_jobs is None else 2}
        assert blas_threads() == before
    # the thread count changes rounding at most, not the model
    assert np.mean(fitted[None].predict(X) == fitted[2].predict(X)) >= 0.95
    with pytest.raises(ValueError, match="n_jobs"):
        LISTAClassifier(**SMALL, n_jobs=0).fit(X, y)
    with pytest.raises(TypeError, match="n_jobs"):
        LISTAClassifier(**SMALL, n_jobs=True).fit(X, y)


def test_n_jobs_sets_torch_threads_inside_fit_only(monkeypatch):
    torch = pytest.importorskip("torch")
    from skphase.sparse_coding._torch_models import TorchTrainer

    X, y = _data()
    before = torch.get_num_threads()
    seen = []
    epoch = TorchTrainer.epoch

    def spy(self, *args):
        seen.append(torch.get_num_threads())
        return epoch(self, *args)

    monkeypatch.setattr(TorchTrainer, "epoch", spy)
    n_jobs = 1 if before > 1 else 2  # the suite runs torch with one thread: ask for another count
    LISTAClassifier(**SMALL, backend="torch", n_jobs=n_jobs, random_state=0).fit(X, y)
    assert seen and set(seen) == {n_jobs}
    assert torch.get_num_threads() == before


def _position_data(n=80, C=3, H=2, W=2, seed=2):
    """Two classes told apart only by where a pattern sits: the layout matters."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, C, H, W)) * 0.3
    y = rng.integers(0, 2, n)
    X[y == 0, :, 0, 0] += 2.0
    X[y == 1, :, 1, 1] += 2.0
    return X, y


def test_an_nd_array_carries_its_layout_like_shape_does():
    X, y = _position_data()
    n, C, H, W = X.shape
    kw = dict(**{**SMALL, "max_epochs": 5}, validation_fraction=0.0, random_state=0)
    by_shape = LISTAClassifier(shape=(C, H, W), **kw).fit(X.reshape(n, -1), y)
    by_array = LISTAClassifier(**kw).fit(X, y)
    flat = LISTAClassifier(**kw).fit(X.reshape(n, -1), y)
    assert by_array.layout_ == by_shape.layout_ == (C, H, W)
    assert flat.layout_ == (C * H * W,)
    np.testing.assert_allclose(by_array.decision_function(X),
                               by_shape.decision_function(X.reshape(n, -1)))
    # predict takes the same layout, flattened or not
    np.testing.assert_array_equal(by_array.predict(X), by_array.predict(X.reshape(n, -1)))
    with pytest.raises(ValueError, match=r"layout \(3, 4, 1\).*fitted on \(3, 2, 2\)"):
        by_array.predict(X.reshape(n, C, H * W, 1))


def test_feature_names_of_a_skphase_step_carry_the_layout_through_a_pipeline():
    from skphase import ScatteringAverager

    rng = np.random.default_rng(0)
    images = rng.standard_normal((40, 8, 8))
    y = np.arange(40) % 2
    scat = ScatteringAverager(J=1, L=2).fit(images)
    out = scat.transform(images)
    names = scat.get_feature_names_out()
    # what fit reads when a DataFrame of these names arrives (pandas is no test dependency)
    clf = LISTAClassifier(**SMALL, random_state=0)
    clf.feature_names_in_ = names
    assert clf._layout(out.shape[1], None) == (out.shape[1] // 16, 4, 4)
    # the same features as a plain array: nothing to read, one position
    plain = LISTAClassifier(**SMALL, random_state=0).fit(np.asarray(out), y)
    assert plain.layout_ == (out.shape[1],)
    pytest.importorskip("pandas")  # the route a user takes: set_output
    pipe = make_pipeline(ScatteringAverager(J=1, L=2), LISTAClassifier(**SMALL, random_state=0))
    pipe.set_output(transform="pandas").fit(images, y)
    assert pipe[-1].layout_ == (out.shape[1] // 16, 4, 4)


@pytest.mark.parametrize("names, expected", [
    (["a_y0_x0", "a_y0_x1", "b_y0_x0", "b_y0_x1"], (2, 1, 2)),
    (["a_t0", "a_t1", "a_t2", "b_t0", "b_t1", "b_t2"], (2, 3)),
    (["a_y0_x1", "a_y0_x0", "b_y0_x0", "b_y0_x1"], None),  # positions out of order
    (["a_y0_x0", "b_y0_x0", "a_y0_x1", "b_y0_x1"], None),  # position major, not channel major
    (["a_y0_x0", "a_y0_x1", "b_y0_x0"], None),  # a position missing
    (["age", "height"], None),
    (["x0", "x1"], None),
])
def test_layout_is_read_only_from_complete_skphase_names(names, expected):
    from skphase.utils._feature_names import layout_from_feature_names

    assert layout_from_feature_names(np.array(names, dtype=object)) == expected
