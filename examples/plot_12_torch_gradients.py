"""
Gradients through the scattering transform with torch
=====================================================

With ``backend="torch"`` a tensor goes in and a tensor comes out, so autograd
differentiates the transform; its gradient equals the analytic adjoint that
``transform_vjp`` computes on the numpy backend.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from skphase import ScatteringAverager

# %%
# One 32x32 image, the same estimator on both backends.
rng = np.random.default_rng(0)
x = rng.standard_normal((1, 32, 32))
params = dict(J=2, L=4, nonlinearity="modulus")
S_np = ScatteringAverager(**params).fit(x)
S_t = ScatteringAverager(**params, backend="torch").fit(x)

# %%
# Loss = <g, S x> for a fixed random direction g; its gradient in x by autograd.
xt = torch.tensor(x, requires_grad=True)
out = S_t.transform(xt)
print(f"output: {type(out).__name__} of shape {tuple(out.shape)}")
g = rng.standard_normal(tuple(out.shape))
loss = (out * torch.tensor(g)).sum()
loss.backward()
grad_torch = xt.grad.numpy()

# %%
# The same gradient on numpy through the operator's adjoint.
grad_np = S_np.transform_vjp(x, g)
rel = np.linalg.norm(grad_torch - grad_np) / np.linalg.norm(grad_np)
print(f"forward agreement, max |torch - numpy|: "
      f"{np.abs(out.detach().numpy() - S_np.transform(x)).max():.2e}")
print(f"relative difference of the gradients (autograd vs transform_vjp): {rel:.2e}")

fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for ax, img, title in zip(axes, [x[0], grad_torch[0], grad_np[0]],
                          ["image x", "autograd gradient", "transform_vjp (numpy)"]):
    ax.imshow(img, cmap="RdBu_r")
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()
