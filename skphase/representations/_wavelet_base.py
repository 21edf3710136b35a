"""What the wavelet transformers add to the batched base: J, L, Q, wavelet, shape, channels."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ..base import BatchedTransformer, fit_context
from ..operators import ChannelwiseOperator
from ..utils._feature_names import structured_names
from ..utils._memory import check_allocation
from ..utils._params import Ints, OneOf, Shape
from ..utils._validation import check_J, check_signals

#: J=None picks the largest J up to this that the input allows.
MAX_AUTO_J = 3


@dataclasses.dataclass(frozen=True)
class _WaveletConfig:
    """The fitted configuration of a wavelet transformer: small, hashable and picklable, so
    that joblib/dask tasks stay light and filters are fetched from the cache where they run."""

    input_shape: tuple
    J: int
    L: int
    Q: int
    wavelet: str
    n_input_channels: int = 0  # 0: one channel, no channel axis in the input

    def make_operator(self, backend):
        op = self._make_operator(backend)
        return ChannelwiseOperator(op, self.n_input_channels) if self.n_input_channels else op

    def _make_operator(self, backend):
        raise NotImplementedError


class _WaveletTransformer(BatchedTransformer):
    """Base of the wavelet transformers.

    Subclasses define ``_make_config``, ``_describe`` (fitted attributes),
    ``_output_spatial_shape`` and ``_channel_names``; their config's
    ``_make_operator(backend)`` builds the operator.
    """

    _parameter_constraints: dict = {
        **BatchedTransformer._parameter_constraints,
        "J": [None, Ints(1)],
        "L": [Ints(1)],
        "Q": [Ints(1)],
        "wavelet": [OneOf("morlet", "bump")],
        "shape": [None, Shape((1, 2))],
        "multichannel": ["boolean", OneOf("channels_first")],
        "flatten": ["boolean"],
    }

    # --- fit ----------------------------------------------------------------------
    @fit_context
    def fit(self, X, y=None):
        """Check X, choose J and build (or fetch from cache) the filters.

        Parameters
        ----------
        X : array-like of shape (n_samples, N), (n_samples, H * W) with ``shape``, or (n_samples, H, W)
            Real signals or images; with ``multichannel=True``, (n_samples, C, N) or
            (n_samples, C, H, W). A torch.Tensor with ``backend="torch"``.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        shape = None if self.shape is None else tuple(int(s) for s in self.shape)
        X, spatial, channels = check_signals(self, X, reset=True, shape=shape,
                                             multichannel=self.multichannel)
        self.input_shape_ = spatial
        self.n_input_channels_ = channels
        self._flat_images_ = shape is not None and len(spatial) == 2
        J = self._resolve_J(spatial)
        self._check_filter_memory(spatial, J)
        self.J_ = J
        self.config_ = self._make_config()
        self._describe(self.config_)
        self.n_channels_ = self.get_operator().output_shape[0]
        return self

    def _resolve_J(self, spatial) -> int:
        J = check_J(self.J, spatial, type(self).__name__)
        if J is not None:
            return J
        smallest = min(spatial)
        # J=None: the largest J <= MAX_AUTO_J that this input's geometry supports cleanly
        for J in range(min(MAX_AUTO_J, int(math.floor(math.log2(smallest)))), 0, -1):
            if self._geometry_allows(J, spatial):
                return J
        return 1  # let the geometry check raise its own, specific error

    def _geometry_allows(self, J, spatial) -> bool:
        return True

    def _check_filter_memory(self, spatial, J) -> None:
        """The filter bank (complex, at the input's size) must fit before it is built."""
        per_octave = self.L if len(spatial) == 2 else self.Q
        n_filters = J * per_octave + 1
        check_allocation(16 * n_filters * int(np.prod(spatial)),
                         f"{type(self).__name__}(J={J}, L={self.L}, Q={self.Q})'s {n_filters} filters of "
                         f"shape {spatial}", "use a smaller L (orientations) or Q (wavelets per octave).")

    def _config_fields(self) -> dict:
        """The fields of :class:`_WaveletConfig` for the fitted geometry (L in 2D, Q in 1D)."""
        two_d = len(self.input_shape_) == 2
        return dict(input_shape=tuple(self.input_shape_), J=self.J_, L=self.L if two_d else 1,
                    Q=1 if two_d else self.Q, wavelet=self.wavelet,
                    n_input_channels=self.n_input_channels_ if self.multichannel else 0)

    # --- execution -----------------------------------------------------------------
    def _operator_spec(self):
        return self.config_

    def _validate_for_transform(self, X):
        check_is_fitted(self, "config_")
        shape = self.input_shape_ if self._flat_images_ else None
        X, _, channels = check_signals(self, X, reset=False, shape=shape, multichannel=self.multichannel)
        return X

    def _finish(self, Y):
        return Y.reshape((Y.shape[0], -1)) if self.flatten else Y

    # --- naming -----------------------------------------------------------------------
    def _all_channel_names(self) -> list[str]:
        """One name per output channel, prefixed by the input channel when multichannel."""
        names = self._channel_names()
        if not self.config_.n_input_channels:
            return names
        return [f"c{c}_{n}" for c in range(self.config_.n_input_channels) for n in names]

    def get_feature_names_out(self, input_features=None):
        """Names of the output features, one per (channel, position), channel major.

        Channel names read like the coefficient (``s1_j2_t3_p0``: order 1, scale
        j=2, orientation theta=3, phase 0; ``n`` indexes 1D wavelets, ``k``
        harmonics; a ``c0_`` prefix names the input colour channel); the position
        follows (``y1_x0`` or ``t5``).

        Parameters
        ----------
        input_features : array-like of str or None
            Only checked for consistency with ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self, "config_")
        _check_feature_names_in(self, input_features, generate_names=False)
        return structured_names(self._all_channel_names(), self._output_spatial_shape())

    def _channel_table(self, table: dict) -> dict:
        """``table`` (one row per operator channel), repeated per input channel with an
        ``input_channel`` column when multichannel."""
        C = self.config_.n_input_channels
        if not C:
            return {k: np.asarray(v).copy() for k, v in table.items()}
        out = {"input_channel": np.repeat(np.arange(C), len(next(iter(table.values()))))}
        out.update({k: np.tile(np.asarray(v), C) for k, v in table.items()})
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.allow_nan = False
        return tags
