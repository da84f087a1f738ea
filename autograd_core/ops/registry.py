"""The op registry: every public op declares, on its own definition, how it appears in the library.

Example (in an ops family file)::

    @op(inplace=True)
    def exp(input):
        \"\"\"``e ** input``, elementwise.\"\"\"
        return ExpFunction.apply(input)

That one decorator makes ``exp``

* public in its family: appended to the module's ``__all__``, so ``from .elementwise import *`` in
  ``ops/__init__.py`` gives ``autograd_core.ops.exp``;
* a top-level function, ``autograd_core.exp`` (``autograd_core/__init__.py`` exports :func:`top_level`);
* a Tensor method (``t.exp()``) and, with ``inplace=True``, an in-place one (``t.exp_()``); ``tensor_methods.py``
  attaches them from :data:`METHODS`, the only place Tensor gets op methods;
* a row the op table must cover when ``differentiable`` (``tests/test_registry.py`` fails for an op without one),
  so every differentiable op is gradchecked by construction.

Options: ``function=False`` for an op that is not a top-level function (a method only, or one that lives in
``nn.functional`` only, as ``cross_entropy``); ``method=False`` for one that is only a function
(``cat``, ``stack``); ``aliases`` for other names of the same op (``multiply`` for ``mul``), as functions and as
methods; ``differentiable=False`` for ops without a gradient (comparisons, ``argmax``, ``sign``).
A method whose signature differs from the function (``Tensor.where(condition, other)``) is registered with
:func:`tensor_method`.

Every op needs a docstring: the decorator refuses one without (``help(autograd_core.exp)`` must say something).
"""
import sys
from dataclasses import dataclass

__all__ = []   # nothing here is an op; import the decorators by name


@dataclass(frozen=True)
class OpDef:
    """What the registry knows of one public op."""
    name: str
    fn: object
    family: str            # the ops module that defines it, e.g. "elementwise"
    function: bool         # exported as autograd_core.<name>
    method: bool           # Tensor.<name>
    inplace: bool          # Tensor.<name>_
    differentiable: bool
    aliases: tuple


#: public name -> OpDef, in registration order
OPS = {}
#: Tensor method name -> (callable, is_inplace_variant_wanted)
METHODS = {}


def _family(module_name):
    return module_name.rsplit(".", 1)[-1]


def op(fn=None, *, name=None, function=True, method=True, inplace=False, differentiable=True, aliases=()):
    """Register a public op (see the module docstring); usable as ``@op`` or ``@op(...)``."""
    def register(f):
        opname = name or f.__name__
        if not (f.__doc__ or "").strip():
            raise TypeError(f"op {opname!r} ({f.__module__}) needs a docstring")
        if opname in OPS:
            raise RuntimeError(f"op {opname!r} is registered twice ({OPS[opname].fn.__module__} and {f.__module__})")
        module = sys.modules[f.__module__]
        d = OpDef(opname, f, _family(f.__module__), function, method, inplace, differentiable, tuple(aliases))
        OPS[opname] = d
        for alias in aliases:
            setattr(module, alias, f)
        exported = module.__dict__.setdefault("__all__", [])
        exported.extend(n for n in (opname,) + tuple(aliases) if n not in exported)
        if method:
            for n in (opname,) + tuple(aliases):
                _add_method(n, f, inplace)
        return f
    return register(fn) if fn is not None else register


def top_level():
    """``{name: function}`` of the ops (and aliases) registered with ``function=True``: the ops of the
    ``autograd_core`` namespace."""
    out = {}
    for d in OPS.values():
        if d.function:
            for n in (d.name,) + d.aliases:
                out[n] = d.fn
    return out


def tensor_method(name, inplace=False):
    """Register ``f(self, ...)`` as ``Tensor.<name>`` (and ``<name>_`` with ``inplace``) where the method's
    signature differs from the function of the same name."""
    def register(f):
        if not (f.__doc__ or "").strip():
            raise TypeError(f"Tensor.{name} ({f.__module__}) needs a docstring")
        _add_method(name, f, inplace)
        return f
    return register


def _add_method(name, f, inplace):
    if name in METHODS:
        raise RuntimeError(f"Tensor.{name} is registered twice ({METHODS[name][0].__module__} and {f.__module__})")
    METHODS[name] = (f, inplace)
