"""Moment-matching runs, from starts to signals: what ``sample`` and ``inverse_transform`` fan
out over joblib/dask workers (module-level functions, so that they ship), their starting points,
the fan-out itself and the choice of the best start per target."""

from __future__ import annotations

import contextlib

import numpy as np
from joblib import Parallel, delayed

from ..utils._interrupt import current, interruptible
from ..utils._threads import scoped_threads
from ._gaussian import gaussian_fields, random_phase_fields
from ._loss import MomentLoss
from ._optimize import minimize_lbfgs


def starting_points(rng, n_runs, shape, cutoff=None, spectrum=None, exact_spectrum=False):
    """``n_runs`` starts of ``shape``, seeded from ``rng``: white noise in standardised units (see
    ``fit``), low-passed at ``cutoff`` or shaped by a power ``spectrum``: Gaussian fields, or with
    ``exact_spectrum`` random phase noise (that periodogram exactly)."""
    seeds = rng.randint(0, 2**31 - 1, size=n_runs)
    starts = [np.random.RandomState(s).standard_normal(shape) for s in seeds]
    if cutoff is not None:
        starts = [low_passed(x, cutoff) for x in starts]
    if spectrum is not None:
        shaped = random_phase_fields if exact_spectrum else gaussian_fields
        starts = list(shaped(np.stack(starts), spectrum))
    return starts


def run_all(args, n_jobs, n_parallel):
    """:func:`synthesize_one` on each tuple of ``args``; ``n_jobs`` as given by the user, of which
    ``n_parallel`` (>= 1) run at once. Returns (results, whether Ctrl-C stopped the call).

    Ctrl-C sets ``stop`` (see utils._interrupt): every run polls it, those running return their
    best iterate, those not started yet return None. Worker threads stay on one BLAS thread:
    only a scope opened here, in the caller's thread, can say so (see utils._threads).
    """
    with interruptible() as stop, (scoped_threads(1) if n_parallel > 1 else contextlib.nullcontext()):
        if n_parallel == 1:
            results = [None if stop.is_set() else synthesize_one(*a) for a in args]
        else:
            # threads by default (FFTs and BLAS release the GIL); parallel_config(backend="dask")
            # sends the same tasks to a Dask cluster
            parallel = Parallel(n_jobs=n_jobs, prefer="threads")
            results = parallel(delayed(synthesize_one)(*a) for a in args)
    return results, stop.is_set()


def best_per_target(results, n_targets, n_restarts):
    """Per target (``n_restarts`` consecutive results each), the start whose result matches the
    moments best: same target, same reference, so the lowest relative error is the lowest loss,
    in float64 whatever the precision. After Ctrl-C, the targets whose runs had started, up to
    the first that had none."""
    kept = []
    for i in range(n_targets):
        started = [r for r in results[i * n_restarts:(i + 1) * n_restarts] if r is not None]
        if not started:
            break
        kept.append(min(started, key=lambda r: r["relative_error"]))
    return kept


def synthesize_one(model, target, scale, x0, max_iter, tol, callback, verbose, workers, desc,
                    precision="float64", histogram=None, units=(0.0, 1.0), stages=None):
    """One moment-matching synthesis from ``x0`` (module-level so joblib/dask can ship it).

    Everything runs on standardised values; ``units = (mean, std)`` maps them back to the
    data's units, for the user's ``callback`` only (the caller un-standardises the result).
    ``histogram``: None, or a :class:`HistogramLoss` added to the moment loss.
    ``stages``: None (one run on every moment), or boolean masks of the moments matched by
    successive runs, each from the previous one's result (see :func:`coarse_to_fine`), the
    ``max_iter`` iterations shared between them; the last must keep every moment.
    Returns None, without starting, when the call was already asked to stop (Ctrl-C).
    """
    stop = current()  # the flag of the caller's interruptible call, shared with worker threads
    if stop is not None and stop.is_set():
        return None
    offset_iter = [0]
    if callback is not None:
        user_callback, (offset, unit) = callback, units

        def callback(iteration, loss, x):
            return user_callback(offset_iter[0] + iteration, loss, offset + unit * np.asarray(x))

    engine = model.moments(workers=workers)
    stages = [None] if stages is None else list(stages)
    x, n_iter = x0.ravel(), 0
    for weights, iters in zip(stages, stage_iterations(max_iter, len(stages))):
        if iters == 0:
            continue
        loss = MomentLoss(engine, target, scale, dtype=precision, weights=weights)
        fun = loss.value_and_grad
        if histogram is not None:
            def fun(y, loss=loss):
                value, grad = loss.value_and_grad(y)
                h_value, h_grad = histogram.value_and_grad(y)
                return value + h_value, grad + h_grad
        result = minimize_lbfgs(fun, x, max_iter=iters, tol=tol,
                                callback=callback, verbose=verbose, desc=desc, stop=stop)
        x, n_iter = result["x"], n_iter + result["n_iter"]
        offset_iter[0] = n_iter
        if result["status"] in ("stopped", "interrupted"):
            break
    final = result["loss"]
    if precision != "float64" or histogram is not None or weights is not None:
        # the error reported: float64 moments, every one of them
        loss = MomentLoss(engine, target, scale)
        final = loss.value(x)
    result["relative_error"] = loss.relative_error(final)
    result["x"] = x.reshape(x0.shape)
    result["n_iter"] = n_iter
    return result


def stage_iterations(max_iter, n_stages):
    """``max_iter`` shared between stages as evenly as possible, the remainder to the last ones."""
    base, extra = divmod(int(max_iter), n_stages)
    return [base + (1 if s >= n_stages - extra else 0) for s in range(n_stages)]


def low_passed(x, cutoff):
    """``x`` with its frequencies above ``cutoff`` (radians per sample, radial) removed."""
    grids = np.meshgrid(*[2 * np.pi * np.fft.fftfreq(n) for n in x.shape], indexing="ij")
    radius = np.sqrt(sum(g ** 2 for g in grids))
    return np.fft.ifftn(np.fft.fftn(x) * (radius <= cutoff)).real
