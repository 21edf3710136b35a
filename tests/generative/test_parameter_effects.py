"""Every parameter of ScatteringGenerator changes something observable, or is declared to have no
effect on that output, with the reason (issue 18: a planted bug "weight_decay not passed to the
optimizer" went unnoticed by the whole suite; here it fails ``test_parameter_changes_the_fit``)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skphase.datasets._polygons import make_polygons  # noqa: E402
from skphase.generative import ScatteringGenerator  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:max_order=2 adds no second-order coefficient")

# deterministic and quick: a constant step, no time budget, epochs alone decide
BASE = dict(n_components=4, J=2, L=2, width=8, batch_size=8, augment=False, max_epochs=2, n_jobs=1,
            random_state=0, learning_rate_schedule="constant", n_iter_no_change=100, max_time=None,
            validation_fraction=0.25)


@pytest.fixture(scope="module")
def images():
    return make_polygons(24, size=8, random_state=0)


@pytest.fixture(scope="module")
def base(images):
    return ScatteringGenerator(**BASE).fit(images)


def _decoder(gen, X=None):
    return {k: np.asarray(v) for k, v in gen.decoder_state_.items()}


def _same_decoder(a, b):
    da, db = _decoder(a), _decoder(b)
    return da.keys() == db.keys() and all(da[k].shape == db[k].shape and np.array_equal(da[k], db[k])
                                          for k in da)


# parameter -> (other value, what it changes, the extra settings of both fits)
CHANGES = {
    "n_components": (3, lambda g, X: g.transform(X).shape, {}),
    "J": (1, lambda g, X: (g.J_, g.n_scattering_features_), {}),
    "L": (3, lambda g, X: g.n_scattering_features_, {}),
    "decoder": ("progressive", lambda g, X: sorted(g.decoder_state_), {}),
    "width": (16, lambda g, X: [v.shape for v in g.decoder_state_.values()], {}),
    "kernel_size": (5, lambda g, X: [v.shape for v in g.decoder_state_.values()], {}),
    "max_epochs": (3, lambda g, X: g.n_epochs_, {}),
    "batch_size": (4, lambda g, X: g.loss_curve_, {}),
    "learning_rate": (1e-2, _decoder, {}),
    "learning_rate_schedule": ("cosine", _decoder, {}),
    "weight_decay": (0.5, _decoder, {}),  # decoupled decay: every weight shrinks by (1 - lr wd) per step
    "loss": ("l1", lambda g, X: g.loss_curve_, {}),
    "augment": (True, lambda g, X: (g.augmentation_, g.loss_curve_), {}),
    "validation_fraction": (0.0, lambda g, X: (g.validation_scores_, _decoder(g)), {}),
    # tol=10 is never met: training stops n_iter_no_change epochs after the first
    "n_iter_no_change": (3, lambda g, X: g.n_epochs_, dict(tol=10.0, n_iter_no_change=1, max_epochs=5)),
    "tol": (10.0, lambda g, X: g.n_epochs_, dict(tol=0.0, n_iter_no_change=1, max_epochs=5,
                                                 learning_rate=1e-3)),
    "max_time": (1e-9, lambda g, X: g.n_epochs_, {}),  # the budget ends training after the first step
    "random_state": (1, _decoder, {}),
}
# no effect on the fitted generator, checked (the reason in the comment)
SAME = {
    "device": "cpu",  # None means "cpu"
    "verbose": 1,  # progress bars only (their output is checked below)
    "checkpoint_path": None,  # the state saved is the one trained (the file is checked below)
    "n_jobs": 2,  # threads only: equal up to float rounding (the thread count is checked below)
    "warm_start": True,  # a first fit has nothing to continue (a refit continues: checked below)
}


def test_every_parameter_is_declared():
    assert set(CHANGES) | set(SAME) == set(ScatteringGenerator().get_params())
    assert not set(CHANGES) & set(SAME)


def _fit(images, **params):
    return ScatteringGenerator(**(BASE | params)).fit(images)


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_parameter_changes_the_fit(images, name):
    value, observe, extra = CHANGES[name]
    a = _fit(images, **extra)
    b = _fit(images, **(extra | {name: value}))
    oa, ob = observe(a, images), observe(b, images)
    if isinstance(oa, dict):
        assert not (oa.keys() == ob.keys() and all(np.array_equal(oa[k], ob[k]) for k in oa)), name
    else:
        assert repr(oa) != repr(ob), name


def test_weight_decay_shrinks_the_weights(images):
    # stronger than "changes": with a large decay the decoder's conv weights get smaller
    a, b = _fit(images, max_epochs=4), _fit(images, max_epochs=4, weight_decay=20.0)
    norm = {g: sum(float(np.sum(v ** 2)) for k, v in g.decoder_state_.items() if k.endswith("weight"))
            for g in (a, b)}
    assert norm[b] < 0.8 * norm[a]


@pytest.mark.parametrize("name", sorted(SAME))
def test_parameter_without_effect_on_the_fit(images, base, name, tmp_path):
    params = {name: SAME[name]}
    if name == "checkpoint_path":
        params = {name: str(tmp_path / "gen.ckpt")}
    gen = _fit(images, **params)
    if name == "n_jobs":
        np.testing.assert_allclose(gen.loss_curve_, base.loss_curve_, rtol=1e-4)
        for k, v in _decoder(base).items():
            np.testing.assert_allclose(_decoder(gen)[k], v, rtol=1e-3, atol=1e-4)
    else:
        assert gen.loss_curve_ == base.loss_curve_
        assert _same_decoder(gen, base)
    np.testing.assert_allclose(gen.transform(images), base.transform(images), atol=1e-6)


def test_the_other_side_of_the_no_effect_parameters(images, base, tmp_path, capfd, monkeypatch):
    # checkpoint_path: the file is written
    path = tmp_path / "gen.ckpt"
    _fit(images, checkpoint_path=str(path))
    assert path.exists()
    # warm_start: a refit continues the decoder
    gen = _fit(images, warm_start=True)
    gen.fit(images)
    assert gen.n_epochs_ == 2 * BASE["max_epochs"] and gen.loss_curve_[:2] == base.loss_curve_
    cold = _fit(images)
    cold.fit(images)
    assert cold.n_epochs_ == BASE["max_epochs"]
    # verbose: progress bars
    pytest.importorskip("tqdm")
    capfd.readouterr()
    _fit(images, verbose=1)
    assert "training" in capfd.readouterr().err
    _fit(images, verbose=0)
    assert capfd.readouterr().err == ""
    # n_jobs: torch's threads while training
    seen = []
    train = ScatteringGenerator._train

    def spy(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return train(self, *args, **kwargs)

    monkeypatch.setattr(ScatteringGenerator, "_train", spy)
    _fit(images, n_jobs=2)
    _fit(images, n_jobs=1)
    assert seen == [2, 1]


def test_random_state_instances_seed_the_fit(images):
    a = _fit(images, random_state=np.random.RandomState(0))
    b = _fit(images, random_state=np.random.RandomState(0))
    c = _fit(images, random_state=np.random.default_rng(0))
    d = _fit(images, random_state=np.random.default_rng(0))
    assert _same_decoder(a, b) and _same_decoder(c, d)
    assert not _same_decoder(a, c)
    np.testing.assert_array_equal(a.sample(2, random_state=np.random.default_rng(3)),
                                  a.sample(2, random_state=np.random.default_rng(3)))
