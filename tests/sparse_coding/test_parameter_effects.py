"""Every parameter of the sparse-coding estimators changes something observable, or is declared
as having no effect on that output (and checked both ways where it can be).

``EFFECTS`` lists, per estimator, each ``get_params()`` entry with its verdict: "changes"
(the named output differs) or "same" (the output is identical, with the reason). A parameter
added without a verdict fails ``test_every_parameter_has_a_verdict``.
"""

import numpy as np
import pytest

from skphase.sparse_coding import LISTAClassifier, SparseDictionaryCoder

RNG = np.random.default_rng(0)
X = RNG.standard_normal((120, 8))
Xc = RNG.standard_normal((96, 12))
yc = (Xc[:, 0] + 0.5 * Xc[:, 1] > 0).astype(int)

CODER = dict(n_components=10, alpha=0.3, n_epochs=1, batch_size=40, n_layers=3, random_state=0)
CLF = dict(n_reduced=4, n_components=8, n_layers=2, max_epochs=3, batch_size=16,
           validation_fraction=0.0, random_state=0)

# name -> (base value, other value, verdict, output)
CODER_EFFECTS = {
    "n_components": (10, 6, "changes", "components_"),
    "alpha": (0.3, 0.05, "changes", "codes"),
    "transform_algorithm": ("cd", "lista", "changes", "codes"),
    "fit_algorithm": ("cd", "ista", "changes", "components_"),
    "positive": (False, True, "changes", "codes"),
    "tol": (1e-6, 0.5, "changes", "codes"),
    "max_iter": (1000, 2, "changes", "codes"),
    "n_epochs": (1, 3, "changes", "n_iter_"),
    "batch_size": (40, 20, "changes", "n_iter_"),
    "n_layers": (3, 5, "changes", "lista_steps_"),
    # on (n, C, N) samples: atoms of C channels coded per position, or of C * N features
    "layout": ("auto", "flat", "changes", "components_"),
    "random_state": (0, 1, "changes", "components_"),
    # numba threads over samples: each sample's codes are computed alone, in the same order
    "n_jobs": (None, 2, "same", "codes"),
    # progress bars only
    "verbose": (0, 1, "same", "codes"),
}
CLF_EFFECTS = {
    "shape": (None, (3, 4), "changes", "params_L"),
    "n_reduced": (4, 3, "changes", "params_L"),
    "n_components": (8, 6, "changes", "params_D"),
    "n_layers": (2, 3, "changes", "decision"),
    "lambda_init": (0.1, 0.5, "changes", "decision"),
    "pooling": ("none", "mean", "changes", "decision"),  # with shape=(3, 4): P = 4 positions
    "learning_rate": (3e-3, 3e-2, "changes", "decision"),
    "weight_decay": (1e-4, 1.0, "changes", "decision"),
    "batch_size": (16, 32, "changes", "decision"),
    "max_epochs": (3, 5, "changes", "n_iter_"),
    "validation_fraction": (0.0, 0.25, "changes", "decision"),
    "n_iter_no_change": (1, 50, "changes", "n_iter_"),
    # own numpy backpropagation (float32 products) or torch autograd (float64): the same
    # network and optimiser, one full-batch step apart only by rounding
    "backend": ("numpy", "torch", "same", "one_step"),
    # torch backend only; None means the CPU
    "device": (None, "cpu", "same", "decision"),
    # BLAS threads of the products: the same sums
    "n_jobs": (None, 2, "same", "decision"),
    "random_state": (0, 1, "changes", "decision"),
    # prints the loss per epoch only
    "verbose": (0, 1, "same", "decision"),
}


def test_every_parameter_has_a_verdict():
    assert set(SparseDictionaryCoder().get_params()) == set(CODER_EFFECTS)
    assert set(LISTAClassifier().get_params()) == set(CLF_EFFECTS)


def _coder_output(params, output):
    kw = {**CODER, **params}
    if output == "lista_steps_":
        kw["transform_algorithm"] = "lista"
    if output == "codes" and "max_iter" in params:
        kw["transform_algorithm"] = "fista"  # the exact cd solver converges in 2 sweeps here
    data = X.reshape(len(X), 2, 4) if "layout" in params else X
    coder = SparseDictionaryCoder(**kw).fit(data)
    return coder.transform(data) if output == "codes" else np.asarray(getattr(coder, output))


@pytest.mark.parametrize("name", sorted(CODER_EFFECTS))
def test_coder_parameter_effect(name):
    base, other, verdict, output = CODER_EFFECTS[name]
    a, b = _coder_output({name: base}, output), _coder_output({name: other}, output)
    same = a.shape == b.shape and np.array_equal(a, b)
    assert same == (verdict == "same"), f"{name}: {output} {'differs' if not same else 'same'}"
    if name == "positive":
        assert (b >= 0).all() and (a < 0).any()


def _clf_output(params, output):
    kw = {**CLF, **params}
    if params.get("pooling") == "mean" or "pooling" in params:
        kw["shape"] = (3, 4)
    if "n_iter_no_change" in params:
        kw.update(validation_fraction=0.3, max_epochs=60, learning_rate=0.3)
    if "device" in params:
        kw["backend"] = "torch"
    if output == "one_step":
        kw.update(max_epochs=1, batch_size=len(yc))
    clf = LISTAClassifier(**kw).fit(Xc, yc)
    if output.startswith("params_"):
        return clf.params_[output[len("params_"):]]
    if output == "n_iter_":
        return np.asarray(clf.n_iter_)
    if output == "one_step":
        return np.concatenate([clf.params_[k].ravel() for k in ("L", "D", "W", "b")])
    return clf.decision_function(Xc)


@pytest.mark.parametrize("name", sorted(CLF_EFFECTS))
def test_classifier_parameter_effect(name):
    base, other, verdict, output = CLF_EFFECTS[name]
    a, b = _clf_output({name: base}, output), _clf_output({name: other}, output)
    if output == "one_step":  # same up to rounding, but not bit for bit
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
        assert verdict == "same"
        return
    same = a.shape == b.shape and np.array_equal(a, b)
    assert same == (verdict == "same"), f"{name}: {output} {'differs' if not same else 'same'}"


def test_classifier_never_trains_on_its_validation_split(monkeypatch):
    """The planted bug that once went unnoticed: the trainer must see the training rows only,
    the early stopping the held-out rows only, together all of them, none twice."""
    from skphase.sparse_coding import _classifier

    seen = {"train": [], "val": []}
    epoch, logits = _classifier._NumpyTrainer.epoch, _classifier._NumpyTrainer.logits

    def spy_epoch(self, Z, *args):
        seen["train"].append(Z)
        return epoch(self, Z, *args)

    def spy_logits(self, Z):
        seen["val"].append(Z)
        return logits(self, Z)

    monkeypatch.setattr(_classifier._NumpyTrainer, "epoch", spy_epoch)
    monkeypatch.setattr(_classifier._NumpyTrainer, "logits", spy_logits)
    clf = LISTAClassifier(**{**CLF, "validation_fraction": 0.25}).fit(Xc, yc)
    Z_all = clf._structured(Xc).reshape(len(yc), -1)
    tr = seen["train"][0].reshape(seen["train"][0].shape[0], -1)
    va = seen["val"][0].reshape(seen["val"][0].shape[0], -1)
    assert len(tr) == 72 and len(va) == 24

    def rows(Z):
        return {tuple(np.round(r, 10)) for r in Z}

    assert rows(tr).isdisjoint(rows(va)) and rows(tr) | rows(va) == rows(Z_all)
    assert clf.best_validation_score_ is not None


def test_coder_verbose_shows_the_dictionary_and_lista_bars(capsys):
    pytest.importorskip("tqdm")
    SparseDictionaryCoder(**{**CODER, "transform_algorithm": "lista", "verbose": 1}).fit(X)
    err = capsys.readouterr().err
    assert "dictionary" in err and "LISTA" in err
    SparseDictionaryCoder(**{**CODER, "transform_algorithm": "lista"}).fit(X)
    assert capsys.readouterr().err == ""


def test_verbose_prints_and_n_jobs_scopes(capsys):
    LISTAClassifier(**{**CLF, "verbose": 1}).fit(Xc, yc)
    assert "epoch 1: loss" in capsys.readouterr().out
    LISTAClassifier(**CLF).fit(Xc, yc)
    assert capsys.readouterr().out == ""


def test_fit_image_folder_uses_weight_decay(tmp_path):
    """The folder path once trained with a fixed weight decay of 1e-4, whatever was asked."""
    pytest.importorskip("torch")
    pytest.importorskip("PIL")
    from .test_faults import HYPER, make_folder

    root = make_folder(tmp_path / "imgs")
    fits = [LISTAClassifier(**HYPER, weight_decay=wd, random_state=0).fit_image_folder(
        root, image_size=16, J=1, L=2, epochs=2).params_["W"] for wd in (1e-4, 1.0)]
    assert not np.allclose(fits[0], fits[1])
