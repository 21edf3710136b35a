"""ScatteringAverager: S_J x = U x * phi_J subsampled by 2**J (scikit-learn transformer)."""

from __future__ import annotations

import dataclasses
import warnings
from functools import lru_cache

import numpy as np


from .._config import get_config
from ..filters import filter_bank, padding_geometry
from ..operators import ScatteringOperator, make_plan, plan_memory
from ..utils._params import Ints, OneOf
from ..utils._warnings import warn_external
from ._wavelet_base import _WaveletConfig, _WaveletTransformer


@dataclasses.dataclass(frozen=True)
class _Config(_WaveletConfig):
    spec: object = None  # PadSpec, computed once in fit
    max_order: int = 1
    nonlinearity: str = "relu"
    n_phases: int = 1
    max_group: int | None = None

    @property
    def bank(self):
        return filter_bank(self.spec.padded_shape, self.J, L=self.L, Q=self.Q, wavelet=self.wavelet)

    @property
    def plan(self):
        return _plan(self.bank, self.max_order, self.nonlinearity, self.n_phases, self.max_group)

    def _make_operator(self, backend):
        return ScatteringOperator(self.bank, self.spec, self.plan, backend)


@lru_cache(maxsize=32)
def _plan(bank, max_order, nonlinearity, n_phases, max_group):
    return make_plan(bank, max_order=max_order, nonlinearity=nonlinearity, n_phases=n_phases,
                     max_group=max_group)


class ScatteringAverager(_WaveletTransformer):
    """Scattering averages S_J x of 1D signals or 2D images.

    S_J x = (x * phi_J, rho(x * psi_{l1}) * phi_J, rho(rho(x * psi_{l1}) * psi_{l2}) * phi_J),
    subsampled by 2**J: translation invariant up to 2**J, stable to deformations
    (seed, slide 22). ``nonlinearity="relu"`` (default) uses the rectified
    multiphase real wavelets rho(Re(e^{-i alpha} x * psi)); these are not
    demodulated, so their intermediate layers are kept at full resolution (exact
    but costlier). ``"modulus"`` is the classic scattering transform, equal to
    Kymatio 0.3's ``Scattering1D``/``Scattering2D`` with ``wavelet="morlet",
    padding="reflect"``, in the same channel order.

    Parameters
    ----------
    J : int or None, default=None
        Number of octaves; averaging scale 2**J. None picks the largest J <= 3
        that the input size and padding allow.
    L : int, default=8
        Orientations (2D).
    Q : int, default=1
        Wavelets per octave at the first order (1D).
    max_order : {1, 2}, default=1
        Scattering order. Order 2 is optional: with ``"relu"`` it is computed at
        full resolution (exact), about L * J * n_phases times the work of order 1;
        with ``"modulus"`` it is cheap (Kymatio's default is 2).
    nonlinearity : {"relu", "modulus"}, default="relu"
        Phase-rectified real wavelets or the complex modulus.
    n_phases : int, default=4
        Phases alpha_p = 2 pi p / n_phases of the rectified form (ignored for "modulus").
    wavelet : {"morlet", "bump"}, default="morlet"
        Wavelet family (see :func:`skphase.filters.filter_bank`).
    padding : {"reflect", "periodic"}, default="reflect"
        Boundary handling (Kymatio's geometry for "reflect"). "periodic" needs
        sizes divisible by 2**J.
    shape : tuple of int or None, default=None
        Spatial shape (H, W) when X holds flattened images (n_samples, H * W).
    multichannel : bool or "channels_first", default=False
        X holds several channels per sample, (n_samples, C, H, W) images (RGB, say)
        or (n_samples, C, N) signals; each channel is transformed alone and the
        output has C * (channels of one) channels, input channel major. Images whose
        last axis is 1, 3 or 4 long are refused, since they may be channels-last
        (pass ``np.moveaxis(X, -1, 1)``); ``"channels_first"`` accepts them as given.
    flatten : bool, default=True
        Return (n_samples, n_features); False keeps ``(n_samples, channels, *spatial)``.
    backend : {"numpy", "torch"}, default="numpy"
        numpy/numba on CPU, or torch (differentiable; ``device="cuda"`` for GPU).
    device : str or None, default=None
        torch device.
    batch_size : int or "auto", default="auto"
        Samples per batch; "auto" keeps intermediate coefficients near 64 MiB
        (and splits the filters of one sample into chunks when needed).
    n_jobs : int or None, default=None
        Batches run in parallel through joblib (threads unless a joblib backend
        such as dask is configured with ``joblib.parallel_config``).
    verbose : int, default=0
        Show a progress bar over batches.

    Attributes
    ----------
    J_ : int
        The number of octaves used.
    input_shape_ : tuple of int
        Spatial shape of the signals seen in fit.
    n_features_in_ : int
        Number of values per sample seen in fit.
    feature_names_in_ : ndarray of str
        Only when X had string column names.
    n_channels_ : int
        Number of scattering channels.
    output_shape_ : tuple of int
        Spatial shape of each channel after subsampling.
    channel_table_ : dict of ndarray
        One row per channel: order, n1, j1, theta1, phase1, n2, j2, theta2, phase2 (-1 if n/a),
        and input_channel first when ``multichannel``.
    config_ : object
        The fitted configuration used by :meth:`transform`.

    See Also
    --------
    PhaseHarmonicTransform : the full-resolution U x, linearly invertible.

    Examples
    --------
    >>> import numpy as np
    >>> from skphase import ScatteringAverager
    >>> X = np.random.default_rng(0).standard_normal((4, 32, 32))
    >>> S = ScatteringAverager(J=2, L=4, max_order=2, nonlinearity="modulus").fit(X)
    >>> S.transform(X).shape
    (4, 1600)
    >>> S.n_channels_, S.output_shape_
    (25, (8, 8))
    """

    _parameter_constraints: dict = {
        **_WaveletTransformer._parameter_constraints,
        "max_order": [OneOf(1, 2)],
        "nonlinearity": [OneOf("relu", "modulus")],
        "n_phases": [Ints(1)],
        "padding": [OneOf("reflect", "periodic")],
    }
    _progress_label = "scattering"

    def __init__(self, J=None, *, L=8, Q=1, max_order=1, nonlinearity="relu", n_phases=4,
                 wavelet="morlet", padding="reflect", shape=None, multichannel=False, flatten=True,
                 backend="numpy", device=None, batch_size="auto", n_jobs=None, verbose=0):
        self.J = J
        self.L = L
        self.Q = Q
        self.max_order = max_order
        self.nonlinearity = nonlinearity
        self.n_phases = n_phases
        self.wavelet = wavelet
        self.padding = padding
        self.shape = shape
        self.multichannel = multichannel
        self.flatten = flatten
        self.backend = backend
        self.device = device
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _geometry_allows(self, J, spatial) -> bool:
        # J=None must not pick a J that then warns about its own border effects
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                padding_geometry(spatial, J, mode=self.padding)
            except (ValueError, UserWarning):
                return False
        return True

    def _make_config(self) -> _Config:
        # re-emitted so that the warning points at the caller's fit, not inside skphase
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec = padding_geometry(self.input_shape_, self.J_, mode=self.padding)
        for w in caught:
            warn_external(w.message, w.category)
        config = _Config(**self._config_fields(), spec=spec, max_order=self.max_order,
                         nonlinearity=self.nonlinearity,
                         n_phases=self.n_phases if self.nonlinearity == "relu" else 1)
        if self.max_order == 2 and not np.any(np.asarray(config.plan.table["order"]) == 2):
            warn_external(f"max_order=2 adds no second-order coefficient here: with J={self.J_} no wavelet "
                          "is coarser than a first-order envelope's bandwidth; use a larger J.",
                          UserWarning)
        # one sample must fit the memory budget: split first-order groups if it does not
        total, per_filter = plan_memory(config.plan, spec.padded_shape)
        budget = get_config()["memory_budget"]
        if total > budget:
            config = dataclasses.replace(config, max_group=max(1, budget // max(1, per_filter)))
            total = plan_memory(config.plan, spec.padded_shape)[0]
            if total > budget:
                warn_external(f"ScatteringAverager needs about {total / 2**20:.0f} MiB per sample even with "
                              f"its filters in chunks, more than the {budget / 2**20:.0f} MiB memory budget; "
                              "it runs one sample at a time (skphase.config_context(memory_budget=...) "
                              "raises the budget).", ResourceWarning)
        return config

    def _describe(self, config):
        op = config._make_operator(None)
        self.output_shape_ = tuple(op.output_shape[1:])
        self.channel_table_ = self._channel_table(config.plan.table)

    def _output_spatial_shape(self):
        return tuple(self.output_shape_)

    def _channel_names(self):
        t = self.config_.plan.table
        two_d = len(self.input_shape_) == 2
        relu = self.config_.nonlinearity == "relu"

        def one(n, j, theta, phase):
            name = f"j{j}_t{theta}" if two_d else f"n{n}_j{j}"
            return name + (f"_p{phase}" if relu else "")

        names = []
        for c in range(len(t["order"])):
            order = t["order"][c]
            if order == 0:
                names.append("s0")
                continue
            name = f"s{order}_" + one(t["n1"][c], t["j1"][c], t["theta1"][c], t["phase1"][c])
            if order == 2:
                name += "_" + one(t["n2"][c], t["j2"][c], t["theta2"][c], t["phase2"][c])
            names.append(name)
        return names
