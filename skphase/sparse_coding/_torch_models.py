"""The torch twin of ``_istc_network`` (autograd, any device), and its trainer.

Imported only when ``backend="torch"`` is asked for: ``import skphase`` never imports torch.
"""

from __future__ import annotations

import numpy as np
import torch

from ..utils._adam import Adam
from . import _istc_network as net
from ._unrolled import unrolled_forward_torch


class ISTCNetwork(torch.nn.Module):
    """L -> unit norm -> ISTC (``n_layers``) -> pool -> W, the same formulas as the numpy network.

    The ISTC layers are :func:`~._unrolled.unrolled_forward_torch` (analysis D^T, synthesis D).

    Inputs are standardised features (n, P, C); outputs are logits (n, n_classes).
    """

    def __init__(self, params: dict, n_layers: int, pooling: str, device=None,
                 dtype=torch.float64):
        super().__init__()
        self.n_layers = n_layers
        self.pooling = pooling
        for name in net.PARAM_NAMES:
            value = torch.as_tensor(np.asarray(params[name]), dtype=dtype, device=device)
            setattr(self, name, torch.nn.Parameter(value.clone()))
        for name in ("mu", "sigma"):  # constants between refreshes, like BatchNorm's statistics
            self.register_buffer(name, torch.as_tensor(np.asarray(params[name]), dtype=dtype,
                                                       device=device).clone())

    def codes(self, Z):
        n, P, C = Z.shape
        rows = Z.reshape(n * P, C)
        Y = rows @ self.L.T
        U = Y / torch.sqrt((Y * Y).sum(dim=1, keepdim=True) + net.EPS)
        eta = torch.exp(self.e)
        # the numpy network's schedule, on tensors: gamma_n = eta, theta_n = eta lambda_n
        theta = [eta * torch.exp(self.s * (i + 1) / self.n_layers) for i in range(self.n_layers)]
        A = unrolled_forward_torch(U, None, self.D, theta, [eta] * self.n_layers,
                                   positive=True)
        codes = A.reshape(n, P, -1)
        return codes.reshape(n, -1) if self.pooling == "none" else codes.mean(dim=1)

    def forward(self, Z):
        return ((self.codes(Z) - self.mu) / self.sigma) @ self.W.T + self.b

    @torch.no_grad()
    def refresh_code_statistics(self, Z):
        F = self.codes(Z)
        self.mu.copy_(F.mean(dim=0))
        self.sigma.copy_(torch.sqrt(F.var(dim=0, unbiased=False) + 1e-4))

    @torch.no_grad()
    def project(self):
        self.D /= self.D.norm(dim=1, keepdim=True).clamp_min(1e-12)
        self.s.clamp_(max=0.0)

    def to_numpy(self) -> dict:
        return {name: getattr(self, name).detach().cpu().numpy().astype(np.float64)
                for name in (*net.PARAM_NAMES, "mu", "sigma")}


class TorchTrainer:
    """Minibatch Adam with autograd for :class:`LISTAClassifier` (same interface as the numpy one)."""

    def __init__(self, est):
        self.est = est
        self.device = torch.device(est.device or "cpu")
        self.model = ISTCNetwork(est.params_, est.n_layers, est.pooling, self.device)
        self.opt = Adam([getattr(self.model, k) for k in net.PARAM_NAMES], est.learning_rate,
                        weight_decay=[est.weight_decay if k in net.DECAYED else 0.0
                                      for k in net.PARAM_NAMES])
        saved = getattr(est, "_torch_optimizer_state_", None)
        if saved is not None:
            self.opt.load_state_dict(saved)

    def _tensor(self, a):
        return torch.as_tensor(a, dtype=torch.float64, device=self.device)

    def epoch(self, Z, y_idx, rng, stop=None) -> float:
        est = self.est
        order = rng.permutation(Z.shape[0])
        total, seen = 0.0, 0
        Zt, yt = self._tensor(Z), torch.as_tensor(y_idx, device=self.device)
        self.model.refresh_code_statistics(Zt[torch.as_tensor(order[:1024], device=self.device)])
        for s in range(0, len(order), est.batch_size):
            idx = torch.as_tensor(order[s:s + est.batch_size], device=self.device)
            self.opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(self.model(Zt[idx]), yt[idx])
            loss.backward()
            self.opt.step()
            self.model.project()
            total += float(loss.detach()) * len(idx)
            seen += len(idx)
            if stop is not None and stop.is_set():
                break
        return total / max(seen, 1)

    def project(self):
        self.model.project()

    @torch.no_grad()
    def logits(self, Z):
        return self.model(self._tensor(Z)).cpu().numpy()

    def state(self):
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def load(self, state):
        self.model.load_state_dict(state)

    def store(self):
        self.est.params_ = self.model.to_numpy()
        # the optimizer's moments move to the CPU so that the estimator pickles anywhere
        state = self.opt.state_dict()
        for per_param in state["state"].values():
            for key, value in per_param.items():
                if torch.is_tensor(value):
                    per_param[key] = value.cpu()
        self.est._torch_optimizer_state_ = state
