"""Op-table rows: the recurrent cells composed of ops (the fused layers are checked in tests/test_rnn.py)."""
from .base import OpInfo


def _cell(lib, kind, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One cell step in either library (torch's cells take (h, c) as a tuple); the LSTM returns h + 2c."""
    if lib.__name__ == "torch":
        if kind == "lstm":
            h2, c2 = lib.lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh)
            return h2 + 2.0 * c2
        return (lib.rnn_tanh_cell if kind == "rnn" else lib.gru_cell)(x, h, w_ih, w_hh, b_ih, b_hh)
    from autograd_core.ops import recurrent as R
    if kind == "lstm":
        h2, c2 = R.lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh)
        return h2 + 2.0 * c2
    return (R.rnn_cell if kind == "rnn" else R.gru_cell)(x, h, w_ih, w_hh, b_ih, b_hh)

OPS = [
    OpInfo("rnn_cell", lambda lib, x, h, wi, wh, bi, bh: _cell(lib, "rnn", x, h, None, wi, wh, bi, bh),
           [((2, 3), (2, 4), (4, 3), (4, 4), (4,), (4,))]),
    OpInfo("lstm_cell", lambda lib, x, h, c, wi, wh, bi, bh: _cell(lib, "lstm", x, h, c, wi, wh, bi, bh),
           [((2, 3), (2, 4), (2, 4), (16, 3), (16, 4), (16,), (16,))]),
    OpInfo("gru_cell", lambda lib, x, h, wi, wh, bi, bh: _cell(lib, "gru", x, h, None, wi, wh, bi, bh),
           [((2, 3), (2, 4), (12, 3), (12, 4), (12,), (12,))]),
]
