"""``set_printoptions``: how tensors print (``repr``), as ``torch.set_printoptions``.

The defaults are this library's: 4 digits, summarised above 200 elements with 3 items at each edge, numpy's line
width. ``profile='default' | 'short' | 'full'`` are PyTorch's presets ('full' never summarises).
"""
import math

_DEFAULTS = {"precision": 4, "threshold": 200, "edgeitems": 3, "linewidth": None}
_PROFILES = {"default": dict(_DEFAULTS), "short": {"precision": 2, "threshold": 200, "edgeitems": 2,
                                                   "linewidth": None},
             "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": None}}
_options = dict(_DEFAULTS)


def _count(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum or value != value:
        raise ValueError(f"set_printoptions: {name} must be a number >= {minimum}, got {value!r}")
    return value


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set how tensors print: ``precision`` (digits after the point), ``threshold`` (more elements than this are
    summarised), ``edgeitems`` (items kept at each edge when summarised), ``linewidth`` (characters per line),
    ``profile`` (a preset: ``'default'``, ``'short'``, ``'full'``; the other arguments then adjust it).
    ``sci_mode`` is not supported (numpy chooses scientific notation by itself) and raises if given."""
    if sci_mode is not None:
        raise NotImplementedError("set_printoptions: sci_mode is not supported here (numpy chooses scientific "
                                  "notation by itself)")
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        _options.update(_PROFILES[profile])
    if precision is not None:
        _options["precision"] = int(_count("precision", precision, 0))
    if threshold is not None:
        _options["threshold"] = _count("threshold", threshold, 0)
    if edgeitems is not None:
        _options["edgeitems"] = int(_count("edgeitems", edgeitems, 1))
    if linewidth is not None:
        _options["linewidth"] = int(_count("linewidth", linewidth, 1))


def array2string_options():
    """The keyword arguments ``numpy.array2string`` prints a tensor with."""
    opts = {"precision": _options["precision"], "edgeitems": _options["edgeitems"],
            "threshold": _options["threshold"] if math.isfinite(_options["threshold"]) else 2 ** 62}
    if _options["linewidth"] is not None:
        opts["max_line_width"] = _options["linewidth"]
    return opts
