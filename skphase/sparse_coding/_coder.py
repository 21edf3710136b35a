"""SparseDictionaryCoder: learn a dictionary of unit-norm atoms, code samples by l1 sparse coding."""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..base import SkphaseEstimatorMixin, fit_context
from ..utils._interrupt import interruptible, warn_interrupted
from ..utils._memory import check_allocation
from ..utils._numba import kernel_threads
from ..utils._params import JOBS, RANDOM_STATE, Floats, Ints
from ..utils._threads import n_threads
from ._dictionary import init_dictionary, learn_dictionary, new_state, _normalise_atoms
from ..utils._feature_names import layout_from_feature_names, structured_names
from ._lista_tied import lista_tied_transform, train_lista_tied
from ._random import draw_seed
from ._solvers import SOLVERS, lasso_objective


# Training length counted in optimizer steps, not only epochs: 5,000 image patches give 20
# batches an epoch, and 10 epochs (200 steps) left the code 3.6 % above the lasso optimum
# against 2.15 % after 800 steps and 1.83 % after 1,200 (china.jpg patches, 256 atoms, alpha =
# 0.1, 10,000 held-out patches; RESULTS.md).
_LISTA_MIN_STEPS = 1200
_LISTA_ATTRS = {"W": "lista_weights_", "gamma": "lista_steps_", "theta": "lista_thresholds_",
                "beta": "lista_momentum_"}


def _is_array_nd(X) -> bool:
    """An array of samples with structure, (n, C, *positions) (a DataFrame never is)."""
    return not hasattr(X, "columns") and hasattr(X, "shape") and len(X.shape) >= 3


def _array_rows(A):
    """(rows, unshape) of an array (n, C, *positions): a row per sample and position, and the map
    laying rows of any width back out as (n, width, *positions)."""
    n, C, *positions = A.shape
    return (np.moveaxis(A, 1, -1).reshape(-1, C),
            lambda R: np.moveaxis(R.reshape(n, *positions, R.shape[1]), -1, 1))


def _flat_rows(X, C: int, P: int):
    """(rows, unshape) of flattened structured samples (n, C * P), channel major: a row per
    sample and position, and the map flattening rows of any width back the same way."""
    n = X.shape[0]
    return (X.reshape(n, C, P).transpose(0, 2, 1).reshape(n * P, C),
            lambda R: R.reshape(n, P, R.shape[1]).transpose(0, 2, 1).reshape(n, -1))


class SparseDictionaryCoder(SkphaseEstimatorMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                            BaseEstimator):
    """Dictionary learning and l1 sparse coding: a = argmin 1/2 ||x - a D||^2 + alpha ||a||_1.

    ``fit`` learns ``n_components`` unit-norm atoms D by online minibatch dictionary learning
    (Mairal et al. 2009); ``transform`` returns the codes a of each sample, ``inverse_transform``
    the reconstructions a D. ``alpha`` has scikit-learn's ``SparseCoder(transform_alpha=alpha,
    transform_algorithm="lasso_cd")`` meaning: the same minimiser (scikit-learn's Lasso divides
    the whole objective by n_features).

    Structured features are coded **per position** (with ``layout="auto"``): an array
    ``(n, C, H, W)`` or ``(n, C, N)`` -- a ``ScatteringAverager(flatten=False)`` output -- is read
    as n x H x W vectors of C channels, every position coded in the same dictionary of
    C-channel atoms (the 1 x 1 convolutional sparse code of Zarka et al. 2020), and its codes
    come back as ``(n, n_components, H, W)``; positions may differ between ``fit`` and
    ``transform`` (the code is the same at every position). A flattened skphase output whose
    feature names give its layout (``set_output(transform="pandas")``) is coded the same way
    and returned flattened, channel major, with feature names that pass the layout on.

    Parameters
    ----------
    n_components : int, default=64
        Number of atoms.
    alpha : float, default=0.1
        l1 penalty (> 0), in learning and coding.
    transform_algorithm : {"cd", "fista", "ista", "homotopy", "lista"}, default="cd"
        "cd": exact working-set coordinate descent (numba, parallel over samples; fastest on
        sparse codes). "fista"/"ista": proximal gradient, batched. "homotopy": ISTC thresholds
        decreasing geometrically from max|D x| to alpha, then FISTA. "lista": a learned network
        of ``n_layers`` layers (tied LISTA with learned steps, thresholds and momentum), trained
        in ``fit`` on the lasso objective of its output (approximate, fastest; a sample whose
        network code is worse than the zero code, which an input unlike the training ones can
        cause, is coded exactly by "cd" instead).
    fit_algorithm : {"cd", "fista", "ista", "homotopy"}, default="cd"
        Solver for the codes while learning the dictionary.
    positive : bool, default=False
        Non-negative codes.
    tol : float, default=1e-6
        Duality gap of each sample, relative to 1/2 ||x||^2, at which the exact solvers stop.
    max_iter : int, default=1000
        Iterations (sweeps for "cd") of the exact solvers per call.
    n_epochs : int, default=1
        Passes over X when learning the dictionary. ``fit`` trains LISTA for 10 times as many
        passes and at least 1,200 Adam steps (minibatches), however few the samples.
    batch_size : int, default=256
        Minibatch size of dictionary learning and LISTA training.
    n_layers : int, default=12
        LISTA depth.
    layout : {"auto", "flat"}, default="auto"
        "auto": structured samples (above) are coded per position; "flat": every sample is
        one vector (an nd array is flattened per sample, feature names are not read).
    random_state : int, RandomState instance or None, default=None
        Initial atoms and minibatch order.
    n_jobs : int or None, default=None
        Threads of the "cd" solver and of the LISTA transform kernels (None: 1, -1: all).
    verbose : int, default=0
        Progress bars (tqdm) while learning.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The atoms, one per row, unit norm.
    lista_weights_ : ndarray of shape (n_features, n_components)
        The matrix W shared by the LISTA layers (only with ``transform_algorithm="lista"``,
        like the next three).
    lista_steps_, lista_thresholds_, lista_momentum_ : ndarray of shape (n_layers, n_components)
        Per-layer, per-atom step sizes, soft thresholds and momenta of the LISTA layers.
    n_iter_ : int
        Minibatch steps run so far.
    objectives_ : list of float
        Mean lasso objective of each minibatch before its dictionary update.
    n_features_in_ : int
        Columns of the 2D X seen in fit; C for an array (n, C, ...) coded per position.
    layout_ : tuple of int or None
        (C, H, W) or (C, N) when the samples were coded per position (for an array, the
        positions seen in fit); None when each sample is one vector.
    feature_names_in_ : ndarray of str
        Only when X had string column names.

    See Also
    --------
    sklearn.decomposition.MiniBatchDictionaryLearning, sklearn.decomposition.SparseCoder

    Examples
    --------
    >>> import numpy as np
    >>> from skphase.sparse_coding import SparseDictionaryCoder
    >>> X = np.random.default_rng(0).standard_normal((100, 8))
    >>> coder = SparseDictionaryCoder(n_components=16, alpha=0.5, random_state=0).fit(X)
    >>> codes = coder.transform(X)
    >>> codes.shape, coder.components_.shape
    ((100, 16), (16, 8))
    >>> bool(np.allclose(np.linalg.norm(coder.components_, axis=1), 1))
    True

    Feature maps (n, C, H, W) are coded position by position:

    >>> maps = np.random.default_rng(0).standard_normal((10, 8, 4, 4))
    >>> coder.transform(maps).shape, coder.inverse_transform(coder.transform(maps)).shape
    ((10, 16, 4, 4), (10, 8, 4, 4))
    """

    _parameter_constraints: dict = {
        "n_components": [Ints(1)],
        "alpha": [Floats(0, None, closed="neither")],
        "transform_algorithm": [StrOptions({"cd", "fista", "ista", "homotopy", "lista"})],
        "fit_algorithm": [StrOptions({"cd", "fista", "ista", "homotopy"})],
        "positive": ["boolean"],
        "tol": [Floats(0, None, closed="left")],
        "max_iter": [Ints(1)],
        "n_epochs": [Ints(1)],
        "batch_size": [Ints(1)],
        "n_layers": [Ints(1)],
        "layout": [StrOptions({"auto", "flat"})],
        "random_state": RANDOM_STATE,
        "n_jobs": JOBS,
        "verbose": ["verbose"],
    }

    def __init__(self, n_components=64, *, alpha=0.1, transform_algorithm="cd", fit_algorithm="cd",
                 positive=False, tol=1e-6, max_iter=1000, n_epochs=1, batch_size=256, n_layers=12,
                 layout="auto", random_state=None, n_jobs=None, verbose=0):
        self.n_components = n_components
        self.alpha = alpha
        self.transform_algorithm = transform_algorithm
        self.fit_algorithm = fit_algorithm
        self.positive = positive
        self.tol = tol
        self.max_iter = max_iter
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.n_layers = n_layers
        self.layout = layout
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # --- learning ------------------------------------------------------------------------
    def _check_data(self, X, reset):
        """(rows, unshape): the vectors to code -- the samples, or every position of
        structured samples -- and the map laying rows of codes (or reconstructions) out like X."""
        if _is_array_nd(X):
            if self.layout == "auto":
                return self._position_rows(X, reset)
            X = np.reshape(X, (X.shape[0], -1))
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=reset)
        if reset:
            self.layout_ = (layout_from_feature_names(getattr(self, "feature_names_in_", None))
                            if self.layout == "auto" else None)
        layout = self._flat_layout
        if layout is None:
            self._check_size(X.shape[1], reset)
            return X, lambda A: A
        self._check_size(layout[0], reset)
        return _flat_rows(X, layout[0], int(np.prod(layout[1:])))

    def _position_rows(self, X, reset):
        """Rows of an array ``(n, C, *positions)``: one per sample and position."""
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold real numbers; got an array of dtype {X.dtype}.")
        if 0 in X.shape:
            raise ValueError(f"X of shape {X.shape} holds no values to code (an axis of length 0).")
        rows, unshape = _array_rows(X)
        C = X.shape[1]
        if reset:
            rows = validate_data(self, rows, dtype=[np.float64, np.float32], reset=True)
            self.layout_ = tuple(int(s) for s in X.shape[1:])
            self._check_size(C, reset)
        else:
            rows = check_array(rows, dtype=[np.float64, np.float32])
            if C != self.components_.shape[1]:
                raise ValueError(f"X of shape {X.shape} has {C} channels per position (axis 1), but "
                                 f"the atoms of this {type(self).__name__} have "
                                 f"{self.components_.shape[1]} features.")
        return rows, unshape

    @property
    def _flat_layout(self):
        """``layout_`` when the coder takes flattened structured samples (its 2D input holds
        every channel at every position, read from feature names), else None."""
        layout = self.layout_
        return layout if layout is not None and self.n_features_in_ == int(np.prod(layout)) else None

    def _check_size(self, d, reset):
        if reset:
            # the online statistics A (k x k) and B (k x d), the atoms and their Gram matrix
            k = self.n_components
            check_allocation(8 * (3 * k * k + 2 * k * d), f"n_components={k} atoms of {d} "
                             f"features", "ask for fewer atoms (n_components).")

    def _learn(self, X, D, state, rng, n_epochs, stop):
        """Dictionary learning on D and state (the caller's copies), in place."""
        try:
            with kernel_threads(n_threads(self.n_jobs)):
                learn_dictionary(X, D, state, float(self.alpha), n_epochs=n_epochs,
                                 batch_size=self.batch_size, algorithm=self.fit_algorithm,
                                 positive=self.positive, max_iter=self.max_iter, tol=self.tol,
                                 rng=rng, verbose=self.verbose, stop=stop)
        finally:
            # an interruption may leave an atom mid-update: keep the atoms on the sphere
            _normalise_atoms(D, rng)

    def _train_lista(self, X, D, rng, n_epochs, stop, init=None):
        """The LISTA attributes (a dict) trained for D; {} unless transform_algorithm='lista'."""
        if self.transform_algorithm != "lista":
            return {}
        # after an interruption (stop set) no step is taken: the network is its initialisation
        params, _ = train_lista_tied(
            X, D, float(self.alpha), n_layers=self.n_layers, positive=self.positive,
            n_epochs=n_epochs, batch_size=self.batch_size, init=init,
            random_state=rng.integers(2**31 - 1), verbose=self.verbose, stop=stop)
        return {attr: params[key] for key, attr in _LISTA_ATTRS.items()}

    def _lista_epochs(self, n_samples: int) -> int:
        """Epochs of LISTA training in fit: 10 per ``n_epochs``, and at least
        ``_LISTA_MIN_STEPS`` Adam steps, so that a small training set is not undertrained."""
        n_batches = -(-n_samples // self.batch_size)
        return max(10 * self.n_epochs, -(-_LISTA_MIN_STEPS // n_batches))

    def _lista_params(self):
        return {key: getattr(self, attr) for key, attr in _LISTA_ATTRS.items()}

    def _store(self, D, state, rng, lista):
        """Assign the fitted attributes, all at the end (fit_context restores them on failure)."""
        for attr in _LISTA_ATTRS.values():
            self.__dict__.pop(attr, None)
        self.components_, self._state_, self._rng_ = D, state, rng
        self.__dict__.update(lista)
        self.n_iter_ = state.step
        self.objectives_ = list(state.objectives)

    @fit_context
    def fit(self, X, y=None):
        """Learn the dictionary (and the LISTA network when ``transform_algorithm="lista"``).

        Ctrl-C stops learning after the current minibatch and keeps what was learned (an
        ``InterruptedWarning`` says so); if fit fails, the estimator keeps its previous state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X, _ = self._check_data(X, reset=True)
        rng = np.random.default_rng(draw_seed(self.random_state))
        D = init_dictionary(X, self.n_components, rng)
        state = new_state(self.n_components, X.shape[1])
        with interruptible() as stop:
            self._learn(X, D, state, rng, self.n_epochs, stop)
            lista = self._train_lista(X, D, rng, self._lista_epochs(X.shape[0]), stop)
        self._store(D, state, rng, lista)
        if stop.is_set():
            warn_interrupted("SparseDictionaryCoder.fit (dictionary learning"
                             + (", LISTA training" if self.transform_algorithm == "lista" else "")
                             + ")")
        return self

    @fit_context
    def partial_fit(self, X, y=None):
        """One pass of online dictionary learning over X (a stream's next chunk).

        Works on copies of the fitted state: if it fails, the previous state is kept.

        Returns
        -------
        self : object
        """
        first = not hasattr(self, "components_")
        X, _ = self._check_data(X, reset=first)
        if first:
            rng = np.random.default_rng(draw_seed(self.random_state))
            D = init_dictionary(X, self.n_components, rng)
            state = new_state(self.n_components, X.shape[1])
        else:
            rng, D, state = (copy.deepcopy(self._rng_), self.components_.copy(),
                             copy.deepcopy(self._state_))
        init = None
        if hasattr(self, "lista_weights_") and self.lista_steps_.shape[0] == self.n_layers:
            init = self._lista_params()
        with interruptible() as stop:
            self._learn(X, D, state, rng, 1, stop)
            lista = self._train_lista(X, D, rng, 1, stop, init)
        self._store(D, state, rng, lista)
        if stop.is_set():
            warn_interrupted("SparseDictionaryCoder.partial_fit")
        return self

    # --- coding --------------------------------------------------------------------------
    def transform(self, X):
        """Sparse codes of X in the dictionary.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or ``(n_samples, C, *positions)``
            Samples, or structured samples coded per position (see the class notes).

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components) or ``(n_samples, n_components, *positions)``
            In X's dtype (float32 or float64); flattened channel major for a flattened
            structured X.
        """
        check_is_fitted(self, "components_")
        X, unshape = self._check_data(X, reset=False)
        D = self.components_
        if self.transform_algorithm == "lista" and not hasattr(self, "lista_weights_"):
            raise ValueError("transform_algorithm='lista' but this coder was fitted with another "
                             "algorithm: fit it again (set_params after fit does not train LISTA).")
        with kernel_threads(n_threads(self.n_jobs)):
            if self.transform_algorithm == "lista":
                return unshape(self._lista_codes(X, D))
            codes, _ = SOLVERS[self.transform_algorithm](
                X, D, float(self.alpha), positive=self.positive, max_iter=self.max_iter,
                tol=self.tol)
        return unshape(codes)

    def _lista_codes(self, X, D):
        """The network's codes, except where a code is worse than no code at all.

        A trained network is an approximation of the lasso fitted on the training patches;
        on rare inputs unlike them its layers can amplify instead of converge (measured: 3 to 5
        held-out patches in 10,000 coded to objectives 10^4-10^5 times the optimum, after long
        training). The objective of the zero code, ||x||^2 / 2, bounds the optimum's: a code
        above it is certainly wrong, and those rows are coded exactly (coordinate descent).
        """
        codes = lista_tied_transform(X, D, self._lista_params(), self.positive)
        objective = lasso_objective(X, codes, D.astype(X.dtype, copy=False), self.alpha)
        wrong = ~(objective <= 0.5 * np.einsum("ij,ij->i", X, X) * (1 + 1e-6) + 1e-12)
        if np.any(wrong):
            codes[wrong], _ = SOLVERS["cd"](X[wrong], D, float(self.alpha), positive=self.positive,
                                            max_iter=self.max_iter, tol=self.tol)
        return codes

    def inverse_transform(self, X):
        """Reconstructions ``codes @ components_``, laid out like the samples coded.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components) or ``(n_samples, n_components, *positions)``
            Codes, as :meth:`transform` returns them.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features) or ``(n_samples, C, *positions)``
        """
        check_is_fitted(self, "components_")
        codes, unshape = self._check_codes(X)
        return unshape(codes @ self.components_.astype(codes.dtype, copy=False))

    def _check_codes(self, X):
        """(rows of codes, unshape), the codes' counterpart of ``_check_data``."""
        K = self.n_components_
        if self.layout == "auto" and _is_array_nd(X):
            X = np.asarray(X)
            if X.dtype.kind not in "biuf":
                raise TypeError(f"codes must hold real numbers; got an array of dtype {X.dtype}.")
            if X.shape[1] != K:
                raise ValueError(f"codes of shape {X.shape} have {X.shape[1]} channels (axis 1), but "
                                 f"this coder has {K} atoms (n_components).")
            rows, unshape = _array_rows(X)
            return check_array(rows, dtype=[np.float64, np.float32], input_name="codes"), unshape
        X = check_array(X, dtype=[np.float64, np.float32], input_name="codes")
        layout = self._flat_layout
        if layout is not None:
            P = int(np.prod(layout[1:]))  # flattened structured samples: K codes per position
            if X.shape[1] != K * P:
                raise ValueError(f"codes have {X.shape[1]} columns, but this coder codes {P} "
                                 f"positions with {K} atoms each ({K * P} columns).")
            return _flat_rows(X, K, P)
        if X.shape[1] != K:
            raise ValueError(f"codes have {X.shape[1]} columns, but this coder has "
                             f"{K} atoms (n_components).")
        return X, lambda A: A

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: ``sparsedictionarycoder<k>``, followed by the
        position (``_y<i>_x<j>`` or ``_t<i>``, channel major) when flattened structured
        samples are coded, so that a next skphase step can read the layout (for an array
        ``(n, C, ...)``, one name per channel of the codes' axis 1).

        Parameters
        ----------
        input_features : array-like of str or None
            Only checked for consistency with ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        names = super().get_feature_names_out(input_features)
        layout = self._flat_layout
        if layout is None:
            return names  # one name per code channel (for an array, its axis 1)
        return structured_names(names, layout[1:])

    @property
    def n_components_(self) -> int:
        return self.components_.shape[0]

    @property
    def _n_features_out(self):
        return self.components_.shape[0]
