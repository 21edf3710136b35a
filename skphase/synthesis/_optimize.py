"""L-BFGS-B driver: progress bar, user callback, best iterate kept on interruption or failure."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import minimize

from ..utils._progress import progress_bar
from ..utils._threads import scoped_threads


class _Stop(Exception):
    """Raised inside the optimiser to end it early (callback asked, or a non-finite loss)."""


def minimize_lbfgs(fun, x0, *, max_iter: int, tol: float, callback=None, verbose=0,
                   desc: str = "synthesis", max_corrections: int = 20, stop=None) -> dict:
    """Minimise ``fun(x) -> (loss, grad)`` from ``x0`` with scipy's L-BFGS-B.

    Returns the best iterate ever evaluated, whatever happens: normal end, the
    user's ``callback(iteration, loss, x)`` returning True, a non-finite loss
    (warning), ``stop`` (a :class:`~skphase.utils._interrupt.StopRequest`, polled at
    every evaluation: Ctrl-C) set, or a KeyboardInterrupt raised inside (not re-raised:
    it sets ``stop``, so that the caller's other runs end too). An interruption is not
    warned about here: the caller warns once, naming every run cut short.

    Returns
    -------
    result : dict
        ``x`` (best iterate), ``loss`` (its loss), ``loss_history`` (loss after
        each iteration, starting with the initial loss), ``n_iter``, ``status``
        (``"converged"``, ``"max_iter"``, ``"stopped"``, ``"interrupted"``,
        ``"non_finite"`` or ``"failed"``) and ``message``.
    """
    best = {"loss": np.inf, "x": np.array(x0, dtype=np.float64, copy=True)}
    history: list[float] = []
    bar = progress_bar(max_iter, verbose, desc, leave=False)

    def wrapped(x):
        if stop is not None and stop.is_set():
            raise _Stop("interrupted")
        loss, grad = fun(x)
        if not np.isfinite(loss) or not np.all(np.isfinite(grad)):
            raise _Stop("non_finite")
        if loss < best["loss"]:
            best["loss"], best["x"] = loss, np.array(x, copy=True)
        if not history:
            history.append(loss)
        return loss, grad

    def on_iteration(intermediate_result):
        loss = float(intermediate_result.fun)
        history.append(loss)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.3e}")
        if callback is not None and callback(len(history) - 1, loss, intermediate_result.x):
            raise _Stop("stopped")

    status, message = "failed", ""
    try:
        # scipy's L-BFGS-B updates its vectors with BLAS level-1 calls: with two OpenBLAS threads
        # on the shared 2-core box one iteration's own work took 0.19-0.24 CPU s for 65536
        # unknowns (threads spinning), 0.012 s on one thread
        with scoped_threads(1):
            res = minimize(wrapped, np.asarray(x0, dtype=np.float64), jac=True, method="L-BFGS-B",
                           callback=on_iteration,
                           options=dict(maxiter=max_iter, maxcor=max_corrections, ftol=tol, gtol=tol,
                                        maxfun=max(15000, 3 * max_iter)))
        message = str(res.message)
        status = "max_iter" if res.nit >= max_iter else ("converged" if res.success else "failed")
        if status == "failed":
            warnings.warn(f"L-BFGS-B stopped early ({message}); returning the best iterate "
                          f"(loss {best['loss']:.3e}).", RuntimeWarning, stacklevel=3)
    except _Stop as stop:
        status = str(stop)
        if status == "non_finite":
            message = "the loss or its gradient became non-finite"
            warnings.warn(f"{desc}: {message}; returning the best iterate (loss {best['loss']:.3e}).",
                          RuntimeWarning, stacklevel=3)
        elif status == "interrupted":
            message = "interrupted (Ctrl-C)"
        else:
            message = "callback asked to stop"
    except KeyboardInterrupt:
        status, message = "interrupted", "KeyboardInterrupt"
        if stop is not None:
            stop.set()
    finally:
        if bar is not None:
            bar.close()
    if not np.isfinite(best["loss"]):
        raise FloatingPointError(f"{desc}: the loss was not finite at the starting point; "
                                 "check the target moments.")
    return {"x": best["x"], "loss": float(best["loss"]), "loss_history": np.asarray(history),
            "n_iter": max(len(history) - 1, 0), "status": status, "message": message}
