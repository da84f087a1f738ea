"""The exporter's errors, under the names of ``torch.onnx.errors``."""

__all__ = ["OnnxExporterError", "UnsupportedOperatorError"]


class OnnxExporterError(RuntimeError):
    """The model cannot be exported as it is (the message says why and where)."""


class UnsupportedOperatorError(OnnxExporterError):
    """An op of the traced forward pass has no ONNX mapping; the message names the op and the module where it was
    met."""
