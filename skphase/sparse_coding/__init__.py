"""Sparse coding in learned dictionaries: l1 solvers, LISTA, dictionary learning, classifier.

Solvers are plain functions (:func:`sparse_encode` and friends); the estimators are
:class:`SparseDictionaryCoder` (transformer) and :class:`LISTAClassifier` (classifier).
"""

from ._classifier import LISTAClassifier
from ._coder import SparseDictionaryCoder
from ._solvers import (coordinate_descent, duality_gap, fista, homotopy, ista, lasso_objective,
                       soft_threshold, sparse_encode)

__all__ = ["LISTAClassifier", "SparseDictionaryCoder", "coordinate_descent", "duality_gap", "fista", "homotopy",
           "ista", "lasso_objective", "soft_threshold", "sparse_encode"]
