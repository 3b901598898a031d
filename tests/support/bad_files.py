"""One small CSV per rule, each breaking exactly that rule at a known line: shared by the
import tests and the browser parity tests."""

HEADER = "time,open,high,low,close,volume\n"
GOOD = ["1704067200000,10,12,9,11,5", "1704067260000,11,13,10,12,6", "1704067320000,12,14,11,13,7"]


def with_row(line, row):
    """GOOD with its row number `line - 2` replaced (line 2 is the first data row)."""
    rows = list(GOOD)
    rows[line - 2] = row
    return HEADER + "\n".join(rows) + "\n"


# rule -> (CSV text, line, field)
CASES = {
    "missing_column": ("time,open,high,low,volume\n1,1,1,1,1\n", 1, "close"),
    "empty": ("", 1, None),
    "missing_value": (with_row(3, "1704067260000,11,,10,12,6"), 3, "high"),
    "not_a_number": (with_row(4, "1704067320000,12,14,11,thirteen,7"), 4, "close"),
    "bad_time": (with_row(3, "yesterday,11,13,10,12,6"), 3, "time"),
    "mixed_time_units": (with_row(3, "1704067260,11,13,10,12,6"), 3, "time"),
    "malformed_csv": (with_row(3, '1704067260000,"11,13,10,12,6'), 3, "open"),
    "unsorted": (with_row(4, "1704067140000,12,14,11,13,7"), 4, "time"),
    "duplicate_time": (with_row(3, "1704067200000,11,13,10,12,6"), 3, "time"),
    "inconsistent_timeframe": (HEADER + "1704067200000,10,12,9,11,5\n1704067260000,11,13,10,12,6\n1704067290000,11,13,10,12,6\n1704067350000,11,13,10,12,6\n", 4, "time"),
    "nan": (with_row(3, "1704067260000,11,13,nan,12,6"), 3, "low"),
    "infinite": (with_row(2, "1704067200000,10,inf,9,11,5"), 2, "high"),
    "high_below_open_close": (with_row(3, "1704067260000,11,11.5,10,12,6"), 3, "high"),
    "low_above_open_close": (with_row(2, "1704067200000,10,12,10.5,11,5"), 2, "low"),
    "negative_volume": (with_row(4, "1704067320000,12,14,11,13,-7"), 4, "volume"),
}
