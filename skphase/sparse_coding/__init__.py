"""Sparse coding in learned dictionaries: l1 solvers, LISTA, dictionary learning, classifier."""

from ._solvers import coordinate_descent, fista, homotopy, ista, lasso_objective, soft_threshold, sparse_encode

__all__ = ["coordinate_descent", "fista", "homotopy", "ista", "lasso_objective", "soft_threshold",
           "sparse_encode"]
