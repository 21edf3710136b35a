"""ScatteringGenerator: a generative autoencoder whose encoder is the scattering transform.

Angles & Mallat, "Generative networks as inverse problems with scattering
transforms" (ICLR 2018); seed slides 21-28. The encoder is not learned:
Z = normalise(W (S_J x - mean)), S_J the order-2 scattering averages and W a PCA
whitening to ``n_components`` dimensions. The decoder, a convolutional network,
is trained to invert it with an L1 loss.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils._progress import progress as _progress

_TORCH_HINT = ("ScatteringGenerator needs PyTorch; install the extra with "
               "pip install 'skphase[torch]'.")


def _import_torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised only without torch
        raise ImportError(_TORCH_HINT) from exc
    return torch


def _check_device(torch, device):
    name = "cpu" if device is None else str(device)
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} but torch sees no CUDA device; use device='cpu' (or None).")
    try:
        return torch.device(name)
    except RuntimeError as exc:
        raise ValueError(f"device={device!r} is not a torch device: {exc}") from None


@contextlib.contextmanager
def _torch_threads(torch, n_jobs):
    """Run torch on ``n_jobs`` threads (None: leave torch's setting), restored afterwards."""
    if n_jobs is None:
        yield
        return
    from joblib import effective_n_jobs

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, effective_n_jobs(n_jobs)))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _check_images(X, name="X"):
    """(n, H, W) or (n, H, W, 3) finite reals -> float64 array (n, H, W, C)."""
    if hasattr(X, "detach"):  # a torch tensor: bring it to numpy
        X = X.detach().cpu().numpy()
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of images, got {type(X).__name__}: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if arr.ndim == 3:
        arr = arr[..., None]
    elif not (arr.ndim == 4 and arr.shape[-1] in (1, 3)):
        raise ValueError(f"{name} must be images shaped (n_samples, H, W) or (n_samples, H, W, 3) "
                         f"(channels last); got shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has 0 samples; at least 1 is required.")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity ({int(np.sum(~np.isfinite(arr)))} values); "
                         "clean or impute the images first.")
    return arr


class ScatteringGenerator(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Generative autoencoder: whitened scattering embedding and a trained CNN decoder.

    ``transform(X)`` gives Z = normalise(W (S_J x - m)) in R^d0, where S_J is the
    order-2 scattering transform (J octaves, L orientations, complex modulus; one
    per colour channel), W the PCA whitening to ``n_components`` = d0 dimensions
    fitted on the training images and normalise the projection on the unit sphere.
    ``inverse_transform(Z)`` decodes with a convolutional network (Linear to a
    (size / 2^J) map, then J blocks of bilinear x2 upsampling, reflection padding,
    convolution, BatchNorm, ReLU) trained to minimise the mean L1 error
    ||decoder(Z(x)) - x||_1 with Adam on minibatches, early-stopped on a held-out
    fraction. Since S_J is stable to deformations and Gaussianizes, random points
    of the sphere decode to new images (:meth:`sample`) and straight paths between
    two embeddings decode to deformations (:meth:`interpolate`).

    Parameters
    ----------
    n_components : int, default=64
        Dimension d0 of the embedding.
    J : int or None, default=None
        Scattering octaves; None gives the largest J <= 4 leaving a map of at least
        4 x 4 (J = 3 at 32 x 32, 4 at 64 x 64). Images need sides >= 2^J.
    L : int, default=8
        Orientations of the scattering wavelets.
    decoder : {"cnn"}, default="cnn"
        Decoder architecture.
    width : int, default=64
        Channels of the first decoder map; halved by each block (at least 8).
    kernel_size : int, default=3
        Side of the decoder convolutions (the reference uses 5 or 7; 3 is cheaper on CPUs).
    max_epochs : int, default=30
        Passes over the training images.
    batch_size : int, default=32
        Images per Adam step.
    learning_rate : float, default=2e-3
        Adam's step size.
    validation_fraction : float, default=0.1
        Fraction of the images held out for early stopping (0 disables it).
    n_iter_no_change : int, default=8
        Stop after this many epochs without improving the held-out loss by ``tol``.
    tol : float, default=1e-4
        Minimum improvement of the held-out loss.
    max_time : float or None, default=None
        Stop training after this many seconds (the scattering is not counted).
    warm_start : bool, default=False
        Refit continues training the previous decoder (same embedding) instead of
        starting over.
    checkpoint_path : str or None, default=None
        File where the training state is saved after every epoch; a fit that finds a
        checkpoint made with the same settings and images resumes from it.
    device : str or None, default=None
        torch device ("cpu", "cuda", "cuda:1"); None is "cpu".
    n_jobs : int or None, default=None
        CPU threads torch uses while this estimator runs (None: torch's own
        setting; -1: all cores). On a CPU shared with other work, 1 is often the
        fastest: spinning threads that wait for cores cost more than they give.
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the minibatch order and the decoder initialisation
        (deterministic on CPU).
    verbose : int, default=0
        Progress bars (scattering, epochs with the losses).

    Attributes
    ----------
    J_ : int
        Octaves used.
    image_shape_ : tuple of int
        (H, W) or (H, W, 3) of the training images.
    n_scattering_features_ : int
        Length of S_J x (all colour channels).
    embedding_mean_, embedding_components_, embedding_scale_ : ndarray
        The whitening: Z = normalise(((S - mean) @ components.T) / scale).
    decoder_state_ : dict of ndarray
        The decoder weights (a picklable state dict of numpy arrays).
    loss_curve_ : list of float
        Training L1 loss per epoch.
    validation_scores_ : list of float
        Held-out L1 loss per epoch (empty without validation).
    best_validation_loss_ : float
        Held-out loss of the kept decoder (NaN without validation).
    n_epochs_ : int
        Epochs trained in total (across warm starts and resumes).
    training_time_ : float
        Seconds spent training the decoder in the last fit (the scattering excluded).
    n_features_in_ : int
        H * W * channels.

    See Also
    --------
    skphase.ScatteringAverager : the embedding S_J.

    Examples
    --------
    >>> from skphase.generative import ScatteringGenerator
    >>> from skphase.datasets._polygons import make_polygons
    >>> X = make_polygons(40, size=16, random_state=0)
    >>> gen = ScatteringGenerator(n_components=8, J=2, L=4, width=16, max_epochs=2,
    ...                           random_state=0).fit(X)
    >>> gen.transform(X).shape
    (40, 8)
    >>> gen.inverse_transform(gen.transform(X[:3])).shape
    (3, 16, 16)
    >>> gen.sample(2, random_state=0).shape
    (2, 16, 16)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "J": [None, Interval(Integral, 1, None, closed="left")],
        "L": [Interval(Integral, 1, None, closed="left")],
        "decoder": [StrOptions({"cnn"})],
        "width": [Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_time": [None, Interval(Real, 0, None, closed="neither")],
        "warm_start": ["boolean"],
        "checkpoint_path": [None, str, os.PathLike],
        "device": [None, str],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_components=64, *, J=None, L=8, decoder="cnn", width=64, kernel_size=3,
                 max_epochs=30, batch_size=32, learning_rate=2e-3, validation_fraction=0.1,
                 n_iter_no_change=8, tol=1e-4, max_time=None, warm_start=False,
                 checkpoint_path=None, device=None, n_jobs=None, random_state=None, verbose=0):
        self.n_components = n_components
        self.J = J
        self.L = L
        self.decoder = decoder
        self.width = width
        self.kernel_size = kernel_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.max_time = max_time
        self.warm_start = warm_start
        self.checkpoint_path = checkpoint_path
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ---------------------------------------------------------------- checks
    def _check_params(self):
        self._validate_params()
        for name, rule in self._parameter_constraints.items():
            value = getattr(self, name)
            if isinstance(value, bool) and any(isinstance(r, Interval) for r in rule) and name != "verbose":
                raise TypeError(f"{name} must be an int, got {value!r}.")
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (centred convolutions), got {self.kernel_size}.")
        if self.n_jobs == 0:
            raise ValueError("n_jobs=0 is not valid: use None, a positive count, or -1 for all cores.")
        torch = _import_torch()
        return torch, _check_device(torch, self.device)

    def _resolve_J(self, spatial):
        smallest = min(spatial)
        if self.J is not None:
            if 2 ** self.J > smallest:
                raise ValueError(f"J={self.J} needs images of at least 2**J = {2 ** self.J} pixels per side; "
                                 f"X has images of shape {spatial}. Use a smaller J (or J=None).")
            return int(self.J)
        if smallest < 2:
            raise ValueError(f"X has images of shape {spatial}; ScatteringGenerator needs at least "
                             "2 x 2 pixels.")
        return int(max(1, min(4, math.floor(math.log2(smallest)) - 2)))

    def _check_fitted_images(self, X, name="X"):
        check_is_fitted(self, "decoder_state_")
        arr = _check_images(X, name)
        shape = arr.shape[1:] if arr.shape[-1] == 3 else arr.shape[1:3]
        if tuple(shape) != tuple(self.image_shape_):
            raise ValueError(f"{name} has images of shape {tuple(shape)} but {type(self).__name__} was "
                             f"fitted on images of shape {tuple(self.image_shape_)}.")
        return arr

    # ---------------------------------------------------------------- embedding
    def _averager(self):
        from ..representations import ScatteringAverager

        H, W = self.image_shape_[:2]
        return ScatteringAverager(self.J_, L=self.L, max_order=2, nonlinearity="modulus",
                                  backend="torch", device=self.device, verbose=0).fit(np.zeros((1, H, W)))

    def _scatter(self, X):
        """S_J of every colour channel, concatenated: (n, n_scattering_features_) float64."""
        torch = _import_torch()
        averager = self._averager()
        n, H, W, C = X.shape
        planes = np.moveaxis(X, -1, 1).reshape(n * C, H, W)
        per_batch = max(1, 2**25 // (4 * H * W * max(1, averager.n_channels_)))
        chunks = list(range(0, n * C, per_batch))
        out = []
        device = _check_device(torch, self.device)
        with torch.no_grad():
            for start in _progress(chunks, len(chunks), self.verbose, "scattering"):
                x = torch.as_tensor(planes[start:start + per_batch], dtype=torch.float32, device=device)
                out.append(averager.transform(x).cpu().numpy().astype(np.float64))
        return np.concatenate(out, axis=0).reshape(n, -1)

    def _whiten(self, S):
        proj = (S - self.embedding_mean_) @ self.embedding_components_.T / self.embedding_scale_
        norms = np.linalg.norm(proj, axis=1, keepdims=True)
        return proj / np.maximum(norms, 1e-12)

    def _fit_whitening(self, S):
        n, p = S.shape
        if self.n_components > min(n, p):
            raise ValueError(f"n_components={self.n_components} is larger than the embedding allows: "
                             f"min(n_training_samples={n}, n_scattering_features={p}) = {min(n, p)}. "
                             "Use fewer components or more images.")
        self.embedding_mean_ = S.mean(axis=0)
        _, s, Vt = np.linalg.svd(S - self.embedding_mean_, full_matrices=False)
        k = self.n_components
        # sign convention: the largest loading of each component is positive (reproducible)
        signs = np.sign(Vt[np.arange(k), np.argmax(np.abs(Vt[:k]), axis=1)])
        self.embedding_components_ = Vt[:k] * signs[:, None]
        scale = s[:k] / math.sqrt(max(1, n - 1))
        self.embedding_scale_ = np.maximum(scale, 1e-12 * max(scale[0], 1e-300))

    # ---------------------------------------------------------------- decoder
    def _build_decoder(self, torch, device):
        from ._decoder import ConvDecoder

        n_channels = self.image_shape_[2] if len(self.image_shape_) == 3 else 1
        return ConvDecoder(self.n_components, self.image_shape_[:2], n_channels, self.J_, self.width,
                           self.kernel_size).to(device)

    def _load_decoder(self, torch, device):
        from ._decoder import load_numpy_state

        module = load_numpy_state(self._build_decoder(torch, torch.device("cpu")), self.decoder_state_)
        return module.to(device).eval()

    def _signature(self, X):
        """What a checkpoint must share with this fit to be resumed."""
        keys = ("n_components", "J", "L", "decoder", "width", "kernel_size", "batch_size",
                "learning_rate", "validation_fraction", "random_state")
        params = tuple((k, repr(getattr(self, k))) for k in keys)
        return params + (("shape", X.shape), ("sum", float(X.sum())), ("sq", float((X * X).sum())))

    # ---------------------------------------------------------------- fit
    def fit(self, X, y=None):
        """Compute the embedding of X, fit the whitening and train the decoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H, W, 3)
            Images (channels last for colour), finite.
        y : None
            Ignored.

        Returns
        -------
        self : ScatteringGenerator
        """
        torch, device = self._check_params()
        with _torch_threads(torch, self.n_jobs):
            return self._fit(torch, device, X)

    def _fit(self, torch, device, X):
        X4 = _check_images(X)
        shape = X4.shape[1:] if X4.shape[-1] == 3 else X4.shape[1:3]
        warm = self.warm_start and hasattr(self, "decoder_state_")
        if warm and tuple(shape) != tuple(self.image_shape_):
            raise ValueError(f"warm_start=True but X has images of shape {tuple(shape)}; the fitted "
                             f"generator expects {tuple(self.image_shape_)}.")
        seed = int(np.random.RandomState(self.random_state).randint(0, 2**31 - 1)) \
            if not isinstance(self.random_state, Integral) else int(self.random_state)
        if not warm:
            self.image_shape_ = tuple(int(s) for s in shape)
            self.J_ = self._resolve_J(self.image_shape_[:2])
            self.n_features_in_ = int(np.prod(self.image_shape_))
        n = X4.shape[0]
        rng = np.random.default_rng(seed)
        n_val = int(round(self.validation_fraction * n)) if self.validation_fraction > 0 else 0
        if n_val and n - n_val < 2:
            raise ValueError(f"validation_fraction={self.validation_fraction} leaves {n - n_val} training "
                             f"images out of {n}; at least 2 are needed.")
        order = rng.permutation(n)
        val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
        if not warm and len(train_idx) < 2:
            raise ValueError(f"X has {n} image(s); ScatteringGenerator needs at least 2 to train.")
        S = self._scatter(X4)
        self.n_scattering_features_ = S.shape[1]
        if not warm:
            self._fit_whitening(S[train_idx])
            self._n_features_out = self.n_components
        Z = self._whiten(S)
        images = np.moveaxis(X4, -1, 1)  # (n, C, H, W)
        self._train(torch, device, Z, images, train_idx, val_idx, seed, warm, self._signature(X4))
        return self

    def _train(self, torch, device, Z, images, train_idx, val_idx, seed, warm, signature):
        from ._decoder import load_numpy_state, state_to_numpy

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = self._build_decoder(torch, device)
        if warm:
            load_numpy_state(module, self.decoder_state_)
            module.to(device)
        optimizer = torch.optim.Adam(module.parameters(), lr=self.learning_rate)
        history = dict(loss=list(self.loss_curve_) if warm else [],
                       val=list(self.validation_scores_) if warm else [],
                       epoch=self.n_epochs_ if warm else 0,
                       best=self.best_validation_loss_ if warm else math.inf,
                       best_state=dict(self.decoder_state_) if warm else None, stale=0)
        if warm and not val_idx.size:
            history["best"] = math.inf
        resumed = self._resume(signature, module, optimizer, history, torch)
        first_epoch = history["epoch"]
        zt = torch.as_tensor(Z, dtype=torch.float32)
        xt = torch.as_tensor(images, dtype=torch.float32)
        start_time = time.perf_counter()
        # a resumed run finishes the run it was saved from; otherwise max_epochs more
        last = self.max_epochs if resumed else first_epoch + self.max_epochs
        epochs = range(first_epoch, last)
        bar = _progress(epochs, len(epochs), self.verbose, "training")
        try:
            for epoch in bar:
                module.train()
                perm = train_idx[np.random.default_rng([seed, epoch]).permutation(len(train_idx))]
                total, count = 0.0, 0
                for start in range(0, len(perm), self.batch_size):
                    batch = perm[start:start + self.batch_size]
                    if len(batch) < 2:  # BatchNorm needs two samples
                        continue
                    zb, xb = zt[batch].to(device), xt[batch].to(device)
                    loss = (module(zb) - xb).abs().mean()
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
                    total += float(loss.detach()) * len(batch)
                    count += len(batch)
                history["loss"].append(total / max(count, 1))
                history["epoch"] = epoch + 1
                improved = True
                if val_idx.size:
                    val = self._l1(module, zt[val_idx], xt[val_idx], device, torch)
                    history["val"].append(val)
                    improved = val < history["best"] - self.tol
                    if improved:
                        history["best"] = val
                if improved or history["best_state"] is None:
                    history["best_state"] = state_to_numpy(module)
                    history["stale"] = 0
                else:
                    history["stale"] += 1
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                                    val=f"{history['val'][-1]:.4f}" if history["val"] else "-")
                self._save_checkpoint(signature, module, optimizer, history, torch)
                if val_idx.size and history["stale"] >= self.n_iter_no_change:
                    break
                if self.max_time is not None and time.perf_counter() - start_time > self.max_time:
                    break
        except KeyboardInterrupt:
            warnings.warn(f"Training interrupted at epoch {history['epoch']}; keeping the best decoder "
                          "so far.", RuntimeWarning, stacklevel=3)
        if history["best_state"] is None:  # no epoch ran (max_epochs=0 or interrupted at once)
            history["best_state"] = state_to_numpy(module)
        self.decoder_state_ = history["best_state"]
        self.loss_curve_ = history["loss"]
        self.validation_scores_ = history["val"]
        self.best_validation_loss_ = history["best"] if val_idx.size else float("nan")
        self.n_epochs_ = history["epoch"]
        self.training_time_ = time.perf_counter() - start_time

    @staticmethod
    def _l1(module, z, x, device, torch, batch=256):
        module.eval()
        total = 0.0
        with torch.no_grad():
            for s in range(0, len(z), batch):
                total += float((module(z[s:s + batch].to(device)) - x[s:s + batch].to(device)).abs().sum())
        return total / x.numel()

    # ---------------------------------------------------------------- checkpoints
    def _save_checkpoint(self, signature, module, optimizer, history, torch):
        if self.checkpoint_path is None:
            return
        from ._decoder import state_to_numpy

        opt = optimizer.state_dict()
        opt_state = {k: {n: (v.detach().cpu().numpy() if torch.is_tensor(v) else v) for n, v in s.items()}
                     for k, s in opt["state"].items()}
        payload = dict(signature=signature, module=state_to_numpy(module),
                       optimizer=dict(state=opt_state, param_groups=opt["param_groups"]),
                       history=history, whitening=(self.embedding_mean_, self.embedding_components_,
                                                   self.embedding_scale_))
        tmp = f"{os.fspath(self.checkpoint_path)}.tmp"
        with open(tmp, "wb") as f:
            pickle.dump(payload, f)
        os.replace(tmp, self.checkpoint_path)  # never a half-written checkpoint

    def _resume(self, signature, module, optimizer, history, torch):
        """Load a matching checkpoint into module/optimizer/history; return its epoch (0 if none)."""
        from ._decoder import load_numpy_state

        path = self.checkpoint_path
        if path is None or not os.path.exists(path):
            return 0
        with open(path, "rb") as f:
            payload = pickle.load(f)
        if payload.get("signature") != signature:
            warnings.warn(f"checkpoint_path={os.fspath(path)!r} was made with other settings or images; "
                          "training starts over and will overwrite it.", UserWarning, stacklevel=4)
            return 0
        load_numpy_state(module, payload["module"])
        opt = payload["optimizer"]
        opt_state = {k: {n: (torch.as_tensor(v) if isinstance(v, np.ndarray) else v) for n, v in s.items()}
                     for k, s in opt["state"].items()}
        optimizer.load_state_dict(dict(state=opt_state, param_groups=opt["param_groups"]))
        history.update(payload["history"])
        self.embedding_mean_, self.embedding_components_, self.embedding_scale_ = payload["whitening"]
        return history["epoch"]

    # ---------------------------------------------------------------- transform / decode
    def transform(self, X):
        """The embedding Z = normalise(W (S_J x - m)).

        Parameters
        ----------
        X : array-like of shape (n_samples, *image_shape_)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components), unit rows
        """
        X4 = self._check_fitted_images(X)
        with _torch_threads(_import_torch(), self.n_jobs):
            return self._whiten(self._scatter(X4))

    def inverse_transform(self, X):
        """Decode embeddings into images.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Embeddings (rows are used as given; :meth:`transform` returns unit rows).

        Returns
        -------
        images : ndarray of shape (n_samples, *image_shape_), float64
        """
        check_is_fitted(self, "decoder_state_")
        Z = np.asarray(X.detach().cpu().numpy() if hasattr(X, "detach") else X)
        if Z.dtype.kind not in "biuf":
            raise TypeError(f"X must hold real numbers, got dtype {Z.dtype}.")
        if Z.ndim != 2 or Z.shape[1] != self.n_components:
            raise ValueError(f"X must be embeddings of shape (n_samples, {self.n_components}); "
                             f"got shape {Z.shape}.")
        if not np.all(np.isfinite(Z)):
            raise ValueError("X contains NaN or infinity.")
        torch = _import_torch()
        device = _check_device(torch, self.device)
        module = self._load_decoder(torch, device)
        out = []
        with torch.no_grad(), _torch_threads(torch, self.n_jobs):
            for s in range(0, len(Z), 256):
                out.append(module(torch.as_tensor(Z[s:s + 256], dtype=torch.float32, device=device))
                           .cpu().numpy().astype(np.float64))
        images = np.concatenate(out, axis=0) if out else np.zeros((0, 1) + tuple(self.image_shape_[:2]))
        images = np.moveaxis(images, 1, -1)
        return images if len(self.image_shape_) == 3 else images[..., 0]

    def sample(self, n_samples=1, random_state=None):
        """Decode embeddings drawn uniformly on the unit sphere (normalised white noise).

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None

        Returns
        -------
        images : ndarray of shape (n_samples, *image_shape_)
        """
        check_is_fitted(self, "decoder_state_")
        if isinstance(n_samples, bool) or not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")
        from sklearn.utils import check_random_state

        z = check_random_state(random_state).standard_normal((int(n_samples), self.n_components))
        return self.inverse_transform(z / np.linalg.norm(z, axis=1, keepdims=True))

    def interpolate(self, x0, x1, n_steps=8):
        """Decode the path (1 - a) Z(x0) + a Z(x1), renormalised, for a in [0, 1].

        Parameters
        ----------
        x0, x1 : array-like of shape image_shape_
            The two end images.
        n_steps : int, default=8
            Points on the path, ends included (at least 2).

        Returns
        -------
        images : ndarray of shape (n_steps, *image_shape_)
        """
        check_is_fitted(self, "decoder_state_")
        if isinstance(n_steps, bool) or not isinstance(n_steps, Integral) or n_steps < 2:
            raise ValueError(f"n_steps must be an int >= 2, got {n_steps!r}.")
        ends = []
        for name, x in (("x0", x0), ("x1", x1)):
            x = np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x)
            if x.shape != tuple(self.image_shape_):
                raise ValueError(f"{name} must be one image of shape {tuple(self.image_shape_)}, "
                                 f"got shape {x.shape}.")
            ends.append(x)
        z0, z1 = self.transform(np.stack(ends))
        a = np.linspace(0.0, 1.0, int(n_steps))[:, None]
        path = (1 - a) * z0 + a * z1
        return self.inverse_transform(path / np.maximum(np.linalg.norm(path, axis=1, keepdims=True), 1e-12))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # images (n, H, W[, 3]) only: scikit-learn's tabular common checks do not apply
        tags.input_tags.allow_nan = False
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags
