"""Complex products for numba kernels, written out so that nothing is compiled at first use.

numba lowers ``z * w`` on complex numbers by compiling a helper function per signature
(CPython's product with its inf/nan recovery), and ``abs(z)`` likewise; in a new process
each costs 0.1–0.2 s of the first call's compile time, ~0.5 s for one scattering layer.
:func:`times` emits the product's four multiplications directly. On finite values it
equals numba's product up to the sign of a zero result (the recovery only acts on nan
results, from Python 3.14); a real factor is not widened to a complex one, so it costs
two multiplications, and it is cast to ``z``'s precision first. Kernels
take ``abs(z)`` as ``sqrt(re^2 + im^2)``, which vectorizes, falling back to
``math.hypot(z.real, z.imag)`` (what numba's ``abs`` computes, lowered to libm's ``hypot``
directly) where a square could under- or overflow.
"""

from __future__ import annotations

from numba.core import types
from numba.extending import intrinsic


@intrinsic
def times(typingctx, z, w):
    """``z * w`` for complex ``z`` and a real or complex ``w`` (cast to ``z``'s precision);
    for real ``z`` and real ``w``, their product in ``z``'s type."""
    numbers = (types.Float, types.Complex, types.Integer)
    if isinstance(z, types.Float) and isinstance(w, (types.Float, types.Integer)):
        def real_codegen(context, builder, sig, args):
            return builder.fmul(args[0], context.cast(builder, args[1], sig.args[1], sig.args[0]))

        return z(z, w), real_codegen
    if not isinstance(z, types.Complex) or not isinstance(w, numbers):
        return None
    sig = z(z, w)

    def codegen(context, builder, sig, args):
        z_type, w_type = sig.args
        part = z_type.underlying_float
        a = context.make_complex(builder, z_type, args[0])
        out = context.make_complex(builder, z_type)
        if isinstance(w_type, types.Complex):
            wv = context.make_complex(builder, z_type, context.cast(builder, args[1], w_type, z_type))
            out.real = builder.fsub(builder.fmul(a.real, wv.real), builder.fmul(a.imag, wv.imag))
            out.imag = builder.fadd(builder.fmul(a.real, wv.imag), builder.fmul(a.imag, wv.real))
        else:
            f = context.cast(builder, args[1], w_type, part)
            out.real = builder.fmul(a.real, f)
            out.imag = builder.fmul(a.imag, f)
        return out._getvalue()

    return sig, codegen
