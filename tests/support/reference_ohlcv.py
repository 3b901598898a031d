"""Pure-Python oracles for the OHLCV kernels: the CSV grammar, the time formats and the
validity rules written the plain way, to test the Rust code against. Slow, simple, separate."""

import csv
import io
import math
import re
from datetime import datetime, timedelta, timezone

NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$", re.I)
ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
COLUMNS = ("time", "open", "high", "low", "close", "volume")


class Violation(Exception):
    def __init__(self, row, field, rule):
        super().__init__(row, field, rule)
        self.row, self.field, self.rule = row, field, rule


def number(cell):
    return float(cell) if NUMBER.match(cell) else None


def iso_ms(cell):
    m = ISO.match(cell)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    if zone and zone[0] in "+-" and len(zone) not in (3, 5, 6):
        return None
    try:
        stamp = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=timezone.utc)
    except ValueError:
        return None
    ms = (stamp - EPOCH) // timedelta(milliseconds=1) + (int((frac or "0")[:3].ljust(3, "0")))
    if zone and zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:4] or 0)
        if oh > 23 or om > 59:
            return None
        offset = (oh * 60 + om) * 60_000
        ms += -offset if zone[0] == "+" else offset
    return ms


def unit_of(value):
    m = abs(value)
    return 1 if m < 1e11 else 2 if m < 1e14 else 3 if m < 1e17 else 4  # s, ms, us, ns


def epoch_ms(value, unit, is_int):
    if is_int:
        v = int(value)
        if unit == 1:
            return v * 1000
        if unit == 2:
            return v
        d = 1000 if unit == 3 else 1_000_000
        q, r = divmod(abs(v), d)
        q += 2 * r >= d
        return q if v >= 0 else -q
    scaled = value * 1000 if unit == 1 else value if unit == 2 else value / 1000 if unit == 3 else value / 1e6
    return int(math.copysign(math.floor(abs(scaled) + 0.5), scaled))


def read_csv(text, fields=(0, 1, 2, 3, 4, 5), first_line=2, delimiter=","):
    """(rows as tuples of (time_ms, o, h, l, c, v), [line of each row]) or Violation(line, field, rule)."""
    rows, lines = [], []
    kind = None  # ("epoch", unit) or ("iso",)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = first_line
    while True:
        start = reader.line_num
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise Violation(line, None, "malformed_csv")
        record_line = first_line + start
        if not record or (len(record) == 1 and not record[0].strip(" \t\r")):
            continue
        values = [None] * 6
        for f in range(max(fields) + 1):  # fields left to right, as the reader meets them
            if f not in fields or f >= len(record):
                continue
            col = fields.index(f)
            cell = record[f].strip(" \t\r")
            if not cell:
                raise Violation(record_line, COLUMNS[col], "missing_value")
            if col:
                v = number(cell)
                if v is None:
                    raise Violation(record_line, COLUMNS[col], "not_a_number")
                values[col] = v
                continue
            values[0], kind = read_time(cell, kind, record_line)
        missing = [c for c in range(6) if fields[c] >= len(record)]
        if missing:
            raise Violation(record_line, COLUMNS[min(missing, key=lambda c: fields[c])], "missing_value")
        rows.append(tuple(values))
        lines.append(record_line)
    return rows, lines


def read_time(cell, kind, line):
    """(ms, kind): a time cell under the column's kind (set by the first row)."""
    n = number(cell)
    if n is not None and not math.isfinite(n):
        n = None
    stamp = iso_ms(cell)
    if kind is None:
        kind = ("epoch", unit_of(n)) if n is not None else ("iso",) if stamp is not None else None
        if kind is None:
            raise Violation(line, "time", "bad_time")
    if kind[0] == "iso":
        if stamp is None:
            raise Violation(line, "time", "mixed_time_units" if n is not None else "bad_time")
        return stamp, kind
    if n is None:
        raise Violation(line, "time", "mixed_time_units" if stamp is not None else "bad_time")
    if unit_of(n) != kind[1]:
        raise Violation(line, "time", "mixed_time_units")
    is_int = re.fullmatch(r"[+-]?\d+", cell) is not None and abs(int(cell)) < 2**63
    return epoch_ms(int(cell) if is_int else n, kind[1], is_int), kind


def validate(rows, timeframe_ms=0):
    """The first (row index, field, rule) breaking a rule, or None."""
    for i, (t, o, h, low, c, v) in enumerate(rows):
        if i:
            prev = rows[i - 1][0]
            if t < prev:
                return i, "time", "unsorted"
            if t == prev:
                return i, "time", "duplicate_time"
            if timeframe_ms and (t - prev) % timeframe_ms:
                return i, "time", "inconsistent_timeframe"
        for name, x in zip(COLUMNS[1:], (o, h, low, c, v)):
            if math.isnan(x):
                return i, name, "nan"
            if math.isinf(x):
                return i, name, "infinite"
        if h < o or h < c:
            return i, "high", "high_below_open_close"
        if low > o or low > c:
            return i, "low", "low_above_open_close"
        if v < 0:
            return i, "volume", "negative_volume"
    return None


def resample(rows, target_ms):
    """Direct OHLCV aggregation (weeks from Monday), volumes added in time order."""
    week, monday = 604_800_000, 4 * 86_400_000
    offset = monday if target_ms % week == 0 else 0
    out = {}
    for t, o, h, low, c, v in rows:
        start = (t - offset) // target_ms * target_ms + offset
        if start not in out:
            out[start] = [start, o, h, low, c, v]
        else:
            bar = out[start]
            bar[2], bar[3], bar[4] = max(bar[2], h), min(bar[3], low), c
            bar[5] = bar[5] + v
    return [tuple(b) for b in out.values()]
