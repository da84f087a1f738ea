"""Parameter-group helpers: the course's ridge penalty applied to weights only.

Weight decay (an L2 / ridge penalty) is meant to shrink the weights that mix features. Applying it to biases,
to the scale and shift of normalization layers, or to other 1-D parameters only pulls the model towards a
worse fit: those parameters set offsets and scales, not feature interactions. ``weight_decay_groups`` splits
the parameters accordingly.
"""
NO_DECAY = ("bias", "norm", "bn")


def weight_decay_groups(model_or_named_params, weight_decay, no_decay=NO_DECAY, **group_options):
    """Split parameters into a group with weight decay and a group without.

    A parameter goes to the no-decay group when it has fewer than two dimensions (biases, normalization
    scales and shifts, scalars) or when one of the ``no_decay`` substrings occurs in its dotted name
    (case-insensitive; the defaults catch ``*.bias`` and modules named like ``norm``, ``layer_norm``,
    ``batchnorm``, ``bn1``). Parameters with ``requires_grad=False`` are left out; a parameter shared under
    several names is listed once.

    Args:
        model_or_named_params: a module (anything with ``named_parameters()``) or an iterable of
            ``(name, parameter)`` pairs.
        weight_decay: the decay of the first group.
        no_decay: name substrings that exempt a parameter from decay.
        **group_options: other hyperparameters set on both groups (e.g. ``lr``).

    Returns:
        ``[{"params": decayed, "weight_decay": weight_decay, ...}, {"params": exempt, "weight_decay": 0.0, ...}]``,
        always two groups (either may be empty), ready for any optimizer of this package.

    Example::

        >>> opt = optim.AdamW(optim.weight_decay_groups(model, 0.05), lr=1e-3)
        >>> opt = optim.SGD(optim.weight_decay_groups(model.named_parameters(), 1e-4), lr=0.1, momentum=0.9)
    """
    if weight_decay < 0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    named = model_or_named_params.named_parameters() if hasattr(model_or_named_params, "named_parameters") \
        else model_or_named_params
    patterns = tuple(s.lower() for s in no_decay)
    decay, exempt, seen = [], [], set()
    for name, p in named:
        if id(p) in seen or not p.requires_grad:
            continue
        seen.add(id(p))
        if p.ndim < 2 or any(s in name.lower() for s in patterns):
            exempt.append(p)
        else:
            decay.append(p)
    return [dict(group_options, params=decay, weight_decay=weight_decay),
            dict(group_options, params=exempt, weight_decay=0.0)]
