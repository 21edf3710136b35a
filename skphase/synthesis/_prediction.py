"""Linear prediction across scales: fine rectified coefficients from coarser ones (seed, slide 14).

For each scale j, the rectified coefficients rho(Re(e^{-i alpha} x * psi_{j, theta})) (all
orientations and phases, centred) are regressed on those of every coarser scale j' > j and on
x * phi_J, at the same position, with the covariances estimated at ``fit``. The relative
prediction error E|f - f_hat|^2 / E|f - E f|^2 per scale says how much of a scale its coarser
scales determine: rectification makes the phases of a coarse band and of the second harmonic
of a finer band line up (k lambda = lambda'), which a Gaussian field with the same spectrum
does not have; ``gaussian_errors_`` measures the same predictor on such fields.
"""

from __future__ import annotations


import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..backends import get_backend
from ..base import SkphaseEstimatorMixin, fit_context
from ..filters import filter_bank
from ..operators import PhaseHarmonicOperator
from ..utils._params import RANDOM_STATE, Floats, Ints, OneOf
from ..utils._validation import check_signals
from ._gaussian import GaussianSynthesizer
from ._inputs import _seed_of, resolve_J, standardization
from ._table import wavelet_scales


def _rectified(X, bank, n_phases):
    """Channels (C, n_positions) of all realisations: x * phi_J first, then per wavelet its phases."""
    op = PhaseHarmonicOperator(bank, get_backend("numpy"), n_phases=n_phases)
    U = np.asarray(op.forward(np.asarray(X, dtype=np.float64)))
    return np.moveaxis(U, 1, 0).reshape(U.shape[1], -1)


class CrossScalePredictor(SkphaseEstimatorMixin, BaseEstimator):
    """Predict each scale's rectified wavelet coefficients from the coarser scales, linearly.

    Parameters
    ----------
    J : int or None, default=None
        Number of octaves (None: as :class:`PhaseHarmonicSynthesizer`).
    L : int, default=4
        Orientations (images).
    n_phases : int, default=4
        Phases of the rectified coefficients.
    wavelet : {"morlet", "bump"}, default="morlet"
    ridge : float, default=1e-8
        Tikhonov regularisation of the normal equations, relative to their trace.
    n_gaussian : int, default=4
        Gaussian realisations (same spectrum) on which ``gaussian_errors_`` is measured; 0 skips it.
    random_state : int, RandomState or None, default=None
        Seeds the Gaussian realisations.

    Attributes
    ----------
    J_ : int
    scales_ : ndarray of int
        The predicted scales j (all but the coarsest).
    coef_ : dict of ndarray
        ``coef_[j]``: (n_predictors, n_targets) regression coefficients of scale j.
    intercept_ : dict of tuple of ndarray
        ``intercept_[j] = (target_means, predictor_means)``: the channel means the regression
        of scale j removes before applying ``coef_[j]`` and adds back after.
    mean_, std_ : float
        Mean and standard deviation of the realisations' values: the regression sees
        ``(X - mean_) / std_``.
    prediction_errors_ : ndarray
        Relative prediction error per scale on the fitted realisations.
    gaussian_errors_ : ndarray
        The same for Gaussian fields with the fitted power spectrum (NaN if ``n_gaussian=0``).

    Examples
    --------
    >>> from skphase.datasets import make_piecewise_constant
    >>> from skphase.synthesis import CrossScalePredictor
    >>> x = make_piecewise_constant(4, 512, random_state=0)
    >>> p = CrossScalePredictor(J=5, random_state=0).fit(x)
    >>> bool(p.prediction_errors_[0] < p.gaussian_errors_[0])
    True
    """

    _parameter_constraints: dict = {
        "J": [None, Ints(1)],
        "L": [Ints(1)],
        "n_phases": [Ints(2)],
        "wavelet": [OneOf("morlet", "bump")],
        "ridge": [Floats(0)],
        "n_gaussian": [Ints(0)],
        "random_state": RANDOM_STATE,
    }

    def __init__(self, J=None, *, L=4, n_phases=4, wavelet="morlet", ridge=1e-8, n_gaussian=4,
                 random_state=None):
        self.J = J
        self.L = L
        self.n_phases = n_phases
        self.wavelet = wavelet
        self.ridge = ridge
        self.n_gaussian = n_gaussian
        self.random_state = random_state

    def _bank(self):
        return filter_bank(self.input_shape_, self.J_, L=self.L, wavelet=self.wavelet)

    def _groups(self, bank):
        js = wavelet_scales(bank)
        P = self.n_phases
        chan_j = np.concatenate([[np.iinfo(np.int64).max], np.repeat(js, P)])  # low-pass: coarsest
        return js, chan_j

    @fit_context
    def fit(self, X, y=None):
        """Estimate the covariances and the regression of each scale on the coarser ones.

        Parameters
        ----------
        X : array-like of shape (n_realisations, N) or (n_realisations, H, W)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        X, spatial, _ = check_signals(self, X, reset=True)
        # the regression runs on standardised values (the errors are ratios, so the same in any
        # units, but squares of values near 1e-160 or 1e160 leave the float64 range); constant
        # data, NaN or infinities get a clear error
        self.mean_, self.std_ = standardization(X)
        Z = (np.asarray(X, dtype=np.float64) - self.mean_) / self.std_
        self.input_shape_ = spatial
        self.J_ = resolve_J(self.J, spatial, type(self).__name__)
        bank = self._bank()
        js, chan_j = self._groups(bank)
        U = _rectified(Z, bank, self.n_phases)
        self.scales_ = np.unique(js)[:-1]
        self.coef_, self.intercept_ = {}, {}
        for j in self.scales_:
            fine, coarse = chan_j == j, chan_j > j
            F, C = U[fine], U[coarse]
            mf, mc = F.mean(axis=1, keepdims=True), C.mean(axis=1, keepdims=True)
            Fc, Cc = F - mf, C - mc
            gram = Cc @ Cc.T
            gram += self.ridge * np.trace(gram) / len(gram) * np.eye(len(gram))
            try:
                coef = np.linalg.solve(gram, Cc @ Fc.T)
            except np.linalg.LinAlgError:  # coarser channels without variance (ridge=0 or all zero)
                coef = np.linalg.lstsq(gram, Cc @ Fc.T, rcond=None)[0]
            self.coef_[int(j)] = coef
            self.intercept_[int(j)] = (mf, mc)
        self.prediction_errors_ = self._errors(U, chan_j)
        if self.n_gaussian:
            g = GaussianSynthesizer(random_state=_seed_of(self.random_state, "random_state",
                                                          type(self).__name__)).fit(Z)
            G = g.sample(self.n_gaussian).reshape((self.n_gaussian,) + spatial)
            self.gaussian_errors_ = CrossScalePredictor(**{**self.get_params(), "n_gaussian": 0}).fit(G) \
                .prediction_errors_
        else:
            self.gaussian_errors_ = np.full(len(self.scales_), np.nan)
        return self

    def prediction_errors(self, X) -> np.ndarray:
        """Relative error ``E|f - f_hat|^2 / E|f - E f|^2`` per scale of ``scales_`` on realisations X.

        Parameters
        ----------
        X : array-like shaped like the realisations given to :meth:`fit`

        Returns
        -------
        errors : ndarray of shape ``(len(scales_),)``
        """
        check_is_fitted(self, "coef_")
        X, _, _ = check_signals(self, X, reset=False)
        Z = (np.asarray(X, dtype=np.float64) - self.mean_) / self.std_
        bank = self._bank()
        _, chan_j = self._groups(bank)
        return self._errors(_rectified(Z, bank, self.n_phases), chan_j)

    def _errors(self, U, chan_j) -> np.ndarray:
        out = []
        for j in self.scales_:
            F, C = U[chan_j == j], U[chan_j > j]
            mf, mc = self.intercept_[int(j)]
            residual = (F - mf) - self.coef_[int(j)].T @ (C - mc)
            spread = float(np.sum((F - F.mean(axis=1, keepdims=True)) ** 2))
            missed = float(np.sum(residual ** 2))
            # a scale without variance in X: nothing to predict, so nothing missed (0), unless the
            # prediction adds some (inf)
            out.append(missed / spread if spread > 0 else (0.0 if missed == 0 else np.inf))
        return np.asarray(out)
