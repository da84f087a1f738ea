"""Helpers shared by tests/test_attention.py and tests/test_transformer.py: run one of our modules and its PyTorch
twin (same ``state_dict``) on the same inputs and compare outputs, attention weights and all gradients."""
import numpy as np

import autograd_core as ag


def load_from_torch(ours, theirs):
    """Load PyTorch's state_dict into our module strictly (as numpy arrays); returns ours."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()}, strict=True)
    return ours


def as_pair(torch, a, requires_grad=False):
    """A numpy array (or None) as (ours, torch's) tensors."""
    if a is None:
        return None, None
    return ag.tensor(a.copy(), requires_grad=requires_grad), torch.tensor(a.copy(), requires_grad=requires_grad)


def _outputs(result):
    items = result if isinstance(result, tuple) else (result,)
    return [r for r in items if r is not None]


def _close(a, b, atol, what):
    a = np.asarray(a)
    b = np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs torch {b.shape}"
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{what}: NaN positions differ")
    np.testing.assert_allclose(np.nan_to_num(a), np.nan_to_num(b), atol=atol, rtol=atol, err_msg=what)


def compare_modules(torch, ours, theirs, inputs, kwargs=None, atol=1e-10, grad=True, same_input=False, seed=3):
    """Call both modules on ``inputs`` (numpy arrays; ``same_input``: pass one tensor three times, as
    self-attention does) with ``kwargs`` (numpy arrays become tensors of both libraries); compare every output
    and, with ``grad``, the gradients of the inputs and of every parameter after a random weighted sum."""
    kwargs = kwargs or {}
    pairs = [as_pair(torch, a, requires_grad=grad) for a in inputs]
    ours_in = [p[0] for p in pairs]
    torch_in = [p[1] for p in pairs]
    if same_input:
        ours_in, torch_in = ours_in * 3, torch_in * 3
    okw, tkw = {}, {}
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            okw[k], tkw[k] = as_pair(torch, v)
        else:
            okw[k] = tkw[k] = v
    if grad:
        mine, ref = ours(*ours_in, **okw), theirs(*torch_in, **tkw)
    else:
        with ag.no_grad():
            mine = ours(*ours_in, **okw)
        with torch.no_grad():
            ref = theirs(*torch_in, **tkw)
    mine, ref = _outputs(mine), _outputs(ref)
    assert len(mine) == len(ref)
    for i, (a, b) in enumerate(zip(mine, ref)):
        _close(a.numpy(), b.detach().numpy(), atol, f"output {i}")
    if not grad:
        return
    rng = np.random.default_rng(seed)
    total_o, total_t = None, None
    for a, b in zip(mine, ref):
        assert not np.isnan(a.numpy()).any(), "compare NaN outputs with grad=False"
        w = rng.standard_normal(a.shape)
        to = (a * ag.tensor(w.astype(a.numpy().dtype))).sum()
        tt = (b * torch.tensor(w.astype(a.numpy().dtype))).sum()
        total_o = to if total_o is None else total_o + to
        total_t = tt if total_t is None else total_t + tt
    total_o.backward()
    total_t.backward()
    for i, (o, t) in enumerate(pairs):
        if t.grad is not None:
            assert o.grad is not None, f"input {i} got no gradient"
            _close(o.grad.numpy(), t.grad.numpy(), atol, f"gradient of input {i}")
    ours_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        if p.grad is None:
            assert ours_params[name].grad is None or not np.any(ours_params[name].grad.numpy()), name
            continue
        assert ours_params[name].grad is not None, f"{name} got no gradient"
        _close(ours_params[name].grad.numpy(), p.grad.numpy(), atol, f"gradient of {name}")
