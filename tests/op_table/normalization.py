"""Op-table rows: the normalization and distance compositions of ``nn.functional`` (batch/instance/layer/group/RMS
and local response norm, ``normalize``, ``cosine_similarity``, ``pairwise_distance``). Running statistics are
not inputs here (batch_norm's update is outside the graph); tests/test_nn_normalization.py checks them."""
from .base import OpInfo, _NF


def _bn_eval(lib, x, w, b):
    rm = lib.tensor([0.1, -0.2, 0.3], dtype=x.dtype)
    rv = lib.tensor([0.5, 1.5, 2.0], dtype=x.dtype)
    return _NF(lib).batch_norm(x, rm, rv, w, b, training=False, eps=1e-3)


OPS = [
    OpInfo("batch_norm_train", lambda lib, x, w, b: _NF(lib).batch_norm(x, None, None, w, b, training=True),
           [((4, 3), (3,), (3,)), ((2, 3, 2, 2), (3,), (3,))]),
    OpInfo("batch_norm_eval", _bn_eval, [((4, 3), (3,), (3,)), ((2, 3, 4), (3,), (3,))]),
    OpInfo("instance_norm", lambda lib, x, w, b: _NF(lib).instance_norm(x, weight=w, bias=b, eps=1e-3),
           [((2, 3, 4), (3,), (3,)), ((2, 3, 2, 3), (3,), (3,))]),
    OpInfo("layer_norm", lambda lib, x, w, b: _NF(lib).layer_norm(x, (3, 4), w, b), [((2, 3, 4), (3, 4), (3, 4))]),
    OpInfo("layer_norm_plain", lambda lib, x: _NF(lib).layer_norm(x, (4,), eps=1e-2), [(3, 4), (4,)]),
    OpInfo("group_norm", lambda lib, x, w, b: _NF(lib).group_norm(x, 2, w, b), [((2, 4, 3), (4,), (4,)),
                                                                            ((3, 6), (6,), (6,))]),
    OpInfo("group_norm_plain", lambda lib, x: _NF(lib).group_norm(x, 3, eps=1e-3), [(2, 3, 2, 2)]),
    OpInfo("rms_norm", lambda lib, x, w: _NF(lib).rms_norm(x, (4,), w), [((3, 4), (4,)), ((2, 3, 4), (4,))]),
    OpInfo("rms_norm_eps", lambda lib, x: _NF(lib).rms_norm(x, (2, 3), eps=1e-3), [(4, 2, 3)]),
    OpInfo("local_response_norm", lambda lib, x: _NF(lib).local_response_norm(x, 3, alpha=0.5, beta=0.7, k=1.5),
           [(2, 5, 3), (1, 4, 2, 3)]),
    OpInfo("local_response_norm_even", lambda lib, x: _NF(lib).local_response_norm(x, 2, alpha=0.3),
           [(2, 3, 2, 2, 2)]),
    OpInfo("normalize", lambda lib, x: _NF(lib).normalize(x, p=2.0, dim=1), [(3, 4), (2, 3, 2)]),
    OpInfo("normalize_p3", lambda lib, x: _NF(lib).normalize(x, p=3.0, dim=-1), [(3, 4)], domain="nonzero"),
    OpInfo("normalize_p1", lambda lib, x: _NF(lib).normalize(x, p=1.0, dim=0), [(3, 4)], domain="nonzero",
           smooth=False),
    OpInfo("cosine_similarity", lambda lib, a, b: _NF(lib).cosine_similarity(a, b, dim=-1),
           [((3, 4), (3, 4)), ((2, 1, 4), (3, 4))]),
    OpInfo("pairwise_distance", lambda lib, a, b: _NF(lib).pairwise_distance(a, b), [((3, 4), (3, 4)),
                                                                                  ((3, 4), (4,))]),
    OpInfo("pairwise_distance_p3", lambda lib, a, b: _NF(lib).pairwise_distance(a, b, p=3.0, keepdim=True),
           [((3, 4), (3, 4))]),
]
