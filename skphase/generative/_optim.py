"""Adam with decoupled weight decay, the few methods the training loop needs.

``torch.optim``'s optimizers import ``torch._dynamo`` when first constructed: 5 s on a
quiet 2-core CPU, 15 s on a loaded one, a fixed cost that a fit of a few minutes
notices. This is the same update (Kingma & Ba's Adam; Loshchilov & Hutter's
decoupled decay, as ``torch.optim.AdamW``), on a plain loop over the parameters.
Imported lazily: ``import skphase`` never imports torch.
"""

from __future__ import annotations

import math

import torch


class AdamW:
    """Adam with decoupled weight decay: p <- p (1 - lr wd) - lr m_hat / (sqrt(v_hat) + eps)."""

    def __init__(self, params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        self.params = [p for p in params if p.requires_grad]
        self.param_groups = [dict(lr=float(lr), betas=tuple(betas), eps=float(eps),
                                  weight_decay=float(weight_decay))]
        self.state: dict = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        group = self.param_groups[0]
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            state = self.state.get(i)
            if state is None:
                state = self.state[i] = dict(step=0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))
            state["step"] += 1
            t = state["step"]
            if wd:
                p.mul_(1 - lr * wd)
            state["exp_avg"].lerp_(p.grad, 1 - b1)
            state["exp_avg_sq"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            denom = (state["exp_avg_sq"].sqrt() / math.sqrt(1 - b2 ** t)).add_(eps)
            p.addcdiv_(state["exp_avg"], denom, value=-lr / (1 - b1 ** t))

    def state_dict(self) -> dict:
        return dict(state={i: dict(s) for i, s in self.state.items()},
                    param_groups=[dict(g) for g in self.param_groups])

    def load_state_dict(self, state_dict: dict) -> None:
        self.param_groups = [dict(g) for g in state_dict["param_groups"]]
        self.state = {}
        for i, s in state_dict["state"].items():
            p = self.params[int(i)]
            self.state[int(i)] = dict(
                step=int(s["step"]),
                exp_avg=torch.as_tensor(s["exp_avg"]).to(device=p.device, dtype=p.dtype),
                exp_avg_sq=torch.as_tensor(s["exp_avg_sq"]).to(device=p.device, dtype=p.dtype))
