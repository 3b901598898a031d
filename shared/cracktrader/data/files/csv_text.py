"""Reading candles from CSV: the header is matched here, the body read by the Rust kernel
(`kernels.ohlcv.parse_csv`), the same code in the browser and on the server.

Times may be epoch seconds, milliseconds, microseconds or nanoseconds (decided from the first
row's magnitude unless `time_unit` says), or ISO 8601 text; naive times are UTC. Errors name
the source, the file line (the header is line 1), the field and the rule.
"""

from array import array
from bisect import bisect_right

from ...candles import Candles
from ..checks import check
from ..errors import DataError
from .layout import csv_layout
from .repair import repair

BOM = b"\xef\xbb\xbf"


def read_csv(data, source="<csv>", *, timeframe=None, time_unit="auto", sort=False, drop_duplicates=False,
             copy=True, symbol="", exchange=""):
    """Candles from CSV bytes (bytes, mmap, memoryview; str is encoded as UTF-8).

    `timeframe` is checked against the data (else the most common step is used); `sort` and
    `drop_duplicates` repair what they say and record it in `candles.meta["repairs"]`;
    `copy=False` leaves the columns as read-only buffers owned by the kernel instead of arrays
    (for handing straight to pyarrow).
    """
    from ...kernels import ohlcv

    if isinstance(data, str):
        data = data.encode()
    view = memoryview(data).cast("B")
    body = None
    try:
        start = len(BOM) if view[: len(BOM)] == BOM else 0
        end = _line_end(data, view, start)
        first = bytes(view[start:end]).decode("utf-8", errors="replace").rstrip("\r")
        if not first.strip() and end >= len(view):
            raise DataError(source, 1, None, "empty", "the file is empty")
        layout = csv_layout(first, source)
        body = view[end + 1 :] if layout.header else view[start:]
        cols, violation, lines = ohlcv.parse_csv(body, layout.delimiter, layout.fields, 2 if layout.header else 1, time_unit)
    finally:
        if body is not None:
            body.release()
        view.release()  # a memory-mapped file can only be closed once no view is left
    if violation:
        line, field, rule, detail = violation
        raise DataError(source, line, field, rule, detail)
    repairing = sort or drop_duplicates
    columns = [_as_array(c, code) if copy or repairing else memoryview(c) for c, code in zip(cols, "qddddd")]
    candles = Candles(*columns, symbol=symbol, exchange=exchange)
    line_of = _line_mapper(lines)
    if repairing:
        candles, notes, origin = repair(candles, sort=sort, drop_duplicates=drop_duplicates)
        candles.meta["repairs"] = notes
        if origin is not None:
            line_of = _through(origin, line_of)
    check(candles, source, timeframe, row_of=line_of)
    return candles


def read_csv_text(text, source="<csv>", **options):
    """Candles from CSV text or bytes (a dropped file in the browser, a string in tests)."""
    return read_csv(text, source, **options)


def _line_end(data, view, start):
    find = getattr(data, "find", None)
    at = find(b"\n", start) if find else bytes(view).find(b"\n", start)
    return len(view) if at < 0 else at


def _as_array(buf, typecode):
    out = array(typecode)
    out.frombytes(memoryview(buf).cast("B"))
    return out


def _line_mapper(lines):
    rows = [r for r, _ in lines]
    starts = [line for _, line in lines]

    def line_of(i):
        k = bisect_right(rows, i) - 1
        return starts[k] + (i - rows[k]) if k >= 0 else None

    return line_of


def _through(origin, line_of):
    return lambda i: line_of(origin[i])
