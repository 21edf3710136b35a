"""LISTAClassifier: features -> standardisation -> L -> unit norm -> ISTC code in D -> pool -> W."""

from __future__ import annotations

import os
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..base import SkphaseEstimatorMixin, fit_context
from ..utils._adam import Adam
from ..utils._interrupt import interruptible, warn_interrupted
from ..utils._params import JOBS, RANDOM_STATE, Floats, Ints, Shape, check_param
from ..utils._threads import scoped_threads
from . import _istc_network as net
from ..utils._feature_names import layout_from_feature_names
from ._layout import split_structured
from ._random import draw_seed
from ._torchrun import _scattering_output_shape, _torchrun



class LISTAClassifier(SkphaseEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Sparse-code classifier trained end to end (Zarka, Thiry, Angles & Mallat, ICLR 2020).

    Each sample's features, seen as C channels at P positions (``shape=(C, H, W)``, or one
    position when ``shape`` is None), are standardised per channel, reduced per position by a
    learned linear map L (C -> ``n_reduced``, a 1x1 convolution), normalised to unit norm,
    sparse-coded in a learned dictionary D of ``n_components`` unit-norm atoms by ``n_layers``
    homotopy ISTC layers (non-negative codes, thresholds decreasing geometrically from 1 to a
    learned lambda*), pooled (``"none"`` keeps positions, ``"mean"`` averages them), and
    classified by a softmax layer W. L, D, lambda*, the ISTC step and W are trained jointly by
    minibatch Adam with early stopping on a held-out ``validation_fraction``.

    Parameters
    ----------
    shape : tuple of int (C, H, W) or (C, P), or None, default=None
        Layout of the flattened features (channels first), e.g. ``(n_channels_,
        *output_shape_)`` of a :class:`~skphase.ScatteringAverager`. None: the layout
        the previous step passed on, an array ``(n, C, H, W)`` / ``(n, C, N)``
        (``ScatteringAverager(flatten=False)``) or, flattened, a skphase transform's feature
        names (``set_output(transform="pandas")``); without either, one position.
    n_reduced : int, default=32
        Output channels of L.
    n_components : int, default=64
        Atoms in D.
    n_layers : int, default=4
        ISTC layers.
    lambda_init : float, default=0.1
        Initial final threshold lambda* (learned, in (0, 1]).
    pooling : {"none", "mean"}, default="none"
        Keep the codes of every position, or average them.
    learning_rate : float, default=3e-3
        Adam step size.
    weight_decay : float, default=1e-4
        l2 penalty on L and W.
    batch_size : int, default=64
    max_epochs : int, default=40
    validation_fraction : float, default=0.1
        Held out (stratified) for early stopping; 0 disables it (train for max_epochs).
    n_iter_no_change : int, default=5
        Epochs without a lower validation loss before stopping; the best epoch is kept.
    backend : {"numpy", "torch"}, default="numpy"
        Own backpropagation in numpy, or torch autograd (``device`` for GPU).
    device : str or None, default=None
        torch device ("cuda", "cpu"); torch backend only.
    n_jobs : int or None, default=None
        CPU threads of the matrix products while training and predicting: BLAS threads for the
        numpy backend, ``torch.set_num_threads`` for the torch backend (both restored after each
        call). None: 1 (the network's matrices are small: one thread is usually fastest),
        -1: all cores. Multi-process (DDP) training: :meth:`fit_image_folder`.
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
        Print the loss and validation accuracy per epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    layout_ : tuple of int
        (C, H, W), (C, N) or (n_features,): the layout the features were read with.
    params_ : dict of ndarray
        Trained L, D, s = log lambda*, e = log eta, W, b (numpy arrays, whatever the backend).
    mean_, scale_ : ndarray of shape (C,)
        Per-channel standardisation.
    lambda_ : float
        Learned final threshold lambda*.
    n_iter_ : int
        Epochs run.
    best_validation_score_ : float or None
        Validation accuracy at the kept epoch.
    loss_curve_ : list of float
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X had string column names.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skphase.sparse_coding import LISTAClassifier
    >>> X, y = make_classification(n_samples=120, n_features=10, random_state=0)
    >>> clf = LISTAClassifier(n_reduced=8, n_components=16, max_epochs=10, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.8
    True
    """

    _parameter_constraints: dict = {
        "shape": [None, Shape((1, 2, 3), text="a tuple (C,), (C, P) or (C, H, W) of integers >= 1")],
        "n_reduced": [Ints(1)],
        "n_components": [Ints(1)],
        "n_layers": [Ints(1)],
        "lambda_init": [Floats(0, 1, closed="right")],
        "pooling": [StrOptions({"none", "mean"})],
        "learning_rate": [Floats(0, None, closed="neither")],
        "weight_decay": [Floats(0, None, closed="left")],
        "batch_size": [Ints(1)],
        "max_epochs": [Ints(1)],
        "validation_fraction": [Floats(0, 1, closed="left")],
        "n_iter_no_change": [Ints(1)],
        "backend": [StrOptions({"numpy", "torch"})],
        "device": [None, str],
        "n_jobs": JOBS,
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(self, shape=None, *, n_reduced=32, n_components=64, n_layers=4,
                 lambda_init=0.1, pooling="none", learning_rate=3e-3, weight_decay=1e-4,
                 batch_size=64, max_epochs=40, validation_fraction=0.1, n_iter_no_change=5,
                 backend="numpy", device=None, n_jobs=None, random_state=None, verbose=0):
        self.shape = shape
        self.n_reduced = n_reduced
        self.n_components = n_components
        self.n_layers = n_layers
        self.lambda_init = lambda_init
        self.pooling = pooling
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.backend = backend
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # --- checks ------------------------------------------------------------------------------
    # the constraints (Ints/Floats/JOBS: no booleans), backend and device are checked by
    # fit_context (SkphaseEstimatorMixin._validate_params) before any fit

    def _layout(self, n_features, given):
        """(C, *positions) of the features: ``shape``, else the array's own (``given``), else
        the one the feature names spell, else one position; checked against the data."""
        if self.shape is not None:
            shape = tuple(int(s) for s in self.shape)
            if given is not None and (shape[0], int(np.prod(shape[1:]))) != (given[0], int(np.prod(given[1:]))):
                raise ValueError(f"shape={shape} disagrees with the layout of X, {given} per sample; "
                                 f"pass one or the other.")
        else:
            shape = given or layout_from_feature_names(getattr(self, "feature_names_in_", None))
            shape = shape or (n_features,)
        if int(np.prod(shape)) != n_features:
            raise ValueError(f"shape={shape} holds {int(np.prod(shape))} values per sample but X "
                             f"has {n_features} features.")
        return shape

    def _check_layout(self, given):
        """An (n, C, ...) array given to a fitted model must have the layout it was fitted on."""
        if given is not None and given != self.layout_ and self.shape is None:
            raise ValueError(f"X has the layout {given} per sample but the model was fitted on "
                             f"{self.layout_}.")

    @property
    def _channels_positions(self):
        """(C, P) of ``layout_``: channels, and positions in all."""
        return self.layout_[0], int(np.prod(self.layout_[1:]))

    def _features(self, X):
        """X as (n, n_features) for a fitted model."""
        X, given = split_structured(X)
        self._check_layout(given)
        return validate_data(self, X, dtype=np.float64, reset=False)

    def _structured(self, X):
        C, P = self._channels_positions
        return ((X.reshape(X.shape[0], C, P) - self.mean_[:, None]) / self.scale_[:, None]
                ).transpose(0, 2, 1)

    # --- training ------------------------------------------------------------------------------
    @fit_context
    def fit(self, X, y):
        """Train L, D, lambda*, the ISTC step and W on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, C, H, W) or (n_samples, C, N)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        X, given = split_structured(X)
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"LISTAClassifier needs samples of at least 2 classes; got one class "
                             f"({self.classes_[0]!r}).")
        with self._threads(), interruptible():  # _train's, shared: from here on Ctrl-C stops
            self._init_model(X, self._rng(), given)
            return self._train(X, np.searchsorted(self.classes_, y), self.max_epochs,
                               self.validation_fraction)

    @fit_context
    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y), without early stopping (a stream's next chunk).

        ``classes`` (all the labels of the stream) is required on the first call.

        Returns
        -------
        self : object
        """
        first = not hasattr(self, "params_")
        if first:
            if classes is None:
                raise ValueError("classes must be given on the first call to partial_fit.")
            classes = np.unique(classes)
            if len(classes) < 2:
                raise ValueError(f"LISTAClassifier needs at least 2 classes; got {classes!r}.")
        X, given = split_structured(X)
        if not first:
            self._check_layout(given)
        X, y = validate_data(self, X, y, dtype=np.float64, reset=first)
        check_classification_targets(y)
        unknown = np.setdiff1d(np.unique(y), classes if first else self.classes_)
        if unknown.size:
            raise ValueError(f"y has labels {unknown[:5].tolist()} not in classes_ "
                             f"{(classes if first else self.classes_)[:10].tolist()}.")
        with self._threads(), interruptible():
            if first:
                self.classes_ = classes
                self._init_model(X, self._rng(), given)
            return self._train(X, np.searchsorted(self.classes_, y), 1, 0.0, reset_log=first)

    @fit_context
    def fit_image_folder(self, root: str, *, image_size: int = 32, J: int = 2, L: int = 4,
                         epochs: int | None = None, n_processes: int = 1,
                         checkpoint: str | None = None, resume: bool = False, amp: bool = False,
                         num_workers: int = 0):
        """Train on a class-per-folder image directory with the large-scale torch path.

        Images are read batch by batch (Pillow, RGB, resized to ``image_size``), their
        scattering (``J``, ``L``, per colour channel) computed on ``device``, and the network
        trained with this estimator's hyperparameters (n_reduced, n_components, n_layers,
        lambda_init, pooling, learning_rate, weight_decay, global batch_size, random_state,
        device) for
        ``epochs`` (default ``max_epochs``) epochs, without early stopping. ``n_processes > 1``
        runs torch DistributedDataParallel: it starts ``torchrun --standalone
        --nproc_per_node=n_processes`` (gloo on CPU, nccl on GPUs), whose result equals the
        one-process run for the same global batch. ``checkpoint``/``resume``: save after each
        epoch, continue from a saved run; ``amp``: mixed precision on CUDA.

        Afterwards ``predict`` & co. take the features of :meth:`image_features`, and
        ``classes_`` holds the folder names. Needs torch and Pillow.

        Returns
        -------
        self : object
        """
        caller = "LISTAClassifier.fit_image_folder"
        for name, value, rule in [
                ("root", root, [str, os.PathLike]), ("image_size", image_size, [Ints(4)]),
                ("J", J, [Ints(1)]), ("L", L, [Ints(1)]), ("epochs", epochs, [None, Ints(1)]),
                ("n_processes", n_processes, [Ints(1)]),
                ("checkpoint", checkpoint, [None, str, os.PathLike]),
                ("resume", resume, ["boolean"]), ("amp", amp, ["boolean"]),
                ("num_workers", num_workers, [Ints(0)])]:
            check_param(name, value, rule, caller=caller)
        if not os.path.isdir(root):
            raise ValueError(f"root={os.fspath(root)!r} is not a directory (one sub-folder of "
                             f"images per class).")
        if n_processes > 1 and self.batch_size % n_processes:
            raise ValueError(f"batch_size={self.batch_size} (the global batch) must be divisible "
                             f"by n_processes={n_processes}.")
        root = os.fspath(root)
        checkpoint = None if checkpoint is None else os.fspath(checkpoint)
        epochs = self.max_epochs if epochs is None else epochs
        seed = draw_seed(self.random_state)
        config = dict(image_size=image_size, J=J, L=L, n_reduced=self.n_reduced,
                      n_components=self.n_components, n_layers=self.n_layers,
                      lambda_init=float(self.lambda_init), pooling=self.pooling,
                      learning_rate=float(self.learning_rate),
                      weight_decay=float(self.weight_decay), epochs=int(epochs),
                      batch_size=self.batch_size, seed=seed, device=self.device,
                      num_workers=num_workers, checkpoint=checkpoint, resume=resume, amp=amp)
        with self._threads(), interruptible() as stop:
            if n_processes == 1:
                from ._distributed import train_from_folder

                result = train_from_folder(root, **config, stop=stop)
                result = {**result["params"], "losses": result["losses"],
                          "classes": result["classes"], "mean": result["mean"],
                          "scale": result["scale"]}
            else:
                result = _torchrun(root, config, n_processes, stop)
        self.classes_ = np.asarray(result["classes"])
        self.mean_, self.scale_ = np.asarray(result["mean"]), np.asarray(result["scale"])
        self.params_ = {k: np.array(result[k], dtype=np.float64)
                        for k in (*net.PARAM_NAMES, "mu", "sigma")}
        self.layout_ = (self.mean_.shape[0], *_scattering_output_shape(image_size, J, L))
        self.n_features_in_ = int(np.prod(self.layout_))
        self.__dict__.pop("feature_names_in_", None)
        self._image_config_ = {"J": J, "L": L, "image_size": image_size}
        self._rng_ = np.random.default_rng(seed)
        self._optimizer_ = None
        self._torch_optimizer_state_ = None
        self.n_iter_ = len(result["losses"])
        self.loss_curve_ = [float(v) for v in result["losses"]]
        self.best_validation_score_ = None
        if stop.is_set():
            warn_interrupted(f"fit_image_folder after {self.n_iter_} epoch(s) of {epochs}")
        return self

    def image_features(self, images):
        """Features of RGB images (n, 3, image_size, image_size) in [0, 1], as
        :meth:`fit_image_folder` computes them: the input of ``predict`` after it."""
        check_is_fitted(self, "_image_config_")
        from ._distributed import image_features

        cfg = self._image_config_
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[1:] != (3, cfg["image_size"], cfg["image_size"]):
            raise ValueError(f"images must have shape (n, 3, {cfg['image_size']}, "
                             f"{cfg['image_size']}) like the training images; got {images.shape}.")
        with self._threads():
            return image_features(images, J=cfg["J"], L=cfg["L"], device=self.device)

    def _threads(self, training: bool = True):
        return scoped_threads(self.n_jobs, torch_too=training and self.backend == "torch")

    def _rng(self):
        self._rng_ = np.random.default_rng(draw_seed(self.random_state))
        return self._rng_

    def _init_model(self, X, rng, given=None):
        self.layout_ = self._layout(X.shape[1], given)
        C, P = self._channels_positions
        Xs = X.reshape(X.shape[0], C, P)
        self.mean_ = Xs.mean(axis=(0, 2))
        scale = Xs.std(axis=(0, 2))
        self.scale_ = np.where(scale > 1e-12 * max(1.0, scale.max()), scale, 1.0)
        self.params_ = net.init_params(self._structured(X), self.n_reduced, self.n_components,
                                       float(self.lambda_init), len(self.classes_), self.pooling,
                                       rng)
        self._optimizer_ = None
        self._torch_optimizer_state_ = None
        self.n_iter_ = 0
        self.loss_curve_ = []
        self.best_validation_score_ = None

    def _trainer(self):
        if self.backend == "torch":
            from ._torch_models import TorchTrainer

            return TorchTrainer(self)
        return _NumpyTrainer(self)

    def _train(self, X, y_idx, n_epochs, validation_fraction, reset_log=True):
        rng = self._rng_
        self.loss_curve_ = list(self.loss_curve_)  # a new list: a failed call keeps the old one
        Z = self._structured(X)
        Zv = yv = None
        if validation_fraction > 0:
            n_classes = len(self.classes_)
            n_val = int(np.ceil(validation_fraction * len(y_idx)))
            stratify = y_idx if (np.bincount(y_idx).min() >= 2 and n_val >= n_classes) else None
            if n_val >= 1 and len(y_idx) - n_val >= 1:
                tr, va = train_test_split(np.arange(len(y_idx)), test_size=n_val,
                                          stratify=stratify, random_state=rng.integers(2**31 - 1))
                Z, Zv, yv, y_idx = Z[tr], Z[va], y_idx[va], y_idx[tr]
        trainer = self._trainer()
        best = None
        stall = 0
        start = time.perf_counter()
        with interruptible() as stop:
            for epoch in range(n_epochs):
                try:
                    # polls ``stop`` after each minibatch's projection: what is kept is projected
                    loss = trainer.epoch(Z, y_idx, rng, stop)
                except KeyboardInterrupt:
                    # raised where it landed (no flag handler: a user's own SIGINT handler,
                    # another thread), possibly between the Adam step and the projection
                    stop.set()
                    trainer.project()
                    break
                self.n_iter_ += 1
                self.loss_curve_.append(loss)
                if stop.is_set():  # a partial epoch: no validation of it
                    break
                score = None
                if Zv is not None:
                    # the validation loss is smoother than its accuracy on small sets
                    logits_v = trainer.logits(Zv)
                    val_loss = net.cross_entropy(logits_v, yv)[0]
                    score = float(np.mean(np.argmax(logits_v, axis=1) == yv))
                    if best is None or val_loss < best[1]:
                        best = (score, val_loss, trainer.state())
                        stall = 0
                    else:
                        stall += 1
                if self.verbose:
                    extra = f", validation accuracy {score:.4f}" if score is not None else ""
                    print(f"epoch {self.n_iter_}: loss {loss:.4f}{extra} "
                          f"({time.perf_counter() - start:.1f} s)")
                if stall >= self.n_iter_no_change:
                    break
        if best is not None:
            trainer.load(best[2])
            self.best_validation_score_ = best[0]
        trainer.store()
        if stop.is_set():
            kept = ("the epoch of the best validation loss" if best is not None
                    else "the last minibatch step")
            warn_interrupted(f"LISTAClassifier training after {self.n_iter_} epoch(s) "
                             f"(kept: {kept})")
        return self

    # --- prediction --------------------------------------------------------------------------
    @property
    def lambda_(self) -> float:
        check_is_fitted(self, "params_")
        return float(np.exp(self.params_["s"]))

    def _logits(self, X):
        check_is_fitted(self, "params_")
        X = self._features(X)
        Z = self._structured(X)
        out = []
        with self._threads(training=False):
            for s in range(0, Z.shape[0], 1024):
                out.append(net.forward(self.params_, Z[s:s + 1024], self.n_layers, self.pooling))
        return np.concatenate(out, axis=0)

    def decision_function(self, X):
        """Logits, shape (n_samples, n_classes); (n_samples,) for two classes (class 1 vs 0)."""
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if len(self.classes_) == 2 else logits

    def predict_proba(self, X):
        """Softmax class probabilities, shape (n_samples, n_classes)."""
        logits = self._logits(X)
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each sample."""
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def transform_codes(self, X):
        """The pooled sparse codes of X (the input of W), shape (n_samples, n_pooled)."""
        check_is_fitted(self, "params_")
        X = self._features(X)
        with self._threads(training=False):
            return net.forward(self.params_, self._structured(X), self.n_layers, self.pooling,
                               cache=True)[1]["F"]


class _NumpyTrainer:
    """Minibatch Adam on copies of the estimator's parameters and optimizer, given back to it by
    :meth:`store` at the end: a fit that fails or is interrupted twice leaves them untouched."""

    def __init__(self, est):
        import copy

        self.est = est
        self.params = {k: np.array(v, dtype=np.float64, copy=True) for k, v in est.params_.items()}
        names = net.PARAM_NAMES
        if est._optimizer_ is None:
            self.opt = Adam([self.params[k] for k in names], est.learning_rate,
                            weight_decay=[est.weight_decay if k in net.DECAYED else 0.0 for k in names])
        else:
            self.opt = copy.deepcopy(est._optimizer_)
            self.opt.params = [self.params[k] for k in names]
        self._z_source = self._z32 = None

    def epoch(self, Z, y_idx, rng, stop=None) -> float:
        est = self.est
        # float32 products: half the time of float64; Adam and the parameters stay float64.
        # Cast once per fit: _train passes the same Z at every epoch
        if self._z_source is not Z:
            self._z_source, self._z32 = Z, Z.astype(np.float32)
        Z = self._z32
        order = rng.permutation(Z.shape[0])
        net.refresh_code_statistics(self.params, Z[order[:1024]], est.n_layers, est.pooling)
        total, seen = 0.0, 0
        for s in range(0, len(order), est.batch_size):
            idx = order[s:s + est.batch_size]
            logits, saved = net.forward(self.params, Z[idx], est.n_layers, est.pooling, cache=True)
            loss, dlogits = net.cross_entropy(logits, y_idx[idx])
            grads = net.backward(self.params, saved, dlogits, est.n_layers, est.pooling)
            self.opt.step([grads[k] for k in net.PARAM_NAMES])
            net.project(self.params)
            total += loss * len(idx)
            seen += len(idx)
            if stop is not None and stop.is_set():
                break
        return total / max(seen, 1)

    def project(self):
        net.project(self.params)

    def logits(self, Z):
        return net.forward(self.params, Z, self.est.n_layers, self.est.pooling)

    def state(self):
        return {k: np.array(v, copy=True) for k, v in self.params.items()}

    def load(self, state):
        for k, v in state.items():
            self.params[k][...] = v

    def store(self):
        self.est.params_ = self.params
        self.est._optimizer_ = self.opt
