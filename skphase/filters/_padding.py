"""Padding geometry: how far to pad a signal, and where it lies at each resolution.

``mode="reflect"`` reproduces Kymatio 0.3's geometry exactly: the 2D frontend's
``compute_padding`` and ``[1:-1]`` unpad, the 1D frontend's padded length
``2**J_pad`` (three temporal supports of the low-pass on each side, capped so
that reflection never needs more than the signal) and its border indices.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..utils._params import Ints, OneOf, check_param, validate_params
from ._bank import SHAPE
from ._morlet import _SIGMA0, _morlet_1d_cycles, _temporal_support

__all__ = ["PadSpec", "padding_geometry"]



@dataclass(frozen=True)
class PadSpec:
    """Where a signal sits inside its padded version.

    Attributes
    ----------
    input_shape : tuple of int
        Shape of the signal.
    padded_shape : tuple of int
        Shape after padding (what :func:`filter_bank` is built for).
    pad_before, pad_after : tuple of int
        Samples added before / after the signal along each axis.
    mode : str
        ``"periodic"`` (no padding) or ``"reflect"``.

    Examples
    --------
    >>> from skphase.filters import padding_geometry
    >>> spec = padding_geometry((32, 32), J=2, mode="reflect")
    >>> spec.padded_shape, spec.pad_before, spec.crop(2)
    ((40, 40), (4, 4), (slice(1, 9, None), slice(1, 9, None)))
    """

    input_shape: tuple[int, ...]
    padded_shape: tuple[int, ...]
    pad_before: tuple[int, ...]
    pad_after: tuple[int, ...]
    mode: str

    def crop(self, level: int) -> tuple[slice, ...]:
        """Slices selecting the original samples in the padded signal subsampled by ``2**level``.

        Periodic mode: full slices.  Reflect mode, with ``i0 = pad_before`` and
        ``i1 = pad_before + size`` along an axis, follows Kymatio 0.3:

        * 1D: ``ceil(i0 / 2**level) : ceil(i1 / 2**level)`` (its
          ``compute_border_indices``): the coarse samples whose position
          ``2**level * k`` falls in ``[i0, i1)``;
        * 2D: ``ceil(i0 / 2**level) : floor(i1 / 2**level)``: the coarse cells
          ``[2**level k, 2**level (k + 1))`` lying inside the signal, which at
          ``level = J`` is exactly Kymatio's ``[1:-1]`` unpad.

        Parameters
        ----------
        level : int
            Resolution exponent, >= 0, with ``2**level`` dividing the padded shape.

        Returns
        -------
        tuple of slice
            One per spatial axis.

        Examples
        --------
        >>> from skphase.filters import padding_geometry
        >>> padding_geometry((100,), J=3, mode="reflect").crop(0)
        (slice(78, 178, None),)
        """
        check_param("level", level, [Ints(0)], caller="PadSpec.crop")
        level = int(level)
        for axis, size in enumerate(self.padded_shape):
            if size % 2 ** level:
                raise ValueError(f"level={level} is too coarse: padded_shape[{axis}]={size} is not "
                                 f"divisible by 2**level={2 ** level}.")
        if self.mode == "periodic":
            return tuple(slice(None) for _ in self.padded_shape)
        step = 2 ** level
        slices = []
        for before, size in zip(self.pad_before, self.input_shape):
            start = -(-before // step)
            end = before + size
            stop = -(-end // step) if len(self.input_shape) == 1 else end // step
            slices.append(slice(start, stop))
        return tuple(slices)


def _reflect_1d(N, J):
    """Kymatio 0.3's ScatteringBase1D padding for T = 2**J.

    Returns ``(padded, before, after, fits)``, ``fits`` False when the low-pass
    is too wide for the signal to be padded without border effects.
    """
    phi_f = _morlet_1d_cycles(N, None, _SIGMA0 / 2 ** J)
    support, fits = _temporal_support(phi_f, criterion_amplitude=1e-3)
    min_to_pad = 3 * support
    # Capped so that the padding on either side stays below N (reflection needs it).
    J_max_support = int(np.floor(np.log2(3 * N - 2)))
    J_pad = min(int(np.ceil(np.log2(N + 2 * min_to_pad))), J_max_support)
    padded = 2 ** J_pad
    before = (padded - N) // 2
    return padded, before, padded - N - before, fits


def _reflect_2d(size, J):
    """Kymatio 0.3's 2D compute_padding along one axis: (padded, before, after, True)."""
    padded = ((size + 2 ** J) // 2 ** J + 1) * 2 ** J
    return padded, (padded - size) // 2, (padded - size + 1) // 2, True


@functools.lru_cache(maxsize=64)
def _geometry(shape, J, mode):
    if mode == "periodic":
        for axis, size in enumerate(shape):
            if size % 2 ** J:
                raise ValueError(f"shape[{axis}]={size} is not divisible by 2**J={2 ** J}, which "
                                 "periodic boundaries (mode/padding='periodic') require; use "
                                 "'reflect' to pad the signal to a suitable size, or lower J.")
        zeros = (0,) * len(shape)
        return PadSpec(shape, shape, zeros, zeros, mode), True
    for axis, size in enumerate(shape):
        if size < 2 ** J:
            raise ValueError(f"shape[{axis}]={size} is smaller than 2**J={2 ** J}; lower J to at "
                             f"most {int(math.log2(size))}.")
    if len(shape) == 1:
        geometry = [_reflect_1d(shape[0], J)]
    else:
        geometry = [_reflect_2d(size, J) for size in shape]
    for axis, (size, (_, before, after, _)) in enumerate(zip(shape, geometry)):
        if max(before, after) >= size:
            raise ValueError(f"shape[{axis}]={size} is too small for mode='reflect' with J={J}: it "
                             f"needs a padding of {max(before, after)} samples, but reflection "
                             "requires padding < size; use a larger signal or a smaller J.")
    spec = PadSpec(shape, tuple(g[0] for g in geometry), tuple(g[1] for g in geometry),
                   tuple(g[2] for g in geometry), mode)
    return spec, all(g[3] for g in geometry)


@validate_params({"shape": SHAPE, "J": [Ints(1)], "mode": [OneOf("periodic", "reflect")],
                  "Q": [Ints(1)]})
def padding_geometry(shape: tuple[int, ...], J: int, *, mode: str = "periodic",
                     Q: int = 1) -> PadSpec:
    """Padding needed before a wavelet transform of scale ``2**J``.

    Parameters
    ----------
    shape : tuple of int
        ``(N,)`` or ``(M, N)``: the signal's shape.
    J : int
        Number of octaves (>= 1).
    mode : {"periodic", "reflect"}, default="periodic"
        ``"periodic"``: no padding; each size must be divisible by ``2**J``.
        ``"reflect"``: Kymatio 0.3's geometry.  2D: each size M is padded to
        ``((M + 2**J) // 2**J + 1) * 2**J``, ``(padded - M) // 2`` samples
        before.  1D: to ``2**J_pad``, with ``J_pad`` the smallest exponent
        fitting ``N`` plus three temporal supports (l1 tail below 1e-3) of the
        low-pass on each side, capped at ``floor(log2(3N - 2))``.
    Q : int, default=1
        Wavelets per octave (1D).  Validated for interface stability; Kymatio
        0.3's padding depends only on the low-pass (``T = 2**J``), not on Q.

    Returns
    -------
    PadSpec
        Cached: equal arguments return the same object.

    Raises
    ------
    ValueError
        If a size is not divisible by ``2**J`` (periodic), smaller than
        ``2**J``, or too small for reflection (padding must be < size: in 2D the
        padding of a side M is ``2**(J+1) - M % 2**J``, so every side needs
        ``M >= 2**J + 1``; in 1D any ``N >= 2**J`` works).

    Warns
    -----
    UserWarning
        In 1D reflect mode, when the low-pass's tail never falls below 1e-3
        within half the signal (as Kymatio does): border effects will remain.

    Examples
    --------
    >>> from skphase.filters import padding_geometry
    >>> padding_geometry((64, 64), J=3).padded_shape
    (64, 64)
    >>> spec = padding_geometry((1000,), J=4, mode="reflect")
    >>> spec.padded_shape, spec.pad_before, spec.pad_after
    ((2048,), (524,), (524,))
    """
    shape = tuple(int(s) for s in shape)
    J = int(J)
    spec, fits = _geometry(shape, J, mode)
    if not fits:
        # Outside the cache so that every call warns, not only the first.
        warnings.warn(f"Signal support is too small to avoid border effects: with J={J} the "
                      f"low-pass is wider than half of the {shape[0]} samples.", UserWarning,
                      stacklevel=2)
    return spec
