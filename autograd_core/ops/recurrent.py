"""Recurrent cells: the plain compositions (for teaching, and as test oracles) and fused nodes (for speed).

Two ways to compute the same thing:

* ``rnn_cell``, ``lstm_cell``, ``gru_cell`` compose ordinary ops (matmul, add, sigmoid, tanh, chunk). Reading them
  is the best way to learn the cells; each step records about 15-25 graph nodes, and they are differentiable to any
  order.
* ``FusedRNN``, ``FusedLSTM``, ``FusedGRU`` are single graph nodes that run one layer in one direction over a whole
  padded, time-major sequence. The input projection ``X @ W_ih^T`` is ONE big matmul for all time steps; then each
  step does one matmul ``h @ W_hh^T`` for all gates and one elementwise step kernel (gate activations and state
  update in a single pass). Backward (BPTT) walks the steps in reverse collecting the gate gradients ``dG`` of all
  steps, and then gets ``dW_ih``, ``dW_hh`` and ``dX`` from three big matmuls. A cell step is the same node with a
  sequence of length 1.

  Why one node per layer rather than one per step: with a node per step, each step's slice of the input projection
  would be a separate ``getitem`` whose gradient is a full-size zero array (quadratic in the length), and the weight
  gradients would be T small matmuls instead of one big one. A layer node has neither cost and no depth at all,
  so a 10,000-step unroll is as safe as a 10-step one.

Fused node layout. Inputs: ``x (T, B, F)``, the initial state(s) ``h0 (B, H)`` [and ``c0``], ``w_ih (G*H, F)``,
``w_hh (G*H, H)`` [``b_ih (G*H,)``, ``b_hh (G*H,)``], with G gates (RNN 1, LSTM 4 in order i,f,g,o, GRU 3 in order
r,z,n, as PyTorch). Output: one array ``(T + S, B, H)``: rows ``[:T]`` the outputs h_t, row ``T`` the final h and,
for the LSTM, row ``T + 1`` the final c (a Function returns one array, so the final states ride along).
Variable lengths: ``batch_sizes[t]`` (PyTorch's packed-sequence convention; the batch is sorted by decreasing
length) says how many leading rows are still running at step t. Rows that are not running keep their state and
output zeros, so the final state of each row is its state after its own last step. ``reverse=True`` runs from the
last step to the first (the backward direction of a bidirectional layer).

Sigmoid is computed as ``(1 + tanh(x / 2)) / 2``: one transcendental, and it never overflows. The step kernels
are numba loops (in float32 with a vectorizable rational tanh, max error 3e-7; float64 uses the exact tanh); see
autograd_core/kernels/recurrent.py.

Double backward: the fused backward runs on ndarrays. ``create_graph=True`` through a fused node raises a clear
error; the plain compositions (``fused=False`` in ``nn``) support it.
"""

import numpy as np

from .. import grad_mode
from ..errors import ShapeError, fmt_shape
from ..function import Function
from .registry import op
from ..kernels import step_kernels as steps   # a module attribute, so tests can swap in the numpy ones
from ..tensor import Tensor
from .activation import relu, sigmoid, tanh
from .linalg import matmul
from .shape import chunk, transpose


# ---------------------------------------------------------------------- plain compositions (teaching, oracles)
def _linear(x, w, b):
    y = matmul(x, transpose(w, 0, 1))
    return y if b is None else y + b


def _names(*pairs):
    """Name the intermediate tensors of a cell for the graph pictures (gates ``i``, ``f``, ``g``, ``o``...)."""
    for t, name in pairs:
        t.name = name


@op(function=False, method=False)
def rnn_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """Elman cell, h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), composed of ordinary ops."""
    pre = _linear(input, w_ih, b_ih) + _linear(hx, w_hh, b_hh)
    return tanh(pre) if nonlinearity == "tanh" else relu(pre)


@op(function=False, method=False)
def lstm_cell(input, hx, cx, w_ih, w_hh, b_ih=None, b_hh=None):
    """LSTM cell composed of ordinary ops; returns ``(h', c')``.

    gates = x W_ih^T + b_ih + h W_hh^T + b_hh, split into i, f, g, o (PyTorch's order);
    c' = sigmoid(f) * c + sigmoid(i) * tanh(g);  h' = sigmoid(o) * tanh(c').
    """
    gates = _linear(input, w_ih, b_ih) + _linear(hx, w_hh, b_hh)
    i, f, g, o = chunk(gates, 4, dim=-1)
    _names((gates, "gates"), (i, "i"), (f, "f"), (g, "g"), (o, "o"))
    c = sigmoid(f) * cx + sigmoid(i) * tanh(g)
    h = sigmoid(o) * tanh(c)
    _names((c, "c'"), (h, "h'"))
    return h, c


@op(function=False, method=False)
def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """GRU cell composed of ordinary ops (PyTorch's variant: the reset gate multiplies ``W_hn h + b_hn``).

    r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr);  z likewise;  n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn));
    h' = (1 - z) * n + z * h.
    """
    x_r, x_z, x_n = chunk(_linear(input, w_ih, b_ih), 3, dim=-1)
    h_r, h_z, h_n = chunk(_linear(hx, w_hh, b_hh), 3, dim=-1)
    r = sigmoid(x_r + h_r)
    z = sigmoid(x_z + h_z)
    n = tanh(x_n + r * h_n)
    h = (1.0 - z) * n + z * hx
    _names((r, "r"), (z, "z"), (n, "n"), (h, "h'"))
    return h




# ---------------------------------------------------------------------- fused nodes
class _FusedLayerFunction(Function):
    """Shared driver of the fused layer nodes: input projection, step loop, BPTT loop, weight gradients.

    Subclasses set ``n_gates`` / ``n_states`` and write

    * ``_allocate(T, B, H, dt)``: the per-step arrays backward needs; the first one must be ``h_prev (T, B, H)``
      (the state before each step, for ``dW_hh``);
    * ``_step(t, n, gx_t, running, w_hh_t, out_t)``: one step on the running rows ``:n`` (the recurrent matmul,
      then a step kernel), updating the running states in place and writing h_t into ``out_t``;
    * ``_step_back(t, n, dy_t, d_states, w_hh, dgx_t, dgh_t)``: the gradients of step t's gate pre-activations
      (``dgh_t`` differs from ``dgx_t`` only for the GRU), updating the running state gradients in place.
    """
    derivative = ("backpropagation through time: each step's gate derivatives, then the weight gradients as three "
                  "matmuls")
    # Read by the pictures (autograd_core/viz/fold.py): the names of the inputs, and of the slices of the output
    # (nn's layers name them), so the node is drawn as one layer with named outputs and their real shapes.
    viz_inputs = ("input", "h_0", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
    viz_outputs = ("output", "h_n")
    n_gates = 1
    n_states = 1
    fold_hidden_bias = True   # b_hh joins b_ih in the input projection (all but the GRU)

    def forward(self, x, *args, batch_sizes=None, reverse=False, bias=True):
        k = self.n_states
        states, (w_ih, w_hh) = args[:k], args[k:k + 2]
        b_ih, b_hh = (args[k + 2]._data, args[k + 3]._data) if bias else (None, None)
        if x.ndim != 3:
            raise ShapeError(f"{type(self).__name__}: expected a (T, B, F) input, got shape {fmt_shape(x.shape)}")
        T, B, _ = x.shape
        H = w_hh.shape[1]
        dt = x.dtype
        self.bias, self.H = bias, H
        self.packed = batch_sizes is not None
        # rows that are not running are never computed; zero them so no garbage reaches the big matmuls
        self.alloc = np.zeros if self.packed else np.empty
        order = range(T - 1, -1, -1) if reverse else range(T)
        self.steps = [(t, B if batch_sizes is None else int(batch_sizes[t])) for t in order]

        # the input projection of all time steps: one big matmul
        gx = (x._data.reshape(T * B, -1) @ w_ih._data.T).reshape(T, B, -1)
        if bias:
            gx += (b_ih + b_hh) if self.fold_hidden_bias else b_ih
        self.b_hh = np.ascontiguousarray(b_hh) if bias else np.zeros(w_hh.shape[0], dt)
        out = np.zeros((T + k, B, H), dtype=dt)
        running = [s._data.astype(dt, copy=True) for s in states]
        self.bufs = self._allocate(T, B, H, dt)
        # a contiguous copy: OpenBLAS runs h @ W^T 15-25% faster with W^T laid out plainly (64x128 @ 128x512)
        w_hh_t = np.ascontiguousarray(w_hh._data.T)
        for t, n in self.steps:
            self._step(t, n, gx[t, :n], running, w_hh_t, out[t, :n])
        for i, s in enumerate(running):
            out[T + i] = s
        # saved as Tensors so that release() frees them after backward
        self.save_for_backward(x, w_ih, w_hh, *(Tensor._make(b) for b in self.bufs))
        self.bufs = None
        return out

    def backward(self, grad):
        if grad_mode.is_grad_enabled():
            raise RuntimeError(
                f"{type(self).__name__}: create_graph=True (double backward) is not supported through the fused "
                f"recurrent kernels; build the layer with fused=False, whose plain composition of ops is "
                f"differentiable to any order")
        x, w_ih, w_hh, *bufs = self.saved_tensors
        self.bufs = [b._data for b in bufs]
        g = np.ascontiguousarray(grad._data)
        T, B, F = x.shape
        k = self.n_states
        d_states = [g[T + i].copy() for i in range(k)]
        dgx = self.alloc((T, B, self.n_gates * self.H), dtype=g.dtype)
        dgh = dgx if self.fold_hidden_bias else self.alloc(dgx.shape, dtype=g.dtype)
        w_hh_ = w_hh._data
        for t, n in reversed(self.steps):
            self._step_back(t, n, g[t, :n], d_states, w_hh_, dgx[t, :n], dgh[t, :n])
        dgx2 = dgx.reshape(T * B, -1)
        dgh2 = dgh.reshape(T * B, -1)
        h_prev = self.bufs[0].reshape(T * B, -1)
        self.bufs = None
        # the weight and input gradients of all steps: three big matmuls
        need = self.needs_input_grad
        dx = Tensor._make((dgx2 @ w_ih._data).reshape(T, B, F)) if need[0] else None
        grads = [dx] + [Tensor._make(d) if need[1 + i] else None for i, d in enumerate(d_states)]
        grads.append(Tensor._make(dgx2.T @ x._data.reshape(T * B, F)) if need[k + 1] else None)
        grads.append(Tensor._make(dgh2.T @ h_prev) if need[k + 2] else None)
        if self.bias:
            grads.append(Tensor._make(dgx2.sum(0)) if need[k + 3] else None)
            grads.append(Tensor._make(dgh2.sum(0)) if need[k + 4] else None)
        return tuple(grads)

    def _keep_prev(self, i, t, state, n):
        """Record the state before step t in buffer i (all rows, so the weight-gradient matmul meets no garbage);
        return its running rows."""
        prev = self.bufs[i][t]
        prev[...] = state
        return prev[:n]


class FusedRNNFunction(_FusedLayerFunction):
    """Elman RNN layer (tanh or relu) as one node. Saved per step: h_prev and h."""
    label = "RNN"
    n_gates = 1

    def forward(self, x, *args, nonlinearity="tanh", **kwargs):
        self.relu = nonlinearity == "relu"
        return super().forward(x, *args, **kwargs)

    def _allocate(self, T, B, H, dt):
        return [np.empty((T, B, H), dt), self.alloc((T, B, H), dt)]   # h_prev, h

    def _step(self, t, n, gx_t, running, w_hh_t, out_t):
        (h,) = running
        hp = self._keep_prev(0, t, h, n)
        a = self.bufs[1][t, :n]
        np.matmul(hp, w_hh_t, out=a)
        steps.rnn_step(a, gx_t, self.relu, h[:n], out_t)

    def _step_back(self, t, n, dy_t, d_states, w_hh, dgx_t, dgh_t):
        dh = d_states[0][:n]
        steps.rnn_step_back(self.bufs[1][t, :n], dy_t, self.relu, dh, dgx_t)
        np.matmul(dgx_t, w_hh, out=dh)


class FusedLSTMFunction(_FusedLayerFunction):
    """LSTM layer as one node. Saved per step: h_prev, c_prev, the activated gates (i, f, g, o), tanh(c)."""
    label = "LSTM"
    viz_inputs = ("input", "h_0", "c_0", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
    viz_outputs = ("output", "h_n", "c_n")
    n_gates = 4
    n_states = 2

    def _allocate(self, T, B, H, dt):
        return [np.empty((T, B, H), dt), np.empty((T, B, H), dt), self.alloc((T, B, 4 * H), dt),
                self.alloc((T, B, H), dt)]   # h_prev, c_prev, gates, tanh(c)

    def _step(self, t, n, gx_t, running, w_hh_t, out_t):
        h, c = running
        hp = self._keep_prev(0, t, h, n)
        cp = self._keep_prev(1, t, c, n)
        a = self.bufs[2][t, :n]
        np.matmul(hp, w_hh_t, out=a)
        steps.lstm_step(a, gx_t, cp, c[:n], self.bufs[3][t, :n], h[:n], out_t)

    def _step_back(self, t, n, dy_t, d_states, w_hh, dgx_t, dgh_t):
        dh, dc = d_states[0][:n], d_states[1][:n]
        steps.lstm_step_back(self.bufs[2][t, :n], self.bufs[1][t, :n], self.bufs[3][t, :n], dy_t, dh, dc, dgx_t)
        np.matmul(dgx_t, w_hh, out=dh)


class FusedGRUFunction(_FusedLayerFunction):
    """GRU layer as one node. b_hh is not folded into the projection: its n part sits inside r * (...).
    Saved per step: h_prev, the activated gates (r, z, n), and W_hn h + b_hn."""
    label = "GRU"
    n_gates = 3
    fold_hidden_bias = False

    def _allocate(self, T, B, H, dt):
        return [np.empty((T, B, H), dt), self.alloc((T, B, 3 * H), dt), self.alloc((T, B, H), dt)]

    def _step(self, t, n, gx_t, running, w_hh_t, out_t):
        (h,) = running
        hp = self._keep_prev(0, t, h, n)
        gh = hp @ w_hh_t
        steps.gru_step(gh, gx_t, self.b_hh, hp, self.bufs[1][t, :n], self.bufs[2][t, :n], h[:n], out_t)

    def _step_back(self, t, n, dy_t, d_states, w_hh, dgx_t, dgh_t):
        dh = d_states[0][:n]
        steps.gru_step_back(self.bufs[1][t, :n], self.bufs[2][t, :n], self.bufs[0][t, :n], dy_t, dh, dgx_t, dgh_t)
        dh += dgh_t @ w_hh
