"""Inference tensors, as PyTorch's: a tensor made inside ``inference_mode`` reports ``is_inference()``; outside
inference mode it cannot be changed in place (even under ``no_grad``) or be given ``requires_grad``. ``detach()``
keeps the mark; ``clone()`` outside inference mode makes a normal tensor."""
import threading

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import grad_mode

torch = pytest.importorskip("torch")


def _made_inside(lib):
    with lib.inference_mode():
        return lib.ones(3)


def _error(fn):
    try:
        fn()
    except RuntimeError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("factory", ["ones", "zeros", "randn", "tensor"])
def test_factories_inside_inference_mode_make_inference_tensors(factory):
    def make(lib):
        f = getattr(lib, factory)
        return f([1.0, 2.0]) if factory == "tensor" else f(2)
    for lib in (ag, torch):
        with lib.inference_mode():
            inside = make(lib)
        assert inside.is_inference()
        assert not make(lib).is_inference()
        with lib.inference_mode(False):
            assert not make(lib).is_inference()
        with lib.no_grad():
            assert not make(lib).is_inference()


@pytest.mark.parametrize("change", ["add_", "zero_", "setitem", "fill_", "mul_operator"])
def test_inplace_outside_inference_mode_is_refused(change):
    def run(lib):
        t = _made_inside(lib)
        if change == "add_":
            t.add_(1)
        elif change == "zero_":
            t.zero_()
        elif change == "setitem":
            t[0] = 5.0
        elif change == "fill_":
            t.fill_(2.0)
        else:
            t *= 2
    ours, theirs = _error(lambda: run(ag)), _error(lambda: run(torch))
    assert theirs is not None and ours == theirs
    with ag.no_grad():                                  # no_grad is not inference mode: still refused
        assert _error(lambda: run(ag)) == theirs


def test_inplace_inside_inference_mode_is_allowed():
    for lib in (ag, torch):
        with lib.inference_mode():
            t = lib.ones(3)
            t.add_(1)
            t[0] = 5.0
        np.testing.assert_array_equal(np.asarray(t.tolist()), [5.0, 2.0, 2.0])
    normal = ag.ones(2)
    with ag.inference_mode():
        normal.add_(1)                                  # a normal tensor may change inside inference mode
    assert not normal.is_inference()


def test_requires_grad_outside_inference_mode_is_refused():
    for lib in (ag, torch):
        with lib.inference_mode():
            t = lib.ones(3)
            t.requires_grad_()                          # allowed inside
            assert t.requires_grad
            t.requires_grad_(False)
    ours = _error(lambda: _made_inside(ag).requires_grad_())
    assert ours is not None and ours == _error(lambda: _made_inside(torch).requires_grad_())


def test_detach_keeps_the_mark_clone_outside_drops_it():
    for lib in (ag, torch):
        t = _made_inside(lib)
        assert t.detach().is_inference()
        c = t.clone()
        assert not c.is_inference()
        c.add_(1)                                       # a clone is a normal tensor
        assert (t * 2).tolist() == [2.0, 2.0, 2.0]      # using it out of place is fine


def test_inference_mode_is_per_thread():
    seen = {}

    def worker():
        seen["other"] = ag.ones(1).is_inference()

    with ag.inference_mode():
        th = threading.Thread(target=worker)
        th.start()
        th.join()
        seen["here"] = ag.ones(1).is_inference()
    assert seen == {"other": False, "here": True}


def test_saved_inference_tensor_check_gives_pytorch_message():
    # the check the recording hook uses (grad_mode.check_inference_saved): PyTorch's message
    t = _made_inside(ag)
    with pytest.raises(RuntimeError) as ours:
        grad_mode.check_inference_saved((ag.ones(1), t))
    grad_mode.check_inference_saved((ag.ones(1), None))
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError) as theirs:
        _made_inside(torch) * w
    assert str(ours.value) == str(theirs.value)


# ------------------------------------------------------------------ what needs the Function.apply hook (see README)


def test_op_results_inside_inference_mode_are_inference_tensors():
    for lib in (ag, torch):
        normal = lib.ones(3)
        with lib.inference_mode():
            assert (normal * 2).is_inference()
            assert not normal[0:2].is_inference()      # a view of a normal tensor stays normal, as PyTorch
            assert lib.ones(3).reshape(3, 1).is_inference()


def test_saving_an_inference_tensor_for_backward_is_refused():
    for lib in (ag, torch):
        with lib.inference_mode():
            u = lib.ones(3) * 2
        w = lib.ones(3, requires_grad=True)
        (u + w).sum().backward()                       # add saves nothing: allowed
        with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
            u * w
