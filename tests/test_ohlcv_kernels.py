"""The OHLCV kernels (native build) against the pure-Python oracles in support/reference_ohlcv.py."""

import math
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import reference_ohlcv as ref
from cracktrader.kernels import ohlcv
from support.candles import rows, series

FIELDS = [0, 1, 2, 3, 4, 5]


def parse(text, fields=FIELDS, first_line=2, delimiter=","):
    cols, violation, lines = ohlcv.parse_csv(text.encode(), delimiter, fields, first_line)
    got = list(zip(*(memoryview(c).tolist() for c in cols)))
    return got, violation, lines


def line_of(lines, i):
    row, line = max((r, ln) for r, ln in lines if r <= i)
    return line + i - row


# -- the CSV reader


PLAIN = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.decimals(-10**6, 10**6, places=4, allow_nan=False).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "x", "1e5", ".5", "5.", "-0", "NaN", "inf", "1_000", "0x10", "1,5", "12345678901234567890"]),
)
SPACED = st.tuples(st.sampled_from(["", " ", "\t"]), PLAIN, st.sampled_from(["", " "])).map("".join)
CELL = st.one_of(SPACED, PLAIN.map(lambda c: '"' + c.replace('"', '""') + '"'))
TIME = st.one_of(
    st.integers(1_600_000_000, 1_700_000_000).map(str),
    st.integers(1_600_000_000_000, 1_700_000_000_000).map(str),
    st.integers(1_600_000_000_000_000, 1_700_000_000_000_000).map(str),
    st.floats(1.6e9, 1.7e9).map(repr),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-02-29", "2024-01-01 10:00", "2024-01-01T10:00:00.123+02:00", "2023-02-29", "soon", ""]),
)
ROW = st.tuples(TIME, CELL, CELL, CELL, CELL, CELL).map(list)


@st.composite
def csv_bodies(draw):
    out = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            out.append(draw(st.sampled_from(["", "   ", "\t"])))  # blank lines
            continue
        row = draw(ROW)
        if kind == 1:
            row = row[: draw(st.integers(1, 5))]
        elif kind == 2:
            row.append("extra")
        out.append(",".join(row))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(out) + draw(st.sampled_from(["", ending]))


@settings(max_examples=300, deadline=None)
@given(csv_bodies())
def test_reader_matches_the_reference(body):
    got, violation, lines = parse(body)
    try:
        want, want_lines = ref.read_csv(body)
    except ref.Violation as v:
        assert violation is not None, f"expected {v.rule} at line {v.row}"
        assert (violation[0], violation[1], violation[2]) == (v.row, v.field, v.rule)
        return
    assert violation is None, violation
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g[0] == w[0]
        assert all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(g[1:], w[1:]))
    assert [line_of(lines, i) for i in range(len(got))] == want_lines


def test_reader_parses_decimals_exactly_like_float():
    values = ["0.1", "43250.10000000", "0.00162008", "1e-7", "123456789012.345", "999999999999999999", "7"]
    body = "".join(f"1700000000000,{v},{v},{v},{v},{v}\n" for v in values)
    got, violation, _ = parse(body.replace("1700000000000", "{}").format(*range(1700000000000, 1700000000000 + len(values))))
    assert violation is None
    assert [r[1] for r in got] == [float(v) for v in values]


def test_reader_fields_and_delimiters():
    got, violation, _ = parse("x;10;1;2;0.5;1.5;2024-01-01\n", fields=[6, 2, 3, 4, 5, 1], delimiter=";")
    assert violation is None and got == [(1_704_067_200_000, 1.0, 2.0, 0.5, 1.5, 10.0)]


def test_reader_quote_errors():
    assert parse('1,"2,3,4,5,6\n')[1][2] == "malformed_csv"
    assert parse('1,"2"x,3,4,5,6\n')[1][:3] == (2, "open", "malformed_csv")


def test_large_input_is_read_in_parallel_with_the_same_result():
    c = series(300_000, skip=set(range(1000, 300_000, 997)))
    lines = ["time,open,high,low,close,volume"]
    for i, r in enumerate(rows(c)):
        lines.append(",".join(map(repr, r)))
        if i % 5000 == 0:
            lines.append("")  # blank lines shift later rows
    body = "\n".join(lines[1:]) + "\n"
    got, violation, line_map = parse(body)
    assert violation is None and got == rows(c)
    assert line_of(line_map, len(got) - 1) == len(lines)
    at = lines.index(",".join(map(repr, rows(c)[250_000])))
    cells = lines[at].split(",")
    cells[1] = "oops"
    bad = lines[:at] + [",".join(cells)] + lines[at + 1 :]
    _, violation, _ = parse("\n".join(bad[1:]) + "\n")
    assert violation[:3] == (at + 1, "open", "not_a_number")


# -- the rules


@st.composite
def candle_rows(draw):
    n = draw(st.integers(0, 30))
    t = draw(st.integers(0, 10**6)) * 60_000
    out = []
    for _ in range(n):
        t += draw(st.sampled_from([60_000, 60_000, 60_000, 120_000, 0, -60_000, 90_000]))
        o, c = draw(st.floats(1, 100)), draw(st.floats(1, 100))
        h = max(o, c) + draw(st.sampled_from([0.0, 1.0, -0.5]))
        low = min(o, c) - draw(st.sampled_from([0.0, 1.0, -0.5]))
        v = draw(st.sampled_from([0.0, 5.0, -1.0, math.nan, math.inf]))
        if draw(st.integers(0, 20)) == 0:
            o = draw(st.sampled_from([math.nan, -math.inf]))
        out.append((t, o, h, low, c, v))
    return out


def columns(rs):
    cols = list(zip(*rs)) if rs else [()] * 6
    return [array("q", cols[0]), *(array("d", c) for c in cols[1:])]


@settings(max_examples=300, deadline=None)
@given(candle_rows(), st.sampled_from([0, 60_000, 120_000]))
def test_rules_match_the_reference(rs, tf):
    got = ohlcv.validate(*columns(rs), tf)
    want = ref.validate(rs, tf)
    assert (got[:3] if got else None) == want


def test_rule_details_name_the_values():
    c = columns([(0, 10.0, 12.0, 9.0, 11.0, 5.0), (60_000, 10.0, 12.0, 9.0, 11.0, -2.5)])
    assert ohlcv.validate(*c, 60_000) == (1, "volume", "negative_volume", "volume -2.5 is negative")


def test_kernels_check_their_arguments():
    with pytest.raises(ValueError, match="validate: open has 1 values, time has 2"):
        ohlcv.validate(array("q", [0, 1]), [1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], 0)
    with pytest.raises(TypeError, match="int64 buffer"):
        ohlcv.validate("12", [], [], [], [], [], 0)
    with pytest.raises(ValueError, match="timeframe_ms must be >= 0"):
        ohlcv.validate(array("q"), [], [], [], [], [], -1)
    with pytest.raises(TypeError, match="bytes-like"):
        ohlcv.parse_csv("text", ",", FIELDS, 2)
    with pytest.raises(ValueError, match="time unit"):
        ohlcv.parse_csv(b"", ",", FIELDS, 2, "minutes")


def test_timeframe_and_gaps():
    t = array("q", [0, 60_000, 120_000, 300_000, 360_000, 600_000])
    assert ohlcv.infer_timeframe(t) == 60_000
    assert ohlcv.infer_timeframe(array("q", [5])) is None
    assert ohlcv.gaps(t, 60_000) == [(180_000, 300_000), (420_000, 600_000)]


def test_epoch_columns():
    t, v = ohlcv.epoch_to_ms(array("q", [1_700_000_000, 1_700_000_060]))
    assert memoryview(t).tolist() == [1_700_000_000_000, 1_700_000_060_000] and v is None
    t, v = ohlcv.epoch_to_ms(array("d", [1.7e12, 1.7e9]))
    assert v[:3] == (1, "time", "mixed_time_units")
    t, v = ohlcv.parse_times(["2024-01-01T00:00:00Z", "2024-01-01 00:01", "x"])
    assert memoryview(t).tolist() == [1_704_067_200_000, 1_704_067_260_000] and v[:3] == (2, "time", "bad_time")


def test_buffers_work_with_array_memoryview_and_pyarrow():
    import pyarrow as pa

    cols, _, _ = ohlcv.parse_csv(b"1700000000000,1,2,0.5,1.5,10\n", ",", FIELDS, 2)
    a = array("d")
    a.frombytes(cols[1])
    assert list(a) == [1.0] and memoryview(cols[0]).format == "q" and len(cols[0]) == 1
    assert pa.Array.from_buffers(pa.float64(), 1, [None, pa.py_buffer(cols[2])]).to_pylist() == [2.0]
    with pytest.raises(TypeError, match="read-only"):
        memoryview(cols[1]).cast("B")[0:1] = b"x"


# -- resampling


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3000), unique=True, max_size=300), st.sampled_from([
    (60_000, 300_000), (60_000, 3_600_000), (300_000, 86_400_000), (3_600_000, 604_800_000), (60_000, 60_000)]))
def test_resample_matches_direct_aggregation(minutes, tfs):
    source, target = tfs
    c = series(3001, start=1_704_067_200_000 - 5 * 86_400_000, tf=source, skip=set(range(3001)) - set(minutes))
    got = ohlcv.resample(c.time, c.open, c.high, c.low, c.close, c.volume, source, target)
    got = list(zip(*(memoryview(x).tolist() for x in got)))
    assert got == ref.resample(rows(c), target)
