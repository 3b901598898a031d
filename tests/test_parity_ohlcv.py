"""The OHLCV kernels and the CSV reader give the same results and errors in Pyodide (WASM)
as natively: same candles bit for bit, same (row, field, rule, detail)."""

import hashlib
import json

import pytest

import cracktrader as ct

from support import bad_files
from cracktrader.data import read_csv_text
from cracktrader.data.errors import DataError
from cracktrader.kernels import ohlcv
from support.candles import csv_text, series

FIELDS = [0, 1, 2, 3, 4, 5]


def digest(cols):
    return [hashlib.sha256(memoryview(c).cast("B")).hexdigest() for c in cols]


BODIES = [
    csv_text(series(20_000, skip=set(range(100, 20_000, 37))), header=None),
    csv_text(series(500), header=None, times="iso").replace("\n", "\r\n"),
    csv_text(series(50), header=None, times="s") + "\n\n" + '1704100000,"1.5",2,1,1.5,"3"\n',
    "1,1,1,1,1,1\n2,1,x,1,1,1\n",
    '1,"1,1,1,1,1\n',
    "1700000000,1,1,1,1,1\n1700000060000,1,1,1,1,1\n",
    "2024-01-01,1,nan,1,1,1\n2024-01-02,1,1,1,1\n",
]

RUN_PARSE = """
import hashlib, json
from cracktrader.kernels import ohlcv
def digest(cols):
    return [hashlib.sha256(memoryview(c).cast("B")).hexdigest() for c in cols]
out = []
for body in json.loads(BODIES):
    cols, violation, lines = ohlcv.parse_csv(body.encode(), ",", [0, 1, 2, 3, 4, 5], 2)
    out.append([digest(cols), violation and list(violation), [list(x) for x in lines]])
    if violation is None:
        v = ohlcv.validate(*cols, 60_000)
        out[-1].append(v and list(v))
        out[-1].append(ohlcv.infer_timeframe(cols[0]))
        out[-1].append([list(g) for g in ohlcv.gaps(cols[0], 60_000)][:50])
        if v is None:
            out[-1].append(digest(ohlcv.resample(*cols, 60_000, 3_600_000)))
result = out
"""


def native_parse():
    out = []
    for body in BODIES:
        cols, violation, lines = ohlcv.parse_csv(body.encode(), ",", FIELDS, 2)
        out.append([digest(cols), violation and list(violation), [list(x) for x in lines]])
        if violation is None:
            v = ohlcv.validate(*cols, 60_000)
            out[-1].append(v and list(v))
            out[-1].append(ohlcv.infer_timeframe(cols[0]))
            out[-1].append([list(g) for g in ohlcv.gaps(cols[0], 60_000)][:50])
            if v is None:
                out[-1].append(digest(ohlcv.resample(*cols, 60_000, 3_600_000)))
    return out


def test_kernels_identical_in_pyodide(pyodide):
    got = pyodide.run(f"BODIES = {json.dumps(json.dumps(BODIES))}\n" + RUN_PARSE)
    want = native_parse()
    assert len(got) == len(want) == len(BODIES)
    for g, w in zip(got, want):
        assert g == w


@pytest.mark.parametrize("rule", sorted(bad_files.CASES))
def test_same_errors_in_pyodide(pyodide, rule):
    text, line, field = bad_files.CASES[rule]
    with pytest.raises(DataError) as native:
        read_csv_text(text, source="bad.csv")
    code = (
        "from cracktrader.data import read_csv_text, DataError\n"
        f"try:\n    read_csv_text({text!r}, source='bad.csv')\n    result = None\n"
        "except DataError as e:\n    result = [e.row, e.field, e.rule, str(e)]\n"
    )
    e = native.value
    assert (e.row, e.field, e.rule) == (line, field, rule)
    assert pyodide.run(code) == [e.row, e.field, e.rule, str(e)]


def test_same_errors_for_kernel_misuse(pyodide):
    calls = ["ohlcv.parse_csv('text', ',', [0,1,2,3,4,5], 2)", "ohlcv.parse_csv(b'', ',', [0,1,2,3,4,5], 2, 'minutes')",
             "ohlcv.validate([0, 1], [1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], 0)",
             "ohlcv.validate('12', [], [], [], [], [], 0)", "ohlcv.resample([0], [1.0], [1.0], [1.0], [1.0], [1.0], 60, 90)",
             "ohlcv.gaps([0, 1], 0)"]
    for call in calls:
        with pytest.raises(Exception) as native:
            eval(call, {"ohlcv": ohlcv})
        code = (f"from cracktrader.kernels import ohlcv\ntry:\n    {call}\n    result = None\n"
                "except Exception as e:\n    result = [type(e).__name__, str(e)]\n")
        assert pyodide.run(code) == [type(native.value).__name__, str(native.value)], call


def test_load_data_in_pyodide(pyodide, tmp_path):
    text = csv_text(series(3000, skip={10, 11}))
    path = tmp_path / "m.csv"
    path.write_text(text)
    native = ct.load_data(path, resample="1h")
    code = (
        "import hashlib, cracktrader as ct\n"
        f"open('/tmp/m.csv', 'w').write({text!r})\n"
        "c = ct.load_data('/tmp/m.csv', resample='1h')\n"
        "result = [len(c), c.timeframe, hashlib.sha256(c.close.tobytes() + c.time.tobytes()).hexdigest()]\n"
        "for source in ('binance.BTC-USDT.1m', '/tmp/x.parquet'):\n"
        "    try:\n        ct.load_data(source)\n"
        "    except ValueError as e:\n        result.append(str(e))\n"
    )
    got = pyodide.run(code)
    assert got[:3] == [len(native), "1h", hashlib.sha256(native.close.tobytes() + native.time.tobytes()).hexdigest()]
    assert "dataset ids are read from the server's cache, which needs pyarrow" in got[3]
    assert "reading .parquet files needs pyarrow" in got[4]
