"""``Module``: the base class of layers and models, with PyTorch's registration-by-assignment.

Assigning a ``Parameter``, a ``Module`` or a ``Buffer`` to an attribute registers it, so ``named_parameters()``
yields the same dotted names PyTorch would (``features.0.weight``), and ``state_dict()`` / ``load_state_dict()``
exchange weights with PyTorch models (a PyTorch state dict converted with ``.numpy()`` loads here).
"""
from collections import OrderedDict, namedtuple

import numpy as np

from autograd_core import function as _function
from autograd_core.errors import fmt_shape
from autograd_core.tensor import Tensor

from .parameter import Buffer, Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class _Handle:
    _next_id = 0

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = _Handle._next_id
        _Handle._next_id += 1

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class Module:
    """Base class for all layers and models.

    Subclasses assign parameters and sub-modules in ``__init__`` (after ``super().__init__()``) and define
    ``forward``. Calling the module runs forward hooks around ``forward``.

    Example::

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 128)
                self.fc2 = nn.Linear(128, 10)

            def forward(self, x):
                return self.fc2(F.relu(self.fc1(x)))
    """

    training = True

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments")
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"Module [{type(self).__name__}] is missing the required \"forward\" function")

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        for hook in list(self._forward_pre_hooks.values()):
            r = hook(self, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
        stack = _function._scope_stack
        stack.append(stack[-1] + (self,) if stack else (self,))
        try:
            out = self.forward(*args, **kwargs)
        finally:
            stack.pop()
        for hook in list(self._forward_hooks.values()):
            r = hook(self, args, out)
            if r is not None:
                out = r
        return out

    def register_forward_hook(self, hook):
        """``hook(module, inputs, output)`` after each forward; a non-None result replaces the output."""
        h = _Handle(self._forward_hooks)
        self._forward_hooks[h.id] = hook
        return h

    def register_forward_pre_hook(self, hook):
        """``hook(module, inputs)`` before each forward; a non-None result replaces the inputs."""
        h = _Handle(self._forward_pre_hooks)
        self._forward_pre_hooks[h.id] = hook
        return h

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        d = self.__dict__
        if "_parameters" not in d:
            if isinstance(value, (Parameter, Module)):
                raise AttributeError("cannot assign parameters or modules before Module.__init__() call")
            object.__setattr__(self, name, value)
            return
        for store in ("_parameters", "_buffers", "_modules"):
            if name in d[store] and store != self._store_for(value, name):
                del d[store][name]
        if isinstance(value, Parameter):
            if isinstance(getattr(type(self), name, None), property):  # e.g. a parametrized tensor (PyTorch's error)
                raise KeyError(f"attribute '{name}' already exists")
            d.pop(name, None)
            self._parameters[name] = value
        elif isinstance(value, Module):
            d.pop(name, None)
            self._modules[name] = value
        elif isinstance(value, Buffer):
            d.pop(name, None)
            self.register_buffer(name, Tensor._make(value._data), persistent=value.persistent)
        elif name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            self._buffers[name] = value
        elif name in self._parameters:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                f"(nn.Parameter or None expected)")
            self._parameters[name] = None
        else:
            object.__setattr__(self, name, value)

    def _store_for(self, value, name):
        if isinstance(value, Parameter):
            return "_parameters"
        if isinstance(value, Module):
            return "_modules"
        if isinstance(value, Buffer) or (name in self._buffers and (value is None or isinstance(value, Tensor))):
            return "_buffers"
        if name in self._parameters and value is None:
            return "_parameters"
        return None

    def __getattr__(self, name):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for store in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(store, {}):
                del self.__dict__[store][name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def register_parameter(self, name, param):
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            f"(nn.Parameter or None required)")
        if "." in name or name == "":
            raise KeyError(f"parameter name can't contain \".\" or be empty, got '{name}'")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """A tensor that is part of the module's state but not learnable (BatchNorm's running mean)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        if "." in name or name == "":
            raise KeyError(f"buffer name can't contain \".\" or be empty, got '{name}'")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._modules[name] = module

    register_module = add_module

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield ``(dotted_name, module)`` for this module and all below it, depth first (as PyTorch)."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is None:
                continue
            yield from m.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, store, prefix, recurse, remove_duplicate=True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mprefix, m in mods:
            for name, t in getattr(m, store).items():
                if t is None or (remove_duplicate and id(t) in seen):
                    continue
                seen.add(id(t))
                yield mprefix + ("." if mprefix else "") + name, t

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, parameter)``, names as PyTorch gives them (``layer1.0.weight``)."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target):
        m = self
        if target == "":
            return m
        for part in target.split("."):
            if part not in m._modules:
                raise AttributeError(f"{type(m).__name__} has no submodule '{part}' (looking for '{target}')")
            m = m._modules[part]
        return m

    def get_parameter(self, target):
        mod, _, name = target.rpartition(".")
        m = self.get_submodule(mod)
        if name not in m._parameters:
            raise AttributeError(f"{type(m).__name__} has no parameter '{name}'")
        return m._parameters[name]

    def num_parameters(self, trainable_only=False):
        """Number of scalar parameters (only those with requires_grad if ``trainable_only``)."""
        return int(sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only))

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = Tensor._make(np.zeros_like(p.grad._data))

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module (children first) and on self; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ dtype
    def _cast(self, dtype):
        dtype = np.dtype(dtype)
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is not None and t.dtype.kind == "f" and t.dtype != dtype:
                        t._data = t._data.astype(dtype)
                        t._bump_version()
                        if t.grad is not None:
                            t.grad = Tensor._make(t.grad._data.astype(dtype))
        return self

    def to(self, *args, **kwargs):
        """Move and/or cast the parameters and buffers, in place; returns self: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)``, ``to(tensor)``, ``to(device, non_blocking=True)``. Only floating tensors are cast
        (and only to a floating dtype); the device must be the CPU (``'cuda'`` raises RuntimeError)."""
        from autograd_core.conversion import parse_to
        _, dtype, _, _ = parse_to(args, kwargs, "Module.to()")
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")
        return self._cast(dtype) if dtype is not None else self

    def double(self):
        return self._cast(np.float64)

    def float(self):
        return self._cast(np.float32)

    def half(self):
        return self._cast(np.float16)

    def cpu(self):
        return self

    def cuda(self, device=None):
        """RuntimeError: there is no CUDA device (this engine runs on the CPU)."""
        raise RuntimeError("no CUDA device: this engine runs on the CPU")

    def share_memory(self):
        """RuntimeError: parameters are plain numpy memory of this process (``Tensor.share_memory_``), so
        Hogwild-style training, where worker processes update one shared model, is not possible here."""
        for p in self.parameters():
            p.share_memory_()
        return self

    # ------------------------------------------------------------------ state dict
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict ``dotted_name -> tensor`` of parameters and persistent buffers (detached unless
        ``keep_vars``), with PyTorch's keys."""
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` (values: Tensors, numpy arrays, or anything with
        ``__array__``). With ``strict``, missing or unexpected keys raise; shape mismatches always raise, naming the
        key and both shapes. Values are cast to each parameter's dtype."""
        for mprefix, m in self.named_modules():
            hook = getattr(m, "_lazy_load_hook", None)   # lazy modules (nn/lazy.py) take the checkpoint's shapes
            if hook is not None:
                hook(state_dict, mprefix + "." if mprefix else "")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        converted = {}
        for k, target in own.items():
            if k not in state_dict:
                continue
            v = state_dict[k]
            arr = v._data if isinstance(v, Tensor) else np.asarray(v)
            if arr.shape != target.shape:
                errors.append(f"size mismatch for {k}: copying a param with shape {fmt_shape(arr.shape)} from "
                              f"checkpoint, the shape in current model is {fmt_shape(target.shape)}.")
            converted[k] = arr
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        for k, arr in converted.items():
            target = own[k]
            new = arr.astype(target.dtype, copy=True)
            if assign:
                target._data = new
            else:
                target._data[...] = new
            target._bump_version()
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def extra_repr(self):
        """One line of the module's own settings, shown in its repr (override in layers)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        main = self._get_name() + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
