"""Training diagnostics collected through hooks, without changing the model.

What learners want to look at while a network trains:

* the gradient norm of every parameter, before clipping (what backward produced, seen by hooks on the
  parameters) and after clipping (the ``.grad`` the optimizer used), plus the total norm;
* activation statistics of activation modules (``nn.ReLU``, ``nn.Tanh``, ``nn.Sigmoid``...) through forward
  hooks: the fraction of dead ReLU units (zero for every sample of the batch), of zero outputs, of saturated
  tanh/sigmoid units, mean and std, and a sample of values for histograms;
* update-to-weight ratios ``||w_after - w_before|| / ||w_before||`` per parameter (about 1e-3 is healthy);
* the gradient norm per time step of recurrent states (vanishing/exploding gradients): automatic for
  ``nn.RNNCell``/``LSTMCell``/``GRUCell`` modules called once per step, or for any list of hidden states with
  :meth:`Diagnostics.watch_sequence`.

Plots (matplotlib, returned as ``Figure`` objects, headless) are in :mod:`.diagnostics_plots` and reachable as
methods. A ``Diagnostics`` works from a hand-written loop and as a callback of ``nn.training.fit``::

    diag = Diagnostics(model)
    for x, y in loader:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        diag.step(loss)              # after optimizer.step(), before the next zero_grad()
    diag.plot()

    fit(model, loss_fn, opt, loader, callbacks=[Diagnostics()])    # the trainer calls the hooks itself
"""
import math

import numpy as np

__all__ = ["Diagnostics", "Series", "ACTIVATION_KINDS"]

#: Activation module class names and how their outputs are judged.
ACTIVATION_KINDS = {"ReLU": "relu", "ReLU6": "relu", "LeakyReLU": "relu", "ELU": "relu", "GELU": "relu",
                    "SiLU": "relu", "Softplus": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Hardtanh": "tanh"}
RECURRENT_CELLS = ("RNNCell", "LSTMCell", "GRUCell")
TOTAL = "(total)"


class Series:
    """Values recorded at some training steps: ``steps`` and ``values`` (lists of the same length)."""

    def __init__(self):
        self.steps, self.values = [], []

    def append(self, step, value):
        self.steps.append(step)
        self.values.append(float(value))

    @property
    def last(self):
        return self.values[-1] if self.values else math.nan

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return f"Series({len(self)} values, last={self.last:.4g})"


def _norm(a):
    a = np.asarray(a, dtype=np.float64)
    return float(np.sqrt(np.sum(a * a)))


def _activation_stats(y, kind, saturation):
    """Statistics of one batch of activations ``y`` (batch first)."""
    y = np.asarray(y, dtype=np.float64)
    stats = {"mean": float(y.mean()), "std": float(y.std())}
    if kind == "relu":
        off = y <= 0
        stats["zero"] = float(off.mean())
        stats["dead"] = float(off.all(axis=0).mean()) if y.ndim > 1 else float(off.all())
    elif kind == "tanh":
        stats["saturated"] = float((np.abs(y) > saturation).mean())
    elif kind == "sigmoid":
        stats["saturated"] = float((np.abs(2.0 * y - 1.0) > saturation).mean())
    return stats


_PRE = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh, "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z))}


class Diagnostics:
    """Gradient norms, activation statistics, update ratios and per-time-step gradient norms over training.

    Args:
        model: the ``nn.Module`` to watch (or None: the trainer's model, taken in ``on_train_begin``).
        every: record every ``every``-th step only (hooks do nothing in between).
        activations: watch activation modules (see ``ACTIVATION_KINDS``).
        pre_activations: ``{module name: 'relu' | 'tanh' | 'sigmoid'}`` for activations applied with functions
            (``F.relu(self.fc1(x))``): the named module's output is judged as if that function were applied.
        saturation: a tanh unit is saturated when ``|y| > saturation`` (sigmoid: ``|2y - 1| > saturation``).
        max_samples: how many activation values to keep (from the last recorded step) for histograms.

    Attributes:
        steps: the recorded step numbers (0-based count of :meth:`step` calls).
        grad_norms, grad_norms_before_clip, update_ratios: ``{parameter name: Series}`` (``'(total)'``: the norm
            over all parameters).
        activations: ``{module name: {'mean'|'std'|'dead'|'zero'|'saturated': Series}}``.
        time_grads: ``{name: [(step, ndarray of norms per time step), ...]}``.
        losses: a Series; ``epochs``: ``[(epoch, first step)]``.
    """

    def __init__(self, model=None, every=1, activations=True, pre_activations=None, saturation=0.97,
                 max_samples=4096):
        if int(every) < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        self.model = model
        self.every = int(every)
        self.watch_activations = activations
        self.pre_activations = dict(pre_activations or {})
        self.saturation = float(saturation)
        self.max_samples = int(max_samples)
        self.step_count = 0
        self.steps = []
        self.grad_norms, self.grad_norms_before_clip, self.update_ratios = {}, {}, {}
        self.activations, self.samples, self.time_grads = {}, {}, {}
        self.losses = Series()
        self.epochs = []
        self._handles = []
        self._params = []
        self._raw, self._explicit, self._acts, self._time, self._cell_calls = {}, {}, {}, {}, {}
        self._snapshot = None
        if model is not None:
            self.attach(model)

    # ------------------------------------------------------------------ hooks
    @property
    def attached(self):
        """Whether the hooks are registered."""
        return bool(self._handles)

    @property
    def recording(self):
        """Whether the current step is recorded (every ``every``-th step)."""
        return self.step_count % self.every == 0

    def attach(self, model=None):
        """Register the hooks on ``model`` (done by the constructor when a model is given); returns self."""
        if model is not None:
            self.model = model
        if self.model is None:
            raise ValueError("Diagnostics.attach: no model given")
        self.detach()
        self._params = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]
        for name, p in self._params:
            self._handles.append(p.register_hook(self._raw_hook(name)))
        for name, m in self.model.named_modules():
            cls = type(m).__name__
            kind = ACTIVATION_KINDS.get(cls) if self.watch_activations else None
            if name in self.pre_activations:
                kind = "pre:" + self.pre_activations[name]
            if kind is not None:
                self._handles.append(m.register_forward_hook(self._act_hook(name or cls, kind)))
            if cls in RECURRENT_CELLS:
                self._handles.append(m.register_forward_hook(self._cell_hook(name or cls)))
        self.snapshot()
        return self

    def detach(self):
        """Remove every hook (the recorded history stays)."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self):
        if not self._handles:
            self.attach()
        return self

    def __exit__(self, *exc):
        self.detach()
        return False

    def _raw_hook(self, name):
        def hook(grad):
            if self.recording:
                g = grad.numpy()
                prev = self._raw.get(name)
                self._raw[name] = g.astype(np.float64) if prev is None else prev + g
        return hook

    def _act_hook(self, name, kind):
        def hook(module, inputs, output):
            if not (self.recording and module.training):
                return
            out = output[0] if isinstance(output, tuple) else output
            y = np.asarray(out.numpy())
            if kind.startswith("pre:"):
                kind_ = kind[4:]
                y = _PRE[kind_](y.astype(np.float64))
            else:
                kind_ = kind
            self._acts.setdefault(name, []).append(_activation_stats(y, kind_, self.saturation))
            flat = y.reshape(-1)
            stride = max(1, flat.size // self.max_samples)
            self.samples[name] = flat[::stride][:self.max_samples].astype(np.float32)
        return hook

    def _cell_hook(self, name):
        def hook(module, inputs, output):
            if not (self.recording and module.training):
                return
            h = output[0] if isinstance(output, tuple) else output
            t = self._cell_calls.get(name, 0)
            self._cell_calls[name] = t + 1
            self._watch(h, name, t)
        return hook

    def _watch(self, h, name, t):
        if not getattr(h, "requires_grad", False):
            return
        norms = self._time.setdefault(name, [])
        while len(norms) <= t:
            norms.append(math.nan)

        def hook(grad):
            n = _norm(grad.numpy())
            norms[t] = n if math.isnan(norms[t]) else math.hypot(norms[t], n)
        h.register_hook(hook)

    def watch_sequence(self, states, name="rnn"):
        """Record the gradient norm reaching each hidden state ``states[t]`` in the coming backward pass.

        Args:
            states: the per-step hidden states (tensors that require grad), in time order.
            name: the series name (one curve per name in :meth:`plot_time_grads`).

        Returns:
            ``states``, unchanged (so it can be used inline).
        """
        if self.recording:
            for t, h in enumerate(states):
                self._watch(h, name, t)
        return states

    def watch_time(self, x, dim=1, name="input"):
        """Record the gradient norm ``‖∂L/∂x_t‖`` of each slice ``t`` of ``x`` along ``dim`` in the coming backward
        pass: for the input of a fused recurrent layer (``nn.LSTM``...), how much gradient backpropagation through
        time carries back to each step. ``x`` must require grad (``x.requires_grad_()`` on a data batch costs one
        extra matmul in the layer's backward).

        Returns:
            ``x``, unchanged (so it can be used inline: ``self.rnn(diag.watch_time(x))``).
        """
        if not self.recording or not getattr(x, "requires_grad", False):
            return x
        axis = dim % x.ndim

        def hook(grad):
            g = np.asarray(grad.numpy(), dtype=np.float64)
            other = tuple(i for i in range(g.ndim) if i != axis)
            norms = np.sqrt(np.sum(g * g, axis=other))
            prev = self._time.get(name)
            self._time[name] = list(norms) if prev is None else list(np.hypot(np.asarray(prev), norms))
        x.register_hook(hook)
        return x

    # ------------------------------------------------------------------ recording
    def snapshot(self):
        """Copy the weights now; the next :meth:`step` measures the update from them. :meth:`step` takes one by
        itself after each step; call this right before ``optimizer.step()`` if weights change elsewhere."""
        if self._snapshot is None or set(self._snapshot) != {n for n, _ in self._params}:
            self._snapshot = {n: np.array(p.numpy(), copy=True) for n, p in self._params}
        else:
            for n, p in self._params:
                buf = self._snapshot[n]
                if buf.shape != p.shape:
                    self._snapshot[n] = np.array(p.numpy(), copy=True)
                else:
                    np.copyto(buf, p.numpy())

    def record_grads(self, tag="before_clip"):
        """Take the gradient norms now: ``'before_clip'`` (call it between ``backward()`` and the clipping) or
        ``'after_clip'``. Without it, 'before' comes from the hooks and 'after' from ``.grad`` at :meth:`step`."""
        if tag not in ("before_clip", "after_clip"):
            raise ValueError(f"tag must be 'before_clip' or 'after_clip', got {tag!r}")
        if self.recording:
            self._explicit[tag] = {n: (None if p.grad is None else _norm(p.grad.numpy())) for n, p in self._params}

    def step(self, loss=None):
        """Close one training step: call after ``optimizer.step()`` (gradients must still be in ``.grad``)."""
        if not self._params and self.model is not None:
            self.attach()
        if self.recording:
            s = self.step_count
            self.steps.append(s)
            after = self._explicit.get("after_clip") or {
                n: (None if p.grad is None else _norm(p.grad.numpy())) for n, p in self._params}
            before = self._explicit.get("before_clip") or {n: _norm(g) for n, g in self._raw.items()}
            self._add_norms(self.grad_norms, after, s)
            self._add_norms(self.grad_norms_before_clip, before, s)
            if self._snapshot is not None:
                ratios = {}
                for n, p in self._params:
                    old = self._snapshot.get(n)
                    if old is not None and old.shape == p.shape:
                        ratios[n] = _norm(p.numpy() - old) / (_norm(old) + 1e-12)
                for n, r in ratios.items():
                    self.update_ratios.setdefault(n, Series()).append(s, r)
            for name, records in self._acts.items():
                series = self.activations.setdefault(name, {})
                for key in records[0]:
                    series.setdefault(key, Series()).append(s, np.mean([r[key] for r in records]))
            for name, norms in self._time.items():
                self.time_grads.setdefault(name, []).append((s, np.array(norms, dtype=np.float64)))
            if loss is not None:
                self.losses.append(s, float(loss.item() if hasattr(loss, "item") else loss))
        self._raw, self._explicit, self._acts, self._time, self._cell_calls = {}, {}, {}, {}, {}
        self.step_count += 1
        if self.recording:
            self.snapshot()

    @staticmethod
    def _add_norms(store, norms, s):
        norms = {n: v for n, v in norms.items() if v is not None}
        if not norms:
            return
        for n, v in norms.items():
            store.setdefault(n, Series()).append(s, v)
        store.setdefault(TOTAL, Series()).append(s, math.sqrt(sum(v * v for v in norms.values())))

    # ------------------------------------------------------------------ trainer callback protocol
    def on_train_begin(self, trainer):
        if self.model is None or self.model is not trainer.model:
            self.attach(trainer.model)
        elif not self._handles:
            self.attach()

    def on_epoch_begin(self, trainer, epoch):
        self.epochs.append((int(epoch), self.step_count))

    def mark_epoch(self, epoch=None):
        """Start an epoch here (a hand-written loop; ``fit`` does it by itself): the heat maps of
        :meth:`plot_gradient_flow` get one column per epoch. ``epoch`` defaults to the next number from 1."""
        self.epochs.append((len(self.epochs) + 1 if epoch is None else int(epoch), self.step_count))

    def on_batch_end(self, trainer, batch, logs):
        self.step((logs or {}).get("loss"))

    def on_epoch_end(self, trainer, epoch, logs):
        pass

    def on_train_end(self, trainer):
        self.detach()

    # ------------------------------------------------------------------ reading
    def summary(self):
        """The last recorded values as a text table."""
        lines = [f"Diagnostics: {len(self.steps)} recorded steps of {self.step_count}"]
        if self.grad_norms:
            lines.append(f"  {'parameter':<28}{'grad norm':>12}{'before clip':>13}{'update/weight':>15}")
            for n in self.grad_norms:
                b = self.grad_norms_before_clip.get(n)
                u = self.update_ratios.get(n)
                lines.append(f"  {n:<28}{self.grad_norms[n].last:>12.4g}{(b.last if b else math.nan):>13.4g}"
                             f"{(u.last if u else math.nan):>15.3g}")
        for name, series in self.activations.items():
            parts = [f"{k} {v.last:.3g}" for k, v in series.items()]
            lines.append(f"  activation {name}: " + ", ".join(parts))
        for name, records in self.time_grads.items():
            norms = records[-1][1]
            lines.append(f"  time-step grad norms {name}: first {norms[0]:.3g}, last {norms[-1]:.3g} "
                         f"({len(norms)} steps)")
        return "\n".join(lines)

    def __repr__(self):
        return f"<Diagnostics: {len(self.steps)} recorded steps, {len(self._params)} parameters>"

    # ------------------------------------------------------------------ plots (matplotlib, imported lazily)
    def plot_grad_norms(self, which="both", params=None, logy=True):
        from .diagnostics_plots import plot_grad_norms
        return plot_grad_norms(self, which=which, params=params, logy=logy)

    def plot_update_ratios(self, params=None):
        from .diagnostics_plots import plot_update_ratios
        return plot_update_ratios(self, params=params)

    def plot_activations(self):
        from .diagnostics_plots import plot_activations
        return plot_activations(self)

    def plot_activation_histograms(self):
        from .diagnostics_plots import plot_activation_histograms
        return plot_activation_histograms(self)

    def plot_time_grads(self, name=None, max_curves=6):
        from .diagnostics_plots import plot_time_grads
        return plot_time_grads(self, name=name, max_curves=max_curves)

    def plot_gradient_flow(self, per="epoch", time_name=None, max_columns=40, layers=None, limits=None,
                           time_limits=None):
        """Heat maps of the gradient norms per layer (and per time step of recurrent states) over the epochs:
        where gradients vanish or explode (see :func:`.diagnostics_plots.plot_gradient_flow`)."""
        from .diagnostics_plots import plot_gradient_flow
        return plot_gradient_flow(self, per=per, time_name=time_name, max_columns=max_columns, layers=layers,
                                  limits=limits, time_limits=time_limits)

    def plot(self):
        """A dashboard: loss, gradient norms, update ratios, activations (and time-step gradients if any)."""
        from .diagnostics_plots import plot_dashboard
        return plot_dashboard(self)
