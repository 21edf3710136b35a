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


_FUNCTIONS = {}


def _bmm(torch, a, b, scale: float):
    zero = torch.zeros((), dtype=a.dtype, device=a.device)
    return torch.baddbmm(zero, a.contiguous(), b.contiguous(), beta=0, alpha=scale)


def _alias_matmul(torch, a, b, k: int, ndim: int, forward: bool, scale: float):
    """The alias contraction of :class:`PeriodizedProduct` as one bmm on contiguous operands.

    forward: a = xhat (B, *s), b = filt (F, *s) -> (B, F, *s/k), the sum over the k**ndim
    aliases of a * b. backward: a = grad (B, F, *s/k), b = filt -> (B, *s), the sum over F
    of grad (tiled) * b. CPU bmm multiplies one small matrix at a time unless its operands
    are contiguous, so they are made so here. The result is multiplied by ``scale`` inside
    the bmm.
    """
    if b.dtype != a.dtype:
        b = b.to(a.dtype)
    n_a, n_f = a.shape[0], b.shape[0]
    coarse = [n // k for n in b.shape[1:]]
    n_coarse, n_alias = int(np.prod(coarse)), k ** ndim
    blocks = [n_f] + [v for n in b.shape[1:] for v in (k, n // k)]
    coarse_axes = [2 + 2 * d for d in range(ndim)]
    alias_axes = [1 + 2 * d for d in range(ndim)]
    b = b.reshape(blocks)
    if forward:
        a = a.reshape([n_a] + blocks[1:])
        a = a.permute(coarse_axes + [0] + alias_axes).reshape(n_coarse, n_a, n_alias)
        b = b.permute(coarse_axes + alias_axes + [0]).reshape(n_coarse, n_alias, n_f)
        out = _bmm(torch, a, b, scale).reshape(coarse + [n_a] + [n_f])
        order = [ndim, out.ndim - 1] + list(range(ndim))  # (*coarse, B, F) -> (B, F, *coarse)
    else:
        a = a.permute([2 + d for d in range(ndim)] + [0] + [1]).reshape(n_coarse, n_a, n_f)
        b = b.permute(coarse_axes + [0] + alias_axes).reshape(n_coarse, n_f, n_alias)
        out = _bmm(torch, a, b, scale).reshape(coarse + [n_a] + [k] * ndim)
        # (*coarse, B, *aliases) -> (B, alias0, coarse0, alias1, coarse1)
        order = [ndim] + [v for d in range(ndim) for v in (ndim + 1 + d, d)]
    out = out.permute(order).contiguous()
    return out if forward else out.reshape([n_a] + [k * n for n in coarse])


def _functions(torch):
    """The torch backend's autograd functions, defined once torch is imported."""
    if _FUNCTIONS:
        return _FUNCTIONS

    class Modulus(torch.autograd.Function):
        """|z| with the gradient z / |z| (0 at 0), as torch's abs has."""

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

    class PeriodizedProduct(torch.autograd.Function):
        """periodize_k(xhat[:, None] * filt[None]): a contraction over the k**ndim aliases."""

        @staticmethod
        def forward(ctx, xhat, filt, k, ndim):
            ctx.save_for_backward(xhat, filt)
            ctx.k, ctx.ndim = k, ndim
            return _alias_matmul(torch, xhat, filt, k, ndim, True, 1.0 / k ** ndim)

        @staticmethod
        def backward(ctx, grad):
            xhat, filt = ctx.saved_tensors
            k, ndim = ctx.k, ctx.ndim
            g_x = g_f = None
            if ctx.needs_input_grad[0]:
                g_x = _alias_matmul(torch, grad, filt.conj(), k, ndim, False, 1.0 / k ** ndim)
                g_x = g_x if xhat.is_complex() else g_x.real
            if ctx.needs_input_grad[1]:
                # not on the transforms' path (filters are constants): plain autograd math
                tiled = grad.repeat((1, 1) + (k,) * ndim) / (k ** ndim)
                g_f = (tiled * xhat.conj()[:, None]).sum(0)
                g_f = g_f if filt.is_complex() else g_f.real
            return g_x, g_f, None, None

    _FUNCTIONS.update(modulus=Modulus.apply, periodized_product=PeriodizedProduct.apply)
    return _FUNCTIONS


class TorchBackend:
    """Array primitives on torch tensors.

    Parameters
    ----------
    device : str or torch.device or None
        Where tensors live (``"cpu"``, ``"cuda"``, ``"cuda:1"``...). ``None`` means CPU.
    """

    name = "torch"
    reuse_per_device = True  # one per device, so its filter tensors stay cached across batches

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

    def memory_budget(self, config: dict) -> int:
        """Bytes one batch may use: the CPU budget, or on CUDA the device budget.

        On CUDA, ``config["device_memory_budget"]`` or, when None, a quarter of the
        device's memory: an accelerator needs large batches to be busy, and 64 MiB
        batches (the CPU default, sized for caches) would run one image at a time.
        """
        if self.device.type != "cuda":
            return config["memory_budget"]
        if config["device_memory_budget"] is not None:
            return config["device_memory_budget"]
        return self._t.cuda.get_device_properties(self.device).total_memory // 4

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
    def owns(self, x) -> bool:
        """torch tensors stay tensors (on their device, differentiable)."""
        return isinstance(x, self._t.Tensor)

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
        # periodize_k(xhat * filt)[i] = mean over the k**ndim aliases p of xhat[i + p s/k] filt[i + p s/k]:
        # one bmm batched over the coarse frequencies i, contracting the aliases, so the full
        # (B, F, *s) product is never formed: 3-10x faster than multiply-then-mean on CPU.
        dtype = (xhat[:1, :1] * filt[:1, :1]).dtype
        if filt.is_complex() or not xhat.is_complex():
            filt = filt.to(dtype)
        return _functions(self._t)["periodized_product"](xhat.to(dtype), filt, k, ndim)

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
        return _functions(self._t)["modulus"](z)

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
