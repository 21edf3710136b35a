"""The generator's embedding: operators built from parameters, and the PCA whitening.

No estimator is fitted to get a transform: the scattering (order 2, complex modulus) and the
phase-harmonic transform U (2 phases, linearly invertible) are :mod:`skphase.operators` built
from a filter bank, a padding geometry and a plan, as ``ScatteringAverager`` and
``PhaseHarmonicTransform`` build them, on the torch backend of the generator's device. They
run batch by batch (the backend's memory budget sizes the batches, as the transformers'
``batch_size="auto"``), so their outputs are those of the transformers bit for bit.

The whitening is scikit-learn's :func:`~sklearn.utils.extmath.randomized_svd` applied to the
transposed centred vectors (exact SVD for small matrices): see :func:`top_singular`.

Imported lazily: ``import skphase`` never imports torch.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .._config import get_config
from ..filters import padding_geometry
from ..operators import frame_bounds, phase_harmonic_operator, scattering_operator
from ..operators._batches import apply_in_batches
from ..utils._interrupt import current as current_stop
from ..utils._progress import progress as _progress
from ..utils._warnings import warn_external

#: the least-squares inverse of U is refused below this frame-bound ratio (PhaseHarmonicTransform's)
MIN_FRAME_RATIO = 1e-8


def torch_backend(device):
    """skphase's torch backend on ``device`` (None: the CPU), shared with the transformers."""
    from ..base import backend_for

    return backend_for("torch", device)


def stop_before_a_model():
    """Ctrl-C before the training (the embedding of the images): no model to keep, so the call ends
    with ``KeyboardInterrupt`` (a fit then puts every attribute back: ``fit_context``)."""
    stop = current_stop()
    if stop is not None and stop.is_set():
        raise KeyboardInterrupt("interrupted (Ctrl-C) before the decoder's training began: nothing to keep")


def _planes(X4):
    """Images (n, H, W, C) -> planes (n * C, H, W), colour channels of one image together."""
    n, H, W, C = X4.shape
    return np.moveaxis(X4, -1, 1).reshape(n * C, H, W)


class ScatteringEmbedding:
    """S_J of images: the order-2 modulus scattering with J octaves and L orientations.

    Padding is periodic when 2^J divides the sides (the mirror images about pixel 0 keep the
    sampling grid, so that every symmetry's embedding is a permutation of the original's, and
    the scattering runs on the image itself instead of a padded one 1.5x the side), Kymatio's
    reflection otherwise.
    """

    def __init__(self, image_shape, J, L, device=None, verbose=0):
        H, W = (int(s) for s in image_shape[:2])
        self.J, self.L, self.verbose = int(J), int(L), verbose
        self.periodic = all(s % 2 ** self.J == 0 for s in (H, W))
        # re-emitted so that a padding warning points at the caller's fit, not inside skphase
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            padding_geometry((H, W), self.J, mode="periodic" if self.periodic else "reflect")
        for w in caught:
            warn_external(w.message, w.category)
        # one image must fit the budget: the factory splits the first-order filters if needed
        self.operator = scattering_operator((H, W), self.J, torch_backend(device), L=self.L,
                                            padding="periodic" if self.periodic else "reflect",
                                            memory_budget=get_config()["memory_budget"])
        plan = self.operator.plan
        self.n_channels = int(self.operator.output_shape[0])
        self.output_shape = tuple(self.operator.output_shape[1:])
        self.channel_table = {k: np.asarray(v).copy() for k, v in plan.table.items()}

    def __call__(self, X4):
        """S_J of every colour channel, concatenated: (n, colours * channels * h * w) float64."""
        torch = __import__("torch")
        n, H, W, _ = X4.shape
        planes = _planes(X4)
        # torch on the CPU too: the numpy/numba backend is only ~1.3x faster here (float32,
        # one thread), and numba's OpenMP threads, once started, left the torch training that
        # follows 5-6x slower on a loaded CPU (benchmarks/RESULTS.md, "Generation")
        per_batch = max(1, 2**25 // (4 * H * W * max(1, self.n_channels)))
        chunks = list(range(0, len(planes), per_batch))
        out = []
        with torch.no_grad():
            for start in _progress(chunks, len(chunks), self.verbose, "scattering"):
                stop_before_a_model()
                x = torch.as_tensor(planes[start:start + per_batch], dtype=torch.float32,
                                    device=self.operator.backend.device)
                y = apply_in_batches(self.operator, "forward", x, 4)
                out.append(y.reshape(y.shape[0], -1).cpu().numpy().astype(np.float64))
        return np.concatenate(out, axis=0).reshape(n, -1)


class PhaseHarmonicPyramid:
    """U x (2 phases, full resolution, exactly invertible) and its pyramid y_0 = U x ... y_J."""

    def __init__(self, image_shape, J, L, device=None, verbose=0):
        H, W = (int(s) for s in image_shape[:2])
        self.J, self.verbose = int(J), verbose
        self.operator = phase_harmonic_operator((H, W), self.J, torch_backend(device), L=int(L), n_phases=2)
        self.bank = self.operator.bank
        self.n_channels = int(self.operator.output_shape[0])

    def __call__(self, X4):
        """[y_0, ..., y_J] of every colour channel (stacked as channels), float32 numpy."""
        torch = __import__("torch")
        from ._progressive import pyramid

        n, H, W, C = X4.shape
        planes = _planes(X4)
        per_batch = max(1, 2**24 // (4 * H * W * self.n_channels))
        chunks = list(range(0, len(planes), per_batch))
        levels = [[] for _ in range(self.J + 1)]
        with torch.no_grad():
            for start in _progress(chunks, len(chunks), self.verbose, "phase harmonics"):
                stop_before_a_model()
                x = torch.as_tensor(planes[start:start + per_batch], dtype=torch.float32,
                                    device=self.operator.backend.device)
                for j, y in enumerate(pyramid(apply_in_batches(self.operator, "forward", x, 4), self.J)):
                    levels[j].append(y.cpu().numpy())
        out = []
        for level in levels:
            y = np.concatenate(level, axis=0)
            out.append(y.reshape((n, C * y.shape[1]) + y.shape[2:]))
        return out

    def invert(self, u):
        """y_0 = U x of every colour plane (n, C * channels, H, W) tensor -> images (n, C, H, W), exactly."""
        low, high = frame_bounds(self.bank, 2)
        if low < MIN_FRAME_RATIO * high:
            raise ValueError(f"the phase-harmonic inverse is ill-conditioned for this filter bank: its frame "
                             f"bounds {low:.3g}..{high:.3g} (ratio {low / high:.1e} < {MIN_FRAME_RATIO:g}) "
                             f"leave frequencies (almost) uncovered (J={self.J}); use a larger J or L.")
        n, H, W = u.shape[0], u.shape[2], u.shape[3]
        planes = apply_in_batches(self.operator, "inverse", u.reshape(-1, self.n_channels, H, W).double(), 8)
        return planes.reshape(n, -1, H, W)

    def inverse(self, u):
        """U^-1 as torch operations (linear, differentiable): (n, C * channels, H, W) -> (n, C, H, W)."""
        n, _, H, W = u.shape
        return self.operator.inverse(u.reshape(-1, self.n_channels, H, W)).reshape(n, -1, H, W)


# ---------------------------------------------------------------------------- whitening
def top_singular(A, k, n_iter=5, seed=0):
    """The k largest singular values of A and their right singular vectors (rows).

    Small matrices get the exact SVD. Larger ones (a full SVD of (2000, 3472) scattering vectors
    takes tens of seconds on a loaded CPU) get scikit-learn's ``randomized_svd`` of A^T
    (``n_iter`` power iterations, a fixed seed: deterministic): its range finder spans the rows
    of A and the SVD of the projection is a Rayleigh-Ritz step in that subspace, so the vectors V
    returned are orthonormal and A V^T has orthogonal columns of norms s: the whitening they
    define is exact on the training vectors; s and V approach the top singular pairs
    geometrically with ``n_iter``. On the demo's 1,800 scattering vectors of 3,472 values
    (k = 64), 5 iterations (as many products with A^T A as the hand-written subspace iteration
    this replaced) give singular values within 3.5e-6 of the exact SVD's (that helper: 7.5e-6)
    in 0.7 s (0.2 s; the exact SVD 3.1 s).
    """
    from sklearn.utils.extmath import randomized_svd

    n, p = A.shape
    size = min(n, p, k + max(10, k // 2))
    if 4 * size >= min(n, p):
        _, s, Vt = np.linalg.svd(A, full_matrices=False)
        return s[:k], Vt[:k]
    U, s, _ = randomized_svd(A.T, k, n_oversamples=size - k, n_iter=n_iter, transpose=False,
                             flip_sign=False, random_state=seed)
    return s, U.T


@dataclass(frozen=True)
class Whitening:
    """Z = normalise(((S - mean) @ components.T) / scale): PCA whitening onto the unit sphere."""

    mean: np.ndarray
    components: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, S, k):
        """The PCA whitening of the rows of S to k dimensions (no checks: see :meth:`fit_checked`)."""
        mean = S.mean(axis=0)
        s, Vt = top_singular(S - mean, k)
        # sign convention: the largest loading of each component is positive (reproducible)
        signs = np.sign(Vt[np.arange(k), np.argmax(np.abs(Vt[:k]), axis=1)])
        scale = s[:k] / math.sqrt(max(1, len(S) - 1))
        return cls(mean, Vt[:k] * signs[:, None], np.maximum(scale, 1e-12 * max(scale[0], 1e-300)))

    @classmethod
    def fit_checked(cls, S, k):
        """:meth:`fit`, refusing a k the training vectors cannot give (``ValueError``)."""
        n, p = S.shape
        if k > min(n, p):
            raise ValueError(f"n_components={k} is larger than the embedding allows: "
                             f"min(n_training_samples={n}, n_scattering_features={p}) = {min(n, p)}. "
                             "Use fewer components or more images.")
        white = cls.fit(S, k)
        # float32 scattering: directions below ~1e-5 of the largest are rounding, and whitening
        # them would blow rounding noise up to unit size in the embedding
        spread = float(np.sqrt(np.mean((S - white.mean) ** 2)))
        if spread <= 1e-6 * max(float(np.sqrt(np.mean(S ** 2))), 1e-300):
            raise ValueError("X: the training images all have the same embedding (constant or identical "
                             "images); there is nothing to whiten or to learn. Pass varied images.")
        rank = int(np.sum(white.scale > 1e-5 * white.scale[0]))
        if rank < k:
            raise ValueError(f"n_components={k} but the embeddings of the training images "
                             f"span only {rank} directions above float32 rounding (images too alike); use "
                             f"n_components <= {rank} or more varied images.")
        return white

    def project(self, S):
        """W (S - mean): the whitened coordinates, before normalising."""
        return (S - self.mean) @ self.components.T / self.scale

    def __call__(self, S):
        proj = self.project(S)
        return proj / np.maximum(np.linalg.norm(proj, axis=1, keepdims=True), 1e-12)
