"""The structure the op registry promises (autograd_core/ops/registry.py): every differentiable op has an op-table
row, every Function lives in autograd_core/ops/, every ops family declares its public names, and the Tensor methods
come from the registry."""
import importlib
import inspect
import pkgutil

import pytest

import autograd_core as ag
import nn
from autograd_core import ops
from autograd_core.custom_function import FunctionCtx
from autograd_core.function import Function
from autograd_core.ops import registry
from op_table import OPS


def _all_subclasses(cls):
    out, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            out.append(sub)
            todo.append(sub)
    return out


def _import_everything():
    for pkg in (ag, nn):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if "playground_widget" in info.name or info.name.endswith("__main__"):
                continue
            importlib.import_module(info.name)


def test_every_differentiable_op_has_an_op_table_row():
    covered = {row.covers for row in OPS}
    missing = [name for name, d in registry.OPS.items() if d.differentiable and name not in covered]
    assert not missing, f"registered differentiable ops without a row in tests/op_table: {missing}"


def test_op_table_rows_name_registered_ops():
    unknown = [row.name for row in OPS if row.op is not None and row.op not in registry.OPS]
    assert not unknown, unknown


def test_every_function_lives_under_ops():
    _import_everything()
    # PyTorch-style Functions (static forward(ctx, ...), e.g. nn's backward-hook identity) are user-level code, and
    # custom_function.py holds their machinery (the ctx node, the per-output node): none of them is an op
    outside = [f"{c.__module__}.{c.__qualname__}" for c in _all_subclasses(Function)
               if not c.__module__.startswith("autograd_core.ops.") and not c.__module__.startswith("test")
               and not c.__dict__.get("_torch_style") and c.__module__ != "autograd_core.custom_function"
               and not issubclass(c, FunctionCtx)]
    assert not outside, f"Function subclasses outside autograd_core/ops/: {outside}"


def test_function_names_never_clash_with_module_names():
    _import_everything()
    modules = {c.__name__ for c in _all_subclasses(nn.Module)}
    functions = [c for c in _all_subclasses(Function) if c.__module__.startswith("autograd_core.ops.")]
    assert not [c.__name__ for c in functions if c.__name__ in modules]
    assert all(c.__name__.endswith("Function") for c in functions), [c.__name__ for c in functions]


def test_every_function_says_its_local_derivative():
    functions = [c for c in _all_subclasses(Function) if c.__module__.startswith("autograd_core.ops.")]
    assert not [c.__name__ for c in functions if not c.derivative]


@pytest.mark.parametrize("family", [m.name for m in pkgutil.iter_modules(ops.__path__) if m.name != "registry"])
def test_every_ops_family_declares_its_public_names(family):
    module = importlib.import_module(f"autograd_core.ops.{family}")
    assert isinstance(getattr(module, "__all__", None), list), f"ops/{family}.py has no __all__"
    for name in module.__all__:
        assert callable(getattr(module, name)), name
        assert name in registry.OPS or any(name in d.aliases for d in registry.OPS.values()), name


def test_registered_ops_are_documented_and_placed():
    for name, d in registry.OPS.items():
        assert (d.fn.__doc__ or "").strip(), name
        assert getattr(ops, name) is d.fn
        if d.function:
            assert getattr(ag, name) is d.fn
        if d.method:
            assert getattr(ag.Tensor, name) is d.fn
        if d.inplace:
            assert callable(getattr(ag.Tensor, name + "_"))
        for alias in d.aliases:
            assert getattr(ops, alias) is d.fn


def test_inplace_variant_writes_into_the_tensor_and_bumps_its_version():
    t = ag.tensor([1.0, 4.0, 9.0])
    v = t._version[0]
    assert t.sqrt_() is t
    assert t.tolist() == [1.0, 2.0, 3.0] and t._version[0] == v + 1


def test_registry_refuses_undocumented_and_duplicate_ops():
    with pytest.raises(TypeError, match="docstring"):
        registry.op(lambda x: x)
    with pytest.raises(RuntimeError, match="registered twice"):
        def exp(input):
            """another exp"""
        registry.op(exp)


def test_as_tensor_is_the_factory_not_an_internal_helper():
    import numpy as np
    assert ag.as_tensor([1, 2], dtype=ag.float64).dtype == np.float64
    assert ag.as_tensor(np.arange(3), ag.float64).dtype == np.float64
    a = np.arange(3.0)
    assert ag.as_tensor(a).numpy() is a                      # shares memory when no conversion is needed
    assert inspect.signature(ag.as_tensor).parameters.keys() >= {"data", "dtype"}
