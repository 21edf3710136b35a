"""Checkpoint files of :class:`~skphase.generative.ScatteringGenerator`: arrays and JSON, no pickle.

A checkpoint is a ``.npz`` archive of plain numeric arrays (the decoder, the optimizer's
moments, the whitening) and one ``uint8`` array holding a JSON document (the signature of
the fit, the training history, the optimizer's settings). It is read with
``np.load(..., allow_pickle=False)``: no Python object is ever unpickled, so a crafted
file cannot run code; anything that is not such an archive, with the expected format tag,
is refused with a ``ValueError``. It is written to a fresh temporary file created by
``tempfile.mkstemp`` in the target's folder (``O_EXCL``, mode 0600: a planted file or
symlink is never opened) and moved over the target by ``os.replace`` (a symlink at the
target is replaced, not followed; a reader sees the old or the new checkpoint, never half
of one).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile

import numpy as np

FORMAT = "skphase.ScatteringGenerator checkpoint"
VERSION = 1
_META = "__meta__"


def check_path(path) -> str:
    """``checkpoint_path`` as a str, refused at once if it cannot be written (before any work)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"checkpoint_path={path!r} is a directory; give the path of a file in it.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"checkpoint_path={path!r}: its folder {folder!r} does not exist.")
    return path


def _refuse(path, why: str) -> ValueError:
    return ValueError(
        f"checkpoint_path={path!r} is not a ScatteringGenerator checkpoint ({why}); refusing to load it. "
        "Checkpoints are .npz archives of arrays with JSON metadata (files from skphase versions that "
        "pickled them are not read: unpickling can run arbitrary code). Delete the file or choose "
        "another checkpoint_path.")


def save(path, meta: dict, arrays: dict) -> None:
    """Write ``arrays`` (name -> numeric ndarray) and ``meta`` (JSON-serialisable) to ``path`` atomically."""
    path = os.fspath(path)
    payload = {name: np.asarray(a) for name, a in arrays.items()}
    for name, a in payload.items():
        if a.dtype.kind not in "biuf":
            raise TypeError(f"checkpoint array {name!r} has dtype {a.dtype}; only numbers are saved.")
    document = dict(meta, format=FORMAT, version=VERSION)
    payload[_META] = np.frombuffer(json.dumps(document).encode("utf-8"), dtype=np.uint8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load(path) -> tuple[dict, dict]:
    """(meta, arrays) of a checkpoint written by :func:`save`; ``ValueError`` for anything else."""
    path = os.fspath(path)
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise _refuse(path, f"{type(exc).__name__}: {exc}") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise _refuse(path, "a single .npy array, not an archive")
    try:
        with data:
            if _META not in data.files:
                raise _refuse(path, "no metadata entry")
            arrays = {name: data[name] for name in data.files}
    except ValueError as exc:  # object arrays: np.load refuses to unpickle them
        if str(exc).startswith("checkpoint_path="):
            raise
        raise _refuse(path, f"{type(exc).__name__}: {exc}") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise _refuse(path, f"{type(exc).__name__}: {exc}") from None
    raw = arrays.pop(_META)
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError("metadata is not a byte string")
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(path, f"unreadable metadata: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _refuse(path, "no skphase format tag")
    if meta.get("version") != VERSION:
        raise _refuse(path, f"format version {meta.get('version')!r}, this skphase reads {VERSION}")
    for name, a in arrays.items():
        if a.dtype.kind not in "biuf":
            raise _refuse(path, f"array {name!r} of dtype {a.dtype}")
    return meta, arrays


# ---------------------------------------------------------------------------- the training state
def save_training(path, signature, module, optimizer, history):
    """Save the training state to ``path`` as arrays and JSON (no pickle), atomically."""
    from ._decoder import state_to_numpy

    arrays = {f"module::{k}": v for k, v in state_to_numpy(module).items()}
    if history["best_state"] is not None:
        arrays.update({f"best::{k}": v for k, v in history["best_state"].items()})
    steps = {}
    for i, s in optimizer.state_dict()["state"].items():
        steps[str(i)] = int(s["step"])
        for name in ("exp_avg", "exp_avg_sq"):
            arrays[f"opt::{i}::{name}"] = s[name].detach().cpu().numpy()
    groups = [dict(lr=float(g["lr"]), betas=[float(b) for b in g["betas"]], eps=float(g["eps"]),
                   weight_decay=float(g["weight_decay"])) for g in optimizer.param_groups]
    meta = dict(signature=signature, steps=steps, param_groups=groups,
                has_best_state=history["best_state"] is not None,
                history=dict(loss=[float(v) for v in history["loss"]],
                             val=[float(v) for v in history["val"]], epoch=int(history["epoch"]),
                             best=float(history["best"]), stale=int(history["stale"]),
                             elapsed=float(history["elapsed"])))
    save(path, meta, arrays)


def resume_training(checkpoint, module, optimizer, history):
    """Load a matching checkpoint (path, signature, (meta, arrays) or None) into module/optimizer/history;
    return its epoch (0 if none)."""
    from ._decoder import load_numpy_state, state_to_numpy

    path, _, found = checkpoint
    if found is None:
        return 0
    meta, arrays = found

    def group(prefix):
        return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

    try:
        load_numpy_state(module, group("module::"))
        best = group("best::") if meta["has_best_state"] else None
        if best is not None:
            expected = {k: v.shape for k, v in state_to_numpy(module).items()}
            if {k: v.shape for k, v in best.items()} != expected:
                raise ValueError("the kept decoder does not match the decoder's layers")
        # the optimizer checks the moments' shapes and moves them to its parameters' device
        state = {i: dict(step=int(step), exp_avg=arrays[f"opt::{i}::exp_avg"],
                         exp_avg_sq=arrays[f"opt::{i}::exp_avg_sq"]) for i, step in meta["steps"].items()}
        groups = [dict(lr=float(g["lr"]), betas=tuple(float(b) for b in g["betas"]), eps=float(g["eps"]),
                       weight_decay=float(g["weight_decay"])) for g in meta["param_groups"]]
        optimizer.load_state_dict(dict(state=state, param_groups=groups))
        h = meta["history"]
        history.update(loss=[float(v) for v in h["loss"]], val=[float(v) for v in h["val"]],
                       epoch=int(h["epoch"]), best=float(h["best"]), stale=int(h["stale"]),
                       elapsed=float(h["elapsed"]), best_state=best)
    except (KeyError, IndexError, TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(f"checkpoint_path={os.fspath(path)!r} matches this fit but is "
                         f"damaged or inconsistent ({type(exc).__name__}: {exc}); delete it to start "
                         "over.") from None
    return history["epoch"]


def signature(estimator, X4, seed):
    """What a checkpoint must share with this fit to be resumed (JSON: it is stored as such).

    The settings that shape the training (not those that only end it: ``max_epochs``,
    ``tol``, ``n_iter_no_change``, ``max_time``), the seed that this fit's split,
    minibatches and initialisation come from, and a SHA-256 of the images' bytes, dtype
    and shape: other images (a mirrored set has the same shape, sum and sum of
    squares) never resume this run's whitening and decoder.
    """
    import hashlib
    from numbers import Integral

    keys = ("n_components", "J", "L", "decoder", "width", "kernel_size", "batch_size",
            "learning_rate", "learning_rate_schedule", "weight_decay", "loss", "augment",
            "validation_fraction")

    def plain(v):
        if isinstance(v, (bool, np.bool_, str)) or v is None:
            return v if not isinstance(v, np.bool_) else bool(v)
        return int(v) if isinstance(v, Integral) else float(v)

    data = np.ascontiguousarray(X4)
    digest = hashlib.sha256(f"{data.dtype.str}{data.shape}".encode())
    digest.update(memoryview(data).cast("B"))
    settings = {k: plain(getattr(estimator, k)) for k in keys}
    settings["seed"] = int(seed)
    return dict(settings=settings, data=digest.hexdigest())
