"""Winograd F(2x2, 5x5) transforms with their matrices built in. GENERATED: do not edit.

Written by ``winograd_codegen.py``.

Same signatures and bitwise the same results as ``winograd_general._to_serial`` / ``_from_serial`` with the
matrix named in each docstring (``winograd_general.matrices(2, 5)``); ``tests/test_winograd_codegen.py``
checks both. Regenerate with ``python -m autograd_core.kernels.winograd_codegen``.
"""
import numpy as np

from ._jit import njit

U = np.uintp


@njit(nogil=True)   # run by kernels/team.py's threads
def to_input(src, flat, th, tw):
    """The input transform: ``B^T tile B`` of every 6 x 6 input tile (``L = B^T``)."""
    n_, hp, wp, c_ = src.shape
    dt = src.dtype.type
    k0 = dt(4.0)
    k1 = dt(-5.0)
    k2 = dt(-4.0)
    k3 = dt(-2.0)
    k4 = dt(2.0)
    sf = src.ravel()
    df = flat.ravel()
    stride = flat.shape[1]
    line = wp * c_
    tmp = np.empty(6 * line, src.dtype)
    for r in range(n_ * th):
        s = ((r // th) * hp + 2 * (r % th)) * line
        p0 = r * tw * c_
        for u in range(line):
            tmp[U(0 * line + u)] = ((k0 * sf[U(s + 0 * line + u)] + k1 * sf[U(s + 2 * line + u)]) + sf[U(s + 4 * line + u)])
        for u in range(line):
            tmp[U(1 * line + u)] = (((k2 * sf[U(s + 1 * line + u)] + k2 * sf[U(s + 2 * line + u)]) + sf[U(s + 3 * line + u)]) + sf[U(s + 4 * line + u)])
        for u in range(line):
            tmp[U(2 * line + u)] = (((k0 * sf[U(s + 1 * line + u)] + k2 * sf[U(s + 2 * line + u)]) - sf[U(s + 3 * line + u)]) + sf[U(s + 4 * line + u)])
        for u in range(line):
            tmp[U(3 * line + u)] = (((k3 * sf[U(s + 1 * line + u)] - sf[U(s + 2 * line + u)]) + k4 * sf[U(s + 3 * line + u)]) + sf[U(s + 4 * line + u)])
        for u in range(line):
            tmp[U(4 * line + u)] = (((k4 * sf[U(s + 1 * line + u)] - sf[U(s + 2 * line + u)]) + k3 * sf[U(s + 3 * line + u)]) + sf[U(s + 4 * line + u)])
        for u in range(line):
            tmp[U(5 * line + u)] = ((k0 * sf[U(s + 1 * line + u)] + k1 * sf[U(s + 3 * line + u)]) + sf[U(s + 5 * line + u)])
        for a in range(6):
            for tx in range(tw):
                d = (a * 6 + 0) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = ((k0 * tmp[U(g + 0 * c_ + c)] + k1 * tmp[U(g + 2 * c_ + c)]) + tmp[U(g + 4 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 1) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = (((k2 * tmp[U(g + 1 * c_ + c)] + k2 * tmp[U(g + 2 * c_ + c)]) + tmp[U(g + 3 * c_ + c)]) + tmp[U(g + 4 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 2) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = (((k0 * tmp[U(g + 1 * c_ + c)] + k2 * tmp[U(g + 2 * c_ + c)]) - tmp[U(g + 3 * c_ + c)]) + tmp[U(g + 4 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 3) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = (((k3 * tmp[U(g + 1 * c_ + c)] - tmp[U(g + 2 * c_ + c)]) + k4 * tmp[U(g + 3 * c_ + c)]) + tmp[U(g + 4 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 4) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = (((k4 * tmp[U(g + 1 * c_ + c)] - tmp[U(g + 2 * c_ + c)]) + k3 * tmp[U(g + 3 * c_ + c)]) + tmp[U(g + 4 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 5) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = ((k0 * tmp[U(g + 1 * c_ + c)] + k1 * tmp[U(g + 3 * c_ + c)]) + tmp[U(g + 5 * c_ + c)])


@njit(nogil=True)   # run by kernels/team.py's threads
def from_output(flat, dst, th, tw):
    """The output transform: ``A^T D A`` of every domain tile, 2 x 2 outputs (``L = A^T``)."""
    n_, hp, wp, c_ = dst.shape
    dt = dst.dtype.type
    k0 = dt(2.0)
    k1 = dt(-2.0)
    df = flat.ravel()
    of = dst.ravel()
    stride = flat.shape[1]
    run = tw * c_
    tmp = np.empty(12 * run, dst.dtype)
    for n in range(n_):
        for ty in range(th):
            p0 = (n * th + ty) * tw * c_
            for b in range(6):
                q = (0 * 6 + b) * run
                for u in range(run):
                    tmp[U(q + u)] = ((((df[U((0 * 6 + b) * stride + p0 + u)] + df[U((1 * 6 + b) * stride + p0 + u)]) + df[U((2 * 6 + b) * stride + p0 + u)]) + df[U((3 * 6 + b) * stride + p0 + u)]) + df[U((4 * 6 + b) * stride + p0 + u)])
            for b in range(6):
                q = (1 * 6 + b) * run
                for u in range(run):
                    tmp[U(q + u)] = ((((df[U((1 * 6 + b) * stride + p0 + u)] - df[U((2 * 6 + b) * stride + p0 + u)]) + k0 * df[U((3 * 6 + b) * stride + p0 + u)]) + k1 * df[U((4 * 6 + b) * stride + p0 + u)]) + df[U((5 * 6 + b) * stride + p0 + u)])
            for i in range(2):
                s0 = (n * hp + 2 * ty + i) * wp * c_
                q = i * 6 * run
                for tx in range(tw):
                    d = s0 + (2 * tx + 0) * c_
                    for c in range(c_):
                        of[U(d + c)] = (((((of[U(d + c)] + tmp[U(q + 0 * run + tx * c_ + c)]) + tmp[U(q + 1 * run + tx * c_ + c)]) + tmp[U(q + 2 * run + tx * c_ + c)]) + tmp[U(q + 3 * run + tx * c_ + c)]) + tmp[U(q + 4 * run + tx * c_ + c)])
                for tx in range(tw):
                    d = s0 + (2 * tx + 1) * c_
                    for c in range(c_):
                        of[U(d + c)] = (((((of[U(d + c)] + tmp[U(q + 1 * run + tx * c_ + c)]) - tmp[U(q + 2 * run + tx * c_ + c)]) + k0 * tmp[U(q + 3 * run + tx * c_ + c)]) + k1 * tmp[U(q + 4 * run + tx * c_ + c)]) + tmp[U(q + 5 * run + tx * c_ + c)])


@njit(nogil=True)   # run by kernels/team.py's threads
def to_grad(src, flat, th, tw):
    """The output gradient's transform: ``A g A^T`` of every 2 x 2 gradient tile (``L = A``)."""
    n_, hp, wp, c_ = src.shape
    dt = src.dtype.type
    k0 = dt(2.0)
    k1 = dt(-2.0)
    sf = src.ravel()
    df = flat.ravel()
    stride = flat.shape[1]
    line = wp * c_
    tmp = np.empty(6 * line, src.dtype)
    for r in range(n_ * th):
        s = ((r // th) * hp + 2 * (r % th)) * line
        p0 = r * tw * c_
        for u in range(line):
            tmp[U(0 * line + u)] = sf[U(s + 0 * line + u)]
        for u in range(line):
            tmp[U(1 * line + u)] = (sf[U(s + 0 * line + u)] + sf[U(s + 1 * line + u)])
        for u in range(line):
            tmp[U(2 * line + u)] = (sf[U(s + 0 * line + u)] - sf[U(s + 1 * line + u)])
        for u in range(line):
            tmp[U(3 * line + u)] = (sf[U(s + 0 * line + u)] + k0 * sf[U(s + 1 * line + u)])
        for u in range(line):
            tmp[U(4 * line + u)] = (sf[U(s + 0 * line + u)] + k1 * sf[U(s + 1 * line + u)])
        for u in range(line):
            tmp[U(5 * line + u)] = sf[U(s + 1 * line + u)]
        for a in range(6):
            for tx in range(tw):
                d = (a * 6 + 0) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = tmp[U(g + 0 * c_ + c)]
            for tx in range(tw):
                d = (a * 6 + 1) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = (tmp[U(g + 0 * c_ + c)] + tmp[U(g + 1 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 2) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = (tmp[U(g + 0 * c_ + c)] - tmp[U(g + 1 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 3) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = (tmp[U(g + 0 * c_ + c)] + k0 * tmp[U(g + 1 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 4) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = (tmp[U(g + 0 * c_ + c)] + k1 * tmp[U(g + 1 * c_ + c)])
            for tx in range(tw):
                d = (a * 6 + 5) * stride + p0 + tx * c_
                g = a * line + 2 * tx * c_
                for c in range(c_):
                    df[U(d + c)] = tmp[U(g + 1 * c_ + c)]


@njit(nogil=True)   # run by kernels/team.py's threads
def from_input_grad(flat, dst, th, tw):
    """The input gradient: ``B D B^T`` of every domain tile, 6 x 6 windows added (``L = B``)."""
    n_, hp, wp, c_ = dst.shape
    dt = dst.dtype.type
    k0 = dt(4.0)
    k1 = dt(-4.0)
    k2 = dt(-2.0)
    k3 = dt(2.0)
    k4 = dt(-5.0)
    df = flat.ravel()
    of = dst.ravel()
    stride = flat.shape[1]
    run = tw * c_
    tmp = np.empty(36 * run, dst.dtype)
    for n in range(n_):
        for ty in range(th):
            p0 = (n * th + ty) * tw * c_
            for b in range(6):
                q = (0 * 6 + b) * run
                for u in range(run):
                    tmp[U(q + u)] = k0 * df[U((0 * 6 + b) * stride + p0 + u)]
            for b in range(6):
                q = (1 * 6 + b) * run
                for u in range(run):
                    tmp[U(q + u)] = ((((k1 * df[U((1 * 6 + b) * stride + p0 + u)] + k0 * df[U((2 * 6 + b) * stride + p0 + u)]) + k2 * df[U((3 * 6 + b) * stride + p0 + u)]) + k3 * df[U((4 * 6 + b) * stride + p0 + u)]) + k0 * df[U((5 * 6 + b) * stride + p0 + u)])
            for b in range(6):
                q = (2 * 6 + b) * run
                for u in range(run):
                    tmp[U(q + u)] = ((((k4 * df[U((0 * 6 + b) * stride + p0 + u)] + k1 * df[U((1 * 6 + b) * stride + p0 + u)]) + k1 * df[U((2 * 6 + b) * stride + p0 + u)]) - df[U((3 * 6 + b) * stride + p0 + u)]) - df[U((4 * 6 + b) * stride + p0 + u)])
            for b in range(6):
                q = (3 * 6 + b) * run
                for u in range(run):
                    tmp[U(q + u)] = ((((df[U((1 * 6 + b) * stride + p0 + u)] - df[U((2 * 6 + b) * stride + p0 + u)]) + k3 * df[U((3 * 6 + b) * stride + p0 + u)]) + k2 * df[U((4 * 6 + b) * stride + p0 + u)]) + k4 * df[U((5 * 6 + b) * stride + p0 + u)])
            for b in range(6):
                q = (4 * 6 + b) * run
                for u in range(run):
                    tmp[U(q + u)] = ((((df[U((0 * 6 + b) * stride + p0 + u)] + df[U((1 * 6 + b) * stride + p0 + u)]) + df[U((2 * 6 + b) * stride + p0 + u)]) + df[U((3 * 6 + b) * stride + p0 + u)]) + df[U((4 * 6 + b) * stride + p0 + u)])
            for b in range(6):
                q = (5 * 6 + b) * run
                for u in range(run):
                    tmp[U(q + u)] = df[U((5 * 6 + b) * stride + p0 + u)]
            for i in range(6):
                s0 = (n * hp + 2 * ty + i) * wp * c_
                q = i * 6 * run
                for tx in range(tw):
                    d = s0 + (2 * tx + 0) * c_
                    for c in range(c_):
                        of[U(d + c)] = (of[U(d + c)] + k0 * tmp[U(q + 0 * run + tx * c_ + c)])
                for tx in range(tw):
                    d = s0 + (2 * tx + 1) * c_
                    for c in range(c_):
                        of[U(d + c)] = (((((of[U(d + c)] + k1 * tmp[U(q + 1 * run + tx * c_ + c)]) + k0 * tmp[U(q + 2 * run + tx * c_ + c)]) + k2 * tmp[U(q + 3 * run + tx * c_ + c)]) + k3 * tmp[U(q + 4 * run + tx * c_ + c)]) + k0 * tmp[U(q + 5 * run + tx * c_ + c)])
                for tx in range(tw):
                    d = s0 + (2 * tx + 2) * c_
                    for c in range(c_):
                        of[U(d + c)] = (((((of[U(d + c)] + k4 * tmp[U(q + 0 * run + tx * c_ + c)]) + k1 * tmp[U(q + 1 * run + tx * c_ + c)]) + k1 * tmp[U(q + 2 * run + tx * c_ + c)]) - tmp[U(q + 3 * run + tx * c_ + c)]) - tmp[U(q + 4 * run + tx * c_ + c)])
                for tx in range(tw):
                    d = s0 + (2 * tx + 3) * c_
                    for c in range(c_):
                        of[U(d + c)] = (((((of[U(d + c)] + tmp[U(q + 1 * run + tx * c_ + c)]) - tmp[U(q + 2 * run + tx * c_ + c)]) + k3 * tmp[U(q + 3 * run + tx * c_ + c)]) + k2 * tmp[U(q + 4 * run + tx * c_ + c)]) + k4 * tmp[U(q + 5 * run + tx * c_ + c)])
                for tx in range(tw):
                    d = s0 + (2 * tx + 4) * c_
                    for c in range(c_):
                        of[U(d + c)] = (((((of[U(d + c)] + tmp[U(q + 0 * run + tx * c_ + c)]) + tmp[U(q + 1 * run + tx * c_ + c)]) + tmp[U(q + 2 * run + tx * c_ + c)]) + tmp[U(q + 3 * run + tx * c_ + c)]) + tmp[U(q + 4 * run + tx * c_ + c)])
                for tx in range(tw):
                    d = s0 + (2 * tx + 5) * c_
                    for c in range(c_):
                        of[U(d + c)] = (of[U(d + c)] + tmp[U(q + 5 * run + tx * c_ + c)])
