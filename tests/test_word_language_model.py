"""PyTorch's word-language-model example (pytorch/examples ``word_language_model/model.py`` and the training
loop of its ``main.py``) run on this library, with only the imports changed:

    import torch                ->  import autograd_core as torch
    import torch.nn as nn       ->  import nn
    import torch.nn.functional  ->  import nn.functional as F

The model code below is the example's, written out here, with three substitutions for names this library does
not have yet (each marked ``# here:``): ``weight.new_zeros(...)`` -> ``torch.zeros(...)``;
``torch.triu(torch.ones(sz, sz))`` in the causal mask -> ``nn.Transformer.generate_square_subsequent_mask(sz)``
(the same mask); ``from torch.nn import TransformerEncoder, ...`` -> ``from nn import ...``; and in the loop
``data.narrow(0, 0, n)`` -> ``data[:n]``. Each model trains a few steps on a tiny corpus and its loss falls.
"""
import math

import numpy as np
import pytest

import autograd_core as torch
import nn
import nn.functional as F


# ------------------------------------------------------------------ word_language_model/model.py
class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ['LSTM', 'GRU']:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            try:
                nonlinearity = {'RNN_TANH': 'tanh', 'RNN_RELU': 'relu'}[rnn_type]
            except KeyError as e:
                raise ValueError("""An invalid option for `--model` was supplied,
                                 options are ['LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU']""") from e
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)

        # Optionally tie weights as in "Using the Output Embedding to Improve Language Models" (Press & Wolf 2016)
        if tie_weights:
            if nhid != ninp:
                raise ValueError('When using the tied flag, nhid must be equal to emsize')
            self.decoder.weight = self.encoder.weight

        self.init_weights()

        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        if self.rnn_type == 'LSTM':
            return (torch.zeros(self.nlayers, bsz, self.nhid),    # here: weight.new_zeros(...)
                    torch.zeros(self.nlayers, bsz, self.nhid))
        else:
            return torch.zeros(self.nlayers, bsz, self.nhid)


class PositionalEncoding(nn.Module):
    r"""Inject some information about the relative or absolute position of the tokens in the sequence.
        PE(pos, 2i) = sin(pos/10000^(2i/d_model)), PE(pos, 2i+1) = cos(pos/10000^(2i/d_model))
    """

    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super(PositionalEncoding, self).__init__()
        self.dropout = nn.Dropout(p=dropout)

        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        pe = pe.unsqueeze(0).transpose(0, 1)
        self.register_buffer('pe', pe)

    def forward(self, x):
        x = x + self.pe[:x.size(0), :]
        return self.dropout(x)


class TransformerModel(nn.Module):
    """Container module with an encoder, a recurrent or transformer module, and a decoder."""

    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super(TransformerModel, self).__init__()
        from nn import TransformerEncoder, TransformerEncoderLayer    # here: from torch.nn import ...
        self.model_type = 'Transformer'
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        encoder_layers = TransformerEncoderLayer(ninp, nhead, nhid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

        self.init_weights()

    def _generate_square_subsequent_mask(self, sz):
        return nn.Transformer.generate_square_subsequent_mask(sz)     # here: torch.triu(torch.ones(sz, sz)) ...

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, src, has_mask=True):
        if has_mask:
            device = src.device
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                mask = self._generate_square_subsequent_mask(len(src)).to(device)
                self.src_mask = mask
        else:
            self.src_mask = None

        src = self.encoder(src) * math.sqrt(self.ninp)
        src = self.pos_encoder(src)
        output = self.transformer_encoder(src, self.src_mask)
        output = self.decoder(output)
        return F.log_softmax(output, dim=-1)


# ------------------------------------------------------------------ main.py: data and training loop
CORPUS = """the cat sat on the mat . the dog sat on the log . the cat saw the dog . the dog saw the cat .
a bird sat on the cat . the mat was on the log . a dog and a cat sat on a mat . the bird saw a log .""" * 4


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data[:nbatch * bsz]                  # here: data.narrow(0, 0, nbatch * bsz)
    data = data.view(bsz, -1).t().contiguous()
    return data


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    else:
        return tuple(repackage_hidden(v) for v in h)


def _corpus_ids():
    words = CORPUS.split()
    vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
    return torch.tensor([vocab[w] for w in words], dtype=torch.long), len(vocab)


def _train(model, ntokens, epochs, lr, bptt=8, batch_size=4, clip=0.25):
    ids, _ = _corpus_ids()
    train_data = batchify(ids, batch_size)
    criterion = nn.NLLLoss()
    losses = []
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        if not isinstance(model, TransformerModel):
            hidden = model.init_hidden(batch_size)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = get_batch(train_data, i, bptt)
            model.zero_grad()
            if isinstance(model, TransformerModel):
                output = model(data)
                output = output.view(-1, ntokens)
            else:
                hidden = repackage_hidden(hidden)
                output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            total += loss.item()
            count += 1
        losses.append(total / count)
    return losses


@pytest.mark.parametrize("rnn_type,nlayers,tie", [("LSTM", 1, False), ("GRU", 2, True), ("RNN_TANH", 2, False)])
def test_rnn_model_trains(rnn_type, nlayers, tie):
    torch.manual_seed(0)
    ids, ntokens = _corpus_ids()
    # (a 2-layer LSTM needs more steps than this to leave the unigram plateau, in PyTorch as here)
    model = RNNModel(rnn_type, ntokens, 16, 16, nlayers, dropout=0.2 if nlayers > 1 else 0.0, tie_weights=tie)
    if tie:
        assert model.decoder.weight is model.encoder.weight
    hidden = model.init_hidden(4)
    out, hidden = model(batchify(ids, 4)[:8], hidden)
    assert out.shape == (8 * 4, ntokens)
    np.testing.assert_allclose(np.exp(out.numpy()).sum(1), 1.0, rtol=1e-5)
    losses = _train(model, ntokens, epochs=12, lr=4.0)
    assert losses[-1] < losses[0] - 0.5, losses


def test_transformer_model_trains():
    torch.manual_seed(0)
    ids, ntokens = _corpus_ids()
    model = TransformerModel(ntokens, 16, 2, 32, 2, dropout=0.1)
    assert model.pos_encoder.pe.shape == (5000, 1, 16)
    assert "pos_encoder.pe" in model.state_dict()
    data = batchify(ids, 4)[:8]
    out = model(data)
    assert out.shape == (8, 4, ntokens)
    np.testing.assert_array_equal(model.src_mask.numpy(), np.triu(np.full((8, 8), -np.inf), 1))
    with pytest.warns(UserWarning, match="enable_nested_tensor"):      # PyTorch warns too (batch_first=False)
        TransformerModel(ntokens, 16, 2, 32, 2)
    losses = _train(model, ntokens, epochs=8, lr=1.0)
    assert losses[-1] < losses[0] - 0.5, losses
    model.eval()
    with torch.no_grad():
        a = model(data).numpy()
        b = model(data, has_mask=False).numpy()
    assert not np.allclose(a, b)        # the mask matters: without it a position sees the future


def test_transformer_model_matches_torch_twin():
    """The same model built with PyTorch, loaded with our weights, gives the same log-probabilities."""
    real = pytest.importorskip("torch")
    torch.manual_seed(0)
    _, ntokens = _corpus_ids()
    ours = TransformerModel(ntokens, 16, 2, 32, 2, dropout=0.0).double()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = real.nn.TransformerEncoderLayer(16, 2, 32, 0.0)
        twin = real.nn.ModuleDict({"transformer_encoder": real.nn.TransformerEncoder(layer, 2),
                                   "encoder": real.nn.Embedding(ntokens, 16),
                                   "decoder": real.nn.Linear(16, ntokens)}).double()
    state = {k: real.tensor(v.numpy()) for k, v in ours.state_dict().items() if k != "pos_encoder.pe"}
    twin.load_state_dict(state, strict=True)
    data = np.random.default_rng(0).integers(0, ntokens, (7, 3))
    ours.eval()
    twin.eval()
    x = twin["encoder"](real.tensor(data)) * math.sqrt(16) + real.tensor(ours.pos_encoder.pe.numpy()[:7])
    mask = real.nn.Transformer.generate_square_subsequent_mask(7, dtype=real.float64)
    ref = real.nn.functional.log_softmax(twin["decoder"](twin["transformer_encoder"](x, mask)), dim=-1)
    np.testing.assert_allclose(ours(torch.tensor(data)).numpy(), ref.detach().numpy(), atol=1e-10)
