"""joblib's dask backend runs the batch loop unchanged on a dask.distributed cluster."""

import numpy as np
import pytest
from tests.conftest import random_walk

from skphase import PhaseHarmonicTransform, ScatteringAverager


@pytest.mark.timeout(300)
def test_dask_cluster_gives_identical_results():
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    x = random_walk(8, 128)
    ref_s = ScatteringAverager(J=3).fit(x).transform(x)
    ref_u = PhaseHarmonicTransform(J=3).fit(x).transform(x)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        with parallel_config(backend="dask"):
            out_s = ScatteringAverager(J=3, batch_size=2, n_jobs=2).fit(x).transform(x)
            out_u = PhaseHarmonicTransform(J=3, batch_size=3, n_jobs=2).fit(x).transform(x)
    np.testing.assert_array_equal(out_s, ref_s)
    np.testing.assert_array_equal(out_u, ref_u)
