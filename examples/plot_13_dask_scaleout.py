"""
Scaling out a transform with dask
=================================

``ScatteringAverager(n_jobs=...)`` runs its batches through joblib, so
``joblib.parallel_config(backend="dask")`` sends them to a dask cluster and the
coefficients are the same as a serial run's.
"""

import time

import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

from skphase import ScatteringAverager

# %%
# 64 images of 32x32, small batches so there are several tasks to distribute.
rng = np.random.default_rng(0)
X = rng.standard_normal((64, 32, 32))
S = ScatteringAverager(J=2, L=4, batch_size=8).fit(X)

t0 = time.perf_counter()
serial = S.transform(X)
t_serial = time.perf_counter() - t0

# %%
# A local cluster of two in-process workers (threads: nothing to pickle across processes).
cluster = LocalCluster(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None)
client = Client(cluster)
S.set_params(n_jobs=2)
with joblib.parallel_config(backend="dask"):
    t0 = time.perf_counter()
    distributed_out = S.transform(X)
    t_dask = time.perf_counter() - t0
client.close()
cluster.close()

print(f"output shape: {serial.shape}")
print(f"max |dask - serial|: {np.abs(distributed_out - serial).max():.2e}")
print(f"serial: {t_serial:.2f} s, dask (2 workers): {t_dask:.2f} s")

fig, ax = plt.subplots(figsize=(4, 3))
ax.bar(["serial", "dask, 2 workers"], [t_serial, t_dask])
ax.set_ylabel("transform time (s)")
fig.tight_layout()
plt.show()
