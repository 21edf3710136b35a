"""ScatteringGenerator: a generative autoencoder whose encoder is the scattering transform.

Angles & Mallat, "Generative networks as inverse problems with scattering
transforms" (ICLR 2018); seed slides 21-28. The encoder is not learned:
Z = normalise(W (S_J x - mean)), S_J the order-2 scattering averages and W a PCA
whitening to ``n_components`` dimensions. The decoder, a convolutional network,
is trained to invert it (squared or L1 error).
"""

from __future__ import annotations

import math
import os

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import InvalidParameterError, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import SkphaseEstimatorMixin, fit_context
from ..utils._interrupt import interruptible
from ..utils._memory import check_allocation
from ..utils._params import JOBS, RANDOM_STATE, Floats, Ints, check_param
from ..utils._threads import scoped_threads
from ..utils._validation import check_J
from . import _checkpoint
from ._inputs import _check_device, _check_images, _import_torch, _seed

class ScatteringGenerator(SkphaseEstimatorMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                          BaseEstimator):
    """Generative autoencoder: whitened scattering embedding and a trained CNN decoder.

    ``transform(X)`` gives Z = normalise(W (S_J x - m)) in R^d0, where S_J is the
    order-2 scattering transform (J octaves, L orientations, complex modulus; one
    per colour channel; padded periodically when 2^J divides the image sides, by
    reflection otherwise), W the PCA whitening to ``n_components`` = d0 dimensions
    fitted on the training images and normalise the projection on the unit sphere.
    ``inverse_transform(Z)`` decodes with a convolutional network (Linear to a
    (size / 2^J) map, then J blocks of bilinear x2 upsampling, convolution,
    BatchNorm, ReLU) trained to minimise the mean squared (or L1)
    error between decoder(Z(x)) and x with Adam on minibatches, early-stopped on a held-out
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
    decoder : {"cnn", "progressive"}, default="cnn"
        "cnn": the convolutional decoder above, from the order-2 scattering.
        "progressive" (slides 23-24): the embedding whitens y_J = U x * phi_J, the
        phase-harmonic coefficients U x (``PhaseHarmonicTransform``, 2 phases)
        averaged at scale 2^J; the decoder predicts y_j from y_{j+1} for
        j = J-1 ... 0 (upsampling plus a LISTA sparse code in a learned dictionary
        D_j) and inverts y_0 = U x exactly. All steps are trained jointly on the
        ``loss`` averaged over the decoded levels y_0 ... y_J and over the levels
        each step predicts from the true coarser one (teacher forcing), plus the
        ``loss`` on the images U^-1 y_0. See :mod:`skphase.generative._progressive`.
        Experimental: at equal training time it stays 3-4 dB under "cnn" (32 x 32
        polygons, 300 s: 26.3-27.2 against 30.3 dB held-out), because an epoch costs ~13
        times the CNN's (LISTA on the 1 + 2JL full-resolution channels of U x); at
        equal epochs it is within 0.4 dB.
    width : int, default=64
        "cnn": channels of the first decoder map, halved by each block (at least 8).
        "progressive": atoms per dictionary D_j.
    kernel_size : int, default=3
        Side of the decoder convolutions (the reference uses 5 or 7; 3 is cheaper on CPUs).
    max_epochs : int, default=30
        Passes over the training images.
    batch_size : int, default=32
        Images per Adam step.
    learning_rate : float, default=6e-3
        Adam's (peak) step size.
    learning_rate_schedule : {"cosine", "constant"}, default="cosine"
        "cosine" decays the step from ``learning_rate`` to 0 along a half cosine over
        the ``max_epochs`` epochs of this fit (step by step), or over ``max_time``
        seconds when that budget runs out first; a warm start restarts the decay.
        "constant" keeps ``learning_rate``.
    weight_decay : float, default=0.0
        Decoupled weight decay (AdamW); 0 is plain Adam. It does not cure overfitting:
        on 1,000 polygons of 64 x 64 without augmentation, 0.1 raised train and
        held-out PSNR by 0.2-0.3 dB (0.01 lowered both) and left the 1 dB gap;
        augmentation is the regulariser that works. With it, 0.1 added 0.1 dB (64 x 64)
        and 0.4 dB (32 x 32) held-out, about the spread between two time-bound runs.
    loss : {"mse", "l1"}, default="mse"
        Training error: mean squared error (the error that PSNR measures) or mean
        absolute error (the reference's L1, which keeps edges sharper).
    augment : "auto" or bool, default="auto"
        Also train on symmetries of the training images: mirror images and quarter
        turns (the 7 other symmetries of the square; 3 for non-square images: the two
        mirrors and the half turn), with their own embeddings. True: all of them;
        False: none; "auto": those under which the images still look like the data,
        seen by the embedding: the training images are split in halves, a whitening
        is fitted on one, and a symmetry is kept when its images of that half lie at
        most 1.2 times as far from the whitened subspace, and with at most 1.2 times
        the whitened norm, as the other half's images (medians; ``symmetry_ratios_``).
        Polygons keep all 7 (ratios 0.96-1.0) and the default fit's held-out PSNR
        rises from 27.4 to 29.6 dB at 32 x 32 (2,000 images), from 24.8 to 27.6 dB at
        64 x 64 (1,000 images: without them the decoder overfits and stays under PCA's
        25.05 dB); scikit-learn's digits keep none (ratios 1.3-2.8: trained on mirrored
        and turned digits, the decoder lost 1.7 dB). The embeddings of the symmetric
        images cost no scattering: when 2^J divides the sides the scattering is padded
        periodically, and the scattering of a mirror image about pixel 0 (a flip and a
        one-pixel circular shift: the images added are those) or of a transpose is a
        permutation of the original's channels and maps (exact to float32 rounding,
        relative error ~1e-5; checked on two images at each fit); with reflection
        padding the mirrors are scattered again. Each kept symmetry adds the training
        images once to every epoch (the time per epoch grows with it; ``max_time``
        still bounds the training). The whitening and the held-out images are those
        of X. With ``decoder="progressive"`` "auto" chooses on the whitened y_J and
        every kept symmetry's images are transformed again (no permutation); on
        32 x 32 polygons it keeps all 7, and at equal training time (300 s) they
        raised the held-out PSNR from 26.0 to 26.3-26.8 dB and closed the 0.6 dB
        generalisation gap.
    validation_fraction : float, default=0.1
        Fraction of the images held out for early stopping (0 disables it).
    n_iter_no_change : int, default=8
        Stop after this many epochs without improving the held-out loss by ``tol``.
    tol : float, default=1e-4
        Minimum improvement of the held-out loss.
    max_time : float or None, default=180.0
        Stop training after this many seconds (checked after every step, the
        scattering not counted), and
        with the cosine schedule finish the decay by then. The default keeps a fit
        of 2,000 images of 32 x 32 under 5 minutes on a loaded 2-core CPU. With a
        budget the cosine decay follows whichever of epochs and time is further
        along, so the learning rate, and the result, depend on the machine's speed
        and load even when all ``max_epochs`` finish in time. Set None for runs that
        are reproducible (epochs alone then decide the schedule).
    warm_start : bool, default=False
        Refit continues training the previous decoder (same embedding) instead of
        starting over.
    checkpoint_path : str, path-like or None, default=None
        File where the training state is saved after every epoch; a fit that finds a
        checkpoint made with the same settings, seed and images (a SHA-256 of their bytes)
        resumes from it (one made with others: a warning, and training starts over; with
        ``random_state=None`` each fit draws a new seed, so resuming needs a fixed one).
        A checkpoint holds only arrays and plain metadata: a ``.npz`` archive with a JSON
        entry, read without unpickling anything; a file at that path that is no such checkpoint (a pickle, an older
        skphase's checkpoint, anything crafted) is refused with a ``ValueError`` and left
        alone. It is written to a new temporary file in the same folder (``mkstemp``)
        then moved over the old one, never half-written.
    device : str or None, default=None
        torch device ("cpu", "cuda", "cuda:1"); None is "cpu".
    n_jobs : int or None, default=None
        CPU threads of torch, the BLAS and the scattering while this estimator
        runs: None means 1 unless in a :func:`joblib.parallel_config` context, -1
        all cores. On a CPU shared with other work 1 is often the fastest:
        spinning threads that wait for cores cost more than they give.
    random_state : int, RandomState or Generator instance, or None, default=None
        An int seed, or a seed drawn from the instance (or numpy's global RandomState for
        None) once per fit. Seeds the split, the minibatch order and the decoder initialisation
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
    augmentation_ : list of str
        The symmetries added to the training images, among "flip_rows", "flip_cols",
        "rot180", "transpose", "rot90", "rot270", "anti_transpose" (numpy's flips,
        transpose and ``rot90``; with periodic padding the mirrors are about pixel 0).
    symmetry_ratios_ : dict
        ``augment="auto"`` only (else empty): for each symmetry, the ratios (distance to
        the whitened subspace, whitened norm) of its images to the data's; kept when both
        are at most 1.2.
    embedding_mean_, embedding_components_, embedding_scale_ : ndarray
        The whitening: Z = normalise(((S - mean) @ components.T) / scale).
    decoder_state_ : dict of ndarray
        The decoder weights (a picklable state dict of numpy arrays).
    loss_curve_ : list of float
        Training loss per epoch (``loss`` on the images; see ``decoder`` for "progressive").
    validation_scores_ : list of float
        The same loss on the held-out images, per epoch (empty without validation).
    best_validation_loss_ : float
        Held-out loss of the kept decoder (NaN without validation).
    scale_errors_ : ndarray of shape (``J_`` + 1,)
        "progressive" only: relative L2 error ||y_j_hat - y_j|| / ||y_j|| on the held-out
        images (the training images without validation), for j = 0 ... ``J_``.
    innovation_correlation_ : ndarray of shape (``J_`` - 1,)
        "progressive" only: correlation, over the held-out images (the training
        images without validation), between the innovations y_j - up(y_{j+1}) of the
        data at consecutive scales j and j + 1 (the coarser one upsampled); a
        property of the images and the pyramid, not of the training.
    residual_correlation_ : ndarray of shape (``J_`` - 1,)
        "progressive" only: the same correlation for the residuals of the learned
        prediction, y_j - P_j(y_{j+1}) with P_j the trained step applied to the true
        y_{j+1}: near 0 when what each scale leaves unpredicted is decorrelated
        across scales (slide 23).
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
        "n_components": [Ints(1)],
        "J": [None, Ints(1)],
        "L": [Ints(1)],
        "decoder": [StrOptions({"cnn", "progressive"})],
        "width": [Ints(1)],
        "kernel_size": [Ints(1)],  # and odd: _check_params
        "max_epochs": [Ints(0)],
        "batch_size": [Ints(1)],
        "learning_rate": [Floats(0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"constant", "cosine"})],
        "weight_decay": [Floats(0)],
        "loss": [StrOptions({"l1", "mse"})],
        "augment": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Floats(0, 1, closed="left")],
        "n_iter_no_change": [Ints(1)],
        "tol": [Floats(0)],
        "max_time": [None, Floats(0, None, closed="neither")],
        "warm_start": ["boolean"],
        "checkpoint_path": [None, str, os.PathLike],
        "device": [None, str],
        "n_jobs": JOBS,
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(self, n_components=64, *, J=None, L=8, decoder="cnn", width=64, kernel_size=3,
                 max_epochs=30, batch_size=32, learning_rate=6e-3, learning_rate_schedule="cosine",
                 weight_decay=0.0, loss="mse", augment="auto", validation_fraction=0.1, n_iter_no_change=8, tol=1e-4,
                 max_time=180.0, warm_start=False, checkpoint_path=None, device=None, n_jobs=None,
                 random_state=None, verbose=0):
        self.n_components = n_components
        self.J = J
        self.L = L
        self.decoder = decoder
        self.width = width
        self.kernel_size = kernel_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.weight_decay = weight_decay
        self.loss = loss
        self.augment = augment
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
        """The checks of the parameters beyond their constraints (validated by ``fit_context``)."""
        if self.kernel_size % 2 == 0:
            raise InvalidParameterError(f"The 'kernel_size' parameter of {type(self).__name__} must be an odd "
                                        f"int in the range [1, inf) (centred convolutions). Got "
                                        f"{self.kernel_size!r} instead.")
        if self.checkpoint_path is not None:
            from ._checkpoint import check_path

            check_path(self.checkpoint_path)
        torch = _import_torch()
        return torch, _check_device(torch, self.device)

    def _resolve_J(self, spatial):
        J = check_J(self.J, spatial, type(self).__name__)
        if J is not None:
            return J
        return int(max(1, min(4, math.floor(math.log2(min(spatial))) - 2)))

    def _check_fitted_images(self, X, name="X"):
        check_is_fitted(self, "decoder_state_")
        arr = _check_images(X, name)
        shape = arr.shape[1:] if arr.shape[-1] == 3 else arr.shape[1:3]
        if tuple(shape) != tuple(self.image_shape_):
            raise ValueError(f"{name} has images of shape {tuple(shape)} but {type(self).__name__} was "
                             f"fitted on images of shape {tuple(self.image_shape_)}.")
        return arr

    # ---------------------------------------------------------------- parts
    def _kind(self, image_shape=None, J=None):
        """The decoder kind of ``decoder`` (:mod:`skphase.generative._decoders`), for the fitted
        geometry unless another is given: it owns the embedding, the network, its loss and decoding."""
        from ._decoders import decoder_kind

        return decoder_kind(self.decoder, self.image_shape_ if image_shape is None else image_shape,
                            self.J_ if J is None else J, n_components=self.n_components, L=self.L,
                            width=self.width, kernel_size=self.kernel_size, loss=self.loss,
                            device=self.device, verbose=self.verbose)

    def _whitening(self):
        from ._embedding import Whitening

        return Whitening(self.embedding_mean_, self.embedding_components_, self.embedding_scale_)

    def _fit_whitening(self, S):
        from ._embedding import Whitening

        white = Whitening.fit_checked(S, self.n_components)
        self.embedding_mean_, self.embedding_components_, self.embedding_scale_ = \
            white.mean, white.components, white.scale

    def _load_decoder(self, kind, device):
        """The fitted decoder (``decoder_state_``) as a module on ``device``, in eval mode."""
        torch = _import_torch()
        from ._decoder import load_numpy_state

        module = load_numpy_state(kind.build(torch.device("cpu")), self.decoder_state_)
        return module.to(device).eval()

    # ---------------------------------------------------------------- fit
    @fit_context
    def fit(self, X, y=None):
        """Compute the embedding of X, fit the whitening and train the decoder.

        A fit either completes or changes nothing: the parameters, the images, the split and
        any checkpoint are checked before the work starts, the work runs on a copy of the
        estimator whose fitted attributes are assigned to it at the end, and a fit that
        raises (bad data found late, a second Ctrl-C) leaves the previous fitted state as it
        was (:func:`skphase.base.fit_context`). One Ctrl-C during the training stops it within
        an Adam step and keeps the best decoder so far (an ``InterruptedWarning`` says at which
        epoch; the checkpoint, if any, is saved): the generator is fitted and usable. A Ctrl-C
        before the training (while the images are scattered) or a second one raises
        ``KeyboardInterrupt`` and changes nothing.

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
        X4 = _check_images(X)
        plan = self._plan(X4)
        signature = _checkpoint.signature(self, X4, plan["seed"])
        from ._training import read_checkpoint

        checkpoint = read_checkpoint(self.checkpoint_path, signature)  # a crafted file is refused before any work
        work = object.__new__(type(self))
        work.__dict__.update(self.__dict__)
        # one Ctrl-C stops the training and keeps the best decoder so far (a second one, or one
        # before the training, raises KeyboardInterrupt and changes nothing)
        with scoped_threads(self.n_jobs, torch_too=True), interruptible():
            work._fit(torch, device, X4, plan, signature, checkpoint)
        self.__dict__.update(work.__dict__)  # the fitted attributes, all at once
        return self

    def _plan(self, X4):
        """Every check on X that needs no work (shapes, J, the split), and the seed and split."""
        shape = tuple(int(s) for s in (X4.shape[1:] if X4.shape[-1] == 3 else X4.shape[1:3]))
        warm = self.warm_start and hasattr(self, "decoder_state_")
        if warm and shape != tuple(self.image_shape_):
            raise ValueError(f"warm_start=True but X has images of shape {shape}; the fitted "
                             f"generator expects {tuple(self.image_shape_)}.")
        J = self.J_ if warm else self._resolve_J(shape[:2])
        seed = _seed(self.random_state)
        n = X4.shape[0]
        n_val = int(round(self.validation_fraction * n)) if self.validation_fraction > 0 else 0
        if n_val and n - n_val < 2:
            raise ValueError(f"validation_fraction={self.validation_fraction} leaves {n - n_val} training "
                             f"images out of {n}; at least 2 are needed.")
        order = np.random.default_rng(seed).permutation(n)
        val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
        if not warm and len(train_idx) < 2:
            raise ValueError(f"X has {n} image(s); ScatteringGenerator needs at least 2 to train.")
        if not warm and self.n_components > len(train_idx):
            raise ValueError(f"n_components={self.n_components} is larger than the embedding allows: "
                             f"min(n_training_samples={len(train_idx)}, n_scattering_features) <= "
                             f"{len(train_idx)}. Use fewer components or more images.")
        kind = self._kind(shape, J)
        self._check_sizes(kind, n)
        return dict(shape=shape, J=J, seed=seed, warm=warm, val_idx=val_idx, train_idx=train_idx, kind=kind)

    def _check_sizes(self, kind, n):
        """Refuse, before allocating, an embedding or a decoder that cannot fit in memory."""
        n_aug = 8 if self.augment is not False else 1  # up to 7 symmetries join the training set
        features, data, params, act = kind.sizes()
        need = (2 * n * features * 8 + n_aug * n * data + 16 * params
                + 4 * 4 * min(self.batch_size, n_aug * n) * act)
        check_allocation(int(need), f"{type(self).__name__}.fit on {n} images of shape {kind.image_shape} "
                         f"(embedding of {features} values per image, a decoder of {params} weights)",
                         "use a smaller L, width or batch_size, fewer images (or augment=False), or "
                         "smaller images.")

    def _fit(self, torch, device, X4, plan, signature, checkpoint):
        warm, seed, val_idx, train_idx, kind = (plan[k] for k in ("warm", "seed", "val_idx", "train_idx", "kind"))
        n = X4.shape[0]
        if not warm:
            self.image_shape_ = plan["shape"]
            self.J_ = plan["J"]
            self.n_features_in_ = int(np.prod(self.image_shape_))
        S, targets = kind.embed(X4)
        self.n_scattering_features_ = S.shape[1]
        if not warm:
            self._fit_whitening(S[train_idx])
            self._n_features_out = self.n_components
        Z = self._whitening()(S)
        from ._augmentation import augmentation
        from ._symmetries import NAMES

        ops, self.symmetry_ratios_ = augmentation(self.augment, X4[train_idx], S[train_idx],
                                                  getattr(kind, "embedding", None), self.n_components, seed,
                                                  choose=kind.chooses_symmetries, symmetric=kind.symmetric())
        self.augmentation_ = [NAMES[op] for op in ops]
        if ops:
            # the other flips / quarter turns of the training images join the training set only:
            # the whitening and the held-out images stay those of X
            S_aug, targets_aug = kind.augmented(X4[train_idx], S[train_idx], ops)
            Z = np.concatenate([Z, self._whitening()(S_aug)])
            targets = [np.concatenate([t, t_aug]) for t, t_aug in zip(targets, targets_aug)]
            train_idx = np.concatenate([train_idx, n + np.arange(len(S_aug))])
        self._train(torch, device, Z, targets, train_idx, val_idx, seed, warm, signature, checkpoint, kind)
        described = kind.describe(lambda: self._load_decoder(kind, device), Z, targets,
                                  val_idx if val_idx.size else train_idx)
        for name, value in described.items():
            setattr(self, name, value)
        return self

    def _train(self, torch, device, Z, targets, train_idx, val_idx, seed, warm, signature, checkpoint, kind):
        """Build (or warm-start) the decoder and train it with :func:`~skphase.generative._training.fit_decoder`."""
        from ._decoder import load_numpy_state
        from ..utils._adam import Adam
        from ._training import Schedule, fit_decoder, new_history

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = kind.build(device)
        # channels-last convolutions train about 1.4x faster on a CPU (oneDNN), same results up to rounding
        module = module.to(memory_format=torch.channels_last)
        if warm:
            load_numpy_state(module, self.decoder_state_)
            module.to(device)
        else:
            kind.start(module, Z, targets, train_idx)
        # with weight_decay=0 it is Adam; otherwise the decay is decoupled from the moments
        optimizer = Adam(module.parameters(), self.learning_rate, weight_decay=self.weight_decay, decoupled=True)
        schedule = Schedule(self.max_epochs, self.batch_size, self.learning_rate, self.learning_rate_schedule,
                            self.max_time, self.n_iter_no_change, self.tol)
        history = fit_decoder(module, optimizer, kind.make_loss(targets, train_idx), Z, targets, train_idx,
                              val_idx, schedule=schedule, seed=seed, device=device,
                              history=new_history(self if warm else None, validation=bool(val_idx.size)),
                              checkpoint=None if self.checkpoint_path is None else
                              (self.checkpoint_path, signature, checkpoint), verbose=self.verbose)
        self.decoder_state_ = history["best_state"]
        self.loss_curve_ = history["loss"]
        self.validation_scores_ = history["val"]
        self.best_validation_loss_ = history["best"] if val_idx.size else float("nan")
        self.n_epochs_ = history["epoch"]
        self.training_time_ = history["elapsed_this_fit"]

    # ---------------------------------------------------------------- transform / decode
    def transform(self, X):
        """The embedding Z = normalise(W (S_J x - m)).

        Parameters
        ----------
        X : array-like of shape ``(n_samples, *image_shape_)``

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components), unit rows
        """
        X4 = self._check_fitted_images(X)
        with scoped_threads(self.n_jobs, torch_too=True):
            return self._whitening()(self._kind().embed(X4)[0])

    def inverse_transform(self, X):
        """Decode embeddings into images.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Embeddings (rows are used as given; :meth:`transform` returns unit rows).

        Returns
        -------
        images : ndarray of shape ``(n_samples, *image_shape_)``, float64
        """
        check_is_fitted(self, "decoder_state_")
        Z = np.asarray(X.detach().cpu().numpy() if hasattr(X, "detach") else X)
        if Z.dtype.kind not in "biuf":
            raise TypeError(f"X must hold real numbers, got dtype {Z.dtype}.")
        if Z.ndim != 2 or Z.shape[1] != self.n_components or Z.shape[0] == 0:
            raise ValueError(f"X must be embeddings of shape (n_samples, {self.n_components}); "
                             f"got shape {Z.shape}.")
        if not np.all(np.isfinite(Z)):
            raise ValueError("X contains NaN or infinity.")
        torch = _import_torch()
        device = _check_device(torch, self.device)
        kind = self._kind()
        module = self._load_decoder(kind, device)
        out = []
        with torch.no_grad(), scoped_threads(self.n_jobs, torch_too=True):
            for s in range(0, len(Z), 256):
                y = kind.decode(module, torch.as_tensor(Z[s:s + 256], dtype=torch.float32, device=device))
                out.append(y.cpu().numpy().astype(np.float64))
        images = np.moveaxis(np.concatenate(out, axis=0), 1, -1)
        return images if len(self.image_shape_) == 3 else images[..., 0]

    def sample(self, n_samples=1, random_state=None):
        """Decode embeddings drawn uniformly on the unit sphere (normalised white noise).

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState or Generator instance, or None

        Returns
        -------
        images : ndarray of shape ``(n_samples, *image_shape_)``
        """
        check_is_fitted(self, "decoder_state_")
        check_param("n_samples", n_samples, [Ints(1)], caller=f"{type(self).__name__}.sample")
        check_param("random_state", random_state, RANDOM_STATE, caller=f"{type(self).__name__}.sample")
        n = int(n_samples)
        check_allocation(n * (self.n_components + int(np.prod(self.image_shape_))) * 8,
                         f"{type(self).__name__}.sample({n})", "draw fewer samples per call.")
        if isinstance(random_state, np.random.Generator):
            z = random_state.standard_normal((n, self.n_components))
        else:
            from sklearn.utils import check_random_state

            z = check_random_state(random_state).standard_normal((n, self.n_components))
        return self.inverse_transform(z / np.linalg.norm(z, axis=1, keepdims=True))

    def interpolate(self, x0, x1, n_steps=8):
        """Decode the path (1 - a) Z(x0) + a Z(x1), renormalised, for a in [0, 1].

        Parameters
        ----------
        x0, x1 : array-like of shape ``image_shape_``
            The two end images.
        n_steps : int, default=8
            Points on the path, ends included (at least 2).

        Returns
        -------
        images : ndarray of shape ``(n_steps, *image_shape_)``
        """
        check_is_fitted(self, "decoder_state_")
        check_param("n_steps", n_steps, [Ints(2)], caller=f"{type(self).__name__}.interpolate")
        check_allocation(int(n_steps) * (self.n_components + int(np.prod(self.image_shape_))) * 8,
                         f"{type(self).__name__}.interpolate(n_steps={n_steps})", "use fewer steps.")
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
