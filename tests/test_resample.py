"""Resampling to longer timeframes, checked against pandas' OHLC aggregation and a direct
computation (reference_ohlcv.resample)."""

import pandas as pd
import pytest

import cracktrader as ct
from support import reference_ohlcv as ref
from cracktrader.data.resample import resample
from support.candles import csv_text, rows, series


def pandas_resample(c, rule):
    df = pd.DataFrame({k: list(getattr(c, k)) for k in ("open", "high", "low", "close", "volume")},
                      index=pd.to_datetime(list(c.time), unit="ms"))
    agg = df.resample(rule, label="left", closed="left").agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}).dropna()
    return [(int(t.value // 1_000_000), *row) for t, row in zip(agg.index, agg.itertuples(index=False))]


@pytest.mark.parametrize("target, rule", [("5m", "5min"), ("1h", "1h"), ("4h", "4h"), ("1d", "1D"), ("1w", "W-MON")])
def test_matches_pandas(target, rule):
    c = series(20_000, start=1_704_067_200_000 - 3 * 86_400_000 + 7 * 60_000, skip=set(range(500, 900)) | set(range(5000, 20_000, 13)))
    got = rows(resample(c, target))
    want = pandas_resample(c, rule)
    assert [r[0] for r in got] == [r[0] for r in want]
    for g, w in zip(got, want):
        assert g[1:5] == w[1:5]  # open, high, low, close: picked, exact
        assert g[5] == pytest.approx(w[5], rel=1e-12)  # volume: pandas sums pairwise
    assert got == ref.resample(rows(c), ct.timeframe_ms(target))  # in-order sums: exact
    assert resample(c, target).timeframe == target


def test_errors():
    c = series(10)
    with pytest.raises(ValueError, match="cannot build 7m bars from 5m bars"):
        resample(series(10, tf=300_000, timeframe="5m"), "7m")
    c.timeframe = ""
    with pytest.raises(ValueError, match="no timeframe"):
        resample(c, "1h")


def test_load_data_resamples(tmp_path):
    c = series(600)
    path = tmp_path / "m.csv"
    path.write_text(csv_text(c))
    got = ct.load_data(path, resample="1h", since=c.time[60])
    assert rows(got) == rows(resample(c.slice(60), "1h")) and len(got) == 9
