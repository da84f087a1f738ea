"""``export(model, args, f, ...)``: ``torch.onnx.export`` for models of this library.

How it works:

1. The model runs forward once on ``args`` (in eval mode, without recording a graph) while a
   :class:`~.trace.Tracer` records every op (``Function.apply``'s tracing hook).
2. It runs once more on fresh random inputs of the same dtypes, larger along the ``dynamic_axes``. The two traces
   must be the same program (a Python branch or loop that depends on the input makes them differ, and the export
   refuses); comparing them tells which sizes and constants depend on the input (:mod:`.context`).
3. Each record is mapped to ONNX nodes (the tables in :mod:`.ops_math`, :mod:`.ops_shape`, :mod:`.ops_nn`,
   :mod:`.ops_recurrent`); parameters and buffers become initializers named by their ``state_dict`` keys. An op
   without a mapping raises :class:`~.errors.UnsupportedOperatorError` naming it and the module it was met in.
"""
import enum
import inspect
import os
import warnings

import numpy as np

from .. import grad_mode
from ..tensor import Tensor
from . import ops_math, ops_more, ops_nn, ops_recurrent, ops_shape  # noqa: F401  (they fill MAPPINGS)
from .context import MAPPINGS, Context
from .errors import OnnxExporterError, UnsupportedOperatorError
from .trace import Tracer

__all__ = ["export", "export_file", "TrainingMode"]

DEFAULT_OPSET = 17
MIN_OPSET = 13


class TrainingMode(enum.IntEnum):
    """``torch.onnx.TrainingMode``: export in eval mode (the default), as the model is, or in training mode."""
    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("autograd_core.onnx.export needs the 'onnx' package: pip install onnx "
                          "(or pip install 'autograd-core[onnx]')") from None
    return onnx


def _split_args(args):
    if isinstance(args, Tensor):
        args, kwargs = (args,), {}
    else:
        args = tuple(args)
        kwargs = {}
        if args and isinstance(args[-1], dict):
            args, kwargs = args[:-1], dict(args[-1])
    for i, a in enumerate(list(args) + list(kwargs.values())):
        if not isinstance(a, Tensor):
            raise TypeError(f"ONNX export: the model's inputs must be Tensors, got {type(a).__name__} (input {i})")
    return args, kwargs


def _input_names(model, args, kwargs, input_names):
    names = list(input_names or [])
    if len(names) > len(args) + len(kwargs):
        raise ValueError(f"ONNX export: {len(names)} input_names given for {len(args) + len(kwargs)} inputs")
    defaults = []
    try:
        params = [p.name for p in inspect.signature(getattr(model, "forward", model)).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    for i in range(len(args)):
        defaults.append(params[i] if i < len(params) else f"input_{i}")
    defaults += list(kwargs)
    return names + defaults[len(names):]


def _dynamic(dynamic_axes, input_names, output_names):
    """``{name: {axis: dim_param}}`` from torch's two spellings (a list of axes gets generated names)."""
    out = {}
    known = set(input_names) | set(output_names)
    for name, axes in (dynamic_axes or {}).items():
        if name not in known:
            raise ValueError(f"ONNX export: dynamic_axes names {name!r}, which is neither an input nor an output "
                             f"name (inputs {input_names}, outputs {output_names})")
        if isinstance(axes, dict):
            out[name] = {int(a): str(d) for a, d in axes.items()}
        else:
            out[name] = {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}
    return out


def _fresh_inputs(args, names, dynamic, rng):
    """Random inputs of the same dtypes; each dynamic dim name gets its own growth factor (2, 3, ...)."""
    factors = {}
    out = []
    seen = {}
    for t, name in zip(args, names):
        if id(t) in seen:              # the same tensor passed twice stays one tensor
            out.append(seen[id(t)])
            continue
        a = t._data
        shape = list(a.shape)
        for ax, sym in dynamic.get(name, {}).items():
            ax = ax % max(a.ndim, 1)
            if sym not in factors:
                factors[sym] = len(factors) + 2
            shape[ax] = shape[ax] * factors[sym] if shape[ax] else factors[sym]
        if a.dtype.kind == "f":
            mean, std = (float(a.mean()), float(a.std())) if a.size else (0.0, 1.0)
            b = (rng.standard_normal(shape) * (std or 1.0) + mean).astype(a.dtype)
        elif a.dtype.kind in "iu":
            lo, hi = (int(a.min()), int(a.max())) if a.size else (0, 1)
            b = rng.integers(lo, hi + 1, size=shape).astype(a.dtype)
            if hi > lo and a.shape == tuple(shape) and np.array_equal(a, b):
                b = np.where(b == lo, hi, lo).astype(a.dtype)
        elif a.dtype.kind == "b":
            b = rng.random(shape) < 0.5
        else:
            raise TypeError(f"ONNX export: input {name!r} has dtype {a.dtype}, which the exporter does not support")
        out.append(Tensor._make(b))
        seen[id(t)] = out[-1]
    return out


def _trace(model, args, kwargs, named):
    with grad_mode.no_grad(), Tracer(list(args) + list(kwargs.values()), named) as tr:
        out = model(*args, **kwargs)
    return tr, out


def _flatten(out, acc):
    if isinstance(out, Tensor):
        acc.append(out)
    elif isinstance(out, (tuple, list)):
        for o in out:
            _flatten(o, acc)
    elif isinstance(out, dict):
        for o in out.values():
            _flatten(o, acc)
    elif out is not None:
        raise TypeError(f"ONNX export: the model returned a {type(out).__name__}; outputs must be Tensors "
                        f"(or tuples, lists, dicts of them)")
    return acc


def _key(v):
    return (v.kind, v.record if v.kind == "op" else v.index if v.kind == "input" else v.name)


def _align(tr1, out1, tr2, out2):
    """Pair the two traces op by op, or raise: they must be the same program."""
    if len(tr1.records) != len(tr2.records):
        raise OnnxExporterError(
            f"ONNX export: the model runs a different number of ops ({len(tr1.records)} and {len(tr2.records)}) on "
            f"inputs of other sizes or values: its Python code branches or loops on the input (over a dynamic "
            f"axis, or on values); export with fewer dynamic_axes or make the computation independent of them")
    for r1, r2 in zip(tr1.records, tr2.records):
        same = r1.cls is r2.cls and len(r1.inputs) == len(r2.inputs)
        if same:
            for a, b in zip(r1.inputs, r2.inputs):
                if a.kind == "const" and b.kind == "const":
                    a.twin = b
                elif _key(a) != _key(b):
                    same = False
            va, vb = list(r1.arrays.values()), list(r2.arrays.values())
            same = same and [_key(v) for v in va] == [_key(v) for v in vb]
        if not same:
            raise OnnxExporterError(
                f"ONNX export: the model runs different ops on inputs of other sizes or values (op {r1.index}: "
                f"{r1.cls.__name__} then {r2.cls.__name__}, or other inputs): its Python code branches on the input")
        r1.twin = r2
        r1.out.twin = r2.out
    for a, b in zip(tr1.inputs, tr2.inputs):
        a.twin = b
    o1, o2 = _flatten(out1, []), _flatten(out2, [])
    if len(o1) != len(o2):
        raise OnnxExporterError("ONNX export: the model returns a different number of outputs on other inputs")
    return o1, o2


def export(model, args=(), f=None, export_params=True, verbose=False, training=TrainingMode.EVAL, input_names=None,
           output_names=None, operator_export_type=None, opset_version=None, do_constant_folding=True,
           dynamic_axes=None, keep_initializers_as_inputs=None, custom_opsets=None,
           export_modules_as_functions=False, autograd_inlining=True, *, kwargs=None, dynamo=False,
           external_data=True, dynamic_shapes=None, custom_translation_table=None, report=False, optimize=True,
           verify=False, profile=False, dump_exported_program=False, artifacts_dir=".", fallback=False):
    """Export ``model`` to the ONNX file ``f`` (a path or a binary file object), as ``torch.onnx.export``.

    Args:
        model: an ``nn.Module`` (or a callable taking and returning Tensors).
        args: a Tensor, or a tuple of Tensors (a trailing dict is passed as keyword arguments), the example
            inputs of one forward pass.
        export_params: store the parameters in the file (as initializers named by their ``state_dict`` keys);
            False makes them graph inputs of those names.
        verbose: print the graph.
        training: ``TrainingMode.EVAL`` (default: the model runs in eval mode during the export, then its mode is
            restored) or ``PRESERVE``; ``TRAINING`` is not supported.
        input_names, output_names: names of the graph's inputs and outputs, in order (default: the forward's
            argument names, and ``output`` / ``output_1``...).
        opset_version: the ONNX opset (default 17, 13 at least).
        dynamic_axes: ``{name: [axes]}`` or ``{name: {axis: "dim_name"}}``: those dims are symbolic; the graph
            computes every size that depends on them, so the model runs at other sizes.
        do_constant_folding: constant subexpressions are always folded; kept for PyTorch's signature.
        keep_initializers_as_inputs: also list the parameters as (optional) graph inputs.
        dynamo: accepted for PyTorch's signature; the same exporter runs either way.
        verify: run the written graph with ONNX Runtime on the example inputs and on the second trace's random
            inputs, and raise ``OnnxExporterError`` unless it reproduces the model's outputs (rtol 1e-3,
            atol 1e-4); needs ``onnxruntime``.

    Returns None, or the ``onnx.ModelProto`` when ``f`` is None (PyTorch returns its ``ONNXProgram`` then).

    ``kwargs`` (keyword inputs of the forward) work as a trailing dict in ``args``. ``dynamic_shapes`` (the
    torch.export spelling) is refused: use ``dynamic_axes``. ``operator_export_type``, ``custom_opsets``,
    ``export_modules_as_functions``, ``autograd_inlining``, ``external_data``, ``custom_translation_table``,
    ``report``, ``optimize``, ``profile``, ``dump_exported_program``, ``artifacts_dir`` and ``fallback`` are
    accepted for PyTorch's signature and have no effect here.

    Raises:
        UnsupportedOperatorError: an op of the forward pass has no ONNX mapping (the message names it and the
            module where it was met).
        OnnxExporterError: the forward pass cannot be exported faithfully (an in-place change, a value computed
            outside the recorded ops that depends on the input, Python control flow on the input).
    """
    onnx = _onnx()
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(f"ONNX export: opset_version must be between {MIN_OPSET} and "
                         f"{onnx.defs.onnx_opset_version()}, got {opset_version}")
    if training == TrainingMode.TRAINING:
        raise OnnxExporterError("ONNX export: training=TrainingMode.TRAINING is not supported; export in eval mode")
    if dynamic_shapes is not None:
        raise ValueError("ONNX export: dynamic_shapes (torch.export's spelling) is not supported; give dynamic_axes "
                         "({input_name: {axis: 'dim_name'}}) instead")
    if verify and not export_params:
        raise ValueError("ONNX export: verify=True needs export_params=True (the parameters are not in the file)")
    extra = kwargs
    args, kwargs = _split_args(args)
    for name, value in (extra or {}).items():
        if not isinstance(value, Tensor):
            raise TypeError(f"ONNX export: the model's inputs must be Tensors, got {type(value).__name__} "
                            f"(keyword input {name!r})")
        kwargs[name] = value
    names_in = _input_names(model, args, kwargs, input_names)
    has_mode = hasattr(model, "training") and hasattr(model, "train")
    was_training = model.training if has_mode else False
    if has_mode and training == TrainingMode.EVAL:
        model.train(False)
    try:
        named = []
        if hasattr(model, "named_parameters"):
            named = list(model.named_parameters()) + list(model.named_buffers())
        tr1, out1 = _trace(model, args, kwargs, named)
        o_count = len(_flatten(out1, []))
        names_out = list(output_names or [])
        if len(names_out) > o_count:
            raise ValueError(f"ONNX export: {len(names_out)} output_names given for {o_count} outputs")
        names_out += (["output"] if o_count == 1 else [f"output_{i}" for i in range(o_count)])[len(names_out):]
        dyn = _dynamic(dynamic_axes, names_in, names_out)
        fresh = _fresh_inputs(list(args) + list(kwargs.values()), names_in, dyn, np.random.default_rng(0x0FF1CE))
        with warnings.catch_warnings(), np.errstate(all="ignore"):    # random inputs: the user saw trace 1's
            warnings.simplefilter("ignore")
            try:
                tr2, out2 = _trace(model, fresh[:len(args)], dict(zip(kwargs, fresh[len(args):])), named)
            except Exception as exc:
                raise OnnxExporterError(
                    f"ONNX export: the exporter runs the model a second time, on random inputs of the same dtypes "
                    f"and value ranges{' enlarged along the dynamic_axes' if dyn else ''} (shapes "
                    f"{[tuple(t.shape) for t in fresh]}), to find what depends on the input; the model failed there "
                    f"({type(exc).__name__}: {exc}). Export with fewer dynamic_axes, or make the forward accept "
                    f"such inputs") from exc
    finally:
        if has_mode and model.training != was_training:
            model.train(was_training)
    o1, o2 = _align(tr1, out1, tr2, out2)
    module_names = {id(m): n for n, m in model.named_modules()} if hasattr(model, "named_modules") else {}
    proto = _build(onnx, opset, tr1, tr2, o1, o2, names_in, names_out, dyn, module_names, export_params,
                   bool(keep_initializers_as_inputs))
    data = proto.SerializeToString()
    if verify:
        _verify(data, [(tr1, o1), (tr2, o2)], names_in, names_out)
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    if f is None:
        return proto
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(data)
    else:
        f.write(data)
    return None


def export_file(model, example, out_dir, name="model.onnx"):
    """Write ``model`` to ``out_dir/model.onnx`` for a batch like ``example`` (input ``input``, output
    ``logits``, the batch dim dynamic); returns the path. What ``autograd-train --export-onnx`` calls."""
    path = os.path.join(out_dir, name)
    export(model, (example,), path, input_names=["input"], output_names=["logits"],
           dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return path


def _verify(data, runs, names_in, names_out):
    try:
        import onnxruntime
    except ImportError:
        raise ImportError("ONNX export: verify=True needs onnxruntime: pip install onnxruntime") from None
    opts = onnxruntime.SessionOptions()
    opts.log_severity_level = 3
    sess = onnxruntime.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
    used = {i.name for i in sess.get_inputs()}
    for tr, outs in runs:
        feeds = {n: v.tensor._data for n, v in zip(names_in, tr.inputs) if n in used}
        got = sess.run(names_out, feeds)
        for name, g, t in zip(names_out, got, outs):
            ref = t._data
            if g.shape != ref.shape or not np.allclose(g, ref, rtol=1e-3, atol=1e-4, equal_nan=True):
                diff = np.abs(g - ref).max() if g.shape == ref.shape else f"shape {g.shape} vs {ref.shape}"
                raise OnnxExporterError(f"ONNX export: verify: ONNX Runtime's {name!r} differs from the model's "
                                        f"(max difference {diff}) on inputs of shapes "
                                        f"{[a.shape for a in feeds.values()]}")


def _value_info(onnx, ctx, name, v, dyn_names):
    dims = []
    for ax, (a, b) in enumerate(Context.dims(v)):
        if ax in dyn_names:
            dims.append(dyn_names[ax])
        elif a != b:
            dims.append(f"{name}_dim_{ax}")
        else:
            dims.append(a)
    return onnx.helper.make_tensor_value_info(name, ctx.tensor_type(v.dtype), dims)


def _build(onnx, opset, tr1, tr2, o1, o2, names_in, names_out, dyn, module_names, export_params, keep_inputs):
    ctx = Context(onnx, opset, module_names)
    g = ctx.g
    inputs, initializers_as_inputs = [], []
    for v, name in zip(tr1.inputs, names_in):
        ctx.names[id(v)] = g.reserve(name)
        inputs.append(_value_info(onnx, ctx, name, v, dyn.get(name, {})))
        for ax in sorted(dyn.get(name, {})):
            ctx.sources.append((v, ax % max(len(v.shape), 1)))
    for name in names_out:
        g.reserve(name)
    # unsupported ops: one error naming them all
    missing = {}
    for r in tr1.records:
        if r.out.kind != "const" and r.cls not in MAPPINGS:
            missing.setdefault(r.cls, r)
    if missing:
        first = next(iter(missing.values()))
        others = [f"'{c.op_name()}' ({c.__name__}, in {ctx.scope_name(r.scope)})" for c, r in missing.items()]
        raise UnsupportedOperatorError(
            f"ONNX export: no ONNX mapping for {ctx.describe(first)}"
            + (f"; also unsupported: {', '.join(others[1:])}" if len(others) > 1 else "")
            + ". Supported ops are listed by autograd_core.onnx.supported_ops()")
    # the parameters used, named first (no generated name may take a state_dict key)
    params = {}
    used = [v for r in tr1.records if r.out.kind != "const" for v in list(r.inputs) + list(r.arrays.values())]
    for v in used + [_out_value(tr1, t) for t in o1]:
        if v.kind == "param" and id(v) not in ctx.names:
            ctx.names[id(v)] = g.reserve(v.name)
            params[v.name] = v
    mapped = []
    for r in tr1.records:
        if r.out.kind == "const":
            continue
        fn, dynamic, ignore = MAPPINGS[r.cls]
        ctx.where = ctx.describe(r)
        ctx.check_kwargs(r, dynamic, ignore)
        ctx.names[id(r.out)] = fn(ctx, r)
        mapped.append(r)
    ctx.where = "the model's outputs"
    outputs = []
    for i, (v, w, name) in enumerate(zip(o1, o2, names_out)):
        val = _out_value(tr1, v)
        val.twin = _out_value(tr2, w)
        src = ctx.name(val)
        g.nodes.append(onnx.helper.make_node("Identity", [src], [name], name=g.fresh("n_output")))
        outputs.append(_value_info(onnx, ctx, name, val, dyn.get(name, {})))
    for name, v in params.items():
        arr = np.asarray(v.tensor._data)
        if export_params:
            g.initializer(arr, name)
            if keep_inputs:
                initializers_as_inputs.append(onnx.helper.make_tensor_value_info(name, ctx.tensor_type(arr.dtype),
                                                                                 list(arr.shape)))
        else:
            inputs.append(onnx.helper.make_tensor_value_info(name, ctx.tensor_type(arr.dtype), list(arr.shape)))
    graph = onnx.helper.make_graph(g.nodes, "main_graph", inputs + initializers_as_inputs, outputs,
                                   initializer=g.initializers)
    opsets = [onnx.helper.make_opsetid("", opset)]
    model = onnx.helper.make_model(graph, opset_imports=opsets, producer_name="autograd_core")
    model.ir_version = onnx.helper.find_min_ir_version_for(opsets)
    _check_shapes(onnx, model, ctx, mapped)
    return model


def _check_shapes(onnx, model, ctx, records):
    """ONNX's shape inference must give every mapped op the shape and dtype the model computed (a safety net
    under the mappings: a disagreement is a bug of the exporter, reported instead of written)."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception as exc:          # inference itself failed: the checker / runtime will say more
        raise OnnxExporterError(f"ONNX export: ONNX shape inference rejects the graph ({exc})") from None
    types = {vi.name: vi.type.tensor_type for vi in list(inferred.graph.value_info) + list(inferred.graph.output)}
    for r in records:
        t = types.get(ctx.names.get(id(r.out)))
        if t is None:
            continue
        want = ctx.tensor_type(r.out.dtype)
        bad = t.elem_type not in (0, want)
        if t.HasField("shape"):
            dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
            pairs = Context.dims(r.out)
            bad = bad or len(dims) != len(pairs) or any(d is not None and a == b and d != a
                                                       for d, (a, b) in zip(dims, pairs))
        else:
            dims = "?"
        if bad:
            raise OnnxExporterError(
                f"ONNX export: internal error: the ONNX graph for {ctx.describe(r)} has shape {dims} and type "
                f"{t.elem_type}, where the model computes {r.out.shape} {r.out.dtype}; this is a bug of the exporter")


def _out_value(tr, t):
    return tr.value_of(t, "the model's output")
