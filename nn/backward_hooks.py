"""Module backward hooks (``register_full_backward_hook`` / ``register_full_backward_pre_hook``), PyTorch's way.

While a module with backward hooks runs, its tensor inputs and its tensor outputs each pass through one identity
node (a PyTorch-style ``autograd.Function`` with as many outputs as inputs). In backward, the outputs' node sees
``grad_output`` (all of it at once) and runs the pre-hooks, ``hook(module, grad_output)``, which may return a
replacement; the inputs' node then sees ``grad_input`` and runs the hooks, ``hook(module, grad_input,
grad_output)``, which may return a replacement for ``grad_input``. When no input requires grad, the hooks run at
the outputs' node with ``grad_input`` all None, as in PyTorch.
"""
from autograd_core.autograd import Function
from autograd_core.grad_mode import is_grad_enabled
from autograd_core.tensor import Tensor


class _BackwardHookFunction(Function):
    """Identity on several tensors; its backward hands the gradients to ``ctx.on_grads``."""

    @staticmethod
    def forward(ctx, on_grads, *tensors):
        ctx.on_grads = on_grads
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grads(grads))


def _check(result, n, what):
    if result is None:
        return None
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != n:
        raise RuntimeError(f"Backward hook returned an invalid number of {what} (got {len(result)}, but expected "
                           f"{n})")
    return result


class BackwardHookState:
    """One call of a module with backward hooks: wraps its inputs and outputs, runs the hooks in backward."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, list(hooks), list(pre_hooks)
        self.n_inputs = 0
        self.inputs_wrapped = False
        self.grad_output = None

    def _wrap(self, values, on_grads):
        """Pass the tensors among ``values`` through one identity node; returns ``values`` with them replaced."""
        pos = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        tensors = [values[i] for i in pos]
        if not any(t.requires_grad for t in tensors) or not is_grad_enabled():
            return values, len(tensors), False
        outs = _BackwardHookFunction.apply(on_grads, *tensors)
        values = list(values)
        for i, o in zip(pos, outs):
            values[i] = o
        return values, len(tensors), True

    def setup_inputs(self, args):
        if not self.hooks:
            return args
        args, self.n_inputs, self.inputs_wrapped = self._wrap(args, self._on_grad_input)
        return tuple(args)

    def setup_outputs(self, out):
        single = isinstance(out, Tensor)
        values = [out] if single else list(out) if isinstance(out, (tuple, list)) else None
        if values is None:
            return out
        wrapped, _, _ = self._wrap(values, self._on_grad_output)
        if single:
            return wrapped[0]
        return type(out)(wrapped)

    def _on_grad_output(self, grads):
        for hook in self.pre_hooks:
            r = _check(hook(self.module, grads), len(grads), "grad_output")
            if r is not None:
                grads = r
        self.grad_output = grads
        if self.hooks and not self.inputs_wrapped:      # no input needs a gradient: call the hooks now
            for hook in self.hooks:
                hook(self.module, (None,) * self.n_inputs, grads)
        return grads

    def _on_grad_input(self, grads):
        for hook in self.hooks:
            r = _check(hook(self.module, grads, self.grad_output), len(grads), "grad_input")
            if r is not None:
                grads = r
        return grads
