"""Writes ``winograd_f2x5.py``: ``winograd_general.py``'s two generic transform kernels with one matrix built in.

The generic kernels read the transform matrix as sparse rows at run time, so every output row is zeroed and then
read-modified-written once per nonzero. With the matrix known, each output row is one expression over its
nonzeros (``4 * x0 - 5 * x2 + x4``), computed in registers and stored once; the loops over channels stay simple
(one store each), so LLVM vectorizes them. The terms are added in the generic kernel's order (left to right over
the nonzeros, multiplications by 1 and -1 left out, which are exact), so the generated kernels give bitwise the
same results (``tests/test_winograd_codegen.py``).

The output is checked into the package (numba caches a kernel only when it comes from a file, and these take a
few seconds each to compile), and the test fails when it differs from what this module writes. Regenerate with::

    python -m autograd_core.kernels.winograd_codegen
"""
import pathlib

import numpy as np

from . import winograd_general

TARGET = pathlib.Path(__file__).with_name("winograd_f2x5.py")

HEADER = '''"""Winograd F(2x2, 5x5) transforms with their matrices built in. GENERATED: do not edit.

Written by ``winograd_codegen.py``.

Same signatures and bitwise the same results as ``winograd_general._to_serial`` / ``_from_serial`` with the
matrix named in each docstring (``winograd_general.matrices(2, 5)``); ``tests/test_winograd_codegen.py``
checks both. Regenerate with ``python -m autograd_core.kernels.winograd_codegen``.
"""
import numpy as np

from ._jit import njit

U = np.uintp
'''


class _Consts:
    """Names the coefficients other than 1 and -1 (``k0 = dt(0.25)``, in the array's dtype)."""

    def __init__(self):
        self.values = []

    def name(self, v):
        if v not in self.values:
            self.values.append(v)
        return f"k{self.values.index(v)}"

    def lines(self, indent="    "):
        return [f"{indent}k{i} = dt({v!r})" for i, v in enumerate(self.values)]


def _sum(coefs, operands, consts, start=None):
    """``start + c0 * x0 + c1 * x1 + ...`` added left to right, as the generic kernel adds them."""
    expr = start
    for v, x in zip(coefs, operands):
        v = float(v)
        if expr is None:
            expr = x if v == 1 else f"-{x}" if v == -1 else f"{consts.name(v)} * {x}"
        elif v in (1, -1):
            expr = f"({expr} {'+' if v == 1 else '-'} {x})"
        else:
            expr = f"({expr} + {consts.name(v)} * {x})"
    return expr


def _nonzeros(row):
    nz = np.flatnonzero(row)
    return nz, np.asarray(row)[nz]


def to_source(name, lmat, m, doc):
    """A kernel ``name(src, flat, th, tw)``: ``_to_serial(src, *rows(lmat), a, t, m, th, tw, flat)`` unrolled."""
    lmat = np.asarray(lmat)
    a_, t_ = lmat.shape
    k = _Consts()
    stage1, stage2 = [], []
    for a in range(a_):                     # tmp[a, :] = sum_i L[a, i] * src[n, y0 + i, :, :]
        nz, v = _nonzeros(lmat[a])
        expr = _sum(v, [f"sf[U(s + {i} * line + u)]" for i in nz], k)
        stage1 += ["        for u in range(line):", f"            tmp[U({a} * line + u)] = {expr}"]
    for b in range(a_):                     # domain[a*alpha + b, tile, :] = sum_j L[b, j] * tmp[a, m*tile + j, :]
        nz, v = _nonzeros(lmat[b])
        expr = _sum(v, [f"tmp[U(g + {j} * c_ + c)]" for j in nz], k)
        stage2 += ["            for tx in range(tw):",
                   f"                d = (a * {a_} + {b}) * stride + p0 + tx * c_",
                   f"                g = a * line + {m} * tx * c_",
                   "                for c in range(c_):",
                   f"                    df[U(d + c)] = {expr}"]
    return "\n".join([
        "", "", "@njit(nogil=True)   # run by kernels/team.py's threads",
        f"def {name}(src, flat, th, tw):",
        f'    """{doc}"""',
        "    n_, hp, wp, c_ = src.shape",
        "    dt = src.dtype.type", *k.lines(),
        "    sf = src.ravel()",
        "    df = flat.ravel()",
        "    stride = flat.shape[1]",
        "    line = wp * c_",
        f"    tmp = np.empty({a_} * line, src.dtype)",
        "    for r in range(n_ * th):",
        f"        s = ((r // th) * hp + {m} * (r % th)) * line",
        "        p0 = r * tw * c_",
        *stage1,
        f"        for a in range({a_}):",
        *stage2,
    ]) + "\n"


def from_source(name, lmat, m, doc):
    """A kernel ``name(flat, dst, th, tw)``: ``_from_serial(flat, *rows(lmat), t, a, m, th, tw, dst)`` unrolled
    (``dst`` zeroed by the caller; overlapping windows are added)."""
    lmat = np.asarray(lmat)
    t_, a_ = lmat.shape
    k = _Consts()
    stage1, stage2 = [], []
    for i in range(t_):                     # tmp[i, b, tile, :] = sum_a L[i, a] * D[a*alpha + b, tile, :]
        nz, v = _nonzeros(lmat[i])
        expr = _sum(v, [f"df[U(({a} * {a_} + b) * stride + p0 + u)]" for a in nz], k)
        stage1 += [f"            for b in range({a_}):",
                   f"                q = ({i} * {a_} + b) * run",
                   "                for u in range(run):",
                   f"                    tmp[U(q + u)] = {expr}"]
    for j in range(t_):                     # out[m*ty + i, m*tile + j, :] += sum_b L[j, b] * tmp[i, b, tile, :]
        nz, v = _nonzeros(lmat[j])
        expr = _sum(v, [f"tmp[U(q + {b} * run + tx * c_ + c)]" for b in nz], k, start="of[U(d + c)]")
        stage2 += ["                for tx in range(tw):",
                   f"                    d = s0 + ({m} * tx + {j}) * c_",
                   "                    for c in range(c_):",
                   f"                        of[U(d + c)] = {expr}"]
    return "\n".join([
        "", "", "@njit(nogil=True)   # run by kernels/team.py's threads",
        f"def {name}(flat, dst, th, tw):",
        f'    """{doc}"""',
        "    n_, hp, wp, c_ = dst.shape",
        "    dt = dst.dtype.type", *k.lines(),
        "    df = flat.ravel()",
        "    of = dst.ravel()",
        "    stride = flat.shape[1]",
        "    run = tw * c_",
        f"    tmp = np.empty({t_ * a_} * run, dst.dtype)",
        "    for n in range(n_):",
        "        for ty in range(th):",
        "            p0 = (n * th + ty) * tw * c_",
        *stage1,
        f"            for i in range({t_}):",
        f"                s0 = (n * hp + {m} * ty + i) * wp * c_",
        f"                q = i * {a_} * run",
        *stage2,
    ]) + "\n"


def kernels(m=2, r=5):
    """``(name, kind, matrix)`` of the four transforms of F(m x m, r x r), as ``ops/conv_winograd._Family``
    uses them."""
    at, _, bt = winograd_general.matrices(m, r)
    return (("to_input", "to", bt), ("from_output", "from", at), ("to_grad", "to", at.T),
            ("from_input_grad", "from", bt.T))


DOCS = {"to_input": "The input transform: ``B^T tile B`` of every 6 x 6 input tile (``L = B^T``).",
        "from_output": "The output transform: ``A^T D A`` of every domain tile, 2 x 2 outputs (``L = A^T``).",
        "to_grad": "The output gradient's transform: ``A g A^T`` of every 2 x 2 gradient tile (``L = A``).",
        "from_input_grad": "The input gradient: ``B D B^T`` of every domain tile, 6 x 6 windows added (``L = B``)."}


def module_source(m=2, r=5):
    parts = [HEADER]
    for name, kind, lmat in kernels(m, r):
        parts.append((to_source if kind == "to" else from_source)(name, lmat, m, DOCS[name]))
    return "".join(parts)


if __name__ == "__main__":
    TARGET.write_text(module_source())
    print(f"wrote {TARGET}")
