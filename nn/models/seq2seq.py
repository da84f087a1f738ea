"""Reference recurrent models for the course's patterns, each small, documented and tested
(``tests/test_rnn_patterns.py`` trains every one of them on a synthetic task).

=========================  ==========================================================================
``SequenceTagger``         output at every step (sequence labelling, forecasting); ``bidirectional=True``
                           lets each output see the future too
``SequenceClassifier``     one output after the whole sequence (classification from the last state)
``OutputFeedbackRNN``      output-to-hidden recurrence: the previous output is part of the next input
                           (teacher forcing in training, its own outputs when generating)
``Seq2Seq``                encoder-decoder with a teacher-forcing ratio and greedy decoding
=========================  ==========================================================================

Tokens are integer ids (``Embedding``); the recurrent core is any of ``"RNN"``, ``"LSTM"``, ``"GRU"``.
"""
import numpy as np

from autograd_core import ops
from autograd_core.grad_mode import no_grad
from autograd_core.random import default_generator
from autograd_core.tensor import Tensor

from ..embedding import Embedding
from ..linear import Linear
from ..module import Module
from ..recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = ["SequenceTagger", "SequenceClassifier", "OutputFeedbackRNN", "Seq2Seq"]

_LAYERS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}
_CELLS = {"RNN": RNNCell, "LSTM": LSTMCell, "GRU": GRUCell}


def _layer(cell, *args, **kwargs):
    if cell not in _LAYERS:
        raise ValueError(f"cell must be one of {sorted(_LAYERS)}, got {cell!r}")
    return _LAYERS[cell](*args, **kwargs)


def _hidden(state):
    """h_n from an RNN/GRU state or an LSTM's (h_n, c_n)."""
    return state[0] if isinstance(state, tuple) else state


class SequenceTagger(Module):
    """Output at every step: tokens ``(B, T)`` -> logits ``(B, T, num_classes)``.

    Args:
        vocab_size, num_classes: input tokens and output classes.
        embedding_dim, hidden_size, num_layers: sizes.
        cell: ``"RNN"``, ``"LSTM"`` or ``"GRU"``.
        bidirectional: read the sequence both ways; output t then depends on the whole sequence, not only on
            tokens ``<= t``.

    Example::

        >>> tagger = SequenceTagger(10, 10, bidirectional=True)
        >>> logits = tagger(autograd_core.randint(0, 10, (32, 12)))     # (32, 12, 10)
        >>> loss = F.cross_entropy(logits.reshape(-1, 10), targets.reshape(-1))
    """

    def __init__(self, vocab_size, num_classes, embedding_dim=16, hidden_size=64, num_layers=1, cell="GRU",
                 bidirectional=False):
        super().__init__()
        self.embed = Embedding(vocab_size, embedding_dim)
        self.rnn = _layer(cell, embedding_dim, hidden_size, num_layers, batch_first=True, bidirectional=bidirectional)
        self.out = Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, tokens):
        y, _ = self.rnn(self.embed(tokens))
        return self.out(y)


class SequenceClassifier(Module):
    """One output after the whole sequence: tokens ``(B, T)`` -> logits ``(B, num_classes)`` from the last layer's
    final hidden state (both directions' when bidirectional)."""

    def __init__(self, vocab_size, num_classes, embedding_dim=16, hidden_size=64, num_layers=1, cell="LSTM",
                 bidirectional=False):
        super().__init__()
        self.bidirectional = bidirectional
        self.embed = Embedding(vocab_size, embedding_dim)
        self.rnn = _layer(cell, embedding_dim, hidden_size, num_layers, batch_first=True, bidirectional=bidirectional)
        self.out = Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, tokens):
        _, state = self.rnn(self.embed(tokens))
        h = _hidden(state)
        last = ops.cat([h[-2], h[-1]], 1) if self.bidirectional else h[-1]
        return self.out(last)


class OutputFeedbackRNN(Module):
    """Output-to-hidden recurrence (a Jordan-style network): the cell's input at step t is ``[x_t, y_{t-1}]``,
    where ``y`` is the model's own output, so the output feeds the next hidden state.

    ``forward(x, y_prev=None)``: with ``y_prev`` (the true previous outputs, ``(B, T, output_size)``) the model is
    *teacher forced* -- training sees the right previous value at every step; without it the model feeds back its
    own outputs (free-running generation). :meth:`generate` continues a sequence for ``steps`` steps.

    Shape: x ``(B, T, input_size)`` (``input_size`` may be 0: a pure autoregressive model); output
    ``(B, T, output_size)``.
    """

    def __init__(self, input_size, hidden_size, output_size, cell="GRU"):
        super().__init__()
        if cell not in _CELLS:
            raise ValueError(f"cell must be one of {sorted(_CELLS)}, got {cell!r}")
        self.input_size, self.output_size = input_size, output_size
        self.cell = _CELLS[cell](input_size + output_size, hidden_size)
        self.readout = Linear(hidden_size, output_size)

    def forward(self, x, y_prev=None, state=None, y0=None):
        B, T = x.shape[0], x.shape[1]
        y = y0 if y0 is not None else Tensor._make(np.zeros((B, self.output_size), dtype=x.dtype))
        outs = []
        for t in range(T):
            if y_prev is not None and t > 0:
                y = y_prev[:, t - 1]
            state = self.cell(ops.cat([x[:, t], y], 1), state)
            y = self.readout(_hidden(state))
            outs.append(y)
        self.last_state = state
        return ops.stack(outs, 1)

    @no_grad()
    def generate(self, steps, batch_size=1, x=None, state=None, y0=None, dtype=np.float32):
        """Run free for ``steps`` steps from ``state``/``y0`` (zeros by default); ``x`` gives the inputs if any."""
        if x is None:
            x = Tensor._make(np.zeros((batch_size, steps, self.input_size), dtype=dtype))
        return self.forward(x, None, state, y0)


class Seq2Seq(Module):
    """Encoder-decoder for token sequences (e.g. reversing or sorting digit strings).

    The encoder reads the source; its final state starts the decoder, which emits one token per step. The
    decoder's input at step t is the ``bos`` token at t = 0 and afterwards either the true previous target token
    (*teacher forcing*, with probability ``teacher_forcing_ratio``, drawn per step from the library's generator)
    or its own previous prediction. With ratio 1 the whole target is known in advance and the decoder runs as one
    fused pass over the sequence; otherwise it runs step by step.

    Args:
        src_vocab, tgt_vocab: vocabulary sizes (``bos`` must be a valid target id, e.g. ``tgt_vocab - 1``).
        embedding_dim, hidden_size, num_layers: sizes (encoder and decoder alike).
        cell: ``"RNN"``, ``"LSTM"`` or ``"GRU"``.
        bos: the start-of-sequence token fed to the decoder first.

    Example::

        >>> model = Seq2Seq(10, 11, bos=10)
        >>> logits = model(src, tgt, teacher_forcing_ratio=0.5)        # (B, T_tgt, 11)
        >>> tokens = model.greedy_decode(src, max_len=tgt.shape[1])     # (B, T_tgt) int64
    """

    def __init__(self, src_vocab, tgt_vocab, embedding_dim=32, hidden_size=128, num_layers=1, cell="GRU", bos=0):
        super().__init__()
        if not 0 <= bos < tgt_vocab:
            raise ValueError(f"bos must be a target token id in [0, {tgt_vocab}), got {bos}")
        self.bos = bos
        self.src_embed = Embedding(src_vocab, embedding_dim)
        self.tgt_embed = Embedding(tgt_vocab, embedding_dim)
        self.encoder = _layer(cell, embedding_dim, hidden_size, num_layers, batch_first=True)
        self.decoder = _layer(cell, embedding_dim, hidden_size, num_layers, batch_first=True)
        self.out = Linear(hidden_size, tgt_vocab)

    def encode(self, src):
        _, state = self.encoder(self.src_embed(src))
        return state

    def _bos(self, B):
        return Tensor._make(np.full((B, 1), self.bos, dtype=np.int64))

    def forward(self, src, tgt, teacher_forcing_ratio=1.0):
        """Logits ``(B, T_tgt, tgt_vocab)`` for the target positions."""
        if not 0.0 <= teacher_forcing_ratio <= 1.0:
            raise ValueError(f"teacher_forcing_ratio must be in [0, 1], got {teacher_forcing_ratio}")
        state = self.encode(src)
        B, T = tgt.shape
        if teacher_forcing_ratio == 1.0:
            inputs = ops.cat([self._bos(B), tgt[:, :T - 1]], 1)
            y, _ = self.decoder(self.tgt_embed(inputs), state)
            return self.out(y)
        rng = default_generator()
        token = self._bos(B)
        logits = []
        for t in range(T):
            y, state = self.decoder(self.tgt_embed(token), state)
            step = self.out(y)                                   # (B, 1, V)
            logits.append(step)
            if rng.random() < teacher_forcing_ratio:
                token = tgt[:, t:t + 1]
            else:
                token = Tensor._make(np.argmax(step.numpy(), axis=-1))
        return ops.cat(logits, 1)

    @no_grad()
    def greedy_decode(self, src, max_len, eos=None):
        """Feed back the most likely token at each step; returns int64 ids ``(B, max_len)`` (positions after an
        ``eos`` are filled with ``eos``)."""
        state = self.encode(src)
        B = src.shape[0]
        token = self._bos(B)
        out = np.empty((B, max_len), dtype=np.int64)
        done = np.zeros(B, dtype=bool)
        for t in range(max_len):
            y, state = self.decoder(self.tgt_embed(token), state)
            ids = np.argmax(self.out(y).numpy()[:, 0], axis=-1)
            if eos is not None:
                ids = np.where(done, eos, ids)
                done |= ids == eos
            out[:, t] = ids
            token = Tensor._make(ids[:, None])
        return Tensor._make(out)
