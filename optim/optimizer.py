"""``Optimizer``: parameter groups, per-parameter state filled lazily, and PyTorch-compatible state dicts.

Every optimizer in this package mirrors the single-tensor code path of ``torch.optim`` (PyTorch 2.13,
``_single_tensor_<name>``), with the same defaults, the same state keys and the same order of floating point
operations where it matters, so that parameter trajectories agree with PyTorch step for step.

A subclass supplies two things:

* ``__init__``: validate the hyperparameters (``ValueError("Invalid learning rate: -1")``) and pass the
  defaults dict to ``Optimizer.__init__``;
* ``_update(param, grad, state, group)``: the in-place update of one parameter, on ndarrays. ``state`` is that
  parameter's dict (empty on its first step); ``grad`` is already negated when ``group["maximize"]`` is set and
  must not be modified in place (it is the live ``.grad`` array).

``step()`` does the rest: runs the closure under ``enable_grad``, walks the groups under ``no_grad``, skips
parameters whose ``.grad`` is None and bumps each updated parameter's version counter.

The implementation flags of PyTorch's constructors are accepted where PyTorch has them, with their CPU meaning:
``foreach`` and ``fused`` only choose an implementation in PyTorch, so they are recorded and give the same
result here; ``capturable=True`` (CUDA graph capture) fails at ``step()`` as it does on a CPU in PyTorch; and
``differentiable=True`` (a step that autograd can differentiate through) is not implemented: a step that would
need it raises (see :func:`check_step_flags`).

State values are numpy arrays of the parameter's dtype and Python floats (``step``), so a state dict can be
written by a saver that refuses pickles (``np.savez`` + ``allow_pickle=False``).
"""
import warnings
from collections import defaultdict

import numpy as np

from autograd_core.errors import ShapeError, fmt_shape
from autograd_core.grad_mode import enable_grad, no_grad
from autograd_core.tensor import Tensor


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (parameter groups), each
            dict holding ``"params"`` and any hyperparameters that override ``defaults`` for that group.
        defaults: hyperparameters used by groups that do not set them.

    Attributes:
        param_groups: list of dicts with ``"params"`` (a list of Tensors) and every hyperparameter.
        state: dict keyed by parameter, holding that parameter's state dict (momentum buffers, moments, step).
    """

    # State entries that are Python numbers rather than arrays shaped like the parameter.
    _scalar_state_keys = ("step",)

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got a Tensor")
        if isinstance(params, set):  # stricter than PyTorch: parameter order must be stable for state dicts
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __repr__(self):
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key not in ("params", "param_names"))
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyperparameters (e.g. unfreezing layers while fine-tuning).

        Args:
            param_group (dict): ``"params"`` (a Tensor, or an ordered iterable of Tensors or of
                ``(name, Tensor)`` pairs) plus hyperparameters; missing ones are taken from ``defaults``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)

        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not self.defaults.get("differentiable") and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        ids = {id(p) for p in params}
        if len(ids) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
            if any(id(p) in ids for p in group["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized parameters.

        Args:
            set_to_none: set ``.grad`` to None (default). Otherwise fill the gradient arrays with zeros in place
                (a gradient that is part of a graph, from ``create_graph=True``, is detached first).
                Note that the optimizers skip a parameter whose ``.grad`` is None but do step one whose
                gradient is zero (momentum and weight decay still move it).
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if p.grad.grad_fn is not None or p.grad.requires_grad:
                    p.grad = p.grad.detach()
                p.grad.numpy().fill(0)
                p.grad._bump_version()

    # ------------------------------------------------------------------ update
    def step(self, closure=None):
        """Perform one optimization step and return the closure's loss (None without a closure).

        Args:
            closure: optional callable that re-evaluates the model (zero_grad, forward, backward) and returns the
                loss; it runs with gradient recording enabled.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._opt_called = True  # read by lr_scheduler to warn about calling it before the first step
        with no_grad():
            for group in self.param_groups:
                check_step_flags(group, type(self).__name__)
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    param = p.numpy()
                    grad = _grad_array(p, param)
                    if group.get("maximize", False):
                        grad = -grad
                    state = self.state.get(p)
                    if state is None:
                        state = {}
                    self._update(param, grad, state, group)
                    if state:  # no empty entries (plain SGD keeps no state, as in PyTorch)
                        self.state[p] = state
                    p._bump_version()
        return loss

    def _update(self, param, grad, state, group):
        """Update ``param`` (an ndarray) in place from ``grad``; fill ``state`` if it is empty."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state dicts
    def state_dict(self):
        """The optimizer's state as ``{"state": {index: {...}}, "param_groups": [{..., "params": [index]}]}``.

        As in PyTorch, parameters are numbered in the order they appear across the groups, and ``state`` holds
        an entry only for parameters that have one. Arrays are copies, so the dict is a snapshot: later steps do
        not change it.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: {k: _copy(v) for k, v in s.items()} for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a state dict made by :meth:`state_dict` (ours, or PyTorch's with tensors as values).

        The groups must match this optimizer's in number and size; saved hyperparameters replace the current
        ones. Arrays are copied and cast to their parameter's dtype; ``step``-like entries become Python floats.
        """
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, s in zip(groups, saved_groups):
            if len(g["params"]) != len(s["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        id_map = {int(i): p for s, g in zip(saved_groups, groups) for i, p in zip(s["params"], g["params"])}

        state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            key = int(key)
            if key not in id_map:
                raise KeyError(f"loaded state dict has state for parameter {key}, which is in no parameter group")
            p = id_map[key]
            state[p] = {k: self._cast_state(p, k, v) for k, v in values.items()}

        new_groups = []
        for group, saved in zip(groups, saved_groups):
            new_group = {k: v for k, v in saved.items() if k not in ("params", "param_names")}
            for name, default in self.defaults.items():
                new_group.setdefault(name, default)
            new_group["params"] = group["params"]
            if "param_names" in saved or "param_names" in group:
                new_group["param_names"] = list(saved.get("param_names", group.get("param_names")))
            new_groups.append(self._fix_loaded_group(new_group))
        self.state = state
        self.param_groups = new_groups

    def _fix_loaded_group(self, group):
        """Hook for subclasses whose loaded groups need a fixed key (AdamW's decoupled weight decay)."""
        return group

    def _cast_state(self, p, key, value):
        if key in self._scalar_state_keys:
            return float(value)
        arr = np.array(np.asarray(value), dtype=p.dtype, copy=True)  # asarray: also takes torch tensors
        if arr.shape != p.shape:
            raise ShapeError(f"load_state_dict: state '{key}' has shape {fmt_shape(arr.shape)} but its parameter "
                             f"has shape {fmt_shape(p.shape)}")
        return arr


def _grad_array(p, param):
    grad = p.grad.numpy()
    if grad.shape != param.shape:
        raise ShapeError(f"optimizer step: gradient of shape {fmt_shape(grad.shape)} for a parameter of shape "
                         f"{fmt_shape(param.shape)}")
    if grad.dtype != param.dtype:
        grad = grad.astype(param.dtype)  # compute in the parameter's dtype (float32 training stays float32)
    return grad


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):  # L-BFGS keeps lists of vectors
        return type(value)(_copy(v) for v in value)
    return value


def lerp_(start, end, weight):
    """``start += weight * (end - start)`` in place, with PyTorch's two-sided formula (``torch.lerp``) so the
    rounding matches: for ``weight >= 0.5`` it computes ``end - (end - start) * (1 - weight)``."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)
    return start


def check_lr(lr):
    """PyTorch's learning rate checks: a Tensor lr must hold one element, and lr must be >= 0."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    check_hyper("learning rate", lr)


def check_fused(fused, foreach, differentiable):
    """The constructor checks of PyTorch's ``fused=True`` (SGD, Adam, AdamW, Adagrad)."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


CAPTURABLE_DEVICES = ["cuda", "xpu", "hpu", "privateuseone", "xla"]


def check_step_flags(group, name):
    """Refuse, at ``step()``, the flags that have no CPU meaning, as PyTorch does on a CPU.

    ``capturable=True`` raises PyTorch's AssertionError (its capturable path needs an accelerator).
    ``differentiable=True`` makes PyTorch run the update under autograd: on a leaf that requires grad that is
    PyTorch's in-place error; on a non-leaf it would build a graph through the update, which this library does not
    do (NotImplementedError rather than a step that silently cuts the graph). Parameters that require no grad
    are updated as usual.
    """
    with_grad = [p for p in group["params"] if p.grad is not None]
    if not with_grad:
        return
    if group.get("capturable", False):
        raise AssertionError(f"If capturable=True, params and state_steps must be on supported devices: "
                             f"{CAPTURABLE_DEVICES}.")
    if group.get("differentiable", False):
        for p in with_grad:
            if p.requires_grad and p.is_leaf:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            if p.requires_grad:
                raise NotImplementedError(f"{name}(differentiable=True): differentiating through the optimizer "
                                          "step is not supported; use differentiable=False")


def check_hyper(name, value, low=0.0, high=None, high_inclusive=False):
    """Raise PyTorch's ``ValueError(f"Invalid {name}: {value}")`` when ``value`` is outside ``[low, high)``."""
    bad = not value >= low
    if high is not None:
        bad = bad or (value > high if high_inclusive else value >= high)
    if bad:
        raise ValueError(f"Invalid {name}: {value}")
