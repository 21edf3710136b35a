"""Tests across the package: the documentation, the scikit-learn contract of every estimator,
hostile inputs, properties across families, scale-out on dask."""
