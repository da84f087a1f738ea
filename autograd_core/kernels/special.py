"""Special functions numpy lacks, as jitted elementwise kernels (array in, float64 array out; callers cast).

scipy is not a dependency; numba's ``math`` gives ``erf``, ``erfc`` and ``lgamma`` (libm, exact to an ulp or two).
The others are written here with methods whose accuracy is known, each to about 1e-15 relative in float64:

* ``erfinv`` / ``ndtri``: Giles' polynomial guess (relative error 1.3e-7; Winitzki's closed form in the far tail),
  then Halley steps on ``erf(x) = y`` for ``|y| <= 0.5`` and on ``erfc(x) = 1 - |y|`` beyond (``1 - |y|`` is exact
  there, so the root keeps full relative accuracy next to +-1, where solving ``erf`` would lose half the digits).
* ``erfcx = exp(x^2) erfc(x)``: the product (``x^2`` split exactly, Dekker) below 12, the asymptotic series
  ``1/(x sqrt(pi)) sum (-1)^k (2k-1)!!/(2x^2)^k`` above (its smallest term is below 1e-17 there).
* ``digamma``: Cephes ``psi`` (recurrence up to 10, asymptotic series; reflection below 0), as PyTorch.
* ``zeta(s, q)``: Hurwitz zeta by Euler-Maclaurin summation (Cephes ``zeta``, as PyTorch), which gives
  ``polygamma(n, x) = (-1)^(n+1) n! zeta(n+1, x)`` for every ``n >= 1``.
* ``i0/i1`` (and the scaled ``i0e/i1e``): the power series (positive terms, no cancellation) for ``|x| < 20`` and
  Hankel's asymptotic expansion beyond (its smallest term ~ exp(-2|x|) < 1e-17).
* ``log_ndtr``: ``log(erfcx(-x/sqrt 2)/2) - x^2/2`` below -1, ``log1p(-erfc(x/sqrt 2)/2)`` above (PyTorch's split).
"""
import math
from fractions import Fraction

import numpy as np

from ._jit import njit

_SQRT_PI = math.sqrt(math.pi)
_TWO_OVER_SQRT_PI = 2.0 / _SQRT_PI
_SQRT2 = math.sqrt(2.0)
_MACHEP = 1.11022302462515654042e-16


# ---------------------------------------------------------------------------------------------- error functions
@njit
def _square_split(x):
    """``x * x`` as ``hi + lo`` exactly (Dekker's product), so ``exp(x*x)`` loses nothing to rounding."""
    c = 134217729.0 * x             # 2**27 + 1
    xh = c - (c - x)
    xl = x - xh
    hi = x * x
    lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl
    return hi, lo


@njit
def _exp_square(x):
    hi, lo = _square_split(x)
    return math.exp(hi) * (1.0 + lo)


@njit
def _erfcx_scalar(x):
    if x != x:
        return x
    if x < 0.0:
        if x < -26.7:
            return math.inf
        return 2.0 * _exp_square(x) - _erfcx_scalar(-x)
    if x < 12.0:
        return _exp_square(x) * math.erfc(x)
    if x == math.inf:
        return 0.0
    # asymptotic series; terms fall by (2k+1)/(2x^2) <= 1/100 at first and the smallest is < 1e-17
    inv = 1.0 / (2.0 * x * x)
    term = 1.0
    total = 1.0
    k = 0
    while True:
        k += 1
        new = -term * (2 * k - 1) * inv
        if abs(new) >= abs(term) or abs(new) < 1e-17 * abs(total):
            total += new
            break
        term = new
        total += term
    return total / (x * _SQRT_PI)


@njit
def _halley_erf(x, y, use_erfc, steps):
    """Halley steps for ``erf(x) = y`` (or ``erfc(x) = y``); both have ``f'' = -2x f'``."""
    for _ in range(steps):
        d = _TWO_OVER_SQRT_PI * math.exp(-x * x)
        if use_erfc:
            f = math.erfc(x) - y
            d = -d
        else:
            f = math.erf(x) - y
        if d == 0.0:
            break
        t = f / d
        x -= t / (1.0 + x * t)
    return x


_GILES_SMALL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                -0.00417768164, 0.246640727, 1.50140941)
_GILES_LARGE = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                0.00943887047, 1.00167406, 2.83297682)


@njit
def _erfinv_guess(w, ay):
    """``|erfinv(y)|`` from ``w = -log(1 - y^2)``: Giles' polynomials (relative error ~1.3e-7) for ``w < 16``,
    Winitzki's closed form (< 2e-3) beyond; returns the guess and how many Halley steps make it exact."""
    if w < 16.0:
        if w < 5.0:
            v, p = w - 2.5, _GILES_SMALL[0]
            for c in _GILES_SMALL[1:]:
                p = c + p * v
        else:
            v, p = math.sqrt(w) - 3.0, _GILES_LARGE[0]
            for c in _GILES_LARGE[1:]:
                p = c + p * v
        return p * ay, 1                       # Halley is cubic: 1.3e-7 -> 1e-20 in one step
    a = 0.147
    c = 2.0 / (math.pi * a) - 0.5 * w
    return math.sqrt(math.sqrt(c * c + w / a) - c), 3


@njit
def _erfinv_scalar(y):
    if y != y or y < -1.0 or y > 1.0:
        return math.nan
    if y == 1.0:
        return math.inf
    if y == -1.0:
        return -math.inf
    if y == 0.0:
        return y
    ay = abs(y)
    z = 1.0 - ay                      # exact for ay >= 0.5
    x, steps = _erfinv_guess(-math.log(z * (1.0 + ay)), ay)
    if ay <= 0.5:
        x = _halley_erf(x, ay, False, steps)
    else:
        x = _halley_erf(x, z, True, steps)
    return x if y > 0 else -x


@njit
def _erfcinv_small(z):
    """``erfcinv(z)`` for ``0 < z <= 1`` (``erfc(x) = z`` solved directly, full relative accuracy for tiny z)."""
    w = -math.log(z * (2.0 - z))
    x, steps = _erfinv_guess(w, 1.0 - z)
    return _halley_erf(x, z, True, steps)


@njit
def _ndtri_scalar(p):
    if p != p or p < 0.0 or p > 1.0:
        return math.nan
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    if p < 0.25:
        return -_SQRT2 * _erfcinv_small(2.0 * p)
    return _SQRT2 * _erfinv_scalar(2.0 * p - 1.0)   # 2p - 1 is exact for p in [0.25, 1]


@njit
def _log_ndtr_scalar(x):
    t = x / _SQRT2
    if x < -1.0:
        return math.log(_erfcx_scalar(-t) / 2.0) - t * t
    return math.log1p(-math.erfc(t) / 2.0)


# ---------------------------------------------------------------------------------------------- gamma family
_PSI_10 = 2.25175258906672110764
_PSI_A = np.array([8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
                   -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
                   8.33333333333333333333E-2])


@njit
def _digamma_scalar(x):
    if x == 0.0:
        return math.copysign(math.inf, -x)       # psi(+-0) = -+inf (C++ and SciPy)
    if x != x:
        return x
    if x == -math.inf:
        return math.nan
    if x < 0.0:
        if x == math.floor(x):
            return math.nan                      # poles at the negative integers
        r = x - math.trunc(x)                    # tan(pi r) is more accurate than tan(pi x)
        return _digamma_scalar(1.0 - x) - math.pi / math.tan(math.pi * r)
    result = 0.0
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    if x == 10.0:
        return result + _PSI_10
    y = 0.0
    if x < 1.0e17:
        z = 1.0 / (x * x)
        p = 0.0
        for c in _PSI_A:
            p = p * z + c
        y = z * p
    return result + math.log(x) - 0.5 / x - y


def _zeta_coefficients():
    """``(2k)! / B_2k`` for k = 1..12, the Euler-Maclaurin denominators (computed exactly, not copied)."""
    n = 24
    bern, a = [], [Fraction(0)] * (n + 1)
    for m in range(n + 1):                       # Akiyama-Tanigawa: the Bernoulli numbers B_m
        a[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
        bern.append(a[0])
    return np.array([float(math.factorial(2 * k) / bern[2 * k]) for k in range(1, 13)])


_ZETA_A = _zeta_coefficients()


@njit
def _zeta_scalar(s, q):
    """Hurwitz zeta ``sum_k (k + q)^-s`` (Cephes, as PyTorch): inf at s == 1, NaN for s < 1."""
    if s == 1.0:
        return math.inf
    if s < 1.0 or s != s or q != q:
        return math.nan
    if q <= 0.0:
        if q == math.floor(q):
            return math.inf
        if s != math.floor(s):
            return math.nan                      # q < 0 needs an integer s (real powers of negatives)
    total = q ** -s
    a = q
    i = 0
    b = 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = a ** -s
        total += b
        if -_MACHEP * total < b < _MACHEP * total:
            return total
    w = a
    total += b * w / (s - 1.0)
    total -= 0.5 * b
    a = 1.0
    k = 0.0
    for j in range(12):
        a *= s + k
        b /= w
        t = a * b / _ZETA_A[j]
        total += t
        if abs(t / total) < _MACHEP:
            return total
        k += 1.0
        a *= s + k
        b /= w
        k += 1.0
    return total


@njit
def _polygamma_scalar(n, x):
    if n == 0:
        return _digamma_scalar(x)
    sign = 1.0 if n % 2 else -1.0
    return sign * math.gamma(n + 1.0) * _zeta_scalar(n + 1.0, x)


# ---------------------------------------------------------------------------------------------- Bessel I0, I1
@njit
def _bessel_i_scaled(nu, x):
    """``exp(-|x|) I_nu(|x|)`` for nu in {0, 1} (the sign of I1 is the caller's)."""
    ax = abs(x)
    if ax == math.inf:
        return 0.0
    if ax < 20.0:
        q = 0.25 * ax * ax
        term = 1.0 if nu == 0 else 0.5 * ax
        total = term
        k = 0
        while True:
            k += 1
            term *= q / (k * (k + nu))
            total += term
            if term <= 1e-17 * total:
                break
        return total * math.exp(-ax)
    mu = 4.0 * nu * nu
    term = 1.0
    total = 1.0
    k = 0
    while True:
        k += 1
        new = -term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * ax)
        if abs(new) >= abs(term) or abs(new) < 1e-17 * abs(total):
            total += new
            break
        term = new
        total += term
    return total / math.sqrt(2.0 * math.pi * ax)


@njit
def _bessel_i(nu, x, scaled):
    if x != x:
        return x
    v = _bessel_i_scaled(nu, x)
    if not scaled:
        v *= math.exp(abs(x))      # inf from |x| > 709.78 on, as PyTorch
    return -v if (nu == 1 and x < 0) else v


# ---------------------------------------------------------------------------------------------- loops
@njit
def _erf_loop(x, out):
    for i in range(x.size):
        out[i] = math.erf(x[i])


@njit
def _erfc_loop(x, out):
    for i in range(x.size):
        out[i] = math.erfc(x[i])


@njit
def _erfcx_loop(x, out):
    for i in range(x.size):
        out[i] = _erfcx_scalar(x[i])


@njit
def _erfinv_loop(x, out):
    for i in range(x.size):
        out[i] = _erfinv_scalar(x[i])


@njit
def _ndtri_loop(x, out):
    for i in range(x.size):
        out[i] = _ndtri_scalar(x[i])


@njit
def _log_ndtr_loop(x, out):
    for i in range(x.size):
        out[i] = _log_ndtr_scalar(x[i])


@njit
def _lgamma_loop(x, out):
    for i in range(x.size):
        out[i] = math.lgamma(x[i])


@njit
def _digamma_loop(x, out):
    for i in range(x.size):
        out[i] = _digamma_scalar(x[i])


@njit
def _polygamma_loop(n, x, out):
    for i in range(x.size):
        out[i] = _polygamma_scalar(n, x[i])


@njit
def _zeta_loop(s, q, out):
    for i in range(s.size):
        out[i] = _zeta_scalar(s[i], q[i])


@njit
def _bessel_loop(nu, scaled, x, out):
    for i in range(x.size):
        out[i] = _bessel_i(nu, x[i], scaled)


def _unary(loop, x, *args):
    flat = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    out = np.empty_like(flat)
    loop(*args, flat, out)
    return out.reshape(np.shape(x))


def erf(x):
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt`` of each element, as float64."""
    return _unary(_erf_loop, x)


def erfc(x):
    """``1 - erf(x)`` without cancellation, as float64."""
    return _unary(_erfc_loop, x)


def erfcx(x):
    """The scaled complementary error function ``exp(x^2) erfc(x)``, as float64."""
    return _unary(_erfcx_loop, x)


def erfinv(x):
    """The inverse error function (``+-inf`` at ``+-1``, NaN outside ``[-1, 1]``), as float64."""
    return _unary(_erfinv_loop, x)


def ndtri(x):
    """The inverse of the standard normal CDF (``-inf`` at 0, ``inf`` at 1, NaN outside), as float64."""
    return _unary(_ndtri_loop, x)


def log_ndtr(x):
    """``log`` of the standard normal CDF, accurate far into both tails, as float64."""
    return _unary(_log_ndtr_loop, x)


def lgamma(x):
    """``log|Gamma(x)|`` (``inf`` at the poles), as float64."""
    return _unary(_lgamma_loop, x)


def digamma(x):
    """``psi(x) = Gamma'(x) / Gamma(x)`` (``-inf`` at 0, NaN at the negative integers), as float64."""
    return _unary(_digamma_loop, x)


def polygamma(n, x):
    """The ``n``-th derivative of ``digamma`` (``n >= 0``), as float64."""
    return _unary(_polygamma_loop, x, int(n))


def zeta(s, q):
    """The Hurwitz zeta function ``sum_k (k + q)^-s`` (broadcasting), as float64."""
    s, q = np.broadcast_arrays(np.asarray(s, dtype=np.float64), np.asarray(q, dtype=np.float64))
    shape = s.shape
    s, q = np.ascontiguousarray(s).reshape(-1), np.ascontiguousarray(q).reshape(-1)
    out = np.empty_like(s)
    _zeta_loop(s, q, out)
    return out.reshape(shape)


def bessel_i(nu, x, scaled=False):
    """The modified Bessel function ``I_nu(x)`` for ``nu`` 0 or 1 (times ``exp(-|x|)`` when ``scaled``), float64."""
    if nu not in (0, 1):
        raise ValueError(f"bessel_i: order must be 0 or 1, got {nu}")
    return _unary(_bessel_loop, x, int(nu), bool(scaled))
