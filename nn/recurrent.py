"""Recurrent layers with PyTorch's signatures, shapes, parameter names, gate orders and initialization.

Cells (one time step): ``RNNCell``, ``LSTMCell``, ``GRUCell``. Sequence layers: ``RNN``, ``LSTM``, ``GRU``
(multi-layer, bidirectional, ``batch_first``, unbatched 2-D input, dropout between layers, packed sequences).
A PyTorch ``state_dict`` converted with ``.numpy()`` loads unchanged and gives the same outputs and gradients.

Every module takes ``fused`` (keyword only, default True):

* ``fused=True`` runs each layer and direction as ONE graph node (``autograd_core.ops.recurrent.FusedLSTMFunction``...):
  the input projection of all time steps is one matmul, each step one matmul for all gates, and backward gets the
  weight gradients from single big matmuls. Fast, and any sequence length is safe for the (iterative) engine.
* ``fused=False`` composes the plain cells (``lstm_cell``...: matmul, sigmoid, tanh, chunk) step by step: the
  textbook graph, slower, differentiable to any order (``create_graph=True``), and the tests' oracle.

Variable lengths: pass a :class:`nn.utils.rnn.PackedSequence` (see ``nn/utils/rnn.py``).
"""
import math
import numbers
import warnings

import numpy as np

from autograd_core import dtypes, ops
from autograd_core.device import check_device
from autograd_core.errors import ArgumentError, ShapeError, fmt_shape
from autograd_core.ops import recurrent as R
from autograd_core.tensor import Tensor

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter
from autograd_core.ops.packing import PackPaddedSequenceFunction, PadPackedSequenceFunction

from .utils.rnn import PackedSequence, _as_index_array

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "RNNBase", "RNNCellBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_FUSED = {"RNN_TANH": R.FusedRNNFunction, "RNN_RELU": R.FusedRNNFunction, "LSTM": R.FusedLSTMFunction,
          "GRU": R.FusedGRUFunction}


def _param(shape, dtype):
    dtype = np.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    return Parameter(np.empty(shape, dtype=dtype))


def _check_size(name, value):
    """PyTorch's rules: not an int -> TypeError; <= 0 -> ValueError (RuntimeError for the cells: ArgumentError is
    both)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__} {value!r}")
    if value <= 0:
        raise ArgumentError(f"{name} must be greater than zero, got {name}={value}")


def _plain_cell(mode, weights):
    """The unfused composition for one step, returning a tuple of new states (``(h,)`` or ``(h, c)``)."""
    if mode == "LSTM":
        return lambda x, h, c: R.lstm_cell(x, h, c, *weights)
    if mode == "GRU":
        return lambda x, h: (R.gru_cell(x, h, *weights),)
    act = "tanh" if mode == "RNN_TANH" else "relu"
    return lambda x, h: (R.rnn_cell(x, h, *weights, nonlinearity=act),)


def _run_fused(mode, x, states, weights, batch_sizes, reverse):
    """One layer-direction as one node; returns (outputs (T, B, H), final states)."""
    kw = {"nonlinearity": "relu" if mode == "RNN_RELU" else "tanh"} if mode.startswith("RNN") else {}
    out = _FUSED[mode].apply(x, *states, *weights, batch_sizes=batch_sizes, reverse=reverse,
                             bias=len(weights) == 4, **kw)
    T = x.shape[0]
    y, finals = out[:T], [out[T + i] for i in range(len(states))]
    y.name = "output"                        # the pictures draw the node with these named outputs
    for f, name in zip(finals, ("h_n", "c_n")):
        f.name = name
    return y, finals


def _run_plain(mode, x, states, weights, batch_sizes, reverse):
    """The same as :func:`_run_fused` with the plain cells, one step at a time. Rows that are not running
    (``batch_sizes[t]`` < B) keep their state and output zeros, as in the fused node."""
    cell = _plain_cell(mode, weights)
    T, B = x.shape[:2]
    states = list(states)
    ys = [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        n = B if batch_sizes is None else int(batch_sizes[t])
        xt = x[t]
        if n == B:
            states = list(cell(xt, *states))
            ys[t] = states[0]
        else:
            new = cell(xt[:n], *[s[:n] for s in states])
            states = [ops.cat([a, s[n:]], 0) for a, s in zip(new, states)]
            pad = Tensor._make(np.zeros((B - n,) + new[0].shape[1:], dtype=new[0].dtype))
            ys[t] = ops.cat([new[0], pad], 0)
    return ops.stack(ys, 0), states


class RNNCellBase(Module):
    """Parameters and checks shared by the cells. ``weight_ih (G*hidden, input)``, ``weight_hh (G*hidden, hidden)``,
    ``bias_ih``, ``bias_hh (G*hidden,)``, all from U(-1/sqrt(hidden), 1/sqrt(hidden))."""

    def __init__(self, input_size, hidden_size, bias, mode, fused=True, device=None, dtype=None):
        super().__init__()
        _check_size("input_size", input_size)
        _check_size("hidden_size", hidden_size)
        check_device(device, type(self).__name__ + "()")
        self.input_size, self.hidden_size, self.bias, self.mode, self.fused = input_size, hidden_size, bias, mode, fused
        g = _GATES[mode] * hidden_size
        self.weight_ih = _param((g, input_size), dtype)
        self.weight_hh = _param((g, hidden_size), dtype)
        if bias:
            self.bias_ih = _param((g,), dtype)
            self.bias_hh = _param((g,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        return s

    def _weights(self):
        w = [self.weight_ih, self.weight_hh]
        return w + [self.bias_ih, self.bias_hh] if self.bias else w

    def _prepare(self, input, hx, n_states):
        """Check shapes; return (batched input, states, was_batched)."""
        name = type(self).__name__
        if not isinstance(input, Tensor) or input.ndim not in (1, 2):
            shape = fmt_shape(input.shape) if isinstance(input, Tensor) else type(input).__name__
            raise ShapeError(f"{name}: Expected input to be 1D (input_size,) or 2D (batch, input_size), got {shape}")
        batched = input.ndim == 2
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: input has inconsistent input_size: got shape {fmt_shape(input.shape)}, "
                             f"expected (batch, {self.input_size}) or ({self.input_size},)")
        _check_dtype(name, input, self.weight_ih)
        x = input if batched else ops.unsqueeze(input, 0)
        B = x.shape[0]
        if hx is None:
            states = [Tensor._make(np.zeros((B, self.hidden_size), dtype=x.dtype)) for _ in range(n_states)]
            for s, what in zip(states, ("h_0", "c_0")):
                s.name = what                # the initial state's name in graph pictures
        else:
            hx = tuple(hx) if isinstance(hx, (tuple, list)) else (hx,)
            if len(hx) != n_states:
                raise TypeError(f"{name}: expected hx to be {'a tuple (h_0, c_0)' if n_states == 2 else 'a Tensor'}")
            expected = (B, self.hidden_size) if batched else (self.hidden_size,)
            for i, h in enumerate(hx):
                if h.shape != expected:
                    raise ShapeError(f"{name}: expected hidden state {i} of shape {fmt_shape(expected)}, got "
                                     f"{fmt_shape(h.shape)}")
            states = [h if batched else ops.unsqueeze(h, 0) for h in hx]
        return x, states, batched

    def _step(self, x, states):
        if self.fused:
            return _run_fused(self.mode, ops.unsqueeze(x, 0), states, self._weights(), None, False)[1]
        return list(_plain_cell(self.mode, self._weights())(x, *states))


class RNNCell(RNNCellBase):
    """Elman cell: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu).

    Shape: input ``(B, input_size)`` or ``(input_size,)``; hx and output ``(B, hidden_size)`` or ``(hidden_size,)``.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None, *,
                 fused=True):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity!r}. Select from 'tanh' or 'relu'")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, "RNN_" + nonlinearity.upper(), fused, device, dtype)

    def forward(self, input, hx=None):
        x, states, batched = self._prepare(input, hx, 1)
        (h,) = self._step(x, states)
        return h if batched else ops.squeeze(h, 0)


class LSTMCell(RNNCellBase):
    """LSTM cell; returns ``(h', c')``. Gates i, f, g, o stacked in that order in the weight rows.

    Shape: input ``(B, input_size)`` or ``(input_size,)``; hx a tuple ``(h, c)`` of ``(B, hidden_size)``.

    Example::

        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(autograd_core.randn(3, 10))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *, fused=True):
        super().__init__(input_size, hidden_size, bias, "LSTM", fused, device, dtype)

    def forward(self, input, hx=None):
        x, states, batched = self._prepare(input, hx, 2)
        h, c = self._step(x, states)
        return (h, c) if batched else (ops.squeeze(h, 0), ops.squeeze(c, 0))


class GRUCell(RNNCellBase):
    """GRU cell (gates r, z, n; ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) n + z h``)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *, fused=True):
        super().__init__(input_size, hidden_size, bias, "GRU", fused, device, dtype)

    def forward(self, input, hx=None):
        x, states, batched = self._prepare(input, hx, 1)
        (h,) = self._step(x, states)
        return h if batched else ops.squeeze(h, 0)


def _check_dtype(name, input, weight):
    if input.dtype != weight.dtype:
        raise RuntimeError(f"{name}: input must have the type {weight.dtype} of the parameters, got {input.dtype} "
                           f"(convert one of them with .to())")


class RNNBase(Module):
    """Multi-layer, optionally bidirectional recurrent layer (shared by ``RNN``, ``LSTM``, ``GRU``).

    Parameters of layer k (suffix ``_reverse`` for the backward direction), registered in PyTorch's order:
    ``weight_ih_l{k}`` ``(G*hidden, input_size)`` for k = 0 else ``(G*hidden, num_directions*hidden)``,
    ``weight_hh_l{k}`` ``(G*hidden, hidden)``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` ``(G*hidden,)``;
    all drawn from U(-1/sqrt(hidden), 1/sqrt(hidden)) with the library's generator.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None, *, fused=True):
        super().__init__()
        _check_size("input_size", input_size)
        _check_size("hidden_size", hidden_size)
        _check_size("num_layers", num_layers)
        if isinstance(proj_size, bool) or not isinstance(proj_size, numbers.Integral):
            raise TypeError(f"proj_size should be of type int, got: {type(proj_size).__name__} {proj_size!r}")
        if proj_size < 0:
            raise ValueError(f"proj_size should be a positive integer or zero to disable projections, got "
                             f"proj_size={proj_size}")
        if proj_size >= hidden_size:
            raise ValueError(f"proj_size has to be smaller than hidden_size, got proj_size={proj_size} and "
                             f"hidden_size={hidden_size}")
        if proj_size:
            raise NotImplementedError(f"proj_size={proj_size}: LSTM projections are not supported (use proj_size=0 "
                                      f"and an nn.Linear on the outputs)")
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1:
            raise ValueError(f"dropout should be a number in range [0, 1] representing the probability of an element "
                             f"being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=3)
        check_device(device, type(self).__name__ + "()")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size, self.fused = bidirectional, 0, fused
        g = _GATES[mode] * hidden_size
        D = 2 if bidirectional else 1
        self._flat_weights_names = []
        for layer in range(num_layers):
            for suffix in ("", "_reverse")[:D]:
                shapes = {"weight_ih": (g, input_size if layer == 0 else D * hidden_size),
                          "weight_hh": (g, hidden_size)}
                if bias:
                    shapes.update(bias_ih=(g,), bias_hh=(g,))
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, _param(shape, dtype))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def flatten_parameters(self):
        """No-op (PyTorch compacts weights for cuDNN); kept so PyTorch code runs unchanged."""

    @property
    def all_weights(self):
        """``[[w_ih, w_hh, b_ih, b_hh] for each layer and direction]``, as PyTorch."""
        per = 4 if self.bias else 2
        ws = [getattr(self, n) for n in self._flat_weights_names]
        return [ws[i:i + per] for i in range(0, len(ws), per)]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        for key, default in (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, key) != default:
                s += f", {key}={getattr(self, key)}"
        return s

    # ------------------------------------------------------------------ forward
    def forward(self, input, hx=None):
        """Run the layers over a sequence.

        Args:
            input: ``(T, B, input_size)`` (``(B, T, input_size)`` with ``batch_first``), an unbatched
                ``(T, input_size)``, or a :class:`PackedSequence`.
            hx: initial hidden state ``(num_layers * num_directions, B, hidden_size)`` (``(h_0, c_0)`` for the
                LSTM; 2-D for unbatched input); zeros when omitted.

        Returns:
            ``(output, h_n)`` (``(output, (h_n, c_n))`` for the LSTM): output ``(T, B, D * hidden_size)`` (or
            batch-first / unbatched / packed like the input) holds the last layer's h_t of both directions,
            concatenated; ``h_n`` the final state of every layer and direction, ordered layer by layer.
        """
        name = type(self).__name__
        n_states = 2 if self.mode == "LSTM" else 1
        packed = isinstance(input, PackedSequence)
        batch_sizes = sorted_idx = None
        if packed:
            batch_sizes = _as_index_array(input.batch_sizes)
            x = PadPackedSequenceFunction.apply(input.data, batch_sizes=batch_sizes, total_length=len(batch_sizes))
            batched = True
            if input.sorted_indices is not None:
                sorted_idx = _as_index_array(input.sorted_indices)
        else:
            if not isinstance(input, Tensor) or input.ndim not in (2, 3):
                shape = fmt_shape(input.shape) if isinstance(input, Tensor) else type(input).__name__
                layout = "(batch, seq, input_size)" if self.batch_first else "(seq, batch, input_size)"
                raise ShapeError(f"{name}: Expected input to be 2D (seq, input_size) or 3D {layout}, got {shape}")
            batched = input.ndim == 3
            x = input if batched else ops.unsqueeze(input, 1)
            if batched and self.batch_first:
                x = ops.transpose(x, 0, 1)
        if x.shape[0] == 0:
            raise ShapeError(f"{name}: expected a sequence of length >= 1, got input shape "
                             f"{fmt_shape(input.shape)}")
        if x.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                             f"{x.shape[-1]} (input shape {fmt_shape(input.data.shape if packed else input.shape)})")
        _check_dtype(name, x, self.weight_ih_l0)
        states = self._initial_states(hx, x, n_states, batched, sorted_idx)
        output, finals = self._run_layers(x, states, batch_sizes)
        if packed:
            data = PackPaddedSequenceFunction.apply(output, batch_sizes=batch_sizes)
            output = PackedSequence(data, input.batch_sizes, input.sorted_indices, input.unsorted_indices)
            if input.unsorted_indices is not None:
                unsorted = _as_index_array(input.unsorted_indices)
                finals = [f[:, unsorted] for f in finals]
        elif not batched:
            output = ops.squeeze(output, 1)
            finals = [ops.squeeze(f, 1) for f in finals]
        elif self.batch_first:
            output = ops.transpose(output, 0, 1)
        return output, (tuple(finals) if n_states == 2 else finals[0])

    def _initial_states(self, hx, x, n_states, batched, sorted_idx):
        name = type(self).__name__
        D = 2 if self.bidirectional else 1
        B = x.shape[1]
        expected = (self.num_layers * D, B, self.hidden_size)
        if hx is None:
            zeros = [Tensor._make(np.zeros(expected, dtype=x.dtype)) for _ in range(n_states)]
            for z, what in zip(zeros, ("h_0", "c_0")):
                z.name = what                # the initial state's name in graph pictures
            return zeros
        if n_states == 2:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{name}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
            hx = list(hx)
        else:
            if not isinstance(hx, Tensor):
                raise TypeError(f"{name}: hx must be a Tensor, got {type(hx).__name__}")
            hx = [hx]
        want = expected if batched else (expected[0], expected[2])
        for i, h in enumerate(hx):
            what = ("h_0", "c_0")[i] if n_states == 2 else "hx"
            if not isinstance(h, Tensor) or h.shape != want:
                got = fmt_shape(h.shape) if isinstance(h, Tensor) else type(h).__name__
                raise ShapeError(f"{name}: Expected {what} of shape {fmt_shape(want)} (num_layers * num_directions, "
                                 f"{'batch, ' if batched else ''}hidden_size), got {got}")
            _check_dtype(name, h, self.weight_ih_l0)
        if not batched:
            hx = [ops.unsqueeze(h, 1) for h in hx]
        if sorted_idx is not None:
            hx = [h[:, sorted_idx] for h in hx]
        return hx

    def _run_layers(self, x, states, batch_sizes):
        D = 2 if self.bidirectional else 1
        run = _run_fused if self.fused else _run_plain
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(("", "_reverse")[:D]):
                k = layer * D + d
                names = [f"{kind}_l{layer}{suffix}" for kind in _KINDS[:4 if self.bias else 2]]
                init = [s[k] for s in states]
                for a, s in zip(init, states):
                    if s.name is not None and a.name is None:
                        a.name = s.name      # h_0 of this layer and direction, in pictures
                y, last = run(self.mode, x, init, [getattr(self, n) for n in names], batch_sizes, d == 1)
                outs.append(y)
                for f, s in zip(finals, last):
                    f.append(s)
            x = outs[0] if D == 1 else ops.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return x, [ops.stack(f, 0) for f in finals]


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu), stacked and optionally
    bidirectional. Signature, shapes and parameters as ``torch.nn.RNN``; see :meth:`RNNBase.forward`.

    Example::

        >>> rnn = nn.RNN(10, 20, num_layers=2, batch_first=True)
        >>> out, h_n = rnn(autograd_core.randn(3, 5, 10))     # out (3, 5, 20), h_n (2, 3, 20)
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, *, fused=True):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity!r}. Select from 'tanh' or 'relu'")
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype, fused=fused)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory, as ``torch.nn.LSTM`` (gates i, f, g, o); returns ``(output, (h_n, c_n))``.

    Example::

        >>> lstm = nn.LSTM(28, 128, batch_first=True)
        >>> out, (h_n, c_n) = lstm(autograd_core.randn(64, 28, 28))
        >>> logits = fc(h_n[-1])                               # classify from the last hidden state
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None, *, fused=True):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype, fused=fused)


class GRU(RNNBase):
    """Gated recurrent unit, as ``torch.nn.GRU`` (gates r, z, n with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``,
    ``h' = (1 - z) * n + z * h``)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, *, fused=True):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype, fused=fused)
