"""Op-table rows: losses and embedding look-ups (integer targets and indices are constants of each row)."""
from .base import OpInfo, _NF

_P = [[0.1, 0.5, 0.9, 0.3], [0.0, 1.0, 0.7, 0.2], [0.6, 0.4, 0.05, 0.95]]   # probability targets of BCE

OPS = [
    OpInfo("cross_entropy", lambda lib, x: _NF(lib).cross_entropy(x, lib.tensor([0, 2, 1])), [(3, 4)]),
    OpInfo("cross_entropy_weighted_smoothed",
           lambda lib, x: _NF(lib).cross_entropy(x, lib.tensor([[0, 2], [3, 1]]), label_smoothing=0.2, ignore_index=3,
                                                 weight=lib.tensor([0.5, 1.0, 2.0, 1.5], dtype=x.dtype)),
           [(2, 4, 2)], op="cross_entropy"),
    OpInfo("cross_entropy_probabilities", lambda lib, x, t: _NF(lib).cross_entropy(x, _NF(lib).softmax(t, dim=1)),
           [((3, 4), (3, 4))], op="cross_entropy"),
    OpInfo("nll_loss", lambda lib, x: _NF(lib).nll_loss(_NF(lib).log_softmax(x, dim=1), lib.tensor([1, 0, 3]),
                                                        reduction="sum"), [(3, 4)]),
    OpInfo("mse_loss", lambda lib, a, b: _NF(lib).mse_loss(a, b), [((3, 4), (3, 4))]),
    OpInfo("l1_loss", lambda lib, a, b: _NF(lib).l1_loss(a, b, reduction="sum"), [((3, 4), (3, 4))], smooth=False),
    OpInfo("binary_cross_entropy",
           lambda lib, x: _NF(lib).binary_cross_entropy(lib.sigmoid(x), lib.tensor(_P, dtype=x.dtype)), [(3, 4)]),
    OpInfo("binary_cross_entropy_with_logits",
           lambda lib, x, y: _NF(lib).binary_cross_entropy_with_logits(x, lib.sigmoid(y)), [((3, 4), (3, 4))]),
    OpInfo("binary_cross_entropy_with_logits_pos_weight",
           lambda lib, x, y: _NF(lib).binary_cross_entropy_with_logits(
               x, lib.sigmoid(y), pos_weight=lib.tensor([0.5, 1.0, 2.0, 3.0], dtype=x.dtype)), [((3, 4), (3, 4))],
           op="binary_cross_entropy_with_logits"),
    OpInfo("kl_div", lambda lib, x, y: _NF(lib).kl_div(_NF(lib).log_softmax(x, dim=1), _NF(lib).softmax(y, dim=1),
                                                       reduction="batchmean"), [((3, 4), (3, 4))]),
    OpInfo("huber_loss", lambda lib, a, b: _NF(lib).huber_loss(a, b, delta=0.5), [((3, 4), (3, 4))], smooth=False),
    OpInfo("smooth_l1_loss", lambda lib, a, b: _NF(lib).smooth_l1_loss(a, b, beta=0.7), [((3, 4), (3, 4))],
           smooth=False),
    OpInfo("embedding", lambda lib, w: _NF(lib).embedding(lib.tensor([[0, 2], [3, 0]]), w), [(5, 3)]),
]
