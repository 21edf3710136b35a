import os

import numpy as np
import pytest

# Keep the suite polite on the 2-core CI machine: one FFT thread per call unless a test asks.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def camera(size: int) -> np.ndarray:
    """A real image (scikit-image's camera, else scikit-learn's china.jpg), block-averaged to size²."""
    try:
        from skimage.data import camera as _camera

        img = _camera().astype(np.float64)
    except ImportError:
        from sklearn.datasets import load_sample_image

        img = load_sample_image("china.jpg").mean(axis=2)
    f = min(img.shape) // size
    img = img[: size * f, : size * f].reshape(size, f, size, f).mean(axis=(1, 3))
    return (img - img.mean()) / img.std()


def random_walk(n_samples: int, size: int, seed: int = 0) -> np.ndarray:
    steps = np.random.default_rng(seed).standard_normal((n_samples, size))
    x = np.cumsum(steps, axis=1)
    return x - x.mean(axis=1, keepdims=True)


def sparse_problem(n=40, d=12, k=24, seed=0):
    """Unit-norm dictionary D (k, d) and samples X (n, d) that are sparse combinations plus noise."""
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((k, d))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    # sparse codes, like image patches in a learned dictionary
    A = rng.standard_normal((n, k)) * (rng.random((n, k)) < 0.15)
    X = A @ D + 0.05 * rng.standard_normal((n, d))
    return X, D


def bad_param(name: str, expected: str = "", got: str = "") -> str:
    """Regex of scikit-learn's parameter error (skphase's one format) for ``name``.

    ``expected`` and ``got`` are regex fragments: what the parameter accepts and the value.
    """
    return rf"'{name}' parameter of [\w.]+ must be {expected}.*Got {got}"
