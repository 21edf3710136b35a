"""The one Adam every family trains with (skphase.utils._adam): torch.optim's update, on numpy
arrays and torch tensors alike."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from skphase.utils._adam import Adam

torch = pytest.importorskip("torch")


def _quadratic_grads(params, targets):
    return [2 * (p - t) for p, t in zip(params, targets)]


def _two_modules():
    torch.manual_seed(0)
    a = torch.nn.Linear(5, 3).double()
    b = torch.nn.Linear(5, 3).double()
    b.load_state_dict(a.state_dict())
    return a, b


@pytest.mark.parametrize("decoupled", [False, True])
def test_the_update_is_torch_optims(decoupled):
    a, b = _two_modules()
    ours = Adam(a.parameters(), 0.01, weight_decay=0.1, decoupled=decoupled)
    ref = (torch.optim.AdamW if decoupled else torch.optim.Adam)(b.parameters(), lr=0.01, weight_decay=0.1)
    x = torch.randn(8, 5, dtype=torch.float64)
    for step in range(6):
        for module, opt in ((a, ours), (b, ref)):
            opt.zero_grad()
            (module(x) ** 2).sum().backward()
            opt.step()
        if step == 2:  # a round trip through the state dict changes nothing
            ours.load_state_dict(ours.state_dict())
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-14)


def test_numpy_and_torch_run_the_same_formula_with_per_parameter_groups():
    rng = np.random.default_rng(0)
    start = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    targets = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    arrays = [p.copy() for p in start]
    tensors = [torch.tensor(p, requires_grad=True) for p in start]
    opt_np = Adam(arrays, [0.05, 0.2], weight_decay=[0.3, 0.0])
    opt_t = Adam(tensors, [0.05, 0.2], weight_decay=[0.3, 0.0])
    t_targets = [torch.tensor(t) for t in targets]
    for _ in range(20):
        opt_np.step(_quadratic_grads(arrays, targets))
        opt_t.zero_grad()
        sum(((p - t) ** 2).sum() for p, t in zip(tensors, t_targets)).backward()
        opt_t.step()
    for p, q in zip(arrays, tensors):
        np.testing.assert_allclose(p, q.detach().numpy(), rtol=1e-12, atol=1e-14)
    # each group has its own rate: the first parameter moved less per step than the second
    assert np.abs(arrays[0] - start[0]).max() < 20 * 0.05 + 1e-9
    assert np.abs(arrays[1] - start[1]).max() > 20 * 0.05


def test_a_schedule_changes_the_step_and_the_state_travels():
    rng = np.random.default_rng(1)
    x = [rng.standard_normal(4)]
    opt = Adam(x, 0.1)
    opt.step([np.ones(4)])
    before = x[0].copy()
    opt.param_groups[0]["lr"] = 0.0  # a schedule at its end: no movement
    opt.step([np.ones(4)])
    np.testing.assert_array_equal(x[0], before)
    copy = pickle.loads(pickle.dumps(opt))
    assert copy.state[0]["step"] == 2 and copy.param_groups[0]["lr"] == 0.0


def test_a_parameter_without_gradient_is_left_alone():
    a = torch.zeros(3, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    opt = Adam([a, b], 0.1)
    a.sum().backward()
    opt.step()
    assert torch.all(a != 0) and torch.all(b == 0) and 1 not in opt.state


def test_mismatched_states_and_gradients_are_refused():
    x = [np.zeros(3), np.zeros(2)]
    with pytest.raises(ValueError, match=r"lr must be a number or one number per parameter \(2\); got 3"):
        Adam(x, [0.1, 0.1, 0.1])
    opt = Adam(x, 0.1)
    with pytest.raises(ValueError, match=r"one gradient per parameter \(2\); got 1"):
        opt.step([np.ones(3)])
    other = Adam([np.zeros(4), np.zeros(2)], 0.1)
    other.step([np.ones(4), np.ones(2)])
    with pytest.raises(ValueError, match=r"moments of parameter 0 have shape \(4,\); the parameter has \(3,\)"):
        opt.load_state_dict(other.state_dict())
    with pytest.raises(ValueError, match="has 1 parameter groups; this optimizer has 2 parameters"):
        opt.load_state_dict(Adam([np.zeros(3)], 0.1).state_dict())
