"""The differentiable operator: a transform's forward pass and its pullback, on any backend.

An operator is built once from a transform's fitted pieces (filter bank, plan,
padding) and a backend.  ``forward(x)`` returns the output; ``vjp(x)`` returns the
output *and* a pullback ``g -> gradient in x of <g, forward(x)>``, as ``jax.vjp``
does: the gradient of a loss of the output is known only after the forward pass,
so a loss and its gradient cost one forward and one backward pass.  What the
pullback needs is kept from the forward pass.  On a backend with automatic
differentiation (torch) the pullback is autograd's; elsewhere each operator
supplies its analytic adjoint.
"""

from __future__ import annotations

from typing import Callable


class Operator:
    """Base of the transform operators.

    Subclasses set ``backend``, ``input_shape`` (spatial shape of one sample) and
    ``output_shape`` ``(channels, *spatial)``, implement :meth:`forward` and, for
    backends without autograd, :meth:`_analytic_vjp`.
    """

    backend = None
    input_shape: tuple = ()
    output_shape: tuple = ()

    def forward(self, x):
        """The transform of a batch ``x`` of shape ``(B, *input_shape)``, a backend array."""
        raise NotImplementedError

    def vjp(self, x) -> tuple[object, Callable]:
        """Output and pullback: ``y, pullback = op.vjp(x)``; ``pullback(g)`` is the gradient
        in x of <g, y> (real inner product), shaped like x. It may be called several times."""
        autograd = getattr(self.backend, "autograd_vjp", None)
        if autograd is not None:
            return autograd(self.forward, x)
        return self._analytic_vjp(x)

    def _analytic_vjp(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no analytic pullback.")

    def bytes_per_sample(self, itemsize: int = 8, *, pullback: bool = False) -> int:
        """Peak working memory of one sample (bytes), for batching under a memory budget."""
        raise NotImplementedError

    @property
    def n_channels(self) -> int:
        return int(self.output_shape[0])

    def _check_input(self, x):
        if tuple(x.shape[1:]) != tuple(self.input_shape):
            raise ValueError(f"{type(self).__name__} expects inputs of shape (B, *{tuple(self.input_shape)}); "
                             f"got {tuple(x.shape)}.")

    def _check_output_gradient(self, g, n_batch):
        if tuple(g.shape) != (n_batch,) + tuple(self.output_shape):
            raise ValueError(f"the gradient passed to the pullback must have the output's shape "
                             f"{(n_batch,) + tuple(self.output_shape)}; got {tuple(g.shape)}.")


class ChannelwiseOperator(Operator):
    """Apply an operator to each input channel: ``(B, C, *s) -> (B, C * K, *s_out)``, channel major.

    Colour and multichannel images (RGB, say) are transformed channel by channel, as
    Kymatio does with (B, C, H, W) inputs; output channel ``c * K + k`` is channel k of
    the operator applied to input channel c.

    Parameters
    ----------
    operator : Operator
        Acting on ``(B, *s)``.
    n_input_channels : int
    """

    def __init__(self, operator: Operator, n_input_channels: int):
        self.operator = operator
        self.backend = operator.backend
        self.n_input_channels = int(n_input_channels)
        self.input_shape = (self.n_input_channels,) + tuple(operator.input_shape)
        self.output_shape = ((self.n_input_channels * operator.output_shape[0],)
                             + tuple(operator.output_shape[1:]))

    def _fold(self, x):
        return x.reshape((x.shape[0] * self.n_input_channels,) + tuple(self.operator.input_shape))

    def _unfold(self, y, n_batch):
        return y.reshape((n_batch,) + tuple(self.output_shape))

    def forward(self, x):
        self._check_input(x)
        return self._unfold(self.operator.forward(self._fold(x)), x.shape[0])

    def vjp(self, x):
        self._check_input(x)
        n_batch = x.shape[0]
        y, inner = self.operator.vjp(self._fold(x))

        def pullback(g):
            self._check_output_gradient(g, n_batch)
            g = g.reshape((n_batch * self.n_input_channels,) + tuple(self.operator.output_shape))
            return inner(g).reshape((n_batch,) + self.input_shape)

        return self._unfold(y, n_batch), pullback

    def inverse(self, y):
        """Channel by channel inverse, where the operator has one: ``(B, C * K, *s_out) -> (B, C, *s)``."""
        n_batch = y.shape[0]
        inner = y.reshape((n_batch * self.n_input_channels,) + tuple(self.operator.output_shape))
        return self.operator.inverse(inner).reshape((n_batch,) + self.input_shape)

    def bytes_per_sample(self, itemsize: int = 8, *, pullback: bool = False) -> int:
        return self.n_input_channels * self.operator.bytes_per_sample(itemsize, pullback=pullback)
