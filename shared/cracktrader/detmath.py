"""exp, log and pow from IEEE + - * / only, so CPython and Pyodide give the same last bit.

The C library's exp/log/pow may differ by an ulp between platforms (glibc vs the browser's);
results that must be byte-identical everywhere (the CAGR in stats) use these instead. Accuracy
is a few ulps, far below anything a statistic reports.
"""

import math

LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (fdlibm): k * LN2_HI is exact
LN2_LO = 1.90821492927058770002e-10
SQRT_HALF = 0.7071067811865476


def log(x):
    """Natural logarithm of x > 0."""
    if not x > 0 or x == math.inf:
        raise ValueError(f"log: {x} out of domain")
    m, e = math.frexp(x)  # x = m * 2**e, 0.5 <= m < 1: exact
    if m < SQRT_HALF:
        m, e = m * 2.0, e - 1
    z = (m - 1.0) / (m + 1.0)  # log(m) = 2 atanh(z), |z| < 0.172
    z2 = z * z
    total, term, k = 0.0, z, 1
    while True:
        add = term / k
        if abs(add) < 1e-19:
            break
        total += add
        term *= z2
        k += 2
    return e * LN2_HI + (2.0 * total + e * LN2_LO)


def exp(y):
    """e ** y."""
    if y != y:
        return y
    if y > 709.78:
        return math.inf
    if y < -745.2:
        return 0.0
    k = round(y / 0.6931471805599453)
    r = (y - k * LN2_HI) - k * LN2_LO  # |r| <= ln2 / 2
    total, term, n = 1.0, 1.0, 1
    while True:
        term = term * r / n
        if abs(term) < 1e-19:
            break
        total += term
        n += 1
    return math.ldexp(total, k)


def pow(x, y):
    """x ** y for x > 0."""
    return exp(y * log(x))
