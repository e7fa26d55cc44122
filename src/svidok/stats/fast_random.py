"""Fast random variates for the Gibbs sampler (Numba), built on xoshiro256++.

Numba's ``np.random.beta`` and ``standard_normal`` cost about 100 and 40 ns; a sweep of the
latent-class sampler draws dozens of Beta variates and hundreds of uniforms, so these matter.
Each chain owns its generator: a state of four 64-bit words (``new_state(seed)``) passed to
every draw, so chains in threads never share or lock anything. Here:

- ``next_u64``: xoshiro256++ (Blackman & Vigna 2021, ACM TOMS 47(4):36), a few integer
  operations per 64 bits, against the Mersenne Twister's table update behind ``np.random``;
  the state is seeded by SplitMix64, as its authors recommend.
- ``uniform``: 53-bit uniform on the open interval (0, 1).
- ``normal``: the ziggurat method of Marsaglia & Tsang (2000), J. Stat. Softw. 5(8), with
  128 layers; the layer index is drawn separately from the value bits (Doornik 2005).
- ``gamma``: Marsaglia & Tsang (2000), ACM TOMS 26:363, with the boost
  Gamma(a) = Gamma(a + 1) * U^(1/a) for a < 1.
- ``beta``: ratio of two gammas.
- ``binomial``: inversion (Kachitvichyanukul & Schmeiser 1988, BINV) when the mean of the
  rarer outcome is below 10; otherwise the transformed rejection with squeeze BTRS of
  Hörmann (1993), J. Comput. Appl. Math. 46:101-110, whose set-up is a handful of operations
  (Numba's BTPE spends ~250 ns in set-up, which dominated the latent-class sampler). Any int64 n.

"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_M1 = 2147483648.0  # 2^31


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    kn = np.zeros(128, dtype=np.float64)
    wn = np.zeros(128)
    fn = np.zeros(128)
    dn = 3.442619855899
    tn = dn
    vn = 9.91256303526217e-3
    q = vn / math.exp(-0.5 * dn * dn)
    kn[0] = (dn / q) * _M1
    kn[1] = 0.0
    wn[0] = q / _M1
    wn[127] = dn / _M1
    fn[0] = 1.0
    fn[127] = math.exp(-0.5 * dn * dn)
    for i in range(126, 0, -1):
        dn = math.sqrt(-2.0 * math.log(vn / dn + math.exp(-0.5 * dn * dn)))
        kn[i + 1] = (dn / tn) * _M1
        tn = dn
        fn[i] = math.exp(-0.5 * dn * dn)
        wn[i] = dn / _M1
    return kn, wn, fn


KN, WN, FN = _ziggurat_tables()
_R = 3.442619855899


_U = np.uint64


@njit(cache=True, nogil=True)
def new_state(seed):
    """A generator's state from a seed (SplitMix64 expands it into four nonzero-mixed words)."""
    st = np.empty(4, dtype=np.uint64)
    x = _U(seed)
    for i in range(4):
        x = x + _U(0x9E3779B97F4A7C15)
        z = x
        z = (z ^ (z >> _U(30))) * _U(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> _U(27))) * _U(0x94D049BB133111EB)
        st[i] = z ^ (z >> _U(31))
    return st


@njit(cache=True, nogil=True, inline="always")
def _rotl(x, k):
    return (x << _U(k)) | (x >> _U(64 - k))


@njit(cache=True, nogil=True)
def next_u64(st):
    """The next 64 bits of xoshiro256++."""
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    result = _rotl(s0 + s3, 23) + s0
    t = s1 << _U(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    st[0], st[1], st[2], st[3] = s0, s1, s2, _rotl(s3, 45)
    return result


@njit(cache=True, nogil=True)
def uniform(st):
    """Uniform on the open interval (0, 1) (53 random bits; exact zero is redrawn)."""
    while True:
        bits = next_u64(st) >> _U(11)
        if bits != 0:
            return float(bits) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def normal(st):
    while True:
        bits = np.int64(next_u64(st) >> _U(25))  # 39 bits: 7 for the layer, 32 for the value
        iz = bits & 127
        hz = (bits >> 7) - 2147483648
        if abs(hz) < KN[iz]:
            return hz * WN[iz]
        x = hz * WN[iz]
        if iz == 0:  # the tail beyond R
            while True:
                x = -math.log(uniform(st)) / _R
                y = -math.log(uniform(st))
                if y + y >= x * x:
                    break
            return _R + x if hz > 0 else -_R - x
        if FN[iz] + uniform(st) * (FN[iz - 1] - FN[iz]) < math.exp(-0.5 * x * x):
            return x


@njit(cache=True, nogil=True)
def gamma(st, shape):
    """Gamma(shape, scale 1)."""
    if shape < 1.0:
        return gamma(st, shape + 1.0) * uniform(st) ** (1.0 / shape)
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(st)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(st)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return d * v
        if math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return d * v


@njit(cache=True, nogil=True)
def log_gamma(st, shape):
    """log of a Gamma(shape, 1) draw, without underflow for tiny shapes."""
    if shape >= 1.0:
        return math.log(gamma(st, shape))
    return math.log(gamma(st, shape + 1.0)) + math.log(uniform(st)) / shape


@njit(cache=True, nogil=True)
def beta(st, a, b):
    x = gamma(st, a)
    return x / (x + gamma(st, b))


_BINV_MEAN = 10.0
#: log(k!) minus its Stirling approximation (k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2, k = 0..9.
_STIRLING_TAIL = np.array([
    0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
    0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
    0.00925546218271273, 0.00833056343336287,
])


@njit(cache=True, nogil=True)
def _stirling_tail(k):
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1.0) * (k + 1.0)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1.0)


@njit(cache=True, nogil=True)
def _btrs(st, n, p):
    """Binomial(n, p) for p <= 1/2 and n p >= 10 (Hörmann's BTRS)."""
    nf = float(n)
    spq = math.sqrt(nf * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = nf * p + 0.5
    v_r = 0.92 - 4.2 / b
    r = p / (1.0 - p)
    alpha = (2.83 + 5.1 / b) * spq
    m = math.floor((nf + 1.0) * p)
    while True:
        u = uniform(st) - 0.5
        v = uniform(st)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0.0 or k > nf:
            continue
        if us >= 0.07 and v <= v_r:
            return np.int64(k)
        v = math.log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * math.log((m + 1.0) / (r * (nf - m + 1.0)))
                 + (nf + 1.0) * math.log((nf - m + 1.0) / (nf - k + 1.0))
                 + (k + 0.5) * math.log(r * (nf - k + 1.0) / (k + 1.0))
                 + _stirling_tail(m) + _stirling_tail(nf - m) - _stirling_tail(k) - _stirling_tail(nf - k))
        if v <= bound:
            return np.int64(k)


@njit(cache=True, nogil=True)
def binomial(st, n, p):
    """Binomial(n, p) for int64 ``n`` and 0 <= p <= 1."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    if n * pp >= _BINV_MEAN:
        x = _btrs(st, n, pp)
    else:
        q = 1.0 - pp
        s = pp / q
        a = (n + 1) * s
        r0 = math.exp(n * math.log1p(-pp))  # P(X = 0) = q^n
        while True:
            r = r0
            u = uniform(st)
            x = 0
            while u > r:
                u -= r
                x += 1
                if x > n:  # rounding left u above the total mass: draw again
                    break
                r *= a / x - s
            if x <= n:
                break
    return n - x if flip else x
