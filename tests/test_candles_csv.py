"""Candles and the pure-Python CSV reader."""

from array import array

import pytest

import cracktrader as ct
from cracktrader.data import read_csv_text


def test_timeframes():
    assert ct.timeframe_ms("1m") == 60_000
    assert ct.timeframe_ms("4h") == 14_400_000
    assert ct.timeframe_ms("1w") == 604_800_000
    for bad in ("", "m", "0m", "5x", "1.5h", None):
        with pytest.raises(ValueError, match="unknown timeframe"):
            ct.timeframe_ms(bad)


def test_candles_columns_must_align():
    with pytest.raises(ValueError, match="column close has 1 rows, time has 2"):
        ct.Candles.from_columns([1, 2], [1, 2], [1, 2], [1, 2], [1], [1, 2])
    c = ct.Candles.from_columns([1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3], [0, 0, 0], symbol="BTC/USDT")
    assert isinstance(c.time, array) and c.time.typecode == "q" and c.close.typecode == "d"
    part = c.slice(1)
    assert list(part.time) == [2, 3] and part.symbol == "BTC/USDT"


@pytest.mark.parametrize(
    "cell, ms",
    [("1700000000000", 1_700_000_000_000), ("1700000000", 1_700_000_000_000),
     ("1700000000.5", 1_700_000_000_500), ("1700000000000000", 1_700_000_000_000),
     ("2023-11-14T22:13:20Z", 1_700_000_000_000), ("2023-11-14 22:13:20", 1_700_000_000_000),
     ("2023-11-15T00:13:20+02:00", 1_700_000_000_000)],
)
def test_time_formats(cell, ms):
    c = read_csv_text(f"Timestamp,Open,High,Low,Close,Volume\n{cell},1,2,0.5,1.5,10\n")
    assert list(c.time) == [ms]


def test_errors_name_source_row_field_rule():
    with pytest.raises(ct.DataError) as e:
        read_csv_text("time,open,high,low,close,volume\n1,1,1,1,1,1\n2,1,x,1,1,1\n", source="f.csv")
    assert (e.value.source, e.value.row, e.value.field, e.value.rule) == ("f.csv", 3, "high", "not_a_number")
    assert str(e.value).startswith("f.csv, row 3, high:")
    with pytest.raises(ct.DataError, match="no 'close' column"):
        read_csv_text("time,open,high,low,volume\n")
    with pytest.raises(ct.DataError, match="empty"):
        read_csv_text("")


def test_load_data_reads_csv(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,3\n2024-01-02,1.5,2,1,2,4\n")
    c = ct.load_data(p, symbol="X/USD", timeframe="1d")
    assert len(c) == 2 and c.timeframe == "1d" and list(c.close) == [1.5, 2.0]
    with pytest.raises(ValueError, match="not a file .* nor a dataset id"):
        ct.load_data(tmp_path / "x.json")
