"""ONNX export: ``autograd_core.onnx.export(model, args, "model.onnx")``, as ``torch.onnx.export``.

Needs the optional ``onnx`` package (``pip install 'autograd-core[onnx]'``, which also installs ``onnxruntime``
to run the file); importing this package does not import it. See :func:`export` for the arguments and
:mod:`autograd_core.onnx.export` for how the forward pass is traced.
"""
from .errors import OnnxExporterError, UnsupportedOperatorError
from .export import TrainingMode, export, export_file
from .context import MAPPINGS

__all__ = ["export", "export_file", "TrainingMode", "OnnxExporterError", "UnsupportedOperatorError", "supported_ops"]


def supported_ops():
    """The names of the ops (``Function.op_name()``) the exporter maps to ONNX, sorted."""
    return sorted({cls.op_name() for cls in MAPPINGS})
