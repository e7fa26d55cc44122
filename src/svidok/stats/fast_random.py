"""Fast random variates for the Gibbs sampler (Numba), built on Numba's Mersenne Twister.

Numba's ``np.random.beta`` and ``standard_normal`` cost about 100 and 40 ns; a sweep of the
latent-class sampler draws dozens of Beta variates, so these matter. Here:

- ``uniform``: 53-bit uniform on the open interval (0, 1).
- ``normal``: the ziggurat method of Marsaglia & Tsang (2000), J. Stat. Softw. 5(8), with
  128 layers; the layer index is drawn separately from the value bits (Doornik 2005).
- ``gamma``: Marsaglia & Tsang (2000), ACM TOMS 26:363, with the boost
  Gamma(a) = Gamma(a + 1) * U^(1/a) for a < 1.
- ``beta``: ratio of two gammas.

``seed`` is the generator's seed: these use the same stream as ``np.random`` inside Numba.
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


@njit(cache=True)
def uniform():
    """Uniform on the open interval (0, 1) (53 random bits; exact zero is redrawn)."""
    u = np.random.random()
    while u == 0.0:
        u = np.random.random()
    return u


@njit(cache=True)
def normal():
    while True:
        bits = np.random.randint(0, 1 << 39)  # 7 bits for the layer, 32 for the value
        iz = bits & 127
        hz = (bits >> 7) - 2147483648
        if abs(hz) < KN[iz]:
            return hz * WN[iz]
        x = hz * WN[iz]
        if iz == 0:  # the tail beyond R
            while True:
                x = -math.log(uniform()) / _R
                y = -math.log(uniform())
                if y + y >= x * x:
                    break
            return _R + x if hz > 0 else -_R - x
        if FN[iz] + uniform() * (FN[iz - 1] - FN[iz]) < math.exp(-0.5 * x * x):
            return x


@njit(cache=True)
def gamma(shape):
    """Gamma(shape, scale 1)."""
    if shape < 1.0:
        return gamma(shape + 1.0) * uniform() ** (1.0 / shape)
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal()
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform()
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return d * v
        if math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return d * v


@njit(cache=True)
def log_gamma(shape):
    """log of a Gamma(shape, 1) draw, without underflow for tiny shapes."""
    if shape >= 1.0:
        return math.log(gamma(shape))
    return math.log(gamma(shape + 1.0)) + math.log(uniform()) / shape


@njit(cache=True)
def beta(a, b):
    x = gamma(a)
    return x / (x + gamma(b))
