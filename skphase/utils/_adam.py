"""Adam, once for every family: numpy arrays (LISTA, the classifier) and torch tensors (the
classifier's torch backend, its DDP trainer, the generator).

Why not ``torch.optim``: its optimizers import ``torch._dynamo`` when first constructed, a fixed
5 s on a quiet 2-core CPU (15 s loaded) that a fit of a few minutes notices, and the numpy paths
need the same update anyway. The update is written with in-place arithmetic that numpy arrays and
torch tensors share, so the two backends run one formula (Kingma & Ba 2015; decoupled decay as
Loshchilov & Hutter 2019, which is ``torch.optim.AdamW``; coupled decay, an L2 term added to the
gradient, is ``torch.optim.Adam``'s ``weight_decay``). Importing this module never imports torch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Real


def _per_param(name: str, value, n: int) -> list[float]:
    values = [value] * n if isinstance(value, Real) else list(value)
    if len(values) != n:
        raise ValueError(f"{name} must be a number or one number per parameter ({n}); got {len(values)}.")
    return [float(v) for v in values]


def _zeros_like(p):
    # torch tensors (Parameters included) have new_zeros: no autograd history, same device and dtype
    if hasattr(p, "new_zeros"):
        return p.new_zeros(p.shape)
    import numpy as np

    return np.zeros_like(p)


class Adam:
    """Adam on a list of arrays or tensors, updated in place; one group (lr, decay) per parameter.

    ``step(grads)`` takes the gradients in the order of ``params`` (numpy); ``step()`` reads
    each tensor's ``.grad`` (torch, after ``backward``) and skips those without one.
    ``param_groups[i]["lr"]`` may be changed between steps (a schedule). ``state_dict`` and
    ``load_state_dict`` have ``torch.optim``'s layout (``state``: per parameter index ``step``,
    ``exp_avg``, ``exp_avg_sq``; ``param_groups``), so the state saves with ``torch.save`` and
    loads with ``weights_only=True``.
    """

    def __init__(self, params: Iterable, lr: float | Sequence[float], *, betas=(0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float | Sequence[float] = 0.0,
                 decoupled: bool = False):
        self.params = [p for p in params if getattr(p, "requires_grad", True)]
        n = len(self.params)
        lrs = _per_param("lr", lr, n)
        decays = _per_param("weight_decay", weight_decay, n)
        self.decoupled = bool(decoupled)
        self.param_groups = [dict(lr=lr_i, betas=tuple(float(b) for b in betas), eps=float(eps),
                                  weight_decay=wd) for lr_i, wd in zip(lrs, decays)]
        self.state: dict = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    def step(self, grads: Sequence | None = None) -> None:
        if grads is not None:
            if len(grads) != len(self.params):
                raise ValueError(f"step needs one gradient per parameter ({len(self.params)}); "
                                 f"got {len(grads)}.")
            self._update(grads)
            return
        import torch

        with torch.no_grad():
            self._update([p.grad for p in self.params])

    def _update(self, grads) -> None:
        for i, (p, g, group) in enumerate(zip(self.params, grads, self.param_groups)):
            if g is None:
                continue
            state = self.state.get(i)
            if state is None:
                state = self.state[i] = dict(step=0, exp_avg=_zeros_like(p), exp_avg_sq=_zeros_like(p))
            state["step"] += 1
            t = state["step"]
            lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            if wd and self.decoupled:
                p *= 1 - lr * wd
            elif wd:
                g = g + wd * p
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= (lr / (1 - b1 ** t)) * m / ((v / (1 - b2 ** t)) ** 0.5 + eps)

    def state_dict(self) -> dict:
        return dict(state={i: dict(s) for i, s in self.state.items()},
                    param_groups=[dict(g) for g in self.param_groups])

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a state from :meth:`state_dict`; moments are moved to each parameter's device."""
        groups = [dict(g) for g in state_dict["param_groups"]]
        if len(groups) != len(self.params):
            raise ValueError(f"the optimizer state has {len(groups)} parameter groups; this "
                             f"optimizer has {len(self.params)} parameters.")
        state = {}
        for i, s in state_dict["state"].items():
            p = self.params[int(i)]
            moments = [s[name] for name in ("exp_avg", "exp_avg_sq")]
            if any(tuple(m.shape) != tuple(p.shape) for m in moments):
                raise ValueError(f"the optimizer's moments of parameter {i} have shape "
                                 f"{tuple(moments[0].shape)}; the parameter has {tuple(p.shape)}.")
            if hasattr(p, "new_zeros"):
                import torch

                moments = [torch.as_tensor(m).to(device=p.device, dtype=p.dtype) for m in moments]
            state[int(i)] = dict(step=int(s["step"]), exp_avg=moments[0], exp_avg_sq=moments[1])
        for g in groups:
            g["betas"] = tuple(g["betas"])
        self.param_groups, self.state = groups, state
