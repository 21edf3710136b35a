"""One training function for the generator's decoders: :func:`fit_decoder`.

Adam (AdamW with ``weight_decay``) on minibatches, a cosine or constant schedule, a time
budget, early stopping on held-out images, one Ctrl-C keeping the best decoder so far, and
checkpoints (arrays and JSON, never pickles: :mod:`skphase.generative._checkpoint`) saved
after every epoch and resumed when they match the run.

Imported lazily: ``import skphase`` never imports torch.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

import numpy as np

from ..utils._interrupt import InterruptedWarning
from ..utils._interrupt import current as current_stop
from ..utils._progress import progress as _progress
from ..utils._warnings import warn_external
from . import _checkpoint


@dataclass
class Schedule:
    """How long and how fast to train (the estimator's parameters of the same names)."""

    max_epochs: int
    batch_size: int
    learning_rate: float
    learning_rate_schedule: str = "cosine"
    max_time: float | None = None
    n_iter_no_change: int = 8
    tol: float = 1e-4


def new_history(warm_from=None, validation=True):
    """The training history: empty, or that of the fitted estimator ``warm_from`` (warm start)."""
    if warm_from is None:
        return dict(loss=[], val=[], epoch=0, best=math.inf, best_state=None, stale=0, elapsed=0.0)
    return dict(loss=list(warm_from.loss_curve_), val=list(warm_from.validation_scores_),
                epoch=warm_from.n_epochs_, best=warm_from.best_validation_loss_ if validation else math.inf,
                best_state=dict(warm_from.decoder_state_), stale=0, elapsed=0.0)


def mean_loss(loss, module, z, x, device, torch, batch=256):
    """The loss averaged over the images (z, x) in batches, without gradients."""
    module.eval()
    total = 0.0
    with torch.no_grad():
        for s in range(0, len(z), batch):
            part = [t[s:s + batch].to(device) for t in x]
            total += float(loss(module, z[s:s + batch].to(device), part)) * len(part[0])
    return total / len(z)


def fit_decoder(module, optimizer, loss, Z, targets, train_idx, val_idx, *, schedule, seed, device, history,
                checkpoint=None, verbose=0, what="ScatteringGenerator's training"):
    """Train ``module`` to map Z to ``targets`` with ``loss``; return the history.

    Parameters
    ----------
    module : torch.nn.Module
        The decoder, on ``device``.
    optimizer : skphase.utils._adam.Adam
    loss : callable
        ``loss(module, z, batch_targets)`` -> a scalar tensor (the decoder kind's).
    Z : ndarray of shape (n, d0)
        Embeddings; ``targets`` the arrays (n, ...) that the loss compares with the decoder's output.
    train_idx, val_idx : ndarray of int
        Rows trained on and held out (early stopping on the held-out loss; none: no early stopping).
    schedule : Schedule
    seed : int
        The minibatch order of epoch e is ``default_rng([seed, e])``'s.
    history : dict
        From :func:`new_history` (a warm start continues the estimator's).
    checkpoint : tuple or None
        (path, signature, found): the state is saved to ``path`` after every epoch; ``found`` (a
        matching checkpoint's (meta, arrays), or None) is resumed first.

    Returns
    -------
    history : dict
        loss, val (per epoch), epoch, best (held-out loss), best_state (the kept decoder's numpy
        state dict), elapsed, and stopped (a Ctrl-C ended the training).
    """
    torch = __import__("torch")
    from ._decoder import state_to_numpy

    s = schedule
    resumed = 0 if checkpoint is None else _checkpoint.resume_training(checkpoint, module, optimizer, history)
    first_epoch = history["epoch"]
    zt = torch.as_tensor(Z, dtype=torch.float32)
    xt = [torch.as_tensor(t, dtype=torch.float32) for t in targets]
    start_time = time.perf_counter()
    elapsed_before = history.get("elapsed", 0.0) if resumed else 0.0
    # a resumed run finishes the run it was saved from; otherwise max_epochs more
    last = s.max_epochs if resumed else first_epoch + s.max_epochs
    run_start = last - s.max_epochs  # the schedule runs over this fit's epochs
    epochs = range(first_epoch, last)
    n_steps = max(1, -(-len(train_idx) // s.batch_size))
    bar = _progress(epochs, len(epochs), verbose, "training")
    stop = current_stop()
    stopped = False
    try:
        for epoch in bar:
            if stop is not None and stop.is_set():
                stopped = True
                break
            module.train()
            perm = train_idx[np.random.default_rng([seed, epoch]).permutation(len(train_idx))]
            total, count = 0.0, 0
            for step, start in enumerate(range(0, len(perm), s.batch_size)):
                batch = perm[start:start + s.batch_size]
                if len(batch) < 2:  # BatchNorm needs two samples
                    continue
                if s.learning_rate_schedule == "cosine":
                    done = (epoch - run_start + step / n_steps) / max(1, s.max_epochs)
                    if s.max_time is not None:  # whichever budget runs out first ends the decay
                        spent = elapsed_before + time.perf_counter() - start_time
                        done = max(done, spent / s.max_time)
                    for group in optimizer.param_groups:
                        group["lr"] = s.learning_rate * 0.5 * (1 + math.cos(math.pi * min(1.0, done)))
                value = loss(module, zt[batch].to(device), [t[batch].to(device) for t in xt])
                optimizer.zero_grad(set_to_none=True)
                value.backward()
                optimizer.step()
                total += float(value.detach()) * len(batch)
                count += len(batch)
                # the budget ends mid-epoch too: epochs of augmented sets last minutes, and
                # the cosine step is 0 from here on
                if s.max_time is not None and time.perf_counter() - start_time > s.max_time:
                    break
                if stop is not None and stop.is_set():  # Ctrl-C: this epoch ends here
                    break
            history["loss"].append(total / max(count, 1))
            history["epoch"] = epoch + 1
            history["elapsed"] = elapsed_before + time.perf_counter() - start_time
            improved = True
            if val_idx.size:
                val = mean_loss(loss, module, zt[val_idx], [t[val_idx] for t in xt], device, torch)
                history["val"].append(val)
                improved = val < history["best"] - s.tol
                if improved:
                    history["best"] = val
            if improved or history["best_state"] is None:
                history["best_state"] = state_to_numpy(module)
                history["stale"] = 0
            else:
                history["stale"] += 1
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                                val=f"{history['val'][-1]:.4f}" if history["val"] else "-")
            if checkpoint is not None:
                _checkpoint.save_training(checkpoint[0], checkpoint[1], module, optimizer, history)
            if stop is not None and stop.is_set():
                stopped = True
                break
            if val_idx.size and history["stale"] >= s.n_iter_no_change:
                break
            if s.max_time is not None and time.perf_counter() - start_time > s.max_time:
                break
    except KeyboardInterrupt:
        # raised, not flagged: no handler of ours was installed (another thread, a user's own
        # handler) and this is the first interrupt, so keep the best so far; a second press
        # (the flag already set) is the way out and propagates
        if stop is not None and stop.is_set():
            raise
        if stop is not None:
            stop.set()
        stopped = True
    if stopped:
        warn_external(f"interrupted (Ctrl-C): {what}, stopped at epoch {history['epoch']} of {last}; the "
                      "best result so far is kept (the best decoder so far: the estimator is fitted and "
                      "usable).", InterruptedWarning)
    if history["best_state"] is None:  # no epoch ran (max_epochs=0 or interrupted at once)
        history["best_state"] = state_to_numpy(module)
    history["elapsed_this_fit"] = time.perf_counter() - start_time
    history["stopped"] = stopped
    return history


def read_checkpoint(path, signature):
    """(meta, arrays) of the checkpoint at ``path`` made for this fit, or None.

    No file: None. A file that is no checkpoint (a pickle, anything crafted): ``ValueError``,
    the file left alone. A checkpoint of other settings or images: a warning, None (training
    starts over and overwrites it).
    """
    if path is None or not os.path.lexists(path):
        return None
    meta, arrays = _checkpoint.load(path)
    theirs = meta.get("signature")
    if theirs != signature:
        if not isinstance(theirs, dict) or not isinstance(theirs.get("settings"), dict):
            what = "other settings or images"
        else:
            changed = sorted(k for k in set(signature["settings"]) | set(theirs["settings"])
                             if signature["settings"].get(k) != theirs["settings"].get(k))
            what = ", ".join(filter(None, [
                "other images" if theirs.get("data") != signature["data"] else "",
                f"other settings ({', '.join(changed)})" if changed else ""]))
        warn_external(f"checkpoint_path={os.fspath(path)!r} was made with {what}; training starts "
                      "over and will overwrite it.", UserWarning)
        return None
    return meta, arrays
