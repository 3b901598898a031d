"""The Parquet cache: partitions and manifest, range reads, replacing ranges, listing,
removing, exporting, Arrow IPC for the browser, and corruption caught by reads and verify."""

import json
import os
import pickle
from array import array

import pyarrow as pa
import pytest

import cracktrader as ct
from cracktrader.data import IPC_MEDIA_TYPE, Cache, export, ids, ipc_stream, iter_ipc_stream, verify
from cracktrader.data.arrow import info_of
from cracktrader.data.cache import periods, ranges
from cracktrader.data.cache.store import default_root
from support.candles import rows, series

HOUR, DAY = 3_600_000, 86_400_000
ID = "binance.BTC-USDT.1m"


@pytest.fixture
def two_years(cache):
    """1m bars across a year boundary (two partitions), with a gap."""
    c = series(4000, start=1_704_067_200_000 - 2000 * 60_000, skip={100, 101, 102})
    cache.write(c)
    return c


def test_partitions_and_manifest(cache, two_years):
    c = two_years
    m = cache.manifest(ID)
    assert sorted(m.partitions) == ["2023", "2024"]
    assert m.rows == len(c) and (m.first, m.last) == (c.time[0], c.time[-1])
    assert m.covered == [(c.time[0], c.time[-1] + 60_000)]
    assert m.gaps == [(c.time[99] + 60_000, c.time[100])]
    files = sorted(p.name for p in cache.path(ID).iterdir())
    assert files == sorted([".lock", "manifest.json", *(p.file for p in m.partitions.values())])


def test_range_reads(cache, two_years):
    c = two_years
    assert rows(cache.read(ID)) == rows(c)
    a, b = c.time[500], c.time[3500]
    got = cache.read(ID, since=a, until=b)
    assert rows(got) == rows(c)[500:3500] and got.timeframe == "1m" and got.symbol == "BTC/USDT"
    assert rows(cache.read(ID, since=a + 1, until=a + 60_001)) == rows(c)[501:502]
    assert len(cache.read(ID, since=0, until=1)) == 0
    table = cache.read_table(ID, since=a, until=b, columns=["close"])
    assert table.column_names == ["close"] and table.column(0).to_pylist() == list(c.close[500:3500])
    streamed = list(cache.stream_candles(ID, since=a, until=b))
    assert sum(len(x) for x in streamed) == 3000 and rows(streamed[0]) == rows(c)[500 : 500 + len(streamed[0])]
    with pytest.raises(ValueError, match="unknown column"):
        cache.read_table(ID, columns=["price"])
    cols = cache.read_columns(ID, ["time", "close"], since=a, until=b)
    assert list(cols) == ["time", "close"] and cols["close"].tolist() == list(c.close[500:3500])
    assert (cols["time"].format, cols["close"].format) == ("q", "d") and cols["close"].readonly
    assert rows(ct.load_data(ID, cache=cache.root, since=a, until=b)) == rows(c)[500:3500]
    assert rows(ct.load_data(ID, cache=cache.root, resample="1h")) == rows(ct.data.resample.resample(c, "1h"))
    with pytest.raises(TypeError, match="timeframe apply to files, not to dataset ids"):
        ct.load_data(ID, cache=cache.root, timeframe="1h")


def test_only_the_needed_row_groups_are_read(cache):
    c = series(300_000)
    cache.write(c)
    _, opened = cache.open(ID, since=c.time[200_000], until=c.time[200_010])
    (key, part, pf), = opened
    assert pf.parquet().metadata.num_row_groups == 3 and pf.row_groups(c.time[200_000], c.time[200_010]) == [1]
    got = cache.read(ID)
    assert got.time.tolist() == c.time.tolist() and got.volume.tolist() == c.volume.tolist()
    # The row groups of one file are decoded on two threads at once: pyarrow's file readers
    # are not for that (a shared one failed about one read in ten), each read has its own.
    assert all(len(cache.read(ID)) == len(c) for _ in range(60))


def test_cache_candles_are_views_a_backtest_and_a_live_run_use_alike(cache):
    """A cache read hands out read-only views of Arrow memory (no copy); the engine takes
    its own arrays, so a live run can append to them."""
    from cracktrader import synthetic
    from support.strategies import SmaCross

    data = synthetic.ohlcv(1500, seed=7, step=0.004, bar_ms=3_600_000, symbol="BTC/USDT", timeframe="1h")
    data.exchange = "binance"
    cache.write(data)
    got = cache.read("binance.BTC-USDT.1h")
    assert isinstance(got.close, memoryview) and got.close.readonly and got.time.format == "q"
    copied = pickle.loads(pickle.dumps(got))  # to another process, say
    assert isinstance(copied.close, array) and rows(copied) == rows(got) and copied.timeframe == "1h"
    batch = ct.backtest(SmaCross, data, cash=10_000, commission=0.001)
    assert len(batch.trades) > 5 and ct.backtest(SmaCross, got, cash=10_000, commission=0.001).to_json() == batch.to_json()
    live = ct.Engine(SmaCross, cache.read("binance.BTC-USDT.1h", until=data.time[1000]), cash=10_000, commission=0.001)
    live.run()
    for i in range(1000, len(data)):
        live.push((data.time[i], data.open[i], data.high[i], data.low[i], data.close[i], data.volume[i]))
    assert live.result().to_json() == batch.to_json()


def test_writes_replace_their_range_and_keep_the_rest(cache, two_years):
    c = two_years
    start, end = c.time[1000], c.time[1200]
    newer = series(50, start=c.time[1100], seed=9)  # other values, and bars missing around them
    cache.write(newer, covered=(start, end))
    got = rows(cache.read(ID))
    assert got == rows(c)[:1000] + rows(newer) + [r for r in rows(c) if r[0] >= end]
    m = cache.manifest(ID)
    assert (start, c.time[1100]) in m.gaps and (newer.time[-1] + 60_000, end) in m.gaps
    assert verify(cache) == []
    empty = series(0)
    cache.write(empty, covered=(c.time[0], c.time[10]))  # the exchange says: nothing there
    assert cache.read(ID).time[0] == c.time[10]
    assert cache.missing(ID, c.time[0] - HOUR, c.time[-1]) == [(c.time[0] - HOUR, c.time[0])]


def test_writes_are_checked(cache):
    bad = series(5)
    bad.high[2] = 0.0
    with pytest.raises(ct.DataError, match="high_below_open_close"):
        cache.write(bad)
    with pytest.raises(ValueError, match="outside the covered range"):
        cache.write(series(5), covered=(0, 1))
    with pytest.raises(ids.BadDatasetId):
        cache.write(series(5, exchange="Bin/ance"))
    assert cache.ids() == []


def test_dataset_ids_are_unambiguous_and_stay_inside_the_cache(cache):
    for symbol in ("BTC/USDT", "BTC/USDT:USDT", "BTC/USD:BTC-240329-60000-C", "1000PEPE/USDT", "A.B/C_D", "Ü/€"):
        ds = ids.dataset_id("okx", symbol, "1h")
        assert ids.parse_dataset_id(ds) == ("okx", symbol, "1h")
        assert "/" not in ds and ".." not in ds and ds.count(".") == 2
    assert ids.dataset_id("binance", "BTC/USDT", "1h") == "binance.BTC-USDT.1h"
    for bad in ("../../etc/passwd", "binance.BTC-USDT", "binance.BTC/USDT.1h", "binance..1h", "Binance.BTC-USDT.1h",
                "binance.BTC-USDT.1x", "binance.~41.1h", "binance.~ZZ.1h", "binance.BTC-USDT.1h/..", "binance.%2e%2e.1h"):
        with pytest.raises(ids.BadDatasetId):
            cache.path(bad)


def test_list_and_remove(cache, two_years):
    cache.write(series(10, symbol="ETH/USDT", timeframe="5m", tf=300_000))
    listed = {d["id"]: d for d in cache.datasets()}
    assert set(listed) == {ID, "binance.ETH-USDT.5m"}
    d = listed[ID]
    assert (d["rows"], d["gaps"], d["missing"], d["first"]) == (len(two_years), 1, 3, two_years.time[0])
    assert d["bytes"] == sum(os.path.getsize(cache.path(ID) / p.file) for p in cache.manifest(ID).partitions.values())
    assert cache.remove(ID) and not cache.remove(ID)
    assert cache.ids() == ["binance.ETH-USDT.5m"]
    with pytest.raises(ct.DataError) as e:
        cache.read(ID)
    assert e.value.rule == "not_cached"


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".arrow"])
def test_export_round_trips(tmp_path, cache, two_years, suffix):
    out = tmp_path / f"export{suffix}"
    assert export(cache, ID, out) == len(two_years)
    if suffix == ".arrow":
        with pa.ipc.open_file(out) as f:
            table = f.read_all()
        assert table.column("close").to_pylist() == list(two_years.close)
        assert info_of(table.schema) == dict(exchange="binance", symbol="BTC/USDT", timeframe="1m")
    else:
        assert rows(ct.load_data(out)) == rows(two_years)
    hourly = tmp_path / f"hourly{suffix}"
    export(cache, ID, hourly, timeframe="1h", since=two_years.time[0], until=two_years.time[600])
    if suffix != ".arrow":
        assert rows(ct.load_data(hourly)) == rows(ct.data.resample.resample(two_years.slice(0, 600), "1h"))


def test_arrow_ipc_stream_for_the_browser(cache, two_years):
    c = two_years
    data = ipc_stream(cache, ID, since=c.time[10], until=c.time[3990])
    table = pa.ipc.open_stream(data).read_all()
    assert table.num_rows == 3980 and table.column("time").to_pylist() == list(c.time[10:3990])
    assert table.schema.field("time").type == pa.int64() and table.schema.field("open").type == pa.float64()
    assert info_of(table.schema)["id"] == ID
    assert IPC_MEDIA_TYPE == "application/vnd.apache.arrow.stream"
    assert pa.ipc.open_stream(ipc_stream(cache, ID, since=0, until=1)).read_all().num_rows == 0
    with pytest.raises(ct.DataError, match="not_cached"):
        iter_ipc_stream(cache, "binance.ETH-USDT.1m")  # raised before any byte is sent


def flip_byte(path, at):
    data = bytearray(path.read_bytes())
    data[at] ^= 0x5A
    path.write_bytes(bytes(data))


def test_corruption_is_caught_by_reads_and_verify(cache, two_years):
    m = cache.manifest(ID)
    path = cache.path(ID) / m.partitions["2024"].file
    flip_byte(path, path.stat().st_size // 2)  # inside a data page
    with pytest.raises(ct.DataError) as e:
        cache.read(ID)
    assert e.value.rule == "corrupted_file" and "verify --fix" in str(e.value)
    assert len(cache.read(ID, until=1_704_067_200_000)) == 1997  # the other partition is fine
    problems = verify(cache)
    assert [(p.file, p.problem) for p in problems] == [(path.name, "checksum mismatch (the file's bytes changed)")]
    assert "verify --fix" in problems[0].fix and "fetch binance BTC/USDT 1m" in problems[0].fix
    fixed = verify(cache, fix=True)
    assert fixed[0].fix.startswith("dropped")
    assert verify(cache) == []
    assert cache.missing(ID, *periods.bounds("2024")) == [periods.bounds("2024")]  # fetched again next time
    assert rows(cache.read(ID)) == rows(two_years)[:1997]


def test_a_damaged_byte_anywhere_stops_every_read_before_its_values_are_used(cache):
    """Reads check each file they use whole (its manifest CRC-32), however little of it they
    decode: a damaged footer could otherwise pick the wrong row groups unnoticed."""
    c = series(300_000)  # one partition with three row groups
    cache.write(c)
    path = cache.path(ID) / cache.manifest(ID).partitions["2024"].file
    good = path.read_bytes()
    for where in (len(good) // 2, len(good) - 20, 4):  # a data page, the footer, the first page
        flip_byte(path, where)
        reads = {
            "read": lambda: cache.read(ID),
            "first row group": lambda: cache.read(ID, until=c.time[10]),
            "one column of the last": lambda: cache.read_table(ID, since=c.time[-10], columns=["close"]),
            "stream": lambda: next(cache.stream_candles(ID)),
            "ipc": lambda: iter_ipc_stream(cache, ID),
            "load_data": lambda: ct.load_data(ID, cache=cache.root, since=c.time[5]),
            "merge on write": lambda: cache.write(series(5, start=c.time[1000], seed=3), covered=(c.time[1000], c.time[1005])),
        }
        for name, read in reads.items():
            with pytest.raises(ct.DataError, match="checksum mismatch") as e:
                read()
            assert e.value.rule == "corrupted_file" and "verify --fix" in str(e.value), (where, name)
        path.write_bytes(good)
    assert rows(cache.read(ID)) == rows(c)


def test_truncated_and_missing_files(cache, two_years):
    m = cache.manifest(ID)
    p23, p24 = (cache.path(ID) / m.partitions[k].file for k in ("2023", "2024"))
    p23.write_bytes(p23.read_bytes()[:-100])
    with pytest.raises(ct.DataError, match="truncated"):
        cache.read(ID)
    p24.unlink()
    (cache.path(ID) / ".2025.abcd.parquet.tmp").write_bytes(b"half a file")
    found = {p.file: p.problem for p in verify(cache)}
    assert "truncated" in found[p23.name] and found[p24.name] == "missing file"
    assert "stray" in found[".2025.abcd.parquet.tmp"]
    verify(cache, fix=True)
    assert verify(cache) == [] and cache.manifest(ID).partitions == {}


def test_a_corrupted_manifest_is_reported(cache, two_years):
    (cache.path(ID) / "manifest.json").write_text('{"version": 1, "exchange": ')
    with pytest.raises(ct.DataError, match="unreadable manifest"):
        cache.read(ID)
    (problem,) = verify(cache)
    assert problem.file == "manifest.json" and "remove" in problem.fix


def test_the_data_package_api_loads_server_parts_on_use():
    import subprocess
    import sys

    code = ("import sys, cracktrader.data as d; light = not {'pyarrow', 'ccxt'} & set(sys.modules); "
            "missing = [name for name in d.__all__ if not hasattr(d, name)]; "
            "print(light, d.Cache.__name__, d.fetch.__name__, d.import_file.__name__, 'pyarrow' in sys.modules, missing)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "Cache", "fetch", "import_file", "True", "[]"]


def test_cache_location(tmp_path, monkeypatch):
    monkeypatch.setenv("CRACKTRADER_CACHE_DIR", str(tmp_path / "here"))
    assert Cache().root == tmp_path / "here"
    monkeypatch.delenv("CRACKTRADER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_root() == tmp_path / "xdg" / "cracktrader"


def test_ranges_and_periods():
    assert ranges.normalize([(5, 7), (1, 3), (3, 4), (9, 9)]) == [(1, 4), (5, 7)]
    assert ranges.subtract([(0, 10)], [(2, 3), (5, 20)]) == [(0, 2), (3, 5)]
    assert ranges.intersect([(0, 10)], [(2, 3), (5, 20)]) == [(2, 3), (5, 10)]
    assert periods.keys_between(1_703_980_800_000, 1_704_067_200_001, periods.YEAR) == ["2023", "2024"]
    assert periods.bounds("2024-12") == (1_733_011_200_000, 1_735_689_600_000)
    assert periods.kind_for(1000) == periods.MONTH and periods.kind_for(86_400_000) == periods.ALL


def test_a_copy_past_the_end_of_its_buffer_is_refused():
    from cracktrader.data.cache.store import _copy_into

    def column(*chunks):
        return pa.chunked_array([pa.array(c, pa.int64()) for c in chunks])

    buffer = pa.allocate_buffer(8 * 3)
    with pytest.raises(IndexError, match="copy of 2 rows at row 2 overruns a buffer of 3"):
        _copy_into(buffer, 0, column([1, 2], [3, 4]))  # 4 rows into 3: the second chunk
    with pytest.raises(IndexError, match="at row 2 overruns"):
        _copy_into(buffer, 2, column([1, 2]))
    with pytest.raises(IndexError, match="at row -1 overruns"):
        _copy_into(buffer, -1, column([1]))
    _copy_into(buffer, 1, column([5], [6]))
    assert memoryview(buffer).cast("q")[1:].tolist() == [5, 6]
