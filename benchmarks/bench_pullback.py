"""Cost of the scattering's analytic gradient relative to its forward pass, in one run.

Times (medians) on the same float32 batch: the forward ``scattering``; today's
``scattering_vjp`` (forward recomputed with unfused numpy primitives); and a pullback
built from the fused numba layers, ``wavelet_layer(..., coefficients=True)`` on the way
forward and ``wavelet_layer_adjoint`` on the way back (order-2 input gradients flowing
into the order-1 adjoint as ``g_U``). Prints the ratios to the forward (target <= 2) and
the relative difference between the two gradients.

    python benchmarks/bench_pullback.py [--repeats 7] [--batch 8] [--size 256] [--nonlinearity relu]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from _common import machine_line
from skphase import ScatteringAverager
from skphase.transforms import group_size, scattering, scattering_vjp
from skphase.transforms._common import pad, pad_adjoint, phase_angles
from skphase.transforms._scattering import _filters, _hermitian_low_pass, _low_pass_vjp


def _crop_adjoint(g, full_spatial, slices):
    """Zero-embed ``g`` cropped by ``slices`` (basic slices: no index is repeated).

    The same as ``transforms._common.crop_adjoint``, written as one slice assignment
    instead of a scatter-add (``np.add.at``), which costs ~10% of a forward here.
    """
    ndim = len(full_spatial)
    out = np.zeros(g.shape[:g.ndim - ndim] + tuple(full_spatial), dtype=g.dtype)
    out[(Ellipsis,) + tuple(slices)] = g
    return out


def _buffer(workspace, key, n_batch, idx, spatial, like):
    if workspace is None:
        return None
    key = tuple(k if isinstance(k, int) else str(k) for k in key)
    if key not in workspace:
        workspace[key] = np.empty((n_batch, group_size(idx)) + spatial, dtype=like.dtype)
    return workspace[key]


def fused_pullback(x, grad, *, bank, pad_spec, plan, backend, max_order, nonlinearity_kind, n_phases,
                   recompute=False, workspace=None):
    """Gradient of <grad, scattering(x)> in x, from the fused layers and their adjoints.

    Mirrors :func:`scattering`: each group's forward keeps its coefficients z, then its
    adjoint runs at once (order 2 before order 1, whose ``g_U`` it feeds). With
    ``recompute`` (a pure VJP, ``grad`` known beforehand), order-2 layers run no forward:
    their adjoint recomputes z from U1 in the kernel. ``workspace``, a dict kept between
    calls, holds the z buffers, as an optimiser's repeated calls would.
    """
    ndim, J = bank.ndim, bank.J
    psi1, psi2, phi_raw = _filters(bank, backend, x.dtype)
    phi = [backend.from_filter(h, x.dtype) for h in _hermitian_low_pass(bank)]
    crop = pad_spec.crop(J)
    spatial0 = tuple(pad_spec.padded_shape)
    coarse = tuple(n // 2 ** J for n in spatial0)
    n0 = int(np.prod(spatial0))
    n_batch = x.shape[0]
    g_canon = backend.take(grad, plan.canonical_position, axis=1)  # computation order
    X = backend.hermitian_full(backend.rfft(pad(x, pad_spec, backend), ndim), ndim, spatial0)
    cos, sin = backend.cos_sin(phase_angles(n_phases), x.dtype)
    gX = np.ascontiguousarray(_low_pass_vjp(g_canon[:, :1], phi_raw, 0, J, ndim, spatial0, crop, backend)[:, 0])
    pos = 1
    for j1, k1, idx1 in plan.groups1:
        spatial1 = tuple(n // 2 ** k1 for n in spatial0)
        order2 = max_order >= 2 and bool(plan.groups2[j1])
        layer1 = (psi1[0][idx1], 2 ** k1, phi[k1], 2 ** (J - k1), nonlinearity_kind, cos, sin, ndim)
        s1, U1, z1 = backend.wavelet_layer(X, *layer1, order2, coefficients=True,
                                           z_out=_buffer(workspace, (j1, idx1), n_batch, idx1, spatial1, X))
        c1 = s1.shape[1]
        g_s1 = _crop_adjoint(g_canon[:, pos:pos + c1], coarse, crop)
        pos += c1
        g_U1 = None
        if order2:
            U1 = U1.reshape((-1,) + spatial1)
            for j2, k2, idx2 in plan.groups2[j1]:
                layer2 = (psi2[k1][idx2], 2 ** k2, phi[k1 + k2], 2 ** (J - k1 - k2), nonlinearity_kind,
                          cos, sin, ndim)
                c2 = group_size(idx2) * (n_phases if nonlinearity_kind == "relu" else 1)
                if recompute:
                    z2 = None
                else:
                    spatial2 = tuple(n // 2 ** k2 for n in spatial1)
                    z_out = _buffer(workspace, (j1, idx1, j2, idx2), U1.shape[0], idx2, spatial2, U1)
                    _, _, z2 = backend.wavelet_layer(U1, *layer2, False, coefficients=True, z_out=z_out)
                g2 = g_canon[:, pos:pos + c1 * c2]
                pos += c1 * c2
                g2 = g2.reshape((n_batch * c1, c2) + tuple(g2.shape[2:]))
                # the groups' input gradients are summed in place, in the kernel
                g_U1 = backend.wavelet_layer_adjoint(_crop_adjoint(g2, coarse, crop), z2, *layer2,
                                                     out=g_U1, X=U1 if recompute else None)
            g_U1 = g_U1.reshape((n_batch, c1) + spatial1)
        gX = backend.wavelet_layer_adjoint(g_s1, z1, *layer1, g_U=g_U1, out=gX)
    g_xp = backend.real(backend.ifft(gX, ndim)) * n0
    return pad_adjoint(g_xp, pad_spec, backend)


def _times(func):
    """Wall time and process CPU time (all threads) of one call of ``func``.

    On a shared machine the CPU time is the steadier measure of the work done.
    """
    w, c = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - w, time.process_time() - c


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--nonlinearity", default="modulus", choices=["modulus", "relu"])
    args = parser.parse_args()
    print(machine_line())
    shape = (args.size, args.size)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch,) + shape).astype(np.float32)
    est = ScatteringAverager(J=4, L=8, max_order=2, nonlinearity=args.nonlinearity, padding="reflect",
                             flatten=False).fit(x)
    config = est.config_
    kwargs = config.kwargs(config.get_backend())
    S = scattering(x, **kwargs)
    grad = rng.standard_normal(S.shape).astype(np.float32)
    old = scattering_vjp(x, grad, **kwargs)
    new = fused_pullback(x, grad, **kwargs)
    err = float(np.linalg.norm(new - old) / np.linalg.norm(old))
    vjp = fused_pullback(x, grad, recompute=True, **kwargs)
    workspace = {}
    reused = fused_pullback(x, grad, workspace=workspace, **kwargs)
    err_reused = float(np.linalg.norm(reused - old) / np.linalg.norm(old))
    err_vjp = float(np.linalg.norm(vjp - old) / np.linalg.norm(old))
    # interleaved rounds, so that a change of machine load hits all three alike
    rounds = {"fwd": [], "old": [], "new": [], "vjp": [], "reused": []}
    for _ in range(args.repeats):
        rounds["fwd"].append(_times(lambda: scattering(x, **kwargs)))
        rounds["old"].append(_times(lambda: scattering_vjp(x, grad, **kwargs)))
        rounds["new"].append(_times(lambda: fused_pullback(x, grad, **kwargs)))
        rounds["vjp"].append(_times(lambda: fused_pullback(x, grad, recompute=True, **kwargs)))
        rounds["reused"].append(_times(lambda: fused_pullback(x, grad, workspace=workspace, **kwargs)))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
           for k, v in rounds.items()}
    (w_fwd, c_fwd), (w_old, c_old), (w_new, c_new), (w_vjp, c_vjp), (w_re, c_re) = (med[k] for k in rounds)
    print(f"{args.batch} x {args.size}x{args.size} float32, J=4 L=8 order 2 {args.nonlinearity}, "
          f"{S.shape[1]} channels, medians of {args.repeats}; wall s | CPU s (all threads); "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at the end")
    print(f"  forward scattering      : {w_fwd:8.4f} | {c_fwd:8.4f}")
    print(f"  scattering_vjp (today)  : {w_old:8.4f} | {c_old:8.4f} | {w_old / w_fwd:5.2f}x | "
          f"{c_old / c_fwd:5.2f}x forward (wall | CPU)")
    print(f"  fused pullback          : {w_new:8.4f} | {c_new:8.4f} | {w_new / w_fwd:5.2f}x | "
          f"{c_new / c_fwd:5.2f}x forward (wall | CPU; forward with z + adjoints)")
    print(f"  fused pullback, z buffers reused: {w_re:8.4f} | {c_re:8.4f} | {w_re / w_fwd:5.2f}x | "
          f"{c_re / c_fwd:5.2f}x forward")
    print(f"  fused VJP, order 2 recomputed: {w_vjp:8.4f} | {c_vjp:8.4f} | {w_vjp / w_fwd:5.2f}x | "
          f"{c_vjp / c_fwd:5.2f}x forward (no order-2 forward, no z2 stored)")
    print(f"  fused vs today          : relative L2 difference {err:.1e} (pullback), {err_reused:.1e} "
          f"(reused), {err_vjp:.1e} (VJP), float32")


if __name__ == "__main__":
    main()
