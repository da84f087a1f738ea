"""``einsum``: Einstein summation over any equation numpy accepts (implicit or explicit output, ``...``, repeated
subscripts for diagonals), plus PyTorch's sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

The equation is first rewritten with explicit letters only: ``...`` becomes fresh letters for the broadcast batch
dimensions (summed when the output has no ``...``, as in PyTorch), and size-1 dimensions are expanded where
another operand's are larger (an ``expand`` node, so the engine sums their gradients back). ``EinsumFunction``
then sees one consistent size per letter.

The gradient of operand ``k`` is again an einsum: of the output gradient with the other operands, into ``k``'s
subscripts. Letters only ``k`` has (summed in the forward) come back through a ones vector, and a repeated letter
(``'ii->i'``) through an identity matrix, so the result lands on the diagonal. Being einsums, the gradients are
differentiable again.
"""
import string

import numpy as np

from ..errors import fmt_shape
from ..function import Function
from ..tensor import Tensor
from .registry import op
from .shape import expand

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _error(msg):
    return RuntimeError(f"einsum(): {msg}")


class EinsumFunction(Function):
    derivative = "∂out/∂x_k = einsum of the output gradient with the other operands, into x_k's subscripts"

    def forward(self, *operands, terms=(), output=""):
        self.terms, self.output = terms, output
        if any(self.needs_input_grad):
            self.save_for_backward(*operands)
        eq = ",".join(terms) + "->" + output
        arrays = [t._data for t in operands]
        return np.asarray(np.einsum(eq, *arrays, optimize=len(arrays) > 1))

    def backward(self, grad):
        operands = self.saved_tensors
        sizes = {}
        for term, t in zip(self.terms, operands):
            sizes.update(zip(term, t.shape))
        grads = []
        for k, (term, need) in enumerate(zip(self.terms, self.needs_input_grad)):
            if not need:
                grads.append(None)
                continue
            ins = [self.output] + [s for j, s in enumerate(self.terms) if j != k]
            args = [grad] + [t for j, t in enumerate(operands) if j != k]
            present = set("".join(ins))
            used = set("".join(self.terms)) | set(self.output)
            fresh = (c for c in _LETTERS if c not in used)
            out_term, seen = [], set()
            for c in term:
                if c in seen:               # a repeated letter: the gradient lives on the diagonal
                    d = next(fresh)
                    ins.append(c + d)
                    args.append(Tensor._make(np.eye(sizes[c], dtype=grad.dtype)))
                    out_term.append(d)
                    continue
                seen.add(c)
                if c not in present:        # summed in the forward by this operand alone: broadcast back
                    ins.append(c)
                    args.append(Tensor._make(np.ones(sizes[c], dtype=grad.dtype)))
                    present.add(c)
                out_term.append(c)
            grads.append(_apply(ins, "".join(out_term), args))
        return tuple(grads)


def _apply(terms, output, operands):
    return EinsumFunction.apply(*operands, terms=tuple(terms), output=output)


def _from_sublists(args):
    """PyTorch's sublist form ``(op, sublist, op, sublist, ..., [output])`` as an equation and operands."""
    out = None
    if len(args) % 2:
        args, out = args[:-1], args[-1]
    operands, subs = list(args[0::2]), list(args[1::2])

    def term(sub):
        s = ""
        for v in sub:
            if v is Ellipsis:
                s += "..."
            elif isinstance(v, int) and 0 <= v < 52:
                s += _LETTERS[v]
            else:
                raise ValueError(f"einsum(): expected subscripts in [0, 52) or Ellipsis in a sublist, got {v!r}")
        return s
    eq = ",".join(term(s) for s in subs)
    if out is not None:
        eq += "->" + term(out)
    return eq, operands


def _parse_term(term, i, ndim, equation, offset):
    letters, ellipsis = [], False
    j = 0
    while j < len(term):
        c = term[j]
        if c == ".":
            if ellipsis:
                raise _error(f"found '.' for operand {i} for which an ellipsis was already found")
            if term[j:j + 3] != "...":
                raise _error(f"found '.' for operand {i} that is not part of any ellipsis")
            ellipsis = True
            letters.append("...")
            j += 3
            continue
        if c not in _LETTERS:
            raise _error(f"invalid subscript given at index {offset + j} in the equation string, subscripts must "
                         f"be in [a-zA-Z]")
        letters.append(c)
        j += 1
    n = len(letters) - ellipsis
    if (not ellipsis and n != ndim) or (ellipsis and n > ndim):
        raise _error(f"the number of subscripts in the equation ({n}) does not match the number of dimensions "
                     f"({ndim}) for operand {i}" + ("" if ellipsis else " and no ellipsis was given"))
    return letters


@op(method=False)
def einsum(equation, *operands):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``; ``'ii->i'`` a diagonal, ``'...ij->...ji'``
    a batched transpose; without ``->`` the output is the letters seen once, in alphabetical order, after the
    ``...`` dimensions. Operands may also be passed as one list, or in PyTorch's sublist form.

    All operands must share a dtype (as in PyTorch); size-1 dimensions broadcast.
    """
    if not isinstance(equation, str):
        equation, operands = _from_sublists((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = [t if isinstance(t, Tensor) else Tensor(t) for t in operands]
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) < len(operands):
        raise _error("more operands were provided than specified in the equation")
    if len(terms) > len(operands):
        raise _error("fewer operands were provided than specified in the equation")
    dts = {t.dtype for t in operands}
    if len(dts) > 1:
        raise RuntimeError(f"einsum(): operands must share a dtype (as in PyTorch), got "
                           f"{', '.join(str(t.dtype) for t in operands)}")
    parsed, offset = [], 0
    for i, (term, t) in enumerate(zip(terms, operands)):
        parsed.append(_parse_term(term, i, t.ndim, eq, offset))
        offset += len(term) + 1
    n_ell = max([t.ndim - (len(p) - 1) for p, t in zip(parsed, operands) if "..." in p], default=0)
    used = set(c for p in parsed for c in p if c != "...") | set(rhs) - {"."}
    fresh = [c for c in _LETTERS if c not in used][:n_ell]
    # every operand in explicit letters; the sizes of each letter, checked for broadcasting
    sizes, explicit = {}, []
    for i, (p, t) in enumerate(zip(parsed, operands)):
        k = t.ndim - (len(p) - 1) if "..." in p else 0
        letters = []
        for c in p:
            letters.extend(fresh[n_ell - k:] if c == "..." else [c])
        own = {}
        for c, n in zip(letters, t.shape):
            if c in own and own[c] != n:
                raise _error(f"subscript {c} is repeated for operand {i} but the sizes don't match, {n} != {own[c]}")
            own[c] = n
            prev = sizes.get(c)
            if prev is not None and prev != n and 1 not in (prev, n):
                raise _error(f"subscript {c} has size {n} for operand {i} which does not broadcast with previously "
                             f"seen size {prev}")
            sizes[c] = n if prev in (None, 1) else prev
        explicit.append(letters)
    if arrow:
        out_letters = []
        rest = rhs
        while rest:
            if rest.startswith("..."):
                out_letters.extend(fresh)
                rest = rest[3:]
                continue
            c = rest[0]
            if c not in _LETTERS:
                raise _error(f"invalid subscript given at index {len(lhs) + 2 + len(rhs) - len(rest)} in the "
                             f"equation string, subscripts must be in [a-zA-Z]")
            if c in out_letters:
                raise _error(f"output subscript {c} appears more than once in the output")
            if c not in sizes:
                raise _error(f"output subscript {c} does not appear in the equation for any input operand")
            out_letters.append(c)
            rest = rest[1:]
    else:
        counts = {}
        for letters in parsed:
            for c in letters:
                counts[c] = counts.get(c, 0) + 1
        out_letters = fresh + sorted(c for c, n in counts.items() if n == 1 and c != "...")
    ready = []
    for letters, t in zip(explicit, operands):
        target = tuple(sizes[c] for c in letters)
        if target != t.shape:
            if any(n != 1 and n != m for n, m in zip(t.shape, target)):
                raise _error(f"operand of shape {fmt_shape(t.shape)} doesn't broadcast to {fmt_shape(target)}")
            t = expand(t, *target)
        ready.append(t)
    return _apply(["".join(letters) for letters in explicit], "".join(out_letters), ready)
