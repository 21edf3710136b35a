"""Cost of the scattering's analytic gradient relative to its forward pass, in one run.

Times, on the same float32 batch (medians of interleaved rounds, wall and process CPU
time): the forward ``ScatteringOperator.forward``; its ``vjp`` + pullback (forward
keeping each layer's z, then the fused adjoints); and two variants built from the same
backend methods: z written into buffers reused across calls (``z_out``) with
gradients summed in place (``out``), and a pure VJP whose order-2 layers run no
forward (``z=None, X=U1``: the adjoint kernel recomputes z). Prints the ratios to the
forward (target <= 2) and the relative differences between the gradients.

    python benchmarks/bench_pullback.py [--repeats 7] [--batch 8] [--size 256] [--nonlinearity relu]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from _common import machine_line
from skphase.backends import get_backend
from skphase.filters import filter_bank, padding_geometry
from skphase.operators import ScatteringOperator, group_size, make_plan
from skphase.operators._common import pad, pad_adjoint, phase_angles
from skphase.operators._layer import low_pass_adjoint
from skphase.operators._scattering import _filters


def _crop_adjoint(g, full_spatial, slices):
    """Zero-embed ``g`` cropped by ``slices`` (basic slices: no index is repeated).

    The same as ``operators._common.crop_adjoint``, written as one slice assignment
    instead of a scatter-add (``np.add.at``), which costs ~10% of a forward here.
    """
    ndim = len(full_spatial)
    out = np.zeros(g.shape[:g.ndim - ndim] + tuple(full_spatial), dtype=g.dtype)
    out[(Ellipsis,) + tuple(slices)] = g
    return out


def _buffer(workspace, key, shape, dtype):
    if workspace is None:
        return None
    if key not in workspace:
        workspace[key] = np.empty(shape, dtype=dtype)
    return workspace[key]


def fused_pullback(op, x, grad, *, recompute=False, workspace=None):
    """Gradient of <grad, op.forward(x)> in x from the backend's fused layers and adjoints.

    Each group's forward keeps its coefficients z, then its adjoint runs at once (order 2
    before order 1, whose ``g_U`` it feeds), gradients summed in place. ``workspace``, a
    dict kept between calls, holds the z buffers, as an optimiser's repeated calls would.
    With ``recompute`` (a pure VJP: ``grad`` known beforehand) order-2 layers run no
    forward: their adjoint recomputes z from U1 in the kernel.
    """
    backend, bank, plan, spec = op.backend, op.bank, op.plan, op.pad_spec
    ndim, J = bank.ndim, bank.J
    kind = plan.nonlinearity
    psi1, psi2, phi = _filters(bank, backend, x.dtype)
    crop = spec.crop(J)
    spatial0 = tuple(spec.padded_shape)
    coarse = tuple(n // 2 ** J for n in spatial0)
    n_batch = x.shape[0]
    g = backend.take(grad, plan.canonical_position, axis=1)  # computation order
    X = backend.hermitian_full(backend.rfft(pad(x, spec, backend), ndim), ndim, spatial0)
    cos, sin = backend.cos_sin(phase_angles(plan.n_phases), x.dtype)
    gX = np.ascontiguousarray(low_pass_adjoint(backend, _crop_adjoint(g[:, :1], coarse, crop), phi[0],
                                               2 ** J, ndim)[:, 0])
    pos = 1
    for j1, k1, idx1 in plan.groups1:
        spatial1 = tuple(n // 2 ** k1 for n in spatial0)
        order2 = plan.max_order >= 2 and bool(plan.groups2[j1])
        layer1 = (psi1[0][idx1], 2 ** k1, phi[k1], 2 ** (J - k1), kind, cos, sin, ndim)
        z_out = _buffer(workspace, ("z1", j1, str(idx1)), (n_batch, group_size(idx1)) + spatial1, X.dtype)
        s1, U1, z1 = backend.fused_wavelet_layer(X, *layer1, order2, coefficients=True, z_out=z_out)
        c1 = s1.shape[1]
        g_s1 = _crop_adjoint(g[:, pos:pos + c1], coarse, crop)
        pos += c1
        g_U1 = None
        if order2:
            U1 = U1.reshape((-1,) + spatial1)
            for j2, k2, idx2 in plan.groups2[j1]:
                layer2 = (psi2[k1][idx2], 2 ** k2, phi[k1 + k2], 2 ** (J - k1 - k2), kind, cos, sin, ndim)
                c2 = group_size(idx2) * plan.n_phases
                z2 = None
                if not recompute:
                    spatial2 = tuple(n // 2 ** k2 for n in spatial1)
                    z_out = _buffer(workspace, ("z2", j1, str(idx1), j2, str(idx2)),
                                    (U1.shape[0], group_size(idx2)) + spatial2, X.dtype)
                    _, _, z2 = backend.fused_wavelet_layer(U1, *layer2, False, coefficients=True, z_out=z_out)
                g2 = g[:, pos:pos + c1 * c2]
                pos += c1 * c2
                g2 = g2.reshape((n_batch * c1, c2) + tuple(g2.shape[2:]))
                # the groups' input gradients are summed in place, in the kernel
                g_U1 = backend.fused_wavelet_layer_adjoint(_crop_adjoint(g2, coarse, crop), z2, *layer2,
                                                           out=g_U1, X=U1 if recompute else None)
            g_U1 = g_U1.reshape((n_batch, c1) + spatial1)
        gX = backend.fused_wavelet_layer_adjoint(g_s1, z1, *layer1, g_U=g_U1, out=gX)
    g_xp = backend.real(backend.ifft(gX, ndim)) * int(np.prod(spatial0))
    return pad_adjoint(g_xp, spec, backend)


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
    J, L = 4, 8
    n_phases = 4 if args.nonlinearity == "relu" else 1
    spec = padding_geometry(shape, J, mode="reflect")
    bank = filter_bank(spec.padded_shape, J, L=L)
    plan = make_plan(bank, max_order=2, nonlinearity=args.nonlinearity, n_phases=n_phases)
    op = ScatteringOperator(bank, spec, plan, get_backend("numpy"))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch,) + shape).astype(np.float32)
    S = op.forward(x)
    grad = rng.standard_normal(S.shape).astype(np.float32)

    def operator_pullback():
        _, pullback = op.vjp(x)
        return pullback(grad)

    workspace = {}
    runs = {
        "forward": lambda: op.forward(x),
        "operator vjp + pullback": operator_pullback,
        "reused z buffers, in-place sums": lambda: fused_pullback(op, x, grad, workspace=workspace),
        "pure VJP, order 2 recomputed": lambda: fused_pullback(op, x, grad, recompute=True),
    }
    results = {name: run() for name, run in runs.items()}  # warm-up (and compilation)
    ref = results["operator vjp + pullback"]
    # interleaved rounds, so that a change of machine load hits all alike
    rounds = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            rounds[name].append(_times(run))
    print(f"{args.batch} x {args.size}x{args.size} float32, J={J} L={L} order 2 {args.nonlinearity}, "
          f"{S.shape[1]} channels, medians of {args.repeats} rounds; {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f} at the end")
    w0 = statistics.median(w for w, _ in rounds["forward"])
    c0 = statistics.median(c for _, c in rounds["forward"])
    for name in runs:
        w = statistics.median(v for v, _ in rounds[name])
        c = statistics.median(v for _, v in rounds[name])
        diff = "" if name == "forward" else (
            f" | rel. diff to operator {np.linalg.norm(results[name] - ref) / np.linalg.norm(ref):.1e}")
        print(f"  {name:34s}: wall {w:7.3f} s ({w / w0:4.2f}x) | CPU {c:7.3f} s ({c / c0:4.2f}x){diff}")


if __name__ == "__main__":
    main()
