"""Every documented parameter has an observable effect, or is declared to have none on that output.

A parameter that is read but ignored (a seed never passed on, a validation split trained
on, a weight decay never given to the optimizer) passes every test of the maths; this
module catches it. Each estimator lists *every* parameter of ``get_params()``: either an
other value and the promise that the probed output changes, or the promise that it does
not (execution settings: batch size, threads, progress bars, the backend), checked both
ways. A parameter added without an entry fails :func:`test_every_parameter_is_listed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest

from skphase import PhaseHarmonicTransform, ScatteringAverager

CHANGES, SAME, LAYOUT = "changes", "same", "layout"  # LAYOUT: the same values, arranged otherwise


@dataclass
class Case:
    """How to probe one estimator: ``probe(estimator, data) -> array``."""

    estimator: type
    base: dict
    data: Callable[[], np.ndarray]
    probe: Callable
    effects: dict = field(default_factory=dict)  # name -> (other value, CHANGES/SAME[, data])


def _images():
    return np.random.default_rng(0).standard_normal((3, 16, 16))


def _signals():
    return np.random.default_rng(1).standard_normal((3, 64))


def _transform(est, X):
    return np.asarray(est.fit(X).transform(X))


def _wavelet_effects(ndim):
    two_d = ndim == 2
    effects = {
        "J": (3, CHANGES),
        "L": (3, CHANGES if two_d else SAME),  # orientations: images only
        "Q": (2, SAME if two_d else CHANGES),  # wavelets per octave: signals only
        "n_phases": (6, CHANGES),
        "wavelet": ("bump", CHANGES),
        "flatten": (False, LAYOUT),
        "batch_size": (1, SAME),
        "n_jobs": (2, SAME),
        "verbose": (1, SAME),
        "backend": ("torch", SAME),
        "device": ("cpu", SAME),
    }
    if two_d:
        # the same images flattened, read back with shape=: the same coefficients
        effects["shape"] = ((16, 16), SAME, lambda: _images().reshape(3, -1))
        # the 3 images as the channels of one sample: the same coefficients, channel major
        effects["multichannel"] = (True, LAYOUT, lambda: _images()[None])
    else:
        effects["shape"] = ((8, 8), CHANGES)  # 64 values as an 8 x 8 image
        effects["multichannel"] = (True, LAYOUT, lambda: _signals()[None])
    return effects


CASES = {}
for _ndim, _data in [(1, _signals), (2, _images)]:
    CASES[f"PhaseHarmonicTransform-{_ndim}d"] = Case(
        PhaseHarmonicTransform, dict(J=2, L=2), _data, _transform,
        {**_wavelet_effects(_ndim), "harmonics": ((0, 1), CHANGES)})
    CASES[f"ScatteringAverager-{_ndim}d"] = Case(
        ScatteringAverager, dict(J=3, L=2, padding="periodic"), _data, _transform,
        {**_wavelet_effects(_ndim), "J": (2, CHANGES), "max_order": (2, CHANGES), "nonlinearity": ("modulus", CHANGES),
         "padding": ("reflect", CHANGES)})


def _compare(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-12 * max(1.0, np.abs(a).max()))


@pytest.mark.parametrize("case", list(CASES), ids=str)
def test_every_parameter_is_listed(case):
    c = CASES[case]
    assert set(c.effects) == set(c.estimator().get_params()), (
        f"{c.estimator.__name__}: parameters without a declared effect "
        f"{sorted(set(c.estimator().get_params()) - set(c.effects))}")


def _effect_cases():
    for case, c in CASES.items():
        for name in c.effects:
            yield pytest.param(case, name, id=f"{case}-{name}")


@pytest.mark.parametrize("case, name", list(_effect_cases()))
def test_parameter_has_its_declared_effect(case, name):
    c = CASES[case]
    other, expect, *data = c.effects[name]
    if name in ("backend", "device"):
        pytest.importorskip("torch")
    X = (data[0] if data else c.data)()
    base = {**c.base}
    if name == "device":
        base["backend"] = "torch"
    reference = c.probe(c.estimator(**base), c.data())
    changed = c.probe(c.estimator(**{**base, name: other}), X)
    if expect == SAME:
        assert _compare(changed, reference), f"{name}={other!r} changed the output"
    elif expect == LAYOUT:
        assert changed.shape != reference.shape, f"{name}={other!r} did not change the layout"
        assert _compare(changed.ravel(), reference.ravel()), f"{name}={other!r} changed the values"
    else:
        assert not _compare(changed, reference), f"{name}={other!r} had no effect"
