"""Every indicator of the catalog against its oracle (TA-Lib, or the pure-Python definitions in
tests/support/reference.py): every output value and the exact NaN warm-up, on generated and real market
data, and on series with NaN and infinite values, where each finite stretch is a series of its
own. The oracles and data are in tests/support/indicators.py."""

import pytest

import cracktrader.kernels as k
from support.indicators import SPECS, check_gaps, check_oracle, oracle_cases


@pytest.mark.parametrize("spec, params, data", oracle_cases(SPECS))
def test_matches_oracle(spec, params, data):
    check_oracle(k, spec, params, data)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_restarts_after_gaps(spec):
    for params in spec.cases:
        check_gaps(k, spec, params)
