"""torch backend: the same primitives on tensors, differentiable by autograd, on CPU or CUDA."""

from __future__ import annotations

import numpy as np

from ._cache import FilterCache, working_dtype

_FILTER_CACHE_SIZE = 64


def _import_torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised only without torch
        raise ImportError(
            "backend='torch' needs PyTorch; install it with `pip install skphase[torch]`."
        ) from exc
    return torch


_MODULUS = []


def _modulus(torch):
    """|z| as an autograd function with the gradient z / |z| (0 at 0), as torch's abs has."""
    if _MODULUS:
        return _MODULUS[0]

    class Modulus(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            re, im = z.real, z.imag
            out = (re * re).addcmul_(im, im).sqrt_()
            ctx.save_for_backward(z, out)
            return out

        @staticmethod
        def backward(ctx, grad):
            z, out = ctx.saved_tensors
            scale = torch.where(out > 0, grad / torch.where(out > 0, out, 1), 0)
            return z * scale

    _MODULUS.append(Modulus.apply)
    return Modulus.apply


class TorchBackend:
    """Array primitives on torch tensors.

    Parameters
    ----------
    device : str or torch.device or None
        Where tensors live (``"cpu"``, ``"cuda"``, ``"cuda:1"``...). ``None`` means CPU.
    """

    name = "torch"

    def __init__(self, device=None) -> None:
        torch = _import_torch()
        try:
            self.device = torch.device("cpu" if device is None else device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"device={device!r} is not a torch device; expected 'cpu', 'cuda', "
                             f"'cuda:N' or 'mps' (torch says: {exc}).") from None
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"device={device!r} but torch sees no CUDA device; use device='cpu' "
                             "(or None).")
        self._filters = FilterCache(_FILTER_CACHE_SIZE)

    def __getstate__(self):
        return {"device": str(self.device)}

    def __setstate__(self, state):
        self.__init__(state["device"])

    @property
    def _t(self):
        return _import_torch()

    def _torch_dtype(self, dtype):
        torch = self._t
        if isinstance(dtype, torch.dtype):
            return dtype
        return getattr(torch, np.dtype(dtype).name)

    def _numpy_dtype(self, dtype) -> np.dtype:
        torch = self._t
        if isinstance(dtype, torch.dtype):
            return np.dtype(str(dtype).removeprefix("torch."))
        return np.dtype(dtype)

    # --- conversion -----------------------------------------------------------
    def asarray(self, x, dtype=None):
        torch = self._t
        if isinstance(x, torch.Tensor):
            out = x.to(self.device)
            return out if dtype is None else out.to(self._torch_dtype(dtype))
        arr = np.ascontiguousarray(x, dtype=None if dtype is None else self._numpy_dtype(dtype))
        return torch.from_numpy(arr).to(self.device)

    def to_numpy(self, x) -> np.ndarray:
        return x.detach().cpu().numpy()

    def from_filter(self, arr: np.ndarray, dtype):
        # Filters are read-only cached numpy arrays: convert each once per device/dtype.
        target = working_dtype(arr, self._numpy_dtype(dtype))
        return self._filters.get(
            arr, target.str, lambda: self._t.from_numpy(np.array(arr, dtype=target)).to(self.device))

    # --- Fourier ----------------------------------------------------------------
    def fft(self, x, ndim: int):
        return self._t.fft.fftn(x, dim=tuple(range(-ndim, 0)))

    def ifft(self, x, ndim: int):
        return self._t.fft.ifftn(x, dim=tuple(range(-ndim, 0)))

    def mul_periodize(self, xhat, filt, k: int, ndim: int):
        if k == 1:
            return xhat[:, None] * filt[None]
        # periodize_k(xhat * filt)[i] = sum over the k**ndim aliases p of xhat[i + p s/k] filt[i + p s/k]:
        # a contraction over the aliases, batched over the coarse frequencies i (one bmm). The
        # full (B, F, *s) product is never formed: 3-10x faster than multiply-then-mean on CPU.
        dtype = (xhat[:1, :1] * filt[:1, :1]).dtype if xhat.dtype != filt.dtype else xhat.dtype
        blocks = []
        for s in xhat.shape[1:]:
            blocks += [k, s // k]
        letters = "pqrs"[:ndim], "ijlm"[:ndim]
        spatial = "".join(a + i for a, i in zip(*letters))
        return self._t.einsum(f"b{spatial},f{spatial}->bf{letters[1]}",
                              xhat.reshape([xhat.shape[0]] + blocks).to(dtype),
                              filt.reshape([filt.shape[0]] + blocks).to(dtype)) / (k ** ndim)

    # torch keeps full spectra (autograd handles them; GPUs care less about the 2x):
    # its "half spectrum" is the full one.
    def rfft(self, u, ndim: int):
        return self.fft(u, ndim)

    def hermitian_full(self, half, ndim: int, spatial: tuple):
        return half

    def low_pass_half(self, half, phi, k: int, ndim: int, spatial: tuple):
        return self.ifft(self.mul_periodize(half, phi[None], k, ndim), ndim)[:, 0].real

    def mul_periodize_adjoint(self, grad, filt, k: int, ndim: int):
        reps = (1, 1) + (k,) * ndim
        tiled = grad.repeat(*reps) if k > 1 else grad
        return (tiled * filt.conj()[None]).sum(dim=1) / (k ** ndim)

    def cross_correlation(self, a, b, ndim: int):
        """Circular cross-correlations of two stacks for every shift (see NumpyBackend)."""
        fft = self._t.fft
        dims = tuple(range(-ndim, 0))
        spatial = tuple(a.shape[a.ndim - ndim:])
        A = fft.rfftn(a, dim=dims)
        B = fft.rfftn(b, dim=dims)
        prod = A[:, :, None] * B[:, None, :].conj()
        return fft.irfftn(prod, s=spatial, dim=dims) / int(np.prod(spatial))

    def matmul(self, a, b):
        return self._t.matmul(a, b)

    def soft_threshold(self, x, threshold):
        return self._t.sign(x) * self._t.clamp(x.abs() - threshold, min=0)

    # --- differentiation ---------------------------------------------------------
    def autograd_vjp(self, func, x):
        """``func(x)`` and its pullback g -> d<g, func(x)>/dx by autograd (reusable)."""
        torch = self._t
        xg = x.detach().requires_grad_(True)
        with torch.enable_grad():
            y = func(xg)

        def pullback(g):
            g = self.asarray(g, y.dtype)
            if tuple(g.shape) != tuple(y.shape):
                raise ValueError(f"the gradient passed to the pullback must have the output's shape "
                                 f"{tuple(y.shape)}; got {tuple(g.shape)}.")
            (grad,) = torch.autograd.grad(y, xg, g, retain_graph=True)
            return grad

        return y.detach(), pullback

    # --- pointwise ----------------------------------------------------------------
    def real(self, z):
        return z.real.contiguous() if z.is_complex() else z

    def modulus(self, z):
        # torch's complex abs is ~4x slower on CPU than sqrt(re^2 + im^2) (it guards
        # against overflow beyond 1e19 in float32, which scattering inputs never reach)
        return _modulus(self._t)(z)

    def relu_phases(self, z, cos, sin):
        view = (1, 1, len(cos)) + (1,) * (z.ndim - 2)
        a = z.real[:, :, None] * cos.reshape(view) + z.imag[:, :, None] * sin.reshape(view)
        return self._t.relu(a)

    def cos_sin(self, alphas, dtype):
        dtype = self._numpy_dtype(dtype)
        return (self.asarray(np.cos(alphas), dtype), self.asarray(np.sin(alphas), dtype))

    def where_positive(self, a, b):
        return self._t.where(a > 0, b, self._t.zeros((), dtype=b.dtype, device=b.device))

    def take(self, x, index: np.ndarray, axis: int):
        idx = self._t.as_tensor(np.array(index), device=self.device, dtype=self._t.long)
        return self._t.index_select(x, axis % x.ndim, idx)

    def index_add(self, shape, index: np.ndarray, values, axis: int):
        idx = self._t.as_tensor(np.array(index), device=self.device, dtype=self._t.long)
        out = self._t.zeros(shape, dtype=values.dtype, device=self.device)
        return out.index_add(axis % len(shape), idx, values)

    def zero_embed(self, values, shape, window):
        """Zeros of ``shape`` with ``values`` written at the trailing-axes ``window`` (slices)."""
        out = self._t.zeros(shape, dtype=values.dtype, device=values.device)
        out[(Ellipsis,) + tuple(window)] = values
        return out

    def stack(self, arrays, axis: int):
        return self._t.stack(list(arrays), dim=axis)

    def concatenate(self, arrays, axis: int):
        return self._t.cat(list(arrays), dim=axis)
