"""SparseDictionaryCoder: learn a dictionary of unit-norm atoms, code samples by l1 sparse coding."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils._interrupt import interruptible, warn_interrupted
from ..utils._params import reject_bool_counts
from ._dictionary import init_dictionary, learn_dictionary, new_state, _normalise_atoms
from ._lista_tied import lista_tied_transform, train_lista_tied
from ._solvers import SOLVERS


_LISTA_ATTRS = {"W": "lista_weights_", "gamma": "lista_steps_", "theta": "lista_thresholds_",
                "beta": "lista_momentum_"}


def _numba_threads(n_jobs):
    """numba's thread count for n_jobs (None -> 1, -1 -> all), within numba's pool."""
    import numba

    return max(1, min(effective_n_jobs(n_jobs), numba.config.NUMBA_NUM_THREADS))


class SparseDictionaryCoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Dictionary learning and l1 sparse coding: a = argmin 1/2 ||x - a D||^2 + alpha ||a||_1.

    ``fit`` learns ``n_components`` unit-norm atoms D by online minibatch dictionary learning
    (Mairal et al. 2009); ``transform`` returns the codes a of each sample, ``inverse_transform``
    the reconstructions a D. ``alpha`` has scikit-learn's ``SparseCoder(transform_alpha=alpha,
    transform_algorithm="lasso_cd")`` meaning: the same minimiser (scikit-learn's Lasso divides
    the whole objective by n_features).

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
        in ``fit`` on the lasso objective of its output (approximate, fastest).
    fit_algorithm : {"cd", "fista", "ista", "homotopy"}, default="cd"
        Solver for the codes while learning the dictionary.
    positive : bool, default=False
        Non-negative codes.
    tol : float, default=1e-6
        Duality gap of each sample, relative to 1/2 ||x||^2, at which the exact solvers stop.
    max_iter : int, default=1000
        Iterations (sweeps for "cd") of the exact solvers per call.
    n_epochs : int, default=1
        Passes over X when learning the dictionary (and, x10, when training LISTA: the
        network wants a few hundred Adam steps at least, about 2,000 to be within 1-2% of the
        optimum on image patches).
    batch_size : int, default=256
        Minibatch size of dictionary learning and LISTA training.
    n_layers : int, default=12
        LISTA depth.
    random_state : int, RandomState instance or None, default=None
        Initial atoms and minibatch order.
    n_jobs : int or None, default=None
        numba threads of the "cd" solver and of the LISTA transform (None: 1, -1: all).
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
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "transform_algorithm": [StrOptions({"cd", "fista", "ista", "homotopy", "lista"})],
        "fit_algorithm": [StrOptions({"cd", "fista", "ista", "homotopy"})],
        "positive": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [None, Integral],
        "verbose": ["verbose"],
    }

    def __init__(self, n_components=64, *, alpha=0.1, transform_algorithm="cd", fit_algorithm="cd",
                 positive=False, tol=1e-6, max_iter=1000, n_epochs=1, batch_size=256, n_layers=12,
                 random_state=None, n_jobs=None, verbose=0):
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
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # --- learning ------------------------------------------------------------------------
    def _check_params(self):
        self._validate_params()
        reject_bool_counts(self, ("n_components", "max_iter", "n_epochs", "batch_size", "n_layers"))
        if self.n_jobs == 0:
            raise ValueError("n_jobs=0 is not valid: use None, a positive count, or -1 for all cores.")

    def _rng(self):
        if not hasattr(self, "_rng_"):
            seed = check_random_state(self.random_state).randint(2**31 - 1)
            self._rng_ = np.random.default_rng(seed)
        return self._rng_

    def _learn(self, X, n_epochs, stop):
        import numba

        prev = numba.get_num_threads()
        numba.set_num_threads(_numba_threads(self.n_jobs))
        try:
            learn_dictionary(X, self.components_, self._state_, float(self.alpha),
                             n_epochs=n_epochs, batch_size=self.batch_size,
                             algorithm=self.fit_algorithm, positive=self.positive,
                             max_iter=self.max_iter, tol=self.tol, rng=self._rng_,
                             verbose=self.verbose, stop=stop)
        finally:
            numba.set_num_threads(prev)
            # an interruption may leave an atom mid-update: keep the atoms on the sphere
            _normalise_atoms(self.components_, self._rng_)
        self.n_iter_ = self._state_.step
        self.objectives_ = list(self._state_.objectives)

    def _train_lista(self, X, n_epochs, stop, init=None):
        if self.transform_algorithm != "lista":
            return
        # after an interruption (stop set) no step is taken: the network is its initialisation
        params, _ = train_lista_tied(
            X, self.components_, float(self.alpha), n_layers=self.n_layers,
            positive=self.positive, n_epochs=n_epochs, batch_size=self.batch_size, init=init,
            random_state=self._rng_.integers(2**31 - 1), verbose=self.verbose, stop=stop)
        for key, attr in _LISTA_ATTRS.items():
            setattr(self, attr, params[key])

    def _lista_params(self):
        return {key: getattr(self, attr) for key, attr in _LISTA_ATTRS.items()}

    def fit(self, X, y=None):
        """Learn the dictionary (and the LISTA network when ``transform_algorithm="lista"``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        self._check_params()
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        for attr in ("_rng_", *_LISTA_ATTRS.values()):
            self.__dict__.pop(attr, None)
        rng = self._rng()
        self.components_ = init_dictionary(X, self.n_components, rng)
        self._state_ = new_state(self.n_components, X.shape[1])
        with interruptible() as stop:
            self._learn(X, self.n_epochs, stop)
            self._train_lista(X, 10 * self.n_epochs, stop)
        if stop.is_set():
            warn_interrupted("SparseDictionaryCoder.fit (dictionary learning"
                             + (", LISTA training" if self.transform_algorithm == "lista" else "")
                             + ")")
        return self

    def partial_fit(self, X, y=None):
        """One pass of online dictionary learning over X (a stream's next chunk).

        Returns
        -------
        self : object
        """
        first = not hasattr(self, "components_")
        if first:
            self._check_params()
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=first)
        if first:
            self.components_ = init_dictionary(X, self.n_components, self._rng())
            self._state_ = new_state(self.n_components, X.shape[1])
        init = None
        if hasattr(self, "lista_weights_") and self.lista_steps_.shape[0] == self.n_layers:
            init = self._lista_params()
        with interruptible() as stop:
            self._learn(X, 1, stop)
            self._train_lista(X, 1, stop, init)
        if stop.is_set():
            warn_interrupted("SparseDictionaryCoder.partial_fit")
        return self

    # --- coding --------------------------------------------------------------------------
    def transform(self, X):
        """Sparse codes of X in the dictionary.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            In X's dtype (float32 or float64).
        """
        check_is_fitted(self, "components_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        D = self.components_
        if self.transform_algorithm == "lista" and not hasattr(self, "lista_weights_"):
            raise ValueError("transform_algorithm='lista' but this coder was fitted with another "
                             "algorithm: fit it again (set_params after fit does not train LISTA).")
        import numba

        prev = numba.get_num_threads()
        numba.set_num_threads(_numba_threads(self.n_jobs))
        try:
            if self.transform_algorithm == "lista":
                return lista_tied_transform(X, D, self._lista_params(), self.positive)
            codes, _ = SOLVERS[self.transform_algorithm](
                X, D, float(self.alpha), positive=self.positive, max_iter=self.max_iter,
                tol=self.tol)
        finally:
            numba.set_num_threads(prev)
        return codes

    def inverse_transform(self, X):
        """Reconstructions codes @ components_.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self, "components_")
        X = self._check_codes(X)
        return X @ self.components_.astype(X.dtype, copy=False)

    def _check_codes(self, X):
        X = check_array(X, dtype=[np.float64, np.float32], input_name="codes")
        if X.shape[1] != self.n_components_:
            raise ValueError(f"codes have {X.shape[1]} columns, but this coder has "
                             f"{self.n_components_} atoms (n_components).")
        return X

    @property
    def n_components_(self) -> int:
        return self.components_.shape[0]

    @property
    def _n_features_out(self):
        return self.components_.shape[0]
