"""The GPU check: skphase's torch paths on a CUDA device, side by side with Kymatio, in one run.

Measures, on one device and in one process (medians of ``--repeats``, float32 unless said):

1. ``ScatteringAverager(backend="torch")`` against Kymatio 0.3's torch frontend, J=4 L=8 order 2,
   modulus, on 8 x 256^2 and on 128 x 3 x 256^2 (colour channels as leading batch axes in both),
   forward and forward + backward, with the agreement of the outputs;
2. the synthesis loss + gradient (``PhaseHarmonicSynthesizer(backend="torch")``'s moment loss,
   float64 and float32 moments) at 256^2 and 512^2, and one 256^2 synthesis of ``--iters``
   L-BFGS-B iterations;
3. ``LISTAClassifier.fit_image_folder`` training throughput (images/s) on a generated image folder
   (PNG files written to a temporary folder), one process, and torchrun DDP over every visible GPU
   when more than one is visible;
4. peak device memory of each row.

It prints a markdown table. Where torch or a CUDA device is missing it says so and exits 0, having
measured nothing (``--device cpu --quick`` runs every row at toy sizes: a smoke test of the script).

    bash benchmarks/gpu_check.sh [--repeats 5] [--iters 50] [--device cuda] [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

from _common import machine_line


def _sync(device):
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _peak_reset(device):
    import torch

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def _peak_mib(device) -> str:
    import torch

    if device.type == "cuda":
        return f"{torch.cuda.max_memory_allocated(device) / 2**20:.0f}"
    return "—"


def _median(run, device, repeats: int) -> float:
    run()  # warm-up: filters to the device, cuFFT plans, autotuning
    _sync(device)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run()
        _sync(device)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def scattering_rows(device, repeats: int, quick: bool) -> list[tuple]:
    """Rows (case, pass, Kymatio s, skphase s, ratio, agreement, peak MiB) for the scattering."""
    import torch
    # kymatio.torch also imports the 3D frontend, which fails on recent scipy (sph_harm)
    from kymatio.scattering2d.frontend.torch_frontend import ScatteringTorch2D

    from skphase import ScatteringAverager

    size = 32 if quick else 256
    J, L = (2, 4) if quick else (4, 8)
    rows = []
    rng = np.random.default_rng(0)
    for lead in ((2,), (4, 3)) if quick else ((8,), (128, 3)):
        shape = lead + (size, size)
        label = " x ".join(map(str, lead)) + f" x {size}^2"
        x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32)).to(device)
        flat = x.reshape(-1, size, size)
        ky = ScatteringTorch2D(J=J, shape=(size, size), L=L, max_order=2).to(device)
        ours = ScatteringAverager(J=J, L=L, max_order=2, nonlinearity="modulus", padding="reflect",
                                  backend="torch", device=str(device), flatten=False
                                  ).fit(flat[:1].cpu().numpy())
        with torch.no_grad():
            a = ky(x).reshape(flat.shape[0], -1)
            b = ours.transform(flat).reshape(flat.shape[0], -1)
            agreement = float(torch.linalg.norm(a - b) / torch.linalg.norm(a))

        def forward(f, inp):
            def run():
                with torch.no_grad():
                    f(inp)
            return run

        def backward(f, inp):
            def run():
                xg = inp.clone().requires_grad_(True)
                (f(xg) ** 2).sum().backward()
            return run

        for name, make in (("forward", forward), ("forward+backward", backward)):
            _peak_reset(device)
            t_ky = _median(make(ky, x), device, repeats)
            peak_ky = _peak_mib(device)
            _peak_reset(device)
            t_us = _median(make(ours.transform, flat), device, repeats)
            peak_us = _peak_mib(device)
            rows.append((f"scattering {label}", name, t_ky, t_us, t_ky / t_us, agreement,
                         f"{peak_ky} / {peak_us}"))
    return rows


def _per_iteration(model, X):
    """Sample once; (median seconds per L-BFGS-B iteration, total seconds): one iteration costs
    about one loss + gradient evaluation."""
    stamps = []
    model.set_params(callback=lambda i, loss, x: stamps.append(time.perf_counter()))
    model.fit(X)
    t0 = time.perf_counter()
    model.sample(1)
    total = time.perf_counter() - t0
    return float(np.median(np.diff([t0] + stamps))), total


def synthesis_rows(device, iters: int, quick: bool) -> list[tuple]:
    """Rows for the moment loss + gradient (per L-BFGS-B iteration) at two sizes and one synthesis."""
    from skphase import PhaseHarmonicSynthesizer
    from skphase.datasets import load_texture

    rows = []
    sizes = (32, 64) if quick else (256, 512)
    for size in sizes:
        img = load_texture("gravel", size=size)[None]
        for precision in ("float64", "float32"):
            model = PhaseHarmonicSynthesizer(backend="torch", device=str(device), precision=precision,
                                             max_iter=5 if quick else 10, random_state=0)
            _peak_reset(device)
            per_iter, _ = _per_iteration(model, img)
            rows.append((f"moment loss + gradient {size}^2 ({model.n_moments_} moments)", precision,
                         float("nan"), per_iter, float("nan"), float(model.relative_errors_[0]),
                         _peak_mib(device)))
    img = load_texture("gravel", size=sizes[0])[None]
    model = PhaseHarmonicSynthesizer(backend="torch", device=str(device), max_iter=iters, random_state=0)
    _peak_reset(device)
    _, total = _per_iteration(model, img)
    rows.append((f"synthesis {sizes[0]}^2, {int(model.n_iter_[0])} iterations", "float64",
                 float("nan"), total, float("nan"), float(model.relative_errors_[0]),
                 _peak_mib(device)))
    return rows


def _image_folder(root: str, n_per_class: int, size: int) -> None:
    """Two classes of PNG images that differ in texture (smooth vs rough spectra), under ``root``."""
    from PIL import Image

    from skphase.datasets import make_gaussian_field

    for seed, (label, slope) in enumerate((("smooth", 3.0), ("rough", 1.0))):
        os.makedirs(os.path.join(root, label), exist_ok=True)
        fields = make_gaussian_field(n_per_class, (size, size), spectrum=slope, random_state=seed)
        for i, field in enumerate(fields):
            lo, hi = field.min(), field.max()
            gray = ((field - lo) / (hi - lo) * 255).astype(np.uint8)
            Image.fromarray(np.stack([gray] * 3, axis=-1)).save(os.path.join(root, label, f"{i}.png"))


def classifier_rows(device, quick: bool) -> list[tuple]:
    """Rows for LISTAClassifier's image-folder training: images/s, one process and DDP."""
    import torch

    from skphase import LISTAClassifier

    n_per_class, size, epochs = (16, 32, 1) if quick else (512, 64, 2)
    rows = []
    with tempfile.TemporaryDirectory() as root:
        _image_folder(root, n_per_class, size)
        n_gpus = torch.cuda.device_count() if device.type == "cuda" else 1
        for n_processes in sorted({1, n_gpus}):
            clf = LISTAClassifier(backend="torch", device=str(device), batch_size=64, random_state=0)
            _peak_reset(device)
            t = time.perf_counter()
            clf.fit_image_folder(root, image_size=size, epochs=epochs, n_processes=n_processes)
            seconds = time.perf_counter() - t
            images = 2 * n_per_class * epochs
            rows.append((f"LISTAClassifier image folder {size}^2, {n_processes} process(es)",
                         "float32", float("nan"), seconds, images / seconds, float("nan"),
                         _peak_mib(device)))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--iters", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="toy sizes (a smoke test of the script)")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("gpu_check: torch is not installed (pip install '.[torch]'); nothing measured.")
        return 0
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("gpu_check: no CUDA device is visible (torch.cuda.is_available() is False); "
              "nothing measured. Run it on a machine with a GPU, or with --device cpu --quick "
              "to smoke-test the script.")
        return 0
    print(machine_line())
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"torch {torch.__version__} | device {device} ({name}) | medians of {args.repeats}")
    sys.stdout.flush()
    rows = []
    for section in (lambda: scattering_rows(device, args.repeats, args.quick),
                    lambda: synthesis_rows(device, args.iters, args.quick),
                    lambda: classifier_rows(device, args.quick)):
        t = time.perf_counter()
        rows += section()
        print(f"  ... section done in {time.perf_counter() - t:.1f} s", flush=True)
    print("\n| case | pass / dtype | Kymatio (s) | skphase (s) | ratio or images/s | agreement or "
          "moment error | peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for case, what, t_ref, t_us, ratio, agree, peak in rows:
        def fmt(v, spec):
            return "—" if v != v else format(v, spec)
        print(f"| {case} | {what} | {fmt(t_ref, '.4f')} | {t_us:.4f} | {fmt(ratio, '.2f')} | "
              f"{fmt(agree, '.1e')} | {peak} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
