"""Large-scale training from an image folder: scattering features computed batch by batch on the
device, the ISTC classifier network trained with torch DistributedDataParallel.

The estimator's entry point is :meth:`LISTAClassifier.fit_image_folder` (``n_processes=1``: in
this process; more: it starts torchrun and loads the result). Directly: ``train_from_folder(...)``
on one process, or on several with torchrun::

    torchrun --nproc_per_node=2 -m skphase.sparse_coding._distributed --root DIR --out FILE.npz

Each process reads its shard (``DistributedSampler``); gradients are averaged by DDP, so with
the same global batch the result equals the one-process run. RGB images: the scattering of each
colour channel, stacked (3 x n_channels_ channels). Mixed precision (``amp``) on CUDA only.
Checkpoints (model, optimizer, epoch, standardisation) are written by rank 0 after each epoch;
``resume=True`` continues from one. A checkpoint holds only state dicts, an int and a list of
floats: it is read with ``torch.load(weights_only=True)`` (a file that would run code when
unpickled is refused) and written atomically (a private ``mkstemp`` file in the target folder,
then ``os.replace``: a planted symlink at the checkpoint's path is replaced, never followed).
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile
from numbers import Integral, Real

import numpy as np
import torch
import torch.distributed as dist

from ..utils._adam import Adam
from . import _istc_network as net
from ._image_folder import ImageFolder
from ._torch_models import ISTCNetwork


class _Scattering:
    """The features' S_J: ``ScatteringAverager``'s defaults (order 1, ReLU of 4 phases, reflection
    padding) as the operator itself, built from (size, J, L) on the torch backend of ``device``
    (no estimator fitted to learn a shape), run in batches that fit the backend's memory budget."""

    def __init__(self, size: int, J: int, L: int, device):
        from .._config import get_config
        from ..base import backend_for
        from ..operators import scattering_operator

        self.operator = scattering_operator(
            (int(size), int(size)), int(J), backend_for("torch", str(device)), L=int(L), max_order=1,
            nonlinearity="relu", n_phases=4, padding="reflect", memory_budget=get_config()["memory_budget"])
        self.output_shape_ = tuple(self.operator.output_shape[1:])

    def transform(self, planes):
        """(n, size, size) tensor -> (n, channels, h, w) on the same device."""
        from ..operators._batches import apply_in_batches

        return apply_in_batches(self.operator, "forward", planes, planes.element_size())


def _features(scat, images):
    """(B, 3, H, W) -> (B, P, 3 C): scattering per colour channel, positions first."""
    B = images.shape[0]
    S = scat.transform(images.reshape(B * 3, *images.shape[2:]))
    S = S.reshape(B, -1, S.shape[-2] * S.shape[-1])  # (B, 3C, P)
    return S.transpose(1, 2)


class CheckpointError(ValueError):
    """A checkpoint file that is not one this module wrote (refused, nothing of it is run)."""


def load_checkpoint(path: str, device="cpu") -> dict:
    """The checkpoint at ``path``: model and optimizer state dicts, ``epoch``, ``losses``.

    Read with ``weights_only=True``: tensors, dicts, lists and numbers only; anything else (a
    pickle naming ``os.system``, any class) raises :class:`CheckpointError` before it can run.
    """
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, TypeError,
            AttributeError, ImportError) as exc:
        raise CheckpointError(
            f"checkpoint={path!r} is not a skphase training checkpoint (it is read with "
            f"torch.load(weights_only=True), which refuses anything but tensors, dicts, lists "
            f"and numbers): {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    ok = (isinstance(state, dict) and {"model", "optimizer", "epoch", "losses"} <= set(state)
          and isinstance(state["model"], dict) and isinstance(state["optimizer"], dict)
          and isinstance(state["epoch"], Integral) and not isinstance(state["epoch"], bool)
          and state["epoch"] >= 0 and isinstance(state["losses"], list)
          and all(isinstance(v, Real) for v in state["losses"]))
    if not ok:
        raise CheckpointError(f"checkpoint={path!r} does not hold a skphase training checkpoint "
                              f"(model, optimizer, epoch, losses).")
    return state


def save_checkpoint(state: dict, path: str) -> None:
    """Write ``state`` to ``path`` atomically: a private temporary file in the same folder
    (``mkstemp``: new, mode 0600, unpredictable name), then ``os.replace``."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def train_from_folder(root: str, *, image_size: int = 32, J: int = 2, L: int = 4,
                      n_reduced: int = 16, n_components: int = 64, n_layers: int = 6,
                      lambda_init: float = 0.1, pooling: str = "mean", epochs: int = 2,
                      batch_size: int = 8, learning_rate: float = 1e-2,
                      weight_decay: float = 1e-4, seed: int = 0,
                      device: str | None = None, amp: bool = False, checkpoint: str | None = None,
                      resume: bool = False, num_workers: int = 0, dtype=torch.float64,
                      stop=None) -> dict:
    """Train the ISTC classifier on an image folder; DDP when started by torchrun.

    ``batch_size`` is the global batch (split across processes). Returns a dict with the
    numpy parameters (``params``), the mean loss per epoch (``losses``), the class names, and
    the feature standardisation ``mean`` and ``scale`` (per channel, numpy).

    ``stop`` (one process only): a :class:`~skphase.utils._interrupt.StopRequest` polled after
    each minibatch's projection; once set, training ends there (``interrupted`` is True in the
    result, the partial epoch is not checkpointed).
    """
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() and device != "cpu" else "gloo")
    world = dist.get_world_size() if distributed else 1
    rank = dist.get_rank() if distributed else 0
    if device is None:
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu"
    device = torch.device(device)
    if batch_size % world:
        raise ValueError(f"batch_size={batch_size} must be divisible by the {world} processes.")
    state = None
    if resume and checkpoint and os.path.exists(checkpoint):
        state = load_checkpoint(checkpoint, device)  # refused before any work is done
    data = ImageFolder(root, image_size, dtype)
    scat = _Scattering(image_size, J, L, device)

    # standardisation and initialisation from a fixed subset, identical on every process
    with torch.no_grad():
        first = torch.stack([data[i][0] for i in range(min(len(data), 256))]).to(device)
        F0 = _features(scat, first)
        mean = F0.mean(dim=(0, 1))
        scale = F0.std(dim=(0, 1)).clamp_min(1e-8)
    rng = np.random.default_rng(seed)
    Z0 = ((F0 - mean) / scale).cpu().numpy().astype(np.float64)
    params = net.init_params(Z0, n_reduced, n_components, lambda_init, len(data.classes), pooling,
                             rng)
    model = ISTCNetwork(params, n_layers, pooling, device, dtype)
    opt = Adam([getattr(model, k) for k in net.PARAM_NAMES], learning_rate,
               weight_decay=[weight_decay if k in net.DECAYED else 0.0 for k in net.PARAM_NAMES])
    start_epoch, losses = 0, []
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        start_epoch, losses = state["epoch"], state["losses"]
    ddp = (torch.nn.parallel.DistributedDataParallel(model, device_ids=None
                                                     if device.type == "cpu" else [device])
           if distributed else model)
    sampler = torch.utils.data.distributed.DistributedSampler(
        data, num_replicas=world, rank=rank, shuffle=True, seed=seed, drop_last=True)
    loader = torch.utils.data.DataLoader(data, batch_size=batch_size // world, sampler=sampler,
                                         num_workers=num_workers)
    use_amp = amp and device.type == "cuda"
    interrupted = False
    for epoch in range(start_epoch, epochs):
        sampler.set_epoch(epoch)
        with torch.no_grad():  # code statistics, as in LISTAClassifier, from the fixed subset
            model.refresh_code_statistics((F0 - mean) / scale)
        total = torch.zeros(2, dtype=torch.float64, device=device)
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            with torch.no_grad():
                Z = (_features(scat, images) - mean) / scale
            opt.zero_grad()
            with torch.autocast(device.type, enabled=use_amp):
                loss = torch.nn.functional.cross_entropy(ddp(Z), labels)
            loss.backward()
            opt.step()
            model.project()
            total += torch.stack([loss.detach().double() * len(labels),
                                  torch.tensor(float(len(labels)), device=device)])
            if stop is not None and not distributed and stop.is_set():
                interrupted = True
                break
        if interrupted:
            if total[1] > 0:
                losses.append(float(total[0] / total[1]))
            break
        if distributed:
            dist.all_reduce(total)
        losses.append(float(total[0] / total[1]))
        if checkpoint and rank == 0:
            save_checkpoint({"model": model.state_dict(), "optimizer": opt.state_dict(),
                             "epoch": epoch + 1, "losses": [float(v) for v in losses]},
                            checkpoint)
        if distributed:
            dist.barrier()
    return {"params": model.to_numpy(), "losses": losses, "classes": data.classes,
            "mean": mean.double().cpu().numpy(), "scale": scale.double().cpu().numpy(),
            "rank": rank, "world_size": world, "interrupted": interrupted}


def image_features(images, *, J: int, L: int, device=None) -> np.ndarray:
    """Features of RGB images (n, 3, H, W) in [0, 1] as the folder path computes them, flattened
    channels first: (n, 3 C P), the layout :class:`LISTAClassifier` predicts from."""
    images = torch.as_tensor(np.asarray(images), dtype=torch.float64)
    if images.ndim != 4 or images.shape[1] != 3 or images.shape[2] != images.shape[3]:
        raise ValueError(f"images must have shape (n, 3, size, size); got {tuple(images.shape)}.")
    device = torch.device(device or "cpu")
    scat = _Scattering(images.shape[-1], J, L, device)
    with torch.no_grad():
        F = _features(scat, images.to(device))  # (n, P, 3C)
    return F.transpose(1, 2).reshape(F.shape[0], -1).double().cpu().numpy()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--out", required=True, help=".npz file for the parameters (rank 0)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--J", type=int, default=2)
    parser.add_argument("--L", type=int, default=4)
    parser.add_argument("--n-reduced", type=int, default=16)
    parser.add_argument("--n-components", type=int, default=64)
    parser.add_argument("--n-layers", type=int, default=6)
    parser.add_argument("--lambda-init", type=float, default=0.1)
    parser.add_argument("--pooling", default="mean", choices=["none", "mean"])
    parser.add_argument("--learning-rate", type=float, default=1e-2)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default=None)
    parser.add_argument("--num-workers", type=int, default=0)
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--amp", action="store_true")
    args = parser.parse_args(argv)
    result = train_from_folder(args.root, epochs=args.epochs, batch_size=args.batch_size,
                               image_size=args.image_size, J=args.J, L=args.L,
                               n_reduced=args.n_reduced, n_components=args.n_components,
                               n_layers=args.n_layers, lambda_init=args.lambda_init,
                               pooling=args.pooling, learning_rate=args.learning_rate,
                               weight_decay=args.weight_decay,
                               seed=args.seed, device=args.device, num_workers=args.num_workers,
                               checkpoint=args.checkpoint, resume=args.resume, amp=args.amp)
    try:
        if result["rank"] == 0:
            np.savez(args.out, losses=np.array(result["losses"]), mean=result["mean"],
                     scale=result["scale"], classes=np.array(result["classes"]),
                     **result["params"])
    finally:
        if dist.is_initialized():
            # Tearing gloo down while the other rank still writes aborts it ("terminate called
            # without an active exception"): every rank waits for all before leaving.
            dist.barrier()
            dist.destroy_process_group()


if __name__ == "__main__":
    main()
