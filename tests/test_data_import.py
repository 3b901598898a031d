"""Importing candle files: good files land in the cache, a bad file is refused with its
file, row and rule and leaves the cache untouched, explicit repairs are reported."""

import csv

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support import bad_files
import cracktrader as ct
from cracktrader.data import export, import_file
from cracktrader.data.arrow import to_table
from cracktrader.data.files import naming
from support.candles import csv_text, rows, series
from support.shared_data import shared_file, shared_param


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("rule", sorted(bad_files.CASES))
def test_each_rule_refuses_the_file_and_writes_nothing(tmp_path, cache, rule):
    text, line, field = bad_files.CASES[rule]
    path = write(tmp_path, "bad.csv", text)
    import_file(write(tmp_path, "good.csv", bad_files.HEADER + "1704000000000,1,2,0.5,1.5,3\n"), cache=cache,
                exchange="binance", symbol="BTC/USDT", timeframe="1m")
    before = cache.manifest("binance.BTC-USDT.1m").to_json()
    with pytest.raises(ct.DataError) as e:
        import_file(path, cache=cache, exchange="binance", symbol="BTC/USDT", timeframe="1m")
    assert (e.value.source, e.value.row, e.value.field, e.value.rule) == (str(path), line, field, rule)
    assert str(e.value).startswith(f"{path}, row {line}" if line else str(path))
    assert cache.manifest("binance.BTC-USDT.1m").to_json() == before
    assert cache.read("binance.BTC-USDT.1m").time.tolist() == [1704000000000]


def test_time_formats_give_the_same_candles(tmp_path):
    c = series(200)
    for fmt in ("ms", "s", "us", "iso"):
        got = ct.load_data(write(tmp_path, f"{fmt}.csv", csv_text(c, times=fmt)))
        assert rows(got) == rows(c) and got.timeframe == "1m", fmt


def test_layouts(tmp_path):
    c = series(30)
    text = csv_text(c)
    variants = {
        "semicolons.csv": text.replace(",", ";"),
        "tabs.tsv": text.replace(",", "\t"),
        "headerless.csv": text.split("\n", 1)[1],  # Binance's dumps have no header
        "crlf-bom.csv": "\ufeff" + text.replace("\n", "\r\n"),
        "reordered.csv": "\n".join(",".join([p[5], p[0], "x", p[1], p[2], p[3], p[4]]) for p in (ln.split(",") for ln in text.splitlines())).replace("volume,time,x,", "Volume,Timestamp,Note,", 1) + "\n",
    }
    for name, body in variants.items():
        got = ct.load_data(write(tmp_path, name, body))
        assert rows(got) == rows(c), name


def test_repairs_are_explicit_and_reported(tmp_path):
    c = series(10)
    lines = csv_text(c).splitlines()
    shuffled = [lines[0], lines[3], lines[1], lines[2], lines[2], *lines[4:]]
    path = write(tmp_path, "messy.csv", "\n".join(shuffled) + "\n")
    with pytest.raises(ct.DataError) as e:
        ct.load_data(path)
    assert (e.value.row, e.value.rule) == (3, "unsorted")
    with pytest.raises(ct.DataError) as e:
        ct.load_data(path, sort=True)
    assert (e.value.row, e.value.rule) == (5, "duplicate_time")  # the copy on line 5, found after sorting
    got = ct.load_data(path, sort=True, drop_duplicates=True)
    assert rows(got) == rows(c)
    assert got.meta["repairs"] == ["sorted by time (1 rows were before their predecessor)", "dropped 1 exact duplicate rows"]
    conflicting = write(tmp_path, "conflict.csv", "\n".join([*lines[:3], lines[2].replace(lines[2].split(",")[-1], "99")]) + "\n")
    with pytest.raises(ct.DataError, match="duplicate_time"):
        ct.load_data(conflicting, drop_duplicates=True)


def test_sparse_bars_need_their_timeframe(tmp_path):
    c = series(40, skip=set(range(1, 40, 3)) | set(range(2, 40, 3)) - {5, 20})  # mostly 3m apart, some 1m steps
    path = write(tmp_path, "sparse.csv", csv_text(c))
    with pytest.raises(ct.DataError, match=r"not a whole number of 3m bars \(the timeframe 3m is the most common step; give"):
        ct.load_data(path)
    assert ct.load_data(path, timeframe="1m").timeframe == "1m"


def test_declared_timeframe_is_checked(tmp_path):
    path = write(tmp_path, "BTC_USDT-5m.csv", csv_text(series(20, tf=300_000)))
    assert ct.load_data(path, timeframe="5m").timeframe == "5m"
    for wrong, rule in (("1m", "inconsistent_timeframe"), ("2m", "inconsistent_timeframe"), ("7x", "bad_timeframe")):
        with pytest.raises(ct.DataError) as e:
            ct.load_data(path, timeframe=wrong)
        assert e.value.rule == rule


def test_parquet_files(tmp_path):
    c = series(100)
    table = to_table(c)
    pq.write_table(table, tmp_path / "plain.parquet")
    assert rows(ct.load_data(tmp_path / "plain.parquet")) == rows(c)
    stamps = pa.table({"Date": pa.array(c.time, pa.timestamp("ms")).cast(pa.timestamp("ns")), **{k: table.column(k) for k in ("open", "high", "low", "close")},
                       "volume": pa.array([int(v * 1000) for v in c.volume])})
    pq.write_table(stamps, tmp_path / "stamps.parquet")
    got = ct.load_data(tmp_path / "stamps.parquet")
    assert got.time.tolist() == c.time.tolist() and got.volume.tolist() == [int(v * 1000) for v in c.volume]
    seconds = table.set_column(0, "time", pa.array([t // 1000 for t in c.time], pa.int64()))
    pq.write_table(seconds, tmp_path / "seconds.parquet")
    assert rows(ct.load_data(tmp_path / "seconds.parquet")) == rows(c)


def test_parquet_errors_name_the_data_row(tmp_path):
    c = series(10)
    table = to_table(c)
    high = table.column("high").to_pylist()
    high[6] = None
    pq.write_table(table.set_column(2, "high", pa.array(high)), tmp_path / "null.parquet")
    with pytest.raises(ct.DataError) as e:
        ct.load_data(tmp_path / "null.parquet")
    assert (e.value.row, e.value.field, e.value.rule) == (7, "high", "missing_value")
    low = table.column("low").to_pylist()
    low[3] = c.open[3] + 50
    pq.write_table(table.set_column(3, "low", pa.array(low)), tmp_path / "low.parquet")
    with pytest.raises(ct.DataError) as e:
        ct.load_data(tmp_path / "low.parquet")
    assert (e.value.row, e.value.field, e.value.rule) == (4, "low", "low_above_open_close")
    pq.write_table(table.set_column(4, "close", pa.array([str(x) for x in c.close])), tmp_path / "text.parquet")
    with pytest.raises(ct.DataError, match="column close has type string; expected numbers") as e:
        ct.load_data(tmp_path / "text.parquet")
    assert e.value.rule == "bad_type"
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(ct.DataError) as e:
        ct.load_data(tmp_path / "junk.parquet")
    assert e.value.rule == "unreadable_file"


def test_names_tell_exchange_symbol_and_timeframe(tmp_path):
    assert naming.identify("binance.BTC-USDT.1h.csv") == dict(exchange="binance", symbol="BTC/USDT", timeframe="1h")
    assert naming.identify(tmp_path / "binance" / "ETH_BTC-5m.csv") == dict(exchange="binance", symbol="ETH/BTC", timeframe="5m")
    assert naming.identify(tmp_path / "prices" / "ETH_BTC-5m.csv.gz") == dict(symbol="ETH/BTC", timeframe="5m")
    assert naming.identify("XRP_USDT_USDT-5m-futures.csv") == dict(symbol="XRP/USDT:USDT", timeframe="5m")
    assert naming.identify("prices.csv") == {}


def test_a_folder_is_an_exchange_when_ccxt_has_that_exchange():
    import ccxt

    assert all(naming.is_ccxt_exchange(name) for name in ccxt.exchanges)
    assert not any(map(naming.is_ccxt_exchange, ["base", "pro", "abstract", "async_support", "prices", "Binance", "../binance"]))


def test_an_exported_file_says_what_it_holds(tmp_path, cache):
    cache.write(series(50, symbol="ETH/BTC", timeframe="1m"))
    for suffix in (".parquet", ".arrow"):
        out = tmp_path / f"BTC_USDT-1h{suffix}"  # the name says otherwise: the metadata wins
        export(cache, "binance.ETH-BTC.1m", out)
        assert naming.identify(out) == dict(exchange="binance", symbol="ETH/BTC", timeframe="1m")
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 not really")
    assert naming.identify(tmp_path / "junk.parquet") == {}


def oracle_gaps(path):
    """(rows, gap ranges, missing bars) counted the plain way with the csv module."""
    with open(path, newline="") as f:
        times = [int(r[0]) for r in list(csv.reader(f))[1:] if r]
    steps = [b - a for a, b in zip(times, times[1:])]
    return len(times), sum(1 for s in steps if s > 60_000), sum(s // 60_000 - 1 for s in steps if s > 60_000)


@pytest.fixture(params=["generated", "real"])
def gappy_file(request, tmp_path):
    """Minute bars with gaps: a generated file, and the real one from the shared data."""
    if request.param == "real":
        return shared_file("freqtrade_UNITTEST_BTC-1m.csv")
    path = tmp_path / "gappy.csv"
    path.write_text(csv_text(series(5000, skip={7, 8, 9, 100, 2500, *range(3000, 3100)})))
    return path


def test_gaps_of_an_imported_file(cache, gappy_file):
    n, gaps, missing = oracle_gaps(gappy_file)
    report = import_file(gappy_file, cache=cache, exchange="binance", symbol="BTC/USDT")
    assert (report.rows, report.gaps, report.missing) == (n, gaps, missing)
    assert gaps > 0
    listed = cache.datasets()[0]
    assert (listed["rows"], listed["gaps"], listed["missing"]) == (n, gaps, missing)
    assert rows(cache.read("binance.BTC-USDT.1m")) == rows(ct.load_data(gappy_file))


REAL_FILES = {"freqtrade_ETH_BTC-5m.csv": "5m", "freqtrade_XRP_USDT_USDT-5m-futures.csv": "5m", "backtrader_2006-day-001.txt": "1d"}


def check_loads_every_row(path, tf):
    with open(path, newline="") as f:
        n = sum(1 for r in list(csv.reader(f))[1:] if r)
    got = ct.load_data(path)
    assert len(got) == n and got.timeframe == tf, path.name


@pytest.mark.parametrize("path", [shared_param(name) for name in REAL_FILES])
def test_real_files(path):
    check_loads_every_row(path, REAL_FILES[path.name])


@pytest.mark.parametrize("name", REAL_FILES)
def test_files_shaped_like_the_real_ones(tmp_path, name):
    tf = REAL_FILES[name]
    header = "Date,Open,High,Low,Close,Volume,OpenInterest" if tf == "1d" else "timestamp,open,high,low,close,volume"
    path = write(tmp_path, name, csv_text(series(300, tf=300_000 if tf == "5m" else 86_400_000), header=header))
    check_loads_every_row(path, tf)
